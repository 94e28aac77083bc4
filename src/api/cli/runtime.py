"""What a `xuncha` command runs on: the settings, and one context manager for the database and
what is built on it (`with runtime() as rt:`). Everything a command opens through `rt` is
closed when the block ends, last opened first, and the database (the embedded PostgreSQL when
`XUNCHA_DATABASE_URL` is unset, api/database.py) after them.

The schema is checked as the database opens (`commands.eventstore.migrate`): the embedded
development database is migrated on the spot, so `./scripts/run` works from a clean clone; a
database at `XUNCHA_DATABASE_URL` that is behind the code stops the command with status 2 and
a message naming `xuncha db migrate`, which its owner runs."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from functools import cached_property
from typing import TYPE_CHECKING, Any

import typer

from xuncha.api import logs
from xuncha.api.settings import Settings

log = logging.getLogger(__name__)

if TYPE_CHECKING:
    import psycopg

    from xuncha.api.container import Container
    from xuncha.api.database import Database
    from xuncha.commands.eventstore.store import XunchaRecorder
    from xuncha.projections.runner import ProjectionRunner


def fail(message: str, code: int = 2) -> typer.Exit:
    """Say `message` on stderr; raise the result to leave the command with `code`."""
    print(message, file=sys.stderr)
    return typer.Exit(code)


def load_settings() -> Settings:
    """The settings from the environment, with the logs configured; a configuration error
    leaves with status 2, saying what is wrong."""
    try:
        settings = Settings()
    except ValueError as error:
        raise fail(f"xuncha: configuration error: {error}") from None
    logs.configure(settings.log_format)
    return settings


class Runtime:
    """The open database of one command and what the command builds on it."""

    def __init__(self, settings: Settings, database: Database) -> None:
        self.settings = settings
        self.conninfo = database.conninfo
        self._database: Database | None = database
        self._opened = ExitStack()

    @cached_property
    def container(self) -> Container:
        """The composition root (api/container.py): application, store, runner, read pool."""
        from xuncha.api.container import build

        built = build(self.settings, self.conninfo)
        self._opened.callback(built.close)
        return built

    def runner(self, batch_size: int | None = None) -> ProjectionRunner:
        """A projection runner of its own (not the container's), `batch_size` if given."""
        from xuncha.api.container import make_runner

        runner = make_runner(self.settings, self.conninfo)
        if batch_size:
            runner.batch_size = batch_size
        return runner

    def recorder(self) -> XunchaRecorder:
        """The event store's recorder on a pool of one connection."""
        from xuncha.api.database import make_recorder

        recorder = make_recorder(self.conninfo, pool_size=1)
        self._opened.callback(recorder.datastore.close)
        return recorder

    def connect(self, autocommit: bool = True) -> psycopg.Connection[Any]:
        """A plain connection, closed with the runtime. Without autocommit, write
        `with rt.connect(autocommit=False) as conn:` so that its transaction commits."""
        import psycopg

        conn = psycopg.connect(self.conninfo, autocommit=autocommit)
        self._opened.callback(conn.close)
        return conn

    def close_opened(self) -> None:
        """Close what was built on the database, last first; the database stays open."""
        self._opened.close()

    def close(self) -> None:
        """Close everything, then the database (stopping an embedded PostgreSQL); again is a
        no-op."""
        try:
            self.close_opened()
        finally:
            database, self._database = self._database, None
            if database is not None:
                database.close()


def check_schema(database: Database) -> None:
    """Migrate the embedded database; refuse (status 2) an external one behind the code."""
    from xuncha.commands.eventstore import migrate

    try:
        if database.embedded is not None:
            for migration in migrate.migrate(database.conninfo):
                log.info("applied migration %s", migration.file_name)
        else:
            migrate.require_current(database.conninfo)
    except (migrate.SchemaBehind, migrate.MigrationError) as error:
        raise fail(f"xuncha: {error}") from None


@contextmanager
def runtime(settings: Settings | None = None, *, schema: bool = True) -> Iterator[Runtime]:
    """`with runtime() as rt:` the database open for the block (settings from the environment
    unless given), everything opened through `rt` closed after it. `schema=False` skips the
    schema check (`xuncha db migrate` and `xuncha db status` themselves)."""
    from xuncha.api.database import open_database

    settings = settings or load_settings()
    opened = Runtime(settings, open_database(settings))
    try:
        if schema and opened._database is not None:
            check_schema(opened._database)
        yield opened
    finally:
        opened.close()
