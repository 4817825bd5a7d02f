#!/usr/bin/env python3
"""Generate the host-name matching oracle for rustssl's hostname module.

For every case (certificate, server_hostname, host flags) this script runs a
real TLS handshake over a loopback socket pair between a stdlib ``ssl``
client (``check_hostname=True``) and a stdlib ``ssl`` server, and records
whether OpenSSL accepted the peer certificate or which verify code it
reported (62 = host-name mismatch, 64 = IP-address mismatch).

Outputs, in ``tests/data/hostname/``:
  * ``<cert>.pem``      -- one self-signed certificate per certificate spec
  * ``expected.tsv``    -- one line per case:
        cert <TAB> reference <TAB> host_flags <TAB> outcome
    ``reference`` is what CPython hands to ``_ssl`` (already IDNA-encoded),
    with bytes outside printable ASCII and the space, tab and backslash
    written as ``\\xNN``.  ``outcome`` is ``ok``, ``62``, ``64``,
    ``valueerror`` (CPython refused the name before any handshake) or
    ``code:N`` for any other verify code.

Run:  python3 tests/data/gen_hostname_expected.py
Needs the ``openssl`` command line tool on PATH.
"""

import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "hostname")

# ssl.HOSTFLAG_* values, spelled out so the table below reads plainly.
ALWAYS = 1
NO_WILD = 2
NO_PARTIAL = 4
MULTI = 8
SINGLE = 16
NEVER_CN = 32

# CPython's defaults: _host_flags is NO_PARTIAL and hostname_checks_common_name
# is True; setting hostname_checks_common_name = False adds NEVER_CN.
DEF = NO_PARTIAL
NOCN = NO_PARTIAL | NEVER_CN

# name -> (subject, subjectAltName or None, string mask or None)
# A string mask makes `openssl req` encode the subject in that ASN.1 type:
# 0x800 = BMPString, 0x4 = T61String.
CERTS = {
    "san_www": ("/CN=cn.example.com", "DNS:www.example.com", None),
    "san_upper": ("/CN=x", "DNS:WWW.Example.COM", None),
    "san_wild": ("/CN=cn.example.com", "DNS:*.example.com", None),
    "san_wild_tld": ("/CN=x", "DNS:*.com", None),
    "san_wild_short": ("/CN=x", "DNS:*.example", None),
    "san_partial_pre": ("/CN=x", "DNS:f*.example.com", None),
    "san_partial_suf": ("/CN=x", "DNS:*o.example.com", None),
    "san_partial_mid": ("/CN=x", "DNS:f*o.example.com", None),
    "san_star_second": ("/CN=x", "DNS:www.*.example.com", None),
    "san_two_stars": ("/CN=x", "DNS:*.*.example.com", None),
    "san_double_star": ("/CN=x", "DNS:**.example.com", None),
    "san_idna_star": ("/CN=x", "DNS:xn--*.example.com", None),
    "san_xn_partial": ("/CN=x", "DNS:xn*.example.com", None),
    "san_wild_idna_parent": ("/CN=x", "DNS:*.xn--bcher-kva.example", None),
    "san_trailing_dot": ("/CN=x", "DNS:example.com.", None),
    "san_wild_trailing_dot": ("/CN=x", "DNS:*.example.com.", None),
    "san_underscore": ("/CN=x", "DNS:a_b.example.com", None),
    "san_hyphen_end": ("/CN=x", "DNS:*.bad-.example.com", None),
    "san_multi": ("/CN=multi.example.com",
                  "DNS:a.example.org,DNS:b.example.net,IP:10.0.0.1,"
                  "DNS:*.c.example.com", None),
    "san_ip4_only": ("/CN=localhost", "IP:127.0.0.1,IP:1.2.3.4", None),
    "san_ip6_only": ("/CN=ip6.example", "IP:::1,IP:2001:db8::1", None),
    "san_ip_and_dns": ("/CN=cn.example.com", "DNS:localhost,IP:127.0.0.1", None),
    "san_dns_ipliteral": ("/CN=127.0.0.1", "DNS:127.0.0.1,DNS:1.2.3", None),
    "san_ip_mapped": ("/CN=x", "IP:::ffff:1.2.3.4", None),
    "san_email_only": ("/CN=mail.example.com", "email:a@example.com", None),
    "cn_only": ("/CN=cn.example.com", None, None),
    "cn_upper": ("/O=Org/CN=CN.Example.COM", None, None),
    "cn_wild": ("/CN=*.example.com", None, None),
    "cn_partial": ("/CN=f*.example.com", None, None),
    "cn_ip": ("/CN=127.0.0.1", None, None),
    "cn_ip_like": ("/CN=1.2.3", None, None),
    "cn_multi": ("/CN=first.example/O=Org/CN=second.example", None, None),
    "cn_trailing_dot": ("/CN=cn.example.com.", None, None),
    "cn_bmp": ("/CN=bmp.example.com", None, "MASK:0x800"),
    "cn_t61_wild": ("/CN=*.t61.example", None, "MASK:0x4"),
    "no_names": ("/O=No Names", None, None),
    "san_ip_quirks": ("/CN=x", "IP:0.2.3.4,IP:1.2.3.4,IP:1:2:3:4:5:6:7:0,"
                      "IP:0:2:3:4:5:6:7:8,IP:1::,IP:::", None),
    "san_hyphen_star": ("/CN=x", "DNS:a-*.example.com", None),
    "san_star_hyphen": ("/CN=x", "DNS:*-a.example.com", None),
    "san_uri_only": ("/CN=uri.example.com", "URI:https://uri.example.com/",
                     None),
    "san_mixed_case_wild": ("/CN=x", "DNS:*.EXAMPLE.com,DNS:*O.example.org",
                            None),
    "cn_partial_suf": ("/CN=*o.example.com", None, None),
}

