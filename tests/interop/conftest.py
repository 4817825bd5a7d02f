"""Fixtures of the interop tests."""

from __future__ import annotations

import pytest

from interop.peers import Pki, make_pki


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Pki:
    return make_pki(tmp_path_factory.mktemp("interop-pki"))
