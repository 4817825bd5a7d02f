//! libFuzzer entry point; the body is `rustssl_fuzz::fuzz_cert_decode`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustssl_fuzz::fuzz_cert_decode(data));
