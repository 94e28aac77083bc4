"""The command-line edge, `xuncha …` (one Typer app, `main.py`): serve, the database's set-up,
read models, the relay, the timers, audits, proofs, documents and the demo. Each command opens
the database and what it builds on it for its run and closes them after (`runtime.py`)."""
