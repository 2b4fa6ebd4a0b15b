//! The sidecar: `watch` for 10,000 rounds against the simulated VPC keeps
//! its heap flat, `health` follows the last round, and the real binary ends
//! promptly on SIGTERM with its status file intact.
//!
//! The test binary counts live heap bytes with a global allocator installed
//! here, so "flat" is measured exactly rather than through the noisy RSS.
//! The count covers the whole process, so the heap test runs alone in a
//! child process of its own ([`in_a_process_of_its_own`]).

use crate::support;

use std::alloc::System;
use std::io::{BufRead, Write};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use support::{Behavior, Side, VpcBuilder, host, run_binary};
use tokio::sync::Notify;
use vpce_probe::config::{HealthConfig, WatchConfig};
use vpce_probe::mode::{health, watch};
use vpce_probe::{Exit, cli};

/// Counts live heap bytes (the `cap` crate wraps the system allocator).
#[global_allocator]
static ALLOC: cap::Cap<System> = cap::Cap::new(System, usize::MAX);

fn live() -> isize {
    isize::try_from(ALLOC.allocated()).unwrap_or(isize::MAX)
}

/// Set in the child process that runs one test alone.
const ALONE: &str = "IT_RUN_ALONE";

/// `false` in the child process, which goes on to run the test; in the
/// test binary's own process, re-runs this binary filtered to `test` (its
/// name inside this module), with nothing else running beside it, checks
/// that exactly that one test ran and passed, and returns `true`.
fn in_a_process_of_its_own(test: &str) -> bool {
    if std::env::var_os(ALONE).is_some() {
        return false;
    }
    // `module_path!()` is `it::watch`; libtest names tests without the crate.
    let module = module_path!().split_once("::").map_or("", |(_, m)| m);
    let name = format!("{module}::{test}");
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([name.as_str(), "--exact", "--nocapture", "--test-threads=1"])
        .env(ALONE, "1")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprint!("{stderr}");
    assert!(
        out.status.success() && stdout.contains("test result: ok. 1 passed"),
        "{name} alone: {}\n{stdout}{stderr}",
        out.status
    );
    true
}

/// Counts the records `watch` writes, samples the live heap at `warm` and
/// `last`, and asks for shutdown after `last`.
struct Rounds {
    count: usize,
    warm: usize,
    last: usize,
    heap_at_warm: isize,
    heap_at_last: isize,
    stop: Arc<Notify>,
    last_line: Vec<u8>,
}

