"""Throwaway database servers for the engine tests: a PostgreSQL cluster and a local Spark.

Takes nothing; gives

* :func:`postgres_binaries`: the directory holding ``initdb`` and ``pg_ctl`` (Debian keeps
  them in ``/usr/lib/postgresql/<version>/bin``, off ``PATH``), or None;
* :class:`PostgresServer`: ``initdb`` + ``pg_ctl`` in a temporary directory, listening on
  127.0.0.1 on a free port with its socket in that directory; run as the ``postgres``
  system user when the tests run as root (``initdb`` refuses root, and CI is root);
  :meth:`~PostgresServer.stop` stops it and removes the directory;
* :func:`spark_session`: one local Spark session (``local[2]``, two shuffle partitions, no
  UI) for every Spark test.

The skip reasons say how to install what is missing; ``.ci/run`` installs both.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time

INSTALL_POSTGRES = "PostgreSQL server binaries not found: apt-get install postgresql (or put initdb and pg_ctl on PATH)"
INSTALL_JAVA = "Java not found: apt-get install default-jre-headless (Spark needs Java 17 or later)"


def postgres_binaries() -> str | None:
    """The directory of ``initdb`` and ``pg_ctl``: PATH first, then Debian's versioned directories."""
    found = shutil.which("initdb")
    if found and shutil.which("pg_ctl", path=os.path.dirname(found)):
        return os.path.dirname(found)
    for initdb in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version, reverse=True):
        if os.access(initdb, os.X_OK):
            return os.path.dirname(initdb)
    return None


def _version(path: str) -> tuple:
    part = path.split("/")[-3]
    return tuple(int(x) for x in part.split(".") if x.isdigit())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """A PostgreSQL cluster of its own, in a temporary directory, on 127.0.0.1."""

    def __init__(self, bindir: str):
        self.bindir = bindir
        self.root = tempfile.mkdtemp(prefix="standardlang-pg-")
        self.data = os.path.join(self.root, "data")
        self.port = free_port()
        self.user = "postgres" if os.geteuid() == 0 else None
        self.dbuser = self.user or _login()
        if self.user:  # initdb will not run as root: the cluster belongs to the postgres user
            os.chmod(self.root, 0o755)
            shutil.chown(self.root, self.user, self.user)
        self._run("initdb", "-D", self.data, "-A", "trust", "-U", self.dbuser, "-E", "UTF8", "--no-locale")
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.root, "log"), "-w", "-t", "60", "-o",
                  f"-h 127.0.0.1 -p {self.port} -k {self.root} -c fsync=off -c full_page_writes=off",
                  "start")

    @property
    def dsn(self) -> str:
        return f"host=127.0.0.1 port={self.port} user={self.dbuser} dbname=postgres"

    def _run(self, tool: str, *args: str) -> None:
        # a server's memory is bounded (4 GiB of address space a process): a runaway query fails
        # with "out of memory" instead of taking the machine
        cmd = ["prlimit", f"--as={4 << 30}", os.path.join(self.bindir, tool), *args] if shutil.which("prlimit") \
            else [os.path.join(self.bindir, tool), *args]
        if self.user:
            cmd = ["runuser", "-u", self.user, "--", *cmd]
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if p.returncode != 0:
            log = os.path.join(self.root, "log")
            tail = open(log, encoding="utf-8", errors="replace").read()[-2000:] if os.path.exists(log) else ""
            raise RuntimeError(f"{tool} failed ({p.returncode}): {p.stderr.strip()}\n{tail}")

    def running(self) -> bool:
        return os.path.exists(os.path.join(self.data, "postmaster.pid"))

    def stop(self) -> None:
        try:
            if self.running():
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
        finally:
            for _ in range(20):  # the postmaster removes its files as it goes
                try:
                    shutil.rmtree(self.root)
                    break
                except OSError:
                    time.sleep(0.1)


def _login() -> str:
    import getpass

    return getpass.getuser()


def java_available() -> bool:
    if os.environ.get("JAVA_HOME") and os.path.exists(os.path.join(os.environ["JAVA_HOME"], "bin", "java")):
        return True
    return shutil.which("java") is not None


def spark_session():
    """The local Spark session every Spark test shares (created once)."""
    from standardlang.backends.sql.spark_engine import local_session

    return local_session(cores=2)
