"""Print the README's table of workflow commands by stage, from the app's routes.

.venv/bin/python scripts/command_table.py   (tests/unit/test_readme_commands.py keeps it true)
"""

from __future__ import annotations

from fastapi.routing import APIRoute

from xuncha.api.http.app import AREAS

STAGES = [
    "reference data",
    "planning",
    "talent pool",
    "inspection groups",
    "preparation and fieldwork",
    "fieldwork records",
    "petitions and interviews",
    "inspector management",
    "findings",
    "leads",
    "report and feedback",
    "rectification",
    "follow-up",
    "results and education",
]


def command_routes() -> list[tuple[str, str, str]]:
    """(stage, summary, path) of every command endpoint."""
    found = []
    for area in AREAS:
        for router in area.routers():
            for route in router.routes:
                if isinstance(route, APIRoute) and "POST" in route.methods:
                    stage = route.tags[0] if route.tags else "other"
                    found.append((str(stage), route.summary or route.name, route.path))
    rank = {stage: n for n, stage in enumerate(STAGES)}
    return sorted(found, key=lambda row: rank.get(row[0], len(STAGES)))


def table() -> str:
    lines = ["| stage | command | endpoint |", "|---|---|---|"]
    previous = None
    for stage, summary, path in command_routes():
        lines.append(f"| {stage if stage != previous else ''} | {summary} | `POST {path}` |")
        previous = stage
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
