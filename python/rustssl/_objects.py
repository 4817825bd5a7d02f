"""``SSLObject`` and ``SSLSocket``.

Both delegate every TLS operation to one ``_ssl._SSLSocket`` in ``_sslobj``,
as CPython's do, so the two answer introspection calls with the same code.
For ``SSLSocket`` that object reads and writes the file descriptor itself,
with the GIL released; no socket data passes through Python.
"""

from __future__ import annotations

import errno
import socket as _socket
import sys
from _socket import socket as _CSocket

from rustssl._enums import SSLErrorNumber
from rustssl._exceptions import SSLError, _PostHandshakeAuthUnsupported

# Annotations only: `typing` (and the `re` it pulls in) stays out of the import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

_SSL_ERROR_EOF = SSLErrorNumber.SSL_ERROR_EOF
#: The C socket's own ``family`` and ``type`` attributes (plain ints).
_SOCKET_FAMILY: Any = vars(_CSocket)["family"]
_SOCKET_TYPE: Any = vars(_CSocket)["type"]

# SSLSocket/SSLObject.get_(un)verified_chain are public from 3.13 on. Before
# that only ``_sslobj`` has them, returning ``_ssl.Certificate`` objects, and
# libraries rely on it: truststore (pip's default) walks ``._sslobj`` until
# ``hasattr(obj, "get_unverified_chain")`` and, before 3.13, calls
# ``public_bytes()`` on what it returns.
_HAS_PUBLIC_CHAINS = sys.version_info >= (3, 13)


def _verify_client_post_handshake(sslobj: Any) -> None:
    try:
        sslobj.verify_client_post_handshake()
    except NotImplementedError as e:
        raise _PostHandshakeAuthUnsupported(1, str(e)) from None


def _chain_bytes(chain: list[Any] | None) -> list[bytes]:
    return [] if chain is None else [cert.public_bytes(2) for cert in chain]


class SSLObject:
    """A TLS connection over two memory BIOs, with no socket of its own."""

    _sslobj: Any

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            f"{self.__class__.__name__} does not have a public constructor. "
            "Instances are returned by SSLContext.wrap_bio()."
        )

    @classmethod
    def _create(
        cls,
        incoming: Any,
        outgoing: Any,
        server_side: bool = False,
        server_hostname: str | None = None,
        session: Any = None,
        context: Any = None,
    ) -> SSLObject:
        self = cls.__new__(cls)
        self._sslobj = context._wrap_bio(
            incoming,
            outgoing,
            server_side=server_side,
            server_hostname=server_hostname,
            owner=self,
            session=session,
        )
        return self

    @property
    def context(self) -> Any:
        """The ``SSLContext`` this object uses."""
        return self._sslobj.context

    @context.setter
    def context(self, ctx: Any) -> None:
        self._sslobj.context = ctx

    @property
    def session(self) -> Any:
        """The TLS session, for resumption."""
        return self._sslobj.session

    @session.setter
    def session(self, session: Any) -> None:
        self._sslobj.session = session

    @property
    def session_reused(self) -> bool:
        """Whether the handshake resumed an earlier session."""
        return self._sslobj.session_reused

    @property
    def server_side(self) -> bool:
        """Whether this is the server end."""
        return self._sslobj.server_side

    @property
    def server_hostname(self) -> str | None:
        """The host name the client connects to."""
        return self._sslobj.server_hostname

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        """Reads up to ``len`` bytes, or into ``buffer`` returning the count."""
        if buffer is not None:
            return self._sslobj.read(len, buffer)
        return self._sslobj.read(len)

    def write(self, data: Any) -> int:
        """Encrypts all of ``data``; returns its length."""
        return self._sslobj.write(data)

    def getpeercert(self, binary_form: bool = False) -> Any:
        """The peer certificate as a dict, as DER bytes, or None."""
        return self._sslobj.getpeercert(binary_form)

    if _HAS_PUBLIC_CHAINS:

        def get_verified_chain(self) -> list[bytes]:
            """The verified chain, leaf first, as DER bytes."""
            return _chain_bytes(self._sslobj.get_verified_chain())

        def get_unverified_chain(self) -> list[bytes]:
            """The chain as the peer sent it, as DER bytes."""
            return _chain_bytes(self._sslobj.get_unverified_chain())

    def selected_npn_protocol(self) -> None:
        """Always None: NPN is not supported."""
        return None

    def selected_alpn_protocol(self) -> str | None:
        """The negotiated ALPN protocol."""
        return self._sslobj.selected_alpn_protocol()

    def cipher(self) -> tuple[str, str, int] | None:
        """``(name, protocol, secret_bits)`` of the negotiated suite."""
        return self._sslobj.cipher()

    def shared_ciphers(self) -> list[tuple[str, str, int]] | None:
        """Suites offered by the client that this server also enables."""
        return self._sslobj.shared_ciphers()

    def compression(self) -> None:
        """Always None: TLS compression is never used."""
        return self._sslobj.compression()

    def pending(self) -> int:
        """Decrypted bytes ready to read."""
        return self._sslobj.pending()

    def do_handshake(self) -> None:
        """Performs the handshake; raises ``SSLWantReadError`` until the peer's data arrives."""
        self._sslobj.do_handshake()

    def unwrap(self) -> None:
        """Sends close_notify and completes the shutdown."""
        return self._sslobj.shutdown()

    def get_channel_binding(self, cb_type: str = "tls-unique") -> bytes | None:
        """Channel binding data of ``cb_type``."""
        return self._sslobj.get_channel_binding(cb_type)

    def version(self) -> str | None:
        """The negotiated protocol version."""
        return self._sslobj.version()

    def verify_client_post_handshake(self) -> None:
        """Post-handshake authentication: not supported by rustls."""
        return _verify_client_post_handshake(self._sslobj)


