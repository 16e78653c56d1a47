"""File transfers: ``twenty_gql.files`` vs the same protocol by hand with raw aiohttp
(``python -m bench files``).

The emulator runs in a child process (``twenty-gql emulator --rate-limit off``). Each round
does, for each variant in shuffled order, one upload of a file from disk (``createFileUpload``,
PUT, ``completeFileUpload``) and one download of it back to disk:

* ``twenty_gql``: ``Files.upload(path)`` then ``Files.download(uploaded, dest)``;
* ``raw``: aiohttp POSTs of the two mutations, a PUT of the open file (aiohttp streams file
  objects), a GET written chunk by chunk (the baseline: ratio 1.00).

Figures are medians over rounds of wall time, client CPU (``time.process_time``) and their
ratios to the baseline in the same round. Nothing is asserted.
"""

from __future__ import annotations

import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiohttp

from twenty_gql import TwentyClient
from twenty_gql.files import Files
from twenty_gql.testing.process import EmulatorProcess

SIZES = (1 * 1024 * 1024, 32 * 1024 * 1024)
ROUNDS = 7

FIELD = "query { objects(paging: {first: 1000}) { edges { node { nameSingular fieldsList { id name } } } } }"
CREATE = (
    "mutation($f: String!, $s: Float!, $id: String) { createFileUpload(filename: $f, size: $s, "
    "fileFolder: FilesField, fieldMetadataId: $id) { fileId uploadUrl contentType expiresAt } }"
)
COMPLETE = (
    "mutation($id: String!) { completeFileUpload(fileId: $id) { id path size createdAt url } }"
)


async def _raw_round(
    session: aiohttp.ClientSession,
    url: str,
    key: str,
    field_id: str,
    src: Path,
    size: int,
    dest: Path,
) -> None:
    headers = {"Authorization": f"Bearer {key}"}

    async def meta(query: str, variables: dict[str, Any]) -> Any:
        async with session.post(
            url + "/metadata", json={"query": query, "variables": variables}, headers=headers
        ) as r:
            body = await r.json()
            assert "errors" not in body, body
            return body["data"]

    t = (await meta(CREATE, {"f": src.name, "s": size, "id": field_id}))["createFileUpload"]
    with src.open("rb") as f:
        async with session.put(
            t["uploadUrl"],
            data=f,
            headers={"Content-Type": t["contentType"], "Content-Length": str(size)},
        ) as r:
            assert r.status == 204, r.status
    done = (await meta(COMPLETE, {"id": t["fileId"]}))["completeFileUpload"]
    async with session.get(done["url"]) as r:
        assert r.status == 200
        with dest.open("wb") as out:
            async for chunk in r.content.iter_chunked(256 * 1024):
                out.write(chunk)


async def _bench(url: str, key: str, work: Path) -> None:
    async with (
        TwentyClient(url, key, rate_limit=None) as client,
        Files(client) as files,
        aiohttp.ClientSession() as session,
    ):
        data = await client.execute_raw(FIELD, endpoint="metadata")
        (field_id,) = [
            f["id"]
            for e in data["objects"]["edges"]
            if e["node"]["nameSingular"] == "attachment"
            for f in e["node"]["fieldsList"]
            if f["name"] == "file"
        ]
        for size in SIZES:
            src = work / f"src-{size}.bin"
            with src.open("wb") as f:
                for _ in range(max(1, size // (1 << 20))):
                    f.write(os.urandom(min(size, 1 << 20)))

            async def ours(dest: Path, src: Path = src) -> None:
                up = await files.upload(src)
                await files.download(up, dest)

            async def raw(dest: Path, src: Path = src, size: int = size) -> None:
                await _raw_round(session, url, key, field_id, src, size, dest)

            variants: dict[str, Callable[[Path], Awaitable[None]]] = {
                "raw": raw,
                "twenty_gql": ours,
            }
            for fn in variants.values():  # warm up (connections, model, schema shape)
                await fn(work / "warm.bin")
            walls: dict[str, list[float]] = {n: [] for n in variants}
            cpus: dict[str, list[float]] = {n: [] for n in variants}
            ratios: dict[str, list[float]] = {n: [] for n in variants}
            cpu_ratios: dict[str, list[float]] = {n: [] for n in variants}
            for _ in range(ROUNDS):
                order = list(variants)
                random.shuffle(order)
                wall: dict[str, float] = {}
                cpu: dict[str, float] = {}
                for name in order:
                    dest = work / f"out-{name}.bin"
                    c0, w0 = time.process_time(), time.perf_counter()
                    await variants[name](dest)
                    wall[name] = time.perf_counter() - w0
                    cpu[name] = time.process_time() - c0
                    assert dest.stat().st_size == size
                for name in variants:
                    walls[name].append(wall[name])
                    cpus[name].append(cpu[name])
                    ratios[name].append(wall[name] / wall["raw"])
                    cpu_ratios[name].append(cpu[name] / cpu["raw"])
            mib = size / 2**20
            print(f"\n{mib:.0f} MiB upload + download, median of {ROUNDS} rounds:")
            print(
                f"  {'variant':<12} {'wall s':>8} {'MiB/s':>8} {'cpu s':>8} {'wall x':>7} {'cpu x':>7}"
            )
            for name in ("raw", "twenty_gql"):
                w = statistics.median(walls[name])
                print(
                    f"  {name:<12} {w:>8.3f} {2 * mib / w:>8.1f} "
                    f"{statistics.median(cpus[name]):>8.3f} "
                    f"{statistics.median(ratios[name]):>7.2f} "
                    f"{statistics.median(cpu_ratios[name]):>7.2f}"
                )


def main() -> None:
    with (
        tempfile.TemporaryDirectory(prefix="bench-files-") as tmp,
        EmulatorProcess(["--seed", "standard", "--rate-limit", "off"]) as emu,
    ):
        asyncio.run(_bench(emu.url, emu.api_key, Path(tmp)))


if __name__ == "__main__":
    main()
