"""Fixtures for the ecosystem tests.

rustssl is injected only in child interpreters (see ``eco_support.py``),
never in the pytest process, whose other tests need the real stdlib ``ssl``
as a peer.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from pki import make_cert, write
from rustssl import _ssl

from . import eco_servers


@pytest.fixture(scope="session")
def eco_certs(tmp_path_factory: pytest.TempPathFactory) -> str:
    """The directory ``scenarios.py`` expects (see its docstring)."""
    directory = tmp_path_factory.mktemp("eco-certs")
    (ca, _), (server, server_key) = _ssl._generate_certificates(["localhost"], "ecdsa-p256")
    (client_ca, _), (client, client_key) = _ssl._generate_certificates(
        ["rustssl-client"], "ecdsa-p256"
    )
    (other_ca, _), _unused = _ssl._generate_certificates(["localhost"], "ecdsa-p256")
    files = {
        "ca.pem": ca,
        "server.pem": server,
        "server.key": server_key,
        "client_ca.pem": client_ca,
        "client.pem": client,
        "client.key": client_key,
        "other_ca.pem": other_ca,
    }
    for name, text in files.items():
        (directory / name).write_text(text)
    return str(directory)


@pytest.fixture(scope="session")
def server_certdir(tmp_path_factory: pytest.TempPathFactory) -> str:
    """Certificates for the real servers, from ``tests/pki.py``, in ``eco_certs``' layout.

    The server's leaf names only ``localhost``, so 127.0.0.1 is a wrong host;
    ``other_ca.pem`` issued nothing here.
    """
    directory = tmp_path_factory.mktemp("eco-server-certs")
    ca = make_cert("rustssl eco server CA", ca=True)
    leaf = make_cert("localhost", ca, dns=("localhost",))
    other = make_cert("rustssl eco other CA", ca=True)
    write(directory, "ca.pem", ca.pem)
    write(directory, "server.pem", leaf.pem)
    write(directory, "server.key", leaf.key_pem)
    write(directory, "other_ca.pem", other.pem)
    return str(directory)


def _server(name: str) -> Any:
    @pytest.fixture(scope="session")
    def running(server_certdir: str) -> Iterator[eco_servers.Peer]:
        with eco_servers.SERVERS[name](server_certdir) as peer:
            yield peer

    return running


# One per server, started on first use and stopped at the end of the session;
# tests reach them by name with request.getfixturevalue(f"{name}_server").
postgres_server = _server("postgres")
redis_server = _server("redis")
mosquitto_server = _server("mosquitto")
mariadb_server = _server("mariadb")
slapd_server = _server("slapd")
vsftpd_server = _server("vsftpd")