class SSLSocket(_socket.socket):
    """A socket whose data is encrypted with TLS."""

    _sslobj: Any
    _context: Any
    _session: Any
    _connected: bool
    server_side: bool
    server_hostname: str | None
    do_handshake_on_connect: bool
    suppress_ragged_eofs: bool

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        raise TypeError(
            f"{self.__class__.__name__} does not have a public constructor. "
            "Instances are returned by SSLContext.wrap_socket()."
        )

    @classmethod
    def _create(
        cls,
        sock: _socket.socket,
        server_side: bool = False,
        do_handshake_on_connect: bool = True,
        suppress_ragged_eofs: bool = True,
        server_hostname: str | bytes | None = None,
        context: Any = None,
        session: Any = None,
    ) -> SSLSocket:
        if sock.getsockopt(_socket.SOL_SOCKET, _socket.SO_TYPE) != _socket.SOCK_STREAM:
            raise NotImplementedError("only stream sockets are supported")
        if server_side:
            if server_hostname:
                raise ValueError("server_hostname can only be specified in client mode")
            if session is not None:
                raise ValueError("session can only be specified in client mode")
        if context.check_hostname and not server_hostname:
            raise ValueError("check_hostname requires server_hostname")

        if isinstance(sock, _CSocket):
            # The C socket's own ints: socket.socket's properties would make
            # enums of them, which the socket made below makes again anyway.
            family, kind = _SOCKET_FAMILY.__get__(sock), _SOCKET_TYPE.__get__(sock)
        else:
            family, kind = sock.family, sock.type
        kwargs = dict(family=family, type=kind, proto=sock.proto, fileno=sock.fileno())
        self = cls.__new__(cls, **kwargs)
        super(SSLSocket, self).__init__(**kwargs)
        timeout = sock.gettimeout()
        sock.detach()
        # From here this socket owns the descriptor: any failure (a host name
        # that does not encode, a failed handshake) closes it, as 3.13 does,
        # so nothing is left for a ResourceWarning.
        try:
            self._context = context
            self._session = session
            self._closed = False  # type: ignore[attr-defined]
            self._sslobj = None
            self.server_side = server_side
            self.server_hostname = context._encode_hostname(server_hostname)
            self.do_handshake_on_connect = do_handshake_on_connect
            self.suppress_ragged_eofs = suppress_ragged_eofs

            connected = self._probe_connected()
            self.settimeout(timeout)
            self._connected = connected
            if connected:
                self._sslobj = context._wrap_socket(
                    self, server_side, self.server_hostname, owner=self, session=session
                )
                if do_handshake_on_connect:
                    if self.gettimeout() == 0.0:
                        raise ValueError(
                            "do_handshake_on_connect should not be specified "
                            "for non-blocking sockets"
                        )
                    self.do_handshake()
        except BaseException:
            try:
                self.close()
            except OSError:
                pass
            raise
        return self

    def _probe_connected(self) -> bool:
        """Whether the socket is connected; refuses one that already holds plaintext."""
        try:
            self.getpeername()
            return True
        except OSError as e:
            if e.errno != errno.ENOTCONN:
                raise
        # Not connected: any byte already queued did not come through TLS.
        blocking = self.getblocking()
        self.setblocking(False)
        try:
            early = super().recv(1)
        except OSError as e:
            if e.errno not in (errno.ENOTCONN, errno.EINVAL):
                raise
            early = b""
        finally:
            self.setblocking(blocking)
        if early:
            reason = "Closed before TLS handshake with data in recv buffer."
            error = SSLError(errno.ENOTCONN, reason)
            error.reason = reason
            error.library = None
            try:
                self.close()
            except OSError:
                pass
            raise error
        return False

    # -- timeouts: the Rust side keeps a copy, so every change is forwarded.

    def settimeout(self, value: float | None) -> None:
        super().settimeout(value)
        sslobj = getattr(self, "_sslobj", None)
        if sslobj is not None:
            sslobj._set_timeout(super().gettimeout())

    def setblocking(self, flag: bool) -> None:
        super().setblocking(flag)
        sslobj = getattr(self, "_sslobj", None)
        if sslobj is not None:
            sslobj._set_timeout(super().gettimeout())

    # -- attributes shared with SSLObject

    @property
    def context(self) -> Any:
        """The ``SSLContext`` this socket uses."""
        return self._context

    @context.setter
    def context(self, ctx: Any) -> None:
        self._context = ctx
        self._sslobj.context = ctx

    @property
    def session(self) -> Any:
        """The TLS session, for resumption."""
        if self._sslobj is not None:
            return self._sslobj.session
        return None

    @session.setter
    def session(self, session: Any) -> None:
        self._session = session
        if self._sslobj is not None:
            self._sslobj.session = session

    @property
    def session_reused(self) -> bool | None:
        """Whether the handshake resumed an earlier session."""
        if self._sslobj is not None:
            return self._sslobj.session_reused
        return None

    def dup(self) -> SSLSocket:
        raise NotImplementedError(f"Can't dup() {self.__class__.__name__} instances")

    def _checkClosed(self, msg: str | None = None) -> None:
        # Kept for compatibility with code that overrides it, as in CPython.
        pass

    def _check_connected(self) -> None:
        if not self._connected:
            # Raises ENOTCONN if the socket really is not connected.
            self.getpeername()

    # -- data

    def read(self, len: int = 1024, buffer: Any = None) -> Any:
        """Reads up to ``len`` bytes; returns b'' (or 0) at end of stream."""
        self._checkClosed()
        if self._sslobj is None:
            raise ValueError("Read on closed or unwrapped SSL socket.")
        try:
            if buffer is not None:
                return self._sslobj.read(len, buffer)
            return self._sslobj.read(len)
        except SSLError as x:
            if x.args[0] == _SSL_ERROR_EOF and self.suppress_ragged_eofs:
                return 0 if buffer is not None else b""
            raise

    def write(self, data: Any) -> int:
        """Writes all of ``data``; returns its length."""
        self._checkClosed()
        if self._sslobj is None:
            raise ValueError("Write on closed or unwrapped SSL socket.")
        return self._sslobj.write(data)

    def send(self, data: Any, flags: int = 0) -> int:
        self._checkClosed()
        if self._sslobj is None:
            return super().send(data, flags)
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to send() on {self.__class__}")
        return self._sslobj.write(data)

    def sendto(self, data: Any, flags_or_addr: Any, addr: Any = None) -> int:
        self._checkClosed()
        if self._sslobj is not None:
            raise ValueError(f"sendto not allowed on instances of {self.__class__}")
        if addr is None:
            return super().sendto(data, flags_or_addr)
        return super().sendto(data, flags_or_addr, addr)

    def sendmsg(self, *args: Any, **kwargs: Any) -> int:
        raise NotImplementedError(f"sendmsg not allowed on instances of {self.__class__}")

    def sendall(self, data: Any, flags: int = 0) -> None:
        self._checkClosed()
        if self._sslobj is None:
            return super().sendall(data, flags)
        if flags != 0:
            raise ValueError(
                f"non-zero flags not allowed in calls to sendall() on {self.__class__}"
            )
        sslobj = self._sslobj
        sent = 0
        # The usual arguments, whose size in bytes is at hand, go to the glue
        # as they are: one write takes all of it on a blocking socket. Other
        # objects, and whatever one write left, go through the byte view
        # below, whose errors are the stdlib's.
        cls = data.__class__
        if cls is bytes or cls is bytearray or (cls is memoryview and data.c_contiguous):
            total = data.nbytes if cls is memoryview else len(data)
            if total == 0:
                return None
            sent = sslobj.write(data)
            if sent >= total:
                return None
        with memoryview(data) as view, view.cast("B") as raw:
            total = len(raw)
            while sent < total:
                sent += sslobj.write(raw[sent:] if sent else raw)
        return None

    def sendfile(self, file: Any, offset: int = 0, count: int | None = None) -> int:
        """Sends a file; TLS needs the data in user space, so this uses ``send()``."""
        if self._sslobj is not None:
            return self._sendfile_use_send(file, offset, count)  # type: ignore[attr-defined]
        return super().sendfile(file, offset, count)

    def recv(self, buflen: int = 1024, flags: int = 0) -> bytes:
        self._checkClosed()
        sslobj = self._sslobj
        if sslobj is None:
            return super().recv(buflen, flags)
        if flags != 0:
            raise ValueError(f"non-zero flags not allowed in calls to recv() on {self.__class__}")
        try:
            return sslobj.read(buflen)
        except SSLError as x:
            if x.args[0] == _SSL_ERROR_EOF and self.suppress_ragged_eofs:
                return b""
            raise

    def recv_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> int:
        self._checkClosed()
        sslobj = self._sslobj
        if nbytes is None:
            # Bytes, not items: an array('I') of 2 holds 8 bytes. The usual
            # buffers say so without a view made for it.
            cls = buffer.__class__
            if cls is bytearray:
                nbytes = len(buffer) or 1024
            elif cls is memoryview:
                nbytes = buffer.nbytes or 1024
            elif buffer is not None:
                with memoryview(buffer) as view:
                    nbytes = view.nbytes or 1024
            else:
                nbytes = 1024
        if sslobj is None:
            return super().recv_into(buffer, nbytes, flags)
        if flags != 0:
            raise ValueError(
                f"non-zero flags not allowed in calls to recv_into() on {self.__class__}"
            )
        try:
            return sslobj.read(nbytes, buffer)
        except SSLError as x:
            if x.args[0] == _SSL_ERROR_EOF and self.suppress_ragged_eofs:
                return 0
            raise

    def recvfrom(self, buflen: int = 1024, flags: int = 0) -> Any:
        self._checkClosed()
        if self._sslobj is not None:
            raise ValueError(f"recvfrom not allowed on instances of {self.__class__}")
        return super().recvfrom(buflen, flags)

    def recvfrom_into(self, buffer: Any, nbytes: int | None = None, flags: int = 0) -> Any:
        self._checkClosed()
        if self._sslobj is not None:
            raise ValueError(f"recvfrom_into not allowed on instances of {self.__class__}")
        return super().recvfrom_into(buffer, nbytes or 0, flags)

    def recvmsg(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"recvmsg not allowed on instances of {self.__class__}")

    def recvmsg_into(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f"recvmsg_into not allowed on instances of {self.__class__}")

    def pending(self) -> int:
        """Decrypted bytes ready to read without touching the socket."""
        self._checkClosed()
        if self._sslobj is not None:
            return self._sslobj.pending()
        return 0

    # -- introspection

    def getpeercert(self, binary_form: bool = False) -> Any:
        self._checkClosed()
        self._check_connected()
        return self._sslobj.getpeercert(binary_form)

    if _HAS_PUBLIC_CHAINS:

        def get_verified_chain(self) -> list[bytes]:
            """The verified chain, leaf first, as DER bytes."""
            if self._sslobj is None:
                return []
            return _chain_bytes(self._sslobj.get_verified_chain())

        def get_unverified_chain(self) -> list[bytes]:
            """The chain as the peer sent it, as DER bytes."""
            if self._sslobj is None:
                return []
            return _chain_bytes(self._sslobj.get_unverified_chain())

    def selected_npn_protocol(self) -> None:
        self._checkClosed()
        return None

    def selected_alpn_protocol(self) -> str | None:
        self._checkClosed()
        if self._sslobj is None:
            return None
        return self._sslobj.selected_alpn_protocol()

    def cipher(self) -> tuple[str, str, int] | None:
        self._checkClosed()
        if self._sslobj is None:
            return None
        return self._sslobj.cipher()

    def shared_ciphers(self) -> list[tuple[str, str, int]] | None:
        self._checkClosed()
        if self._sslobj is None:
            return None
        return self._sslobj.shared_ciphers()

    def compression(self) -> None:
        self._checkClosed()
        return None

    def get_channel_binding(self, cb_type: str = "tls-unique") -> bytes | None:
        if self._sslobj is not None:
            return self._sslobj.get_channel_binding(cb_type)
        from rustssl import CHANNEL_BINDING_TYPES

        if cb_type not in CHANNEL_BINDING_TYPES:
            raise ValueError(f"{cb_type} channel binding type not implemented")
        return None

    def version(self) -> str | None:
        self._checkClosed()
        if self._sslobj is None:
            return None
        return self._sslobj.version()

    def verify_client_post_handshake(self) -> None:
        if self._sslobj is None:
            raise ValueError("No SSL wrapper around " + str(self))
        return _verify_client_post_handshake(self._sslobj)

    # -- connection life cycle

    def do_handshake(self, block: bool = False) -> None:
        self._check_connected()
        timeout = self.gettimeout()
        try:
            if timeout == 0.0 and block:
                self.settimeout(None)
            self._sslobj.do_handshake()
        finally:
            self.settimeout(timeout)

    def _real_connect(self, addr: Any, connect_ex: bool) -> int | None:
        if self.server_side:
            raise ValueError("can't connect in server-side mode")
        if self._connected or self._sslobj is not None:
            raise ValueError("attempt to connect already-connected SSLSocket!")
        self._sslobj = self.context._wrap_socket(
            self, False, self.server_hostname, owner=self, session=self._session
        )
        try:
            if connect_ex:
                rc = super().connect_ex(addr)
            else:
                rc = None
                super().connect(addr)
            if not rc:
                self._connected = True
                if self.do_handshake_on_connect:
                    self.do_handshake()
            return rc
        except (OSError, ValueError):
            self._sslobj = None
            raise

    def connect(self, addr: Any) -> None:
        """Connects, then performs the handshake if ``do_handshake_on_connect``."""
        self._real_connect(addr, False)

    def connect_ex(self, addr: Any) -> int:
        """Like ``connect()``, but returns an error code instead of raising OSError."""
        return self._real_connect(addr, True)  # type: ignore[return-value]

    def accept(self) -> tuple[SSLSocket, Any]:
        """Accepts a connection and wraps it with this socket's context, server side."""
        newsock, addr = super().accept()
        wrapped = self.context.wrap_socket(
            newsock,
            do_handshake_on_connect=self.do_handshake_on_connect,
            suppress_ragged_eofs=self.suppress_ragged_eofs,
            server_side=True,
        )
        return wrapped, addr

    def unwrap(self) -> Any:
        """Ends TLS (close_notify both ways) and returns the socket for plaintext use."""
        if not self._sslobj:
            raise ValueError("No SSL wrapper around " + str(self))
        plain = self._sslobj.shutdown()
        self._sslobj = None
        return plain

    def shutdown(self, how: int) -> None:
        self._checkClosed()
        self._sslobj = None
        super().shutdown(how)

    def detach(self) -> int:
        if self._sslobj is not None:
            self._sslobj._release_fd()
        return super().detach()

    def _real_close(self) -> None:
        if self._sslobj is not None:
            self._sslobj._release_fd()
        self._sslobj = None
        super()._real_close()  # type: ignore[misc]
