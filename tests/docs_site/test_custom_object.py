"""Behaviour: a custom object created through the metadata API of a running emulator appears
in the regenerated site (marked custom: the emulator's metadata schema, like Twenty's newest,
has no ``isCustom``, so the standard-object list decides; defaults come from the live
metadata API), and ``check``
prints the data-model changelog for it."""

from __future__ import annotations

import asyncio
from pathlib import Path

import aiohttp
import pytest

from codegen import check_cli, docs_cli
from twenty_gql.testing.emulator import TwentyEmulator

from .conftest import STANDARD

CREATE = """
mutation { createOneObject(input: {object: {nameSingular: "pet", namePlural: "pets",
  labelSingular: "Pet", labelPlural: "Pets", description: "A <b>pet</b> & friend"}}) {
  id nameSingular } }
"""


async def test_custom_object_shows_in_regenerated_site_and_check_changelog(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    async with TwentyEmulator(seed="standard", rate_limit=None) as emu:
        live = ["--url", emu.url, "--api-key", emu.api_key]
        out = tmp_path / "site"
        docs = [*live, "--package", "twenty_standard", "--out", str(out), "--since", str(STANDARD)]
        headers = {"Authorization": f"Bearer {emu.api_key}"}
        async with (
            aiohttp.ClientSession() as session,
            session.post(f"{emu.url}/metadata", json={"query": CREATE}, headers=headers) as resp,
        ):
            body = await resp.json()
        assert body["data"]["createOneObject"]["nameSingular"] == "pet", body

        capsys.readouterr()
        assert await asyncio.to_thread(docs_cli.main, docs) == 0
        pet = (out / "objects" / "pet.html").read_text("utf-8")
        assert '<h1>Pet <span class="badge custom">custom</span></h1>' in pet
        assert "A &lt;b&gt;pet&lt;/b&gt; &amp; friend" in pet
        assert "<code>crm.pets</code>" in pet and 'id="m-find_many"' in pet
        # the new object's default fields, with their metadata (name: TEXT, id unique)
        assert '<tr id="f-name">' in pet and '<tr id="f-createdAt">' in pet
        index = (out / "index.html").read_text("utf-8")
        assert "(1 custom)" in index and 'href="objects/pet.html"' in index
        assert "from the workspace&#39;s metadata API (defaultValue, isUnique)" in index
        changelog = (out / "changelog.html").read_text("utf-8")
        assert '<tr class="op-added"><td>+</td><td><a href="objects/pet.html">Pet</a>' in changelog
        assert (out / "markdown" / "objects" / "pet.md").is_file()
        # SELECT options with the labels and colors the live metadata API lists
        opportunity = (out / "objects" / "opportunity.html").read_text("utf-8")
        assert '<i class="dot c-red" title="red"></i><code>NEW</code> New</span>' in opportunity
        assert "option labels and colors from the workspace&#39;s metadata API" in opportunity
        assert all(emu.api_key not in p.read_text("utf-8") for p in out.rglob("*.*"))

        capsys.readouterr()
        check = [*live, "--package", str(STANDARD)]
        assert await asyncio.to_thread(check_cli.main, check) == 1
        printed = capsys.readouterr().out
        assert "data-model changelog since the bindings were generated" in printed
        assert "  + Pet (object added)" in printed
        assert "  + Pet.name: String" in printed
