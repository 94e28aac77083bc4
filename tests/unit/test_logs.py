"""The log configuration: JSON lines off a terminal, console text on one, stdlib loggers
through the same processors, bound context on every line."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import structlog

from xuncha.api import logs
from xuncha.api.cli import main as cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.fixture(autouse=True)
def restore_logging() -> Iterator[None]:
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    yield
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    for handler in handlers:
        root.addHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()
    logging.captureWarnings(False)
    structlog.contextvars.clear_contextvars()


def test_a_stdlib_logger_writes_one_json_object_a_line() -> None:
    stream = io.StringIO()
    logs.configure("json", stream, force=True)
    structlog.contextvars.bind_contextvars(correlation_id="c-1")
    logging.getLogger("xuncha.projections.runner").warning("parked %s at %d", "dashboard", 42)
    (line,) = stream.getvalue().splitlines()
    record = json.loads(line)
    assert record["event"] == "parked dashboard at 42"
    assert (record["level"], record["logger"]) == ("warning", "xuncha.projections.runner")
    assert record["correlation_id"] == "c-1"
    stamp = datetime.fromisoformat(record["timestamp"])
    assert stamp.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - stamp) < timedelta(minutes=1)


def test_extra_fields_chinese_text_and_exceptions_are_json_fields() -> None:
    stream = io.StringIO()
    logs.configure("json", stream, force=True)
    try:
        raise ValueError("坏了")
    except ValueError:
        logging.getLogger("xuncha.api.http.errors").exception("失败", extra={"incident": "abc123"})
    record = json.loads(stream.getvalue())
    assert (record["event"], record["incident"]) == ("失败", "abc123")
    assert "ValueError: 坏了" in record["exception"]
    assert "失败" in stream.getvalue()  # not escaped


def test_structlog_loggers_share_the_output() -> None:
    stream = io.StringIO()
    logs.configure("json", stream, force=True)
    structlog.get_logger("xuncha.api.custom").info("hello", count=3)
    record = json.loads(stream.getvalue())
    assert (record["event"], record["count"], record["logger"]) == ("hello", 3, "xuncha.api.custom")


def test_debug_lines_are_dropped_at_info_level() -> None:
    stream = io.StringIO()
    logs.configure("json", stream, force=True)
    logging.getLogger("x").debug("quiet")
    assert stream.getvalue() == ""


def test_auto_is_console_on_a_terminal_and_json_elsewhere() -> None:
    terminal, pipe = Terminal(), io.StringIO()
    logs.configure("auto", terminal, force=True)
    logging.getLogger("x").info("on a terminal")
    assert "on a terminal" in terminal.getvalue()
    with pytest.raises(json.JSONDecodeError):
        json.loads(terminal.getvalue())
    logs.configure("auto", pipe, force=True)
    logging.getLogger("x").info("in a pipe")
    assert json.loads(pipe.getvalue())["event"] == "in a pipe"


def test_console_can_be_forced_off_a_terminal() -> None:
    stream = io.StringIO()
    logs.configure("console", stream, force=True)
    logging.getLogger("x").info("plain")
    assert "plain" in stream.getvalue()
    assert not stream.getvalue().startswith("{")


def test_an_unknown_log_format_is_a_configuration_error(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("XUNCHA_LOG_FORMAT", "xml")
    assert cli.main(["events", "list"]) == 2
    assert "log_format" in capsys.readouterr().err


def test_a_host_that_has_configured_logging_keeps_it_unless_forced() -> None:
    root = logging.getLogger()
    for handler in root.handlers[:]:
        root.removeHandler(handler)
    theirs = logging.StreamHandler(io.StringIO())
    root.addHandler(theirs)
    logs.configure("json", io.StringIO())
    assert root.handlers == [theirs]
    logs.configure("json", io.StringIO(), force=True)
    assert theirs not in root.handlers
    assert len(root.handlers) == 1


def test_console_tracebacks_show_no_local_variables() -> None:
    stream = io.StringIO()
    logs.configure("console", stream, force=True)
    secret = "s3cret-" + "k" * 20
    try:
        raise ValueError("bad " + secret[:3])
    except ValueError:
        logging.getLogger("x").exception("failed")
    assert "ValueError: bad s3c" in stream.getvalue()
    assert secret not in stream.getvalue()
