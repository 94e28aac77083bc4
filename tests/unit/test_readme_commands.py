"""The README lists every command endpoint, and nothing that is not one."""

from __future__ import annotations

import re
from pathlib import Path

from scripts.command_table import command_routes

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_table_lists_exactly_the_command_endpoints() -> None:
    section = README.read_text().split("## Workflow commands by stage", 1)[1].split("\n## ", 1)[0]
    listed = set(re.findall(r"`POST ([^`]+)`", section))
    assert listed == {path for _, _, path in command_routes()}
