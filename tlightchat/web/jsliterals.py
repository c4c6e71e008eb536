"""The literals of a script — strings, template pieces, regular expressions — in order:
what a minifier must leave exactly as written (precompressed.py sends a minified script
only when its literals are those of the source).

rjsmin 1.3.0 reads a template literal nested in another's `${…}` as code and squeezes
its spaces (`${`a  b`}` became `${`a b`}`: "Connected· websocket" on the status line,
"Firefox,tab 2" in the lobby; found by a review). A scanner of the few token kinds that
decide where a literal starts is enough to see that: strings, templates with their
`${…}` nesting, comments, and a `/` that starts a regular expression (after an operator,
a keyword or an opening bracket) rather than a division (after a name, a number or a
closing bracket). Anything it cannot follow raises ValueError, and the caller keeps the
source.
"""
import re

# after these words a `/` starts a regular expression, as after an operator
_KEYWORDS = frozenset({"return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
                       "throw", "case", "do", "else", "yield", "await", "export", "default"})
_NAME = re.compile(r"[A-Za-z_$\u0080-\uffff][\w$\u0080-\uffff]*")
_NUMBER = re.compile(r"\d[\w.]*")
_FLAGS = re.compile(r"[a-z]*")


def literals(src):
    """[(kind, text)] of every literal in `src`: 'S' string, 'T' a template's piece
    (between its backticks and `${…}`s), 'R' a regular expression with its flags."""
    out, stack = [], []  # stack: the brace depth at which each open `${` closes
    depth, i, n = 0, 0, len(src)
    operand = False  # the last token ends an operand: a `/` after it divides

    def template(i):  # after a backtick or a `}` closing `${`: (next index, `${` opened)
        start = i
        while i < n:
            c = src[i]
            if c == "\\":
                i += 2
            elif c == "`":
                out.append(("T", src[start:i]))
                return i + 1, False
            elif c == "$" and src.startswith("{", i + 1):
                out.append(("T", src[start:i]))
                return i + 2, True
            else:
                i += 1
        raise ValueError("a template literal runs to the end")

    while i < n:
        c = src[i]
        if c in " \t\r\n":
            i += 1
        elif src.startswith("//", i):
            j = src.find("\n", i)
            i = n if j < 0 else j
        elif src.startswith("/*", i):
            j = src.find("*/", i + 2)
            if j < 0:
                raise ValueError("a comment runs to the end")
            i = j + 2
        elif c in "\"'":
            j = i + 1
            while j < n and src[j] != c:
                if src[j] == "\n":
                    raise ValueError("a newline in a string")
                j += 2 if src[j] == "\\" else 1
            if j >= n:
                raise ValueError("a string runs to the end")
            out.append(("S", src[i:j + 1]))
            i, operand = j + 1, True
        elif c == "`" or (c == "}" and stack and stack[-1] == depth):
            if c == "}":
                stack.pop()
            i, opened = template(i + 1)
            if opened:
                stack.append(depth)
            operand = not opened
        elif c == "{":
            depth, i, operand = depth + 1, i + 1, False
        elif c == "}":
            depth, i, operand = depth - 1, i + 1, True
        elif c == "/" and not operand:
            j, in_class = i + 1, False
            while True:
                if j >= n or src[j] == "\n":
                    raise ValueError("a regular expression runs past its line")
                d = src[j]
                if d == "\\":
                    j += 2
                    continue
                if d == "[":
                    in_class = True
                elif d == "]":
                    in_class = False
                elif d == "/" and not in_class:
                    break
                j += 1
            end = _FLAGS.match(src, j + 1).end()
            out.append(("R", src[i:end]))
            i, operand = end, True
        else:
            m = _NAME.match(src, i) or _NUMBER.match(src, i)
            if m:
                i, operand = m.end(), m.group() not in _KEYWORDS
            else:
                i, operand = i + 1, c in ")]"
    if stack:
        raise ValueError("a template's ${ is not closed")
    return out


def same_literals(source, minified):
    """Whether `minified` keeps every literal of `source` as written (False when either
    cannot be followed)."""
    try:
        return literals(source) == literals(minified)
    except ValueError:
        return False
