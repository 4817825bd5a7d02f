//! Certificates for Python: the stdlib's dict shape and `_ssl.Certificate`.

use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple};
use rustssl_core::codes::Reason;
use rustssl_core::oid_short_name;
use rustssl_core::Error;
use rustssl_core::{decode_certificate, pem_encode, AltNameValue, AttributeValue, CertDict, Name};

use crate::errors::Result;

/// `ssl.ENCODING_PEM`.
const ENCODING_PEM: i32 = rustssl_core::constants::ENCODING_PEM;
/// `ssl.ENCODING_DER`.
const ENCODING_DER: i32 = rustssl_core::constants::ENCODING_DER;

fn attribute<'py>(py: Python<'py>, v: &AttributeValue) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        AttributeValue::Text(s) => PyString::new(py, s).into_any(),
        AttributeValue::Bytes(b) => PyBytes::new(py, b).into_any(),
        AttributeValue::NoBits => py.None().into_bound(py),
    })
}

/// A name as a tuple of RDN tuples of `(name, value)` pairs.
fn name_tuple<'py>(py: Python<'py>, name: &Name) -> PyResult<Bound<'py, PyTuple>> {
    let rdns = name
        .iter()
        .map(|rdn| {
            let pairs = rdn
                .iter()
                .map(|(k, v)| {
                    PyTuple::new(py, [PyString::new(py, k).into_any(), attribute(py, v)?])
                })
                .collect::<PyResult<Vec<_>>>()?;
            PyTuple::new(py, pairs)
        })
        .collect::<PyResult<Vec<_>>>()?;
    PyTuple::new(py, rdns)
}

fn str_tuple<'py>(py: Python<'py>, items: &[String]) -> PyResult<Bound<'py, PyTuple>> {
    PyTuple::new(py, items)
}

/// Builds the dict `getpeercert()` returns from decoded fields.
fn to_dict<'py>(py: Python<'py>, c: &CertDict) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("subject", name_tuple(py, &c.subject)?)?;
    d.set_item("issuer", name_tuple(py, &c.issuer)?)?;
    d.set_item("version", c.version)?;
    d.set_item("serialNumber", &c.serial_number)?;
    d.set_item("notBefore", &c.not_before)?;
    d.set_item("notAfter", &c.not_after)?;
    if let Some(san) = &c.subject_alt_name {
        let entries = san
            .iter()
            .map(|(kind, value)| {
                let value = match value {
                    AltNameValue::Text(s) => PyString::new(py, s).into_any(),
                    AltNameValue::Name(n) => name_tuple(py, n)?.into_any(),
                };
                PyTuple::new(py, [PyString::new(py, kind).into_any(), value])
            })
            .collect::<PyResult<Vec<_>>>()?;
        d.set_item("subjectAltName", PyTuple::new(py, entries)?)?;
    }
    if let Some(v) = &c.ocsp {
        d.set_item("OCSP", str_tuple(py, v)?)?;
    }
    if let Some(v) = &c.ca_issuers {
        d.set_item("caIssuers", str_tuple(py, v)?)?;
    }
    if let Some(v) = &c.crl_distribution_points {
        d.set_item("crlDistributionPoints", str_tuple(py, v)?)?;
    }
    Ok(d)
}

/// Decodes a DER certificate into the stdlib's dict.
pub fn cert_to_dict<'py>(py: Python<'py>, der: &[u8]) -> Result<Bound<'py, PyDict>> {
    let decoded = decode_certificate(der)
        .map_err(|e| Error::ssl(Reason::Unknown, format!("Error decoding certificate: {e}")))?;
    Ok(to_dict(py, &decoded)?)
}

/// Escapes one attribute value as `XN_FLAG_RFC2253` does: RFC 2253 specials
/// with a backslash, control characters and every non-ASCII UTF-8 byte as `\XX`.
fn escape_rfc2253(value: &str, out: &mut String) {
    let last = value.len().saturating_sub(1);
    for (i, ch) in value.char_indices() {
        let edge_space = ch == ' ' && (i == 0 || i == last);
        if matches!(ch, ',' | '+' | '"' | '\\' | '<' | '>' | ';')
            || edge_space
            || (ch == '#' && i == 0)
        {
            out.push('\\');
            out.push(ch);
        } else if ch.is_ascii_control() || !ch.is_ascii() {
            let mut buf = [0u8; 4];
            for b in ch.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\{b:02X}"));
            }
        } else {
            out.push(ch);
        }
    }
}

/// A name in RFC 2253 order and syntax: RDNs last to first, joined by `,`,
/// the attributes of one RDN by `+`.
fn rfc2253(name: &Name) -> String {
    let mut out = String::new();
    for (i, rdn) in name.iter().rev().enumerate() {
        if i > 0 {
            out.push(',');
        }
        for (j, (key, value)) in rdn.iter().enumerate() {
            if j > 0 {
                out.push('+');
            }
            // `XN_FLAG_RFC2253` prints OpenSSL's short name for a known attribute.
            out.push_str(oid_short_name(key));
            out.push('=');
            match value {
                AttributeValue::Text(text) => escape_rfc2253(text, &mut out),
                AttributeValue::Bytes(bytes) => {
                    out.push('#');
                    for b in bytes {
                        out.push_str(&format!("{b:02X}"));
                    }
                }
                AttributeValue::NoBits => {}
            }
        }
    }
    out
}

/// `_ssl.Certificate`: one certificate of a peer's chain.
#[pyclass(name = "Certificate", module = "_ssl", frozen)]
pub struct PyCertificate {
    der: Vec<u8>,
}

impl PyCertificate {
    /// Wraps DER bytes.
    pub fn new(der: Vec<u8>) -> Self {
        PyCertificate { der }
    }
}

#[pymethods]
impl PyCertificate {
    /// Certificates come only from a connection, as in CPython.
    #[new]
    #[pyo3(signature = (*_args, **_kwargs))]
    fn py_new(_args: &Bound<'_, PyTuple>, _kwargs: Option<&Bound<'_, PyDict>>) -> PyResult<Self> {
        Err(crate::no_instances("_ssl.Certificate"))
    }

    /// The certificate as a dict, like `getpeercert()`.
    fn get_info<'py>(&self, py: Python<'py>) -> Result<Bound<'py, PyDict>> {
        cert_to_dict(py, &self.der)
    }

    /// The certificate as PEM text or DER bytes.
    #[pyo3(signature = (format = ENCODING_PEM))]
    fn public_bytes(&self, py: Python<'_>, format: i32) -> PyResult<Py<PyAny>> {
        match format {
            ENCODING_DER => Ok(PyBytes::new(py, &self.der).into_any().unbind()),
            ENCODING_PEM => Ok(PyString::new(py, &pem_encode(&self.der, "CERTIFICATE"))
                .into_any()
                .unbind()),
            _ => Err(PyValueError::new_err("Unsupported format")),
        }
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PyCertificate>()
            .map(|o| o.get().der == self.der)
            .unwrap_or(false)
    }

    fn __hash__(&self) -> u64 {
        use std::hash::{Hash, Hasher};
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.der.hash(&mut h);
        h.finish()
    }

    /// `<_ssl.Certificate 'CN=...,O=...'>`, the subject as OpenSSL's RFC 2253 form.
    fn __repr__(&self) -> String {
        let subject = decode_certificate(&self.der)
            .map(|c| rfc2253(&c.subject))
            .unwrap_or_default();
        format!("<_ssl.Certificate '{subject}'>")
    }
}
