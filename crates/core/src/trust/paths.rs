//! Where the system keeps its trusted certificates, and how an OpenSSL
//! `capath` directory names them.

/// Where the system keeps its trusted certificates, as `(cafile, capath)`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DefaultPaths {
    /// The bundle file that exists, if any.
    pub cafile: Option<std::path::PathBuf>,
    /// The hashed directory that exists, if any.
    pub capath: Option<std::path::PathBuf>,
}

/// The environment variable naming the default CA file, as in OpenSSL.
pub const CERT_FILE_ENV: &str = "SSL_CERT_FILE";
/// The environment variable naming the default CA directory, as in OpenSSL.
pub const CERT_DIR_ENV: &str = "SSL_CERT_DIR";
/// Bundle files of the common Unix distributions, most common first.
const SYSTEM_BUNDLES: &[&str] = &[
    "/etc/ssl/certs/ca-certificates.crt",
    "/etc/pki/tls/certs/ca-bundle.crt",
    "/etc/ssl/ca-bundle.pem",
    "/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
    "/etc/ssl/cert.pem",
    "/usr/local/etc/openssl/cert.pem",
];
/// Hashed certificate directories of the common Unix distributions.
const SYSTEM_DIRS: &[&str] = &[
    "/etc/ssl/certs",
    "/etc/pki/tls/certs",
    "/system/etc/security/cacerts",
];

/// The OS locations rustssl uses when asked for the defaults.
pub fn system_paths() -> DefaultPaths {
    let first = |list: &[&str], want_dir: bool| {
        list.iter().map(std::path::PathBuf::from).find(|p| {
            if want_dir {
                p.is_dir()
            } else {
                p.is_file()
            }
        })
    };
    DefaultPaths {
        cafile: first(SYSTEM_BUNDLES, false),
        capath: first(SYSTEM_DIRS, true),
    }
}

/// The locations in force: `SSL_CERT_FILE`/`SSL_CERT_DIR` when set, else the OS defaults.
pub fn default_paths() -> DefaultPaths {
    let system = system_paths();
    let env = |name: &str| std::env::var_os(name).map(std::path::PathBuf::from);
    DefaultPaths {
        cafile: env(CERT_FILE_ENV).or(system.cafile),
        capath: env(CERT_DIR_ENV).or(system.capath),
    }
}

/// Whether a file name looks like an OpenSSL hash link: `0123abcd.0` (or `.r0` for CRLs).
pub(super) fn hash_link_kind(name: &str) -> Option<bool> {
    let (hash, suffix) = name.split_once('.')?;
    if hash.len() != 8 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    let (is_crl, digits) = match suffix.strip_prefix('r') {
        Some(d) => (true, d),
        None => (false, suffix),
    };
    (!digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit())).then_some(is_crl)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_links_are_recognised() {
        assert_eq!(hash_link_kind("0123abcd.0"), Some(false));
        assert_eq!(hash_link_kind("0123ABCD.12"), Some(false));
        assert_eq!(hash_link_kind("0123abcd.r0"), Some(true));
        assert_eq!(hash_link_kind("0123abc.0"), None);
        assert_eq!(hash_link_kind("0123abcd.pem"), None);
        assert_eq!(hash_link_kind("0123abcd."), None);
    }
}
