"""`xuncha serve` with the append protocol named by the first argument (`serial`: before group
commit; `group`: the product's); the rest of the arguments go to `xuncha serve`. Started by
`support.serve_process` for the benchmarks over HTTP.

The serial protocol is patched into this process, so this process must serve the API itself:
both protocols run as one process with the background duties as threads
(`XUNCHA_BACKGROUND=thread`), the way the baselines were measured, unless the environment
sets `XUNCHA_BACKGROUND` (`process` measures the product's default; group protocol only)."""

from __future__ import annotations

import os
import sys

from serial_append import use_serial_protocol

from xuncha.api.cli.main import main

if __name__ == "__main__":
    background = os.environ.setdefault("XUNCHA_BACKGROUND", "thread")
    if sys.argv[1] == "serial":
        if background != "thread":
            sys.exit("the serial protocol serves in one process: XUNCHA_BACKGROUND=thread")
        use_serial_protocol()
    sys.exit(main(["serve", *sys.argv[2:]]))
