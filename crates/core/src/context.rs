//! Context settings and the rustls configurations compiled from them.
//!
//! A [`Context`] holds every setting of an `SSLContext` in one place. The
//! rustls `ClientConfig`/`ServerConfig` are compiled on first use and kept
//! until a setting changes, so connections share one config: that is what
//! makes resumption work and keeps per-connection cost low.

use crate::codes::Reason;
use std::sync::Arc;

use std::sync::atomic::{AtomicU64, Ordering};

use rustls::client::{ResolvesClientCert, Resumption};
use rustls::crypto::{aws_lc_rs, CryptoProvider, WebPkiSupportedAlgorithms};
use rustls::pki_types::CertificateDer;
use rustls::server::{ClientHello, NoClientAuth, ResolvesServerCert, ServerSessionMemoryCache};
use rustls::sign::CertifiedKey;
use rustls::{
    ClientConfig, ServerConfig, SignatureScheme, SupportedCipherSuite, SupportedProtocolVersion,
};

use crate::conn::Connection;
pub use crate::conn::Role;
use crate::error::{Error, Result};
use crate::keylog::{self, KeyLogFile};
use crate::session::{KxHints, Session, SessionSlot, Stats};
use crate::trust::TrustStore;
use crate::verify::{self, Verifier, VerifyMode, VerifyPolicy, DEFAULT_VERIFY_FLAGS};

/// Sessions a server context keeps for resumption by session ID: OpenSSL's default.
const SESSION_CACHE_SIZE: usize = 20_480;

/// `ssl.PROTOCOL_TLS` (either side).
pub const PROTOCOL_TLS: i32 = crate::constants::PROTOCOL_TLS;
/// `ssl.PROTOCOL_TLSv1`.
pub const PROTOCOL_TLSV1: i32 = crate::constants::PROTOCOL_TLSv1;
/// `ssl.PROTOCOL_TLSv1_1`.
pub const PROTOCOL_TLSV1_1: i32 = crate::constants::PROTOCOL_TLSv1_1;
/// `ssl.PROTOCOL_TLSv1_2`.
pub const PROTOCOL_TLSV1_2: i32 = crate::constants::PROTOCOL_TLSv1_2;
/// `ssl.PROTOCOL_TLS_CLIENT`.
pub const PROTOCOL_TLS_CLIENT: i32 = crate::constants::PROTOCOL_TLS_CLIENT;
/// `ssl.PROTOCOL_TLS_SERVER`.
pub const PROTOCOL_TLS_SERVER: i32 = crate::constants::PROTOCOL_TLS_SERVER;

/// `TLSVersion.MINIMUM_SUPPORTED`.
pub const PROTO_MINIMUM_SUPPORTED: i32 = crate::constants::PROTO_MINIMUM_SUPPORTED;
/// `TLSVersion.MAXIMUM_SUPPORTED`.
pub const PROTO_MAXIMUM_SUPPORTED: i32 = crate::constants::PROTO_MAXIMUM_SUPPORTED;
/// `TLSVersion.SSLv3`.
pub const PROTO_SSLV3: i32 = crate::constants::PROTO_SSLv3;
/// `TLSVersion.TLSv1`.
pub const PROTO_TLSV1: i32 = crate::constants::PROTO_TLSv1;
/// `TLSVersion.TLSv1_1`.
pub const PROTO_TLSV1_1: i32 = crate::constants::PROTO_TLSv1_1;
/// `TLSVersion.TLSv1_2`.
pub const PROTO_TLSV1_2: i32 = crate::constants::PROTO_TLSv1_2;
/// `TLSVersion.TLSv1_3`.
pub const PROTO_TLSV1_3: i32 = crate::constants::PROTO_TLSv1_3;

