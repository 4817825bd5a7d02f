//! Unit tests of the settings, their setters and the config cache.

use super::*;

#[test]
fn defaults_follow_cpython() {
    let s = Settings::new(PROTOCOL_TLS_CLIENT).unwrap();
    assert_eq!(s.verify_mode, VerifyMode::Required);
    assert!(s.check_hostname);
    assert_eq!(s.minimum_version, PROTO_TLSV1_2);
    assert_eq!(s.options, DEFAULT_OPTIONS);
    assert!(!s.allows(Role::Server));
    let s = Settings::new(PROTOCOL_TLS_SERVER).unwrap();
    assert_eq!(s.verify_mode, VerifyMode::None);
    assert!(!s.allows(Role::Client));
    assert!(Settings::new(PROTOCOL_TLSV1).is_err());
}

#[test]
fn versions_honour_options_and_bounds() {
    let mut s = Settings::new(PROTOCOL_TLS).unwrap();
    assert_eq!(s.enabled_versions().len(), 2);
    s.options |= OP_NO_TLSV1_3;
    assert_eq!(s.enabled_versions(), vec![&rustls::version::TLS12]);
    s.options &= !OP_NO_TLSV1_3;
    s.minimum_version = PROTO_TLSV1_3;
    assert_eq!(s.enabled_versions(), vec![&rustls::version::TLS13]);
    s.maximum_version = PROTO_TLSV1_2;
    assert!(s.enabled_versions().is_empty());
}

#[test]
fn config_is_cached_until_a_setting_changes() {
    let mut ctx = Context::new(PROTOCOL_TLS_CLIENT).unwrap();
    let a = ctx.client_config().unwrap();
    let b = ctx.client_config().unwrap();
    assert!(Arc::ptr_eq(&a, &b));
    ctx.update(|s| {
        s.alpn_protocols = vec![b"h2".to_vec()];
        Ok(())
    })
    .unwrap();
    let c = ctx.client_config().unwrap();
    assert!(!Arc::ptr_eq(&a, &c));
    assert_eq!(c.alpn_protocols, vec![b"h2".to_vec()]);
}

#[test]
fn no_versions_is_an_error() {
    let mut ctx = Context::new(PROTOCOL_TLS_CLIENT).unwrap();
    ctx.update(|s| {
        s.options |= OP_NO_TLSV1_2 | OP_NO_TLSV1_3;
        Ok(())
    })
    .unwrap();
    let err = ctx.client_config().unwrap_err();
    assert!(err.to_string().contains("NO_PROTOCOLS_AVAILABLE"));
}

#[test]
fn setters_check_in_cpythons_order() {
    let mut s = Settings::new(PROTOCOL_TLS_CLIENT).unwrap();
    let err = s.set_verify_mode(VerifyMode::None).unwrap_err();
    assert!(err.to_string().contains("check_hostname is enabled"));
    s.set_check_hostname(false);
    s.set_verify_mode(VerifyMode::None).unwrap();
    s.set_check_hostname(true);
    assert_eq!(s.verify_mode, VerifyMode::Required);
    let err = s.set_num_tickets(-1).unwrap_err();
    assert!(err.to_string().contains("non-negative"));
    let err = s.set_num_tickets(1).unwrap_err();
    assert!(err.to_string().contains("not a server context"));
    assert!(s.check_sni_callback().is_err());
    assert!(s.set_minimum_version(0x305).is_err());
    s.set_maximum_version(PROTO_TLSV1_2).unwrap();
    assert_eq!(s.maximum_version, PROTO_TLSV1_2);
    let mut s = Settings::new(PROTOCOL_TLSV1_2).unwrap();
    assert!(s.set_minimum_version(PROTO_TLSV1_2).is_err());
    s.set_num_tickets(0).unwrap();
    s.check_sni_callback().unwrap();
}

#[test]
fn alpn_wire_is_parsed_or_refused_whole() {
    let mut s = Settings::new(PROTOCOL_TLS_SERVER).unwrap();
    s.set_alpn_wire(b"\x02h2\x08http/1.1").unwrap();
    assert_eq!(s.alpn_protocols, vec![b"h2".to_vec(), b"http/1.1".to_vec()]);
    for bad in [&b"\x00"[..], b"\x03h2"] {
        assert!(s.set_alpn_wire(bad).is_err());
        assert_eq!(s.alpn_protocols.len(), 2);
    }
}

#[test]
fn connect_checks_the_request_against_the_context() {
    let mut client = Context::new(PROTOCOL_TLS_CLIENT).unwrap();
    let err = client.connect(Role::Server, None, None).unwrap_err();
    assert!(err
        .to_string()
        .contains("server socket with a PROTOCOL_TLS_CLIENT"));
    let err = client.connect(Role::Client, None, None).unwrap_err();
    assert!(err.to_string().contains("requires server_hostname"));
    let conn = client
        .connect(Role::Client, Some("example.com"), None)
        .unwrap();
    assert_eq!(conn.role(), Role::Client);
    assert!(!conn.is_established());
    let mut server = Context::new(PROTOCOL_TLS_SERVER).unwrap();
    let err = server.connect(Role::Client, None, None).unwrap_err();
    assert!(err
        .to_string()
        .contains("client socket with a PROTOCOL_TLS_SERVER"));
    assert_eq!(
        server.connect(Role::Server, None, None).unwrap().role(),
        Role::Server
    );
}
