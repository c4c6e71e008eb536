"""A throw-away PostgreSQL server for the tests: initdb + pg_ctl in a temp dir.

Debian's binaries (package `postgresql`, installed by `make test-deps`) live under
/usr/lib/postgresql/<version>/bin; the newest is used. The server listens on a unix
socket in its own temp dir only (no TCP port, never the system service), trusts local
connections, and is tuned for tests, not durability (fsync off). The cluster uses ICU's
en-US collation, like a typical production cluster, so code that assumes byte order for
text comparisons fails here too.

Run as root (containers), initdb refuses; the server then runs as the `postgres` user
(made by the Debian package) or `nobody`.

One template database is migrated once; each test's database is a copy of it (CREATE
DATABASE … TEMPLATE, a few milliseconds), dropped with FORCE when the test ends (its
app's pooled connections are cut).
"""
import glob
import itertools
import os
import pwd
import shutil
import subprocess
import tempfile

TEMPLATE = "tlc_template"


def find_bindir():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"),
                   key=lambda p: int(p.split("/")[4]) if p.split("/")[4].isdigit() else 0)
    return os.path.dirname(found[-1]) if found else None


def _unprivileged_user():
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("running as root and there is no postgres or nobody user to run "
                       "PostgreSQL as")


class PostgresServer:
    def __init__(self, bindir):
        self.bindir = bindir
        self.dir = tempfile.mkdtemp(prefix="tlc-pg-")
        self.data = os.path.join(self.dir, "data")
        self.user = _unprivileged_user()
        self.started = False
        self._names = itertools.count(1)
        self._admin = None
        if self.user:
            os.chown(self.dir, self.user.pw_uid, self.user.pw_gid)

    def _run(self, *args):
        kwargs = {"user": self.user.pw_uid, "group": self.user.pw_gid} if self.user else {}
        done = subprocess.run([os.path.join(self.bindir, args[0]), *args[1:]],
                              capture_output=True, text=True, timeout=60, **kwargs)
        if done.returncode != 0:
            raise RuntimeError(f"{args[0]} failed: {done.stdout}{done.stderr}")

    def start(self):
        self._run("initdb", "-D", self.data, "-U", "tlc", "--auth=trust", "-E", "UTF8",
                  "--locale-provider=icu", "--icu-locale=en-US", "--locale=C.UTF-8",
                  "--no-sync")
        options = (f"-c listen_addresses='' -c unix_socket_directories='{self.dir}' "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=300 -c shared_buffers=32MB")
        self.options = options
        self.resume()
        self.started = True
        import psycopg

        self._admin = psycopg.connect(host=self.dir, user="tlc", dbname="postgres",
                                      autocommit=True)
        self._admin.execute(f"CREATE DATABASE {TEMPLATE}")
        from tlightchat.db import Database

        template = Database(self.url(TEMPLATE))
        template.migrate()
        template.dispose()

    def pause(self):
        """Stop the server (fault tests: the database is down), its data kept."""
        self._run("pg_ctl", "-D", self.data, "-m", "fast", "-w", "stop")

    def resume(self):
        self._run("pg_ctl", "-D", self.data, "-l", os.path.join(self.dir, "log"), "-w",
                  "-t", "30", "-o", self.options, "start")
        if self._admin is not None:  # after a pause: its connection died with the server
            import psycopg

            self._admin.close()
            self._admin = psycopg.connect(host=self.dir, user="tlc", dbname="postgres",
                                          autocommit=True)

    def url(self, name):
        return f"postgresql+psycopg://tlc@/{name}?host={self.dir}"

    def create_database(self, migrated=True):
        name = f"t{next(self._names)}"
        template = TEMPLATE if migrated else "template0"
        self._admin.execute(f"CREATE DATABASE {name} TEMPLATE {template} STRATEGY FILE_COPY")
        return name

    def drop_database(self, name):
        self._admin.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")

    def stop(self):
        if self._admin is not None:
            self._admin.close()
        if self.started:
            try:
                self._run("pg_ctl", "-D", self.data, "-m", "immediate", "-w", "stop")
            except Exception:  # the temp dir still goes
                pass
        shutil.rmtree(self.dir, ignore_errors=True)


def running(skip):
    """A started server for a fixture (`yield from running(pytest.skip)`), stopped
    afterwards; `skip(reason)` when PostgreSQL is not installed."""
    bindir = find_bindir()
    if bindir is None:
        skip("PostgreSQL is not installed (make test-deps installs it)")
    server = PostgresServer(bindir)
    try:
        server.start()
        yield server
    finally:
        server.stop()
