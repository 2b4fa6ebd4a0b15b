//! vpce-probe: from inside an ECS task, can it reach the AWS endpoints it
//! needs, and does that traffic stay inside the VPC?
//!
//! Data flows one way: [`cli`] → [`config`] → ([`metadata`]) → [`plan`] →
//! [`probe`] (dns → tcp → tls) → [`classify`] and [`diagnose`], once per
//! round into an [`assess::Assessment`] → [`report`] (its projection) and
//! [`remedy`] (for `fix`) → [`render`]. The [`session`] is the engine that
//! runs a round; the [`mode`]s drive it; `main.rs` is plumbing. `explain`
//! reads stopped reasons with [`stopped`], judged by the same [`diagnose`].
//! Leaf modules any of them may use: [`names`], [`choices`], [`printable`]
//! (text from outside, shown escaped), [`shell`] (commands of quoted words),
//! [`clock`], [`files`], [`image`], [`trust`]. `cargo test --test it layering::` fails on an
//! import cycle.

pub mod assess;
pub mod catalog;
pub mod choices;
pub mod classify;
pub mod cli;
pub mod clock;
pub mod config;
pub mod context;
pub mod diagnose;
pub mod error;
pub mod files;
pub mod image;
pub mod metadata;
pub mod metrics;
pub mod mode;
pub mod names;
pub mod plan;
pub mod printable;
pub mod probe;
pub mod remedy;
pub mod render;
pub mod report;
pub mod sdk;
pub mod session;
pub mod shell;
pub mod status_file;
pub mod stopped;
pub mod trust;

use std::io::Write;

pub use error::{AppError, Exit};

use choices::Format;
use cli::{Cli, Command, ProbeArgs};
use config::{Config, HealthConfig, WatchConfig};

/// The probe arguments of the selected mode (`health` has none).
pub fn probe_args(cli: &Cli) -> Option<&ProbeArgs> {
    match &cli.command {
        Command::Check(args) | Command::Endpoints(args) => Some(args),
        Command::Fix(cmd) => Some(&cmd.probe),
        Command::Watch(cmd) => Some(&cmd.probe),
        Command::Health(_) | Command::Explain(_) | Command::Generate(_) => None,
    }
}

/// Runs a probing mode, writing to `out`; `out_is_terminal` says whether
/// `out` is a terminal (text reports are coloured there unless `NO_COLOR`
/// or `--color` say otherwise). `health` is [`health`].
pub async fn run(cli: &Cli, out: &mut impl Write, out_is_terminal: bool) -> Result<Exit, AppError> {
    let env = |key: &str| std::env::var(key).ok();
    let no_color = env("NO_COLOR").is_some_and(|v| !v.is_empty());
    let reports = [Format::Text, Format::Json, Format::Emf];
    match &cli.command {
        Command::Check(args) => {
            let mut config = Config::from_args(args, &env)?.require_format("check", &reports)?;
            config.output.pretty = args.layout.pretty(out_is_terminal);
            let color = config.output.color.applies(out_is_terminal, no_color);
            mode::check::run(config, out, color).await
        }
        Command::Fix(cmd) => {
            let formats = [Format::Text, Format::Json, Format::Terraform, Format::Cli];
            if let Some(path) = &cmd.report {
                config::require_format(cmd.probe.format, "fix", &formats)?;
                let pretty = cmd.probe.layout.pretty(out_is_terminal);
                return mode::fix::from_report(path, cmd.probe.format, pretty, out);
            }
            let mut config =
                Config::from_args(&cmd.probe, &env)?.require_format("fix", &formats)?;
            config.output.pretty = cmd.probe.layout.pretty(out_is_terminal);
            let color = config.output.color.applies(out_is_terminal, no_color);
            mode::fix::run(config, out, color).await
        }
        Command::Endpoints(args) => {
            let mut config =
                Config::from_args(args, &env)?.require_format("endpoints", &reports)?;
            config.output.pretty = args.layout.pretty(out_is_terminal);
            mode::endpoints::run(&config, out).await
        }
        Command::Watch(cmd) => {
            let mut config = WatchConfig::from_cmd(cmd, &env)?;
            config.probe = config.probe.require_format("watch", &reports)?;
            let color = config.probe.output.color.applies(out_is_terminal, no_color);
            mode::watch::run(config, out, color, shutdown_signal()).await
        }
        Command::Health(args) => Ok(health(args, out)),
        Command::Explain(args) => {
            mode::explain::run(args, args.layout.pretty(out_is_terminal), out)
        }
        Command::Generate(args) => mode::generate::run(args, out),
    }
}

/// `health`: synchronous, no runtime, no network. Exits 0 or 1, never 2.
pub fn health(args: &cli::HealthArgs, out: &mut impl Write) -> Exit {
    let (exit, line) = mode::health::judge(&HealthConfig::from(args), std::time::SystemTime::now());
    let _ = writeln!(out, "{line}");
    exit
}

/// Serves Lambda invocations (the binary started as a function's
/// `bootstrap`) until SIGTERM.
pub async fn lambda() -> Result<Exit, AppError> {
    mode::lambda::run(shutdown_signal()).await
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

/// Sends tracing events to stderr (stdout carries only the report),
/// filtered by `targets` (`--log`, read by [`cli::values::log_filter`]).
pub fn init_tracing(targets: tracing_subscriber::filter::Targets) {
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    // A second call (tests) keeps the first subscriber.
    // The formatter lets everything through; `targets` filters.
    let _ = tracing_subscriber::fmt()
        .with_max_level(tracing_subscriber::filter::LevelFilter::TRACE)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .finish()
        .with(targets)
        .try_init();
}
