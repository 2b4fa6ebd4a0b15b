//! The command line as the user types it: clap derive, every flag also read
//! from a `VPCE_PROBE_*` environment variable because task definitions
//! configure containers through `environment`. Each value is parsed here,
//! at the edge, by a `value_parser` of [`values`] (or is one of the closed
//! choices of [`crate::choices`]): durations, ports, counts, paths, CIDRs,
//! regions and service lists arrive typed, and `none` is a variant, not a
//! string. `config` combines them with the environment and task metadata.

#![allow(
    clippy::doc_markdown,
    reason = "doc comments here are --help text, read without markdown"
)]

use std::ffi::OsString;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use ipnet::IpNet;
use tracing_subscriber::filter::Targets;

use crate::catalog::{Region, Selection};
use crate::choices::{Color, Expect, Format};
use crate::names::{AccountId, Target};

pub mod event;
mod generate;
mod help;
mod modes;
mod sdk;
pub mod values;
pub use generate::{GenerateArgs, Generated, command};
use help::default_command_help;
pub use help::usage_line;
pub use modes::{DEFAULT_STATUS_FILE, ExplainArgs, FixCmd, HealthArgs, StatusFileArg, WatchCmd};
pub use sdk::SdkArgs;
use values::{HostsFile, NoProxy, ProxyChoice};

/// Probe, from inside an ECS task, the AWS endpoints it depends on: DNS,
/// TCP and TLS to every address, and whether the path stays inside the VPC.
#[derive(Debug, Parser)]
#[command(
    name = "vpce-probe",
    version,
    about,
    long_about = None,
    override_usage = "vpce-probe [check] [OPTIONS]\n       vpce-probe <COMMAND> [OPTIONS]"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Probe every planned endpoint once and report (the default).
    #[command(args_override_self = true)]
    Check(ProbeArgs),
    /// Probe like check, then propose the security-group rules and endpoints that would fix what failed (--format text, json, terraform or cli).
    #[command(args_override_self = true)]
    Fix(FixCmd),
    /// Explain a task's stopped reason or a container error (the text, or standard input), offline.
    Explain(ExplainArgs),
    /// Print the plan (service, host, port) without probing anything.
    #[command(args_override_self = true)]
    Endpoints(ProbeArgs),
    /// Sidecar: probe every --interval, write one record per round and a status file.
    #[command(args_override_self = true)]
    Watch(WatchCmd),
    /// Health check for the task definition: exit 0 when the status file is fresh and passing, else 1.
    #[command(args_override_self = true)]
    Health(HealthArgs),
    /// Write the man page or a shell completion script to standard output.
    Generate(GenerateArgs),
}

/// How a JSON document is laid out: pretty on a terminal, one line
/// otherwise (a log driver makes every line its own event).
#[derive(Debug, Clone, Copy, Default, Args)]
pub struct LayoutArgs {
    /// JSON over several indented lines, even when stdout is not a terminal.
    #[arg(
        long,
        env = "VPCE_PROBE_PRETTY",
        conflicts_with = "compact",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub pretty: bool,

    /// JSON on one line, even on a terminal (the default when stdout is not one).
    #[arg(
        long,
        env = "VPCE_PROBE_COMPACT",
        value_parser = clap::builder::FalseyValueParser::new()
    )]
    pub compact: bool,
}

impl LayoutArgs {
    /// Whether JSON is pretty-printed, given whether stdout is a terminal.
    pub fn pretty(self, out_is_terminal: bool) -> bool {
        self.pretty || (out_is_terminal && !self.compact)
    }
}

