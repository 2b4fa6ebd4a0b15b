//! vpce-probe: from inside an ECS task, can it reach the AWS endpoints it
//! needs, and does that traffic stay inside the VPC?
//!
//! Data flows one way: [`cli`] → [`config`] → ([`metadata`]) → [`plan`] →
//! [`probe`] (dns → tcp → tls) → [`classify`] and [`diagnose`] → [`report`]
//! → [`render`]. The [`mode`]s tie them together; `main.rs` is plumbing.

pub mod catalog;
pub mod classify;
pub mod cli;
pub mod config;
pub mod diagnose;
pub mod error;
pub mod files;
pub mod metadata;
pub mod mode;
pub mod plan;
pub mod probe;
pub mod render;
pub mod report;

use std::io::Write;

pub use error::{AppError, Exit};

use cli::{Cli, Command, ProbeArgs};
use config::{Config, HealthConfig, WatchConfig};

/// The probe arguments of the selected mode (`health` has none).
pub fn probe_args(cli: &Cli) -> Option<&ProbeArgs> {
    match &cli.command {
        Command::Check(args) | Command::Endpoints(args) => Some(args),
        Command::Watch(cmd) => Some(&cmd.probe),
        Command::Health(_) => None,
    }
}

/// Runs a probing mode, writing to `out`. `health` is [`health`].
pub async fn run(cli: &Cli, out: &mut impl Write) -> Result<Exit, AppError> {
    let env = |key: &str| std::env::var(key).ok();
    match &cli.command {
        Command::Check(args) => mode::check::run(Config::from_args(args, &env)?, out).await,
        Command::Endpoints(args) => {
            mode::endpoints::run(&Config::from_args(args, &env)?, out).await
        }
        Command::Watch(cmd) => {
            mode::watch::run(WatchConfig::from_cmd(cmd, &env)?, out, shutdown_signal()).await
        }
        Command::Health(args) => Ok(health(args, out)),
    }
}

/// `health`: synchronous, no runtime, no network. Exits 0 or 1, never 2.
pub fn health(args: &cli::HealthArgs, out: &mut impl Write) -> Exit {
    let (exit, line) = match HealthConfig::from_args(args) {
        Ok(config) => mode::health::judge(&config, std::time::SystemTime::now()),
        Err(e) => (Exit::Fail, format!("unhealthy: {e}")),
    };
    let _ = writeln!(out, "{line}");
    exit
}

/// Resolves on SIGTERM (what ECS sends to stop a task) or SIGINT.
async fn shutdown_signal() {
    use tokio::signal::unix::{SignalKind, signal};
    match (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) {
        (Ok(mut term), Ok(mut int)) => {
            tokio::select! {
                _ = term.recv() => {}
                _ = int.recv() => {}
            }
        }
        _ => {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// Sends tracing events to stderr (stdout carries only the report).
pub fn init_tracing(filter: &str) -> Result<(), config::ConfigError> {
    let filter = tracing_subscriber::EnvFilter::try_new(filter).map_err(|_| {
        config::ConfigError::Invalid {
            flag: "--log",
            value: filter.to_owned(),
            expected: "expected a filter like warn, info or vpce_probe=debug".to_owned(),
        }
    })?;
    // A second call (tests) keeps the first subscriber.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
    Ok(())
}
