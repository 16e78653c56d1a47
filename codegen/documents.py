"""Printing: GraphQL documents from the selection trees of :mod:`codegen.model`.

Documents are printed on several lines, two spaces per level, leaf fields sharing lines of up to
96 characters, the way a person writes them; a record's selection is one named fragment
per module (``...CompanyFields``), printed once after the operation that spreads it. Names come
from the schema and are GraphQL names, so the text needs no escaping of its own.
"""

from __future__ import annotations

from codegen import model as m

__all__ = ["print_document", "print_fragment", "print_selection", "split_at_slot"]

_INDENT = "  "
_WIDTH = 96


def _lines(selections: tuple[m.Selection, ...], depth: int) -> list[str]:
    pad = _INDENT * depth
    out: list[str] = []
    leaves: list[str] = []  # consecutive leaf fields share lines of up to _WIDTH characters
    for sel in selections:
        if isinstance(sel, m.FieldSel) and not sel.selections:
            leaves.append(f"{sel.alias}: {sel.name}" if sel.alias else sel.name)
            continue
        out += _wrap(leaves, pad)
        leaves = []
        if isinstance(sel, m.FieldSel):
            head = f"{sel.alias}: {sel.name}" if sel.alias else sel.name
            out.append(f"{pad}{head} {{")
            out += _lines(sel.selections, depth + 1)
            out.append(pad + "}")
        elif isinstance(sel, m.InlineFragment):
            out.append(f"{pad}... on {sel.type_condition} {{")
            out += _lines(sel.selections, depth + 1)
            out.append(pad + "}")
        elif isinstance(sel, m.FragmentSpread):
            out.append(f"{pad}...{sel.name}")
        else:
            out.append(f"\0slot{depth}")  # split_at_slot cuts the text here
    return out + _wrap(leaves, pad)


def _wrap(words: list[str], pad: str) -> list[str]:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= _WIDTH:
            lines[-1] += " " + word
        else:
            lines.append(pad + word)
    return lines


def print_selection(sel: m.FieldSel, depth: int) -> str:
    """One field and its sub-selections, indented for ``depth`` (no trailing newline)."""
    return "\n".join(_lines((sel,), depth))


def print_fragment(fragment: m.Fragment) -> str:
    lines = [f"fragment {fragment.name} on {fragment.type_condition} {{"]
    lines += _lines(fragment.selections, 1)
    return "\n".join([*lines, "}", ""])


def print_document(doc: m.Document | m.RawDocument) -> str:
    """The operation's text, ending in a newline (its fragments are appended separately)."""
    if isinstance(doc, m.RawDocument):
        return doc.text
    head = f"{doc.kind} {doc.name}"
    if doc.variables:
        head += "(" + ", ".join(f"${v.name}: {v.type}" for v in doc.variables) + ")"
    call = doc.field
    if doc.variables:
        call += "(" + ", ".join(f"{v.name}: ${v.name}" for v in doc.variables) + ")"
    if not doc.selections:
        return f"{head} {{\n{_INDENT}{call}\n}}\n"
    body = _lines(doc.selections, 2)
    return "\n".join([f"{head} {{", f"{_INDENT}{call} {{", *body, _INDENT + "}", "}", ""])


def split_at_slot(doc: m.Document) -> tuple[str, str, int]:
    """(text before the slot line, text after it, depth of the slot) of an include= document."""
    text = print_document(doc)
    start = text.index("\0slot")
    end = text.index("\n", start)
    return text[:start], text[end + 1 :], int(text[start + 5 : end])
