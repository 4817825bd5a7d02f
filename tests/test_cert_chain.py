"""``load_cert_chain``: key formats, encrypted keys, passwords and failures, against the stdlib."""

from __future__ import annotations

import base64
import os
import pty
import re
import select
import shutil
import signal
import ssl as stdlib_ssl
import subprocess
import sys
import termios
import time
from pathlib import Path
from typing import Any

import pytest

import rustssl
from conftest import MODULES

CERTDATA = Path(os.path.dirname(__import__("test").__file__)) / "certdata"
needs_openssl = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl CLI")


def openssl(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=cwd)


@pytest.fixture(scope="module")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """RSA, EC and Ed25519 keys in every format OpenSSL writes, with self-signed certificates."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl CLI")
    d = tmp_path_factory.mktemp("keys")

    def openssl(*args: str) -> None:
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=d)

    openssl("genrsa", "-out", "rsa.pem", "2048")
    openssl("ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "ec_sec1.pem")
    openssl("genpkey", "-algorithm", "ed25519", "-out", "ed.pem")
    for key, crt in (("rsa.pem", "rsa.crt"), ("ec_sec1.pem", "ec.crt"), ("ed.pem", "ed.crt")):
        openssl("req", "-x509", "-key", key, "-subj", "/CN=localhost", "-days", "3", "-out", crt)
    pw = "pass:secret"
    openssl("rsa", "-in", "rsa.pem", "-traditional", "-out", "rsa_pkcs1.pem")
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", "rsa.pem", "-out", "rsa_p8.pem")
    openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ec_sec1.pem", "-out", "ec_p8.pem")
    for cipher in ("aes128", "aes192", "aes256", "des3"):
        openssl("rsa", "-in", "rsa.pem", "-traditional", f"-{cipher}", "-passout", pw,
                "-out", f"rsa_trad_{cipher}.pem")  # fmt: skip
    openssl("ec", "-in", "ec_sec1.pem", "-aes128", "-passout", pw, "-out", "ec_trad_aes128.pem")
    openssl("pkcs8", "-topk8", "-in", "rsa.pem", "-passout", pw, "-out", "rsa_p8_aes256.pem")
    openssl("pkcs8", "-topk8", "-in", "ec_sec1.pem", "-passout", pw, "-v2", "aes-128-cbc",
            "-v2prf", "hmacWithSHA1", "-out", "ec_p8_aes128_sha1.pem")  # fmt: skip
    openssl("pkcs8", "-topk8", "-in", "ec_sec1.pem", "-passout", pw, "-v2", "aes-192-cbc",
            "-v2prf", "hmacWithSHA512", "-out", "ec_p8_aes192_sha512.pem")  # fmt: skip
    openssl("pkcs8", "-topk8", "-in", "ed.pem", "-passout", pw, "-v2", "des3",
            "-out", "ed_p8_des3.pem")  # fmt: skip
    openssl("pkcs8", "-topk8", "-in", "rsa.pem", "-passout", pw, "-v1", "PBE-SHA1-3DES",
            "-out", "rsa_p8_pbe_sha1_3des.pem")  # fmt: skip
    return d


def outcome(module: Any, cert: Any, key: Any = None, password: Any = None) -> tuple[Any, ...]:
    """What ``load_cert_chain`` does: ``ok`` or the exception's observable parts."""
    ctx = module.SSLContext(module.PROTOCOL_TLS_SERVER)
    try:
        ctx.load_cert_chain(cert, key, password)
    except Exception as e:
        # CPython appends "(_ssl.c:LINE)"; rustssl puts detail there or nothing.
        text = re.sub(r" \(_ssl\.c:\d+\)$", "", str(e))
        return (
            type(e).__name__,
            e.args[0] if isinstance(e, OSError) else None,
            text,
            getattr(e, "library", None),
            getattr(e, "reason", None),
        )
    return ("ok",)


def same(cert: Any, key: Any = None, password: Any = None) -> tuple[Any, ...]:
    ours = outcome(rustssl, cert, key, password)
    theirs = outcome(stdlib_ssl, cert, key, password)
    assert ours == theirs
    return ours


