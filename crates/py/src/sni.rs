//! SNI on the server side: the `sni_callback` and the context switch it may
//! make, as OpenSSL's `SSL_set_SSL_CTX` does.

use rustssl_core::codes::Reason;
use std::sync::Arc;

use pyo3::prelude::*;
use rustssl_core::{Error, HelloInfo, ProtocolVersion, ServerConfig};

use crate::context::PyContext;
use crate::errors::Result;

/// `ALERT_DESCRIPTION_HANDSHAKE_FAILURE`.
const ALERT_HANDSHAKE_FAILURE: u8 = rustssl_core::constants::ALERT_DESCRIPTION_HANDSHAKE_FAILURE;
/// `ALERT_DESCRIPTION_INTERNAL_ERROR`.
const ALERT_INTERNAL_ERROR: u8 = rustssl_core::constants::ALERT_DESCRIPTION_INTERNAL_ERROR;

/// The highest version the connection may take: that of the context it was
/// created with, read before the callback can switch or change anything.
pub fn highest_version(initial: &Py<PyContext>) -> ProtocolVersion {
    initial.get().lock().settings().highest_version()
}

/// Runs the context's `sni_callback`, if any, with the received server
/// name; `Some(alert)` when the ClientHello is to be refused with it.
///
/// As in CPython: `None` continues; an int is sent as a fatal alert; an
/// exception (reported as unraisable) sends `handshake_failure`; any other
/// value sends `internal_error`.
pub fn run_callback(
    py: Python<'_>,
    ctx: &Py<PyContext>,
    owner: Option<Py<PyAny>>,
    server_name: Option<&str>,
) -> Option<u8> {
    let callback = ctx.get().servername_callback(py)?;
    let callback = callback.bind(py);
    let alert = match callback.call1((owner, server_name, ctx.clone_ref(py))) {
        Ok(result) if result.is_none() => return None,
        Ok(result) => match result.extract::<i64>() {
            Ok(code) => u8::try_from(code).unwrap_or(ALERT_INTERNAL_ERROR),
            Err(e) => {
                e.write_unraisable(py, Some(&result));
                ALERT_INTERNAL_ERROR
            }
        },
        Err(e) => {
            e.write_unraisable(py, Some(callback));
            ALERT_HANDSHAKE_FAILURE
        }
    };
    Some(alert)
}

/// The error the handshake raises after the callback refused the hello.
pub fn callback_failed(alert: u8) -> Error {
    let (_, message) = rustssl_core::codes::alert_reason(alert);
    Error::ssl(
        Reason::CallbackFailed,
        format!("servername callback failed ({message})"),
    )
}

/// The server config for a ClientHello, once the callback has run.
///
/// If the callback switched to another context, that context brings its
/// certificate and ALPN protocols; verification, versions and suites stay
/// those of the initial context, so a switch can never relax
/// client-certificate checks.
pub fn server_config(
    initial: &Py<PyContext>,
    current: &Py<PyContext>,
    hello: &HelloInfo,
) -> Result<Arc<ServerConfig>> {
    if current.is(initial) {
        let mut core = initial.get().lock();
        let alpn_ok = hello.alpn_compatible(&core.settings().alpn_protocols);
        return Ok(core.server_config(alpn_ok)?);
    }
    let (identity, alpn) = {
        let core = current.get().lock();
        let s = core.settings();
        (s.completed_identities(), s.alpn_protocols.clone())
    };
    let alpn_ok = hello.alpn_compatible(&alpn);
    Ok(initial
        .get()
        .lock()
        .server_config_with_identity(alpn_ok, identity, alpn)?)
}