# (cert, server_hostname as given to ssl, host flags)
CASES = [
    # plain SAN, case-insensitivity, CN ignored when a DNS SAN exists
    ("san_www", "www.example.com", DEF),
    ("san_www", "WWW.EXAMPLE.COM", DEF),
    ("san_www", "Www.Example.Com", NOCN),
    ("san_www", "cn.example.com", DEF),
    ("san_www", "cn.example.com", ALWAYS | NO_PARTIAL),
    ("san_www", "example.com", DEF),
    ("san_www", "www.example.com.", DEF),
    ("san_www", "xwww.example.com", DEF),
    ("san_www", "www.example.co", DEF),
    ("san_upper", "www.example.com", DEF),
    # full-label wildcard
    ("san_wild", "www.example.com", DEF),
    ("san_wild", "WWW.EXAMPLE.COM", DEF),
    ("san_wild", "a-b.example.com", DEF),
    ("san_wild", "-.example.com", DEF),
    ("san_wild", "a_b.example.com", DEF),
    ("san_wild", "example.com", DEF),
    ("san_wild", "a.b.example.com", DEF),
    ("san_wild", "a.b.example.com", DEF | MULTI),
    ("san_wild", "a.b.example.com", MULTI),
    ("san_wild", "*.example.com", DEF),
    ("san_wild", "**.example.com", DEF),
    ("san_wild", "www.example.com", NO_WILD),
    ("san_wild", "*.example.com", NO_WILD),
    ("san_wild", "www.example.com.", DEF),
    ("san_wild", "xn--bcher-kva.example.com", DEF),
    ("san_wild", "bücher.example.com", DEF),
    ("san_wild", "cn.example.com", DEF),
    ("san_wild", "cn.example.com", ALWAYS | NO_PARTIAL),
    ("san_wild", "www.example.com", SINGLE | NO_PARTIAL),
    ("san_wild", ".example.com", DEF),
    ("san_wild_tld", "example.com", DEF),
    ("san_wild_tld", "*.com", DEF),
    ("san_wild_tld", "example.com", 0),
    ("san_wild_short", "a.example", DEF),
    ("san_wild_short", "*.example", DEF),
    # partial wildcards
    ("san_partial_pre", "foo.example.com", DEF),
    ("san_partial_pre", "foo.example.com", 0),
    ("san_partial_pre", "f.example.com", 0),
    ("san_partial_pre", "bar.example.com", 0),
    ("san_partial_pre", "f*.example.com", DEF),
    ("san_partial_pre", "f*.example.com", 0),
    ("san_partial_suf", "foo.example.com", DEF),
    ("san_partial_suf", "foo.example.com", 0),
    ("san_partial_suf", "o.example.com", 0),
    ("san_partial_suf", "xn--o.example.com", 0),
    ("san_partial_suf", "foo.example.com", NO_WILD),
    ("san_partial_mid", "foo.example.com", 0),
    ("san_partial_mid", "f*o.example.com", 0),
    ("san_partial_mid", "f*o.example.com", DEF),
    ("san_star_second", "www.a.example.com", DEF),
    ("san_star_second", "www.*.example.com", DEF),
    ("san_two_stars", "a.b.example.com", DEF),
    ("san_two_stars", "*.*.example.com", DEF),
    ("san_double_star", "a.example.com", 0),
    ("san_double_star", "**.example.com", DEF),
    ("san_idna_star", "xn--a.example.com", 0),
    ("san_idna_star", "xn--*.example.com", DEF),
    ("san_xn_partial", "xn--bcher-kva.example.com", 0),
    ("san_xn_partial", "xnz.example.com", 0),
    ("san_wild_idna_parent", "www.xn--bcher-kva.example", DEF),
    ("san_wild_idna_parent", "www.bücher.example", DEF),
    # trailing dots
    ("san_trailing_dot", "example.com.", DEF),
    ("san_trailing_dot", "example.com", DEF),
    ("san_wild_trailing_dot", "www.example.com.", DEF),
    ("san_wild_trailing_dot", "www.example.com", DEF),
    ("san_wild_trailing_dot", "*.example.com.", DEF),
    ("san_underscore", "a_b.example.com", DEF),
    ("san_underscore", "A_B.EXAMPLE.COM", DEF),
    ("san_hyphen_end", "x.bad-.example.com", DEF),
    ("san_hyphen_end", "*.bad-.example.com", DEF),
    # several SANs
    ("san_multi", "a.example.org", DEF),
    ("san_multi", "b.example.net", DEF),
    ("san_multi", "x.c.example.com", DEF),
    ("san_multi", "multi.example.com", DEF),
    ("san_multi", "10.0.0.1", DEF),
    ("san_multi", "10.0.0.2", DEF),
    # IP SANs only: DNS references fall back to the CN
    ("san_ip4_only", "127.0.0.1", DEF),
    ("san_ip4_only", "1.2.3.4", NOCN),
    ("san_ip4_only", "01.002.3.4", DEF),
    ("san_ip4_only", "1.2.3.04", DEF),
    ("san_ip4_only", "127.0.0.2", DEF),
    ("san_ip4_only", "::ffff:127.0.0.1", DEF),
    ("san_ip4_only", "localhost", DEF),
    ("san_ip4_only", "LOCALHOST", DEF),
    ("san_ip4_only", "localhost", NOCN),
    ("san_ip4_only", "1.2.3", DEF),
    ("san_ip4_only", "1.2.3.4.5", DEF),
    ("san_ip4_only", "1.2.3.4x", DEF),
    ("san_ip4_only", " 1.2.3.4", DEF),
    ("san_ip4_only", "1. 2.3.4", DEF),
    ("san_ip4_only", "+1.2.3.4", DEF),
    ("san_ip4_only", "1.2.3.4 ", DEF),
    ("san_ip4_only", "1.2.3.256", DEF),
    ("san_ip4_only", "0x7f.0.0.1", DEF),
    ("san_ip6_only", "::1", DEF),
    ("san_ip6_only", "0:0:0:0:0:0:0:1", DEF),
    ("san_ip6_only", "0000:0000:0000:0000:0000:0000:0000:0001", DEF),
    ("san_ip6_only", "[::1]", DEF),
    ("san_ip6_only", "2001:DB8::1", DEF),
    ("san_ip6_only", "2001:db8:0:0::1", DEF),
    ("san_ip6_only", "2001:db8::0.0.0.1", DEF),
    ("san_ip6_only", "::2", DEF),
    ("san_ip6_only", "::", DEF),
    ("san_ip6_only", ":::1", DEF),
    ("san_ip6_only", "1::2::3", DEF),
    ("san_ip6_only", "::1%lo", DEF),
    ("san_ip6_only", "2001:db8::00001", DEF),
    ("san_ip6_only", "ip6.example", DEF),
    ("san_ip6_only", "ip6.example", NOCN),
    ("san_ip_and_dns", "localhost", DEF),
    ("san_ip_and_dns", "127.0.0.1", DEF),
    ("san_ip_and_dns", "cn.example.com", DEF),
    ("san_dns_ipliteral", "127.0.0.1", DEF),
    ("san_dns_ipliteral", "1.2.3", DEF),
    ("san_ip_mapped", "1.2.3.4", DEF),
    ("san_ip_mapped", "::ffff:1.2.3.4", DEF),
    ("san_ip_mapped", "::ffff:102:304", DEF),
    ("san_email_only", "mail.example.com", DEF),
    ("san_email_only", "mail.example.com", NOCN),
    ("san_email_only", "example.com", DEF),
    # subject CN fallback
    ("cn_only", "cn.example.com", DEF),
    ("cn_only", "CN.EXAMPLE.COM", DEF),
    ("cn_only", "cn.example.com", NOCN),
    ("cn_only", "cn.example.com", NOCN | ALWAYS),
    ("cn_only", "cn.example.com", 0),
    ("cn_only", "other.example.com", DEF),
    ("cn_upper", "cn.example.com", DEF),
    ("cn_wild", "www.example.com", DEF),
    ("cn_wild", "www.example.com", NOCN),
    ("cn_wild", "www.example.com", NO_WILD),
    ("cn_wild", "a.b.example.com", DEF),
    ("cn_partial", "foo.example.com", DEF),
    ("cn_partial", "foo.example.com", 0),
    ("cn_ip", "127.0.0.1", DEF),
    ("cn_ip_like", "1.2.3", DEF),
    ("cn_multi", "first.example", DEF),
    ("cn_multi", "second.example", DEF),
    ("cn_multi", "third.example", DEF),
    ("cn_trailing_dot", "cn.example.com.", DEF),
    ("cn_trailing_dot", "cn.example.com", DEF),
    ("cn_bmp", "bmp.example.com", DEF),
    ("cn_bmp", "bmp.example.com", NOCN),
    ("cn_t61_wild", "a.t61.example", DEF),
    ("no_names", "example.com", DEF),
    ("no_names", "127.0.0.1", DEF),
    # a2i_IPADDRESS quirks (sscanf-based IPv4, hand-rolled IPv6)
    ("san_ip_quirks", "-0.2.3.4", DEF),
    ("san_ip_quirks", "+0.2.3.4", DEF),
    ("san_ip_quirks", "4294967297.2.3.4", DEF),
    ("san_ip_quirks", "4294967296.2.3.4", DEF),
    ("san_ip_quirks", "99999999999999999999.2.3.4", DEF),
    ("san_ip_quirks", "1.2.3.4 junk", DEF),
    ("san_ip_quirks", "1.2.3.4\t", DEF),
    ("san_ip_quirks", "1.2.3.4\n", DEF),
    ("san_ip_quirks", "\t1.2.3.4", DEF),
    ("san_ip_quirks", "1 .2.3.4", DEF),
    ("san_ip_quirks", "1:2:3:4:5:6:7::", DEF),
    ("san_ip_quirks", "::2:3:4:5:6:7:8", DEF),
    ("san_ip_quirks", "1::", DEF),
    ("san_ip_quirks", "1::0", DEF),
    ("san_ip_quirks", "1:0::", DEF),
    ("san_ip_quirks", "1:", DEF),
    ("san_ip_quirks", ":1", DEF),
    ("san_ip_quirks", "1:2:3:4:5:6:7:8:9", DEF),
    ("san_ip_quirks", "1:2:3:4:5:6:7:8::", DEF),
    ("san_ip_quirks", "::1.2.3.4:1", DEF),
    ("san_ip_quirks", "::1 ", DEF),
    ("san_ip_quirks", "::0.2.3.4", DEF),
    ("san_ip_quirks", "::0.2.3.4 x", DEF),
    ("san_ip_quirks", "0:0:0:0:0:0:0.2.3.4", DEF),
    ("san_ip_quirks", "0:0:0:0:0:0:0:0.2.3.4", DEF),
    ("san_ip_quirks", "1:2:3:4:5:6:7:8", DEF),
    ("san_ip_quirks", ":::", DEF),
    ("san_ip_quirks", "::::", DEF),
    ("san_ip_quirks", "1:::2", DEF),
    ("san_ip_quirks", "::", DEF),
    ("san_ip_quirks", "0::0", DEF),
    ("san_ip_quirks", "g::1", DEF),
    # more wildcard shapes
    ("san_hyphen_star", "a-b.example.com", 0),
    ("san_hyphen_star", "a-*.example.com", 0),
    ("san_star_hyphen", "b-a.example.com", 0),
    ("san_star_hyphen", "b-a.example.com", DEF),
    ("san_uri_only", "uri.example.com", DEF),
    ("san_uri_only", "uri.example.com", NOCN),
    ("san_mixed_case_wild", "www.example.com", DEF),
    ("san_mixed_case_wild", "FOO.EXAMPLE.ORG", 0),
    ("san_mixed_case_wild", "XN--O.example.org", 0),
    ("san_mixed_case_wild", "XN--BCHER-KVA.example.com", DEF),
    ("cn_partial_suf", "xn--o.example.com", 0),
    ("cn_partial_suf", "fo.example.com", 0),
    ("cn_partial_suf", "fo.example.com", DEF | ALWAYS),
    ("san_www", "", DEF),
    ("san_www", "www.example.com\x00", DEF),
]


