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
use std::path::Path;
use std::pin::pin;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use serde::{Deserialize, Serialize};

use crate::config::WatchConfig;
use crate::diagnose::{Finding, Status};
use crate::error::{AppError, Exit};
use crate::mode::check::{Session, write_report};
use crate::report::{Report, Summary, Verdict};

/// The status file: the last round, as `health` needs it.
#[derive(Debug, Serialize, Deserialize)]
pub struct StatusFile {
    pub schema_version: u32,
    /// Milliseconds since the epoch when the file was written.
    pub written_at_ms: u64,
    /// Rounds finished so far (0: the sidecar is starting).
    pub round: u64,
    /// `pass`, `fail`, or `starting` before the first round.
    pub verdict: String,
    pub summary: Option<Summary>,
    pub endpoints: Vec<StatusEndpoint>,
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StatusEndpoint {
    pub service: String,
    pub host: String,
    pub status: Status,
    pub finding: Option<Finding>,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

impl StatusFile {
    fn starting() -> Self {
        Self {
            schema_version: 1,
            written_at_ms: now_ms(),
            round: 0,
            verdict: "starting".to_owned(),
            summary: None,
            endpoints: Vec::new(),
        }
    }

    fn of(report: &Report, round: u64) -> Self {
        Self {
            schema_version: 1,
            written_at_ms: now_ms(),
            round,
            verdict: match report.verdict {
                Verdict::Pass => "pass",
                Verdict::Fail => "fail",
            }
            .to_owned(),
            summary: Some(report.summary),
            endpoints: report
                .endpoints
                .iter()
                .map(|e| StatusEndpoint {
                    service: e.service.to_owned(),
                    host: e.host.clone(),
                    status: e.status,
                    finding: e.finding,
                })
                .collect(),
        }
    }
}

/// Replaces `path` atomically: write a sibling temporary file, then rename,
/// so a reader sees the old file or the new one, never a torn one. No fsync:
/// the file only matters while the container lives.
pub fn write_status(path: &Path, status: &StatusFile) -> std::io::Result<()> {
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(format!(".tmp-{}", std::process::id()));
    let tmp = std::path::PathBuf::from(tmp);
    let result = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        serde_json::to_writer(&mut file, status)?;
        file.write_all(b"\n")?;
        drop(file);
        std::fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

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

/// Runs rounds until `shutdown` resolves; exits 0.
pub async fn run(
    config: WatchConfig,
    out: &mut impl Write,
    shutdown: impl Future<Output = ()>,
) -> Result<Exit, AppError> {
    let status_file = config.status_file.clone();
    // Fail fast on an unwritable status file: health could never pass.
    write_status(&status_file, &StatusFile::starting()).map_err(|e| AppError::StatusFile {
        path: crate::error::printable(&status_file.display().to_string()),
        reason: e.to_string(),
    })?;
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
        if let Err(e) = write_status(&status_file, &StatusFile::of(&report, round)) {
            tracing::error!(path = %status_file.display(), error = %e, "cannot write the status file");
        }
        write_report(&session.config, &report, true, out)?;
        drop(report);
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

    #[test]
    fn status_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status.json");
        write_status(&path, &StatusFile::starting()).unwrap();
        let read: StatusFile = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(read.verdict, "starting");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left behind"
        );
        assert!(
            write_status(
                &dir.path().join("missing/status.json"),
                &StatusFile::starting()
            )
            .is_err()
        );
    }
}
