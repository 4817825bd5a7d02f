"""Certificate dicts: ``_test_decode_cert`` and ``getpeercert()`` against the stdlib's.

Every PEM file of CPython's ``test/certdata`` (and its ``capath``), plus
certificates generated here, is decoded by both ``_ssl`` modules; where the
stdlib fails, rustssl must fail too. Then certificates with keys are served
by a stdlib server and ``getpeercert()`` is compared between a stdlib client
and a rustssl client.
"""

from __future__ import annotations

import _ssl as stdlib_ssl_c
import os
import ssl as stdlib_ssl
from pathlib import Path
from typing import Any

import pytest

import rustssl
from rustssl import _ssl

CERTDATA = Path(os.path.dirname(__import__("test").__file__)) / "certdata"
FILES = sorted(
    p for p in [*CERTDATA.glob("*.pem"), *(CERTDATA / "capath").glob("*")] if p.is_file()
)


def decode(module: Any, path: str) -> tuple[str, Any]:
    try:
        return ("ok", module._test_decode_cert(path))
    except Exception as e:
        return ("error", type(e).__name__)


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.relative_to(CERTDATA).as_posix())
def test_certdata_decodes_like_the_stdlib(path: Path) -> None:
    theirs = decode(stdlib_ssl_c, str(path))
    ours = decode(_ssl, str(path))
    if theirs[0] == "error":
        # Both fail; the stdlib raises SSLError for PEM/ASN.1 trouble.
        assert ours[0] == "error"
    else:
        assert ours == theirs


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Certificates with the features the dict shows: SANs of each kind, AIA, CRL DPs."""
    pytest.importorskip("cryptography")
    import datetime
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import AuthorityInformationAccessOID, NameOID

    d = tmp_path_factory.mktemp("decode")
    key = ec.generate_private_key(ec.SECP256R1())
    now = datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "XY"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Org, with comma"),
            x509.NameAttribute(NameOID.COMMON_NAME, "d\u00e9code.example"),
            x509.NameAttribute(NameOID.EMAIL_ADDRESS, "a@b.example"),
        ]
    )
    variants: dict[str, list[Any]] = {
        "plain": [],
        "sans": [
            x509.SubjectAlternativeName(
                [
                    x509.DNSName("a.example"),
                    x509.DNSName("*.b.example"),
                    x509.IPAddress(ipaddress.ip_address("192.0.2.1")),
                    x509.IPAddress(ipaddress.ip_address("2001:db8::1")),
                    x509.RFC822Name("x@y.example"),
                    x509.UniformResourceIdentifier("https://u.example/"),
                    x509.DirectoryName(name),
                    x509.RegisteredID(x509.ObjectIdentifier("1.2.3.4")),
                ]
            )
        ],
        "aia_crl": [
            x509.AuthorityInformationAccess(
                [
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.OCSP,
                        x509.UniformResourceIdentifier("http://ocsp.example/"),
                    ),
                    x509.AccessDescription(
                        AuthorityInformationAccessOID.CA_ISSUERS,
                        x509.UniformResourceIdentifier("http://ca.example/ca.der"),
                    ),
                ]
            ),
            x509.CRLDistributionPoints(
                [
                    x509.DistributionPoint(
                        [x509.UniformResourceIdentifier("http://crl.example/1.crl")],
                        None,
                        None,
                        None,
                    )
                ]
            ),
        ],
    }
    paths = []
    for label, extensions in variants.items():
        builder = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(0x00FF_1234_5678)
            .not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=3650))
        )
        for ext in extensions:
            builder = builder.add_extension(ext, False)
        cert = builder.sign(key, hashes.SHA256())
        path = d / f"{label}.pem"
        path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        paths.append(path)
    return paths


def test_generated_certificates_decode_like_the_stdlib(generated: list[Path]) -> None:
    for path in generated:
        assert decode(_ssl, str(path)) == decode(stdlib_ssl_c, str(path)), path.name


SERVED = ["keycert.pem", "keycert2.pem", "keycert3.pem", "keycert4.pem", "keycertecc.pem",
          "allsans.pem", "idnsans.pem", "nosan.pem"]  # fmt: skip


#: Version 1 certificates, which OpenSSL verifies and webpki refuses.
V1_CERTS = {"nosan.pem"}


@pytest.mark.parametrize("name", SERVED)
def test_getpeercert_over_a_handshake_matches_the_stdlib(name: str, tmp_path: Path) -> None:
    from test_verify_failures import connect

    certfile = str(CERTDATA / name)
    cafile = tmp_path / "ca.pem"
    cafile.write_text((CERTDATA / "pycacert.pem").read_text() + Path(certfile).read_text())
    seen = {}
    for label, module in (("stdlib", stdlib_ssl), ("rustssl", rustssl)):
        server = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_SERVER)
        try:
            server.load_cert_chain(certfile)
        except stdlib_ssl.SSLError as e:
            pytest.skip(f"the stdlib cannot serve {name}: {e}")
        client = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
        client.check_hostname = False
        client.load_verify_locations(str(cafile))
        obj, _, errors = connect(client, module, server, stdlib_ssl, "localhost")
        if name in V1_CERTS and module is rustssl:
            # Known difference: webpki accepts only X.509 v3 certificates.
            assert errors["client"].verify_code == 1
            assert "UnsupportedCertVersion" in errors["client"].verify_message
            return
        assert not errors, errors
        seen[label] = (obj.getpeercert(), obj.getpeercert(binary_form=True))
    assert seen["rustssl"] == seen["stdlib"]
