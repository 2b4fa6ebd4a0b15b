//! ECS task metadata: any JSON documents give task information, and the
//! plan built from it never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use vpce_probe::{cli, config, metadata, plan};

fuzz_target!(|data: &[u8]| {
    // The task document, then (after a NUL) the container document.
    let (task, container) = match data.iter().position(|b| *b == 0) {
        Some(i) => (&data[..i], Some(&data[i + 1..])),
        None => (data, None),
    };
    let Ok(task) = serde_json::from_slice::<serde_json::Value>(task) else { return };
    let container = container.and_then(|c| serde_json::from_slice::<serde_json::Value>(c).ok());
    let info = metadata::parse(&task, container.as_ref());
    let _ = (info.region(), info.account(), info.ecr_images());
    let parsed = cli::parse(["vpce-probe", "check"]).unwrap();
    let args = vpce_probe::probe_args(&parsed).unwrap();
    let config = config::Config::from_args(args, &|_| None).unwrap();
    let _ = plan::build(&config.plan, Some(&info));
});
