#!/usr/bin/env python3
"""Regenerate the cipher-string oracle data used by crates/core/src/ciphers/.

The machine's CPython `ssl` module (linked against OpenSSL 3.0) is the oracle.
For every cipher string below we call SSLContext.set_ciphers() and record the
TLS 1.2 suites that get_ciphers() then reports, keeping only the suites that
rustls' aws-lc-rs provider implements, in OpenSSL's order.

Output files (next to this script):

cipher_expected.txt, one case per line:
    STRING <TAB> NAMES <TAB> LEVEL
  STRING  the cipher string, with backslash, tab and newline escaped as
          \\\\, \\t and \\n
  NAMES   "!ERR" when set_ciphers() raised, otherwise the selected suites
          joined by ":" (empty when OpenSSL selected only suites rustls lacks)
  LEVEL   the security level the string set with @SECLEVEL, or "-" if none
          (or if set_ciphers() raised)
  COUNT   how many TLS 1.2-and-older suites OpenSSL selected in all (those
          rustls lacks included), or "-" if set_ciphers() raised

../../crates/core/src/ciphers/openssl_suites.tsv: every TLS 1.2-and-older
suite this OpenSSL offers that rustls lacks, with what the cipher-string rules
match on (tab-separated: name protocol strength_bits kea auth symmetric digest
fips not_default), so the parser can tell a string OpenSSL accepts (it selects
some suite) from one it rejects, even when rustls has none of the suites
selected.

cipher_info_expected.txt, one suite per line, in get_ciphers() order for
"ALL" (TLS 1.3 first), tab-separated:
    name id protocol strength_bits alg_bits aead symmetric digest kea auth description
  digest is "-" when None.

Lines starting with "##" are comments.  Run: python3 gen_cipher_expected.py
"""

import os
import ssl

HERE = os.path.dirname(os.path.abspath(__file__))

# The suites rustls 0.23's aws-lc-rs provider offers, by OpenSSL name.
RUSTLS_TLS13 = {
    "TLS_AES_256_GCM_SHA384",
    "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_AES_128_GCM_SHA256",
}
RUSTLS_TLS12 = {
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
}

E_RSA128 = "ECDHE-RSA-AES128-GCM-SHA256"

