"""Type stubs for ``rustssl._ssl``, the extension module that stands in for ``_ssl``."""

import sys
from collections.abc import Callable
from os import PathLike
from typing import Any, ClassVar, Final, final

from typing_extensions import disjoint_base

from rustssl._exceptions import (
    SSLCertVerificationError as SSLCertVerificationError,
)
from rustssl._exceptions import (
    SSLEOFError as SSLEOFError,
)
from rustssl._exceptions import (
    SSLError as SSLError,
)
from rustssl._exceptions import (
    SSLSyscallError as SSLSyscallError,
)
from rustssl._exceptions import (
    SSLWantReadError as SSLWantReadError,
)
from rustssl._exceptions import (
    SSLWantWriteError as SSLWantWriteError,
)
from rustssl._exceptions import (
    SSLZeroReturnError as SSLZeroReturnError,
)

_Path = str | bytes | PathLike[str] | PathLike[bytes]
_Buffer = bytes | bytearray | memoryview

ALERT_DESCRIPTION_ACCESS_DENIED: Final[int]
ALERT_DESCRIPTION_BAD_CERTIFICATE: Final[int]
ALERT_DESCRIPTION_BAD_CERTIFICATE_HASH_VALUE: Final[int]
ALERT_DESCRIPTION_BAD_CERTIFICATE_STATUS_RESPONSE: Final[int]
ALERT_DESCRIPTION_BAD_RECORD_MAC: Final[int]
ALERT_DESCRIPTION_CERTIFICATE_EXPIRED: Final[int]
ALERT_DESCRIPTION_CERTIFICATE_REVOKED: Final[int]
ALERT_DESCRIPTION_CERTIFICATE_UNKNOWN: Final[int]
ALERT_DESCRIPTION_CERTIFICATE_UNOBTAINABLE: Final[int]
ALERT_DESCRIPTION_CLOSE_NOTIFY: Final[int]
ALERT_DESCRIPTION_DECODE_ERROR: Final[int]
ALERT_DESCRIPTION_DECOMPRESSION_FAILURE: Final[int]
ALERT_DESCRIPTION_DECRYPT_ERROR: Final[int]
ALERT_DESCRIPTION_HANDSHAKE_FAILURE: Final[int]
ALERT_DESCRIPTION_ILLEGAL_PARAMETER: Final[int]
ALERT_DESCRIPTION_INSUFFICIENT_SECURITY: Final[int]
ALERT_DESCRIPTION_INTERNAL_ERROR: Final[int]
ALERT_DESCRIPTION_NO_RENEGOTIATION: Final[int]
ALERT_DESCRIPTION_PROTOCOL_VERSION: Final[int]
ALERT_DESCRIPTION_RECORD_OVERFLOW: Final[int]
ALERT_DESCRIPTION_UNEXPECTED_MESSAGE: Final[int]
ALERT_DESCRIPTION_UNKNOWN_CA: Final[int]
ALERT_DESCRIPTION_UNKNOWN_PSK_IDENTITY: Final[int]
ALERT_DESCRIPTION_UNRECOGNIZED_NAME: Final[int]
ALERT_DESCRIPTION_UNSUPPORTED_CERTIFICATE: Final[int]
ALERT_DESCRIPTION_UNSUPPORTED_EXTENSION: Final[int]
ALERT_DESCRIPTION_USER_CANCELLED: Final[int]
CERT_NONE: Final[int]
CERT_OPTIONAL: Final[int]
CERT_REQUIRED: Final[int]
ENCODING_DER: Final[int]
ENCODING_PEM: Final[int]
HOSTFLAG_ALWAYS_CHECK_SUBJECT: Final[int]
HOSTFLAG_MULTI_LABEL_WILDCARDS: Final[int]
HOSTFLAG_NEVER_CHECK_SUBJECT: Final[int]
HOSTFLAG_NO_PARTIAL_WILDCARDS: Final[int]
HOSTFLAG_NO_WILDCARDS: Final[int]
HOSTFLAG_SINGLE_LABEL_SUBDOMAINS: Final[int]
OP_ALL: Final[int]
OP_CIPHER_SERVER_PREFERENCE: Final[int]
OP_ENABLE_MIDDLEBOX_COMPAT: Final[int]
OP_IGNORE_UNEXPECTED_EOF: Final[int]
OP_NO_COMPRESSION: Final[int]
OP_NO_RENEGOTIATION: Final[int]
OP_NO_SSLv2: Final[int]
OP_NO_SSLv3: Final[int]
OP_NO_TICKET: Final[int]
OP_NO_TLSv1: Final[int]
OP_NO_TLSv1_1: Final[int]
OP_NO_TLSv1_2: Final[int]
OP_NO_TLSv1_3: Final[int]
OP_SINGLE_DH_USE: Final[int]
OP_SINGLE_ECDH_USE: Final[int]
PROTOCOL_TLS: Final[int]
PROTOCOL_SSLv23: Final[int]
PROTOCOL_TLSv1: Final[int]
PROTOCOL_TLSv1_1: Final[int]
PROTOCOL_TLSv1_2: Final[int]
PROTOCOL_TLS_CLIENT: Final[int]
PROTOCOL_TLS_SERVER: Final[int]
PROTO_MAXIMUM_SUPPORTED: Final[int]
PROTO_MINIMUM_SUPPORTED: Final[int]
PROTO_SSLv3: Final[int]
PROTO_TLSv1: Final[int]
PROTO_TLSv1_1: Final[int]
PROTO_TLSv1_2: Final[int]
PROTO_TLSv1_3: Final[int]
SSL_ERROR_EOF: Final[int]
SSL_ERROR_INVALID_ERROR_CODE: Final[int]
SSL_ERROR_SSL: Final[int]
SSL_ERROR_SYSCALL: Final[int]
SSL_ERROR_WANT_CONNECT: Final[int]
SSL_ERROR_WANT_READ: Final[int]
SSL_ERROR_WANT_WRITE: Final[int]
SSL_ERROR_WANT_X509_LOOKUP: Final[int]
SSL_ERROR_ZERO_RETURN: Final[int]
VERIFY_ALLOW_PROXY_CERTS: Final[int]
VERIFY_CRL_CHECK_CHAIN: Final[int]
VERIFY_CRL_CHECK_LEAF: Final[int]
VERIFY_DEFAULT: Final[int]
VERIFY_X509_PARTIAL_CHAIN: Final[int]
VERIFY_X509_STRICT: Final[int]
VERIFY_X509_TRUSTED_FIRST: Final[int]
OPENSSL_VERSION_NUMBER: Final[int]
HAS_ALPN: Final[bool]
HAS_ECDH: Final[bool]
HAS_NEVER_CHECK_COMMON_NAME: Final[bool]
HAS_NPN: Final[bool]
HAS_PHA: Final[bool]
HAS_SNI: Final[bool]
HAS_SSLv2: Final[bool]
HAS_SSLv3: Final[bool]
HAS_TLS_UNIQUE: Final[bool]
HAS_TLSv1: Final[bool]
HAS_TLSv1_1: Final[bool]
HAS_TLSv1_2: Final[bool]
HAS_TLSv1_3: Final[bool]
OPENSSL_VERSION: Final[str]
OPENSSL_VERSION_INFO: Final[tuple[int, int, int, int, int]]
_OPENSSL_API_VERSION: Final[tuple[int, int, int, int, int]]
_DEFAULT_CIPHERS: Final[str]
err_codes_to_names: dict[tuple[int, int], str]
err_names_to_codes: dict[str, tuple[int, int]]
lib_codes_to_names: dict[int, str]

