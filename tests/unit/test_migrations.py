"""The numbered migrations as shipped: numbered without gaps, the append function's migration
equal to its rendering by the code, and the baseline covering every owned table."""

from __future__ import annotations

import re
from pathlib import Path

from xuncha.commands.eventstore import migrate
from xuncha.commands.eventstore.store import APPEND_FUNCTION, append_function_statements

FOLDER = Path(__file__).resolve().parents[2] / "src/commands/eventstore/migrations"


def _sql(text: str) -> str:
    """The text without its comment lines."""
    return "\n".join(line for line in text.splitlines() if not line.startswith("--")).strip()


def test_the_migrations_are_numbered_from_one_without_gaps() -> None:
    shipped = migrate.migrations()
    assert [m.version for m in shipped] == list(range(1, len(shipped) + 1))
    assert [m.file_name for m in shipped] == sorted(p.name for p in FOLDER.glob("*.sql"))
    assert shipped[0].name == "baseline"


def test_the_append_function_migration_is_the_codes_rendering() -> None:
    """The newest migration that (re)creates the append function holds exactly what
    `append_function_statements("public")` renders: the function cannot drift from the code
    that calls it. A change to the function is a new migration with the new rendering."""
    rendered = ";\n".join(s.as_string() for s in append_function_statements("public")) + ";"
    marker = f'FUNCTION "public"."{APPEND_FUNCTION}"('
    defining = [m for m in migrate.migrations() if marker in m.sql]
    assert defining, "no migration creates the append function"
    assert _sql(defining[-1].sql) == rendered


def test_the_baseline_creates_every_owned_table() -> None:
    from xuncha.commands.eventstore import integrity, log_verifications, subject_keys, tree_store
    from xuncha.commands.eventstore.store import EVENTS_TABLE, IDEMPOTENCY_TABLE

    owned = {
        EVENTS_TABLE,
        IDEMPOTENCY_TABLE,
        integrity.CHAIN_TABLE,
        integrity.CHECKPOINT_TABLE,
        tree_store.NODES_TABLE,
        tree_store.LEAVES_TABLE,
        log_verifications.TABLE,
        subject_keys.TABLE,
        subject_keys.RING_TABLE,
        "projection_tracking",
        "projection_parked",
        "kafka_relay_status",
        "published_heads",
        "kafka_consumer_status",
        "ae_seen_event",
        "ae_rectification_item",
        "ae_shared_result",
        "ae_annual_evaluation",
    }
    baseline = migrate.migrations()[0].sql
    created = set(re.findall(r"CREATE TABLE IF NOT EXISTS public\.(\w+)", baseline))
    assert created == owned


def test_no_module_creates_an_owned_table_at_start() -> None:
    """Migrations are the one source of the owned tables' DDL."""
    src = FOLDER.parents[2]
    owned = set(
        re.findall(r"CREATE TABLE IF NOT EXISTS public\.(\w+)", migrate.migrations()[0].sql)
    )
    for path in src.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for table in owned:
            assert not re.search(rf"CREATE TABLE[^;(]*\b{table}\b", text), (path, table)


def test_a_changed_checksum_is_seen() -> None:
    first = migrate.migrations()[0]
    edited = migrate.Migration(first.version, first.name, first.sql + "\n-- edited")
    assert edited.checksum != first.checksum
