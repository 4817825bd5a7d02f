//! What OpenSSL reports about each suite rustls offers (`get_ciphers()`, `cipher()`).

use rustls::crypto::aws_lc_rs::ALL_CIPHER_SUITES;
use rustls::{CipherSuite, SupportedCipherSuite};

use super::pattern::traits_of;

/// What OpenSSL reports about one cipher suite (the keys of ssl.SSLContext.get_ciphers() dicts).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CipherInfo {
    /// The IANA identity of the suite.
    pub suite: CipherSuite,
    /// OpenSSL's name, e.g. "ECDHE-ECDSA-AES128-GCM-SHA256" or "TLS_AES_128_GCM_SHA256".
    pub name: &'static str,
    /// OpenSSL's id: `0x0300_0000 | iana code`.
    pub id: u32,
    /// The lowest protocol version the suite is defined for: "TLSv1.2" or "TLSv1.3".
    pub protocol: &'static str,
    /// Effective security bits of the symmetric cipher.
    pub strength_bits: u32,
    /// Key bits of the symmetric cipher.
    pub alg_bits: u32,
    /// Whether the symmetric cipher is an AEAD.
    pub aead: bool,
    /// The symmetric cipher as OpenSSL names it: "aes-128-gcm", "chacha20-poly1305".
    pub symmetric: &'static str,
    /// The MAC digest name; `None` for AEAD suites, as OpenSSL reports.
    pub digest: Option<&'static str>,
    /// The key exchange: "kx-ecdhe", or "kx-any" for TLS 1.3.
    pub kea: &'static str,
    /// The authentication: "auth-rsa", "auth-ecdsa", or "auth-any" for TLS 1.3.
    pub auth: &'static str,
}

impl CipherInfo {
    /// OpenSSL's one-line `SSL_CIPHER_description`, as `get_ciphers()['description']` shows it.
    pub fn description(&self) -> String {
        format!(
            "{:<30} {:<7} Kx={:<8} Au={:<5} Enc={:<22} Mac={:<4}",
            self.name,
            self.protocol,
            kx_label(self.kea),
            auth_label(self.auth),
            self.enc_label(),
            self.mac_label()
        )
    }

    /// The IANA (RFC) name, e.g. "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256".
    pub fn iana_name(&self) -> &'static str {
        traits_of(self.suite).map_or(self.name, |t| t.iana)
    }

    /// Whether this is a TLS 1.3 suite (unaffected by cipher strings).
    pub fn is_tls13(&self) -> bool {
        self.protocol == "TLSv1.3"
    }

    /// The aws-lc-rs provider's implementation of this suite, if it has one.
    pub fn supported(&self) -> Option<SupportedCipherSuite> {
        ALL_CIPHER_SUITES
            .iter()
            .copied()
            .find(|s| s.suite() == self.suite)
    }

    /// The "Enc=" column of the description, e.g. "AESGCM(128)".
    fn enc_label(&self) -> String {
        let family = match self.symmetric {
            "aes-128-gcm" | "aes-256-gcm" => "AESGCM",
            "chacha20-poly1305" => "CHACHA20/POLY1305",
            other => other,
        };
        format!("{family}({})", self.alg_bits)
    }

    /// The "Mac=" column of the description: "AEAD" or the digest in capitals.
    fn mac_label(&self) -> String {
        match self.digest {
            Some(d) if !self.aead => d.to_ascii_uppercase(),
            _ => "AEAD".to_string(),
        }
    }
}

/// The "Kx=" column for a `kea` value.
fn kx_label(kea: &str) -> &str {
    match kea {
        "kx-any" => "any",
        "kx-ecdhe" => "ECDH",
        other => other.trim_start_matches("kx-"),
    }
}

/// The "Au=" column for an `auth` value.
fn auth_label(auth: &str) -> &str {
    match auth {
        "auth-any" => "any",
        "auth-rsa" => "RSA",
        "auth-ecdsa" => "ECDSA",
        other => other.trim_start_matches("auth-"),
    }
}

/// Builds the table row of a TLS 1.3 suite.
const fn tls13(
    suite: CipherSuite,
    code: u16,
    name: &'static str,
    bits: u32,
    sym: &'static str,
) -> CipherInfo {
    CipherInfo {
        suite,
        name,
        id: 0x0300_0000 | code as u32,
        protocol: "TLSv1.3",
        strength_bits: bits,
        alg_bits: bits,
        aead: true,
        symmetric: sym,
        digest: None,
        kea: "kx-any",
        auth: "auth-any",
    }
}

/// Builds the table row of a TLS 1.2 ECDHE AEAD suite.
const fn tls12(
    suite: CipherSuite,
    code: u16,
    name: &'static str,
    bits: u32,
    sym: &'static str,
    auth: &'static str,
) -> CipherInfo {
    CipherInfo {
        suite,
        name,
        id: 0x0300_0000 | code as u32,
        protocol: "TLSv1.2",
        strength_bits: bits,
        alg_bits: bits,
        aead: true,
        symmetric: sym,
        digest: None,
        kea: "kx-ecdhe",
        auth,
    }
}

/// Every suite, TLS 1.3 first, each group in OpenSSL's default order.
pub(super) static ALL: [CipherInfo; 9] = [
    tls13(
        CipherSuite::TLS13_AES_256_GCM_SHA384,
        0x1302,
        "TLS_AES_256_GCM_SHA384",
        256,
        "aes-256-gcm",
    ),
    tls13(
        CipherSuite::TLS13_CHACHA20_POLY1305_SHA256,
        0x1303,
        "TLS_CHACHA20_POLY1305_SHA256",
        256,
        "chacha20-poly1305",
    ),
    tls13(
        CipherSuite::TLS13_AES_128_GCM_SHA256,
        0x1301,
        "TLS_AES_128_GCM_SHA256",
        128,
        "aes-128-gcm",
    ),
    tls12(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        0xc02c,
        "ECDHE-ECDSA-AES256-GCM-SHA384",
        256,
        "aes-256-gcm",
        "auth-ecdsa",
    ),
    tls12(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384,
        0xc030,
        "ECDHE-RSA-AES256-GCM-SHA384",
        256,
        "aes-256-gcm",
        "auth-rsa",
    ),
    tls12(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
        0xcca9,
        "ECDHE-ECDSA-CHACHA20-POLY1305",
        256,
        "chacha20-poly1305",
        "auth-ecdsa",
    ),
    tls12(
        CipherSuite::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256,
        0xcca8,
        "ECDHE-RSA-CHACHA20-POLY1305",
        256,
        "chacha20-poly1305",
        "auth-rsa",
    ),
    tls12(
        CipherSuite::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        0xc02b,
        "ECDHE-ECDSA-AES128-GCM-SHA256",
        128,
        "aes-128-gcm",
        "auth-ecdsa",
    ),
    tls12(
        CipherSuite::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,
        0xc02f,
        "ECDHE-RSA-AES128-GCM-SHA256",
        128,
        "aes-128-gcm",
        "auth-rsa",
    ),
];

/// Every TLS 1.2 and 1.3 suite the aws-lc-rs provider offers, in OpenSSL's default order.
pub fn all() -> &'static [CipherInfo] {
    &ALL
}

/// The table entry for an IANA suite, if the provider offers it.
pub fn by_suite(s: CipherSuite) -> Option<&'static CipherInfo> {
    ALL.iter().find(|c| c.suite == s)
}

/// The table entry for an OpenSSL name or an IANA (TLS_...) name; names are case-sensitive.
pub fn by_name(name: &str) -> Option<&'static CipherInfo> {
    ALL.iter().find(|c| c.name == name || c.iana_name() == name)
}