/// `ssl.OP_NO_TLSv1_2`.
pub const OP_NO_TLSV1_2: u64 = crate::constants::OP_NO_TLSv1_2;
/// `ssl.OP_NO_TLSv1_3`.
pub const OP_NO_TLSV1_3: u64 = crate::constants::OP_NO_TLSv1_3;
/// `ssl.OP_NO_TICKET`.
pub const OP_NO_TICKET: u64 = crate::constants::OP_NO_TICKET;
/// `ssl.OP_CIPHER_SERVER_PREFERENCE`.
pub const OP_CIPHER_SERVER_PREFERENCE: u64 = crate::constants::OP_CIPHER_SERVER_PREFERENCE;
/// The options a new context starts with, as in CPython over OpenSSL 3.
pub const DEFAULT_OPTIONS: u64 = 0x8252_0050;
/// Options that can never be cleared, as in CPython (`OP_NO_SSLv2` is 0 there).
const FIXED_OPTIONS: u64 = 0;

/// Most issuers added when completing a local certificate chain.
const MAX_COMPLETED_CHAIN: usize = 8;

/// `ssl.HOSTFLAG_NO_PARTIAL_WILDCARDS`, CPython's default host flags.
pub const DEFAULT_HOST_FLAGS: u32 = crate::constants::HOSTFLAG_NO_PARTIAL_WILDCARDS;

/// Every setting of an `SSLContext`.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The `PROTOCOL_*` the context was created with.
    pub protocol: i32,
    /// `verify_mode`.
    pub verify_mode: VerifyMode,
    /// `check_hostname`.
    pub check_hostname: bool,
    /// `_host_flags` (`HOSTFLAG_*`).
    pub host_flags: u32,
    /// `verify_flags` (`VERIFY_*`).
    pub verify_flags: u32,
    /// `options` (`OP_*`).
    pub options: u64,
    /// `minimum_version` as a `PROTO_*` value.
    pub minimum_version: i32,
    /// `maximum_version` as a `PROTO_*` value.
    pub maximum_version: i32,
    /// ALPN protocols in preference order.
    pub alpn_protocols: Vec<Vec<u8>>,
    /// TLS 1.2 suites chosen by `set_ciphers`, or `None` for the default string.
    pub tls12_suites: Option<Vec<rustls::CipherSuite>>,
    /// The local certificate chains and keys, newest first: one per key type,
    /// as OpenSSL keeps an RSA and an ECDSA identity side by side.
    pub identities: Vec<Arc<CertifiedKey>>,
    /// Trusted certificates and CRLs.
    pub trust: TrustStore,
    /// TLS 1.3 tickets a server sends after a full handshake.
    pub num_tickets: usize,
    /// `security_level`.
    pub security_level: i32,
    /// `post_handshake_auth` (stored; rustls cannot perform it).
    pub post_handshake_auth: bool,
    /// Where TLS secrets are logged (`keylog_filename`).
    pub keylog: Option<Arc<KeyLogFile>>,
    /// Key-exchange groups chosen by `set_ecdh_curve`, or `None` for the defaults.
    pub groups: Option<Vec<rustls::NamedGroup>>,
}

impl Settings {
    /// The defaults CPython gives a new context of `protocol`.
    pub fn new(protocol: i32) -> Result<Self> {
        let (verify_mode, check_hostname, minimum_version) = match protocol {
            PROTOCOL_TLS_CLIENT => (VerifyMode::Required, true, PROTO_TLSV1_2),
            PROTOCOL_TLS_SERVER | PROTOCOL_TLS => (VerifyMode::None, false, PROTO_TLSV1_2),
            PROTOCOL_TLSV1_2 => (VerifyMode::None, false, PROTO_MINIMUM_SUPPORTED),
            PROTOCOL_TLSV1 | PROTOCOL_TLSV1_1 => {
                return Err(Error::Value(format!(
                    "invalid or unsupported protocol version {protocol}: rustls has no TLS 1.0/1.1"
                )))
            }
            _ => {
                return Err(Error::Value(format!(
                    "invalid or unsupported protocol version {protocol}"
                )))
            }
        };
        Ok(Settings {
            protocol,
            verify_mode,
            check_hostname,
            host_flags: DEFAULT_HOST_FLAGS,
            verify_flags: DEFAULT_VERIFY_FLAGS,
            options: DEFAULT_OPTIONS,
            minimum_version,
            maximum_version: PROTO_MAXIMUM_SUPPORTED,
            alpn_protocols: Vec::new(),
            tls12_suites: None,
            identities: Vec::new(),
            trust: TrustStore::default(),
            num_tickets: 2,
            security_level: 2,
            post_handshake_auth: false,
            keylog: None,
            groups: None,
        })
    }