def openssl_req(name, subject, san, mask, workdir):
    """Create <name>.pem (certificate) and a throwaway key with openssl req."""
    cert = os.path.join(OUT, name + ".pem")
    key = os.path.join(workdir, name + ".key")
    cmd = ["openssl", "req", "-x509", "-newkey", "ec",
           "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
           "-days", "36500", "-subj", subject,
           "-keyout", key, "-out", cert]
    if san is not None:
        cmd += ["-addext", "subjectAltName=" + san]
    if mask is not None:
        cnf = os.path.join(workdir, name + ".cnf")
        with open(cnf, "w") as f:
            f.write("[req]\ndistinguished_name = dn\nprompt = no\n"
                    "string_mask = %s\nx509_extensions = ext\n[dn]\n"
                    "[ext]\nbasicConstraints = critical,CA:TRUE\n" % mask)
        cmd += ["-config", cnf]
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return cert, key


def handshake(cert, key, hostname, flags):
    """Run one loopback handshake; return the outcome string."""
    client_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    client_ctx.load_verify_locations(cafile=cert)
    client_ctx.check_hostname = True
    client_ctx._host_flags = flags
    server_ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    server_ctx.load_cert_chain(cert, key)

    a, b = socket.socketpair()
    a.settimeout(10)
    b.settimeout(10)

    def serve():
        try:
            with server_ctx.wrap_socket(b, server_side=True) as s:
                s.recv(1)
        except (OSError, ssl.SSLError):
            pass

    t = threading.Thread(target=serve, daemon=True)
    t.start()
    try:
        try:
            c = client_ctx.wrap_socket(a, server_hostname=hostname,
                                       do_handshake_on_connect=False)
        except (ValueError, UnicodeError, TypeError):
            return "valueerror"
        try:
            c.do_handshake()
            c.sendall(b"x")
            return "ok"
        except ssl.SSLCertVerificationError as e:
            if e.verify_code in (62, 64):
                return str(e.verify_code)
            return "code:%d" % e.verify_code
        finally:
            c.close()
    finally:
        a.close()
        b.close()
        t.join(10)


