import ast

import pytest

from codegen.text import comment_text, docstring_body, py_str

HOSTILE = [
    'x"""; import os; os.system("echo pwned")  #',
    "back\\slash\\",
    "{{ 7*7 }} {% if true %}yes{% endif %}",
    "nul\x00byte and bell\x07",
    "line1\nline2\r\nline3\rline4",
    "non-ascii: café — 日本語 \u2028 sep",
    '"',
    "\\",
    "'''",
]


@pytest.mark.parametrize("text", HOSTILE)
def test_py_str_round_trips(text: str) -> None:
    literal = py_str(text)
    assert ast.literal_eval(literal) == text
    assert "\n" not in literal and "\x00" not in literal


@pytest.mark.parametrize("text", HOSTILE)
def test_docstring_is_inert(text: str) -> None:
    src = f'def f() -> None:\n    """{docstring_body(text, "    ")}"""\n'
    tree = ast.parse(src)
    func = tree.body[0]
    assert isinstance(func, ast.FunctionDef)
    assert len(func.body) == 1  # only the docstring: nothing injected
    assert ast.get_docstring(func, clean=False) is not None
    assert "\x00" not in src


@pytest.mark.parametrize("text", HOSTILE)
def test_comment_stays_on_one_line(text: str) -> None:
    src = f"# {comment_text(text)}\nx = 1\n"
    tree = ast.parse(src)
    assert len(tree.body) == 1
    assert len(src.splitlines()) == 2