    /// Whether this context may create connections for `role`.
    pub fn allows(&self, role: Role) -> bool {
        !matches!(
            (self.protocol, role),
            (PROTOCOL_TLS_CLIENT, Role::Server) | (PROTOCOL_TLS_SERVER, Role::Client)
        )
    }

    /// The highest TLS version the settings enable (TLS 1.2 if none is:
    /// building a config then fails anyway).
    pub fn highest_version(&self) -> rustls::ProtocolVersion {
        self.enabled_versions()
            .last()
            .map_or(rustls::ProtocolVersion::TLSv1_2, |v| v.version)
    }

    /// The TLS versions the settings leave enabled, oldest first.
    pub fn enabled_versions(&self) -> Vec<&'static SupportedProtocolVersion> {
        let fixed_12 = self.protocol == PROTOCOL_TLSV1_2;
        let lo = match self.minimum_version {
            PROTO_MINIMUM_SUPPORTED => PROTO_TLSV1_2,
            v => v,
        };
        let hi = match self.maximum_version {
            PROTO_MAXIMUM_SUPPORTED => PROTO_TLSV1_3,
            v => v,
        };
        let mut out = Vec::new();
        if lo <= PROTO_TLSV1_2 && hi >= PROTO_TLSV1_2 && self.options & OP_NO_TLSV1_2 == 0 {
            out.push(&rustls::version::TLS12);
        }
        if !fixed_12
            && lo <= PROTO_TLSV1_3
            && hi >= PROTO_TLSV1_3
            && self.options & OP_NO_TLSV1_3 == 0
        {
            out.push(&rustls::version::TLS13);
        }
        out
    }

    /// `verify_mode`: `CERT_NONE` is refused while `check_hostname` is on.
    pub fn set_verify_mode(&mut self, mode: VerifyMode) -> Result<()> {
        if mode == VerifyMode::None && self.check_hostname {
            return Err(Error::Value(
                "Cannot set verify_mode to CERT_NONE when check_hostname is enabled.".into(),
            ));
        }
        self.verify_mode = mode;
        Ok(())
    }

    /// `check_hostname`: turning the check on implies verifying the chain, as in CPython.
    pub fn set_check_hostname(&mut self, on: bool) {
        if on && self.verify_mode == VerifyMode::None {
            self.verify_mode = VerifyMode::Required;
        }
        self.check_hostname = on;
    }

    /// `verify_flags`: a flag rustssl cannot honour is refused, never ignored.
    pub fn set_verify_flags(&mut self, flags: u32) -> Result<()> {
        Self::check_verify_flags(flags)?;
        self.verify_flags = flags;
        Ok(())
    }

    /// `minimum_version`, a `PROTO_*` value.
    pub fn set_minimum_version(&mut self, v: i32) -> Result<()> {
        self.check_version_value(v)?;
        self.minimum_version = v;
        Ok(())
    }

    /// `maximum_version`, a `PROTO_*` value.
    pub fn set_maximum_version(&mut self, v: i32) -> Result<()> {
        self.check_version_value(v)?;
        self.maximum_version = v;
        Ok(())
    }

    /// `num_tickets`: non-negative, and only on a context that can serve.
    pub fn set_num_tickets(&mut self, n: i64) -> Result<()> {
        let n =
            usize::try_from(n).map_err(|_| Error::Value("value must be non-negative".into()))?;
        if self.protocol == PROTOCOL_TLS_CLIENT {
            return Err(Error::Value("SSLContext is not a server context.".into()));
        }
        self.num_tickets = n;
        Ok(())
    }

    /// `set_ecdh_curve(name)`: ECDHE restricted to the named curve, as
    /// OpenSSL's `SSL_CTX_set1_groups` with one group.
    pub fn set_ecdh_curve(&mut self, name: &str) -> Result<()> {
        self.groups = Some(vec![group_by_curve_name(name)?]);
        Ok(())
    }

    /// `set_ciphers(cipherlist)`: the TLS 1.2 suites of an OpenSSL cipher
    /// string, and its `@SECLEVEL` if it names one.
    pub fn set_ciphers(&mut self, cipherlist: &str) -> Result<()> {
        let selection = crate::ciphers::parse(cipherlist)
            .map_err(|_| Error::Bare("No cipher can be selected."))?;
        selection.check_security_level()?;
        self.tls12_suites = Some(selection.tls12.iter().map(|c| c.suite).collect());
        if let Some(level) = selection.security_level {
            self.security_level = i32::from(level);
        }
        Ok(())
    }

    /// The ALPN protocols from their wire encoding (length-prefixed names).
    pub fn set_alpn_wire(&mut self, wire: &[u8]) -> Result<()> {
        let mut list = Vec::new();
        let mut rest = wire;
        while let Some((&len, tail)) = rest.split_first() {
            let len = usize::from(len);
            if len == 0 || tail.len() < len {
                return Err(Error::Value("invalid ALPN protocol list".into()));
            }
            list.push(tail[..len].to_vec());
            rest = &tail[len..];
        }
        self.alpn_protocols = list;
        Ok(())
    }

    /// Whether an `sni_callback` may be set: a client context never calls one.
    pub fn check_sni_callback(&self) -> Result<()> {
        if self.protocol == PROTOCOL_TLS_CLIENT {
            return Err(Error::Value(
                "sni_callback cannot be set on TLS_CLIENT context".into(),
            ));
        }
        Ok(())
    }

    /// Validates a `minimum_version`/`maximum_version` value.
    fn check_version_value(&self, v: i32) -> Result<()> {
        if self.protocol == PROTOCOL_TLSV1_2 {
            return Err(Error::Value(
                "The context's protocol doesn't support modification of highest and lowest version."
                    .into(),
            ));
        }
        match v {
            PROTO_MINIMUM_SUPPORTED
            | PROTO_MAXIMUM_SUPPORTED
            | PROTO_SSLV3
            | PROTO_TLSV1
            | PROTO_TLSV1_1
            | PROTO_TLSV1_2
            | PROTO_TLSV1_3 => Ok(()),
            _ => Err(Error::Value(format!("Unsupported TLS/SSL version 0x{v:x}"))),
        }
    }

    /// Validates new `verify_flags`: a flag rustssl cannot honour is refused, never ignored.
    fn check_verify_flags(flags: u32) -> Result<()> {
        verify::check_flags(flags)
    }

    /// Adds a local identity, replacing the one with the same key type.
    pub fn add_identity(&mut self, ck: Arc<CertifiedKey>) {
        let algorithm = ck.key.algorithm();
        self.identities
            .retain(|old| old.key.algorithm() != algorithm);
        self.identities.insert(0, ck);
    }

    /// Every local identity with its chain completed from the trust store.
    pub fn completed_identities(&self) -> Vec<Arc<CertifiedKey>> {
        self.identities
            .iter()
            .map(|ck| self.completed_identity(ck))
            .collect()
    }

    /// The local identity with its chain completed from the trust store, as
    /// OpenSSL does when a certificate file holds the leaf alone: each issuer
    /// found among the trusted certificates is sent along, up to the root.
    pub fn completed_identity(&self, ck: &Arc<CertifiedKey>) -> Arc<CertifiedKey> {
        if ck.cert.len() != 1 {
            return ck.clone();
        }
        let chain = self.trust.issuer_chain(&ck.cert[0], MAX_COMPLETED_CHAIN);
        if chain.is_empty() {
            return ck.clone();
        }
        let mut certs = ck.cert.clone();
        certs.extend(chain);
        let mut completed = CertifiedKey::new(certs, ck.key.clone());
        completed.ocsp = ck.ocsp.clone();
        Arc::new(completed)
    }

    /// Applies `options`, keeping the bits that cannot be cleared.
    pub fn set_options(&mut self, options: u64) {
        self.options = options | FIXED_OPTIONS;
    }
}