CASES = [
    # defaults
    "@SECLEVEL=2:ECDH+AESGCM:ECDH+CHACHA20:ECDH+AES:DHE+AES:!aNULL:!eNULL:!aDSS:!SHA1:!AESCCM",
    "DEFAULT",
    "DEFAULT:!aNULL:!eNULL:!MD5:!3DES:!DES:!RC4:!IDEA:!SEED:!aDSS:!SRP:!PSK",
    "DEFAULT:!ECDSA",
    "DEFAULT:+AES128",
    "DEFAULT+AES128",
    "DEFAULT:@STRENGTH",
    "DEFAULT@STRENGTH",
    "DEFAULTX",
    "DEFAULT:@SECLEVEL=1",
    "ECDSA:DEFAULT",
    "HIGH:DEFAULT",
    # every alias alone
    "ALL", "COMPLEMENTOFDEFAULT", "COMPLEMENTOFALL", "HIGH", "MEDIUM", "LOW",
    "EXPORT", "EXP", "FIPS", "eNULL", "NULL", "aNULL", "kECDHE", "ECDHE",
    "EECDH", "kEECDH", "ECDH", "AECDH", "kRSA", "RSA", "DHE", "EDH", "kDHE",
    "kEDH", "DH", "ADH", "aRSA", "aECDSA", "ECDSA", "aDSS", "DSS", "AES",
    "AES128", "AES256", "AESGCM", "AESCCM", "AESCCM8", "CHACHA20", "SHA1",
    "SHA", "SHA256", "SHA384", "MD5", "TLSv1.2", "TLSv1", "TLSv1.0", "SSLv3",
    "TLSv1.3", "PSK", "kPSK", "aPSK", "kECDHEPSK", "kDHEPSK", "kRSAPSK", "SRP",
    "CAMELLIA", "CAMELLIA128", "ARIA", "ARIAGCM", "3DES", "DES", "RC4", "IDEA",
    "SEED", "CBC", "AEAD", "high", "all",
    # Suite B
    "SUITEB128", "SUITEB128ONLY", "SUITEB128C2", "SUITEB192", "SUITEB128X",
    "SUITEB192:ALL", "ALL:SUITEB128", "ECDSA:SUITEB128", "SUITEB1",
    # + combinations
    "ECDHE+AESGCM", "ECDH+AESGCM", "kEECDH+ECDSA+AES128:kEECDH+AES128",
    "ECDHE+AES256", "aRSA+AES128", "ECDSA+CHACHA20", "AESGCM+ECDSA+ECDHE",
    "FIPS+AESGCM", "FIPS+HIGH", "HIGH+FIPS", "FIPS+CHACHA20",
    "kECDHE+kDHE", "aRSA+aECDSA", "TLSv1.2+AES128", "TLSv1.2+TLSv1",
    "ECDHE-ECDSA-AES256-GCM-SHA384+HIGH", "ECDHE-ECDSA-AES256-GCM-SHA384+TLSv1",
    "ECDHE-ECDSA-AES256-GCM-SHA384+TLSv1.2", "TLSv1.2+ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-GCM-SHA384+ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-AES256-GCM-SHA384+CHACHA20",
    # ! - + and re-adding
    "HIGH:!aNULL:!MD5", "ALL:!ECDSA", "ALL:!ECDSA:ECDSA", "ALL:-ECDSA:ECDSA",
    "ALL:-ECDSA:AESGCM", "ALL:+AES128", "ALL:+AES256", "ALL:+ECDSA",
    "ALL:+CHACHA20:+aRSA", "ALL:-ALL:CHACHA20:+ECDSA", "-ALL:AES128",
    "!ALL", "ALL:!ALL", "ALL:!HIGH", "ALL:-AES256:AES", "+ECDSA",
    "ECDHE+AESGCM:!AES256", "ECDHE+AESGCM:-AES256:AES256",
    "ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-GCM-SHA256:+" + E_RSA128,
    "ALL:!aRSA:!aECDSA",
    # @STRENGTH
    "ALL:@STRENGTH", "AES128:AES256:@STRENGTH", "CHACHA20:AES128:AESGCM:@STRENGTH",
    "ALL:-AES256:@STRENGTH:AES256", "ECDH+AESGCM:ECDH+CHACHA20:@STRENGTH",
    "@STRENGTH:ALL", "@STRENGTH+ALL:ALL", "@STRENGTH#:ALL",
    "AESGCM:@STRENGTH@FOO", "@strength:ALL", "@STRENGTHX:ALL", "@STRENGTH=1:ALL",
    # @SECLEVEL
    "@SECLEVEL=0:ALL", "@SECLEVEL=1:ALL", "@SECLEVEL=2:ALL", "@SECLEVEL=3:ALL",
    "@SECLEVEL=4:ALL", "@SECLEVEL=5:ALL", "@SECLEVEL=6:ALL", "@SECLEVEL=10:ALL",
    "@SECLEVEL=01:ALL", "@SECLEVEL=a:ALL", "@SECLEVEL=:ALL", "@SECLEVEL:ALL",
    "@SECLEVEL=1x:ALL", "@SECLEVEL=3#:ALL", "@SECLEVEL=1+ALL:ALL",
    "ALL:@SECLEVEL=4:@SECLEVEL=3", "ALL@SECLEVEL=1", "ALL@SECLEVEL=9",
    "ALL:@STRENGTH@SECLEVEL=9", "@SECLEVEL=3",
    # unknown names, explicit names, IANA names, empty results
    "FOO", "ALL:FOO", "FOO:ECDSA", "ECDHE+FOO", "ALL:FOO+", "ALL:FOO++",
    "ALL:FOO+#", "ALL:FOO#BAR", "ALL:FOO_BAR", "ALL:FOO!ECDSA",
    "AES256-SHA", "AES256-SHA:ECDHE-RSA-AES128-GCM-SHA256",
    "DHE-RSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-SHA384",
    "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES256-GCM-SHA384",
    "TLS_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:ECDSA",
    "DHE+AES", "kRSA:CAMELLIA", "ECDHE+SHA256", "AES+SHA1", "ALL:!AESGCM:!CHACHA20",
    "", ":", "::", "   ",
    # separators and syntax
    "HIGH;AES", "HIGH,AES", "HIGH AES", "ALL::!ECDSA", "ALL, !ECDSA",
    "ALL\t!ECDSA", "ALL\n", "HIGH:#", "ALL:#FOO", "ALL:_", "ALL:!_", "!", "-",
    "+", "@", "!:ALL", "ALL:!", "ALL:+", "ALL:@", "ECDSA+", "ECDSA++AESGCM",
    "ECDSA+:ALL", "ALL:ECDSA+#", "ALL:!!ECDSA", "ALL:-!ECDSA", "ALL:!-ECDSA",
    "ALL:!+ECDSA", "ALL:ECDSA!RSA", "ALL:!ECDSA!aRSA", "ALL:ECDSA-AESGCM",
    "ALL:!ECDSA#", "ALL:!FOO#", "ALL:aRSA+ECDSA+#", "ALL:aRSA+ECDSA!ECDSA",
    "ALL:DHE+ECDSA!ECDSA", "ALL:kRSA+ECDSA!ECDSA", "ALL:AESGCM+TLSv1!ECDSA",
    "ALL:ECDSA+SSLv3!ECDSA", "ALL:FIPS+HIGH!ECDSA", "ALL:3DES!ECDSA",
    "ECDHE-ECDSA-AES256-GCM-SHA384+ECDSA+RSA!ECDSA",
    "ALL:!ECDSA:ECDSA+AESGCM", "ALL:\u00e9", "ALL:FOO\u00e9:!ECDSA",
    "ALL:LOW!ECDSA", "ALL:MEDIUM!ECDSA", "ALL:MEDIUM+3DES!ECDSA", "ALL:RC4!ECDSA",
    "ALL:EXPORT!ECDSA", "ALL:SEED!ECDSA", "ALL:SUITEB128!ECDSA", "ALL:DEFAULT!ECDSA",
    "ALL:COMPLEMENTOFDEFAULT+ECDSA!ECDSA", "ALL:AES256-SHA!ECDSA",
    # only suites rustls lacks: accepted (TLS 1.2 gets none), or not
    "TLSv1:ECDHE-RSA-AES128-GCM-SHA256", "DHE-DSS-AES256-GCM-SHA384",
    "kRSA+AES128", "SHA1+FIPS", "COMPLEMENTOFDEFAULT+AESGCM", "eNULL:-ALL",
    "eNULL+FIPS", "SSLv3+ECDSA", "TLSv1+DHE", "ALL:!ECDHE", "HIGH:!ECDHE:@STRENGTH",
    "CBC+SHA256", "AESCCM8+ECDSA", "PSK+CHACHA20", "SRP+DSS", "NULL-MD5",
    "DHE-RSA-AES256-GCM-SHA384+ECDSA", "AES128-SHA+TLSv1.2", "AES128-SHA+SSLv3",
]