impl Write for Rounds {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.last_line.extend_from_slice(buf);
        if buf.ends_with(b"\n") {
            self.count += 1;
            if self.count == self.warm {
                self.heap_at_warm = live();
            }
            if self.count == self.last {
                self.heap_at_last = live();
                self.stop.notify_one();
            }
            if self.count < self.last {
                self.last_line.clear();
            }
        }
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn watch_config(args: Vec<String>) -> WatchConfig {
    let cli = cli::parse(args).unwrap();
    let cli::Command::Watch(cmd) = &cli.command else {
        unreachable!()
    };
    let mut config = WatchConfig::from_cmd(cmd, &|_| None).unwrap();
    // Back to back: the interval is for people, the test wants rounds.
    config.interval = Duration::ZERO;
    config
}

fn watch_args(vpc: &support::Vpc, status: &std::path::Path, extra: &[&str]) -> Vec<String> {
    let mut args = vpc.args(&[
        "--format",
        "json",
        "--status-file",
        status.to_str().unwrap(),
    ]);
    "watch".clone_into(&mut args[1]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn health_of(status: &std::path::Path) -> (Exit, String) {
    let config = HealthConfig {
        status_file: status.to_owned(),
        max_age: Duration::from_secs(60),
    };
    health::judge(&config, SystemTime::now())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ten_thousand_rounds_keep_the_heap_flat_and_health_follows() {
    const ROUNDS: usize = 10_000;
    if in_a_process_of_its_own("ten_thousand_rounds_keep_the_heap_flat_and_health_follows") {
        return;
    }
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .name(
            &host("ssm"),
            &[
                (Side::Private, Behavior::tls()),
                (Side::Private, Behavior::Closed),
            ],
        )
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status.json");
    let config = watch_config(watch_args(&vpc, &status, &["--services", "logs,ssm"]));

    let stop = Arc::new(Notify::new());
    let mut out = Rounds {
        count: 0,
        warm: 500,
        last: ROUNDS,
        heap_at_warm: 0,
        heap_at_last: 0,
        stop: Arc::clone(&stop),
        last_line: Vec::new(),
    };
    let exit = watch::run(
        config,
        &mut out,
        false,
        async move { stop.notified().await },
    )
    .await
    .unwrap();
    assert_eq!(exit, Exit::Pass);
    assert_eq!(out.count, ROUNDS);

    let growth = out.heap_at_last - out.heap_at_warm;
    eprintln!(
        "live heap: {} bytes after {} rounds, {} after {ROUNDS} (growth {growth})",
        out.heap_at_warm, out.warm, out.heap_at_last
    );
    // A leak of 32 bytes a round would already show as 300 KB.
    assert!(
        growth < 256 * 1024,
        "heap grew by {growth} bytes over {} rounds",
        ROUNDS - out.warm
    );

    // Every round probed for real, and the last record is the last round.
    assert!(vpc.hits(vpc_ip(&out.last_line)) >= ROUNDS);
    let (exit, line) = health_of(&status);
    assert_eq!(exit, Exit::Pass, "{line}");
    assert!(line.contains(&format!("round {ROUNDS} passed")), "{line}");

    // The VPC goes away: the next round fails, and health follows.
    drop(vpc);
    let vpc = VpcBuilder::new()
        .name(&host("logs"), &[(Side::Private, Behavior::Closed)])
        .start()
        .await;
    let stop = Arc::new(Notify::new());
    let mut out = Rounds {
        count: 0,
        warm: 1,
        last: 1,
        heap_at_warm: 0,
        heap_at_last: 0,
        stop: Arc::clone(&stop),
        last_line: Vec::new(),
    };
    let config = watch_config(watch_args(&vpc, &status, &["--services", "logs"]));
    watch::run(
        config,
        &mut out,
        false,
        async move { stop.notified().await },
    )
    .await
    .unwrap();
    let (exit, line) = health_of(&status);
    assert_eq!(exit, Exit::Fail);
    assert!(
        line.contains("round 1 failed") && line.contains("logs (connect_refused)"),
        "{line}"
    );
}

/// The first address of the `logs` endpoint in a JSON record.
fn vpc_ip(record: &[u8]) -> std::net::IpAddr {
    let v: serde_json::Value = serde_json::from_slice(record).unwrap();
    v["endpoints"][0]["addresses"][0]["ip"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_ends_the_binary_promptly_with_the_status_file_intact() {
    let vpc = VpcBuilder::new().endpoint("logs", 1).start().await;
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status.json");
    let mut args = watch_args(&vpc, &status, &["--services", "logs", "--interval", "1h"]);
    args.remove(0);
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(&args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // The first record means round 1 is done and the status file written.
    let stdout = child.stdout.take().unwrap();
    let first = tokio::task::spawn_blocking(move || {
        let mut line = String::new();
        std::io::BufReader::new(stdout)
            .read_line(&mut line)
            .unwrap();
        line
    })
    .await
    .unwrap();
    let record: serde_json::Value = serde_json::from_str(&first).unwrap();
    assert_eq!(record["verdict"], "pass");

    // Now it sleeps for an hour; SIGTERM must end it at once.
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let waited = tokio::time::timeout(
        Duration::from_secs(10),
        tokio::task::spawn_blocking(move || child.wait()),
    )
    .await
    .expect("watch exits on SIGTERM")
    .unwrap()
    .unwrap();
    assert_eq!(waited.code(), Some(0));

    let (code, stdout, _) =
        run_binary(&["health", "--status-file", status.to_str().unwrap()]).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(stdout.starts_with("healthy: round 1 passed"), "{stdout}");
}

#[tokio::test]
async fn health_never_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.json");
    let cases: [&[&str]; 4] = [
        &["health", "--status-file", missing.to_str().unwrap()],
        &["health", "--bogus-flag"],
        &["health", "--max-age", "soon"],
        &["health", "--status-file", "/etc/hosts"],
    ];
    for args in cases {
        let (code, stdout, stderr) = run_binary(args).await;
        assert_eq!(code, 1, "{args:?}: {stdout}{stderr}");
    }
}

#[tokio::test]
async fn an_unwritable_status_file_is_a_usage_error_at_start() {
    let (code, stdout, stderr) = run_binary(&[
        "watch",
        "--region",
        "us-east-1",
        "--status-file",
        "/etc/hosts/status.json",
    ])
    .await;
    assert_eq!(code, 2, "{stdout}{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    assert!(stderr.contains("'/etc/hosts/status.json'"), "{stderr}");
}