#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// AWS region (falls back to AWS_REGION, then AWS_DEFAULT_REGION).
    #[arg(
        long,
        env = "VPCE_PROBE_REGION",
        value_name = "REGION",
        value_parser = values::region
    )]
    pub region: Option<Region>,

    /// Services or bundles, comma-separated: ecr.api, ecr.dkr, s3, logs, ssm,
    /// ssmmessages, ec2messages, secretsmanager, kms, sts, ecs, ecs-agent,
    /// ecs-telemetry, xray, monitoring; bundles default, ecr, exec, ecs-ec2, all;
    /// none (only --target endpoints).
    #[arg(
        long,
        env = "VPCE_PROBE_SERVICES",
        value_delimiter = ',',
        value_name = "LIST",
        value_parser = values::service
    )]
    pub services: Vec<Selection>,

    /// ECR registry account (12 digits) for the ecr.dkr hostname.
    #[arg(
        long,
        env = "VPCE_PROBE_ECR_REGISTRY",
        value_name = "ACCOUNT",
        value_parser = values::account
    )]
    pub ecr_registry: Option<AccountId>,

    /// Extra TLS endpoint to probe, HOST[:PORT] (port 443 by default); repeatable.
    #[arg(
        long = "target",
        env = "VPCE_PROBE_TARGETS",
        value_delimiter = ',',
        value_name = "HOST[:PORT]",
        value_parser = values::target
    )]
    pub targets: Vec<Target>,

    /// Port for every AWS endpoint and container registry (for tests and port forwarding).
    #[arg(
        long,
        env = "VPCE_PROBE_PORT",
        allow_hyphen_values = true,
        default_value = "443",
        value_name = "N",
        value_parser = values::port
    )]
    pub port: u16,

    /// DNS server to ask instead of /etc/resolv.conf, IP[:PORT].
    #[arg(
        long,
        env = "VPCE_PROBE_DNS_SERVER",
        value_name = "IP[:PORT]",
        value_parser = values::dns_server
    )]
    pub dns_server: Option<SocketAddr>,

    /// resolv.conf to read when --dns-server is absent.
    #[arg(
        long,
        env = "VPCE_PROBE_RESOLV_CONF",
        default_value = "/etc/resolv.conf",
        value_name = "PATH",
        value_parser = values::file
    )]
    pub resolv_conf: PathBuf,

    /// Hosts file consulted before DNS ("none" to skip); a missing file has no entries.
    #[arg(
        long,
        env = "VPCE_PROBE_HOSTS_FILE",
        default_value = "/etc/hosts",
        value_name = "PATH",
        value_parser = values::hosts_file
    )]
    pub hosts_file: HostsFile,

    /// Time limit for each phase (DNS, TCP connect, TLS handshake), e.g. 500ms, 2s.
    #[arg(
        long,
        env = "VPCE_PROBE_TIMEOUT",
        allow_hyphen_values = true,
        default_value = "3s",
        value_name = "DURATION",
        value_parser = values::duration
    )]
    pub timeout: Duration,

    /// Time limit for the whole run, e.g. 10s, 1m.
    #[arg(
        long,
        env = "VPCE_PROBE_DEADLINE",
        allow_hyphen_values = true,
        default_value = "10s",
        value_name = "DURATION",
        value_parser = values::duration
    )]
    pub deadline: Duration,

    /// Most DNS lookups and connections in flight at once.
    #[arg(
        long,
        env = "VPCE_PROBE_CONCURRENCY",
        allow_hyphen_values = true,
        default_value = "32",
        value_name = "N",
        value_parser = values::concurrency
    )]
    pub concurrency: usize,

    /// CIDR counted as inside the VPC; repeatable. Default: 10.0.0.0/8,
    /// 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7.
    #[arg(
        long = "vpc-cidr",
        env = "VPCE_PROBE_VPC_CIDRS",
        value_delimiter = ',',
        value_name = "CIDR",
        value_parser = values::cidr
    )]
    pub vpc_cidrs: Vec<IpNet>,

    /// Plan the dual-stack names the app's SDK calls with
    /// AWS_USE_DUALSTACK_ENDPOINT=true (also read), by AWS's endpoint rules
    /// (ecr.REGION.api.aws, logs.REGION.api.aws, BUCKET.s3.dualstack.REGION...),
    /// beside ECS's own names, which do not change
    #[arg(
        long,
        env = "VPCE_PROBE_DUALSTACK",
        action = clap::ArgAction::SetTrue,
        value_parser = clap::builder::BoolishValueParser::new()
    )]
    pub dualstack: bool,

    /// `private` fails any endpoint (except S3) reached over a public address.
    #[arg(long, env = "VPCE_PROBE_EXPECT", value_enum, default_value_t = Expect::Any)]
    pub expect: Expect,

    /// PEM file of extra CA certificates to trust (beside the built-in roots).
    #[arg(
        long,
        env = "VPCE_PROBE_CA_FILE",
        value_name = "PEM",
        value_parser = values::file
    )]
    pub ca_file: Option<PathBuf>,

    /// Warn when a certificate expires within this many days.
    #[arg(
        long,
        env = "VPCE_PROBE_CERT_WARN_DAYS",
        allow_hyphen_values = true,
        default_value = "14",
        value_name = "DAYS",
        value_parser = values::cert_warn_days
    )]
    pub cert_warn_days: u32,

    /// Report format.
    #[arg(long, env = "VPCE_PROBE_FORMAT", value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour in the text report: auto means only on a terminal without NO_COLOR.
    #[arg(long, env = "VPCE_PROBE_COLOR", value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    #[command(flatten)]
    pub layout: LayoutArgs,

    /// CloudWatch namespace of the EMF metrics.
    #[arg(
        long,
        env = "VPCE_PROBE_NAMESPACE",
        default_value = "VpceProbe",
        value_name = "NAME",
        value_parser = values::namespace
    )]
    pub namespace: String,

    /// Time limit for reading ECS task metadata (when ECS_CONTAINER_METADATA_URI_V4 is set).
    #[arg(
        long,
        env = "VPCE_PROBE_METADATA_TIMEOUT",
        allow_hyphen_values = true,
        default_value = "1s",
        value_name = "DURATION",
        value_parser = values::duration
    )]
    pub metadata_timeout: Duration,

    /// HTTPS proxy the app's AWS SDK uses, http://[USER:PASS@]HOST[:PORT], to probe that route too;
    /// "none" for none. Default: HTTPS_PROXY, then https_proxy.
    #[arg(
        long,
        env = "VPCE_PROBE_HTTPS_PROXY",
        value_name = "URL",
        value_parser = values::https_proxy
    )]
    pub https_proxy: Option<ProxyChoice>,

    /// Hosts that bypass the proxy, comma-separated, as NO_PROXY. Default: NO_PROXY, then no_proxy.
    #[arg(
        long,
        env = "VPCE_PROBE_NO_PROXY",
        value_name = "LIST",
        value_parser = values::no_proxy
    )]
    pub no_proxy: Option<NoProxy>,

    /// The endpoint settings of the app's AWS SDK.
    #[command(flatten)]
    pub sdk: SdkArgs,

    /// Log filter for stderr, e.g. info, vpce_probe=debug (default: our warnings, other crates' errors).
    #[arg(
        long,
        env = "VPCE_PROBE_LOG",
        default_value = values::DEFAULT_LOG,
        value_name = "FILTER",
        value_parser = values::log_filter
    )]
    pub log: Targets,
}

