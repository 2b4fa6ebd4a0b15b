//! `health`: the task definition's `healthCheck` in `CMD` form (a scratch
//! image has no shell). Reads the status file `watch` writes; exits 0 when
//! it is fresh and its verdict passes, 1 otherwise, never 2 (Docker reserves
//! it). Synchronous, no runtime, no network: it returns in milliseconds.

use std::time::{Duration, SystemTime};

use crate::clock::unix_ms;
use crate::config::HealthConfig;
use crate::error::Exit;
use crate::status_file::{StatusFile, StatusVerdict};

/// The judgement and the one line explaining it.
pub fn judge(config: &HealthConfig, now: SystemTime) -> (Exit, String) {
    let path = crate::printable::printable_path(&config.status_file);
    match crate::files::read_capped(&config.status_file) {
        Ok(bytes) => judge_bytes(&bytes, &path, config.max_age, now),
        Err(e) => (Exit::Fail, format!("unhealthy: cannot read {path}: {e}")),
    }
}

/// Judges the contents of a status file (`path` only names it in the line).
pub fn judge_bytes(bytes: &[u8], path: &str, max_age: Duration, now: SystemTime) -> (Exit, String) {
    let status: StatusFile = match serde_json::from_slice(bytes) {
        Ok(s) => s,
        Err(_) => {
            return (
                Exit::Fail,
                format!("unhealthy: {path} is not a vpce-probe status file"),
            );
        }
    };
    let now_ms = unix_ms(now);
    let age = Duration::from_millis(now_ms.saturating_sub(status.written_at_ms));
    let age_text = humantime::format_duration(Duration::from_secs(age.as_secs()));
    if status.written_at_ms > now_ms.saturating_add(60_000) {
        return (
            Exit::Fail,
            format!("unhealthy: {path} was written in the future; check the clock"),
        );
    }
    if age > max_age {
        return (
            Exit::Fail,
            format!(
                "unhealthy: the last round finished {age_text} ago, more than --max-age {}",
                humantime::format_duration(max_age)
            ),
        );
    }
    let failing: Vec<String> = status
        .endpoints
        .iter()
        .filter(|e| e.status == crate::diagnose::Status::Fail)
        .map(|e| format!("{} ({})", e.service, e.finding.map_or("fail", |f| f.code())))
        .collect();
    match status.verdict {
        StatusVerdict::Pass => (
            Exit::Pass,
            format!("healthy: round {} passed {age_text} ago", status.round),
        ),
        StatusVerdict::Starting => (
            Exit::Fail,
            "unhealthy: no round has finished yet".to_owned(),
        ),
        StatusVerdict::Fail => (
            Exit::Fail,
            format!(
                "unhealthy: round {} failed {age_text} ago: {}",
                status.round,
                failing.join(", ")
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::status_file::{StatusEndpoint, write};

    #[test]
    fn judgements() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status.json");
        let config = HealthConfig {
            status_file: path.clone(),
            max_age: Duration::from_secs(120),
        };
        let now = SystemTime::now();
        let at = |ago: u64| unix_ms(now - Duration::from_secs(ago));
        let status = |verdict: StatusVerdict, ago: u64| StatusFile {
            schema_version: 1,
            written_at_ms: at(ago),
            round: 3,
            verdict,
            summary: None,
            endpoints: vec![StatusEndpoint {
                service: "logs".into(),
                host: "logs.x".into(),
                status: crate::diagnose::Status::Fail,
                finding: Some(crate::diagnose::Finding::PrivateConnectTimeout),
            }],
        };
        assert_eq!(judge(&config, now).0, Exit::Fail, "missing file");
        let cases = [
            (status(StatusVerdict::Pass, 10), Exit::Pass, "healthy"),
            (
                status(StatusVerdict::Pass, 500),
                Exit::Fail,
                "more than --max-age",
            ),
            (
                status(StatusVerdict::Fail, 10),
                Exit::Fail,
                "logs (private_connect_timeout)",
            ),
            (status(StatusVerdict::Starting, 1), Exit::Fail, "no round"),
        ];
        for (s, want, text) in cases {
            write(&path, &s).unwrap();
            let (exit, line) = judge(&config, now);
            assert_eq!(exit, want, "{line}");
            assert!(line.contains(text), "{line}");
            assert!(!line.contains('\n'));
        }
        std::fs::write(&path, "garbage").unwrap();
        assert_eq!(judge(&config, now).0, Exit::Fail);
    }
}
