//! The sidecar loop in-process: `watch` rounds back to back (interval 0)
//! against the simulated VPC, through the library's own `watch::run`.
//! Prints CPU per round and the resident set size after warm-up and at
//! the end.
//!
//! Usage: `bench-watch LAYOUT.json ROUNDS`
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "measurement arithmetic on small counts"
)]

#[path = "measure.rs"]
mod measure;

use measure::{cpu_seconds, rss_kib};

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use vpce_probe::config::WatchConfig;

/// Counts records; samples RSS and CPU after `warm` and stops after `last`.
struct Rounds {
    count: usize,
    warm: usize,
    last: usize,
    at_warm: (u64, f64),
    at_last: (u64, f64),
    stop: Arc<Notify>,
}

impl Write for Rounds {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.ends_with(b"\n") {
            self.count += 1;
            if self.count == self.warm {
                self.at_warm = (rss_kib(), cpu_seconds());
            }
            if self.count == self.last {
                self.at_last = (rss_kib(), cpu_seconds());
                self.stop.notify_one();
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

#[tokio::main(flavor = "multi_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let layout: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&args[1]).unwrap()).unwrap();
    let rounds: usize = args[2].parse().unwrap();
    let status = std::env::temp_dir().join(format!("bench-watch-{}.json", std::process::id()));
    let command_line: Vec<String> = [
        "vpce-probe",
        "watch",
        "--region",
        layout["region"].as_str().unwrap(),
        "--dns-server",
        layout["dns"].as_str().unwrap(),
        "--port",
        &layout["port"].to_string(),
        "--vpc-cidr",
        layout["cidr"].as_str().unwrap(),
        "--ca-file",
        layout["ca_file"].as_str().unwrap(),
        "--hosts-file",
        "none",
        "--format",
        "json",
        "--status-file",
        status.to_str().unwrap(),
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let cli = vpce_probe::cli::parse(command_line).unwrap();
    let vpce_probe::cli::Command::Watch(cmd) = &cli.command else {
        unreachable!()
    };
    let mut config = WatchConfig::from_cmd(cmd, &|_| None).unwrap();
    config.interval = Duration::ZERO;
    let stop = Arc::new(Notify::new());
    let mut out = Rounds {
        count: 0,
        warm: rounds / 10,
        last: rounds,
        at_warm: (0, 0.0),
        at_last: (0, 0.0),
        stop: Arc::clone(&stop),
    };
    vpce_probe::mode::watch::run(
        config,
        &mut out,
        false,
        async move { stop.notified().await },
    )
    .await
    .unwrap();
    let _ = std::fs::remove_file(&status);
    let measured = (out.last - out.warm) as f64;
    println!(
        "{{\"rounds\": {rounds}, \"rss_kib_after_warmup\": {}, \"rss_kib_at_end\": {}, \"cpu_ms_per_round\": {:.3}}}",
        out.at_warm.0,
        out.at_last.0,
        (out.at_last.1 - out.at_warm.1) / measured * 1000.0
    );
}
