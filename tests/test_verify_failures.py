"""Each verification failure, produced by the stdlib and by rustssl over the same handshake.

Every scenario runs twice against the same stdlib server: once with a stdlib
client and once with a rustssl client with the same settings. The outcome
(exception class, ``verify_code``, ``verify_message``) must be identical.
"""

from __future__ import annotations

import _ssl
import ssl as stdlib_ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import rustssl

pki = pytest.importorskip("pki")
from cryptography.hazmat.primitives.serialization import Encoding  # noqa: E402
from cryptography.x509.oid import ExtendedKeyUsageOID  # noqa: E402

from pki import DAY, NOW, Issued, make_cert, make_crl, write  # noqa: E402


def drive(client: Any, server: Any, bios: tuple[Any, Any, Any, Any]) -> dict[str, BaseException]:
    """Runs a memory-BIO handshake to the end; returns each side's exception, if any."""
    c_in, c_out, s_in, s_out = bios
    errors: dict[str, BaseException] = {}
    done = {"client": False, "server": False}
    for _ in range(50):
        for name, obj in (("client", client), ("server", server)):
            if done[name]:
                continue
            try:
                obj.do_handshake()
                done[name] = True
            except (stdlib_ssl.SSLWantReadError, rustssl.SSLWantReadError):
                pass
            except Exception as e:
                errors[name] = e
                done[name] = True
        moved = False
        for src, dst in ((c_out, s_in), (s_out, c_in)):
            data = src.read()
            if data:
                dst.write(data)
                moved = True
        if all(done.values()) and not moved:
            break
        if not moved and any(done.values()):
            break
    return errors


def connect(
    client_ctx: Any, client_mod: Any, server_ctx: Any, server_mod: Any, hostname: str | None
) -> tuple[Any, Any, dict[str, BaseException]]:
    c_in, c_out = client_mod.MemoryBIO(), client_mod.MemoryBIO()
    s_in, s_out = server_mod.MemoryBIO(), server_mod.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname=hostname)
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    return client, server, drive(client, server, (c_in, c_out, s_in, s_out))


def outcome(error: BaseException | None) -> tuple[Any, ...]:
    if error is None:
        return ("ok",)
    return (
        type(error).__name__,
        getattr(error, "verify_code", None),
        getattr(error, "verify_message", None),
    )


@dataclass
class Scenario:
    """A server identity and the client's trust settings."""

    chain: list[Issued]
    trust: list[Issued]
    crls: list[str] = field(default_factory=list)
    flags: int = 0
    hostname: str = "localhost"
    check_hostname: bool = True


def client_context(module: Any, sc: Scenario, cafile: str) -> Any:
    ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = sc.check_hostname
    ctx.load_verify_locations(cafile)
    ctx.verify_flags |= sc.flags
    return ctx


def run(sc: Scenario, tmp: Path) -> dict[str, tuple[Any, ...]]:
    """The client-side outcome for each module, against a stdlib server."""
    certfile = write(tmp, "chain.pem", *(c.pem for c in sc.chain))
    keyfile = write(tmp, "key.pem", sc.chain[0].key_pem)
    cafile = write(tmp, "ca.pem", *(c.pem for c in sc.trust), *sc.crls)
    results = {}
    for name, module in (("stdlib", stdlib_ssl), ("rustssl", rustssl)):
        server = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(certfile, keyfile)
        client = client_context(module, sc, cafile)
        _, _, errors = connect(client, module, server, stdlib_ssl, sc.hostname)
        results[name] = outcome(errors.get("client"))
    return results


def assert_same(sc: Scenario, tmp: Path, expected: int | None) -> None:
    results = run(sc, tmp)
    assert results["rustssl"] == results["stdlib"]
    if expected is None:
        assert results["stdlib"] == ("ok",)
    else:
        assert results["stdlib"][0] == "SSLCertVerificationError"
        assert results["stdlib"][1] == expected


@pytest.fixture(scope="module")
def root() -> Issued:
    return make_cert("Test Root", ca=True)


@pytest.fixture(scope="module")
def inter(root: Issued) -> Issued:
    return make_cert("Test Intermediate", root, ca=True)


def leaf(issuer: Issued, **kw: Any) -> Issued:
    kw.setdefault("dns", ("localhost",))
    kw.setdefault("ips", ("127.0.0.1",))
    return make_cert("localhost", issuer, **kw)


# --- the codes the task names ------------------------------------------------


def test_valid_chain_is_accepted_by_both(root: Issued, inter: Issued, tmp_path: Path) -> None:
    assert_same(Scenario([leaf(inter), inter], [root]), tmp_path, None)


def test_10_expired(root: Issued, tmp_path: Path) -> None:
    old = leaf(root, not_before=NOW - 10 * DAY, not_after=NOW - DAY)
    assert_same(Scenario([old], [root]), tmp_path, 10)


def test_9_not_yet_valid(root: Issued, tmp_path: Path) -> None:
    early = leaf(root, not_before=NOW + DAY, not_after=NOW + 10 * DAY)
    assert_same(Scenario([early], [root]), tmp_path, 9)


