//! `rustssl._ssl`: the extension module, shaped like CPython's `_ssl` so it
//! can stand in for it. Only glue lives here; the work is in `rustssl-core`.
//!
//! One module per concern: argument conversion (`convert`), errors
//! (`errors`), transports (`transport`, and `raw::fd` for sockets), the SNI
//! policy (`sni`), file loading (`loaders`) and one module per Python type.
//! `unsafe` code is allowed only in `raw`, each block with a `SAFETY:` comment.
#![deny(unsafe_code)]
#![deny(clippy::undocumented_unsafe_blocks)]

use rustssl_core::codes::Reason;
use std::path::PathBuf;

use pyo3::exceptions::{PyDeprecationWarning, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use rustssl_core::{
    constants, oid_by_nid, oid_by_text, pem_first_certificate, system_ca_paths, Error, OidObject,
    CERT_DIR_ENV, CERT_FILE_ENV,
};

mod bio;
mod certs;
mod context;
mod convert;
mod errors;
mod loaders;
#[allow(unsafe_code)]
mod raw;
mod session;
mod sni;
mod socket;
mod transport;

use errors::Result;

/// `_test_decode_cert(path)`: decodes the first certificate of a PEM file.
#[pyfunction]
fn _test_decode_cert<'py>(py: Python<'py>, path: PathBuf) -> Result<Bound<'py, PyDict>> {
    let data = std::fs::read(&path).map_err(Error::Io)?;
    // Chosen as OpenSSL chooses: a broken block before the certificate ends the search.
    let der = pem_first_certificate(&data)
        .ok_or_else(|| Error::ssl(Reason::PemLib, "Error decoding PEM-encoded file"))?;
    certs::cert_to_dict(py, &der)
}

fn object_tuple<'py>(py: Python<'py>, o: &OidObject) -> PyResult<Bound<'py, PyTuple>> {
    (o.nid, o.short_name, o.long_name, o.oid).into_pyobject(py)
}

/// `txt2obj(txt, name=False)`: looks up an OID (or, with `name`, a short or long name).
#[pyfunction]
#[pyo3(signature = (txt, name = false))]
fn txt2obj<'py>(py: Python<'py>, txt: &str, name: bool) -> PyResult<Bound<'py, PyTuple>> {
    match oid_by_text(txt, name) {
        Some(o) => object_tuple(py, o),
        None => Err(PyValueError::new_err(format!("unknown object '{txt}'"))),
    }
}

