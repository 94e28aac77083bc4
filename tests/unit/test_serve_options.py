"""`xuncha serve`'s process options refused before anything starts: no database is opened."""

from __future__ import annotations

import pytest

from xuncha.api.cli.main import main


def test_thread_mode_refuses_several_workers(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XUNCHA_BACKGROUND", "thread")
    assert main(["serve", "--workers", "2"]) == 2
    assert "XUNCHA_BACKGROUND=thread runs everything in one process" in capsys.readouterr().err


def test_a_worker_count_out_of_range_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(["serve", "--workers", "0"])
    assert stopped.value.code == 2
    assert "--workers" in capsys.readouterr().err


@pytest.mark.parametrize(("name", "value"), [("XUNCHA_WORKERS", "0"), ("XUNCHA_BACKGROUND", "x")])
def test_bad_process_settings_are_configuration_errors(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], name: str, value: str
) -> None:
    monkeypatch.setenv(name, value)
    assert main(["serve"]) == 2
    assert "configuration error" in capsys.readouterr().err
