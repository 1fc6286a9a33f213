"""A private, throw-away PostgreSQL cluster (or the server named by the PG* variables)."""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path


def _pg_bindir():
    for candidate in (os.environ.get("PG_BINDIR"),):
        if candidate and Path(candidate, "pg_ctl").exists():
            return candidate
    pg_config = shutil.which("pg_config")
    if pg_config:
        out = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True).stdout
        if Path(out.strip(), "pg_ctl").exists():
            return out.strip()
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if Path(path, "pg_ctl").exists() and Path(path, "initdb").exists():
            return path
    pg_ctl = shutil.which("pg_ctl")
    return str(Path(pg_ctl).resolve().parent) if pg_ctl else None


def ensure_postgres_installed(log):
    if _pg_bindir():
        return True
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log("PostgreSQL server not found: installing Debian's postgresql package")
        subprocess.run(["apt-get", "update", "-qq"], check=False, stdout=subprocess.DEVNULL)
        subprocess.run(
            ["apt-get", "install", "-y", "-qq", "postgresql"],
            check=False,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"},
        )
    return bool(_pg_bindir())


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Cluster:
    """Connection settings for Odoo: host (socket dir), port, user."""

    def __init__(self, host, port, user, password=None, owned=False, datadir=None, runas=None):
        self.host, self.port, self.user, self.password = host, port, user, password
        self.owned, self.datadir, self.runas = owned, datadir, runas
        self.bindir = _pg_bindir()

    def odoo_options(self):
        opts = {"db_host": self.host, "db_port": str(self.port), "db_user": self.user}
        if self.password:
            opts["db_password"] = self.password
        return opts

    def env(self):
        env = dict(os.environ, PGHOST=self.host, PGPORT=str(self.port), PGUSER=self.user)
        if self.password:
            env["PGPASSWORD"] = self.password
        return env

    def psql(self, dbname, sql):
        psql = shutil.which("psql") or str(Path(self.bindir, "psql"))
        return subprocess.run(
            [psql, "-X", "-q", "-A", "-t", "-d", dbname, "-c", sql],
            env=self.env(), capture_output=True, text=True, check=True,
        ).stdout.strip()

    def drop_database(self, dbname):
        self.psql("postgres", f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')

    def stop(self):
        if not self.owned:
            return
        self._run([str(Path(self.bindir, "pg_ctl")), "-D", self.datadir, "-m", "fast", "-w",
                   "stop"], check=False)

    def remove(self):
        self.stop()
        if self.owned and self.datadir:
            shutil.rmtree(Path(self.datadir).parent, ignore_errors=True)

    def _run(self, cmd, check=True):
        if self.runas:
            cmd = ["runuser", "-u", self.runas, "--", *cmd]
        res = subprocess.run(cmd, check=False, capture_output=True, text=True)
        if check and res.returncode:
            raise RuntimeError(f"{' '.join(cmd)} failed:\n{res.stdout}{res.stderr}")
        return res


def configured_server():
    """The server the user configured through PG* variables, if any."""
    if not (os.environ.get("PGHOST") or os.environ.get("PGPORT")):
        return None
    return Cluster(
        host=os.environ.get("PGHOST", "localhost"),
        port=int(os.environ.get("PGPORT", "5432")),
        user=os.environ.get("PGUSER") or pwd.getpwuid(os.getuid()).pw_name,
        password=os.environ.get("PGPASSWORD"),
    )


def start_private(base=None, persistent=False):
    """initdb + start a cluster on a unix socket; as root, the server runs as `postgres`."""
    bindir = _pg_bindir()
    if not bindir:
        raise RuntimeError("no PostgreSQL server binaries (initdb, pg_ctl) found")
    runas = None
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            subprocess.run(["useradd", "--system", "--no-create-home", "postgres"], check=True)
        runas = "postgres"
    if base is None:
        base = tempfile.mkdtemp(prefix="hotel-crm-pg-")
    base = Path(base)
    base.mkdir(parents=True, exist_ok=True)
    datadir = base / "data"
    sockdir = base / "run"
    sockdir.mkdir(exist_ok=True)
    if runas:
        shutil.chown(base, runas)
        shutil.chown(sockdir, runas)
        os.chmod(base, 0o755)
        reachable = subprocess.run(["runuser", "-u", runas, "--", "test", "-w", str(base)],
                                   check=False).returncode == 0
        if not reachable:
            raise RuntimeError(f"the {runas} system user cannot reach {base}: PostgreSQL "
                               "refuses to run as root, so its data directory must be in a "
                               f"directory {runas} can enter (set HOTEL_CRM_STATE elsewhere)")
    pidfile = datadir / "postmaster.pid"
    if pidfile.exists():
        # A cluster of ours still running (its command was killed before it could stop it):
        # use it rather than fail to start a second postmaster on the same data.
        status = subprocess.run(
            (["runuser", "-u", runas, "--"] if runas else [])
            + [str(Path(bindir, "pg_ctl")), "-D", str(datadir), "status"],
            capture_output=True, text=True, check=False,
        )
        lines = pidfile.read_text().splitlines()
        if status.returncode == 0 and len(lines) > 4:
            return Cluster(lines[4].strip(), int(lines[3]), "odoo", owned=True,
                           datadir=str(datadir), runas=runas)
    cluster = Cluster(str(sockdir), _free_port(), "odoo", owned=True, datadir=str(datadir),
                      runas=runas)
    if not (datadir / "PG_VERSION").exists():
        cluster._run([str(Path(bindir, "initdb")), "-D", str(datadir), "-U", "odoo",
                      "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    settings = [
        f"-p {cluster.port}",
        f"-k {sockdir}",
        "-c listen_addresses=''",
        "-c shared_buffers=512MB",
        "-c work_mem=64MB",
        "-c maintenance_work_mem=256MB",
        "-c max_connections=64",
    ]
    if not persistent:
        settings += ["-c fsync=off", "-c synchronous_commit=off", "-c full_page_writes=off"]
    cluster._run([str(Path(bindir, "pg_ctl")), "-D", str(datadir), "-w", "-t", "60",
                  "-l", str(base / "postgres.log"), "-o", " ".join(settings), "start"])
    for _ in range(50):
        if Path(sockdir, f".s.PGSQL.{cluster.port}").exists():
            break
        time.sleep(0.1)
    return cluster
