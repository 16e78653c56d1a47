"""Codegen benchmark: a synthetic workspace of 60 custom objects x 25 fields.

Figures (printed, never asserted), each next to a baseline measured side by side:

* generation time from an introspection JSON file (goal < 1.5 s; ariadne-codegen is reported
  at 2.7-3.7 s for this size), against graphql-core alone loading the same JSON and printing
  its SDL (the floor any generator pays);
* cold ``import NAME`` in a fresh interpreter (goal < 50 ms; ariadne-codegen's default output
  is reported at 0.8-1.5 s), against ``import msgspec, typing_extensions`` (our runtime deps);
* first use of one object: import its module, build the facade, run one call through a fake
  client that decodes a response (goal < 20 ms), against the same for a second object.

Run with ``python -m bench codegen``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

N_OBJECTS = 60
N_FIELDS = 25
REPEAT = 5
_TYPES = [
    "TEXT",
    "NUMBER",
    "BOOLEAN",
    "DATE_TIME",
    "SELECT",
    "LINKS",
    "CURRENCY",
    "EMAILS",
    "FULL_NAME",
    "PHONES",
    "DATE",
    "RAW_JSON",
    "MULTI_SELECT",
    "ADDRESS",
    "UUID",
]


def synthetic_introspection() -> dict[str, object]:
    from graphql import get_introspection_query, graphql_sync

    from twenty_gql.testing.workspace import Workspace

    ws = Workspace(seed="empty")
    # The emulator rebuilds its schema after every data-model change; for 1,500 fields that is
    # quadratic, so defer the rebuild to the end (bench-only shortcut, same final schema).
    rebuild = ws._rebuild
    ws._rebuild = lambda save=True: None  # type: ignore[method-assign]
    for i in range(N_OBJECTS):
        obj = ws.create_object(
            {
                "nameSingular": f"thing{i}",
                "namePlural": f"things{i}",
                "labelSingular": f"Thing {i}",
                "labelPlural": f"Things {i}",
            }
        )
        for j in range(N_FIELDS):
            ftype = _TYPES[j % len(_TYPES)]
            field: dict[str, object] = {
                "objectMetadataId": obj.id,
                "name": f"field{j}",
                "label": f"Field {j}",
                "type": ftype,
            }
            if ftype in ("SELECT", "MULTI_SELECT"):
                field["options"] = [
                    {"value": f"OPT_{k}", "label": f"Opt {k}", "position": k, "color": "red"}
                    for k in range(4)
                ]
            ws.create_field(field)
    ws._rebuild = rebuild  # type: ignore[method-assign]
    rebuild(save=False)
    result = graphql_sync(ws.core_schema, get_introspection_query(descriptions=True))
    assert result.errors is None, result.errors
    return {"data": result.data}


def _timeit(fn: object, repeat: int = REPEAT) -> float:
    assert callable(fn)
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def _subprocess_seconds(code: str, path: Path, repeat: int = REPEAT) -> float:
    values = []
    for _ in range(repeat):
        out = subprocess.run(
            [sys.executable, "-c", code],
            env={"PYTHONPATH": str(path)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        values.append(float(out.strip().splitlines()[-1]))
    return statistics.median(values)


_FIRST_USE = """
import json, time, msgspec, typing_extensions
import twenty_gql.client  # the runtime: loaded by any program that has a client to call with
import {pkg}
class Fake:
    batch_size = 60
    page_size_max = 200
    async def execute(self, op, variables=None, *, idempotent=None):
        return msgspec.json.decode(PAYLOAD, type=op.result_type)
PAYLOAD = json.dumps({{"{root}": {{"edges": [], "pageInfo": {{"hasNextPage": False, "hasPreviousPage": False}}, "totalCount": 0}}}}).encode()
import asyncio
loop = asyncio.new_event_loop()
{warm}
t = time.perf_counter()
api = getattr({pkg}.CoreApi(Fake()), "{attr}")
loop.run_until_complete(api.find_many(first=1))
print(time.perf_counter() - t)
"""


def main() -> None:
    from graphql import build_client_schema, print_schema

    from codegen.generate import GenerateConfig, generate, write_package

    with tempfile.TemporaryDirectory(prefix="bench-codegen-") as tmp:
        root = Path(tmp)
        t = time.perf_counter()
        payload = synthetic_introspection()
        src = root / "workspace.json"
        src.write_text(json.dumps(payload))
        print(
            f"synthetic workspace: {N_OBJECTS} objects x {N_FIELDS} fields "
            f"({src.stat().st_size / 1e6:.1f} MB introspection JSON, built in {time.perf_counter() - t:.1f}s)"
        )

        def baseline_gen() -> None:
            data = json.loads(src.read_text())
            print_schema(build_client_schema(data["data"]))

        files: dict[str, str] = {}

        def gen() -> None:
            files.update(generate(GenerateConfig(package="bench_ws", core_schema=src)))

        base = _timeit(baseline_gen)
        ours = _timeit(gen, repeat=3)
        n_lines = sum(text.count("\n") for text in files.values())
        print(
            f"generation from JSON:  {ours:6.3f} s  ({len(files)} files, {n_lines} lines; goal < 1.5 s)"
        )
        print(f"  baseline graphql-core load+print: {base:6.3f} s  -> ratio {ours / base:5.1f}x")
        write_package(files, root / "out")
        out = root / "out"

        imp = (
            "import time; t = time.perf_counter(); import bench_ws; print(time.perf_counter() - t)"
        )
        imp_base = (
            "import time; t = time.perf_counter(); import msgspec, typing_extensions; "
            "print(time.perf_counter() - t)"
        )
        ours_imp = _subprocess_seconds(imp, out)
        base_imp = _subprocess_seconds(imp_base, out)
        rt = (
            "import time, msgspec, typing_extensions; t = time.perf_counter(); "
            "import twenty_gql.client; print(time.perf_counter() - t)"
        )
        rt_imp = _subprocess_seconds(rt, out)
        print(f"cold import bench_ws:  {ours_imp * 1e3:6.1f} ms (goal < 50 ms)")
        print(
            f"  baseline import msgspec+typing_extensions: {base_imp * 1e3:6.1f} ms "
            f"-> ratio {ours_imp / base_imp:5.2f}x"
        )

        first = _FIRST_USE.format(pkg="bench_ws", root="things7", attr="things7", warm="")
        warm = "loop.run_until_complete(bench_ws.CoreApi(Fake()).things3.find_many(first=1))"
        second = _FIRST_USE.format(pkg="bench_ws", root="things7", attr="things7", warm=warm)
        first_t = _subprocess_seconds(first, out)
        second_t = _subprocess_seconds(second, out)
        print(f"(runtime: import twenty_gql.client takes {rt_imp * 1e3:6.1f} ms; excluded below)")
        print(
            f"first use of one object (import module + facade + one decoded call): "
            f"{first_t * 1e3:6.1f} ms (goal < 20 ms)"
        )
        print(
            f"  baseline, same for a second object after a first one: {second_t * 1e3:6.1f} ms "
            f"-> ratio {first_t / second_t:5.2f}x"
        )
