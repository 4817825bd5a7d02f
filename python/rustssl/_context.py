"""``SSLContext`` and the context factories."""

from __future__ import annotations

import os
import sys
import warnings
from collections import namedtuple
from collections.abc import Callable, Iterable
from enum import Enum

from rustssl import _ssl
from rustssl._enums import (
    Options,
    TLSVersion,
    VerifyFlags,
    VerifyMode,
    _SSLMethod,
)
from rustssl._exceptions import SSLError
from rustssl._ssl import _SSLContext

# Annotations only: `typing` (and the `re` it pulls in) stays out of the import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

CERT_NONE = VerifyMode.CERT_NONE
PROTOCOL_TLS_CLIENT = _SSLMethod.PROTOCOL_TLS_CLIENT
PROTOCOL_TLS_SERVER = _SSLMethod.PROTOCOL_TLS_SERVER
_DEPRECATED_PROTOCOLS = {
    _SSLMethod.PROTOCOL_TLS,
    _SSLMethod.PROTOCOL_TLSv1,
    _SSLMethod.PROTOCOL_TLSv1_1,
    _SSLMethod.PROTOCOL_TLSv1_2,
}
# Setting any of these option bits (when not already set) is deprecated.
_DEPRECATED_OPTIONS = (
    Options.OP_NO_SSLv2
    | Options.OP_NO_SSLv3
    | Options.OP_NO_TLSv1
    | Options.OP_NO_TLSv1_1
    | Options.OP_NO_TLSv1_2
    | Options.OP_NO_TLSv1_3
)
#: Host names (str) already converted by ``_encode_hostname``, and their
#: result: a pure function of the name. Failures are not kept.
_ENCODED_HOSTNAMES: dict[str, str] = {}
_ENCODED_HOSTNAMES_MAX = 1024
# minimum_version/maximum_version values that are deprecated.
_DEPRECATED_VERSIONS = (TLSVersion.SSLv3, TLSVersion.TLSv1, TLSVersion.TLSv1_1)


def _warn_deprecated_version(context: Any, value: object, stacklevel: int = 3) -> None:
    """Warns when ``value`` is a deprecated TLS version (``context`` is unused)."""
    # Raw ints warn too; non-ints are left to the setter's own type check.
    for version in _DEPRECATED_VERSIONS:
        if isinstance(value, int) and value == version:
            warnings.warn(
                f"ssl.TLSVersion.{version.name} is deprecated",
                category=DeprecationWarning,
                stacklevel=stacklevel,
            )
            return


def _verify_mode(value: int) -> VerifyMode | int:
    try:
        return VerifyMode(value)
    except ValueError:
        return value


def _before_minimum_version(context: Any, value: object) -> None:
    _warn_deprecated_version(context, value, stacklevel=4)
    if value == TLSVersion.SSLv3:
        context.options &= ~Options.OP_NO_SSLv3


def _before_options(context: Any, value: object) -> None:
    # Only bits being turned on warn; non-ints fail in the setter below.
    current: int = getattr(_SSLContext, "options").__get__(context)  # noqa: B009
    if isinstance(value, int) and ~current & value & _DEPRECATED_OPTIONS:
        warnings.warn(
            "ssl.OP_NO_SSL*/ssl.OP_NO_TLS* options are deprecated",
            category=DeprecationWarning,
            stacklevel=3,
        )


def _setting(
    name: str,
    wrap: Callable[[int], Any],
    before_set: Callable[[Any, object], None] | None = None,
) -> Any:
    """A property over ``_SSLContext``'s own ``name``, read as ``wrap(value)``.

    ``before_set`` runs first on a write (deprecation warnings, whose
    ``stacklevel`` counts it, this setter and the caller); the glue then
    converts the value and the core validates and stores it.
    """
    base = getattr(_SSLContext, name)

    def fget(self: Any) -> Any:
        return wrap(base.__get__(self))

    def fset(self: Any, value: Any) -> None:
        if before_set is not None:
            before_set(self, value)
        base.__set__(self, value)

    return property(fget, fset, doc=base.__doc__)


class _ASN1Object(namedtuple("_ASN1Object", "nid shortname longname oid")):
    """An ASN.1 object identifier with OpenSSL's NID and names."""

    __slots__ = ()

    def __new__(cls, oid: str) -> _ASN1Object:
        return super().__new__(cls, *_ssl.txt2obj(oid, name=False))

    @classmethod
    def fromnid(cls, nid: int) -> _ASN1Object:
        """The object with OpenSSL numeric id ``nid``."""
        return super().__new__(cls, *_ssl.nid2obj(nid))

    @classmethod
    def fromname(cls, name: str) -> _ASN1Object:
        """The object with short name, long name or dotted OID ``name``."""
        return super().__new__(cls, *_ssl.txt2obj(name, name=True))


