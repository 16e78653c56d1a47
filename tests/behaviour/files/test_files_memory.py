"""A 50 MB round trip (upload, attach to a company, list, download, sha256) with the client's
peak RSS growth far below the file size.

The emulator runs in a child process so the figure is the client's alone. The kernel's
high-water mark is reset first (``/proc/self/clear_refs`` = 5), so earlier tests cannot hide
a spike; ``VmHWM - VmRSS(before)`` is the peak growth during the round trip. tracemalloc's
peak (Python allocations only) is reported next to it.
"""

from __future__ import annotations

import hashlib
import os
import re
import sys
import tracemalloc
from pathlib import Path

import pytest

from twenty_gql import TwentyClient
from twenty_gql.files import Files
from twenty_gql.testing.process import EmulatorProcess

from .conftest import create

SIZE = 50 * 1024 * 1024
LIMIT = 12 * 1024 * 1024  # peak growth allowed: under a quarter of the file


def _kib(name: str) -> int:
    text = Path("/proc/self/status").read_text()
    m = re.search(rf"^{name}:\s+(\d+) kB", text, re.M)
    assert m is not None, name
    return int(m.group(1)) * 1024


def _reset_peak() -> None:
    """VmHWM := current RSS (Linux >= 4.0)."""
    with open("/proc/self/clear_refs", "w") as f:
        f.write("5")


def _sha_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


@pytest.mark.slow
@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not os.access("/proc/self/clear_refs", os.W_OK),
    reason="peak RSS is read from Linux /proc (VmHWM reset through clear_refs)",
)
async def test_50_mb_round_trip_peak_rss_growth_far_below_the_file(tmp_path: Path) -> None:
    src = tmp_path / "big.bin"
    with src.open("wb") as f:
        for _ in range(SIZE // (1 << 20)):
            f.write(os.urandom(1 << 20))
    want = _sha_file(src)
    out = tmp_path / "back.bin"
    with EmulatorProcess(["--seed", "standard", "--rate-limit", "off"]) as emu:
        async with TwentyClient(emu.url, emu.api_key, rate_limit=None) as client:
            company = await create(client, "company", {"name": "Big Files Inc"})
            async with Files(client) as files:
                await files.list("company", company)  # warm: model, schema shape, sessions
                _reset_peak()
                before = _kib("VmRSS")
                tracemalloc.start()
                try:
                    att = await files.attach("company", company, src)
                    (listed,) = await files.list("company", company)
                    written = await files.download(listed, out)
                    _, py_peak = tracemalloc.get_traced_memory()
                finally:
                    tracemalloc.stop()
                growth = _kib("VmHWM") - before
    assert listed.file_id == att.file_id and written == SIZE
    assert _sha_file(out) == want
    print(
        f"\n50 MiB round trip: peak RSS growth {growth / 2**20:.1f} MiB "
        f"({growth / SIZE:.1%} of the file), tracemalloc peak {py_peak / 2**20:.1f} MiB"
    )
    assert growth < LIMIT, f"peak RSS grew {growth / 2**20:.1f} MiB during a 50 MiB round trip"
