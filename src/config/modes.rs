//! The configuration of the modes beside `check`: `watch` (a probe
//! configuration plus its loop) and `health` (the status file only).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{Config, ConfigError};
use crate::cli::{HealthArgs, WatchCmd};

/// The validated configuration of `watch`.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub probe: Config,
    pub interval: Duration,
    pub status_file: PathBuf,
    /// Where to serve `/metrics`; `None` opens no socket.
    pub metrics_listen: Option<SocketAddr>,
}

impl WatchConfig {
    pub fn from_cmd(
        cmd: &WatchCmd,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        Ok(Self {
            probe: Config::from_args(&cmd.probe, env)?,
            interval: cmd.interval,
            status_file: cmd.status.status_file.clone(),
            metrics_listen: cmd.metrics_listen,
        })
    }
}

/// The configuration of `health`: its arguments are all it needs, and the
/// edge has already checked them.
#[derive(Debug, Clone)]
pub struct HealthConfig {
    pub status_file: PathBuf,
    pub max_age: Duration,
}

impl From<&HealthArgs> for HealthConfig {
    fn from(args: &HealthArgs) -> Self {
        Self {
            status_file: args.status.status_file.clone(),
            max_age: args.max_age,
        }
    }
}