def escape(s):
    return s.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def new_context(level):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL:@SECLEVEL=%d" % level)
    return ctx


def run_case(s):
    """Return (names-or-None, level-or-None, count-or-None) for one cipher string."""
    results = []
    for base_level in (0, 5):
        ctx = new_context(base_level)
        try:
            ctx.set_ciphers(s)
        except ssl.SSLError:
            return None, None, None
        tls12 = [d["name"] for d in ctx.get_ciphers() if d["protocol"] != "TLSv1.3"]
        names = [n for n in tls12 if n in RUSTLS_TLS12]
        results.append((names, ctx.security_level, len(tls12)))
    (names, lvl0, count), (_, lvl5, _) = results
    level = lvl0 if (lvl0, lvl5) != (0, 5) else None
    return names, level, count


def write_cases(path):
    seen = set()
    with open(path, "w", encoding="utf-8") as out:
        out.write("## generated by gen_cipher_expected.py against %s\n" % ssl.OPENSSL_VERSION)
        out.write("## STRING<TAB>NAMES|!ERR<TAB>SECLEVEL|-<TAB>COUNT|-\n")
        for s in CASES:
            if s in seen:
                raise SystemExit("duplicate case: %r" % s)
            seen.add(s)
            names, level, count = run_case(s)
            col = "!ERR" if names is None else ":".join(names)
            lvl = "-" if level is None else str(level)
            cnt = "-" if count is None else str(count)
            out.write("%s\t%s\t%s\t%s\n" % (escape(s), col, lvl, cnt))
    return len(CASES)


