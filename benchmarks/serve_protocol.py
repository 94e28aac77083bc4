"""`xuncha serve` with the append protocol named by the first argument (`serial`: before group
commit; `group`: the product's); the rest of the arguments go to `xuncha serve`. Started by
command_throughput.py for its HTTP scenarios."""

from __future__ import annotations

import sys

from serial_append import use_serial_protocol

from xuncha.api.cli.main import main

if __name__ == "__main__":
    if sys.argv[1] == "serial":
        use_serial_protocol()
    sys.exit(main(["serve", *sys.argv[2:]]))