/// Source of context ids, which tie sessions to the context that made them.
static NEXT_CONTEXT_ID: AtomicU64 = AtomicU64::new(1);

/// A context: settings plus the configs compiled from them.
#[derive(Debug)]
pub struct Context {
    id: u64,
    settings: Settings,
    client: Option<Arc<ClientConfig>>,
    server: Option<Arc<ServerConfig>>,
    server_no_alpn: Option<Arc<ServerConfig>>,
    /// These survive config rebuilds, so sessions stay resumable across setting changes.
    kx_hints: Arc<KxHints>,
    /// Created with the first server config: most contexts are clients, and
    /// the cache reserves OpenSSL's 20480 entries up front (megabytes).
    server_sessions: Option<Arc<ServerSessionMemoryCache>>,
    ticketer: Option<Arc<dyn rustls::server::ProducesTickets>>,
    stats: Arc<Stats>,
}

impl Context {
    /// A context with CPython's defaults for `protocol`.
    pub fn new(protocol: i32) -> Result<Self> {
        Ok(Context {
            id: NEXT_CONTEXT_ID.fetch_add(1, Ordering::Relaxed),
            settings: Settings::new(protocol)?,
            client: None,
            server: None,
            server_no_alpn: None,
            kx_hints: Arc::default(),
            server_sessions: None,
            ticketer: None,
            stats: Arc::default(),
        })
    }

