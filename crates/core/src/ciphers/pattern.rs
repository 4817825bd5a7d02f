//! OpenSSL's cipher-string selectors: the algorithm bits of each suite and alias.

use rustls::CipherSuite;

use super::openssl_suites::OpensslSuite;

/// Key-exchange bits.
pub(super) mod kx {
    pub const RSA: u32 = 1;
    pub const DHE: u32 = 1 << 1;
    pub const ECDHE: u32 = 1 << 2;
    pub const PSK: u32 = 1 << 3;
    pub const RSAPSK: u32 = 1 << 4;
    pub const DHEPSK: u32 = 1 << 5;
    pub const ECDHEPSK: u32 = 1 << 6;
    pub const SRP: u32 = 1 << 7;
    pub const ANY_PSK: u32 = PSK | RSAPSK | DHEPSK | ECDHEPSK;
}

/// Authentication bits.
pub(super) mod au {
    pub const RSA: u32 = 1;
    pub const DSS: u32 = 1 << 1;
    pub const NULL: u32 = 1 << 2;
    pub const ECDSA: u32 = 1 << 3;
    pub const PSK: u32 = 1 << 4;
    pub const SRP: u32 = 1 << 5;
    pub const ALL: u32 = RSA | DSS | NULL | ECDSA | PSK | SRP;
    pub const NOT_NULL: u32 = ALL & !NULL;
}

/// Bulk-cipher bits.
pub(super) mod enc {
    pub const NULL: u32 = 1;
    pub const AES128: u32 = 1 << 1;
    pub const AES256: u32 = 1 << 2;
    pub const AES128GCM: u32 = 1 << 3;
    pub const AES256GCM: u32 = 1 << 4;
    pub const AES128CCM: u32 = 1 << 5;
    pub const AES256CCM: u32 = 1 << 6;
    pub const AES128CCM8: u32 = 1 << 7;
    pub const AES256CCM8: u32 = 1 << 8;
    pub const CAMELLIA128: u32 = 1 << 9;
    pub const CAMELLIA256: u32 = 1 << 10;
    pub const CHACHA20: u32 = 1 << 11;
    pub const ARIA128GCM: u32 = 1 << 12;
    pub const ARIA256GCM: u32 = 1 << 13;
    pub const TRIPLE_DES: u32 = 1 << 14;
    pub const ALL: u32 = (1 << 15) - 1;
    pub const AESGCM: u32 = AES128GCM | AES256GCM;
    pub const AESCCM8: u32 = AES128CCM8 | AES256CCM8;
    pub const AESCCM: u32 = AES128CCM | AES256CCM | AESCCM8;
    pub const AES_128: u32 = AES128 | AES128GCM | AES128CCM | AES128CCM8;
    pub const AES_256: u32 = AES256 | AES256GCM | AES256CCM | AES256CCM8;
    pub const CAMELLIA: u32 = CAMELLIA128 | CAMELLIA256;
    pub const ARIA: u32 = ARIA128GCM | ARIA256GCM;
    pub const CBC: u32 = AES128 | AES256 | CAMELLIA;
}

/// MAC bits.
pub(super) mod mac {
    pub const MD5: u32 = 1;
    pub const SHA1: u32 = 1 << 1;
    pub const SHA256: u32 = 1 << 2;
    pub const SHA384: u32 = 1 << 3;
}

/// Strength-class bits (OpenSSL treats FIPS as a class of its own here).
pub(super) mod strength {
    /// The eNULL suites: no strength class, so LOW/MEDIUM/HIGH never match them.
    pub const NONE: u32 = 1 << 4;
    pub const LOW: u32 = 1;
    pub const MEDIUM: u32 = 1 << 1;
    pub const HIGH: u32 = 1 << 2;
    pub const FIPS: u32 = 1 << 3;
}

/// Minimum protocol versions an alias can require.
pub(super) mod version {
    pub const SSL3: u8 = 1;
    pub const TLS1: u8 = 2;
    pub const TLS12: u8 = 3;
}

/// What the rule engine knows about one TLS 1.2 suite.
#[derive(Debug, Clone, Copy)]
pub(super) struct Traits {
    /// The IANA name.
    pub(super) iana: &'static str,
    /// The selector pattern describing exactly this suite.
    pub(super) pattern: Pattern,
}

/// A selector: every non-zero mask must share a bit with the suite's; zero means "any".
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) struct Pattern {
    kx: u32,
    auth: u32,
    enc: u32,
    mac: u32,
    strength: u32,
    not_default: bool,
    min_version: u8,
    suite: Option<CipherSuite>,
    /// The OpenSSL name of one suite rustls lacks, for a pattern naming it.
    absent: Option<&'static str>,
}

