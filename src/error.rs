//! The one error type at the edge, and the exit codes.
//!
//! An `AppError` means the tool itself could not run (a bad flag, an
//! unreadable file); an unreachable endpoint is never an error, it is a
//! result in the report. Exit codes: 0 pass, 1 an endpoint failed, 2 a
//! usage or configuration error (nothing was probed), 3 the tool failed
//! after it started.

use std::process::ExitCode;

use crate::config::ConfigError;

/// The process exit status, as documented in the README.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// Every endpoint passed (`ok` or `warn`).
    Pass = 0,
    /// At least one endpoint failed.
    Fail = 1,
    /// Usage or configuration error: nothing was probed.
    Usage = 2,
    /// The tool itself failed after it started: the async runtime would not
    /// start, or the report could not be written (a closed pipe included).
    Error = 3,
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
    #[error(transparent)]
    Dns(#[from] crate::probe::dns::SetupError),
    #[error(transparent)]
    Plan(#[from] crate::plan::MissingRegion),
    #[error("cannot write the status file '{path}': {reason}")]
    StatusFile { path: String, reason: String },
    #[error("cannot write the report: {0}")]
    Output(#[from] std::io::Error),
    #[error("cannot serve Lambda invocations: {0}")]
    Lambda(String),
    /// A file given as input (`fix --report`, `explain FILE`) that cannot
    /// be read or is not what it should be.
    #[error("cannot read '{path}': {reason}")]
    SavedReport { path: String, reason: String },
}

impl AppError {
    /// The report could not be written because its reader went away.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, Self::Output(e) if e.kind() == std::io::ErrorKind::BrokenPipe)
    }

    /// The exit code: 2 for what the user can fix in the input, 3 for a
    /// failure of the tool after it started.
    pub fn exit(&self) -> Exit {
        match self {
            Self::Output(_) | Self::Lambda(_) => Exit::Error,
            _ => Exit::Usage,
        }
    }
}