    /// The current settings.
    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// A process-unique id, recorded in the sessions this context's connections make.
    pub fn id(&self) -> u64 {
        self.id
    }

    /// The handshake counters of `session_stats()`.
    pub fn stats(&self) -> Arc<Stats> {
        self.stats.clone()
    }

    /// The config for one client connection: the cached config with a
    /// session store of its own, which offers `offered` and nothing else.
    pub fn client_config_for(
        &mut self,
        offered: Option<Arc<Session>>,
    ) -> Result<(Arc<ClientConfig>, Arc<SessionSlot>)> {
        if let Some(s) = &offered {
            self.check_own_session(s)?;
        }
        let base = self.client_config()?;
        let slot = Arc::new(SessionSlot::new(self.id, self.kx_hints.clone(), offered));
        let mut config = (*base).clone();
        config.resumption = Resumption::store(slot.clone());
        Ok((Arc::new(config), slot))
    }

    /// A session may only be offered by connections of the context that made it.
    fn check_own_session(&self, session: &Session) -> Result<()> {
        if session.context_id() != self.id {
            return Err(Error::Value(
                "Session refers to a different SSLContext.".into(),
            ));
        }
        Ok(())
    }

    /// The one connection factory: a connection for `role`, after CPython's
    /// checks of the wrap request against this context. A client offers
    /// `session` (made by this context) for resumption.
    pub fn connect(
        &mut self,
        role: Role,
        hostname: Option<&str>,
        session: Option<Arc<Session>>,
    ) -> Result<Connection> {
        if !self.settings.allows(role) {
            return Err(Error::Value(
                match role {
                    Role::Server => {
                        "Cannot create a server socket with a PROTOCOL_TLS_CLIENT context"
                    }
                    Role::Client => {
                        "Cannot create a client socket with a PROTOCOL_TLS_SERVER context"
                    }
                }
                .into(),
            ));
        }
        match role {
            Role::Client => {
                if self.settings.check_hostname && hostname.is_none() {
                    return Err(Error::Value(
                        "check_hostname requires server_hostname".into(),
                    ));
                }
                let (config, slot) = self.client_config_for(session)?;
                Connection::client(config, slot, hostname, self.stats())
            }
            Role::Server if session.is_some() => Err(Error::Value(
                "session can only be specified in client mode".into(),
            )),
            Role::Server => Ok(Connection::server(self.stats())),
        }
    }

