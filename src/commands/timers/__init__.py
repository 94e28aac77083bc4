"""The timers: process managers driven by time (overdue leads, three-colour deadline warnings).

The composition root (`api/container.py`) builds them with the application they issue
commands through; `api/workers/clock.py` ticks them. `Application` and the command handlers
never import them."""
