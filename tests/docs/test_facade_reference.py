"""README's "Facade reference" table against the generated facade class, both ways.

Every public method of ``generated/twenty_standard``'s ``CompanyApi`` has one row and every row
names a method (``set_<field>`` stands for the FILES setters, checked on ``PersonApi``); each
row's parameters (names, order, where ``*`` starts the keyword-only ones), its return type and
the facade's own errors it names (``RecordNotFoundError``, ``EmptyResultError``,
``PaginationError``) match the method. A signature ending in ``...`` is a prefix (the rest is
documented elsewhere).
"""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "README.md"
MARKER = "<!-- facade-reference"
FACADE_ERRORS = ("RecordNotFoundError", "EmptyResultError", "PaginationError")


def table_rows() -> dict[str, tuple[list[str], str, set[str]]]:
    """method -> (parameters as written, return type, facade errors named)."""
    lines = README.read_text(encoding="utf-8").splitlines()
    start = next(i for i, line in enumerate(lines) if line.startswith(MARKER))
    rows: dict[str, tuple[list[str], str, set[str]]] = {}
    for line in lines[start + 3 :]:  # marker, header, separator
        if not line.startswith("|"):
            break
        cells = [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        sig, returns, raises = cells
        m = re.fullmatch(r"`(\w+|set_<field>)\((.*)\)`", sig)
        assert m, f"bad signature cell {sig!r}"
        name, params = m.groups()
        ret = re.match(r"`([^`]+)`", returns)
        assert ret, f"{name}: no return type in {returns!r}"
        assert name not in rows, f"{name}: two rows"
        rows[name] = (
            [p.strip() for p in params.split(",")] if params else [],
            ret.group(1),
            {e for e in FACADE_ERRORS if e in raises},
        )
    return rows


def _annotation(text: str) -> str:
    """A generated annotation as a user reads it: private module aliases dropped."""
    text = re.sub(r"\b_(?:runtime|t|uuid)\.", "", text)
    return re.sub(r"(?<![\w.])_([A-Z])", r"\1", text)


def _written(sig: inspect.Signature) -> list[str]:
    out: list[str] = []
    for p in sig.parameters.values():
        if p.kind is p.KEYWORD_ONLY and "*" not in out:
            out.append("*")
        out.append(("**" if p.kind is p.VAR_KEYWORD else "") + p.name)
    return out


def _errors(cls: type, name: str) -> set[str]:
    """The facade errors a method raises: named in its body, or through the helper it calls."""
    src = inspect.getsource(getattr(cls, name)) if inspect.isfunction(getattr(cls, name)) else ""
    found = {e for e in FACADE_ERRORS if e in src}
    if "page_of(" in src:
        found.add("EmptyResultError")
    if "_paginate(" in src:
        found.add("PaginationError")
    return found


@pytest.fixture(scope="module")
def facades(ts: Any) -> dict[str, Any]:
    from twenty_standard.core.objects.company import CompanyApi
    from twenty_standard.core.objects.person import PersonApi

    return {"company": CompanyApi, "person": PersonApi}


def _methods(cls: type) -> set[str]:
    return {n for n in dir(cls) if not n.startswith("_")}


def test_every_method_has_a_row_and_every_row_a_method(facades: dict[str, Any]) -> None:
    rows = set(table_rows())
    company = _methods(facades["company"])
    setters = {n for n in _methods(facades["person"]) if n.startswith("set_")}
    assert setters, "PersonApi has no FILES setter to check set_<field> against"
    assert rows - {"set_<field>"} == company, (
        f"missing rows: {sorted(company - rows)}; rows naming no method: "
        f"{sorted(rows - company - {'set_<field>'})}"
    )
    assert "set_<field>" in rows


@pytest.mark.parametrize("name", sorted(table_rows()))
def test_row_matches_the_method(facades: dict[str, Any], name: str) -> None:
    params, returns, raises = table_rows()[name]
    cls = facades["company"]
    attr = name
    if name == "set_<field>":
        cls = facades["person"]
        attr = next(n for n in sorted(_methods(cls)) if n.startswith("set_"))
    bound = getattr(cls(object()), attr)
    sig = inspect.signature(bound)
    written = _written(sig)
    if params and params[-1] == "...":
        assert written[: len(params) - 1] == params[:-1], (name, written)
    else:
        assert written == params, (name, written)
    ann = sig.return_annotation
    creator = re.fullmatch(r"_bulk\.BulkCreator\[(.*)\]", cls.__annotations__.get(attr, ""))
    if creator:  # a BulkCreator descriptor: its bound call returns BulkResult[record, input]
        ann = f"BulkResult[{creator.group(1)}]"
    assert isinstance(ann, str), name  # generated modules use postponed annotations
    expected = returns.replace("Company", cls.__name__.removesuffix("Api"))
    assert _annotation(ann) == expected, (name, ann)
    assert _errors(cls, attr) == raises, (name, _errors(cls, attr), raises)
