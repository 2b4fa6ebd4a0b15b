//! The arguments of the modes beside the probing ones: `explain`'s text,
//! `watch`'s loop and status file, `health`'s status file and freshness.

#![allow(
    clippy::doc_markdown,
    reason = "doc comments here are --help text, read without markdown"
)]

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::Args;
use ipnet::IpNet;

use super::{ProbeArgs, values};
use crate::choices::ExplainFormat;

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The stopped reason or error text; read from standard input when absent.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,

    /// Output: text or json.
    #[arg(long, env = "VPCE_PROBE_FORMAT", value_enum, default_value_t = ExplainFormat::Text)]
    pub format: ExplainFormat,

    #[command(flatten)]
    pub layout: super::LayoutArgs,

    /// CIDR counted as inside the VPC (as for check); give the VPC's IPv6
    /// CIDR to judge an IPv6 address in the text.
    #[arg(
        long = "vpc-cidr",
        env = "VPCE_PROBE_VPC_CIDRS",
        value_delimiter = ',',
        value_name = "CIDR",
        value_parser = values::cidr
    )]
    pub vpc_cidrs: Vec<IpNet>,
}

#[derive(Debug, Clone, Args)]
pub struct FixCmd {
    #[command(flatten)]
    pub probe: ProbeArgs,

    /// Propose the fix from a saved JSON report (a one-shot task's or the
    /// Lambda's; - for standard input) instead of probing: offline, only
    /// --format applies.
    #[arg(long, env = "VPCE_PROBE_REPORT", value_name = "FILE")]
    pub report: Option<PathBuf>,
}

#[derive(Debug, Clone, Args)]
pub struct WatchCmd {
    #[command(flatten)]
    pub probe: ProbeArgs,

    /// Time between rounds (each round waits this long, plus or minus 10% jitter).
    #[arg(
        long,
        env = "VPCE_PROBE_INTERVAL",
        allow_hyphen_values = true,
        default_value = "60s",
        value_name = "DURATION",
        value_parser = values::interval
    )]
    pub interval: Duration,

    #[command(flatten)]
    pub status: StatusFileArg,

    /// Serve Prometheus metrics of the last finished round at http://ADDR:PORT/metrics
    /// (off by default: no socket is opened unless this is given).
    #[arg(
        long,
        env = "VPCE_PROBE_METRICS_LISTEN",
        value_name = "ADDR:PORT",
        value_parser = values::listen
    )]
    pub metrics_listen: Option<SocketAddr>,
}

/// The status file `watch` replaces after every round and `health` reads.
#[derive(Debug, Clone, Args)]
pub struct StatusFileArg {
    /// Status file: watch replaces it atomically after every round, health reads it.
    #[arg(
        long,
        env = "VPCE_PROBE_STATUS_FILE",
        default_value = DEFAULT_STATUS_FILE,
        value_name = "PATH",
        value_parser = values::file
    )]
    pub status_file: PathBuf,
}

#[derive(Debug, Clone, Args)]
pub struct HealthArgs {
    #[command(flatten)]
    pub status: StatusFileArg,

    /// Oldest status accepted as fresh.
    #[arg(
        long,
        env = "VPCE_PROBE_MAX_AGE",
        allow_hyphen_values = true,
        default_value = "3m",
        value_name = "DURATION",
        value_parser = values::max_age
    )]
    pub max_age: Duration,
}

/// Under /tmp so a read-only root filesystem needs only a /tmp volume.
pub const DEFAULT_STATUS_FILE: &str = "/tmp/vpce-probe-status.json";
