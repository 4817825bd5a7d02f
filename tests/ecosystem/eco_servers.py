"""Real servers for the ecosystem matrix: PostgreSQL, Redis, Mosquitto, MariaDB, slapd, vsftpd.

``tests/ecosystem/servers/setup.sh`` installs them from Debian's packages.
Each is started once per pytest session (see ``conftest.py``), as the current
user where the server allows it, listening only on 127.0.0.1 on a free port,
with its files in a fresh temporary directory and the certificates from
``server_certdir``. Every wait is bounded; every process is ended by the
context manager that started it, whatever the tests did.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

#: Bound on one server's start-up (MariaDB's first start is the slowest).
START_TIMEOUT = 60.0
#: Bound on a server's exit after SIGTERM, before SIGKILL.
STOP_TIMEOUT = 15.0

_SBIN = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])


@dataclass
class Peer:
    """A running server: where it listens and what a client needs to log in."""

    name: str
    port: int
    info: dict[str, Any] = field(default_factory=dict)

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "port": self.port, **self.info}


def binary(name: str, package: str) -> str:
    """The path of a server's program, or a skip that names the Debian package."""
    found = shutil.which(name, path=_SBIN)
    if found is None and name in ("postgres", "initdb"):
        candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
        found = candidates[-1] if candidates else None
    if found is None:
        pytest.skip(
            f"{name} is not installed (Debian package {package}; "
            "tests/ecosystem/servers/setup.sh installs it as root)"
        )
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _server_dir(owner: str | None) -> Path:
    """A fresh directory under /tmp that ``owner`` (a user name) can use."""
    directory = Path(tempfile.mkdtemp(prefix="rustssl-eco-"))
    directory.chmod(0o755)
    if owner is not None:
        entry = pwd.getpwnam(owner)
        os.chown(directory, entry.pw_uid, entry.pw_gid)
    return directory


def _as_user(owner: str | None) -> Callable[[], None] | None:
    if owner is None:
        return None
    entry = pwd.getpwnam(owner)

    def drop() -> None:
        os.setgid(entry.pw_gid)
        os.setgroups([])
        os.setuid(entry.pw_uid)

    return drop


def _log_text(log: Path) -> str:
    try:
        return log.read_text(errors="replace")
    except OSError:
        return ""


def _log_tail(log: Path) -> str:
    return _log_text(log)[-3000:] or "(empty log)"


