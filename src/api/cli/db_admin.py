"""The database boundary: the application's role may INSERT and SELECT events, never change
them (docs/security.md).

`grant_app_role` runs as the event store's owner (a superuser or the role that created the
database), after `xuncha db migrate` made the tables. It gives the application role:

* on the append-only tables (`stored_events`, `event_chain`, `chain_checkpoints`, the Merkle
  tree's, `log_verifications`): SELECT and INSERT only (and USAGE of their id sequences);
  UPDATE, DELETE, TRUNCATE and any DDL stay with the owner;
* on `schema_migrations`: SELECT only (the application checks the schema at start; only
  the owner migrates);
* on every other table of the schema (read models, projection tracking, idempotency records,
  relay positions): ownership, i.e. full rights, since read models are rebuilt and dropped;
* CONNECT on the database, USAGE and CREATE on the schema (so new read models can be
  created by the application; it still cannot alter tables it does not own).

Run it again after adding tables as the owner; it is idempotent.
"""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.sql import SQL, Identifier, Literal

from xuncha.commands.eventstore import log_verifications, migrate
from xuncha.commands.eventstore.store import APPEND_ONLY_TABLES, EVENTS_TABLE


def grant_app_role(conninfo: str, role: str, password: str | None = None) -> list[str]:
    """Create or update `role`; returns what was done, one line per statement kind."""
    done: list[str] = []
    name = Identifier(role)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        schema = "public"
        if conn.execute("SELECT 1 FROM pg_roles WHERE rolname = %s", (role,)).fetchone():
            done.append(f"role {role} exists")
        else:
            conn.execute(SQL("CREATE ROLE {} LOGIN").format(name))
            done.append(f"created role {role}")
        if password:
            conn.execute(SQL("ALTER ROLE {} PASSWORD {}").format(name, Literal(password)))
            done.append("set its password")
        database = conn.execute("SELECT current_database()").fetchone()
        assert database is not None
        conn.execute(
            SQL("GRANT CONNECT ON DATABASE {} TO {}").format(Identifier(database[0]), name)
        )
        conn.execute(SQL("GRANT USAGE, CREATE ON SCHEMA {} TO {}").format(Identifier(schema), name))
        tables: list[Any] = conn.execute(
            "SELECT tablename, tableowner FROM pg_tables WHERE schemaname = %s ORDER BY 1",
            (schema,),
        ).fetchall()
        for table, owner in tables:
            qualified = Identifier(schema, table)
            if table == migrate.TABLE:
                if owner == role:
                    raise ValueError(f"{role} owns {table}: it must belong to another role")
                conn.execute(SQL("REVOKE ALL ON {} FROM {}").format(qualified, name))
                conn.execute(SQL("GRANT SELECT ON {} TO {}").format(qualified, name))
                done.append(f"{table}: SELECT")
            elif table in APPEND_ONLY_TABLES:
                if owner == role:
                    raise ValueError(f"{role} owns {table}: it must belong to another role")
                conn.execute(SQL("REVOKE ALL ON {} FROM {}").format(qualified, name))
                conn.execute(SQL("GRANT SELECT, INSERT ON {} TO {}").format(qualified, name))
                done.append(f"{table}: SELECT, INSERT")
            elif owner != role:
                conn.execute(SQL("ALTER TABLE {} OWNER TO {}").format(qualified, name))
                done.append(f"{table}: owned by {role}")
        for table, column in ((EVENTS_TABLE, "notification_id"), (log_verifications.TABLE, "id")):
            sequence = conn.execute(
                "SELECT pg_get_serial_sequence(%s, %s)", (f"{schema}.{table}", column)
            ).fetchone()
            if sequence and sequence[0]:
                conn.execute(SQL("GRANT USAGE ON SEQUENCE {} TO {}").format(SQL(sequence[0]), name))
                done.append(f"{sequence[0]}: USAGE")
    return done