def test_18_self_signed_leaf(root: Issued, tmp_path: Path) -> None:
    selfie = make_cert("localhost", dns=("localhost",))
    assert_same(Scenario([selfie], [root]), tmp_path, 18)


def test_19_self_signed_in_chain(inter: Issued, tmp_path: Path) -> None:
    other_root = make_cert("Other Root", ca=True)
    other_inter = make_cert("Other Intermediate", other_root, ca=True)
    chain = [leaf(other_inter), other_inter, other_root]
    assert_same(Scenario(chain, [make_cert("Unrelated", ca=True)]), tmp_path, 19)


def test_20_unknown_issuer(inter: Issued, tmp_path: Path) -> None:
    assert_same(Scenario([leaf(make_cert("Nobody", ca=True))], [inter]), tmp_path, 20)


def test_20_missing_intermediate(root: Issued, inter: Issued, tmp_path: Path) -> None:
    assert_same(Scenario([leaf(inter)], [root]), tmp_path, 20)


def test_2_store_holds_only_the_intermediate(inter: Issued, tmp_path: Path) -> None:
    # The store's intermediate is not an anchor by default, and its issuer is missing.
    assert_same(Scenario([leaf(inter)], [inter]), tmp_path, 2)


def test_23_revoked(root: Issued, tmp_path: Path) -> None:
    bad = leaf(root)
    sc = Scenario([bad], [root], [make_crl(root, (bad,))], stdlib_ssl.VERIFY_CRL_CHECK_LEAF)
    assert_same(sc, tmp_path, 23)