const SUBCOMMANDS: [&str; 8] = [
    "check",
    "fix",
    "explain",
    "endpoints",
    "watch",
    "health",
    "generate",
    "help",
];

/// Makes `check` the default subcommand: `vpce-probe --region x` means
/// `vpce-probe check --region x`, while `--help` and `--version` keep their
/// top-level meaning.
pub fn with_default_subcommand<I, T>(args: I) -> Vec<OsString>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    let mut args: Vec<OsString> = args.into_iter().map(Into::into).collect();
    let first = args.get(1).and_then(|a| a.to_str()).unwrap_or("");
    let top_level = ["-h", "--help", "-V", "--version"].contains(&first);
    if !SUBCOMMANDS.contains(&first) && !top_level {
        args.insert(1.min(args.len()), OsString::from("check"));
    }
    args
}

/// Parses the command line; `Err` carries clap's error (help, version or a
/// usage error) for the caller to print.
pub fn parse<I, T>(args: I) -> Result<Cli, clap::Error>
where
    I: IntoIterator<Item = T>,
    T: Into<OsString>,
{
    use clap::{CommandFactory, FromArgMatches};
    let args = with_default_subcommand(args);
    let mut command = Cli::command();
    if args.get(1).is_some_and(|a| a == "-h" || a == "--help") {
        command = command.after_help(default_command_help());
    }
    Cli::from_arg_matches(&command.try_get_matches_from(args)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_is_the_default_subcommand() {
        let cases: [(&[&str], &str); 5] = [
            (&["vpce-probe"], "check"),
            (&["vpce-probe", "--region", "us-east-1"], "check"),
            (&["vpce-probe", "check"], "check"),
            (&["vpce-probe", "endpoints"], "endpoints"),
            (&["vpce-probe", "--help"], "--help"),
        ];
        for (input, want) in cases {
            let out = with_default_subcommand(input.iter().copied());
            assert_eq!(out[1], want, "{input:?}");
        }
    }

    #[test]
    fn top_level_help_shows_the_check_options() {
        let err = parse(["vpce-probe", "--help"]).unwrap_err();
        assert_eq!(err.kind(), clap::error::ErrorKind::DisplayHelp);
        let help = err.render().to_string();
        for want in [
            "Commands:",
            "check",
            "Options of check",
            "--services",
            "--expect",
        ] {
            assert!(help.contains(want), "{want} missing from:\n{help}");
        }
        // A subcommand's own help stays its own.
        let watch = parse(["vpce-probe", "watch", "--help"])
            .unwrap_err()
            .render()
            .to_string();
        assert!(watch.contains("--interval") && !watch.contains("Options of check"));
    }

    #[test]
    fn an_invalid_choice_lists_the_valid_ones() {
        let err = parse(["vpce-probe", "--format", "xml"]).unwrap_err();
        assert_eq!(
            usage_line(&err),
            "invalid value 'xml' for '--format <FORMAT>' (possible values: text, json, emf, terraform, cli)"
        );
    }

    #[test]
    fn negative_values_are_refused_naming_the_flag() {
        // Not "unexpected argument '-1'": the value reaches its parser, and
        // the line names the flag.
        for (flag, value, expected) in [
            ("--deadline", "-1s", "expected a duration like"),
            ("--timeout", "-5", "expected a duration like"),
            ("--port", "-443", "expected a port from 1 to 65535"),
            ("--concurrency", "-1", "expected a number from 1 to 4096"),
        ] {
            let err = parse(["vpce-probe", flag, value]).unwrap_err();
            let line = usage_line(&err);
            assert!(
                line.starts_with(&format!("invalid {flag} '{value}': {expected}")),
                "{line}"
            );
        }
    }

    #[test]
    fn values_arrive_typed() {
        let cli = parse([
            "vpce-probe",
            "--port",
            "8443",
            "--timeout",
            "500ms",
            "--hosts-file",
            "none",
            "--services",
            "ecr,none",
            "--vpc-cidr",
            "10.1.2.3/16",
        ])
        .unwrap();
        let Command::Check(args) = cli.command else {
            unreachable!()
        };
        assert_eq!(args.port, 8443);
        assert_eq!(args.timeout, std::time::Duration::from_millis(500));
        assert_eq!(args.hosts_file, values::HostsFile::Skip);
        assert_eq!(args.services.len(), 2);
        assert_eq!(args.vpc_cidrs, ["10.1.0.0/16".parse::<IpNet>().unwrap()]);
        assert_eq!(args.deadline, std::time::Duration::from_secs(10));
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
