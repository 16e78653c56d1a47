"""Size and import cost of the generated standard package (``python -m bench.measure_generated``).

Prints the total line count of ``generated/twenty_standard`` and its largest module, then, each in
a fresh interpreter (median of 5, ``time.perf_counter``), the cost of ``import twenty_standard``,
of the first use of ``MetadataApi`` (``from twenty_standard import MetadataApi`` then
``MetadataApi(client).objects``) and of one core object (``CoreApi(client).companies``), with ``twenty_gql`` (the runtime) imported
beforehand.

Then the first real metadata call, ``await MetadataApi(client).objects.find_many(paging=...)``
through a ``TwentyClient``: the answer is recorded once from an emulator on 127.0.0.1 and
replayed by a ``MockTransport``, so the figure is the import and first-use cost (modules,
decoder, decoding) and not the network. Each fresh interpreter warms the client on a raw call
first, then times the first call and a second identical one; printed: first - second (the
first-use cost) and the second (what every call costs).
Nothing is asserted; the figures go in the notes.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# another generated tree (e.g. an older one, for before/after figures): ``python -m
# bench.measure_generated DIR`` with ``DIR/twenty_standard``
GEN = Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT / "generated"

_PROBE = """
import time
import twenty_gql  # the runtime is shared by every generated package: not counted
t0 = time.perf_counter()
import twenty_standard
t1 = time.perf_counter()
{use}
t2 = time.perf_counter()
print(f"{{(t1 - t0) * 1000:.2f}} {{(t2 - t1) * 1000:.2f}}")
"""
_USES = {
    "MetadataApi": "from twenty_standard import MetadataApi\nMetadataApi(object()).objects",
    "CoreApi.companies": "from twenty_standard import CoreApi\nCoreApi(object()).companies",
}


_CALL_PROBE = """
import asyncio, sys, time
from twenty_gql.client import TwentyClient
from twenty_gql.transport import MockTransport, Response

body = sys.stdin.buffer.read()
warm = b'{"data": {"__typename": "Query"}}'


def answer(request):
    return Response(200, body if request.operation_name == "Objects" else warm)


async def main():
    transport = MockTransport(answer)
    async with TwentyClient("http://127.0.0.1:9", "unit-test-key", rate_limit=None, transport=transport) as c:
        await c.execute_raw("{ __typename }", endpoint="metadata")  # the runtime's first use
        t0 = time.perf_counter()
        from twenty_standard import MetadataApi
        api = MetadataApi(c)
        await api.objects.find_many(paging={"first": 5})
        t1 = time.perf_counter()
        await api.objects.find_many(paging={"first": 5})
        t2 = time.perf_counter()
    print(f"{(t1 - t0) * 1000:.2f} {(t2 - t1) * 1000:.2f}")


asyncio.run(main())
"""


def _record_objects_answer() -> bytes:
    """The emulator's answer to the generated ``Objects`` query (first 5 objects)."""
    import asyncio

    from twenty_gql.client import TwentyClient
    from twenty_gql.testing import TwentyEmulator
    from twenty_gql.transport import AiohttpTransport, Request, Response

    sys.path.insert(0, str(GEN))
    from twenty_standard.metadata import OBJECTS_OP

    class Recording(AiohttpTransport):
        body = b""

        async def send(self, request: Request) -> Response:
            response = await super().send(request)
            Recording.body = response.body
            return response

    async def record() -> bytes:
        async with (
            TwentyEmulator("standard", rate_limit=None) as emu,
            TwentyClient(emu.url, emu.api_key, rate_limit=None, transport=Recording()) as c,
        ):
            await c.execute(OBJECTS_OP, {"paging": {"first": 5}})
        return Recording.body

    return asyncio.run(record())


def _run(use: str, probe: str = _PROBE, stdin: bytes | None = None) -> tuple[float, float]:
    env = {"PYTHONPATH": str(GEN), "PYTHONDONTWRITEBYTECODE": ""}
    out = subprocess.run(
        [sys.executable, "-c", probe.format(use=use) if stdin is None else probe],
        input=stdin.decode() if stdin is not None else None,
        capture_output=True,
        text=True,
        check=True,
        env=env,
        cwd=ROOT,
    ).stdout.split()
    return float(out[0]), float(out[1])


def main() -> None:
    files = sorted((GEN / "twenty_standard").rglob("*.py"))
    sizes = {p.relative_to(GEN): len(p.read_text(encoding="utf-8").splitlines()) for p in files}
    largest = max(sizes, key=lambda p: sizes[p])
    print(f"generated/twenty_standard: {len(files)} modules, {sum(sizes.values())} lines")
    print(f"largest module: {largest} ({sizes[largest]} lines)")
    for name, use in _USES.items():
        _run(use)  # warm the bytecode cache
        runs = [_run(use) for _ in range(5)]
        imp = statistics.median(r[0] for r in runs)
        first = statistics.median(r[1] for r in runs)
        print(f"import twenty_standard {imp:6.2f} ms; first use of {name}: {first:6.2f} ms")
    body = _record_objects_answer()
    _run("", _CALL_PROBE, body)
    runs = [_run("", _CALL_PROBE, body) for _ in range(5)]
    first = statistics.median(r[0] - r[1] for r in runs)
    again = statistics.median(r[1] for r in runs)
    print(
        f"first MetadataApi(client).objects.find_many(): {first:6.2f} ms over a warm call "
        f"({again:.2f} ms, replayed answer of {len(body)} bytes)"
    )


if __name__ == "__main__":
    main()
