"""The site in a real browser: Debian's headless Chromium driven by Playwright, from file://.

Skipped locally when Chromium or Playwright is missing; in CI (``CI=true``) that is a failure
(``.ci/run`` installs chromium). The company page's screenshot goes to ``artifacts/docs-site/``
(or ``$TWENTY_GQL_ARTIFACTS/docs-site``), which CI keeps.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .conftest import CHROMIUM, CHROMIUM_ARGS, artifacts_dir, hostile_files, require_browser, write


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    require_browser()
    from playwright.sync_api import sync_playwright

    profile = tmp_path_factory.mktemp("chromium-profile")  # a new, empty user-data-dir
    with sync_playwright() as pw:
        ctx = pw.chromium.launch_persistent_context(
            str(profile),
            executable_path=str(CHROMIUM),
            args=CHROMIUM_ARGS,
            headless=True,
            viewport={"width": 1400, "height": 1000},
        )
        # nothing leaves the machine: any request that is not file:// fails the test
        escaped: list[str] = []

        def route(r: Any) -> None:
            if r.request.url.startswith("file://"):
                r.continue_()
            else:
                escaped.append(r.request.url)
                r.abort()

        ctx.route("**/*", route)
        try:
            yield ctx
        finally:
            ctx.close()
        assert escaped == []


def _open(ctx: Any, path: Path) -> tuple[Any, list[str], list[str]]:
    page = ctx.new_page()
    errors: list[str] = []
    dialogs: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: errors.append(str(e)))

    def dialog(d: Any) -> None:
        dialogs.append(d.message)
        d.dismiss()

    page.on("dialog", dialog)
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    return page, errors, dialogs


def test_standard_site_in_chromium(
    browser: Any, standard_site: dict[str, str], tmp_path: Path
) -> None:
    root = write(standard_site, tmp_path / "site")
    page, errors, _ = _open(browser, root / "index.html")
    svg = page.locator("svg.diagram").first
    assert svg.is_visible()
    box = svg.bounding_box()
    assert box is not None and box["width"] > 300 and box["height"] > 300
    assert page.locator("svg.diagram a.node").count() == 29

    # the search finds a field by name and its link opens the field's row
    page.fill("#search", "annualRecurring")
    hit = page.locator("#search-results a", has_text="Company.annualRecurringRevenue")
    hit.first.wait_for(state="visible", timeout=5000)
    # the detail the script rebuilt from the compact index: the field's Python type
    kind = page.locator("#search-results li", has_text="Company.annualRecurringRevenue")
    assert "field · Currency | None" in kind.first.inner_text()
    hit.first.click()
    page.wait_for_url("**/objects/company.html#f-annualRecurringRevenue")
    assert page.locator("#f-annualRecurringRevenue").is_visible()
    page.evaluate("window.scrollTo(0, 0)")
    shot = artifacts_dir() / "company-page.png"
    page.screenshot(path=str(shot))
    assert shot.stat().st_size > 10_000

    # the search works from an object page too (relative links from objects/)
    page.fill("#search", "find_many")
    page.locator("#search-results a", has_text="crm.people.find_many").first.click()
    page.wait_for_url("**/objects/person.html#m-find_many")
    # every kind of entry links to its anchor: a filter, a metadata function
    page.fill("#search", "StringFilter")
    page.locator("#search-results a", has_text="StringFilter").first.click()
    page.wait_for_url("**/filters.html#StringFilter")
    page.fill("#search", "create_one_field")
    page.locator("#search-results a", has_text="create_one_field").first.click()
    page.wait_for_url("**/metadata.html#op-create_one_field")
    assert page.locator("#op-create_one_field").is_visible()
    assert errors == []


def test_hostile_site_runs_no_injected_script(browser: Any, tmp_path: Path) -> None:
    root = write(hostile_files(tmp_path), tmp_path / "hostile")
    pages = sorted(p for p in root.rglob("*.html"))
    assert len(pages) >= 7
    for path in pages:
        page, errors, dialogs = _open(browser, path)
        page.fill("#search", "script")  # search results built from hostile names
        page.fill("#search", "constructor")
        page.hover("main")
        assert page.evaluate("typeof window.__pwned") == "undefined", path
        assert dialogs == [], path
        assert errors == [], (path, errors)
        # our own script did run: the search answered
        assert page.locator("#search-results li").count() >= 1
        page.close()