    /// `SSLSocket.session = session`: CPython's checks in CPython's order,
    /// then the client starts over offering `session`.
    pub fn set_session(&mut self, conn: &Connection, session: Arc<Session>) -> Result<()> {
        self.check_own_session(&session)?;
        if conn.role() == Role::Server {
            return Err(Error::Value(
                "Cannot set session for server-side SSLSocket.".into(),
            ));
        }
        // The connection decides whether it has started (its own rule).
        let (config, slot) = self.client_config_for(Some(session))?;
        conn.restart_client(config, slot)
    }

    /// Changes settings through `f`; the compiled configs are dropped only if `f` succeeds.
    pub fn update<T>(&mut self, f: impl FnOnce(&mut Settings) -> Result<T>) -> Result<T> {
        let out = f(&mut self.settings)?;
        self.client = None;
        self.server = None;
        self.server_no_alpn = None;
        Ok(out)
    }

    /// The crypto provider with the suites and groups these settings select.
    pub fn provider(&self) -> CryptoProvider {
        let mut provider = aws_lc_rs::default_provider();
        if let Some(chosen) = &self.settings.tls12_suites {
            let tls13 = provider
                .cipher_suites
                .iter()
                .copied()
                .filter(|s| matches!(s, SupportedCipherSuite::Tls13(_)));
            let tls12 = chosen.iter().filter_map(|want| {
                provider
                    .cipher_suites
                    .iter()
                    .copied()
                    .find(|s| s.suite() == *want)
            });
            provider.cipher_suites = tls13.chain(tls12).collect();
        }
        let level = self.settings.security_level;
        provider
            .cipher_suites
            .retain(|s| crate::ciphers::allowed(s.suite(), level));
        for suite in &mut provider.cipher_suites {
            *suite = crate::hkdf::with_keyed_hkdf(*suite);
        }
        if let Some(groups) = &self.settings.groups {
            provider.kx_groups = aws_lc_rs::ALL_KX_GROUPS
                .iter()
                .copied()
                .filter(|g| groups.contains(&g.name()))
                .collect();
        }
        provider
    }