def encode_reference(hostname):
    """What CPython passes to _ssl: the IDNA (A-label) form of a str."""
    try:
        return hostname.encode("idna").decode("ascii")
    except UnicodeError:
        return hostname


def escape(text):
    """Escape a reference for the TSV file (see module docstring)."""
    out = []
    for byte in text.encode("utf-8"):
        if 0x21 <= byte <= 0x7E and byte != 0x5C:
            out.append(chr(byte))
        else:
            out.append("\\x%02x" % byte)
    return "".join(out)


def main():
    os.makedirs(OUT, exist_ok=True)
    keys = {}
    with tempfile.TemporaryDirectory() as workdir:
        for name, (subject, san, mask) in CERTS.items():
            keys[name] = openssl_req(name, subject, san, mask, workdir)
        lines = ["# cert\treference\thost_flags\toutcome  "
                 "(generated by tests/data/gen_hostname_expected.py, %s)"
                 % ssl.OPENSSL_VERSION]
        for cert_name, hostname, flags in CASES:
            cert, key = keys[cert_name]
            outcome = handshake(cert, key, hostname, flags)
            lines.append("\t".join([cert_name,
                                    escape(encode_reference(hostname)),
                                    str(flags), outcome]))
    with open(os.path.join(OUT, "expected.tsv"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("%d cases written to %s" % (len(CASES), OUT), file=sys.stderr)


if __name__ == "__main__":
    main()
