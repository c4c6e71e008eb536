"""The browser's ES module graph read a second way (import statements, token by token)."""
import os
import posixpath
import re

STATIC = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "static")


def specifiers(source, dynamic=True, on_demand=False):
    """A second reading of import statements, token by token, independent of assets.py:
    every `from '…'` / `import '…'` / `import('…')` with a relative specifier (and
    `import(/* on demand */ '…')` with on_demand)."""
    out = []
    for statement in re.split(r";|\n(?=\S)", source):
        words = statement.strip()
        if words.startswith(("import ", "import{", "import*", "export ")) and " from " in words:
            out.append(words.rsplit(" from ", 1)[1].strip().strip("'\""))
        elif re.match(r"import\s*['\"]", words):
            out.append(words[6:].strip().strip("'\""))
        if dynamic:
            out += re.findall(r"import\(\s*['\"]([^'\"]+)['\"]\s*\)", statement)
        if on_demand:
            out += re.findall(r"import\(/\* on demand \*/ ['\"]([^'\"]+)['\"]\)", statement)
    return [s for s in out if s.startswith(("./", "../"))]


def closure(entry, dynamic=True, on_demand=False):
    seen, todo = set(), [entry]
    while todo:
        path = todo.pop()
        if path in seen:
            continue
        seen.add(path)
        with open(os.path.join(STATIC, path), encoding="utf-8") as f:
            source = f.read()
        todo += [posixpath.normpath(posixpath.join(posixpath.dirname(path), s))
                 for s in specifiers(source, dynamic, on_demand)]
    return seen
