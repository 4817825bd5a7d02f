"""Module-level helpers of the ``ssl`` API: PEM/DER conversion, times, probing a server."""

from __future__ import annotations

import base64
import os
import socket as _socket
import sys
from collections import namedtuple
from time import strptime

from rustssl import _ssl
from rustssl._context import _public
from rustssl._enums import _SSLMethod

# Annotations only: `typing` (and the `re` it pulls in) stays out of the import.
TYPE_CHECKING = False
if TYPE_CHECKING:
    from typing import Any

PEM_HEADER = "-----BEGIN CERTIFICATE-----"
PEM_FOOTER = "-----END CERTIFICATE-----"

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

DefaultVerifyPaths = namedtuple(
    "DefaultVerifyPaths",
    "cafile capath openssl_cafile_env openssl_cafile openssl_capath_env openssl_capath",
)

# Keyed by member, as the stdlib's (test_ssl sorts the keys and uses ``.name``).
_PROTOCOL_NAMES: dict[int, str] = {member: name for name, member in _SSLMethod.__members__.items()}


def get_default_verify_paths() -> DefaultVerifyPaths:
    """The CA file and directory rustssl trusts by default, honouring SSL_CERT_FILE/SSL_CERT_DIR."""
    cafile_env, cafile_default, capath_env, capath_default = _ssl.get_default_verify_paths()
    cafile = os.environ.get(cafile_env, cafile_default)
    capath = os.environ.get(capath_env, capath_default)
    return DefaultVerifyPaths(
        cafile if os.path.isfile(cafile) else None,
        capath if os.path.isdir(capath) else None,
        cafile_env,
        cafile_default,
        capath_env,
        capath_default,
    )


def cert_time_to_seconds(cert_time: str) -> int:
    """Seconds since the epoch for a certificate time such as ``'May  9 00:00:00 2007 GMT'``."""
    time_format = " %d %H:%M:%S %Y GMT"
    try:
        month = _MONTHS.index(cert_time[:3].title()) + 1
    except ValueError:
        raise ValueError(
            f'time data {cert_time!r} does not match format "%b{time_format}"'
        ) from None
    from calendar import timegm

    parsed = strptime(cert_time[3:], time_format)
    return timegm((parsed[0], month, *parsed[2:6]))


def DER_cert_to_PEM_cert(der_cert_bytes: bytes) -> str:
    """A DER certificate as PEM text."""
    encoded = base64.standard_b64encode(der_cert_bytes).decode("ascii")
    lines = [encoded[i : i + 64] for i in range(0, len(encoded), 64)]
    return PEM_HEADER + "\n" + "\n".join(lines) + "\n" + PEM_FOOTER + "\n"


def PEM_cert_to_DER_cert(pem_cert_string: str) -> bytes:
    """A PEM certificate as DER bytes."""
    if not pem_cert_string.startswith(PEM_HEADER):
        raise ValueError(f"Invalid PEM encoding; must start with {PEM_HEADER}")
    if not pem_cert_string.strip().endswith(PEM_FOOTER):
        raise ValueError(f"Invalid PEM encoding; must end with {PEM_FOOTER}")
    body = pem_cert_string.strip()[len(PEM_HEADER) : -len(PEM_FOOTER)]
    return base64.decodebytes(body.encode("ASCII", "strict"))


def get_server_certificate(
    addr: tuple[str, int],
    ssl_version: int = _SSLMethod.PROTOCOL_TLS_CLIENT,
    ca_certs: str | None = None,
    timeout: Any = _socket._GLOBAL_DEFAULT_TIMEOUT,  # type: ignore[attr-defined]
) -> str:
    """The server's certificate as PEM; verified only when ``ca_certs`` is given."""
    host, _port = addr
    cert_reqs = 2 if ca_certs is not None else 0
    context = _public()._create_stdlib_context(ssl_version, cert_reqs=cert_reqs, cafile=ca_certs)
    with _socket.create_connection(addr, timeout=timeout) as sock:
        with context.wrap_socket(sock, server_hostname=host) as sslsock:
            der = sslsock.getpeercert(True)
    return DER_cert_to_PEM_cert(der)


