"""Schema text is untrusted: names and descriptions cannot inject markup or script."""

from __future__ import annotations

import json
import re
from pathlib import Path

from .conftest import HOSTILE_TEXT, PWN, hostile_files


def test_hostile_schema_is_escaped_everywhere(tmp_path: Path) -> None:
    files = hostile_files(tmp_path)
    pages = {p: t for p, t in files.items() if p.endswith(".html")}
    assert "objects/pet.html" in pages and "objects/owner.html" in pages
    for path, html in pages.items():
        # exactly our two script elements: the JSON index and the search script
        assert html.count("<script") == 2, path
        assert html.count("</script>") == 2, path
        assert "<img" not in html and 'onerror="' not in html, path
        assert "onmouseover='" not in html and "</style></svg>" not in html, path
        assert 'href="javascript:' not in html.lower(), path
        assert f"<script>{PWN}" not in html and f'="{PWN}' not in html, path
        # the search index parses back to the very names, nothing lost or executed
        found = re.search(r'id="search-index">(.*?)</script>', html, re.S)
        assert found is not None and "<" not in found.group(1)
        json.loads(found.group(1))
    pet = pages["objects/pet.html"]
    # every description and the metadata default show as text, escaped
    escaped = "&lt;/script&gt;&lt;script&gt;window.__pwned=1&lt;/script&gt;"
    # object, field descriptions, the default value, the option's label and color
    assert pet.count(escaped) >= 6
    # the color reaches the page only as an [A-Za-z0-9_-] class name
    dots = re.findall(r'<i class="dot ([^"]*)"', pet)
    assert dots and all(re.fullmatch(r"c-[A-Za-z0-9_-]+", d) for d in dots)
    assert "{{ 7*7 }}" in pet  # inserted, never evaluated
    assert "<code>constructor</code>" in pet and '<span class="badge custom">custom</span>' in pet


def test_hostile_markdown_is_inert(tmp_path: Path) -> None:
    files = hostile_files(tmp_path)
    for path, text in files.items():
        if not path.endswith(".md"):
            continue
        body = text.replace("<br>", "")
        assert "<script" not in body and "<img" not in body, path
        assert "](javascript:" not in body, path
        # no raw table-breaking pipe or fence from schema text
        for line in body.splitlines():
            if HOSTILE_TEXT[:10] in line:
                raise AssertionError(f"raw hostile text in {path}: {line}")
    pet = files["markdown/objects/pet.md"]
    assert "&lt;/script&gt;" in pet and "\\[x\\]\\(javascript:alert\\(1\\)\\)" in pet


def test_hostile_diagram_svg_is_escaped(tmp_path: Path) -> None:
    svg = hostile_files(tmp_path)["markdown/diagram.svg"]
    assert svg.count("<svg") == 1 and "<script" not in svg
