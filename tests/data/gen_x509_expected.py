#!/usr/bin/env python3
"""Build the oracle for rustssl's certificate decoder (crates/core/src/x509.rs).

Generates edge-case certificates under tests/data/x509/, then records what the
running interpreter's stdlib `_ssl._test_decode_cert` returns for each of them
(and for the stdlib's own test certificates, referenced by absolute path), plus
the CA count that `SSLContext.cert_store_stats()` reports for the certificate.

Run from anywhere: python3 tests/data/gen_x509_expected.py
Needs: the `openssl` command line tool and the `cryptography` package (only to
sign the hand-built certificates; signatures are never checked by the decoder).
"""
import base64
import glob
import json
import os
import ssl
import subprocess
import sys
import tempfile

import _ssl
import test
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

HERE = os.path.dirname(os.path.abspath(__file__))
OUT_DIR = os.path.join(HERE, "x509")
EXPECTED = os.path.join(HERE, "x509_expected.json")
CERTDATA = os.path.join(os.path.dirname(test.__file__), "certdata")


# ---------------------------------------------------------------- DER builder
def tlv(tag, content):
    n = len(content)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + content


def seq(*items):
    return tlv(0x30, b"".join(items))


def set_(*items):
    return tlv(0x31, b"".join(items))


def oid(dotted):
    return tlv(0x06, oid_body(dotted))


def oid_body(dotted):
    arcs = [int(a) for a in dotted.split(".")]
    body = [arcs[0] * 40 + arcs[1]] + arcs[2:]
    out = b""
    for arc in body:
        chunk = [arc & 0x7F]
        arc >>= 7
        while arc:
            chunk.insert(0, 0x80 | (arc & 0x7F))
            arc >>= 7
        out += bytes(chunk)
    return out


def integer_raw(content):
    return tlv(0x02, content)


