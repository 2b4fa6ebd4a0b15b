//! The one error type at the edge, and the exit codes.
//!
//! An `AppError` means the tool itself could not run (a bad flag, an
//! unreadable file); an unreachable endpoint is never an error, it is a
//! result in the report.

use std::process::ExitCode;

use crate::config::ConfigError;

/// User input as shown in a one-line message: control characters (a stray
/// newline in a task definition's environment, say) are escaped.
pub fn printable(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

/// The process exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every endpoint passed (`ok` or `warn`).
    Pass = 0,
    /// At least one endpoint failed.
    Fail = 1,
    /// Usage or configuration error: nothing was probed.
    Usage = 2,
}

impl From<Exit> for ExitCode {
    fn from(e: Exit) -> Self {
        ExitCode::from(e as u8)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error(transparent)]
    Config(#[from] ConfigError),
    #[error("cannot use resolv.conf '{path}': {reason}")]
    ResolvConf { path: String, reason: String },
    #[error("cannot read hosts file '{path}': {reason}")]
    HostsFile { path: String, reason: String },
    #[error("cannot build the DNS resolver: {0}")]
    Resolver(String),
    #[error("cannot write the status file '{path}': {reason}")]
    StatusFile { path: String, reason: String },
    #[error("cannot write the report: {0}")]
    Output(#[from] std::io::Error),
}

impl AppError {
    /// The report could not be written because its reader went away.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }
}
