"""A real vsftpd with ``require_ssl_reuse``: every data connection must resume
the control connection's TLS session (issue 16, breakage 2).

The client is ftplib's FTP_TLS with the usual override that passes
``session=self.sock.session`` to each data connection (ftplib itself passes
none, so vsftpd refuses its data connections with the stdlib too). The server is
the matrix's session-wide vsftpd (``eco_servers.vsftpd``, ``require_ssl_reuse``).
"""

from __future__ import annotations

import ftplib
import os
import socket
import ssl as stdlib_ssl
from typing import Any

import pytest

import rustssl

from .eco_servers import Peer

TIMEOUT = 10.0
TRANSFERS = 6


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
    vsftpd_server: Peer, server_certdir: str, module: Any
) -> None:
    ctx = module.create_default_context(cafile=os.path.join(server_certdir, "ca.pem"))
    name, text = next(iter(vsftpd_server.info["files"].items()))
    ftp = ReusingFTP_TLS(context=ctx, timeout=TIMEOUT)
    ftp.reused = []
    ftp.connect("localhost", vsftpd_server.port)
    try:
        ftp.login()
        ftp.prot_p()
        for i in range(TRANSFERS):
            chunks: list[bytes] = []
            # Without resumption vsftpd answers "522 SSL connection failed:
            # session reuse required", which ftplib raises as error_perm.
            ftp.retrbinary(f"RETR {name}", chunks.append)
            assert b"".join(chunks) == text.encode(), i
        assert ftp.reused == [True] * TRANSFERS
        assert ftp.sock.version() == "TLSv1.3"
    finally:
        ftp.close()
