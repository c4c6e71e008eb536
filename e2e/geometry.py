"""What a person sees, measured in the page (../shared/docs/e2e-recipe.md, "geometry and
accessibility"): sideways overflow, whether an element is inside the viewport and how
wide it is (getBoundingClientRect), and axe-core's violations injected by Selenium."""
import os

HERE = os.path.dirname(os.path.abspath(__file__))
AXE_JS = os.path.join(HERE, "axe", "node_modules", "axe-core", "axe.min.js")

# The sizes the issue was reported at, plus a large desktop.
DESKTOP, WIDE, PHONE = (1366, 800), (1920, 1080), (390, 844)


def window_flag(size):
    return f"--window-size={size[0]},{size[1]}"


def overflow_x(driver):
    """How many CSS pixels the page scrolls sideways (0 or 1 is fine)."""
    return driver.execute_script(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth")


RECT = """
const el = typeof arguments[0] === 'string' ? document.querySelector(arguments[0]) : arguments[0];
if (!el) return null;
const r = el.getBoundingClientRect(), s = getComputedStyle(el);
return {left: r.left, top: r.top, right: r.right, bottom: r.bottom, width: r.width, height: r.height,
        visible: r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none',
        vw: document.documentElement.clientWidth, vh: innerHeight};
"""


def rect(driver, css):
    return driver.execute_script(RECT, css)


def in_viewport(driver, css):
    """The element is shown and wholly inside the window, without scrolling."""
    r = rect(driver, css)
    return bool(r and r["visible"] and r["left"] >= -0.5 and r["top"] >= -0.5
                and r["right"] <= r["vw"] + 0.5 and r["bottom"] <= r["vh"] + 0.5), r


def axe_violations(driver, impacts=("critical", "serious")):
    """Run axe-core on the page as it is now; the violations of these impacts, as
    (rule id, [target selectors]) pairs."""
    with open(AXE_JS, encoding="utf-8") as f:
        source = f.read()
    if not driver.execute_script("return Boolean(window.axe)"):
        driver.execute_script(source)
    violations = driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {resultTypes: ['violations']})"
        ".then((r) => done(r.violations.map((v) => ({id: v.id, impact: v.impact,"
        " targets: v.nodes.map((n) => n.target.join(' ')), summary: v.nodes[0] && v.nodes[0].failureSummary}))))"
        ".catch((e) => done([{id: 'axe-error', impact: 'critical', targets: [String(e)]}]))")
    return [v for v in violations if v["impact"] in impacts]


def axe_nodes(violations):
    return sum(len(v["targets"]) for v in violations)


def set_viewport(driver, size):
    """Make the page's viewport exactly `size` CSS pixels (headless Chromium keeps a
    window at least 500 px wide and takes its frame off the height; a phone is emulated
    as a mobile viewport)."""
    width, height = size
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    return driver
