"""The only ways schema text reaches generated source: literals, docstrings, comments.

Schema names and descriptions are untrusted. Each function here returns text that, placed in
its slot, is inert: it cannot end the literal/docstring/comment it sits in, cannot start a new
line of code, and contains no control characters (NUL included). Template syntax such as
``{{ }}``/``{% %}`` is harmless because templates only *insert* these values; Jinja never
re-evaluates inserted text.
"""

from __future__ import annotations

import re

__all__ = ["comment_text", "docstring_body", "py_block", "py_str"]


def _escape_char(ch: str) -> str:
    code = ord(ch)
    if code < 0x100:
        return f"\\x{code:02x}"
    if code < 0x10000:
        return f"\\u{code:04x}"
    return f"\\U{code:08x}"


_PLAIN = re.compile(r"[ !#-\[\]-~]*\Z")  # printable ASCII without quote or backslash


def py_str(value: str) -> str:
    """A double-quoted Python string literal equal to ``value`` (ruff-format stable)."""
    if _PLAIN.match(value):
        return f'"{value}"'
    out = ['"']
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif not ch.isprintable() or ch in "\u2028\u2029":
            out.append(_escape_char(ch))
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


_BLOCK = re.compile(r"[\n !#-\[\]-~]*\Z")  # printable ASCII lines without quote or backslash


def py_block(value: str) -> str:
    """A Python literal equal to ``value``: a triple-quoted block for multi-line text made only of
    printable ASCII without quotes or backslashes (GraphQL documents), else :func:`py_str`."""
    if "\n" not in value or not _BLOCK.match(value):
        return py_str(value)
    return '"""\\\n' + value + '"""'


def _inert_line(line: str) -> str:
    out = []
    for ch in line:
        if ch == "\\":
            out.append("\\\\")
        elif ch == '"':
            out.append('\\"')
        elif ch == "\t":
            out.append("    ")
        elif not ch.isprintable() or ch in "\u2028\u2029":
            out.append(_escape_char(ch))
        else:
            out.append(ch)
    return "".join(out).rstrip()


def docstring_body(text: str, indent: str) -> str:
    """The inside of a ``\"\"\"...\"\"\"`` docstring for ``text`` at ``indent`` ("" if none).

    Quotes and backslashes are escaped, control characters become escapes, lines are
    stripped of trailing blanks and dedented, so ruff format leaves the result unchanged.
    """
    lines = [_inert_line(raw) for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    while lines and not lines[0].strip():
        lines.pop(0)
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return ""
    lines[0] = lines[0].lstrip()
    rest = lines[1:]
    margin = min((len(ln) - len(ln.lstrip()) for ln in rest if ln.strip()), default=0)
    rest = [ln[margin:] if ln.strip() else "" for ln in rest]
    # collapse runs of blank lines
    body: list[str] = [lines[0]]
    for ln in rest:
        if ln == "" and body[-1] == "":
            continue
        body.append(ln)
    if len(body) == 1:
        return body[0] + (" " if body[0].endswith('"') else "")
    return "\n".join([body[0]] + [f"{indent}{ln}" if ln else "" for ln in body[1:]] + [indent])


def comment_text(text: str) -> str:
    """One line of comment text (no newline can escape the ``#``)."""
    flat = " ".join(text.replace("\r", " ").replace("\n", " ").split())
    return _inert_line(flat)
