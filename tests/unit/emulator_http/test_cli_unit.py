"""CLI argument parsing (in process) and the dispatcher hook."""

from __future__ import annotations

import pytest

from twenty_gql.testing.cli import build_parser, main


def test_defaults_match_the_issue() -> None:
    args = build_parser().parse_args([])
    assert (args.host, args.port, args.batch_limit, args.page_max) == ("127.0.0.1", 0, 60, 200)
    assert args.rate_limit == ((100, 1000), (100, 60000))
    assert (args.latency_ms, args.fault_rate, args.drop_rate, args.drop_after_apply) == (
        0.0,
        0.0,
        0.0,
        False,
    )
    args = build_parser().parse_args(["--rate-limit", "off", "--drop-after-apply"])
    assert args.rate_limit is None and args.drop_after_apply is True


def test_non_loopback_refused_with_reason(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        main(["--host", "10.1.2.3"])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert "no TLS" in err and "--allow-remote" in err


def test_dispatched_by_the_top_level_cli(capsys: pytest.CaptureFixture[str]) -> None:
    from codegen.cli import main as top

    with pytest.raises(SystemExit) as exc:
        top(["emulator", "--help"])
    assert exc.value.code == 0
    assert "--drop-after-apply" in capsys.readouterr().out
