//! Loading files into a context: the certificate chain and key (with
//! OpenSSL's password handling), trusted certificates, DH parameters.
//! What the bytes mean is decided by the core; this module fetches them.

use rustssl_core::codes::Reason;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use pyo3::exceptions::{PyEOFError, PyOSError, PyTypeError};
use pyo3::prelude::*;
use pyo3::types::PyString;
use rustssl_core::{
    certified_key, key_is_encrypted, read_certificate_chain, read_private_key, Context, Error,
};

use crate::convert::{fs_path, opt_fs_path, password_bytes};
use crate::errors::Result;
use crate::raw::buffer::InBytes;

/// OpenSSL's prompt for a PEM pass phrase.
const PEM_PROMPT: &str = "Enter PEM pass phrase:";

fn lock(core: &Mutex<Context>) -> MutexGuard<'_, Context> {
    core.lock().unwrap_or_else(|p| p.into_inner())
}

fn read_file(path: &Path) -> Result<Vec<u8>> {
    std::fs::read(path).map_err(|e| Error::Io(e).into())
}

/// A `load_cert_chain` password before the key says whether it is needed.
enum Password<'py> {
    /// A str, bytes or bytearray given directly.
    Bytes(Vec<u8>),
    /// A callable, called only for an encrypted key.
    Callable(Bound<'py, PyAny>),
    /// None given: asked for on the terminal if the key is encrypted, as
    /// OpenSSL's default password callback does.
    Prompt,
}

impl<'py> Password<'py> {
    fn new(value: Option<&Bound<'py, PyAny>>) -> Result<Self> {
        Ok(match value {
            Some(p) if p.is_none() => Password::Prompt,
            Some(p) if p.is_callable() => Password::Callable(p.clone()),
            Some(p) => Password::Bytes(password_bytes(
                p,
                "password should be a string or callable",
            )?),
            None => Password::Prompt,
        })
    }

    /// The pass phrase for `key_pem`: none for a key that is not encrypted.
    fn resolve(self, py: Python<'_>, key_pem: &[u8]) -> Result<Option<Vec<u8>>> {
        Ok(match self {
            Password::Bytes(b) => Some(b),
            _ if !key_is_encrypted(key_pem) => None,
            Password::Callable(f) => {
                let returned = f.call0()?;
                Some(password_bytes(
                    &returned,
                    "password callback must return a string",
                )?)
            }
            Password::Prompt => prompt_pass_phrase(py)?,
        })
    }
}

/// Reads a pass phrase the way OpenSSL's default callback does: from the
/// controlling terminal with echo off, else from standard input (both through
/// `getpass`). `None` when there is nothing to read: the load then fails as
/// for a missing password. Other errors, `KeyboardInterrupt` included, propagate.
fn prompt_pass_phrase(py: Python<'_>) -> Result<Option<Vec<u8>>> {
    match py.import("getpass")?.call_method1("getpass", (PEM_PROMPT,)) {
        Ok(text) => Ok(Some(password_bytes(
            &text,
            "getpass returned a non-string",
        )?)),
        Err(e) if e.is_instance_of::<PyEOFError>(py) || e.is_instance_of::<PyOSError>(py) => {
            Ok(None)
        }
        Err(e) => Err(e.into()),
    }
}

/// `load_cert_chain(certfile, keyfile, password)`.
///
/// `password` is str, bytes, bytearray or a callable returning one of
/// those; the callable is called only if the key is encrypted, as OpenSSL
/// calls CPython's password callback only then. Without one, an encrypted
/// key's pass phrase is asked for on the terminal, as OpenSSL's default
/// callback does.
pub fn cert_chain(
    py: Python<'_>,
    core: &Mutex<Context>,
    certfile: &Bound<'_, PyAny>,
    keyfile: Option<&Bound<'_, PyAny>>,
    password: Option<&Bound<'_, PyAny>>,
) -> Result<()> {
    let certfile = fs_path(certfile, Some("certfile should be a valid filesystem path"))?;
    let keyfile = opt_fs_path(keyfile, "keyfile should be a valid filesystem path")?;
    let password = Password::new(password)?;
    let security_level = lock(core).settings().security_level;
    let cert_pem = read_file(&certfile)?;
    let chain = read_certificate_chain(&cert_pem, security_level)?;
    let key_pem = match &keyfile {
        Some(path) => read_file(path)?,
        None => cert_pem,
    };
    let password = password.resolve(py, &key_pem)?;
    let key = read_private_key(&key_pem, password.as_deref())?;
    let provider = lock(core).provider();
    let ck = certified_key(&provider, chain, key)?;
    Ok(lock(core).update(|s| {
        s.add_identity(ck);
        Ok(())
    })?)
}

