//! What OpenSSL 3.0's security levels (`@SECLEVEL=n`) allow of a cipher suite.
//!
//! OpenSSL does not drop suites from the cipher list for the level (so
//! `get_ciphers()` is unchanged); its default security callback leaves them
//! out of the ClientHello and the server's choice. The rules are those of
//! `ssl_security_default_callback` for `SSL_SECOP_CIPHER_*`: at level 0
//! everything passes; from level 1 a suite needs the level's minimum
//! strength in bits, authentication and no MD5 MAC; a SHA-1 MAC fails above
//! 160 bits (level 4 on); from level 3 a TLS 1.2 suite must be forward
//! secret (DHE or ECDHE).

use super::table::CipherInfo;

/// The highest security level rustssl can enforce.
///
/// Levels 3 to 5 also set minimum sizes for both sides' certificate keys
/// (RSA 3072 bits and more, checked on the peer's whole chain), disable
/// session tickets (OpenSSL refuses them from level 3), and restrict key
/// exchange groups and signature algorithms (192 bits from level 4, which
/// rules out X25519, P-256 and SHA-256 signatures). rustls and webpki check
/// none of these against a level, so a context at those levels is refused
/// rather than run below the security it asks for.
pub const MAX_ENFORCED_LEVEL: u8 = 2;

/// OpenSSL's minimum security bits for `level` (`ssl_get_security_level_bits`).
pub fn minimum_bits(level: u8) -> u32 {
    match level {
        0 => 0,
        1 => 80,
        2 => 112,
        3 => 128,
        4 => 192,
        _ => 256,
    }
}

/// Why `level` cannot be honoured, or `None` when rustssl enforces it.
pub fn unenforceable(level: u8) -> Option<&'static str> {
    match level {
        0..=MAX_ENFORCED_LEVEL => None,
        3 => Some(
            "@SECLEVEL=3 cannot be enforced: rustssl does not check certificate key sizes \
             (RSA >= 3072 bits) against a security level, and OpenSSL disables session tickets there",
        ),
        4 => Some(
            "@SECLEVEL=4 cannot be enforced: rustssl does not check certificate key sizes \
             (RSA >= 7680 bits), key exchange groups or signature algorithms (192 bits) \
             against a security level",
        ),
        _ => Some(
            "@SECLEVEL=5 cannot be enforced: rustssl does not check certificate key sizes \
             (RSA >= 15360 bits), key exchange groups or signature algorithms (256 bits) \
             against a security level",
        ),
    }
}

impl CipherInfo {
    /// Whether OpenSSL would offer or accept this suite at security `level`.
    pub fn meets_security_level(&self, level: u8) -> bool {
        if level == 0 {
            return true;
        }
        let bits = minimum_bits(level);
        let forward_secret = self.is_tls13() || matches!(self.kea, "kx-ecdhe" | "kx-dhe");
        self.strength_bits >= bits
            && self.auth != "auth-null"
            && self.digest != Some("md5")
            && !(bits > 160 && self.digest == Some("sha1"))
            && (level < 3 || forward_secret)
    }
}

/// Whether the suite `s` may be negotiated at security `level` (the
/// context's `security_level`; OpenSSL treats values above 5 as 5): a suite
/// outside the table (which rustls would not offer either) may not.
pub fn allowed(s: rustls::CipherSuite, level: i32) -> bool {
    let level = u8::try_from(level.clamp(0, 5)).unwrap_or(5);
    super::by_suite(s).is_some_and(|c| c.meets_security_level(level))
}
