"""The background duties: the projection runner, the Kafka relay, the clock and the checkpoint
signer. `xuncha work` runs them in a process of their own (by default a child of `xuncha
serve`, or alone on any machine); with `XUNCHA_BACKGROUND=thread` they run as threads inside
the one `xuncha serve` process.

Each duty is a follower of its own advisory lock (`LogFollower`): whatever the number of
processes and machines started against one database, one runner, one relay, one clock and
one signer are active, and the others wait as standbys, taking over within about a second
of the active one's session ending (a process killed, a machine lost).
"""

from __future__ import annotations

from collections.abc import Callable

from xuncha.api.container import Container, make_relay
from xuncha.api.workers.checkpoints import start_thread
from xuncha.api.workers.clock import ClockThread

Step = tuple[str, Callable[[], object]]


def start_duties(container: Container) -> list[Step]:
    """Start every background duty the settings ask for on `container`'s database; the steps
    that stop them, in order (closing the container then stops the runner and the pools)."""
    settings = container.settings
    if settings.run_projections:
        container.runner.start_thread()
    relay = None
    if settings.kafka_bootstrap_servers:  # without Kafka, events wait in the log
        relay = make_relay(settings, container.conninfo, container.telemetry)
        relay.start_thread()
    clock = ClockThread(container.conninfo, container.timers, settings.clock_seconds)
    if settings.clock_seconds > 0:
        clock.start()
    checkpoints = start_thread(settings, container.conninfo)
    return [
        ("the checkpoint signer", checkpoints.stop if checkpoints else lambda: None),
        ("the timers", clock.stop),
        ("the Kafka relay", relay.stop if relay else lambda: None),
    ]