class Purpose(_ASN1Object, Enum):
    """What a context's certificates are for: authenticating servers or clients."""

    SERVER_AUTH = "1.3.6.1.5.5.7.3.1"
    CLIENT_AUTH = "1.3.6.1.5.5.7.3.2"


Purpose.__module__ = "ssl"


class SSLContext(_SSLContext):
    """Settings, certificates and keys shared by many TLS connections."""

    sslsocket_class: Any = None
    sslobject_class: Any = None

    def __new__(cls, protocol: int | None = None, *args: Any, **kwargs: Any) -> SSLContext:
        if protocol is None:
            warnings.warn(
                "ssl.SSLContext() without protocol argument is deprecated.",
                category=DeprecationWarning,
                stacklevel=2,
            )
            protocol = _SSLMethod.PROTOCOL_TLS
        elif protocol in _DEPRECATED_PROTOCOLS:
            warnings.warn(
                f"ssl.{_SSLMethod(protocol).name} is deprecated",
                category=DeprecationWarning,
                stacklevel=2,
            )
        return super().__new__(cls, protocol)

    def _encode_hostname(self, hostname: str | bytes | None) -> str | None:
        if hostname is None:
            return None
        if hostname.__class__ is str:
            # The IDNA codec is Python code; a client names the same few
            # hosts again and again.
            known = _ENCODED_HOSTNAMES.get(hostname)
            if known is not None:
                return known
        if isinstance(hostname, str):
            encoded = hostname.encode("idna").decode("ascii")
        else:
            encoded = hostname.decode("ascii")
        # The glue's "es" conversion (no NUL), checked now rather than when
        # the socket connects, as rustssl always has.
        result: str = _ssl._encoded_hostname(encoded)
        if hostname.__class__ is str:
            if len(_ENCODED_HOSTNAMES) >= _ENCODED_HOSTNAMES_MAX:
                _ENCODED_HOSTNAMES.clear()
            _ENCODED_HOSTNAMES[hostname] = result
        return result

    def wrap_socket(
        self,
        sock: Any,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: str | bytes | None = None,
        session: Any = None,
    ) -> Any:
        """Wraps a connected or unconnected stream socket in an ``SSLSocket``."""
        return self.sslsocket_class._create(
            sock=sock,
            server_side=server_side,
            do_handshake_on_connect=do_handshake_on_connect,
            suppress_ragged_eofs=suppress_ragged_eofs,
            server_hostname=server_hostname,
            context=self,
            session=session,
        )

    def wrap_bio(
        self,
        incoming: Any,
        outgoing: Any,
        server_side: bool = False,
        server_hostname: str | bytes | None = None,
        session: Any = None,
    ) -> Any:
        """Creates an ``SSLObject`` that moves ciphertext through two memory BIOs."""
        return self.sslobject_class._create(
            incoming,
            outgoing,
            server_side=server_side,
            server_hostname=self._encode_hostname(server_hostname),
            session=session,
            context=self,
        )

    def set_npn_protocols(self, npn_protocols: Iterable[str]) -> None:
        """NPN is not available: rustls implements only its successor, ALPN."""
        warnings.warn("ssl NPN is deprecated, use ALPN instead", DeprecationWarning, stacklevel=2)
        raise NotImplementedError("NPN is not supported by rustssl (rustls has only ALPN)")

    def set_servername_callback(self, server_name_callback: Callable[..., Any] | None) -> None:
        """Legacy form of ``sni_callback``: the server name is passed IDNA-encoded."""
        if server_name_callback is None:
            self.sni_callback = None
            return
        if not callable(server_name_callback):
            raise TypeError("not a callable object")

        def shim(sslobj: Any, servername: str | None, sslctx: SSLContext) -> Any:
            return server_name_callback(sslobj, self._encode_hostname(servername), sslctx)

        self.sni_callback = shim

    def set_alpn_protocols(self, alpn_protocols: Iterable[str]) -> None:
        """Sets the ALPN protocols to offer or accept, in preference order."""
        wire = bytearray()
        for protocol in alpn_protocols:
            encoded = bytes(protocol, "ascii")
            if not 0 < len(encoded) < 256:
                raise SSLError("ALPN protocols must be 1 to 255 in length")
            wire.append(len(encoded))
            wire.extend(encoded)
        self._set_alpn_protocols(wire)

    def load_default_certs(self, purpose: Any = Purpose.SERVER_AUTH) -> None:
        """Trusts the operating system's certificate store."""
        if not isinstance(purpose, _ASN1Object):
            raise TypeError(purpose)
        self.set_default_verify_paths()

    @property
    def _msg_callback(self) -> Callable[..., Any] | None:
        """CPython's TLS message debugging hook (``SSL_CTX_set_msg_callback``).

        rustls has no message callback, so rustssl stores the callable (and
        checks that it is one, as the stdlib does) but **never calls it**.
        """
        callback: Callable[..., Any] | None = self.__dict__.get("_msg_callback_fn")
        return callback

    @_msg_callback.setter
    def _msg_callback(self, callback: Callable[..., Any] | None) -> None:
        if callback is not None and not callable(callback):
            raise TypeError(f"{callback!r} is not callable.")
        self.__dict__["_msg_callback_fn"] = callback

    minimum_version = _setting("minimum_version", TLSVersion, _before_minimum_version)
    maximum_version = _setting("maximum_version", TLSVersion, _warn_deprecated_version)
    options = _setting("options", Options, _before_options)

    @property
    def hostname_checks_common_name(self) -> bool:
        return not self._host_flags & _ssl.HOSTFLAG_NEVER_CHECK_SUBJECT

    @hostname_checks_common_name.setter
    def hostname_checks_common_name(self, value: bool) -> None:
        if value:
            self._host_flags &= ~_ssl.HOSTFLAG_NEVER_CHECK_SUBJECT
        else:
            self._host_flags |= _ssl.HOSTFLAG_NEVER_CHECK_SUBJECT

    @property
    def protocol(self) -> _SSLMethod:
        return _SSLMethod(super().protocol)

    verify_flags = _setting("verify_flags", VerifyFlags)
    verify_mode = _setting("verify_mode", _verify_mode)


