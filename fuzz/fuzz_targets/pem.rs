//! `--ca-file` contents: any bytes add CA certificates or give an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut roots = rustls::RootCertStore::empty();
    if vpce_probe::trust::add_pem_roots(&mut roots, data).is_ok() {
        assert!(!roots.is_empty());
    }
});
