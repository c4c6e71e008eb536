"""The house's rules that a reader relies on (issue 25): tests are grouped by layer and
no test module imports another (shared helpers live in tests/support/, e2e's in its
helper modules), and no module grows past 300 lines without saying why."""
import ast
import os
import re

from tests.support.paths import ROOT

LAYERS = {"abuse", "bench", "chat", "cluster", "house", "protocol", "realtime", "server",
          "storage", "store", "web"}
LIMIT = 300
# An opening comment may say why a module is longer ("Past 300 lines on purpose: …",
# "A little over 300 lines: …"): a reader then knows it was a choice, and why.
REASON = re.compile(r"(over|past|longer than) 300 lines", re.I)


def python_files(folder):
    for here, dirs, files in os.walk(os.path.join(ROOT, folder)):
        dirs[:] = [d for d in dirs if d not in ("node_modules", "__pycache__")]
        yield from (os.path.join(here, f) for f in files if f.endswith(".py"))


def test_every_unit_test_is_in_a_layer_folder():
    tests = os.path.join(ROOT, "tests")
    loose = [f for f in os.listdir(tests) if f.startswith("test_") and f.endswith(".py")]
    assert loose == [], "tests/ holds only conftest.py, support/ and layer folders"
    folders = {d for d in os.listdir(tests) if os.path.isdir(os.path.join(tests, d))
               and os.path.exists(os.path.join(tests, d, "__init__.py"))}
    assert folders - {"support"} <= LAYERS, folders - {"support"} - LAYERS


def imported_modules(path):
    tree = ast.parse(open(path, encoding="utf-8").read())
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            yield node.module or "", node.level
        elif isinstance(node, ast.Import):
            yield from ((alias.name, 0) for alias in node.names)


def test_no_test_module_imports_another():
    found = []
    for folder in ("tests", "e2e"):
        for path in python_files(folder):
            for module, _level in imported_modules(path):
                if re.search(r"(^|\.)test_\w+$", module):
                    found.append(f"{os.path.relpath(path, ROOT)} imports {module}")
    assert found == []


def opening_comment(path):
    text = open(path, encoding="utf-8").read()
    if path.endswith(".py"):
        return ast.get_docstring(ast.parse(text)) or ""
    return "\n".join(re.findall(r"^\s*//(.*)$", text.split("\n\n", 1)[0], re.M)) or \
        (re.match(r"\s*/\*(.*?)\*/", text, re.S) or [None, ""])[1]


def test_no_module_over_300_lines_without_a_reason():
    long = []
    for folder, ext in (("tlightchat", ".py"), ("static/js", ".js")):
        for here, _dirs, files in os.walk(os.path.join(ROOT, folder)):
            for f in files:
                path = os.path.join(here, f)
                if not f.endswith(ext):
                    continue
                lines = sum(1 for _ in open(path, encoding="utf-8"))
                if lines > LIMIT and not REASON.search(opening_comment(path)):
                    long.append(f"{os.path.relpath(path, ROOT)}: {lines}")
    assert long == [], "say why in the opening comment ('Past 300 lines on purpose: …') or split"