impl Pattern {
    /// A pattern with only the key-exchange mask set.
    const fn kx(kx: u32) -> Self {
        Self::of(kx, 0, 0, 0)
    }

    /// A pattern with only the authentication mask set.
    const fn auth(auth: u32) -> Self {
        Self::of(0, auth, 0, 0)
    }

    /// A pattern with only the cipher mask set.
    const fn enc(enc: u32) -> Self {
        Self::of(0, 0, enc, 0)
    }

    /// A pattern with only the MAC mask set.
    const fn mac(mac: u32) -> Self {
        Self::of(0, 0, 0, mac)
    }

    /// A pattern with the four algorithm masks set.
    pub(super) const fn of(kx: u32, auth: u32, enc: u32, mac: u32) -> Self {
        Self {
            kx,
            auth,
            enc,
            mac,
            strength: 0,
            not_default: false,
            min_version: 0,
            suite: None,
            absent: None,
        }
    }

    /// A pattern with only the strength mask set.
    const fn strength(strength: u32) -> Self {
        let mut p = Self::of(0, 0, 0, 0);
        p.strength = strength;
        p
    }

    /// A pattern requiring a given minimum protocol version.
    const fn version(v: u8) -> Self {
        let mut p = Self::of(0, 0, 0, 0);
        p.min_version = v;
        p
    }

    /// The pattern matching ciphers outside OpenSSL's default list (eNULL excluded, as in OpenSSL).
    const fn not_default() -> Self {
        let mut p = Self::of(0, 0, enc::ALL & !enc::NULL, 0);
        p.not_default = true;
        p
    }

    /// The pattern naming one suite exactly.
    const fn explicit(suite: CipherSuite, kx: u32, auth: u32, enc: u32, strength: u32) -> Self {
        let mut p = Self::of(kx, auth, enc, 0);
        p.strength = strength;
        p.min_version = version::TLS12;
        p.suite = Some(suite);
        p
    }

    /// Combines two `+`-joined parts; `None` when a mask becomes empty, which makes OpenSSL drop the element.
    pub(super) fn and(self, other: Pattern) -> Option<Pattern> {
        let explicit = other.suite.is_some() || other.absent.is_some();
        let version = match (self.min_version, other.min_version, explicit) {
            (_, 0, _) | (_, _, true) => self.min_version,
            (0, v, false) => v,
            (a, b, false) if a == b => a,
            _ => return None,
        };
        Some(Pattern {
            kx: and_mask(self.kx, other.kx)?,
            auth: and_mask(self.auth, other.auth)?,
            enc: and_mask(self.enc, other.enc)?,
            mac: and_mask(self.mac, other.mac)?,
            strength: and_mask(self.strength, other.strength)?,
            not_default: self.not_default || other.not_default,
            min_version: version,
            suite: other.suite.or(self.suite),
            absent: other.absent.or(self.absent),
        })
    }

    /// Whether the suite described by `t` is selected by this pattern.
    pub(super) fn matches(&self, t: &Pattern) -> bool {
        mask_ok(self.kx, t.kx)
            && mask_ok(self.auth, t.auth)
            && mask_ok(self.enc, t.enc)
            && mask_ok(self.mac, t.mac)
            && mask_ok(self.strength, t.strength)
            && (!self.not_default || t.not_default)
            && (self.min_version == 0 || self.min_version == t.min_version)
            && self.suite.is_none_or(|s| Some(s) == t.suite)
            && self.absent.is_none_or(|n| Some(n) == t.absent)
    }
}

/// Intersects two masks where zero means "any"; `None` when they share no bit.
pub(super) fn and_mask(a: u32, b: u32) -> Option<u32> {
    match (a, b) {
        (0, m) | (m, 0) => Some(m),
        _ if a & b != 0 => Some(a & b),
        _ => None,
    }
}

/// Whether a suite's bits satisfy a mask (zero means "any").
pub(super) fn mask_ok(mask: u32, bits: u32) -> bool {
    mask == 0 || mask & bits != 0
}

