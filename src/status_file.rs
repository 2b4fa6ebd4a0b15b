//! The status file: the last round of `watch`, as `health` needs it. The
//! sidecar replaces it atomically after every round; the health check reads
//! it without a runtime or the network.

use std::io::Write;
use std::path::Path;
use std::time::SystemTime;

use serde::{Deserialize, Serialize};

use crate::clock::unix_ms;
use crate::diagnose::{Finding, Status};
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
    pub verdict: StatusVerdict,
    pub summary: Option<Summary>,
    pub endpoints: Vec<StatusEndpoint>,
}

/// The last round's verdict, or none yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StatusVerdict {
    Pass,
    Fail,
    /// Written at start, before the first round finishes.
    Starting,
}

impl From<Verdict> for StatusVerdict {
    fn from(v: Verdict) -> Self {
        match v {
            Verdict::Pass => Self::Pass,
            Verdict::Fail => Self::Fail,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
pub struct StatusEndpoint {
    pub service: String,
    pub host: String,
    pub status: Status,
    pub finding: Option<Finding>,
}

impl StatusFile {
    /// Written at start, before the first round.
    pub fn starting() -> Self {
        Self {
            schema_version: 1,
            written_at_ms: unix_ms(SystemTime::now()),
            round: 0,
            verdict: StatusVerdict::Starting,
            summary: None,
            endpoints: Vec::new(),
        }
    }

    /// The file after round `round`.
    pub fn of(report: &Report, round: u64) -> Self {
        Self {
            schema_version: 1,
            written_at_ms: unix_ms(SystemTime::now()),
            round,
            verdict: report.verdict.into(),
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
pub fn write(path: &Path, status: &StatusFile) -> std::io::Result<()> {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_file_is_replaced_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("status.json");
        write(&path, &StatusFile::starting()).unwrap();
        let read: StatusFile = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
        assert_eq!(read.verdict, StatusVerdict::Starting);
        // The file's text keeps its words.
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(text.contains(r#""verdict":"starting""#), "{text}");
        assert_eq!(
            std::fs::read_dir(dir.path()).unwrap().count(),
            1,
            "no temporary left behind"
        );
        assert!(
            write(
                &dir.path().join("missing/status.json"),
                &StatusFile::starting()
            )
            .is_err()
        );
    }
}