def _test_decode_cert(path: _Path) -> dict[str, Any]: ...
def txt2obj(txt: str, name: bool = False) -> tuple[int, str, str, str]: ...
def nid2obj(nid: int) -> tuple[int, str, str, str]: ...
def RAND_bytes(n: int) -> bytes: ...
def RAND_status() -> bool: ...

if sys.version_info < (3, 12):  # the module has it on 3.11 only, as _ssl does
    def RAND_pseudo_bytes(n: int) -> tuple[bytes, bool]: ...

def RAND_add(string: str | _Buffer, entropy: float) -> None: ...
def get_default_verify_paths() -> tuple[str, str, str, str]: ...
def _encoded_hostname(name: str) -> str: ...
def _generate_certificates(
    names: list[str], key_type: str = "ecdsa-p256"
) -> tuple[tuple[str, str], tuple[str, str]]: ...

@final
class MemoryBIO:
    def __new__(cls) -> MemoryBIO: ...
    @property
    def pending(self) -> int: ...
    @property
    def eof(self) -> bool: ...
    def read(self, size: int = ...) -> bytes: ...
    def write(self, data: _Buffer) -> int: ...
    def write_eof(self) -> None: ...

@final
class Certificate:
    def get_info(self) -> dict[str, Any]: ...
    def public_bytes(self, format: int = ...) -> str | bytes: ...

