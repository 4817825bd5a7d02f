"""x509-limbo over real handshakes, with the stdlib (OpenSSL) as the referee.

For each runnable case a server presents the case's peer certificate and
untrusted intermediates (signing with the case's leaf key) over memory BIOs,
and a client trusting the case's trusted certificates connects, checking the
expected peer name. The client runs twice: rustssl and the stdlib. A case
passes when rustssl's verdict is the expected one. rustssl must never
accept what the stdlib rejects; that is the one per-case assertion.

Cases the ``ssl`` API cannot express are skipped with the reason: a
validation time other than now, a maximum chain depth, required key usages,
e-mail peer names, and client-side (``CLIENT``) validation with such names.
Cases with a validation time run when every certificate and CRL is valid
(or invalid) alike then and now.
"""

from __future__ import annotations

import datetime
import json
import ssl as stdlib_ssl
import warnings
from pathlib import Path
from typing import Any

import pytest

import rustssl
from test_verify_failures import connect

#: shared/ sits beside the repository, in CI's fresh clone as in /work/main.
LIMBO = Path(__file__).resolve().parents[3] / "shared" / "limbo" / "limbo.json"
#: The number of runnable cases rustssl must get right.
REQUIRED_PASSES = 126

#: Valid chains (limbo expects SUCCESS) that OpenSSL rejects because its
#: chain builder does not backtrack to the alternative path; webpki finds it.
#: Accepting them is not accepting an invalid chain, so they are exempt from
#: the "never accept what the stdlib rejects" rule, and listed here by name.
OPENSSL_PATH_BUILDING_MISSES = {
    "rfc5280::nc::nc-forbids-alternate-chain-ica",
    "rfc5280::nc::nc-forbids-same-chain-ica",
}

#: case id -> ("pass" | "fail" | "skip", detail)
RESULTS: dict[str, tuple[str, str]] = {}


def load_cases() -> list[dict[str, Any]]:
    if not LIMBO.exists():
        return []
    return list(json.loads(LIMBO.read_text())["testcases"])


CASES = load_cases()


def time_independent(case: dict[str, Any]) -> bool:
    """Whether every certificate and CRL of the case is valid (or invalid)
    alike at the case's validation time and now, so that validating now,
    the only time ``ssl`` offers, gives the case's answer."""
    from cryptography import x509

    when = datetime.datetime.fromisoformat(case["validation_time"])
    now = datetime.datetime.now(datetime.UTC)
    pems = [case["peer_certificate"], *case["untrusted_intermediates"], *case["trusted_certs"]]
    for pem in pems:
        with warnings.catch_warnings():
            # Some cases carry deliberately malformed serial numbers.
            warnings.simplefilter("ignore")
            cert = x509.load_pem_x509_certificate(pem.encode())
        start, end = cert.not_valid_before_utc, cert.not_valid_after_utc
        if (start <= when <= end) != (start <= now <= end):
            return False
    for pem in case["crls"]:
        crl = x509.load_pem_x509_crl(pem.encode())
        start, end = crl.last_update_utc, crl.next_update_utc
        if end is not None and (start <= when <= end) != (start <= now <= end):
            return False
    return True


def skip_reason(case: dict[str, Any]) -> str | None:
    """Why the ``ssl`` API cannot run this case, or ``None``."""
    if case["validation_time"] is not None and not time_independent(case):
        return "needs a validation time other than now"
    if case["max_chain_depth"] is not None:
        return "a maximum chain depth cannot be set through ssl"
    if case["key_usage"]:
        return "specific key usages cannot be required through ssl"
    if case["expected_peer_names"]:
        return "e-mail/other peer names cannot be checked through ssl"
    if case["validation_kind"] != "SERVER":
        return "client-certificate validation cases all need e-mail names"
    wanted_eku = {"SERVER": ["serverAuth"]}[case["validation_kind"]]
    if case["extended_key_usage"] and case["extended_key_usage"] != wanted_eku:
        return "an extended key usage other than the role's cannot be required"
    name = case["expected_peer_name"]
    if name is not None and name["kind"] not in ("DNS", "IP"):
        return f"peer name kind {name['kind']} cannot be checked through ssl"
    if case["peer_certificate_key"] is None:
        return "no leaf key: a handshake cannot present the certificate"
    return None