def write_info(path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL")
    keep = RUSTLS_TLS13 | RUSTLS_TLS12
    rows = 0
    with open(path, "w", encoding="utf-8") as out:
        out.write("## generated by gen_cipher_expected.py against %s\n" % ssl.OPENSSL_VERSION)
        out.write("## name id protocol strength_bits alg_bits aead symmetric digest kea auth description\n")
        for d in ctx.get_ciphers():
            if d["name"] not in keep:
                continue
            fields = [d["name"], str(d["id"]), d["protocol"], str(d["strength_bits"]),
                      str(d["alg_bits"]), str(d["aead"]).lower(), d["symmetric"],
                      d["digest"] or "-", d["kea"], d["auth"], d["description"]]
            out.write("\t".join(fields) + "\n")
            rows += 1
    if rows != len(keep):
        raise SystemExit("OpenSSL lacks some rustls suites: %d of %d" % (rows, len(keep)))


def members(alias):
    """The TLS 1.2-and-older suites an alias selects on its own."""
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers(alias + ":@SECLEVEL=0")
    return {d["name"] for d in ctx.get_ciphers() if d["protocol"] != "TLSv1.3"}


def write_suite_table(path):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.set_ciphers("ALL:COMPLEMENTOFALL:@SECLEVEL=0")
    fips = members("FIPS")
    not_default = members("COMPLEMENTOFDEFAULT")
    rows = []
    for d in ctx.get_ciphers():
        if d["protocol"] == "TLSv1.3" or d["name"] in RUSTLS_TLS12:
            continue
        fields = [
            d["name"],
            d["protocol"],
            str(d["strength_bits"]),
            d["kea"],
            d["auth"],
            d["symmetric"] or "null",
            d["digest"] or "aead",
            str(d["name"] in fips).lower(),
            str(d["name"] in not_default).lower(),
        ]
        rows.append("\t".join(fields) + "\n")
    with open(path, "w", encoding="utf-8") as out:
        out.write(
            "# Generated by tests/data/gen_cipher_expected.py against %s: do not edit.\n"
            "# OpenSSL's TLS 1.2-and-older suites that rustls lacks, in its order for"
            " ALL:COMPLEMENTOFALL.\n"
            "# name\tprotocol\tstrength_bits\tkea\tauth\tsymmetric\tdigest\tfips\tnot_default\n"
            % ssl.OPENSSL_VERSION
        )
        out.writelines(rows)
    return len(rows)


def main():
    n = write_cases(os.path.join(HERE, "cipher_expected.txt"))
    write_info(os.path.join(HERE, "cipher_info_expected.txt"))
    write_suite_table(os.path.join(HERE, "..", "..", "crates", "core", "src", "ciphers", "openssl_suites.tsv"))
    print("wrote %d cipher-string cases" % n)


if __name__ == "__main__":
    main()
