"""bench/goals.py: the met/not logic of the issue-33 goals against a same-run baseline
(no timing here: the figures are made up)."""
import pytest

from bench.goals import against, beside, target, verdict


def test_at_least_a_factor_of_the_baseline():
    assert against(1200, 1000, "≥", 1.2) == (1.2, True)
    assert against(1199, 1000, "≥", 1.2) == (1.2, False)  # 1.199 rounds to 1.2: still not met
    assert against(5000, 1000, "≥", 1.2) == (5.0, True)


def test_at_most_a_factor_of_the_baseline():
    assert against(64, 64, "≤", 1) == (1.0, True)
    assert against(65, 64, "≤", 1) == (1.02, False)
    assert against(76, 59, "≤", 1.3) == (1.29, True)
    assert against(117, 59, "≤", 1.3) == (1.98, False)


@pytest.mark.parametrize("measured, baseline", [(None, 5), (5, None), (5, 0)])
def test_a_missing_figure_is_neither_met_nor_failed(measured, baseline):
    assert against(measured, baseline, "≥", 1.2) == (None, None)
    assert verdict(None) == "not measured"


def test_an_unknown_comparison_is_refused():
    with pytest.raises(ValueError):
        against(1, 1, "<", 1)


def test_words():
    assert target("≥", 1.2) == "≥ 1.2× bare"
    assert target("≤", 1) == "≤ bare"
    assert target("≥", 1.7, "one node") == "≥ 1.7× one node"
    assert (verdict(True), verdict(False)) == ("met", "not met")


def test_node_beside_the_goal():
    fmt = lambda v: f"{v:,.0f} msg/CPU-s"  # noqa: E731
    assert beside(6000, 30000, "Node", fmt) == "Node: 30,000 msg/CPU-s (TLightChat 0.20× it)"
    assert beside(6000, None, "Node", fmt) == "Node: not measured in this run"
    assert beside(None, 30000, "Node", fmt) == "Node: 30,000 msg/CPU-s"
