"""APIs that Python 3.11 still has and 3.12 removed; exported only on 3.11."""

from __future__ import annotations

import warnings

from rustssl._context import _public
from rustssl._enums import VerifyMode, _SSLMethod

# Annotations only: `typing` (and the `re` it pulls in) stays out of the import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any


def wrap_socket(
    sock: Any,
    keyfile: Any = None,
    certfile: Any = None,
    server_side: bool = False,
    cert_reqs: int = VerifyMode.CERT_NONE,
    ssl_version: int = _SSLMethod.PROTOCOL_TLS,
    ca_certs: Any = None,
    do_handshake_on_connect: bool = True,
    suppress_ragged_eofs: bool = True,
    ciphers: str | None = None,
) -> Any:
    """Deprecated since 3.7, removed in 3.12: use ``SSLContext.wrap_socket``."""
    warnings.warn(
        "ssl.wrap_socket() is deprecated, use SSLContext.wrap_socket()",
        category=DeprecationWarning,
        stacklevel=2,
    )
    if server_side and not certfile:
        raise ValueError("certfile must be specified for server-side operations")
    if keyfile and not certfile:
        raise ValueError("certfile must be specified")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context = _public().SSLContext(ssl_version)
    context.verify_mode = cert_reqs
    if ca_certs:
        context.load_verify_locations(ca_certs)
    if certfile:
        context.load_cert_chain(certfile, keyfile)
    if ciphers:
        context.set_ciphers(ciphers)
    return context.wrap_socket(
        sock=sock,
        server_side=server_side,
        do_handshake_on_connect=do_handshake_on_connect,
        suppress_ragged_eofs=suppress_ragged_eofs,
    )
