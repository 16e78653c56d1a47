"""Property-based codegen security: adversarial schemas in, inert typed packages out.

Hypothesis draws Twenty-shaped schemas whose names and descriptions are hostile (keywords,
builtins, our own import/template names, look-alikes, ``\"\"\"``, backslashes, Jinja delimiters,
payloads that try to start a new line of code, 200+ character names, snake_case collisions; see
``adversarial_schemas.py``). Each one goes through ``twenty-gql generate`` from files; every
package must be deterministic, parse and compile, keep schema text out of code positions, import
only allow-listed modules, call only allow-listed builtins, send documents that validate against
the schema, import cleanly, and pass ``mypy --strict`` (one mypy process for all packages).

CI runs :data:`CI_EXAMPLES` schemas with a fixed seed (``derandomize``, no example database);
``python -m bench.fuzz_codegen`` runs the long version and prints the figures.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from . import adversarial_schemas as adv
from .adversarial_schemas import FuzzRun, fuzz

CI_EXAMPLES = 25


@pytest.fixture(scope="module")
def fuzz_run(tmp_path_factory: pytest.TempPathFactory) -> FuzzRun:
    root = tmp_path_factory.mktemp("adversarial")
    return fuzz(FuzzRun(pkgs_dir=root / "pkgs"), root / "work", CI_EXAMPLES)


def test_adversarial_schemas_generate_inert_packages(fuzz_run: FuzzRun) -> None:
    # every example generated, was deterministic and passed the static checks (or fuzz() raised)
    assert fuzz_run.tried >= CI_EXAMPLES
    assert len(fuzz_run.packages) == fuzz_run.tried
    assert fuzz_run.stats.modules >= 10 * fuzz_run.tried
    assert fuzz_run.stats.documents > 0
    print(
        f"\ncodegen adversarial: {fuzz_run.tried} schemas tried, {len(fuzz_run.packages)} "
        f"packages generated, {fuzz_run.stats.modules} modules parsed, "
        f"{fuzz_run.stats.documents} documents validated, "
        f"{fuzz_run.stats.identifiers} identifiers checked ({fuzz_run.seconds:.1f}s)"
    )


def test_adversarial_packages_import(fuzz_run: FuzzRun, tmp_path: Path) -> None:
    report = adv.import_packages(fuzz_run.pkgs_dir, fuzz_run.packages, tmp_path)
    assert sorted(report) == sorted(fuzz_run.packages)
    assert all(n >= 10 for n in report.values()), report
    print(f"\ncodegen adversarial: {len(report)} packages imported, {sum(report.values())} modules")


@pytest.mark.slow
def test_adversarial_packages_pass_mypy_strict(fuzz_run: FuzzRun) -> None:
    proc = adv.run_mypy(fuzz_run.pkgs_dir, fuzz_run.packages)
    assert proc.returncode == 0, proc.stdout[-6000:] + proc.stderr[-2000:]
    assert "Success" in proc.stdout
    print(f"\ncodegen adversarial: mypy --strict over {len(fuzz_run.packages)} packages: ok")


def _fixed_spec() -> adv.SchemaSpec:
    rec = adv.RecordSpec(
        name="Company",
        plural="companies",
        singular="company",
        description=adv.PAYLOADS[0],
        fields=[adv.FieldSpec("name", "String", adv.PAYLOADS[5])],
        enum_values=[("A", None)],
        enum_suffix="Enum",
        extra_args=[],
    )
    return adv.SchemaSpec(records=[rec], extra_roots=[], meta_types=[], fmt="sdl")


@pytest.fixture(scope="module")
def fixed_gen(tmp_path_factory: pytest.TempPathFactory) -> adv.Generated:
    root = tmp_path_factory.mktemp("fixed")
    gen = adv.generate_into(_fixed_spec(), root / "w", "fixed", out=root / "pkgs")
    adv.check_sources(gen, adv.SourceStats())  # the untouched package passes
    return gen


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (lambda t: t + "\nPWNED()\n", "schema text as code"),
        (lambda t: t + "\nimport os\n", "imports 'os'"),
        (lambda t: t + "\nx = eval('1')\n", "calls builtin eval"),
        (lambda t: t + "\nsneaky_helper = 1\n", "neither generator vocabulary nor derived"),
        (lambda t: t.replace("\n  companies(", "\n  nope companies(", 1), "does not validate"),
        (
            lambda t: t.replace("...CompanyFields", "...NoSuchFields", 1),
            "does not validate",
        ),
        (lambda t: t + "\ndef f(a, a): pass\n", "duplicate argument"),
    ],
)
def test_the_checks_catch_what_they_claim_to(
    fixed_gen: adv.Generated, tamper: object, message: str
) -> None:
    """The oracle is not vacuous: each kind of injected code makes check_sources fail."""
    rel = "fixed/core/objects/company.py"
    assert callable(tamper)
    gen = replace(fixed_gen, files={**fixed_gen.files, rel: tamper(fixed_gen.files[rel])})
    with pytest.raises((AssertionError, SyntaxError), match=message):
        adv.check_sources(gen, adv.SourceStats())
