"""The SQL back end on PostgreSQL: a throwaway server, started and stopped by the tests.

The server is a cluster of its own (``initdb`` + ``pg_ctl`` in a temporary directory, on
127.0.0.1, see ``tests/servers.py``), shared by the tests of this module and stopped at the
end.  Where the server binaries are absent the tests skip and say how to install them.
"""

from __future__ import annotations

import os

import pytest

import servers

psycopg = pytest.importorskip("psycopg", reason="the PostgreSQL tests need psycopg: pip install -e '.[test]'")


@pytest.fixture(scope="session")
def pg_server():
    bindir = servers.postgres_binaries()
    if bindir is None:
        pytest.skip(servers.INSTALL_POSTGRES)
    server = servers.PostgresServer(bindir)
    try:
        yield server
    finally:
        server.stop()


def test_the_throwaway_server_starts_answers_and_stops():
    """A second server of its own: it answers on loopback, and stopping it removes every file."""
    bindir = servers.postgres_binaries()
    if bindir is None:
        pytest.skip(servers.INSTALL_POSTGRES)
    server = servers.PostgresServer(bindir)
    try:
        with psycopg.connect(server.dsn, connect_timeout=10) as con:
            assert con.execute("SELECT inet_server_addr()::text, current_setting('port')").fetchone() == \
                ("127.0.0.1/32", str(server.port))
    finally:
        server.stop()
    assert not os.path.exists(server.root)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(server.dsn, connect_timeout=3)
