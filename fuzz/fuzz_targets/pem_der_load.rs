//! libFuzzer entry point; the body is `rustssl_fuzz::fuzz_pem_der_load`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustssl_fuzz::fuzz_pem_der_load(data));