def integer(value):
    length = max(1, (value.bit_length() + 8) // 8)
    return integer_raw(value.to_bytes(length, "big", signed=True))


def octet(content):
    return tlv(0x04, content)


def explicit(n, content):
    return tlv(0xA0 | n, content)


def implicit_prim(n, content):
    return tlv(0x80 | n, content)


UTF8, PRINTABLE, T61, IA5, BMP, UNIVERSAL, NUMERIC, VISIBLE = 12, 19, 20, 22, 30, 28, 18, 26
CN, C, O, OU, L = "2.5.4.3", "2.5.4.6", "2.5.4.10", "2.5.4.11", "2.5.4.7"


def name(*rdns):
    """rdns: each a list of (oid, tag, bytes) or a single such triple."""
    out = []
    for rdn in rdns:
        if isinstance(rdn, tuple):
            rdn = [rdn]
        out.append(set_(*[seq(oid(o), tlv(t, v)) for o, t, v in rdn]))
    return seq(*out)


def simple_name(cn):
    return name((C, PRINTABLE, b"XY"), (O, UTF8, b"rustssl tests"), (CN, UTF8, cn.encode()))


def utctime(s):
    return tlv(0x17, s.encode())


def gentime(s):
    return tlv(0x18, s.encode())


def ext(oid_s, value, critical=False):
    parts = [oid(oid_s)]
    if critical:
        parts.append(tlv(0x01, b"\xff"))
    parts.append(octet(value))
    return seq(*parts)


# GeneralName helpers
def gn_dns(s):
    return implicit_prim(2, s if isinstance(s, bytes) else s.encode())


def gn_email(s):
    return implicit_prim(1, s if isinstance(s, bytes) else s.encode())


def gn_uri(s):
    return implicit_prim(6, s if isinstance(s, bytes) else s.encode())


def gn_ip(b):
    return implicit_prim(7, b)


def gn_rid(dotted):
    return implicit_prim(8, oid_body(dotted))


def gn_dirname(name_der):
    return explicit(4, name_der)


def gn_othername(type_oid, value_der):
    return tlv(0xA0, oid(type_oid) + explicit(0, value_der))


def gn_x400():
    return tlv(0xA3, seq())


def gn_edi():
    return tlv(0xA5, explicit(1, tlv(UTF8, b"party")))


SAN, BC, KU, AIA, CRLDP, SKID, AKID, NSCERT = (
    "2.5.29.17", "2.5.29.19", "2.5.29.15", "1.3.6.1.5.5.7.1.1",
    "2.5.29.31", "2.5.29.14", "2.5.29.35", "2.16.840.1.113730.1.1")
OCSP_M, CAISS_M = "1.3.6.1.5.5.7.48.1", "1.3.6.1.5.5.7.48.2"

RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
EC_KEY = ec.generate_private_key(ec.SECP256R1())
SHA256_RSA = seq(oid("1.2.840.113549.1.1.11"), tlv(0x05, b""))
ECDSA_SHA256 = seq(oid("1.2.840.10045.4.3.2"))


def spki(key):
    return key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def build(version=2, serial=None, serial_raw=None, issuer=None, subject=None,
          not_before=None, not_after=None, exts=None, key=RSA_KEY, sigalg=None,
          version_raw=None):
    parts = []
    if version_raw is not None:
        parts.append(explicit(0, version_raw))
    elif version != 0:
        parts.append(explicit(0, integer(version)))
    parts.append(serial_raw if serial_raw is not None else integer(serial or 0x1234))
    if sigalg is None:
        sigalg = SHA256_RSA if key is RSA_KEY else ECDSA_SHA256
    parts.append(sigalg)
    subject = subject if subject is not None else simple_name("subject")
    parts.append(issuer if issuer is not None else subject)
    parts.append(seq(not_before or utctime("240101000000Z"),
                     not_after or utctime("340101000000Z")))
    parts.append(subject)
    parts.append(spki(key))
    if exts is not None:
        parts.append(explicit(3, seq(*exts)))
    tbs = seq(*parts)
    if key is RSA_KEY:
        sig = key.sign(tbs, padding.PKCS1v15(), hashes.SHA256())
    else:
        sig = key.sign(tbs, ec.ECDSA(hashes.SHA256()))
    return seq(tbs, sigalg, tlv(0x03, b"\x00" + sig))


def pem(der):
    b64 = base64.b64encode(der).decode()
    lines = [b64[i:i + 64] for i in range(0, len(b64), 64)]
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(lines) + "\n-----END CERTIFICATE-----\n"


# ---------------------------------------------------------- hand-built cases
def crafted_cases():
    c = {}
    # serial numbers
    c["serial_zero"] = build(serial_raw=integer_raw(b"\x00"))
    c["serial_one_byte"] = build(serial_raw=integer_raw(b"\x05"))
    c["serial_leading_zero"] = build(serial_raw=integer_raw(b"\x00\x80\x01"))
    c["serial_20_bytes"] = build(serial_raw=integer_raw(b"\x7f" + bytes(range(1, 20))))
    c["serial_21_bytes_high_bit"] = build(serial_raw=integer_raw(b"\x00" + b"\xab" * 20))
    c["serial_negative"] = build(serial_raw=integer_raw(b"\xff\x01"))
    c["serial_negative_one"] = build(serial_raw=integer_raw(b"\xff"))
    c["serial_negative_min"] = build(serial_raw=integer_raw(b"\x80\x00"))
    c["serial_bad_padding"] = build(serial_raw=integer_raw(b"\x00\x01"))
    c["serial_empty"] = build(serial_raw=integer_raw(b""))
    c["serial_40_bytes"] = build(serial_raw=integer_raw(b"\x01" + bytes(range(2, 41))))
    c["serial_odd_nibbles"] = build(serial_raw=integer_raw(b"\x0a\xbc"))
    # versions
    c["version_1"] = build(version=0)
    c["version_2"] = build(version=1)
    c["version_1_explicit"] = build(version_raw=integer(0))
    c["version_4"] = build(version=3)
    # times
    c["time_gen_2050"] = build(not_before=utctime("491231235959Z"),
                               not_after=gentime("20500101000000Z"))
    c["time_gen_far"] = build(not_before=gentime("19000101000000Z"),
                              not_after=gentime("99991231235959Z"))
    c["time_day_padding"] = build(not_before=utctime("180105093443Z"),
                                  not_after=utctime("991109010203Z"))
    c["time_utc_1950"] = build(not_before=utctime("500101000000Z"),
                               not_after=utctime("491231235959Z"))
    c["time_gen_fraction"] = build(not_before=gentime("20200101000000.25Z"))
    c["time_utc_offset"] = build(not_before=utctime("200101000000+0130"))
    c["time_utc_no_seconds"] = build(not_before=utctime("2001010000Z"))
    c["time_garbage"] = build(not_before=utctime("20xx01000000Z"))
    c["time_gen_fraction_long"] = build(not_after=gentime("20200101000000.123456789Z"))
    c["time_gen_local"] = build(not_before=gentime("20200101000000"))
    c["time_gen_offset_minus"] = build(not_before=gentime("20200101000000-0500"))
    c["time_utc_no_z"] = build(not_before=utctime("200101000000"))
    c["time_gen_no_seconds"] = build(not_before=gentime("202001010000Z"))
    c["time_leap_second"] = build(not_before=utctime("161231235960Z"))
    c["time_gen_year_0"] = build(not_before=gentime("00000101000000Z"))
    c["time_empty"] = build(not_before=utctime(""))
    c["time_wrong_tag"] = build(not_before=tlv(0x0c, b"200101000000Z"))
    c["time_feb29_leap"] = build(not_before=utctime("200229000000Z"))
    c["time_feb29_nonleap"] = build(not_before=utctime("210229000000Z"))
    c["time_offset_too_big"] = build(not_before=utctime("200101000000+1300"))
    c["time_offset_max"] = build(not_before=gentime("20200101000000.5+1259"))
    c["time_utc_short"] = build(not_before=utctime("2001010000"))
    c["time_gen_fraction_no_digits"] = build(not_before=gentime("20200101000000.Z"))
    c["time_gen_fraction_no_seconds"] = build(not_before=gentime("202001010000.5Z"))
    c["time_trailing"] = build(not_before=utctime("200101000000Zjunk"))
    c["time_offset_before_year_0"] = build(not_before=gentime("00000101000000+0100"))
    c["time_offset_after_year_9999"] = build(not_after=gentime("99991231235959-0100"))
    c["time_feb30"] = build(not_before=utctime("200230000000Z"))
    # names
    string_values = {
        "printable": (PRINTABLE, b"DE"),
        "t61_latin1": (T61, "Caf\u00e9".encode("latin-1")),
        "bmp": (BMP, "\u00dcber \u4e2d\u6587".encode("utf-16-be")),
        "universal": (UNIVERSAL, "\U0001F600 smile".encode("utf-32-be")),
        "utf8": (UTF8, "na\u00efve \u2603 \U0001F512".encode()),
        "ia5_high_byte": (IA5, b"hi\xe9"),
        "numeric": (NUMERIC, b"12345"),
        "visible": (VISIBLE, b"Dr"),
        "videotex": (21, b"vt"),
        "graphic": (25, b"gr"),
        "bit_string": (3, b"\x00\x41"),
        "bit_string_unused_bits": (3, b"\x04\x41\xff"),
        "bit_string_empty": (3, b"\x00"),
        "bit_string_no_content": (3, b""),
        "bit_string_bad_unused": (3, b"\x08\xff"),
        "sequence": (0x30, b"\x0c\x01a"),
        "utctime": (0x17, b"200101000000Z"),
        "bool": (1, b"\xff"),
        "unknown_tag_13": (13, b"x"),
        "context_tag": (0x80, b"x"),
    }
    for label, (tag, value) in string_values.items():
        c["name_value_" + label] = build(subject=name((CN, tag, value)))
    c["name_attr_bad_oid_padding"] = build(subject=seq(set_(seq(tlv(6, b"\x55\x80\x03"), tlv(UTF8, b"x")))))
    c["name_attr_empty_oid"] = build(subject=seq(set_(seq(tlv(6, b""), tlv(UTF8, b"x")))))
    c["name_attr_huge_arc"] = build(subject=name(("2.25.329800735698586629295641978511506172918", UTF8, b"uuid")))
    c["name_attr_long_oid"] = build(subject=name(("1.3." + ".".join(["123456789"] * 40), UTF8, b"long")))
    c["name_unknown_oid"] = build(subject=name(
        ("1.2.3.4.5.6", UTF8, b"unknown attr"),
        ("2.5.4.2", UTF8, b"knowledge"),
        ("1.3.6.1.4.1.311.60.2.1.3", PRINTABLE, b"US"),
        ("1.3.6.1.4.1.311.60.2.1.2", UTF8, b"Delaware"),
        ("2.5.4.15", UTF8, b"Private Organization"),
        ("0.9.2342.19200300.100.1.25", IA5, b"example"),
        ("0.9.2342.19200300.100.1.1", UTF8, b"uid1"),
        ("2.5.4.97", UTF8, b"VATDE-123"),
        ("2.999.1", UTF8, b"large arc"),
    ))
    # OpenSSL names every identifier it knows; rustssl only knows attribute types.
    c["known_divergence_name_oid_named_elsewhere"] = build(subject=name(
        ("1.2.840.113549.1.1.1", UTF8, b"rsa as attribute"), ("2.5.29.17", UTF8, b"san")))
    c["known_divergence_rid_named_elsewhere"] = build(exts=[ext(SAN, seq(
        gn_rid("1.2.840.113549.1.1.1")))])
    c["name_attr_oid_586"] = build(subject=seq(set_(seq(tlv(6, b"\x2b" + b"\x01" * 585), tlv(UTF8, b"x")))))
    c["name_attr_oid_587"] = build(subject=seq(set_(seq(tlv(6, b"\x2b" + b"\x01" * 586), tlv(UTF8, b"x")))))
    c["san_rid_oid_586"] = build(exts=[ext(SAN, seq(implicit_prim(8, b"\x2b" + b"\x01" * 585)))])
    c["san_rid_oid_587"] = build(exts=[ext(SAN, seq(implicit_prim(8, b"\x2b" + b"\x01" * 586)))])
    c["name_x500_unique_identifier"] = build(subject=name(("2.5.4.45", 3, b"\x00\x12\x34"), (CN, UTF8, b"uid")))
    c["name_multivalued_rdn"] = build(subject=name(
        [(C, PRINTABLE, b"XY"), (O, UTF8, b"Multi"), (OU, UTF8, b"Valued")],
        (CN, UTF8, b"multi"),
    ))
    c["name_empty"] = build(subject=seq(), issuer=simple_name("issuer"))
    c["name_empty_rdn"] = build(subject=seq(set_(), set_(seq(oid(CN), tlv(UTF8, b"x")))))
    c["name_nul_and_controls"] = build(subject=name((CN, UTF8, b"a\x00b\n\tc")))
    c["name_bmp_odd_length"] = build(subject=name((CN, BMP, b"\x00a\x00")))
    c["name_bmp_surrogate"] = build(subject=name((CN, BMP, b"\xd8\x3d\xde\x00")))
    c["name_universal_too_big"] = build(subject=name((CN, UNIVERSAL, b"\x00\x11\x00\x00")))
    c["name_bad_utf8"] = build(subject=name((CN, UTF8, b"\xc3\x28")))
    c["name_octet_string_value"] = build(subject=name((CN, 0x04, b"abc")))
    c["name_integer_value"] = build(subject=name((CN, 0x02, b"\x05")))
    c["name_general_string"] = build(subject=name((CN, 27, b"gen\xff")))
    c["name_utf8_surrogate"] = build(subject=name((CN, UTF8, b"\xed\xa0\x80")))
    # subjectAltName
    c["san_everything"] = build(exts=[ext(SAN, seq(
        gn_dns("dns.example"), gn_ip(bytes([192, 0, 2, 1])),
        gn_ip(bytes.fromhex("20010db8000000000000000000000001")),
        gn_ip(bytes.fromhex("fe800000000000000202b3fffe1e8329")),
        gn_ip(bytes(16)), gn_email("user@example.org"), gn_uri("https://example.org/x"),
        gn_dirname(name((C, PRINTABLE, b"XY"), (CN, BMP, "dir\u00e9".encode("utf-16-be")))),
        gn_rid("1.2.3.4.5"), gn_rid("2.5.4.3"),
        gn_othername("1.3.6.1.4.1.311.20.2.3", tlv(UTF8, b"upn@example")),
        gn_othername("1.3.6.1.5.5.7.8.5", tlv(UTF8, b"xmpp@example")),
        gn_othername("1.2.3.4", tlv(UTF8, b"custom")),
        gn_x400(), gn_edi(),
    ))])
    c["san_othernames"] = build(exts=[ext(SAN, seq(
        gn_othername("1.3.6.1.5.5.7.8.9", tlv(UTF8, "m\u00fc@example".encode())),
        gn_othername("1.3.6.1.5.5.7.8.7", tlv(IA5, b"_xmpp.example")),
        gn_othername("1.3.6.1.5.5.7.8.7", tlv(UTF8, b"_srv_as_utf8")),
        gn_othername("1.3.6.1.5.5.7.8.8", tlv(UTF8, b"realm.example")),
        gn_othername("1.3.6.1.4.1.311.20.2.3", tlv(IA5, b"upn_as_ia5")),
        gn_othername("1.3.6.1.4.1.311.20.2.3", tlv(UTF8, b"nul\x00after")),
        gn_othername("1.3.6.1.5.5.7.8.5", tlv(UTF8, b"line1\nline2")),
        gn_othername("1.3.6.1.5.5.7.8.5", tlv(UTF8, b"")),
        gn_othername("1.3.6.1.5.5.7.8.5", seq(tlv(UTF8, b"in a sequence"))),
    ))])
    c["san_othername_long"] = build(exts=[ext(SAN, seq(
        gn_othername("1.3.6.1.4.1.311.20.2.3", tlv(UTF8, b"u" * 3000))))])
    c["san_othername_long_multibyte"] = build(exts=[ext(SAN, seq(
        gn_othername("1.3.6.1.4.1.311.20.2.3", tlv(UTF8, "\u00e9".encode() * 1500))))])
    c["san_othername_bad_utf8"] = build(exts=[ext(SAN, seq(
        gn_othername("1.3.6.1.4.1.311.20.2.3", tlv(UTF8, b"\xff"))))])
    c["san_rid_long"] = build(exts=[ext(SAN, seq(gn_rid("1.3." + ".".join(["123456789"] * 300))))])
    c["san_rid_bad"] = build(exts=[ext(SAN, seq(implicit_prim(8, b"\x2a\x80")))])
    c["san_dns_empty"] = build(exts=[ext(SAN, seq(gn_dns(b""), gn_uri(b""), gn_email(b"")))])
    c["san_unknown_tag"] = build(exts=[ext(SAN, seq(implicit_prim(9, b"x")))])
    c["san_dirname_bad_value"] = build(exts=[ext(SAN, seq(gn_dirname(name((CN, 0x04, b"o")))))])
    c["san_x400_ediparty_bad"] = build(exts=[ext(SAN, seq(tlv(0xA3, b"\x01\x01\xff"), tlv(0xA5, b"")))])
    c["ext_critical_false_explicit"] = build(exts=[seq(oid(SAN), tlv(1, b"\x00"), octet(seq(gn_dns("f"))))])
    c["ext_unknown_critical"] = build(exts=[ext("1.2.3.4", b"\x05\x00", critical=True), ext(SAN, seq(gn_dns("u")))])
    c["ext_empty_sequence"] = build(exts=[])
    c["san_invalid_ip_lengths"] = build(exts=[ext(SAN, seq(
        gn_ip(b""), gn_ip(b"\x01\x02\x03"), gn_ip(bytes(8)), gn_ip(bytes(5)), gn_dns("ok")))])
    c["san_non_ascii_ia5"] = build(exts=[ext(SAN, seq(
        gn_dns("b\u00fccher.example".encode()), gn_email(b"x\x00y")))])
    c["san_non_utf8_ia5"] = build(exts=[ext(SAN, seq(gn_dns(b"bad\xff.example")))])
    c["san_empty_sequence"] = build(exts=[ext(SAN, seq())])
    c["san_malformed"] = build(exts=[ext(SAN, b"\x30\x05\x82\x01")])
    c["san_trailing_garbage"] = build(exts=[ext(SAN, seq(gn_dns("a")) + b"\x00")])
    c["san_duplicate"] = build(exts=[ext(SAN, seq(gn_dns("a"))), ext(SAN, seq(gn_dns("b")))])
    c["san_dirname_empty"] = build(exts=[ext(SAN, seq(gn_dirname(seq())))])
    c["san_critical_v3"] = build(exts=[ext(SAN, seq(gn_dns("crit.example")), critical=True)])
    # authorityInfoAccess
    c["aia_ocsp_only"] = build(exts=[ext(AIA, seq(seq(oid(OCSP_M), gn_uri("http://ocsp.example"))))])
    c["aia_mixed"] = build(exts=[ext(AIA, seq(
        seq(oid(CAISS_M), gn_uri("http://ca.example/ca.der")),
        seq(oid(OCSP_M), gn_dns("not-a-uri.example")),
        seq(oid(OCSP_M), gn_uri("http://ocsp1.example")),
        seq(oid("1.3.6.1.5.5.7.48.5"), gn_uri("http://repo.example")),
        seq(oid(OCSP_M), gn_uri("http://ocsp2.example")),
        seq(oid(CAISS_M), gn_uri("ldap://ca.example/cn=x")),
    ))])
    c["aia_empty"] = build(exts=[ext(AIA, seq())])
    c["aia_no_uris"] = build(exts=[ext(AIA, seq(seq(oid(OCSP_M), gn_dns("x"))))])
    c["aia_malformed"] = build(exts=[ext(AIA, b"\x30\x03\x30\x01\x06")])
    c["aia_bad_utf8_uri"] = build(exts=[ext(AIA, seq(seq(oid(OCSP_M), gn_uri(b"http://\xff"))))])
    # CRL distribution points
    full = lambda *gns: explicit(0, explicit(0, b"".join(gns)))  # noqa: E731
    c["crldp_multi"] = build(exts=[ext(CRLDP, seq(
        seq(full(gn_uri("http://crl1.example/a.crl"), gn_dns("x"),
                 gn_uri("ldap://crl.example/cn=y"))),
        seq(full(gn_uri("http://crl2.example/b.crl")), implicit_prim(1, b"\x06\x40")),
    ))])
    c["crldp_relative_only"] = build(exts=[ext(CRLDP, seq(
        seq(explicit(0, explicit(1, seq(oid(CN), tlv(UTF8, b"rel"))))),
    ))])
    c["crldp_no_distpoint"] = build(exts=[ext(CRLDP, seq(
        seq(explicit(2, gn_dirname(simple_name("crl issuer")))),
        seq(full(gn_uri("http://crl3.example/c.crl"))),
    ))])
    c["crldp_empty"] = build(exts=[ext(CRLDP, seq())])
    c["crldp_malformed"] = build(exts=[ext(CRLDP, b"\x30\x02\x30\x05")])
    # CA detection (for is_ca / cert_store_stats)
    ca_name = simple_name("ca")
    leaf_name = simple_name("leaf")
    bc_ca = ext(BC, seq(tlv(0x01, b"\xff")), critical=True)
    ku = lambda bits: ext(KU, tlv(0x03, bits))  # noqa: E731
    c["ca_bc_true"] = build(subject=ca_name, exts=[bc_ca])
    c["ca_bc_false"] = build(subject=ca_name, exts=[ext(BC, seq())])
    c["ca_bc_true_ku_no_certsign"] = build(subject=ca_name, exts=[bc_ca, ku(b"\x07\x80")])
    c["ca_bc_true_ku_certsign"] = build(subject=ca_name, exts=[bc_ca, ku(b"\x01\x06")])
    c["ca_no_bc_ku_certsign"] = build(subject=leaf_name, issuer=ca_name, exts=[ku(b"\x02\x04")])
    c["ca_no_bc_no_ku_v3"] = build(subject=ca_name, exts=[ext(SKID, octet(b"\x01" * 20))])
    c["ca_nscert_ssl_ca"] = build(subject=leaf_name, issuer=ca_name,
                                  exts=[ext(NSCERT, tlv(0x03, b"\x02\x04"))])
    c["ca_nscert_client"] = build(subject=leaf_name, issuer=ca_name,
                                  exts=[ext(NSCERT, tlv(0x03, b"\x07\x80"))])
    c["ca_v1_self_signed"] = build(version=0, subject=ca_name)
    c["ca_v1_not_self_issued"] = build(version=0, subject=leaf_name, issuer=ca_name)
    c["ca_v1_self_issued_case_differs"] = build(
        version=0, subject=name((CN, UTF8, b"Root  CA ")), issuer=name((CN, PRINTABLE, b"root ca")))
    c["ca_v1_ec_key_rsa_sig"] = build(version=0, subject=ca_name, key=EC_KEY, sigalg=SHA256_RSA)
    c["ca_v1_ec"] = build(version=0, subject=ca_name, key=EC_KEY)
    c["ca_v3_self_signed_no_ext"] = build(subject=ca_name)
    c["ca_bc_duplicate"] = build(subject=ca_name, exts=[bc_ca, bc_ca])
    c["ca_bc_malformed"] = build(subject=ca_name, exts=[ext(BC, b"\x30\x03\x01\x01")])
    c["ca_bc_negative_pathlen"] = build(subject=ca_name, exts=[ext(BC, seq(tlv(0x01, b"\xff"), integer(-1)))])
    c["ca_bc_true_bad_san"] = build(subject=ca_name, exts=[bc_ca, ext(SAN, b"\x05\x00")])
    c["ca_v1_akid_mismatch"] = build(version=0, subject=ca_name, exts=[
        ext(SKID, octet(b"\x01" * 20)), ext(AKID, seq(implicit_prim(0, b"\x02" * 20)))])
    unknown = ext("1.2.3.4", b"\x05\x00")
    c["ca_bc_true_duplicate_unknown_ext"] = build(subject=ca_name, exts=[bc_ca, unknown, unknown])
    c["ca_bc_true_duplicate_san"] = build(subject=ca_name, exts=[
        bc_ca, ext(SAN, seq(gn_dns("a"))), ext(SAN, seq(gn_dns("a")))])
    c["ca_bc_true_bad_eku"] = build(subject=ca_name, exts=[bc_ca, ext("2.5.29.37", b"\x30\x01\x05")])
    c["ca_bc_true_bad_crldp"] = build(subject=ca_name, exts=[bc_ca, ext(CRLDP, b"\x30\x02\x30\x05")])
    c["ca_bc_true_bad_skid"] = build(subject=ca_name, exts=[bc_ca, ext(SKID, b"\x05\x00")])
    c["ca_bc_true_bad_aia"] = build(subject=ca_name, exts=[bc_ca, ext(AIA, b"\x05\x00")])
    c["ca_bc_true_bad_ian"] = build(subject=ca_name, exts=[bc_ca, ext("2.5.29.18", b"\x05\x00")])
    c["ca_bc_true_bad_name_constraints"] = build(subject=ca_name, exts=[bc_ca, ext("2.5.29.30", b"\x05\x00")])
    c["ca_bc_true_bad_policies"] = build(subject=ca_name, exts=[bc_ca, ext("2.5.29.32", b"\x05\x00")])
    c["ca_bc_true_bad_nscert"] = build(subject=ca_name, exts=[bc_ca, ext(NSCERT, b"\x05\x00")])
    c["ca_v1_pss_sig_rsa_key"] = build(version=0, subject=ca_name, sigalg=seq(oid("1.2.840.113549.1.1.10")))
    c["ca_v1_unknown_sig"] = build(version=0, subject=ca_name, sigalg=seq(oid("1.2.3.4")))
    c["ca_v1_akid_serial_mismatch"] = build(version=0, subject=ca_name, exts=[
        ext(AKID, seq(implicit_prim(2, b"\x01")))])
    c["ca_v1_akid_serial_match"] = build(version=0, subject=ca_name, serial=0x1234, exts=[
        ext(AKID, seq(implicit_prim(2, b"\x12\x34")))])
    c["ca_v1_akid_dirname_mismatch"] = build(version=0, subject=ca_name, exts=[
        ext(AKID, seq(tlv(0xA1, gn_dirname(leaf_name))))])
    c["ca_v1_multivalued_rdn_order"] = build(
        version=0, subject=name([(C, PRINTABLE, b"XY"), (CN, UTF8, b"ca")]),
        issuer=name([(CN, UTF8, b"ca"), (C, PRINTABLE, b"XY")]))
    c["ca_v1_numeric_case"] = build(version=0, subject=name((CN, NUMERIC, b" 1")),
                                    issuer=name((CN, NUMERIC, b"1")))
    return c


# ----------------------------------------------------- openssl-built cases
OPENSSL_CNF = """
[req]
distinguished_name = dn
prompt = no
string_mask = {mask}
utf8 = yes
[dn]
{dn}
[ext]
{ext}
"""


def openssl_cases(tmp):
    specs = {
        "openssl_ip_sans": ("CN = ip sans", "subjectAltName = IP:127.0.0.1, IP:10.1.2.3, "
                            "IP:::1, IP:2001:db8::ff00:42:8329, IP:fe80::1, DNS:localhost"),
        "openssl_misc_sans": ("CN = misc sans", "subjectAltName = email:a@example.org, "
                              "URI:http://example.org/, RID:1.2.3.4, dirName:dirsect, "
                              "otherName:1.3.6.1.4.1.311.20.2.3;UTF8:upn@example\n"
                              "[dirsect]\nC = XY\nO = Dir Org\nCN = dir cn"),
        "openssl_unusual_dn": ("C = XY\nST = Some State\nL = Town\nO = \u00c9cole \u2603\n"
                               "OU = Unit\nCN = unusual\nemailAddress = x@example.org\n"
                               "serialNumber = 42\nGN = Given\nSN = Sur\ntitle = Dr\n"
                               "DC = example\nbusinessCategory = Private Organization\n"
                               "jurisdictionC = US\nUID = user1\nname = Nom\ninitials = AB\n"
                               "pseudonym = Ps\ngenerationQualifier = III\ndnQualifier = q\n"
                               "postalCode = 12345\nstreet = Main St 1\n1.2.3.4.5 = custom",
                               "basicConstraints = CA:FALSE"),
        "openssl_aia_crldp": ("CN = aia", "authorityInfoAccess = OCSP;URI:http://ocsp.example/, "
                              "caIssuers;URI:http://ca.example/ca.cer\n"
                              "crlDistributionPoints = URI:http://crl.example/a.crl, "
                              "URI:http://crl.example/b.crl"),
        "openssl_ca": ("CN = openssl ca", "basicConstraints = critical, CA:TRUE\n"
                       "keyUsage = critical, keyCertSign, cRLSign\n"
                       "subjectKeyIdentifier = hash\nauthorityKeyIdentifier = keyid:always"),
    }
    out = {}
    key = os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "genrsa", "-out", key, "2048"], check=True, capture_output=True)
    for case, (dn, exts) in specs.items():
        for mask in ("utf8only",):
            cnf = os.path.join(tmp, case + ".cnf")
            with open(cnf, "w", encoding="utf-8") as f:
                f.write(OPENSSL_CNF.format(mask=mask, dn=dn, ext=exts))
            pem_path = os.path.join(tmp, case + ".pem")
            subprocess.run(["openssl", "req", "-x509", "-new", "-key", key, "-config", cnf,
                            "-extensions", "ext", "-days", "30", "-out", pem_path],
                           check=True, capture_output=True)
            out[case] = pem_path
    # BMPString DN via -multivalue-rdn and string_mask = default (BMP for non-latin)
    cnf = os.path.join(tmp, "bmp.cnf")
    with open(cnf, "w", encoding="utf-8") as f:
        f.write(OPENSSL_CNF.format(mask="default", dn="O = Gr\u00fc\u00dfe \u4e2d\nCN = bmp",
                                   ext="basicConstraints = CA:TRUE"))
    pem_path = os.path.join(tmp, "openssl_bmp.pem")
    subprocess.run(["openssl", "req", "-x509", "-new", "-key", key, "-config", cnf,
                    "-extensions", "ext", "-days", "30", "-out", pem_path],
                   check=True, capture_output=True)
    out["openssl_bmp"] = pem_path
    # v1 certificate, serial with leading zero byte, far-future GeneralizedTime
    csr = os.path.join(tmp, "v1.csr")
    cnf = os.path.join(tmp, "v1.cnf")
    with open(cnf, "w", encoding="utf-8") as f:
        f.write(OPENSSL_CNF.format(mask="utf8only", dn="C = XY\nCN = v1 root", ext=""))
    subprocess.run(["openssl", "req", "-new", "-key", key, "-config", cnf, "-out", csr],
                   check=True, capture_output=True)
    pem_path = os.path.join(tmp, "openssl_v1_gentime.pem")
    subprocess.run(["openssl", "x509", "-req", "-in", csr, "-signkey", key, "-days", "20000",
                    "-set_serial", "0x00ff00000000000000000000000000000000ab", "-out", pem_path],
                   check=True, capture_output=True)
    out["openssl_v1_gentime"] = pem_path
    return {case: open(path).read() for case, path in out.items()}


