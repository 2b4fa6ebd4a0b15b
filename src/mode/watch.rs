//! `watch`: the sidecar. Probe every `--interval` (with jitter so a fleet of
//! tasks does not probe in lockstep), write one record per round to stdout,
//! and atomically replace the status file that `health` reads.
//!
//! A round never fails the loop: every network failure is a result. State
//! changes are logged to stderr. Shutdown is a future passed in (SIGTERM or
//! SIGINT in the binary), awaited beside the round and the sleep, so the
//! process ends promptly and the status file is never left half-written.

use std::future::Future;
use std::io::Write;
use std::net::SocketAddr;
use std::pin::pin;
use std::time::Duration;

use crate::config::WatchConfig;
use crate::diagnose::{Finding, Status};
use crate::error::{AppError, Exit};
use crate::mode::metrics_server::Running;
use crate::render;
use crate::report::Report;
use crate::session::Session;
use crate::status_file::{self, StatusFile};

/// The wait before the next round: the interval, plus or minus 10%.
pub fn jittered(interval: Duration, round: u64) -> Duration {
    use std::hash::{BuildHasher, RandomState};
    thread_local!(static SEED: RandomState = RandomState::new());
    let h = SEED.with(|s| s.hash_one(round));
    // h in [0, 2^64) → factor in [0.9, 1.1).
    #[expect(
        clippy::cast_precision_loss,
        reason = "a jitter factor needs no precision"
    )]
    let unit = (h >> 11) as f64 / (1u64 << 53) as f64;
    interval.mul_f64(0.9 + 0.2 * unit)
}

/// Logs endpoints whose status changed since the previous round.
fn log_changes(previous: &mut [Option<Status>], report: &Report) {
    for (slot, e) in previous.iter_mut().zip(&report.endpoints) {
        match *slot {
            Some(before) if before != e.status => tracing::warn!(
                service = e.service,
                host = %e.host,
                from = before.as_str(),
                to = e.status.as_str(),
                finding = e.finding.map(Finding::code),
                "endpoint status changed"
            ),
            None if e.status != Status::Ok => tracing::warn!(
                service = e.service,
                host = %e.host,
                status = e.status.as_str(),
                finding = e.finding.map(Finding::code),
                "endpoint is not ok"
            ),
            _ => {}
        }
        *slot = Some(e.status);
    }
}

/// Starts `/metrics` before the first round, so an address that cannot
/// be bound is a usage error at start, like an unwritable status file.
async fn serve_metrics(addr: SocketAddr) -> Result<Running, AppError> {
    let running = Running::start(addr).await.map_err(|e| {
        AppError::Config(crate::config::invalid(
            "--metrics-listen",
            &addr.to_string(),
            format!("an address this task can listen on ({e})"),
        ))
    })?;
    tracing::info!(address = %running.local_addr, "serving metrics at /metrics");
    Ok(running)
}

/// Runs rounds until `shutdown` resolves; exits 0. `color` says whether a
/// text report is coloured.
pub async fn run(
    config: WatchConfig,
    out: &mut impl Write,
    color: bool,
    shutdown: impl Future<Output = ()>,
) -> Result<Exit, AppError> {
    let status_file = config.status_file.clone();
    // Fail fast on an unwritable status file: health could never pass.
    status_file::write(&status_file, &StatusFile::starting()).map_err(|e| {
        AppError::StatusFile {
            path: crate::printable::printable_path(&status_file),
            reason: e.to_string(),
        }
    })?;
    let metrics = match config.metrics_listen {
        Some(addr) => Some(serve_metrics(addr).await?),
        None => None,
    };
    let session = Session::start(config.probe).await?;
    let mut shutdown = pin!(shutdown);
    let mut previous: Vec<Option<Status>> = vec![None; session.plan.endpoints.len()];
    let mut round: u64 = 0;
    loop {
        let report = tokio::select! {
            report = session.round() => report,
            () = &mut shutdown => break,
        };
        round += 1;
        log_changes(&mut previous, &report);
        if let Err(e) = status_file::write(&status_file, &StatusFile::of(&report, round)) {
            tracing::error!(path = %status_file.display(), error = %e, "cannot write the status file");
        }
        render::write(&report, &session.config.output, true, color, out)?;
        // The scrapes read this round until the next one finishes.
        if let Some(metrics) = &metrics {
            metrics.board.publish(&report, round);
        }
        tokio::select! {
            () = tokio::time::sleep(jittered(config.interval, round)) => {}
            () = &mut shutdown => break,
        }
    }
    tracing::info!(rounds = round, "shutting down");
    Ok(Exit::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jitter_stays_within_ten_percent() {
        let interval = Duration::from_secs(60);
        for round in 0..1000 {
            let d = jittered(interval, round);
            assert!(
                d >= Duration::from_secs(54) && d < Duration::from_secs(66),
                "{d:?}"
            );
        }
        assert_eq!(jittered(Duration::ZERO, 3), Duration::ZERO);
    }
}