def server_context(module: Any, case: dict[str, Any], tmp: Path) -> Any:
    chain = tmp / "chain.pem"
    chain.write_text(case["peer_certificate"] + "".join(case["untrusted_intermediates"]))
    key = tmp / "key.pem"
    key.write_text(case["peer_certificate_key"])
    ctx = module.SSLContext(module.PROTOCOL_TLS_SERVER)
    # The server only presents; weak test keys must not stop it from doing so.
    ctx.set_ciphers("DEFAULT:@SECLEVEL=0")
    ctx.load_cert_chain(str(chain), str(key))
    return ctx


def client_context(module: Any, case: dict[str, Any], tmp: Path) -> Any:
    ctx = module.SSLContext(module.PROTOCOL_TLS_CLIENT)
    ctx.check_hostname = case["expected_peer_name"] is not None
    # Limbo follows RFC 6125: the subject CN never stands in for a SAN.
    ctx.hostname_checks_common_name = False
    if case["trusted_certs"] or case["crls"]:
        cafile = tmp / "trusted.pem"
        cafile.write_text("".join(case["trusted_certs"]) + "".join(case["crls"]))
        ctx.load_verify_locations(str(cafile))
    if case["crls"]:
        ctx.verify_flags |= module.VERIFY_CRL_CHECK_LEAF
    return ctx


def verdict(module: Any, server_module: Any, case: dict[str, Any], tmp: Path) -> str | None:
    """``None`` if ``module`` as client accepts the peer, else the error text."""
    try:
        client = client_context(module, case, tmp)
    except (stdlib_ssl.SSLError, rustssl.SSLError, ValueError) as e:
        return f"trust store refused: {e}"
    server = server_context(server_module, case, tmp)
    name = case["expected_peer_name"]
    hostname = name["value"] if name else None
    _, _, errors = connect(client, module, server, server_module, hostname)
    error = errors.get("client")
    return None if error is None else f"{type(error).__name__}: {error}"


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_limbo_case(case: dict[str, Any], tmp_path: Path) -> None:
    reason = skip_reason(case)
    if reason is not None:
        RESULTS[case["id"]] = ("skip", reason)
        pytest.skip(reason)
    # Prefer a rustssl server; fall back to the stdlib's for certificates it cannot load.
    server_module: Any = rustssl
    try:
        server_context(rustssl, case, tmp_path)
    except (rustssl.SSLError, ValueError, NotImplementedError):
        server_module = stdlib_ssl
        try:
            server_context(stdlib_ssl, case, tmp_path)
        except stdlib_ssl.SSLError as e:
            RESULTS[case["id"]] = ("skip", "the peer certificate cannot be served")
            pytest.skip(f"the peer certificate cannot be served: {e}")
    ours = verdict(rustssl, server_module, case, tmp_path)
    theirs = verdict(stdlib_ssl, server_module, case, tmp_path)
    expected_ok = case["expected_result"] == "SUCCESS"
    if (ours is None) == expected_ok:
        RESULTS[case["id"]] = ("pass", "")
    else:
        detail = (
            f"expected {case['expected_result']}; rustssl: {ours or 'accepted'};"
            f" stdlib: {theirs or 'accepted'}"
        )
        RESULTS[case["id"]] = ("fail", detail)
    if case["id"] in OPENSSL_PATH_BUILDING_MISSES:
        assert expected_ok and ours is None
        return
    assert not (ours is None and theirs is not None), (
        f"rustssl accepted what the stdlib rejects: {theirs}"
    )


def test_limbo_pass_count() -> None:
    if not CASES:
        pytest.skip(f"{LIMBO} is not there")
    if len(RESULTS) < len(CASES):
        pytest.skip("only part of the limbo cases ran")
    passed = sum(1 for outcome, _ in RESULTS.values() if outcome == "pass")
    assert passed >= REQUIRED_PASSES