PLAIN = [
    ("rsa.crt", "rsa.pem"),
    ("rsa.crt", "rsa_pkcs1.pem"),
    ("rsa.crt", "rsa_p8.pem"),
    ("ec.crt", "ec_sec1.pem"),
    ("ec.crt", "ec_p8.pem"),
    ("ed.crt", "ed.pem"),
]

ENCRYPTED = [
    ("rsa.crt", "rsa_trad_aes128.pem"),
    ("rsa.crt", "rsa_trad_aes192.pem"),
    ("rsa.crt", "rsa_trad_aes256.pem"),
    ("rsa.crt", "rsa_trad_des3.pem"),
    ("ec.crt", "ec_trad_aes128.pem"),
    ("rsa.crt", "rsa_p8_aes256.pem"),
    ("ec.crt", "ec_p8_aes128_sha1.pem"),
    ("ec.crt", "ec_p8_aes192_sha512.pem"),
    ("ed.crt", "ed_p8_des3.pem"),
    ("rsa.crt", "rsa_p8_pbe_sha1_3des.pem"),
]


@pytest.mark.parametrize("cert,key", PLAIN)
def test_plain_key_formats_load(keys: Path, cert: str, key: str) -> None:
    assert same(str(keys / cert), str(keys / key)) == ("ok",)


@pytest.mark.parametrize("cert,key", ENCRYPTED)
def test_encrypted_keys_load_with_the_right_password(keys: Path, cert: str, key: str) -> None:
    assert same(str(keys / cert), str(keys / key), "secret") == ("ok",)
    assert same(str(keys / cert), str(keys / key), b"secret") == ("ok",)
    assert same(str(keys / cert), str(keys / key), lambda: bytearray(b"secret")) == ("ok",)


@pytest.mark.parametrize("cert,key", ENCRYPTED)
def test_encrypted_keys_fail_with_a_wrong_password(keys: Path, cert: str, key: str) -> None:
    result = same(str(keys / cert), str(keys / key), "wrong password")
    assert result == ("SSLError", 524297, "[SSL] PEM lib", "SSL", None)


KEYCERT = str(CERTDATA / "keycert.pem")
PASSWD = str(CERTDATA / "keycert.passwd.pem")


def _raise_key_error() -> str:
    raise KeyError("from the callback")


@pytest.mark.parametrize(
    "password",
    [
        "somepass",
        b"somepass",
        bytearray(b"somepass"),
        lambda: "somepass",
        lambda: b"somepass",
        "badpass",
        "",
        "a" * 1024,
        "a" * 1025,
        lambda: "a" * 1025,
        3,
        memoryview(b"somepass"),
        lambda: 3,
    ],
    ids=[
        "str",
        "bytes",
        "bytearray",
        "callable-str",
        "callable-bytes",
        "wrong",
        "empty",
        "len-1024",
        "len-1025",
        "callable-len-1025",
        "int",
        "memoryview",
        "callable-int",
    ],
)
def test_password_forms_match_the_stdlib(password: Any) -> None:
    same(PASSWD, None, password)


def test_password_callback_exception_propagates() -> None:
    for module in MODULES.values():
        ctx = module.SSLContext(module.PROTOCOL_TLS_SERVER)
        with pytest.raises(KeyError, match="from the callback"):
            ctx.load_cert_chain(PASSWD, password=_raise_key_error)


@pytest.mark.parametrize(
    "password",
    ["a" * 2000, 3.5, lambda: 3, _raise_key_error],
    ids=["long", "float", "cb", "raises"],
)
def test_unencrypted_key_ignores_or_checks_password_like_the_stdlib(password: Any) -> None:
    same(KEYCERT, None, password)


def test_callback_is_called_only_for_an_encrypted_key() -> None:
    calls: list[int] = []

    def callback() -> str:
        calls.append(1)
        return "somepass"

    rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER).load_cert_chain(KEYCERT, password=callback)
    assert calls == []
    rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER).load_cert_chain(PASSWD, password=callback)
    assert calls == [1]


