"""A real vsftpd with ``require_ssl_reuse``: every data connection must resume
the control connection's TLS session (issue 16, breakage 2).

The client is ftplib's FTP_TLS with the usual override that passes
``session=self.sock.session`` to each data connection (ftplib itself passes
none, so vsftpd refuses its data connections with the stdlib too). vsftpd is
installed by the system (``apt-get install vsftpd``); the test skips without it.
"""

from __future__ import annotations

import ftplib
import os
import pwd
import shutil
import socket
import ssl as stdlib_ssl
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import rustssl

TIMEOUT = 10.0
TRANSFERS = 6
VSFTPD = shutil.which("vsftpd") or shutil.which("vsftpd", path="/usr/sbin:/sbin")

pytestmark = pytest.mark.skipif(
    VSFTPD is None or os.geteuid() != 0,
    reason="needs vsftpd (apt-get install vsftpd) and root to run it",
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def vsftpd(tmp_path: Path, eco_certs: str) -> Iterator[int]:
    try:
        pwd.getpwnam("ftp")
    except KeyError:
        pytest.skip("vsftpd's anonymous user 'ftp' does not exist")
    anon = tmp_path / "anon"
    empty = tmp_path / "empty"
    for d in (anon, empty):
        d.mkdir()
        d.chmod(0o755)
    (anon / "file.txt").write_bytes(b"hello over resumed TLS\n" * 100)
    (anon / "file.txt").chmod(0o644)
    pem = tmp_path / "server.pem"
    certs = Path(eco_certs)
    pem.write_text((certs / "server.pem").read_text() + (certs / "server.key").read_text())
    port, pasv = _free_port(), _free_port()
    conf = tmp_path / "vsftpd.conf"
    conf.write_text(
        "\n".join(
            [
                "listen=YES",
                "listen_address=127.0.0.1",
                f"listen_port={port}",
                "background=NO",
                "anonymous_enable=YES",
                f"anon_root={anon}",
                "no_anon_password=YES",
                "local_enable=NO",
                "write_enable=NO",
                f"secure_chroot_dir={empty}",
                "seccomp_sandbox=NO",
                "ssl_enable=YES",
                "allow_anon_ssl=YES",
                "force_anon_logins_ssl=YES",
                "force_anon_data_ssl=YES",
                "require_ssl_reuse=YES",
                "ssl_ciphers=HIGH",
                f"rsa_cert_file={pem}",
                f"rsa_private_key_file={pem}",
                "pasv_enable=YES",
                "pasv_address=127.0.0.1",
                f"pasv_min_port={pasv}",
                f"pasv_max_port={pasv + 20}",
                "xferlog_enable=NO",
                "",
            ]
        )
    )
    proc = subprocess.Popen(
        [str(VSFTPD), str(conf)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        deadline = time.monotonic() + TIMEOUT
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    out = proc.stdout.read() if proc.stdout else b""
                    pytest.fail(f"vsftpd did not start: {out!r}")
                time.sleep(0.05)
        yield port
    finally:
        proc.kill()
        proc.wait(TIMEOUT)


class ReusingFTP_TLS(ftplib.FTP_TLS):
    """FTP_TLS whose data connections resume the control connection's session."""

    reused: list[bool]

    def ntransfercmd(self, cmd: str, rest: Any = None) -> tuple[socket.socket, int | None]:
        conn, size = ftplib.FTP.ntransfercmd(self, cmd, rest)
        if self._prot_p:  # type: ignore[attr-defined]
            conn = self.context.wrap_socket(  # type: ignore[attr-defined]
                conn, server_hostname=self.host, session=self.sock.session
            )
            self.reused.append(conn.session_reused)
        return conn, size


@pytest.mark.parametrize("module", [stdlib_ssl, rustssl], ids=["stdlib", "rustssl"])
def test_vsftpd_data_channels_resume_the_control_session(
    vsftpd: int, eco_certs: str, module: Any
) -> None:
    ctx = module.create_default_context(cafile=os.path.join(eco_certs, "ca.pem"))
    ftp = ReusingFTP_TLS(context=ctx, timeout=TIMEOUT)
    ftp.reused = []
    ftp.connect("localhost", vsftpd)
    try:
        ftp.login()
        ftp.prot_p()
        for i in range(TRANSFERS):
            chunks: list[bytes] = []
            # Without resumption vsftpd answers "522 SSL connection failed:
            # session reuse required", which ftplib raises as error_perm.
            ftp.retrbinary("RETR file.txt", chunks.append)
            assert b"".join(chunks) == b"hello over resumed TLS\n" * 100, i
        assert ftp.reused == [True] * TRANSFERS
        assert ftp.sock.version() == "TLSv1.3"
    finally:
        ftp.close()
