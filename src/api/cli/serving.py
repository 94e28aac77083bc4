"""`xuncha serve` and `xuncha work`: where the API and the background duties run.

- `XUNCHA_BACKGROUND=process` (default) or `--workers N` above 1: the parent supervises
  children (api/workers/supervisor.py): `xuncha work` for the background duties (unless
  `off`) and N API processes on the socket the parent bound.
- `XUNCHA_BACKGROUND=thread` with one worker: everything in one process, as threads.
- `XUNCHA_BACKGROUND=off` with one worker: the API only, in this process.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import partial
from typing import TYPE_CHECKING, Any

from xuncha.api.cli.runtime import Runtime, fail, runtime
from xuncha.api.settings import Settings

if TYPE_CHECKING:
    from xuncha.api.container import Container

log = logging.getLogger("xuncha.serve")
Step = tuple[str, Callable[[], object]]  # a name and how to stop it (api/workers/shutdown.py)
# uvicorn's exit status when the server could not start (the port taken, say).
STARTUP_FAILURE = 3
# The background process needs few connections: the clock issues its commands one by one.
BACKGROUND_POOL = 2


def _exit_on_signal(signum: int, _: Any) -> None:
    """SIGTERM/SIGINT end the process through its `finally`, which stops the embedded
    database. uvicorn shuts down on the signal and then re-raises it: with the default
    SIGTERM action the process would die there, leaving the embedded PostgreSQL running."""
    raise SystemExit(128 + signum)


def _leave_after_stopping() -> None:
    """In a `finally` that stopped everything: a signal leaves at once with its status."""
    from xuncha.api.workers.shutdown import exit_now

    stopped_by = sys.exc_info()[1]
    if isinstance(stopped_by, SystemExit) and isinstance(stopped_by.code, int):
        exit_now(stopped_by.code)


def serve(settings: Settings, host: str, port: int, workers: int, fd: int | None) -> None:
    """`xuncha serve` as the settings and options ask."""
    if settings.background == "thread" and workers > 1:
        raise fail(
            "xuncha serve: XUNCHA_BACKGROUND=thread runs everything in one process; use "
            "--workers 1, or XUNCHA_BACKGROUND=process to run several API processes"
        )
    if fd is None and (settings.background == "process" or workers > 1):
        supervise(settings, host, port, workers)
    else:
        serve_in_process(settings, host, port, fd)


@contextmanager
def _child_process(settings: Settings) -> Iterator[tuple[Runtime, list[Step]]]:
    """One process of the tree (an API process, the background process, or either alone):
    SIGTERM/SIGINT end it through the `finally` here, which stops the steps the block added,
    then the runner and the pools, then the database, and leaves with the signal's status."""
    from xuncha.api.workers.shutdown import stop_all
    from xuncha.api.workers.supervisor import watch_supervisor

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, _exit_on_signal)
    watch_supervisor()
    with runtime(settings) as rt:
        steps: list[Step] = []
        try:
            yield rt, steps
        finally:
            stop_all(
                [
                    *steps,
                    ("the runner and the pools", rt.close_opened),
                    ("the database", rt.close),
                ]
            )
            _leave_after_stopping()


def serve_in_process(settings: Settings, host: str, port: int, fd: int | None) -> None:
    """The API in this process (on the inherited socket `fd` if given), with the background
    duties as threads when `XUNCHA_BACKGROUND=thread`."""
    import uvicorn

    from xuncha.api.http.app import create_app
    from xuncha.api.workers.background import start_duties

    with _child_process(settings) as (rt, steps):
        container = rt.container
        if settings.background == "thread":
            steps.extend(start_duties(container))
        config = uvicorn.Config(
            create_app(container),
            host=host,
            port=port,
            log_level="info",
            log_config=None,  # uvicorn logs through the root logger (api/logs.py)
            access_log=False,  # each request's `request` line (api/logs.py) says more
            # SIGTERM: stop accepting, give in-flight requests the grace period, then cancel.
            timeout_graceful_shutdown=settings.shutdown_grace_seconds,
        )
        server = uvicorn.Server(config)
        server.run(sockets=None if fd is None else [socket.socket(fileno=fd)])
        if not server.started:
            raise SystemExit(STARTUP_FAILURE)


