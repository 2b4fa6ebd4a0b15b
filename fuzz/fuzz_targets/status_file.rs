//! The status file `health` reads: any bytes give healthy or unhealthy, on one line.
#![no_main]

use std::time::{Duration, SystemTime};

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (_, line) = vpce_probe::mode::health::judge_bytes(data, "status.json", Duration::from_secs(180), SystemTime::now());
    assert!(!line.contains('\n'));
});