@final
class SSLSession:
    @property
    def has_ticket(self) -> bool: ...
    @property
    def id(self) -> bytes: ...
    @property
    def ticket_lifetime_hint(self) -> int: ...
    @property
    def time(self) -> int: ...
    @property
    def timeout(self) -> int: ...
    def __eq__(self, other: object, /) -> bool: ...
    __hash__: ClassVar[None]  # type: ignore[assignment]

@final
class _SSLSocket:
    context: _SSLContext
    owner: Any
    @property
    def server_side(self) -> bool: ...
    @property
    def server_hostname(self) -> str | None: ...
    @property
    def session(self) -> Any: ...
    @property
    def session_reused(self) -> bool: ...
    def do_handshake(self) -> None: ...
    def read(self, len: int = 1024, buffer: Any = None) -> Any: ...
    def write(self, data: _Buffer) -> int: ...
    def pending(self) -> int: ...
    def shutdown(self) -> Any: ...
    def getpeercert(self, binary_form: bool = False) -> Any: ...
    def get_unverified_chain(self) -> list[Certificate] | None: ...
    def get_verified_chain(self) -> list[Certificate] | None: ...
    def cipher(self) -> tuple[str, str, int] | None: ...
    def version(self) -> str | None: ...
    def selected_alpn_protocol(self) -> str | None: ...
    def compression(self) -> str | None: ...
    def shared_ciphers(self) -> list[tuple[str, str, int]] | None: ...
    def get_channel_binding(self, cb_type: str = "tls-unique") -> bytes | None: ...
    def verify_client_post_handshake(self) -> None: ...
    def _set_timeout(self, timeout: float | None) -> None: ...
    def _release_fd(self) -> None: ...
    def _group(self) -> str | None: ...

@disjoint_base
class _SSLContext:
    check_hostname: bool
    _host_flags: int
    verify_flags: int
    verify_mode: int
    options: int
    minimum_version: int
    maximum_version: int
    num_tickets: int
    post_handshake_auth: bool
    sni_callback: Callable[..., Any] | None
    def __new__(cls, protocol: int) -> Any: ...
    @property
    def protocol(self) -> int: ...
    @property
    def security_level(self) -> int: ...
    def load_cert_chain(
        self, certfile: _Path, keyfile: _Path | None = None, password: Any = None
    ) -> None: ...
    def load_verify_locations(
        self,
        cafile: _Path | None = None,
        capath: _Path | None = None,
        cadata: str | _Buffer | None = None,
    ) -> None: ...
    def load_dh_params(self, path: _Path) -> None: ...
    @property
    def keylog_filename(self) -> str | None: ...
    @keylog_filename.setter
    def keylog_filename(self, value: _Path | None) -> None: ...
    def set_ecdh_curve(self, name: str | bytes) -> None: ...
    if sys.version_info >= (3, 13):
        def set_psk_client_callback(self, _callback: Callable[..., Any] | None) -> None: ...
        def set_psk_server_callback(
            self, _callback: Callable[..., Any] | None, identity_hint: str | None = None
        ) -> None: ...

    def cert_store_stats(self) -> dict[str, int]: ...
    def get_ca_certs(self, binary_form: bool = False) -> list[Any]: ...
    def set_default_verify_paths(self) -> None: ...
    def set_ciphers(self, cipherlist: str) -> None: ...
    def get_ciphers(self) -> list[dict[str, Any]]: ...
    def _set_alpn_protocols(self, protos: _Buffer) -> None: ...
    def session_stats(self) -> dict[str, int]: ...
    def _wrap_socket(
        self,
        sock: Any,
        server_side: bool,
        server_hostname: str | bytes | None = None,
        *,
        owner: Any = None,
        session: Any = None,
    ) -> _SSLSocket: ...
    def _wrap_bio(
        self,
        incoming: Any,
        outgoing: Any,
        server_side: bool,
        server_hostname: str | bytes | None = None,
        *,
        owner: Any = None,
        session: Any = None,
    ) -> _SSLSocket: ...

# Added to the stdlib's _ssl in 3.12 and 3.13; absent before, as there.
if sys.version_info >= (3, 12):
    OP_ENABLE_KTLS: Final[int]
    OP_LEGACY_SERVER_CONNECT: Final[int]
if sys.version_info >= (3, 13):
    HAS_PSK: Final[bool]
