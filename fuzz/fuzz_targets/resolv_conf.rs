//! resolv.conf handling: any bytes give a resolver configuration or an error.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok((config, _)) = vpce_probe::probe::dns::resolv_conf_from_bytes(data) {
        assert!(!config.name_servers().is_empty());
    }
});