/// The rule-engine traits of a TLS 1.2 suite of the table (`None` for TLS 1.3 and unknown suites).
pub(super) fn traits_of(s: CipherSuite) -> Option<Traits> {
    use CipherSuite as C;
    const GCM_STRENGTH: u32 = strength::HIGH | strength::FIPS;
    let (iana, auth, enc, strength) = match s {
        C::TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384 => (
            "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
            au::ECDSA,
            enc::AES256GCM,
            GCM_STRENGTH,
        ),
        C::TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 => (
            "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
            au::RSA,
            enc::AES256GCM,
            GCM_STRENGTH,
        ),
        C::TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 => (
            "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
            au::ECDSA,
            enc::CHACHA20,
            strength::HIGH,
        ),
        C::TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 => (
            "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
            au::RSA,
            enc::CHACHA20,
            strength::HIGH,
        ),
        C::TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 => (
            "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
            au::ECDSA,
            enc::AES128GCM,
            GCM_STRENGTH,
        ),
        C::TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 => (
            "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
            au::RSA,
            enc::AES128GCM,
            GCM_STRENGTH,
        ),
        _ => return None,
    };
    Some(Traits {
        iana,
        pattern: Pattern::explicit(s, kx::ECDHE, auth, enc, strength),
    })
}

/// OpenSSL's aliases that can be used in a cipher string, with their selectors.
///
/// AEAD suites have their own MAC class in OpenSSL, so `SHA256`/`SHA384`
/// select none of the suites here.
pub(super) const ALIASES: &[(&str, Pattern)] = &[
    ("ALL", Pattern::enc(enc::ALL & !enc::NULL)),
    ("COMPLEMENTOFALL", Pattern::enc(enc::NULL)),
    ("COMPLEMENTOFDEFAULT", Pattern::not_default()),
    ("LOW", Pattern::strength(strength::LOW)),
    ("MEDIUM", Pattern::strength(strength::MEDIUM)),
    ("HIGH", Pattern::strength(strength::HIGH)),
    ("FIPS", Pattern::strength(strength::FIPS)),
    ("kRSA", Pattern::kx(kx::RSA)),
    ("RSA", Pattern::kx(kx::RSA)),
    ("aRSA", Pattern::auth(au::RSA)),
    ("kDHE", Pattern::kx(kx::DHE)),
    ("kEDH", Pattern::kx(kx::DHE)),
    ("DH", Pattern::kx(kx::DHE)),
    ("DHE", Pattern::of(kx::DHE, au::NOT_NULL, 0, 0)),
    ("EDH", Pattern::of(kx::DHE, au::NOT_NULL, 0, 0)),
    ("ADH", Pattern::of(kx::DHE, au::NULL, 0, 0)),
    ("kECDHE", Pattern::kx(kx::ECDHE)),
    ("kEECDH", Pattern::kx(kx::ECDHE)),
    ("ECDH", Pattern::kx(kx::ECDHE)),
    ("ECDHE", Pattern::of(kx::ECDHE, au::NOT_NULL, 0, 0)),
    ("EECDH", Pattern::of(kx::ECDHE, au::NOT_NULL, 0, 0)),
    ("AECDH", Pattern::of(kx::ECDHE, au::NULL, 0, 0)),
    ("aNULL", Pattern::auth(au::NULL)),
    ("aECDSA", Pattern::auth(au::ECDSA)),
    ("ECDSA", Pattern::auth(au::ECDSA)),
    ("aDSS", Pattern::auth(au::DSS)),
    ("DSS", Pattern::auth(au::DSS)),
    ("aPSK", Pattern::auth(au::PSK)),
    ("aSRP", Pattern::auth(au::SRP)),
    ("kPSK", Pattern::kx(kx::PSK)),
    ("kRSAPSK", Pattern::kx(kx::RSAPSK)),
    ("kDHEPSK", Pattern::kx(kx::DHEPSK)),
    ("kECDHEPSK", Pattern::kx(kx::ECDHEPSK)),
    ("PSK", Pattern::kx(kx::ANY_PSK)),
    ("kSRP", Pattern::kx(kx::SRP)),
    ("SRP", Pattern::kx(kx::SRP)),
    ("eNULL", Pattern::enc(enc::NULL)),
    ("NULL", Pattern::enc(enc::NULL)),
    ("AES", Pattern::enc(enc::AES_128 | enc::AES_256)),
    ("AES128", Pattern::enc(enc::AES_128)),
    ("AES256", Pattern::enc(enc::AES_256)),
    ("AESGCM", Pattern::enc(enc::AESGCM)),
    ("AESCCM", Pattern::enc(enc::AESCCM)),
    ("AESCCM8", Pattern::enc(enc::AESCCM8)),
    ("CAMELLIA", Pattern::enc(enc::CAMELLIA)),
    ("CAMELLIA128", Pattern::enc(enc::CAMELLIA128)),
    ("CAMELLIA256", Pattern::enc(enc::CAMELLIA256)),
    ("CHACHA20", Pattern::enc(enc::CHACHA20)),
    ("3DES", Pattern::enc(enc::TRIPLE_DES)),
    ("ARIA", Pattern::enc(enc::ARIA)),
    ("ARIAGCM", Pattern::enc(enc::ARIA)),
    ("ARIA128", Pattern::enc(enc::ARIA128GCM)),
    ("ARIA256", Pattern::enc(enc::ARIA256GCM)),
    ("CBC", Pattern::enc(enc::CBC)),
    ("MD5", Pattern::mac(mac::MD5)),
    ("SHA1", Pattern::mac(mac::SHA1)),
    ("SHA", Pattern::mac(mac::SHA1)),
    ("SHA256", Pattern::mac(mac::SHA256)),
    ("SHA384", Pattern::mac(mac::SHA384)),
    ("SSLv3", Pattern::version(version::SSL3)),
    ("TLSv1", Pattern::version(version::TLS1)),
    ("TLSv1.0", Pattern::version(version::TLS1)),
    ("TLSv1.2", Pattern::version(version::TLS12)),
];