    fn versions(&self) -> Result<Vec<&'static SupportedProtocolVersion>> {
        let v = self.settings.enabled_versions();
        if v.is_empty() {
            return Err(Error::reason(Reason::NoProtocolsAvailable));
        }
        Ok(v)
    }

    fn verifier(&self, algorithms: WebPkiSupportedAlgorithms, role: Role) -> Result<Arc<Verifier>> {
        let s = &self.settings;
        let policy = VerifyPolicy {
            mode: s.verify_mode,
            check_hostname: s.check_hostname && role == Role::Client,
            host_flags: s.host_flags,
            flags: s.verify_flags,
        };
        Ok(Arc::new(Verifier::new(&s.trust, policy, algorithms)?))
    }

    /// The chain verification validated for the peer's `presented` chain
    /// (leaf first), as `get_verified_chain()` reports it: checked by the
    /// verifier this context's configs use. If the settings allow no
    /// verifier, the chain as presented.
    pub fn verified_chain(
        &self,
        presented: &[CertificateDer<'_>],
        peer_is_server: bool,
    ) -> Vec<CertificateDer<'static>> {
        let role = if peer_is_server {
            Role::Client
        } else {
            Role::Server
        };
        let algorithms = self.provider().signature_verification_algorithms;
        match self.verifier(algorithms, role) {
            Ok(v) => v.verified_path(presented, peer_is_server),
            Err(_) => presented.iter().map(|c| c.clone().into_owned()).collect(),
        }
    }

    /// The client config, compiled now if a setting changed since the last call.
    pub fn client_config(&mut self) -> Result<Arc<ClientConfig>> {
        if let Some(c) = &self.client {
            return Ok(c.clone());
        }
        // A client offers only suites of the versions it enables, as OpenSSL
        // does: with TLS 1.3 off, its hello lists no TLS 1.3 suite (rustls
        // would list every suite of the provider).
        let versions = self.versions()?;
        let mut provider = self.provider();
        provider
            .cipher_suites
            .retain(|s| versions.contains(&s.version()));
        let provider = Arc::new(provider);
        let verifier = self.verifier(provider.signature_verification_algorithms, Role::Client)?;
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(&versions)
            .map_err(Error::from)?
            .dangerous()
            .with_custom_certificate_verifier(verifier);
        let mut config = if self.settings.identities.is_empty() {
            builder.with_no_client_auth()
        } else {
            builder.with_client_cert_resolver(Arc::new(Identities(
                self.settings.completed_identities(),
            )))
        };
        config.alpn_protocols = self.settings.alpn_protocols.clone();
        // Connections get their own session store (see `client_config_for`).
        config.resumption = Resumption::disabled();
        config.key_log = keylog::for_config(self.settings.keylog.clone());
        let config = Arc::new(config);
        self.client = Some(config.clone());
        Ok(config)
    }

    /// This context's server config with another context's certificate and
    /// ALPN protocols, for a connection a servername callback switched over.
    pub fn server_config_with_identity(
        &mut self,
        with_alpn: bool,
        identities: Vec<Arc<CertifiedKey>>,
        alpn_protocols: Vec<Vec<u8>>,
    ) -> Result<Arc<ServerConfig>> {
        let mut config = (*self.server_config(with_alpn)?).clone();
        config.cert_resolver = Arc::new(Identities(identities));
        config.alpn_protocols = if with_alpn {
            alpn_protocols
        } else {
            Vec::new()
        };
        Ok(Arc::new(config))
    }

    /// The server config; `with_alpn == false` gives the variant used when
    /// the client shares no ALPN protocol with us (OpenSSL then goes on without ALPN).
    pub fn server_config(&mut self, with_alpn: bool) -> Result<Arc<ServerConfig>> {
        let cached = if with_alpn {
            &self.server
        } else {
            &self.server_no_alpn
        };
        if let Some(c) = cached {
            return Ok(c.clone());
        }
        let provider = Arc::new(self.provider());
        let builder = ServerConfig::builder_with_provider(provider.clone())
            .with_protocol_versions(&self.versions()?)
            .map_err(Error::from)?;
        let builder = if self.settings.verify_mode == VerifyMode::None {
            builder.with_client_cert_verifier(Arc::new(NoClientAuth))
        } else {
            builder.with_client_cert_verifier(
                self.verifier(provider.signature_verification_algorithms, Role::Server)?,
            )
        };
        let mut config =
            builder.with_cert_resolver(Arc::new(Identities(self.settings.completed_identities())));
        if with_alpn {
            config.alpn_protocols = self.settings.alpn_protocols.clone();
        }
        config.ignore_client_order = self.settings.options & OP_CIPHER_SERVER_PREFERENCE != 0;
        config.session_storage = self
            .server_sessions
            .get_or_insert_with(|| ServerSessionMemoryCache::new(SESSION_CACHE_SIZE))
            .clone();
        config.key_log = keylog::for_config(self.settings.keylog.clone());
        config.send_tls13_tickets = self.settings.num_tickets;
        if self.settings.options & OP_NO_TICKET == 0 {
            if self.ticketer.is_none() {
                self.ticketer = Some(aws_lc_rs::Ticketer::new().map_err(Error::from)?);
            }
            if let Some(t) = &self.ticketer {
                config.ticketer = t.clone();
            }
        }
        let config = Arc::new(config);
        if with_alpn {
            self.server = Some(config.clone());
        } else {
            self.server_no_alpn = Some(config.clone());
        }
        Ok(config)
    }
}

