"""Fixtures for the ecosystem tests.

rustssl is injected only in child interpreters (see ``eco_support.py``),
never in the pytest process, whose other tests need the real stdlib ``ssl``
as a peer.
"""

from __future__ import annotations

import pytest

from rustssl import _ssl


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