_LOAD_CHILD = """
import importlib, sys
mod = importlib.import_module(sys.argv[1])
try:
    mod.SSLContext(mod.PROTOCOL_TLS_SERVER).load_cert_chain(sys.argv[2])
except Exception as e:
    print("FAILED", type(e).__name__, getattr(e, "errno", None), flush=True)
    sys.exit(3)
print("LOADED", flush=True)
"""


def _wait_for_echo_off(master: int) -> None:
    """Waits (at most 5 s) for the child to turn the terminal's echo off.
    OpenSSL prints its prompt before it changes the terminal mode, so an
    answer sent as soon as the prompt shows races it and may be echoed.  If
    echo stays on, the caller answers anyway and the no-echo check fails."""
    deadline = time.monotonic() + 5
    while termios.tcgetattr(master)[3] & termios.ECHO and time.monotonic() < deadline:
        time.sleep(0.01)


def _load_on_a_terminal(module: str, answer: bytes) -> bytes:
    """Runs load_cert_chain(PASSWD) without a password in a child whose
    controlling terminal is a pty; answers the first prompt. Returns all the
    child wrote to the terminal."""
    pid, master = pty.fork()
    if pid == 0:  # the child: its stdin, stdout and /dev/tty are the pty
        os.execv(sys.executable, [sys.executable, "-c", _LOAD_CHILD, module, PASSWD])
    out = b""
    answered = False
    deadline = time.monotonic() + 30
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([master], [], [], 1)
            if not ready:
                continue
            try:
                chunk = os.read(master, 1024)
            except OSError:  # EIO: the child has exited and closed the pty
                break
            if not chunk:
                break
            out += chunk
            if not answered and b"pass phrase:" in out:
                _wait_for_echo_off(master)
                os.write(master, answer + b"\n")
                answered = True
    finally:
        if os.waitpid(pid, os.WNOHANG) == (0, 0):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(master)
    return out


@pytest.mark.parametrize("module", ["ssl", "rustssl"])
def test_encrypted_key_without_password_prompts_on_the_terminal(module: str) -> None:
    """As documented: OpenSSL's prompt, read from the terminal with echo off."""
    out = _load_on_a_terminal(module, b"somepass")
    assert b"Enter PEM pass phrase:" in out
    assert b"LOADED" in out
    assert b"somepass" not in out  # not echoed
    out = _load_on_a_terminal(module, b"badpass")
    assert b"Enter PEM pass phrase:" in out
    assert b"LOADED" not in out and b"FAILED" in out
    if module == "rustssl":
        # As for password="badpass". The stdlib raises OSError(EINVAL) here,
        # an errno left over from the terminal read.
        assert b"FAILED SSLError" in out


def test_encrypted_key_without_password_and_no_terminal_fails() -> None:
    """No controlling terminal and nothing on stdin: the load fails at once,
    as for a missing password, instead of waiting."""
    proc = subprocess.run(
        [sys.executable, "-c", _LOAD_CHILD, "rustssl", PASSWD],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        start_new_session=True,
        timeout=60,
    )
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stdout.split() == [b"FAILED", b"SSLError", b"524297"]


def _der(tag: int, body: bytes) -> bytes:
    assert len(body) < 0x80, "short-form lengths are enough here"
    return bytes([tag, len(body)]) + body


def _oid(der_hex: str) -> bytes:
    return _der(0x06, bytes.fromhex(der_hex))


