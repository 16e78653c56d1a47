"""The browser tests skip locally without Chromium, and fail in CI (``CI=true``)."""

from __future__ import annotations

from pathlib import Path

import pytest

from . import conftest


def test_missing_chromium_fails_in_ci_and_skips_locally(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(conftest, "CHROMIUM", tmp_path / "no-chromium")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="no-chromium"):
        conftest.require_browser()
    monkeypatch.delenv("CI")
    with pytest.raises(pytest.skip.Exception, match="apt-get install chromium"):
        conftest.require_browser()
