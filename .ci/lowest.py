"""Print pip requirements pinning every dependency of the runtime and the given extras to the
lowest version pyproject.toml allows (``name>=X`` -> ``name==X``), for the CI step that runs
the core tests against them. Nested extras (``twenty-gql[a,b]``) are followed."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from packaging.markers import Marker

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - tomli comes with the codegen extra
    import tomli as tomllib

project = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text())["project"]
extras = project["optional-dependencies"]


def requirements(names: list[str]) -> list[str]:
    out = list(project["dependencies"])
    todo = list(names)
    while todo:
        for req in extras[todo.pop()]:
            nested = re.fullmatch(r"twenty-gql\[([\w,-]+)\]", req)
            if nested:
                todo += nested.group(1).split(",")
            else:
                out.append(req)
    return out


pins: dict[str, str] = {}
for req in requirements(sys.argv[1:]):
    spec, _, marker = req.partition(";")
    if marker and not Marker(marker.strip()).evaluate():
        continue
    m = re.fullmatch(r"\s*([A-Za-z0-9_.-]+)(?:\[[\w,]+\])?\s*>=\s*([\w.]+)\s*", spec)
    pins[m.group(1).lower() if m else spec.strip()] = f"=={m.group(2)}" if m else ""
print("\n".join(f"{name}{pin}" for name, pin in sorted(pins.items())))
