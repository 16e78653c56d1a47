import subprocess
import sys

from codegen.cli import main


def test_help_lists_commands(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for cmd in ("generate", "check", "emulator", "import"):
        assert cmd in out


def test_unknown_command_exits_2(capsys) -> None:  # type: ignore[no-untyped-def]
    assert main(["frobnicate"]) == 2
    assert "unknown command" in capsys.readouterr().err


def test_console_script_runs() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "codegen.cli", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0
    assert proc.stdout.startswith("twenty-gql ")


def test_a_missing_extra_is_named_with_the_install_command() -> None:
    """Each sub-command whose tool dependencies are absent (here: graphql-core, tqdm blocked)
    exits 2 with one line naming the extra, never a traceback."""
    script = (
        "import sys; sys.modules['graphql'] = None; sys.modules['tqdm'] = None\n"
        "from codegen.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    for command, extra in [
        ("generate", "codegen"),
        ("check", "codegen"),
        ("emulator", "emulator"),
        ("import", "import"),
    ]:
        proc = subprocess.run(
            [sys.executable, "-c", script, command, "--help"], capture_output=True, text=True
        )
        assert proc.returncode == 2, (command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr
        assert f"twenty-gql {command}: needs the {extra!r} extra" in proc.stderr
        assert f"pip install 'twenty-gql[{extra}]'" in proc.stderr
