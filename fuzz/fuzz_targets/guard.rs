//! libFuzzer entry point; the body is `rustssl_fuzz::fuzz_guard`.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| rustssl_fuzz::fuzz_guard(data));
