"""`xuncha serve` as the parent of its processes: the background process (`xuncha work`) and
N API processes sharing one listening socket, which the parent binds and hands down.

The parent owns the embedded PostgreSQL when there is one and passes its URL to the children.
Each child runs in a process group of its own, so a Ctrl-C at the terminal reaches the parent
only, and the parent stops the children in order: the API processes first (they finish the
requests in flight), then the background process, then the embedded PostgreSQL. A child that
exits while the parent did not ask it to is logged, the others are stopped the same way and
the parent exits with status 1: the process manager (systemd, a container runtime) restarts
the whole tree, and meanwhile a standby on another machine takes over the duties.

A child watches its parent: if the parent disappears without stopping it (SIGKILL, a crash),
the child stops itself as if it had received SIGTERM, so no child outlives its tree and
keeps holding an advisory lock.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass

log = logging.getLogger("xuncha.supervisor")
# Set in each child's environment: the parent's pid, which the child watches.
SUPERVISOR_ENV = "XUNCHA_SUPERVISOR_PID"
WATCH_SECONDS = 0.5


@dataclass
class Child:
    name: str
    process: subprocess.Popen[bytes]


class Supervisor:
    """Starts `xuncha` subcommands as children with `env`; waits; stops them."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = {**env, SUPERVISOR_ENV: str(os.getpid())}
        self.children: list[Child] = []

    def spawn(self, name: str, args: Sequence[str], pass_fds: Sequence[int] = ()) -> Child:
        process = subprocess.Popen(
            [sys.executable, "-m", "xuncha.api.cli", *args],
            env=self.env,
            pass_fds=tuple(pass_fds),
            process_group=0,  # terminal signals reach the parent, which stops us in order
        )
        child = Child(name, process)
        self.children.append(child)
        log.info("started %s (pid %s)", name, process.pid)
        return child

    def wait(self, stopping: threading.Event, every: float = 0.2) -> Child | None:
        """Until `stopping` is set (None) or a child has exited (that child)."""
        while not stopping.wait(every):
            for child in self.children:
                if child.process.poll() is not None:
                    return child
        return None

    @staticmethod
    def stop(child: Child, timeout: float) -> None:
        """SIGTERM, then SIGKILL if it has not exited within `timeout` seconds."""
        process = child.process
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                log.error("%s (pid %s) did not stop in %.0f s; killing it", child.name,
                          process.pid, timeout)  # fmt: skip
                process.kill()
                process.wait()
        log.info("%s (pid %s) exited with status %s", child.name, process.pid, process.returncode)


def watch_supervisor() -> None:
    """In a child of `xuncha serve`: SIGTERM to itself once the parent is gone."""
    text = os.environ.get(SUPERVISOR_ENV)
    if not text or not text.isdigit():
        return
    parent = int(text)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(WATCH_SECONDS)
        log.error("the parent xuncha serve (pid %s) is gone; stopping", parent)
        os.kill(os.getpid(), signal.SIGTERM)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()