def _wait_ready(
    proc: subprocess.Popen[bytes], log: Path, port: int, marker: str | None, what: str
) -> None:
    """Until ``port`` accepts and (if given) ``marker`` is in the log; bounded."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}:\n{_log_tail(log)}")
        if marker is None or marker in _log_text(log):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 1):
                return
        time.sleep(0.1)
    raise RuntimeError(f"{what} not ready after {START_TIMEOUT}s:\n{_log_tail(log)}")


@contextlib.contextmanager
def _running(
    argv: list[str],
    directory: Path,
    port: int,
    what: str,
    *,
    marker: str | None = None,
    owner: str | None = None,
    log: Path | None = None,
) -> Iterator[None]:
    """Runs ``argv`` in ``directory`` until the block ends; ready when ``marker`` is logged."""
    stdout = directory / "stdout.log"
    with open(stdout, "wb") as out:
        proc = subprocess.Popen(
            argv,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            cwd=directory,
            preexec_fn=_as_user(owner),
            start_new_session=True,
        )
    try:
        _wait_ready(proc, log or stdout, port, marker, what)
        yield
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(STOP_TIMEOUT)
        shutil.rmtree(directory, ignore_errors=True)


def _owner_for(service_user: str) -> str | None:
    """Who runs a server that refuses root: its own service user, if we are root."""
    if os.getuid() != 0:
        return None
    for name in (service_user, "nobody"):
        with contextlib.suppress(KeyError):
            pwd.getpwnam(name)
            return name
    raise RuntimeError("no unprivileged user to run the server as")


def _copy_certs(certdir: str, directory: Path, owner: str | None) -> tuple[str, str, str]:
    """Copies ca.pem, server.pem and server.key (0600) into ``directory``."""
    paths = []
    for name in ("ca.pem", "server.pem", "server.key"):
        target = directory / name
        shutil.copyfile(os.path.join(certdir, name), target)
        target.chmod(0o600 if name.endswith(".key") else 0o644)
        if owner is not None:
            entry = pwd.getpwnam(owner)
            os.chown(target, entry.pw_uid, entry.pw_gid)
        paths.append(str(target))
    return paths[0], paths[1], paths[2]


# --- the servers --------------------------------------------------------------


@contextlib.contextmanager
def postgres(certdir: str) -> Iterator[Peer]:
    """PostgreSQL with ``ssl=on`` that accepts only TLS (``hostssl``) connections."""
    initdb = binary("initdb", "postgresql")
    server = binary("postgres", "postgresql")
    owner = _owner_for("postgres")  # postgres refuses to run as root
    directory = _server_dir(owner)
    data = directory / "data"
    setup = subprocess.run(
        [initdb, "-D", str(data), "-U", "eco", "-A", "trust", "--no-sync", "-E", "UTF8"],
        preexec_fn=_as_user(owner),
        capture_output=True,
        timeout=START_TIMEOUT,
        check=False,
    )
    if setup.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"initdb failed: {setup.stdout!r} {setup.stderr!r}")
    (data / "pg_hba.conf").write_text(
        "hostssl all all 127.0.0.1/32 trust\nhost all all 127.0.0.1/32 reject\n"
    )
    ca, cert, key = _copy_certs(certdir, directory, owner)
    port = free_port()
    argv = [
        server,
        "-D",
        str(data),
        "-p",
        str(port),
        "-c",
        "listen_addresses=127.0.0.1",
        "-c",
        f"unix_socket_directories={directory}",
        "-c",
        "ssl=on",
        "-c",
        f"ssl_cert_file={cert}",
        "-c",
        f"ssl_key_file={key}",
        "-c",
        f"ssl_ca_file={ca}",
        "-c",
        "fsync=off",
        "-c",
        "logging_collector=off",
    ]
    with _running(
        argv,
        directory,
        port,
        "postgres",
        marker="ready to accept connections",
        owner=owner,
        log=directory / "stdout.log",
    ):
        yield Peer("postgres", port, {"user": "eco", "database": "postgres"})


@contextlib.contextmanager
def redis(certdir: str) -> Iterator[Peer]:
    """redis-server with only a TLS port."""
    server = binary("redis-server", "redis-server")
    directory = _server_dir(None)
    ca, cert, key = _copy_certs(certdir, directory, None)
    port = free_port()
    argv = [
        server,
        "--port",
        "0",
        "--tls-port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--tls-cert-file",
        cert,
        "--tls-key-file",
        key,
        "--tls-ca-cert-file",
        ca,
        "--tls-auth-clients",
        "no",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        str(directory),
        "--logfile",
        str(directory / "server.log"),
    ]
    with _running(
        argv,
        directory,
        port,
        "redis-server",
        marker="Ready to accept connections",
        log=directory / "server.log",
    ):
        yield Peer("redis", port)


@contextlib.contextmanager
def mosquitto(certdir: str) -> Iterator[Peer]:
    """The Mosquitto MQTT broker with one TLS listener."""
    server = binary("mosquitto", "mosquitto")
    directory = _server_dir(None)
    ca, cert, key = _copy_certs(certdir, directory, None)
    port = free_port()
    lines = [
        f"listener {port} 127.0.0.1",
        f"certfile {cert}",
        f"keyfile {key}",
        f"cafile {ca}",
        "allow_anonymous true",
        "persistence false",
        f"log_dest file {directory / 'server.log'}",
    ]
    if os.getuid() == 0:  # otherwise it drops to the 'mosquitto' user before reading the key
        lines.append("user root")
    (directory / "mosquitto.conf").write_text("\n".join(lines) + "\n")
    argv = [server, "-c", str(directory / "mosquitto.conf")]
    with _running(
        argv, directory, port, "mosquitto", marker="running", log=directory / "server.log"
    ):
        yield Peer("mosquitto", port)


@contextlib.contextmanager
def mariadb(certdir: str) -> Iterator[Peer]:
    """MariaDB with TLS, and a user that is refused without it (REQUIRE SSL)."""
    install = binary("mariadb-install-db", "mariadb-server")
    server = binary("mariadbd", "mariadb-server")
    directory = _server_dir(None)
    user = pwd.getpwuid(os.getuid()).pw_name
    setup = subprocess.run(
        [
            install,
            "--no-defaults",
            f"--datadir={directory / 'data'}",
            f"--user={user}",
            "--auth-root-authentication-method=normal",
            "--skip-test-db",
            "--skip-name-resolve",
        ],
        capture_output=True,
        timeout=START_TIMEOUT,
        check=False,
        cwd=directory,
    )
    if setup.returncode != 0:
        shutil.rmtree(directory, ignore_errors=True)
        raise RuntimeError(f"mariadb-install-db failed: {setup.stdout!r} {setup.stderr!r}")
    ca, cert, key = _copy_certs(certdir, directory, None)
    (directory / "init.sql").write_text(
        "CREATE USER IF NOT EXISTS 'eco'@'%' IDENTIFIED BY 'eco-secret' REQUIRE SSL;\n"
        "GRANT ALL ON *.* TO 'eco'@'%';\n"
    )
    port = free_port()
    argv = [
        server,
        "--no-defaults",
        f"--datadir={directory / 'data'}",
        f"--user={user}",
        f"--port={port}",
        "--bind-address=127.0.0.1",
        f"--socket={directory / 'mysqld.sock'}",
        f"--pid-file={directory / 'mysqld.pid'}",
        f"--log-error={directory / 'server.log'}",
        f"--init-file={directory / 'init.sql'}",
        f"--ssl-ca={ca}",
        f"--ssl-cert={cert}",
        f"--ssl-key={key}",
        "--skip-name-resolve",
        "--skip-log-bin",
        "--innodb-buffer-pool-size=16M",
        "--innodb-log-file-size=8M",
        "--performance-schema=OFF",
    ]
    with _running(
        argv,
        directory,
        port,
        "mariadbd",
        marker="ready for connections",
        log=directory / "server.log",
    ):
        yield Peer("mariadb", port, {"user": "eco", "password": "eco-secret"})


@contextlib.contextmanager
def slapd(certdir: str) -> Iterator[Peer]:
    """OpenLDAP's slapd serving one mdb database over ldaps:// only."""
    server = binary("slapd", "slapd")
    schema = Path("/etc/ldap/schema/core.schema")
    if not schema.exists():
        pytest.skip(f"{schema} is missing (Debian package slapd)")
    directory = _server_dir(None)
    ca, cert, key = _copy_certs(certdir, directory, None)
    (directory / "db").mkdir()
    suffix = "dc=eco,dc=test"
    (directory / "slapd.conf").write_text(
        "\n".join(
            [
                f"include {schema}",
                f"pidfile {directory / 'slapd.pid'}",
                "modulepath /usr/lib/ldap",
                "moduleload back_mdb",
                f"TLSCACertificateFile {ca}",
                f"TLSCertificateFile {cert}",
                f"TLSCertificateKeyFile {key}",
                "database mdb",
                "maxsize 10485760",
                f'suffix "{suffix}"',
                f'rootdn "cn=admin,{suffix}"',
                "rootpw eco-secret",
                f"directory {directory / 'db'}",
                "",
            ]
        )
    )
    port = free_port()
    argv = [
        server,
        "-f",
        str(directory / "slapd.conf"),
        "-h",
        f"ldaps://127.0.0.1:{port}/",
        "-d",
        "0",
    ]
    with _running(argv, directory, port, "slapd"):
        yield Peer(
            "slapd",
            port,
            {"suffix": suffix, "user": f"cn=admin,{suffix}", "password": "eco-secret"},
        )


