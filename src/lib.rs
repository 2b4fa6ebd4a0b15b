//! vpce-probe: from inside an ECS task, can it reach the AWS endpoints it
//! needs, and does that traffic stay inside the VPC?
//!
//! Data flows one way: [`cli`] → [`config`] → [`plan`] → [`probe`] (dns →
//! tcp → tls) → [`classify`] and [`diagnose`] → [`report`] → [`render`].
//! The [`mode`]s tie them together; `main.rs` is plumbing.

pub mod catalog;
pub mod classify;
pub mod cli;
pub mod config;
pub mod diagnose;
pub mod error;
pub mod mode;
pub mod plan;
pub mod probe;
pub mod render;
pub mod report;

use std::io::Write;

pub use error::{AppError, Exit};

use cli::{Cli, Command, ProbeArgs};
use config::Config;

/// The arguments shared by every mode.
pub fn probe_args(cli: &Cli) -> &ProbeArgs {
    match &cli.command {
        Command::Check(args) | Command::Endpoints(args) => args,
    }
}

/// Runs the selected mode, writing the report to `out`.
pub async fn run(cli: &Cli, out: &mut impl Write) -> Result<Exit, AppError> {
    let env = |key: &str| std::env::var(key).ok();
    match &cli.command {
        Command::Check(args) => mode::check::run(&Config::from_args(args, &env)?, out).await,
        Command::Endpoints(args) => mode::endpoints::run(&Config::from_args(args, &env)?, out),
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
