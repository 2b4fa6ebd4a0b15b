//! The sidecar loop in-process: `watch` rounds back to back (interval 0)
//! against the simulated VPC, through the library's own `watch::run`.
//! Prints CPU per round and the resident set size after warm-up and at
//! the end.
//!
//! With `SCRAPES` > 0 the sidecar also serves `--metrics-listen` on
//! loopback, and a scraper thread fetches `/metrics` `SCRAPES` times after
//! every round (4 is a scrape every 15 s for a 60 s interval). The
//! scraper's own CPU counts against the sidecar: the figure is an upper
//! bound.
//!
//! Usage: `bench-watch LAYOUT.json ROUNDS [SCRAPES]`
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
    /// Told after every round when a scraper runs.
    scraper: Option<std::sync::mpsc::Sender<()>>,
}

impl Write for Rounds {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if buf.ends_with(b"\n") {
            self.count += 1;
            if let Some(scraper) = &self.scraper {
                let _ = scraper.send(());
            }
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
    let per_round: usize = args.get(3).map_or(0, |s| s.parse().unwrap());
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
    let done = Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let to_scraper = (per_round > 0).then(|| {
        // A free loopback port for the in-process sidecar.
        let at = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap();
        config.metrics_listen = Some(at);
        let (tx, rx) = std::sync::mpsc::channel::<()>();
        let done_here = Arc::clone(&done);
        std::thread::spawn(move || {
            while rx.recv().is_ok() {
                for _ in 0..per_round {
                    if scrape(at) {
                        done_here.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    }
                }
            }
        });
        tx
    });
    let stop = Arc::new(Notify::new());
    let mut out = Rounds {
        count: 0,
        warm: rounds / 10,
        last: rounds,
        at_warm: (0, 0.0),
        at_last: (0, 0.0),
        stop: Arc::clone(&stop),
        scraper: to_scraper,
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
        "{{\"rounds\": {rounds}, \"scrapes\": {}, \"rss_kib_after_warmup\": {}, \"rss_kib_at_end\": {}, \"cpu_ms_per_round\": {:.3}}}",
        done.load(std::sync::atomic::Ordering::Relaxed),
        out.at_warm.0,
        out.at_last.0,
        (out.at_last.1 - out.at_warm.1) / measured * 1000.0
    );
}

/// One `GET /metrics` over HTTP/1.0; true on a 200 with a body.
fn scrape(at: std::net::SocketAddr) -> bool {
    use std::io::Read;
    let Ok(mut stream) = std::net::TcpStream::connect(at) else {
        return false;
    };
    let _ = stream.write_all(b"GET /metrics HTTP/1.0\r\n\r\n");
    let mut response = Vec::new();
    let _ = stream.read_to_end(&mut response);
    response.starts_with(b"HTTP/1.0 200") && response.len() > 1000
}
