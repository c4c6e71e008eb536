"""Goals against a same-run baseline, and where the stack stands against Node (issue 33).

Pure helpers for bench/report.py: no I/O, so tests/bench/test_goals.py pins them.

    against(measured, bare, "≥", 1.2)  -> (ratio, met)   # relayed msgs per CPU-second
    against(measured, bare, "≤", 1.0)  -> (ratio, met)   # memory per idle client
    beside(measured, node, "Node socket.io", fmt) -> "Node socket.io: … (TLightChat 3.10× it)"
"""


def against(measured, baseline, op, factor):
    """The ratio measured / baseline and whether `measured op factor × baseline` holds;
    (None, None) when either figure is missing (not met, not failed: not measured)."""
    if measured is None or baseline in (None, 0):
        return None, None
    r = measured / baseline
    if op == "≥":
        return round(r, 2), r >= factor
    if op == "≤":
        return round(r, 2), r <= factor
    raise ValueError(f"op must be ≥ or ≤, not {op!r}")


def target(op, factor, what="bare"):
    """The target column's words: '≥ 1.2× bare', '≤ bare'."""
    return f"{op} {what}" if factor == 1 else f"{op} {factor:g}× {what}"


def beside(measured, other, label, fmt):
    """A baseline that is not the goal's (Node): its figure and TLightChat's multiple of it,
    or why there is none."""
    if other is None:
        return f"{label}: not measured in this run"
    if measured is None or not other:
        return f"{label}: {fmt(other)}"
    return f"{label}: {fmt(other)} (TLightChat {measured / other:.2f}× it)"


def verdict(met):
    """Met or not, said plainly."""
    return {True: "met", False: "not met", None: "not measured"}[met]