def _finish_context(
    context: SSLContext, purpose: Any, cafile: Any, capath: Any, cadata: Any
) -> SSLContext:
    """The factories' common end: trust what was given (else, when
    verifying, the system store), and log keys where ``SSLKEYLOGFILE`` says."""
    if cafile or capath or cadata:
        context.load_verify_locations(cafile, capath, cadata)
    elif context.verify_mode != CERT_NONE:
        context.load_default_certs(purpose)
    if hasattr(context, "keylog_filename"):
        keylogfile = os.environ.get("SSLKEYLOGFILE")
        if keylogfile and not sys.flags.ignore_environment:
            context.keylog_filename = keylogfile
    return context


def _public() -> Any:
    """The public ``rustssl`` module, to look names up in at call time.

    CPython's ssl.py is one module, so its helpers find ``SSLContext`` (and
    each other) in the module's globals when they run. Monkey-patchers such
    as gevent's ``patch_all()`` and truststore's ``inject_into_ssl()`` rely
    on that: they replace ``ssl.SSLContext`` on the module. rustssl's helpers
    live in submodules, so they look the names up on the public module, which
    is also ``sys.modules['ssl']`` while rustssl is injected (the module the
    patchers change).
    """
    import rustssl

    return rustssl


def _protocol_for(purpose: Any, protocol: int | None = None) -> int:
    """``protocol``, else the side ``purpose`` stands for; CPython's errors for a bad purpose."""
    if not isinstance(purpose, _ASN1Object):
        raise TypeError(purpose)
    if purpose == Purpose.SERVER_AUTH:
        default = PROTOCOL_TLS_CLIENT
    elif purpose == Purpose.CLIENT_AUTH:
        default = PROTOCOL_TLS_SERVER
    else:
        raise ValueError(purpose)
    return default if protocol is None else protocol


def create_default_context(
    purpose: Any = Purpose.SERVER_AUTH,
    *,
    cafile: Any = None,
    capath: Any = None,
    cadata: Any = None,
) -> SSLContext:
    """A context with secure defaults for ``purpose``, as the running Python's stdlib makes."""
    context = _public().SSLContext(_protocol_for(purpose))
    if sys.version_info >= (3, 13):
        # 3.13 verifies strictly and lets an intermediate in the store end a
        # chain; earlier versions do neither (their test CAs rely on it).
        context.verify_flags |= (
            VerifyFlags.VERIFY_X509_PARTIAL_CHAIN | VerifyFlags.VERIFY_X509_STRICT
        )
    return _finish_context(context, purpose, cafile, capath, cadata)


def _create_unverified_context(
    protocol: int | None = None,
    *,
    cert_reqs: int = CERT_NONE,
    check_hostname: bool = False,
    purpose: Any = Purpose.SERVER_AUTH,
    certfile: Any = None,
    keyfile: Any = None,
    cafile: Any = None,
    capath: Any = None,
    cadata: Any = None,
) -> SSLContext:
    """A context for the stdlib's own callers: no verification unless asked for."""
    context = _public().SSLContext(_protocol_for(purpose, protocol))
    context.check_hostname = check_hostname
    if cert_reqs is not None:
        context.verify_mode = cert_reqs
    if check_hostname:
        context.check_hostname = True
    if keyfile and not certfile:
        raise ValueError("certfile must be specified")
    if certfile or keyfile:
        context.load_cert_chain(certfile, keyfile)
    return _finish_context(context, purpose, cafile, capath, cadata)


_create_default_https_context = create_default_context
_create_stdlib_context = _create_unverified_context