/// The local identities of a context: the first one the peer can use is offered.
#[derive(Debug)]
struct Identities(Vec<Arc<CertifiedKey>>);

/// Whether a TLS 1.2 suite authenticates with keys of `algorithm`.
fn suite_takes_key(suite: rustls::CipherSuite, algorithm: rustls::SignatureAlgorithm) -> bool {
    use rustls::SignatureAlgorithm as A;
    let Some(info) = crate::ciphers::by_suite(suite) else {
        return false;
    };
    match info.auth {
        "auth-any" => true,
        "auth-rsa" => algorithm == A::RSA,
        "auth-ecdsa" => matches!(algorithm, A::ECDSA | A::ED25519),
        _ => false,
    }
}

impl ResolvesServerCert for Identities {
    fn resolve(&self, hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let suites = hello.cipher_suites();
        let is_tls12 =
            |s: &rustls::CipherSuite| crate::ciphers::by_suite(*s).is_some_and(|c| !c.is_tls13());
        let tls12_offered = suites.iter().any(is_tls12);
        let signs =
            |ck: &&Arc<CertifiedKey>| ck.key.choose_scheme(hello.signature_schemes()).is_some();
        // A client may offer TLS 1.3 and 1.2 alike without saying which it
        // will get, so prefer a key that also fits one of its 1.2 suites.
        let fits_tls12 = |ck: &&Arc<CertifiedKey>| {
            let algorithm = ck.key.algorithm();
            suites
                .iter()
                .any(|s| is_tls12(s) && suite_takes_key(*s, algorithm))
        };
        self.0
            .iter()
            .find(|ck| signs(ck) && (!tls12_offered || fits_tls12(ck)))
            .or_else(|| self.0.iter().find(signs))
            // With nothing usable, offer the newest anyway: the handshake then
            // fails with rustls' own diagnosis instead of "no certificate".
            .or(self.0.first())
            .cloned()
    }
}

impl ResolvesClientCert for Identities {
    fn resolve(
        &self,
        _root_hint_subjects: &[&[u8]],
        sigschemes: &[SignatureScheme],
    ) -> Option<Arc<CertifiedKey>> {
        self.0
            .iter()
            .find(|ck| ck.key.choose_scheme(sigschemes).is_some())
            .cloned()
    }

    fn has_certs(&self) -> bool {
        !self.0.is_empty()
    }
}

/// The group `set_ecdh_curve` means by an OpenSSL curve name.
///
/// Known curves the provider lacks are refused rather than ignored.
pub fn group_by_curve_name(name: &str) -> Result<rustls::NamedGroup> {
    use rustls::NamedGroup as G;
    let group = match name {
        "prime256v1" | "P-256" | "secp256r1" => G::secp256r1,
        "secp384r1" | "P-384" => G::secp384r1,
        "X25519" | "x25519" => G::X25519,
        "X25519MLKEM768" => G::X25519MLKEM768,
        "SecP256r1MLKEM768" => G::secp256r1MLKEM768,
        "secp521r1" | "P-521" | "X448" | "x448" => {
            return Err(Error::Value(format!(
                "elliptic curve {name:?} is not offered by rustls with aws-lc-rs"
            )))
        }
        _ => {
            return Err(Error::Value(format!(
                "unknown elliptic curve name '{name}'"
            )))
        }
    };
    Ok(group)
}

/// The OpenSSL name of a key-exchange group.
pub fn group_name(g: rustls::NamedGroup) -> &'static str {
    use rustls::NamedGroup as G;
    match g {
        G::X25519 => "x25519",
        G::X448 => "x448",
        G::secp256r1 => "prime256v1",
        G::secp384r1 => "secp384r1",
        G::secp521r1 => "secp521r1",
        G::X25519MLKEM768 => "X25519MLKEM768",
        G::secp256r1MLKEM768 => "SecP256r1MLKEM768",
        G::MLKEM768 => "MLKEM768",
        G::MLKEM1024 => "MLKEM1024",
        _ => "unknown",
    }
}

#[cfg(test)]
mod tests;