@contextlib.contextmanager
def vsftpd(certdir: str) -> Iterator[Peer]:
    """vsftpd with anonymous downloads over explicit FTPS only (AUTH TLS, PROT P)."""
    server = binary("vsftpd", "vsftpd")
    directory = _server_dir(None)
    _ca, cert, key = _copy_certs(certdir, directory, None)
    pub = directory / "pub"
    pub.mkdir()
    files = {f"file{i}.txt": f"payload {i} over ftps\n" * (i + 1) for i in range(4)}
    for name, text in files.items():
        (pub / name).write_text(text)
    (directory / "empty").mkdir()
    port = free_port()
    (directory / "vsftpd.conf").write_text(
        "\n".join(
            [
                "listen=YES",
                "listen_ipv6=NO",
                "listen_address=127.0.0.1",
                f"listen_port={port}",
                "background=NO",
                "anonymous_enable=YES",
                "local_enable=NO",
                "write_enable=NO",
                f"anon_root={pub}",
                "no_anon_password=YES",
                f"ftp_username={_owner_for('ftp') or 'ftp'}",
                "nopriv_user=nobody",
                f"secure_chroot_dir={directory / 'empty'}",
                "seccomp_sandbox=NO",
                "isolate=NO",
                "isolate_network=NO",
                "pasv_enable=YES",
                "pasv_address=127.0.0.1",
                "ssl_enable=YES",
                "allow_anon_ssl=YES",
                "force_anon_logins_ssl=YES",
                "force_anon_data_ssl=YES",
                "require_ssl_reuse=YES",
                "ssl_ciphers=HIGH",
                f"rsa_cert_file={cert}",
                f"rsa_private_key_file={key}",
                "xferlog_enable=NO",
                "",
            ]
        )
    )
    argv = [server, str(directory / "vsftpd.conf")]
    with _running(argv, directory, port, "vsftpd"):
        yield Peer("vsftpd", port, {"files": files})


SERVERS: dict[str, Callable[[str], contextlib.AbstractContextManager[Peer]]] = {
    "postgres": postgres,
    "redis": redis,
    "mosquitto": mosquitto,
    "mariadb": mariadb,
    "slapd": slapd,
    "vsftpd": vsftpd,
}