/// Where trusted certificates given to `load_verify_locations` came from.
enum CaSource {
    /// `cadata` as text: PEM.
    CadataText,
    /// `cadata` as bytes: concatenated DER.
    CadataDer,
    /// `cafile`: PEM.
    File,
}

/// `cadata` as CPython takes it: ASCII text (PEM) or a bytes-like object (DER).
fn cadata_source(data: &Bound<'_, PyAny>) -> Result<(Vec<u8>, CaSource)> {
    if let Ok(text) = data.cast::<PyString>() {
        let text = text.to_str()?;
        if !text.is_ascii() {
            return Err(PyTypeError::new_err("cadata should be an ASCII string").into());
        }
        return Ok((text.as_bytes().to_vec(), CaSource::CadataText));
    }
    if let Ok(b) = data.extract::<InBytes<'_>>() {
        return Ok((b.as_slice().to_vec(), CaSource::CadataDer));
    }
    Err(PyTypeError::new_err("cadata should be an ASCII string or a bytes-like object").into())
}

/// `load_verify_locations(cafile, capath, cadata)`: trusted certificates
/// and CRLs from a file, a hashed directory or memory.
pub fn verify_locations(
    core: &Mutex<Context>,
    cafile: Option<&Bound<'_, PyAny>>,
    capath: Option<&Bound<'_, PyAny>>,
    cadata: Option<&Bound<'_, PyAny>>,
) -> Result<()> {
    let cafile = opt_fs_path(cafile, "cafile should be a valid filesystem path")?;
    let capath = opt_fs_path(capath, "capath should be a valid filesystem path")?;
    let cadata = cadata.filter(|d| !d.is_none());
    if cafile.is_none() && capath.is_none() && cadata.is_none() {
        return Err(PyTypeError::new_err("cafile, capath and cadata cannot be all omitted").into());
    }
    let mut sources: Vec<(Vec<u8>, CaSource)> = Vec::new();
    if let Some(data) = cadata {
        sources.push(cadata_source(data)?);
    }
    if let Some(path) = &cafile {
        sources.push((read_file(path)?, CaSource::File));
    }
    let dir = match &capath {
        Some(p) => Some(std::fs::read_dir(p).map_err(Error::Io)?),
        None => None,
    };
    Ok(lock(core).update(|s| {
        for (data, source) in &sources {
            match source {
                CaSource::CadataText => s.trust.add_pem_bundle(data, true)?,
                CaSource::File => s.trust.add_pem_bundle(data, false)?,
                CaSource::CadataDer => s.trust.add_der_bundle(data)?,
            };
        }
        if let Some(dir) = dir {
            s.trust.add_hashed_dir(dir)?;
        }
        Ok(())
    })?)
}

/// `load_dh_params(path)`: checks a DH parameters file. rustls offers no
/// DHE suites, so the parameters are validated but never used.
pub fn dh_params(path: &Bound<'_, PyAny>) -> Result<()> {
    let path: PathBuf = fs_path(path, None)?;
    let data = read_file(&path)?;
    let found = rustssl_core::pem_blocks(&data)
        .iter()
        .any(|(label, der)| label == "DH PARAMETERS" && !der.is_empty());
    if !found {
        return Err(Error::reason(Reason::NoStartLine).into());
    }
    Ok(())
}
