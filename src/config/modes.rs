//! The validated configuration of the modes beside `check`: `watch` (a
//! probe configuration plus its loop) and `health` (the status file only).

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use super::{Config, ConfigError, MAX_AGE, invalid, parse_duration, parse_duration_up_to};
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
        let interval = parse_duration("--interval", &cmd.interval)?;
        if interval < Duration::from_secs(1) {
            return Err(invalid("--interval", &cmd.interval, "expected at least 1s"));
        }
        Ok(Self {
            probe: Config::from_args(&cmd.probe, env)?,
            interval,
            status_file: parse_status_file(&cmd.status.status_file)?,
            metrics_listen: cmd
                .metrics_listen
                .as_deref()
                .map(parse_listen)
                .transpose()?,
        })
    }
}

/// An `ADDR:PORT` to listen on: an IP address, not a name (`[::]:9115`,
/// `0.0.0.0:9115`, `127.0.0.1:0`).
fn parse_listen(s: &str) -> Result<SocketAddr, ConfigError> {
    s.trim().parse().map_err(|_| {
        invalid(
            "--metrics-listen",
            s,
            "expected ADDR:PORT with an IP address, like 0.0.0.0:9115 or [::]:9115",
        )
    })
}

/// The validated configuration of `health`.
#[derive(Debug, Clone)]
pub struct HealthConfig {
    pub status_file: PathBuf,
    pub max_age: Duration,
}

impl HealthConfig {
    pub fn from_args(args: &HealthArgs) -> Result<Self, ConfigError> {
        Ok(Self {
            status_file: parse_status_file(&args.status.status_file)?,
            max_age: parse_duration_up_to("--max-age", &args.max_age, MAX_AGE)?,
        })
    }
}

fn parse_status_file(s: &str) -> Result<PathBuf, ConfigError> {
    if s.trim().is_empty() || s.ends_with('/') {
        return Err(invalid("--status-file", s, "expected a file path"));
    }
    Ok(PathBuf::from(s))
}