def test_26_client_auth_only_cert_as_server(root: Issued, tmp_path: Path) -> None:
    client_only = leaf(root, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    assert_same(Scenario([client_only], [root]), tmp_path, 26)


def test_62_hostname_mismatch(root: Issued, tmp_path: Path) -> None:
    assert_same(Scenario([leaf(root)], [root], hostname="example.org"), tmp_path, 62)


def test_64_ip_mismatch(root: Issued, tmp_path: Path) -> None:
    assert_same(Scenario([leaf(root)], [root], hostname="10.9.8.7"), tmp_path, 64)


# --- CRLs ---------------------------------------------------------------------


def test_crl_check_passes_for_an_unrevoked_leaf(root: Issued, tmp_path: Path) -> None:
    sc = Scenario([leaf(root)], [root], [make_crl(root)], stdlib_ssl.VERIFY_CRL_CHECK_LEAF)
    assert_same(sc, tmp_path, None)


def test_3_crl_check_without_any_crl(root: Issued, tmp_path: Path) -> None:
    sc = Scenario([leaf(root)], [root], [], stdlib_ssl.VERIFY_CRL_CHECK_LEAF)
    assert_same(sc, tmp_path, 3)


def test_3_crl_from_another_issuer(root: Issued, tmp_path: Path) -> None:
    other = make_cert("Other CA", ca=True)
    sc = Scenario([leaf(root)], [root], [make_crl(other)], stdlib_ssl.VERIFY_CRL_CHECK_LEAF)
    assert_same(sc, tmp_path, 3)


def test_12_expired_crl(root: Issued, tmp_path: Path) -> None:
    crl = make_crl(root, next_update=NOW - DAY)
    sc = Scenario([leaf(root)], [root], [crl], stdlib_ssl.VERIFY_CRL_CHECK_LEAF)
    assert_same(sc, tmp_path, 12)


def test_crl_not_checked_without_the_flag(root: Issued, tmp_path: Path) -> None:
    bad = leaf(root)
    assert_same(Scenario([bad], [root], [make_crl(root, (bad,))]), tmp_path, None)


def test_crl_check_leaf_ignores_a_revoked_intermediate(
    root: Issued, inter: Issued, tmp_path: Path
) -> None:
    crls = [make_crl(root, (inter,)), make_crl(inter)]
    sc = Scenario([leaf(inter), inter], [root], crls, stdlib_ssl.VERIFY_CRL_CHECK_LEAF)
    assert_same(sc, tmp_path, None)


def test_23_crl_check_chain_finds_a_revoked_intermediate(
    root: Issued, inter: Issued, tmp_path: Path
) -> None:
    crls = [make_crl(root, (inter,)), make_crl(inter)]
    sc = Scenario([leaf(inter), inter], [root], crls, stdlib_ssl.VERIFY_CRL_CHECK_CHAIN)
    assert_same(sc, tmp_path, 23)


def test_crl_check_chain_passes_with_every_crl(root: Issued, inter: Issued, tmp_path: Path) -> None:
    crls = [make_crl(root), make_crl(inter)]
    sc = Scenario([leaf(inter), inter], [root], crls, stdlib_ssl.VERIFY_CRL_CHECK_CHAIN)
    assert_same(sc, tmp_path, None)


def test_3_crl_check_chain_without_the_intermediate_crl(
    root: Issued, inter: Issued, tmp_path: Path
) -> None:
    crls = [make_crl(inter)]
    sc = Scenario([leaf(inter), inter], [root], crls, stdlib_ssl.VERIFY_CRL_CHECK_CHAIN)
    assert_same(sc, tmp_path, 3)


# --- trust anchors and partial chains -----------------------------------------


def test_partial_chain_makes_a_stored_intermediate_an_anchor(inter: Issued, tmp_path: Path) -> None:
    sc = Scenario([leaf(inter)], [inter], flags=stdlib_ssl.VERIFY_X509_PARTIAL_CHAIN)
    assert_same(sc, tmp_path, None)


def test_partial_chain_trusts_a_stored_leaf(root: Issued, tmp_path: Path) -> None:
    the_leaf = leaf(root)
    sc = Scenario([the_leaf], [the_leaf], flags=stdlib_ssl.VERIFY_X509_PARTIAL_CHAIN)
    assert_same(sc, tmp_path, None)


def test_stored_leaf_alone_is_not_an_anchor_by_default(root: Issued, tmp_path: Path) -> None:
    the_leaf = leaf(root)
    assert_same(Scenario([the_leaf], [the_leaf]), tmp_path, 20)


def test_partial_chain_still_checks_a_stored_leafs_dates(root: Issued, tmp_path: Path) -> None:
    old = leaf(root, not_before=NOW - 10 * DAY, not_after=NOW - DAY)
    sc = Scenario([old], [old], flags=stdlib_ssl.VERIFY_X509_PARTIAL_CHAIN)
    assert_same(sc, tmp_path, 10)


def test_partial_chain_still_checks_a_stored_leafs_purpose(root: Issued, tmp_path: Path) -> None:
    client_only = leaf(root, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
    sc = Scenario([client_only], [client_only], flags=stdlib_ssl.VERIFY_X509_PARTIAL_CHAIN)
    assert_same(sc, tmp_path, 26)


def test_trusted_self_signed_leaf_is_accepted(tmp_path: Path) -> None:
    selfie = make_cert("localhost", dns=("localhost",), eku=None)
    assert_same(Scenario([selfie], [selfie]), tmp_path, None)


# --- VERIFY_X509_STRICT ---------------------------------------------------------

STRICT = stdlib_ssl.VERIFY_X509_STRICT


def test_strict_accepts_a_well_formed_chain(root: Issued, inter: Issued, tmp_path: Path) -> None:
    assert_same(Scenario([leaf(inter), inter], [root], flags=STRICT), tmp_path, None)


@pytest.mark.parametrize(
    "defect,code",
    [
        ({"akid": False}, 85),
        ({"bc_critical": False}, 89),
        ({"skid": False}, 86),
        ({"key_usage": False}, 92),
    ],
    ids=["leaf-no-akid", "ca-bc-not-critical", "ca-no-skid", "ca-no-key-usage"],
)
def test_strict_defects_match_openssl(
    root: Issued, defect: dict[str, bool], code: int, tmp_path: Path
) -> None:
    if "akid" in defect:
        chain = [leaf(root, **defect)]
    else:
        bad_inter = make_cert("Defective Intermediate", root, ca=True, **defect)
        chain = [leaf(bad_inter), bad_inter]
    assert_same(Scenario(chain, [root], flags=STRICT), tmp_path, code)
    # Without the flag both accept the same chain.
    assert_same(Scenario(chain, [root]), tmp_path, None)


def test_strict_empty_subject_with_non_critical_san(root: Issued, tmp_path: Path) -> None:
    bad = make_cert("", root, dns=("localhost",))
    assert_same(Scenario([bad], [root], flags=STRICT), tmp_path, 88)


# --- the verified chain -----------------------------------------------------------


def test_verified_chain_ends_at_the_anchor(root: Issued, inter: Issued, tmp_path: Path) -> None:
    the_leaf = leaf(inter)
    certfile = write(tmp_path, "chain.pem", the_leaf.pem, inter.pem)
    keyfile = write(tmp_path, "key.pem", the_leaf.key_pem)
    cafile = write(tmp_path, "ca.pem", root.pem)
    chains = {}
    for name, module in (("stdlib", stdlib_ssl), ("rustssl", rustssl)):
        server = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_SERVER)
        server.load_cert_chain(certfile, keyfile)
        client = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
        client.load_verify_locations(cafile)
        obj, _, errors = connect(client, module, server, stdlib_ssl, "localhost")
        assert not errors
        # Python 3.11 has these only on the private _sslobj; rustssl mirrors that.
        verified = obj._sslobj.get_verified_chain()
        presented = obj._sslobj.get_unverified_chain()
        chains[name] = (
            [c.public_bytes(_ssl.ENCODING_DER) for c in verified],
            [c.public_bytes(_ssl.ENCODING_DER) for c in presented],
        )
    assert chains["rustssl"] == chains["stdlib"]
    ders = [c.cert.public_bytes(Encoding.DER) for c in (the_leaf, inter, root)]
    assert chains["rustssl"][0] == ders
    assert chains["rustssl"][1] == ders[:2]
