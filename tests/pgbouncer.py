"""A real PgBouncer in transaction pooling mode, in front of the test server.

GoClaw's database set-up recommends PgBouncer at scale; in transaction
pooling each transaction of a client may run on another server connection.
The tests start the Debian package's ``pgbouncer`` binary on a free loopback
port; ``.ci/run`` installs it.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg


def pgbouncer_binary() -> str | None:
    """The binary, also where Debian puts it outside a non-root PATH."""
    found = shutil.which("pgbouncer")
    if found:
        return found
    return "/usr/sbin/pgbouncer" if os.access("/usr/sbin/pgbouncer", os.X_OK) else None


@dataclass
class PgBouncer:
    process: subprocess.Popen
    port: int
    user: str
    directory: Path

    def url(self, database: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{database}"

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.directory, ignore_errors=True)


def start_pgbouncer(binary: str, server_url: str, *, pool_size: int = 4) -> PgBouncer:
    """PgBouncer in transaction pooling mode, for every database of the server at ``server_url``."""
    server = psycopg.conninfo.conninfo_to_dict(server_url)
    user = server.get("user") or "postgres"
    target = f"host={server.get('host') or '127.0.0.1'} port={server.get('port') or 5432} user={user}"
    if server.get("password"):
        target += f" password={server['password']}"
    directory = Path(tempfile.mkdtemp(prefix="goclaw-pgbouncer-"))
    directory.chmod(0o755)  # read by the unprivileged user pgbouncer runs as
    port = _free_port()
    (directory / "userlist.txt").write_text(f'"{user}" ""\n')
    (directory / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = {target}\n"
        "[pgbouncer]\n"
        f"listen_addr = 127.0.0.1\nlisten_port = {port}\nunix_socket_dir =\n"
        f"auth_type = trust\nauth_file = {directory / 'userlist.txt'}\n"
        f"pool_mode = transaction\ndefault_pool_size = {pool_size}\nmax_client_conn = 200\n"
        "query_wait_timeout = 60\n"  # a client waiting for a server connection fails, never hangs
    )
    for name in ("userlist.txt", "pgbouncer.ini"):
        (directory / name).chmod(0o644)
    log = open(directory / "pgbouncer.log", "w")  # noqa: SIM115  (the process writes to it until stopped)
    command = [binary, *_run_as(server.get("host")), str(directory / "pgbouncer.ini")]
    process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    log.close()
    bouncer = PgBouncer(process, port, user, directory)
    deadline = time.monotonic() + 15
    while True:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return bouncer
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                output = (directory / "pgbouncer.log").read_text()
                bouncer.stop()
                raise RuntimeError(f"pgbouncer did not start: {output}") from None
            time.sleep(0.1)


def _run_as(server_host: str | None) -> list[str]:
    """pgbouncer refuses to run as root: run it as the user that owns the server's socket directory."""
    if os.geteuid() != 0:
        return []
    owner = 0
    if server_host and server_host.startswith("/"):
        owner = os.stat(server_host).st_uid
    name = pwd.getpwuid(owner).pw_name if owner else "nobody"
    return ["-u", name]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