def test_encrypted_key_asking_for_billions_of_kdf_rounds_is_refused(tmp_path: Path) -> None:
    """The iteration count is the key file's to choose; 2^32 - 1 rounds would
    take hours, so rustssl refuses it (the stdlib, through OpenSSL, derives)."""
    kdf_params = _der(0x30, _der(0x04, b"saltsalt") + _der(0x02, b"\x00\xff\xff\xff\xff"))
    kdf = _der(0x30, _oid("2a864886f70d01050c") + kdf_params)  # PBKDF2
    scheme = _der(0x30, _oid("608648016503040102") + _der(0x04, bytes(16)))  # AES-128-CBC
    algorithm = _der(0x30, _oid("2a864886f70d01050d") + _der(0x30, kdf + scheme))  # PBES2
    der = _der(0x30, algorithm + _der(0x04, bytes(16)))
    key = tmp_path / "hostile.key"
    body = base64.encodebytes(der).decode()
    key.write_text(
        f"-----BEGIN ENCRYPTED PRIVATE KEY-----\n{body}-----END ENCRYPTED PRIVATE KEY-----\n"
    )
    ctx = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
    with pytest.raises(rustssl.SSLError) as info:
        ctx.load_cert_chain(str(CERTDATA / "ssl_cert.pem"), str(key), password="pw")
    assert "4294967295 iterations" in str(info.value), str(info.value)


@pytest.mark.parametrize(
    "cert,key",
    [
        ("/nonexistent/cert.pem", None),
        (KEYCERT, "/nonexistent/key.pem"),
        (str(CERTDATA), None),
        (KEYCERT, str(CERTDATA / "keycert2.pem")),
        (str(CERTDATA / "badcert.pem"), None),
        (str(CERTDATA / "badkey.pem"), None),
        (str(CERTDATA / "nokia.pem"), None),
        (str(CERTDATA / "ffdh3072.pem"), None),
        (KEYCERT, "/dev/null"),
        (3, None),
        (KEYCERT, 3),
        (Path(KEYCERT), None),
        (os.fsencode(KEYCERT), None),
    ],
)
def test_failures_match_the_stdlib(cert: Any, key: Any) -> None:
    same(cert, key)


@needs_openssl
def test_key_of_another_type_than_the_certificate(keys: Path) -> None:
    result = same(str(keys / "rsa.crt"), str(keys / "ec_sec1.pem"))
    assert result[4] == "NO_CERTIFICATE_ASSIGNED"


@needs_openssl
def test_key_of_the_same_type_that_does_not_match(keys: Path) -> None:
    openssl("genrsa", "-out", str(keys / "rsa_other.pem"), "2048")
    result = same(str(keys / "rsa.crt"), str(keys / "rsa_other.pem"))
    assert result == (
        "SSLError",
        116,
        "[X509: KEY_VALUES_MISMATCH] key values mismatch",
        "X509",
        "KEY_VALUES_MISMATCH",
    )


@needs_openssl
def test_weak_leaf_key_is_refused_at_the_security_level(keys: Path) -> None:
    openssl("genrsa", "-out", str(keys / "rsa1024.pem"), "1024")
    openssl("req", "-x509", "-key", str(keys / "rsa1024.pem"), "-subj", "/CN=weak",
            "-days", "3", "-out", str(keys / "rsa1024.crt"))  # fmt: skip
    result = same(str(keys / "rsa1024.crt"), str(keys / "rsa1024.pem"))
    assert result[4] == "EE_KEY_TOO_SMALL"


def test_loaded_encrypted_key_serves_a_handshake(rsa_certs: Any, tmp_path: Path) -> None:
    """The decrypted key really signs: a stdlib client completes a handshake."""
    if shutil.which("openssl") is None:
        pytest.skip("needs the openssl CLI")
    enc = tmp_path / "key.enc.pem"
    openssl("pkcs8", "-topk8", "-in", rsa_certs.keyfile, "-passout", "pass:pw", "-out", str(enc))
    from test_sans_io import Pair

    server = rustssl.SSLContext(rustssl.PROTOCOL_TLS_SERVER)
    server.load_cert_chain(rsa_certs.certfile, str(enc), password=lambda: "pw")
    client = stdlib_ssl.SSLContext(stdlib_ssl.PROTOCOL_TLS_CLIENT)
    client.load_verify_locations(rsa_certs.cafile)
    pair = Pair(client, server, stdlib_ssl, rustssl)
    pair.handshake()
    assert pair.client.getpeercert()["subject"] == ((("commonName", "localhost"),),)