def get_protocol_name(protocol_code: int) -> str:
    """The ``PROTOCOL_*`` name of a protocol constant."""
    return _PROTOCOL_NAMES.get(protocol_code, "<unknown>")


if sys.version_info < (3, 12):
    from rustssl._exceptions import CertificateError

    def _dnsname_match(pattern: str, hostname: str) -> bool:
        """RFC 6125 matching with one full left-most wildcard label, as Python 3.11 does."""
        if not pattern:
            return False
        wildcards = pattern.count("*")
        if not wildcards:
            return pattern.lower() == hostname.lower()
        if wildcards > 1:
            raise CertificateError(f"too many wildcards in certificate DNS name: {pattern!r}.")
        left, dot, rest = pattern.partition(".")
        if "*" in rest:
            raise CertificateError(
                f"wildcard can only be present in the leftmost label: {pattern!r}."
            )
        if not dot:
            raise CertificateError(
                f"sole wildcard without additional labels are not support: {pattern!r}."
            )
        if left != "*":
            raise CertificateError(
                f"partial wildcards in leftmost label are not supported: {pattern!r}."
            )
        host_left, host_dot, host_rest = hostname.partition(".")
        if not host_left or not host_dot:
            return False
        return rest.lower() == host_rest.lower()

    def _inet_paton(ipname: str) -> bytes:
        """The packed form of an IPv4 (canonical dotted quad only) or IPv6 address.

        Raises ValueError for anything else, including the short and trailing
        forms ``inet_aton`` tolerates (``'127.1'``, ``'1'``).
        """
        try:
            packed = _socket.inet_aton(ipname)
        except OSError:
            pass
        else:
            if _socket.inet_ntoa(packed) != ipname:
                raise ValueError(f"{ipname!r} is not a quad-dotted IPv4 address.")
            return packed
        try:
            return _socket.inet_pton(_socket.AF_INET6, ipname)
        except OSError:
            raise ValueError(f"{ipname!r} is neither an IPv4 nor an IP6 address.") from None

    def _ipaddress_match(cert_ip: str, host_ip: Any) -> bool:
        import ipaddress

        return ipaddress.ip_address(cert_ip.rstrip()) == host_ip

    def match_hostname(cert: dict[str, Any], hostname: str) -> None:
        """Deprecated (removed in 3.12): checks ``hostname`` against a ``getpeercert()`` dict."""
        import ipaddress
        import warnings

        warnings.warn(
            "ssl.match_hostname() is deprecated", category=DeprecationWarning, stacklevel=2
        )
        if not cert:
            raise ValueError(
                "empty or no certificate, match_hostname needs a SSL socket or SSL "
                "context with either CERT_OPTIONAL or CERT_REQUIRED"
            )
        try:
            host_ip: Any = ipaddress.ip_address(hostname)
        except ValueError:
            host_ip = None
        else:
            # Only the canonical dotted quad counts as an IPv4 reference, as in 3.11.
            if host_ip.version == 4 and str(host_ip) != hostname:
                try:
                    host_ip = ipaddress.ip_address(_socket.inet_ntoa(_socket.inet_aton(hostname)))
                except OSError:
                    host_ip = None
        names: list[str] = []
        for kind, value in cert.get("subjectAltName", ()):
            if kind == "DNS":
                if host_ip is None and _dnsname_match(value, hostname):
                    return
                names.append(value)
            elif kind == "IP Address":
                if host_ip is not None and _ipaddress_match(value, host_ip):
                    return
                names.append(value)
        if not names:
            for rdn in cert.get("subject", ()):
                for key, value in rdn:
                    if key == "commonName":
                        if _dnsname_match(value, hostname):
                            return
                        names.append(value)
        if len(names) > 1:
            raise CertificateError(
                f"hostname {hostname!r} doesn't match either of {', '.join(map(repr, names))}"
            )
        if len(names) == 1:
            raise CertificateError(f"hostname {hostname!r} doesn't match {names[0]!r}")
        raise CertificateError("no appropriate subjectAltName fields were found")