def work(settings: Settings) -> None:
    """The background duties in this process until SIGTERM or SIGINT."""
    from xuncha.api.workers.background import start_duties

    with _child_process(settings.model_copy(update={"api_threads": BACKGROUND_POOL})) as (
        rt,
        steps,
    ):
        steps.extend(start_duties(rt.container))
        steps.extend(_serve_metrics(rt.container))
        log.info("background duties started (pid %s)", os.getpid())
        while True:
            signal.pause()


def _serve_metrics(container: Container) -> list[Step]:
    """`xuncha work`'s own metrics on `XUNCHA_WORK_METRICS_PORT` (the runner's and the
    relay's histograms live in this process); the step that stops serving them. A port that
    cannot be bound is logged: the duties matter more than their metrics."""
    from prometheus_client import start_http_server

    settings = container.settings
    if not settings.work_metrics_port:
        return []
    try:
        server, _ = start_http_server(
            settings.work_metrics_port, settings.host, container.telemetry.registry
        )
    except OSError as error:
        log.error("cannot serve the metrics on port %s: %s", settings.work_metrics_port, error)
        return []
    return [("the metrics endpoint", server.shutdown)]


def _listen(host: str, port: int) -> socket.socket:
    """The listening socket every API process accepts on."""
    family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    return socket.create_server((host, port), family=family[0][0], backlog=2048)


def supervise(settings: Settings, host: str, port: int, workers: int) -> None:
    """The parent: the database (embedded if none is set), the listening socket, the
    background process and `workers` API processes; stops them in order on SIGTERM/SIGINT
    or when one of them exits (then with status 1)."""
    from xuncha.api.workers.shutdown import exit_now, stop_all
    from xuncha.api.workers.supervisor import Child, Supervisor

    stopping = threading.Event()
    received: list[int] = []

    def on_signal(signum: int, _: Any) -> None:
        received.append(signum)
        stopping.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, on_signal)
    code = 1
    api: list[Child] = []
    background: Child | None = None
    with runtime(settings.model_copy(update={"api_threads": BACKGROUND_POOL})) as rt:
        try:
            # runtime() checked the schema (migrating the embedded database); the read models'
            # tables now, once, before several processes would race to create them.
            _ = rt.container
            rt.close_opened()
            try:
                listening = _listen(host, port)
            except OSError as error:
                raise fail(f"xuncha serve: cannot listen on {host}:{port}: {error}", 1) from None
            supervisor = Supervisor(
                {
                    **os.environ,
                    "XUNCHA_DATABASE_URL": rt.conninfo,
                    "XUNCHA_BACKGROUND": "off",  # the API processes
                    "XUNCHA_WORKERS": "1",
                }
            )
            if settings.background == "process" and not stopping.is_set():
                background = supervisor.spawn("the background process", ["work"])
            fd = listening.fileno()
            for n in range(workers):
                if stopping.is_set():
                    break
                args = ["serve", "--fd", str(fd), "--host", host, "--port", str(port)]
                api.append(supervisor.spawn(f"API process {n + 1}", args, pass_fds=[fd]))
            listening.close()  # the API processes hold it; closed with the last of them
            log.info(
                "xuncha serve on %s:%s: %d API process(es), background duties: %s (pid %s)",
                host,
                port,
                len(api),
                settings.background,
                os.getpid(),
            )
            dead = supervisor.wait(stopping)
            if dead is not None:
                log.error(
                    "%s (pid %s) exited with status %s; stopping the others",
                    dead.name,
                    dead.process.pid,
                    dead.process.returncode,
                )
            elif received:
                code = 128 + received[0]
        finally:
            grace = settings.shutdown_grace_seconds + 15
            stop_all(
                [
                    *[(c.name, partial(Supervisor.stop, c, grace)) for c in api],
                    *(
                        [(background.name, partial(Supervisor.stop, background, 30))]
                        if background
                        else []
                    ),
                    ("the database", rt.close),
                ]
            )
    exit_now(code)