/// Aliases of algorithms OpenSSL 3.0 does not offer in its default setup
/// (EXPORT, DES, RC4, RC2, IDEA, SEED, GOST): OpenSSL treats them like unknown
/// names (the element is skipped up to the next separator), and so do we.
pub(super) const DISABLED_ALIASES: &[&str] = &[
    "EXP", "EXPORT", "DES", "RC4", "RC2", "IDEA", "SEED", "GOST", "kGOST", "aGOST", "aGOST01",
    "aGOST12", "GOST89", "GOST94", "GOST12", "kGOST18",
];

impl OpensslSuite {
    /// The selector describing exactly this suite.
    pub(super) fn pattern(&self) -> Pattern {
        let kx = match self.kea {
            "kx-rsa" => kx::RSA,
            "kx-dhe" => kx::DHE,
            "kx-ecdhe" => kx::ECDHE,
            "kx-psk" => kx::PSK,
            "kx-rsa-psk" => kx::RSAPSK,
            "kx-dhe-psk" => kx::DHEPSK,
            "kx-ecdhe-psk" => kx::ECDHEPSK,
            "kx-srp" => kx::SRP,
            _ => 0,
        };
        let auth = match self.auth {
            "auth-rsa" => au::RSA,
            "auth-dss" => au::DSS,
            "auth-null" => au::NULL,
            "auth-ecdsa" => au::ECDSA,
            "auth-psk" => au::PSK,
            "auth-srp" => au::SRP,
            _ => 0,
        };
        let ccm8 = self.name.ends_with("CCM8");
        let enc = match self.symmetric {
            "null" => enc::NULL,
            "aes-128-cbc" => enc::AES128,
            "aes-256-cbc" => enc::AES256,
            "aes-128-gcm" => enc::AES128GCM,
            "aes-256-gcm" => enc::AES256GCM,
            "aes-128-ccm" if ccm8 => enc::AES128CCM8,
            "aes-256-ccm" if ccm8 => enc::AES256CCM8,
            "aes-128-ccm" => enc::AES128CCM,
            "aes-256-ccm" => enc::AES256CCM,
            "camellia-128-cbc" => enc::CAMELLIA128,
            "camellia-256-cbc" => enc::CAMELLIA256,
            "chacha20-poly1305" => enc::CHACHA20,
            "aria-128-gcm" => enc::ARIA128GCM,
            "aria-256-gcm" => enc::ARIA256GCM,
            _ => 0,
        };
        // AEAD suites match no MAC alias, as in OpenSSL (and as the rustls suites here).
        let mac = match self.digest {
            "md5" => mac::MD5,
            "sha1" => mac::SHA1,
            "sha256" => mac::SHA256,
            "sha384" => mac::SHA384,
            _ => 0,
        };
        let mut strength = if enc == enc::NULL {
            strength::NONE
        } else {
            strength::HIGH
        };
        if self.fips {
            strength |= strength::FIPS;
        }
        let mut p = Pattern::of(kx, auth, enc, mac);
        p.strength = strength;
        p.not_default = self.not_default;
        p.min_version = match self.protocol {
            "SSLv3" => version::SSL3,
            "TLSv1.0" => version::TLS1,
            _ => version::TLS12,
        };
        p.absent = Some(self.name);
        p
    }
}
