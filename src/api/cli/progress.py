"""Progress bars of the command line (tqdm, on stderr). Long jobs outside the CLI (a read
model's rebuild, an audit export) only report how far they are through a callback; these bars
draw it: redrawn in place on a terminal, otherwise at most once a second (logs stay short), and
always the last state when the job ends."""

from __future__ import annotations

import sys
from collections.abc import Iterator, MutableMapping
from contextlib import contextmanager
from typing import Any, TextIO

from tqdm import tqdm

# `xuncha projections rebuild NAME`: rebuild audit_trail [#####.....] 120/300 events  …
EVENTS = "{desc} [{bar:30}] {n}/{total} events  {rate_avg:,.0f} events/s  ETA {left_avg:,.0f}s"
# `xuncha audit export`: 1,200 / 4,000 rows   30.0%  2,400 rows/s
ROWS = "{n:,} / {total:,} rows  {percent:5.1f}%  {rate_avg:,.0f} rows/s"
# `xuncha demo`: [################........................] 1040 commands
COMMANDS = "[{bar:40}] {n} commands"


class Bar(tqdm):  # type: ignore[type-arg]
    """A tqdm bar whose formats also know the average rate, the time left at that rate (tqdm's
    own `rate` is unset before the second update) and the percentage done (100 of nothing)."""

    @property
    def format_dict(self) -> MutableMapping[str, Any]:
        shown = super().format_dict
        elapsed = max(float(shown["elapsed"]), 1e-9)
        rate = shown["n"] / elapsed
        shown["rate_avg"] = rate
        shown["left_avg"] = (shown["total"] - shown["n"]) / rate if rate > 0 else 0.0
        shown["percent"] = 100.0 * shown["n"] / shown["total"] if shown["total"] else 100.0
        return shown

    def reached(self, done: int) -> None:
        """`done` of the total so far; a total that grows while the job runs (events appended
        during a rebuild) grows the bar's."""
        if done > (self.total or 0):
            self.total = done
        self.update(done - self.n)


def new_bar(total: int, bar_format: str, label: str = "", out: TextIO | None = None) -> Bar:
    """A bar for `total` steps on `out` (stderr); `close()` draws its last state and ends the
    line."""
    stream = out if out is not None else sys.stderr
    tty = stream.isatty()
    return Bar(
        total=max(total, 0),
        desc=label,
        file=stream,
        bar_format=bar_format,
        ascii=".#",
        dynamic_ncols=tty,
        mininterval=0.2 if tty else 1.0,
        smoothing=0,
        leave=True,
    )


@contextmanager
def bar(total: int, bar_format: str, label: str = "", out: TextIO | None = None) -> Iterator[Bar]:
    """`new_bar`, closed when the block ends."""
    shown = new_bar(total, bar_format, label, out)
    try:
        yield shown
    finally:
        shown.close()