# ------------------------------------------------------------------ oracle
def jsonable(value):
    if isinstance(value, (tuple, list)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items()}
    if isinstance(value, bytes):  # BIT STRING attribute values
        return {"bytes": value.hex()}
    return value


def first_cert_der(path):
    with open(path, "rb") as f:
        data = f.read()
    try:
        return ssl.PEM_cert_to_DER_cert(data.decode("ascii", "replace")[
            data.decode("ascii", "replace").index("-----BEGIN CERTIFICATE-----"):])
    except Exception:
        return None


def ca_count(path):
    der = first_cert_der(path)
    if der is None:
        return None
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    try:
        ctx.load_verify_locations(cadata=der)
    except ssl.SSLError:
        return None
    return ctx.cert_store_stats()["x509_ca"]


def oracle_here(path):
    try:
        result = {"dict": jsonable(_ssl._test_decode_cert(path))}
    except Exception as exc:  # the stdlib refused the file
        result = {"error": type(exc).__name__ + ": " + str(exc)}
    result["x509_ca"] = ca_count(path)
    return result


def oracle(path):
    # A fresh interpreter per certificate: errors OpenSSL leaves on its
    # thread's error queue would otherwise make later loads fail.
    out = subprocess.run([sys.executable, __file__, "--oracle", path],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def main():
    os.makedirs(OUT_DIR, exist_ok=True)
    for old in glob.glob(os.path.join(OUT_DIR, "*.pem")):
        os.remove(old)
    cases = []
    for case, der in sorted(crafted_cases().items()):
        rel = "x509/" + case + ".pem"
        with open(os.path.join(HERE, rel), "w") as f:
            f.write(pem(der))
        cases.append((case, rel))
    with tempfile.TemporaryDirectory() as tmp:
        for case, text in sorted(openssl_cases(tmp).items()):
            rel = "x509/" + case + ".pem"
            with open(os.path.join(HERE, rel), "w") as f:
                f.write(text)
            cases.append((case, rel))
    expected = []
    for case, rel in cases:
        entry = {"name": case, "path": rel}
        entry.update(oracle(os.path.join(HERE, rel)))
        expected.append(entry)
    # The stdlib's own test certificates are not copied; they are referenced by
    # absolute path and the Rust test skips them where they are not installed.
    stdlib_files = sorted(glob.glob(os.path.join(CERTDATA, "*.pem")) +
                          glob.glob(os.path.join(CERTDATA, "capath", "*")))
    for path in stdlib_files:
        entry = {"name": "stdlib:" + os.path.relpath(path, CERTDATA), "path": path}
        entry.update(oracle(path))
        expected.append(entry)
    with open(EXPECTED, "w", encoding="utf-8") as f:
        json.dump({"python": sys.version.split()[0], "openssl": ssl.OPENSSL_VERSION,
                   "cases": expected}, f, indent=1, ensure_ascii=False)
        f.write("\n")
    print(f"{len(expected)} cases written to {EXPECTED}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--oracle":
        print(json.dumps(oracle_here(sys.argv[2])))
    else:
        main()