/// `nid2obj(nid)`: looks up an object by OpenSSL NID.
#[pyfunction]
fn nid2obj(py: Python<'_>, nid: i32) -> PyResult<Bound<'_, PyTuple>> {
    if nid < 1 {
        return Err(PyValueError::new_err("NID must be positive."));
    }
    match oid_by_nid(nid) {
        Some(o) => object_tuple(py, o),
        None => Err(PyValueError::new_err(format!("unknown NID {nid}"))),
    }
}

/// `RAND_bytes(n)`: `n` bytes from the system CSPRNG.
#[pyfunction(name = "RAND_bytes")]
fn rand_bytes(py: Python<'_>, n: i64) -> Result<Bound<'_, PyBytes>> {
    let n = usize::try_from(n).map_err(|_| PyValueError::new_err("num must be positive"))?;
    Ok(PyBytes::new(py, &rustssl_core::random_bytes(n)?))
}

/// `RAND_pseudo_bytes(n)`: `(bytes, True)`; the bytes always come from the
/// system CSPRNG, so they are always cryptographically strong. Deprecated,
/// and only present on Python 3.11 (3.12 removed it).
#[pyfunction(name = "RAND_pseudo_bytes")]
fn rand_pseudo_bytes(py: Python<'_>, n: i64) -> Result<(Bound<'_, PyBytes>, bool)> {
    PyErr::warn(
        py,
        &py.get_type::<PyDeprecationWarning>(),
        c"ssl.RAND_pseudo_bytes() is deprecated",
        1,
    )?;
    Ok((rand_bytes(py, n)?, true))
}

/// The error CPython raises when Python code calls a type that only `_ssl`
/// itself may create (`Certificate`, `_SSLSocket`, `SSLSession`...).
pub(crate) fn no_instances(qualname: &str) -> PyErr {
    PyTypeError::new_err(format!("cannot create '{qualname}' instances"))
}

/// `_encoded_hostname(name)`: `name` if CPython's `es` converter takes it
/// (no NUL), for the Python layer to check a host name before it is used.
#[pyfunction]
fn _encoded_hostname(name: String) -> Result<String> {
    convert::encoded_hostname(name)
}

/// `RAND_status()`: the system CSPRNG is always seeded.
#[pyfunction(name = "RAND_status")]
fn rand_status() -> bool {
    true
}

/// `RAND_add(string, entropy)`: accepted for compatibility. The system
/// CSPRNG gathers its own entropy; caller data is not mixed in.
#[pyfunction(name = "RAND_add")]
fn rand_add(string: &Bound<'_, PyAny>, entropy: f64) -> PyResult<()> {
    if string.extract::<&str>().is_err() && string.extract::<raw::buffer::InBytes<'_>>().is_err() {
        return Err(PyTypeError::new_err(
            "a str or bytes-like object is required",
        ));
    }
    let _ = entropy;
    Ok(())
}

/// `get_default_verify_paths()`: `(cafile_env, cafile, capath_env, capath)`.
#[pyfunction]
fn get_default_verify_paths() -> (&'static str, String, &'static str, String) {
    let system = system_ca_paths();
    let show = |p: Option<PathBuf>, fallback: &str| {
        p.map(|p| p.to_string_lossy().into_owned())
            .unwrap_or_else(|| fallback.to_owned())
    };
    (
        CERT_FILE_ENV,
        show(system.cafile, "/etc/ssl/certs/ca-certificates.crt"),
        CERT_DIR_ENV,
        show(system.capath, "/etc/ssl/certs"),
    )
}

/// `_generate_certificates(names, key_type)`: a fresh CA and a leaf for
/// `names`, as `((ca_cert_pem, ca_key_pem), (leaf_cert_pem, leaf_key_pem))`.
/// For the demo, the CLI, benchmarks and tests.
#[pyfunction]
#[pyo3(signature = (names, key_type = "ecdsa-p256"))]
#[allow(clippy::type_complexity)]
fn _generate_certificates(
    py: Python<'_>,
    names: Vec<String>,
    key_type: &str,
) -> Result<((String, String), (String, String))> {
    let kind = rustssl_core::testcert::KeyKind::parse(key_type)?;
    let (ca, leaf) = py.detach(|| rustssl_core::testcert::ca_and_leaf(&names, kind))?;
    Ok(((ca.cert_pem, ca.key_pem), (leaf.cert_pem, leaf.key_pem)))
}

#[pymodule]
fn _ssl(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add_class::<context::PyContext>()?;
    m.add_class::<socket::PySslSocket>()?;
    m.add_class::<bio::PyMemoryBio>()?;
    m.add_class::<certs::PyCertificate>()?;
    m.add_class::<session::PySession>()?;
    m.add_function(wrap_pyfunction!(_test_decode_cert, m)?)?;
    m.add_function(wrap_pyfunction!(txt2obj, m)?)?;
    m.add_function(wrap_pyfunction!(nid2obj, m)?)?;
    m.add_function(wrap_pyfunction!(rand_bytes, m)?)?;
    m.add_function(wrap_pyfunction!(rand_status, m)?)?;
    if py.version_info() < (3, 12) {
        m.add_function(wrap_pyfunction!(rand_pseudo_bytes, m)?)?;
    }
    m.add_function(wrap_pyfunction!(rand_add, m)?)?;
    m.add_function(wrap_pyfunction!(get_default_verify_paths, m)?)?;
    m.add_function(wrap_pyfunction!(_encoded_hostname, m)?)?;
    m.add_function(wrap_pyfunction!(_generate_certificates, m)?)?;

    // The core's one constant table; names newer than this interpreter stay out.
    for (name, value) in constants::INTEGER_CONSTANTS {
        if py.version_info() >= constants::added_in(name) {
            m.add(*name, *value)?;
        }
    }
    for (name, value) in constants::FEATURE_FLAGS {
        if py.version_info() >= constants::added_in(name) {
            m.add(*name, *value)?;
        }
    }
    if py.version_info() < (3, 13) {
        // TLS-PSK (always refused here) is API only from 3.13 on.
        let context = m.getattr("_SSLContext")?;
        context.delattr("set_psk_client_callback")?;
        context.delattr("set_psk_server_callback")?;
    }
    m.add("OPENSSL_VERSION", rustssl_core::OPENSSL_VERSION)?;
    m.add(
        "OPENSSL_VERSION_NUMBER",
        rustssl_core::OPENSSL_COMPAT_NUMBER,
    )?;
    m.add("OPENSSL_VERSION_INFO", rustssl_core::OPENSSL_COMPAT_INFO)?;
    m.add("_OPENSSL_API_VERSION", rustssl_core::OPENSSL_COMPAT_INFO)?;
    m.add("_DEFAULT_CIPHERS", rustssl_core::DEFAULT_CIPHER_STRING)?;
    for name in [
        "err_codes_to_names",
        "err_names_to_codes",
        "lib_codes_to_names",
    ] {
        m.add(name, PyDict::new(py))?;
    }

    let exc = errors::exceptions(py)?;
    m.add("SSLError", exc.ssl_error.bind(py))?;
    m.add("SSLZeroReturnError", exc.zero_return.bind(py))?;
    m.add("SSLWantReadError", exc.want_read.bind(py))?;
    m.add("SSLWantWriteError", exc.want_write.bind(py))?;
    m.add("SSLSyscallError", exc.syscall.bind(py))?;
    m.add("SSLEOFError", exc.eof.bind(py))?;
    m.add("SSLCertVerificationError", exc.cert_verification.bind(py))?;
    Ok(())
}
