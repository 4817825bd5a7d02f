"""The enums and constants of the ``ssl`` API, built from ``rustssl._ssl``."""

from __future__ import annotations

from enum import Enum, IntEnum, IntFlag
from types import ModuleType
from typing import Any

from rustssl import _ssl


def _members(prefix: str, source: ModuleType = _ssl, strip: bool = False) -> dict[str, int]:
    out = {}
    for name, value in vars(source).items():
        if name.startswith(prefix) and isinstance(value, int) and not isinstance(value, bool):
            out[name[len(prefix) :] if strip else name] = value
    return out


def _build(kind: Any, name: str, members: dict[str, int]) -> Any:
    # The extension lists each canonical name before its aliases
    # (PROTOCOL_TLS before PROTOCOL_SSLv23), so declaration order decides.
    return kind(name, list(members.items()), module="ssl")

_SSLMethod = _build(IntEnum, "_SSLMethod", _members("PROTOCOL_"))
Options = _build(IntFlag, "Options", _members("OP_"))
AlertDescription = _build(IntEnum, "AlertDescription", _members("ALERT_DESCRIPTION_"))
SSLErrorNumber = _build(IntEnum, "SSLErrorNumber", _members("SSL_ERROR_"))
VerifyFlags = _build(IntFlag, "VerifyFlags", _members("VERIFY_"))
VerifyMode = _build(IntEnum, "VerifyMode", _members("CERT_"))


class TLSVersion(IntEnum):
    """TLS versions for ``SSLContext.minimum_version`` and ``maximum_version``."""

    MINIMUM_SUPPORTED = _ssl.PROTO_MINIMUM_SUPPORTED
    SSLv3 = _ssl.PROTO_SSLv3
    TLSv1 = _ssl.PROTO_TLSv1
    TLSv1_1 = _ssl.PROTO_TLSv1_1
    TLSv1_2 = _ssl.PROTO_TLSv1_2
    TLSv1_3 = _ssl.PROTO_TLSv1_3
    MAXIMUM_SUPPORTED = _ssl.PROTO_MAXIMUM_SUPPORTED


TLSVersion.__module__ = "ssl"


class _TLSContentType(IntEnum):
    """Record content types (RFC 8446 section 5.1), plus OpenSSL's pseudo types."""

    CHANGE_CIPHER_SPEC = 20
    ALERT = 21
    HANDSHAKE = 22
    APPLICATION_DATA = 23
    HEADER = 0x100
    INNER_CONTENT_TYPE = 0x101


class _TLSAlertType(IntEnum):
    """Alert descriptions (RFC 8446 section 6)."""

    CLOSE_NOTIFY = 0
    UNEXPECTED_MESSAGE = 10
    BAD_RECORD_MAC = 20
    DECRYPTION_FAILED = 21
    RECORD_OVERFLOW = 22
    DECOMPRESSION_FAILURE = 30
    HANDSHAKE_FAILURE = 40
    NO_CERTIFICATE = 41
    BAD_CERTIFICATE = 42
    UNSUPPORTED_CERTIFICATE = 43
    CERTIFICATE_REVOKED = 44
    CERTIFICATE_EXPIRED = 45
    CERTIFICATE_UNKNOWN = 46
    ILLEGAL_PARAMETER = 47
    UNKNOWN_CA = 48
    ACCESS_DENIED = 49
    DECODE_ERROR = 50
    DECRYPT_ERROR = 51
    EXPORT_RESTRICTION = 60
    PROTOCOL_VERSION = 70
    INSUFFICIENT_SECURITY = 71
    INTERNAL_ERROR = 80
    INAPPROPRIATE_FALLBACK = 86
    USER_CANCELED = 90
    NO_RENEGOTIATION = 100
    MISSING_EXTENSION = 109
    UNSUPPORTED_EXTENSION = 110
    CERTIFICATE_UNOBTAINABLE = 111
    UNRECOGNIZED_NAME = 112
    BAD_CERTIFICATE_STATUS_RESPONSE = 113
    BAD_CERTIFICATE_HASH_VALUE = 114
    UNKNOWN_PSK_IDENTITY = 115
    CERTIFICATE_REQUIRED = 116
    NO_APPLICATION_PROTOCOL = 120


class _TLSMessageType(IntEnum):
    """Handshake message types (RFC 8446 section 4), plus OpenSSL's pseudo type for CCS."""

    HELLO_REQUEST = 0
    CLIENT_HELLO = 1
    SERVER_HELLO = 2
    HELLO_VERIFY_REQUEST = 3
    NEWSESSION_TICKET = 4
    END_OF_EARLY_DATA = 5
    HELLO_RETRY_REQUEST = 6
    ENCRYPTED_EXTENSIONS = 8
    CERTIFICATE = 11
    SERVER_KEY_EXCHANGE = 12
    CERTIFICATE_REQUEST = 13
    SERVER_DONE = 14
    CERTIFICATE_VERIFY = 15
    CLIENT_KEY_EXCHANGE = 16
    FINISHED = 20
    CERTIFICATE_URL = 21
    CERTIFICATE_STATUS = 22
    SUPPLEMENTAL_DATA = 23
    KEY_UPDATE = 24
    NEXT_PROTO = 67
    MESSAGE_HASH = 254
    CHANGE_CIPHER_SPEC = 0x0101


#: Names of the enum members that the module also exports as constants.
EXPORTED_MEMBERS: dict[str, Any] = {}
for _enum in (_SSLMethod, Options, AlertDescription, SSLErrorNumber, VerifyFlags, VerifyMode):
    EXPORTED_MEMBERS.update(_enum.__members__)
del _enum

__all__ = [
    "EXPORTED_MEMBERS",
    "AlertDescription",
    "Enum",
    "Options",
    "SSLErrorNumber",
    "TLSVersion",
    "VerifyFlags",
    "VerifyMode",
    "_SSLMethod",
    "_TLSAlertType",
    "_TLSContentType",
    "_TLSMessageType",
]
