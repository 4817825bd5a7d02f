"""rustssl: Python's ``ssl`` module rebuilt in Rust on rustls.

Use it as ``import rustssl as ssl``, or call :func:`inject_into_ssl` before
other imports so that every module that imports ``ssl`` gets rustssl.
"""

from __future__ import annotations

import sys
import sys as _sys
from socket import (  # noqa: F401  (names the stdlib module has too)
    AF_INET,
    SO_TYPE,
    SOCK_STREAM,
    SOL_SOCKET,
    create_connection,
    socket,
)

from rustssl import _ssl  # noqa: F401  (names the stdlib module has too)
from rustssl._context import (  # noqa: F401  (names the stdlib module has too)
    Purpose,
    SSLContext,
    _ASN1Object,
    _create_default_https_context,
    _create_stdlib_context,
    _create_unverified_context,
    create_default_context,
)
from rustssl._enums import *  # noqa: F403  (the enums and their exported members)
from rustssl._enums import (  # noqa: F401  (names the stdlib module has too)
    AlertDescription,
    Options,
    SSLErrorNumber,
    TLSVersion,
    VerifyFlags,
    VerifyMode,
    _SSLMethod,
    _TLSAlertType,
    _TLSContentType,
    _TLSMessageType,
)
from rustssl._enums import __all__ as _enum_names
from rustssl._exceptions import (
    CertificateError,
    SSLCertVerificationError,
    SSLEOFError,
    SSLError,
    SSLSyscallError,
    SSLWantReadError,
    SSLWantWriteError,
    SSLZeroReturnError,
)
from rustssl._helpers import (  # noqa: F401  (names the stdlib module has too)
    _PROTOCOL_NAMES,
    PEM_FOOTER,
    PEM_HEADER,
    DefaultVerifyPaths,
    DER_cert_to_PEM_cert,
    PEM_cert_to_DER_cert,
    cert_time_to_seconds,
    get_default_verify_paths,
    get_protocol_name,
    get_server_certificate,
)
from rustssl._inject import extract_from_ssl, inject_into_ssl, is_injected
from rustssl._objects import SSLObject, SSLSocket
from rustssl._ssl import (  # noqa: F401  (names the stdlib module has too)
    _DEFAULT_CIPHERS,
    _OPENSSL_API_VERSION,
    HAS_ALPN,
    HAS_ECDH,
    HAS_NEVER_CHECK_COMMON_NAME,
    HAS_NPN,
    HAS_PHA,
    HAS_SNI,
    HAS_TLS_UNIQUE,
    OPENSSL_VERSION,
    OPENSSL_VERSION_INFO,
    OPENSSL_VERSION_NUMBER,
    HAS_SSLv2,
    HAS_SSLv3,
    HAS_TLSv1,
    HAS_TLSv1_1,
    HAS_TLSv1_2,
    HAS_TLSv1_3,
    MemoryBIO,
    RAND_add,
    RAND_bytes,
    RAND_status,
    SSLSession,
    _SSLContext,
    nid2obj,
    txt2obj,
)

#: Marks this module as rustssl even when it is installed as ``sys.modules['ssl']``.
_IS_RUSTSSL = True

__version__ = "0.1.0"

SSLContext.sslsocket_class = SSLSocket
SSLContext.sslobject_class = SSLObject

socket_error = OSError
# tls-unique needs the Finished message, which rustls does not expose; the
# RFC 9266 successor is offered instead.
CHANNEL_BINDING_TYPES: list[str] = ["tls-exporter"]

# `sys`, not `_sys`: type checkers only understand version checks spelled so.
if sys.version_info >= (3, 13):
    from rustssl._ssl import HAS_PSK  # noqa: F401  (new in 3.13, as in the stdlib)

if _sys.version_info < (3, 12):
    from rustssl._helpers import _inet_paton, match_hostname  # noqa: F401
    from rustssl._legacy import wrap_socket  # noqa: F401
    from rustssl._ssl import RAND_pseudo_bytes  # noqa: F401

__all__ = [
    "CHANNEL_BINDING_TYPES",
    "OPENSSL_VERSION",
    "OPENSSL_VERSION_INFO",
    "OPENSSL_VERSION_NUMBER",
    "PEM_FOOTER",
    "PEM_HEADER",
    "AlertDescription",
    "CertificateError",
    "DER_cert_to_PEM_cert",
    "DefaultVerifyPaths",
    "MemoryBIO",
    "Options",
    "PEM_cert_to_DER_cert",
    "Purpose",
    "RAND_add",
    "RAND_bytes",
    "RAND_status",
    "SSLCertVerificationError",
    "SSLContext",
    "SSLEOFError",
    "SSLError",
    "SSLErrorNumber",
    "SSLObject",
    "SSLSession",
    "SSLSocket",
    "SSLSyscallError",
    "SSLWantReadError",
    "SSLWantWriteError",
    "SSLZeroReturnError",
    "TLSVersion",
    "VerifyFlags",
    "VerifyMode",
    "cert_time_to_seconds",
    "create_default_context",
    "extract_from_ssl",
    "get_default_verify_paths",
    "get_protocol_name",
    "get_server_certificate",
    "inject_into_ssl",
    "is_injected",
    *_enum_names,
]
