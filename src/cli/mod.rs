//! The command line as the user types it: clap derive, every flag also read
//! from a `VPCE_PROBE_*` environment variable because task definitions
//! configure containers through `environment`. Values stay raw text here
//! (but for the closed choices of [`crate::choices`]); `config.rs`
//! validates them once, with messages that name the input.

#![allow(
    clippy::doc_markdown,
    reason = "doc comments here are --help text, read without markdown"
)]

use std::ffi::OsString;

use clap::{Args, Parser, Subcommand};

use crate::choices::{Color, Expect, Format};

mod generate;
mod help;
mod sdk;
pub use generate::{GenerateArgs, Generated, command};
use help::default_command_help;
pub use help::usage_line;
pub use sdk::SdkArgs;

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
    Fix(ProbeArgs),
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

#[derive(Debug, Clone, Args)]
pub struct ExplainArgs {
    /// The stopped reason or error text; read from standard input when absent.
    #[arg(value_name = "TEXT")]
    pub text: Vec<String>,

    /// Output: text or json.
    #[arg(long, env = "VPCE_PROBE_FORMAT", value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// CIDR counted as inside the VPC (as for check); give the VPC's IPv6
    /// CIDR to judge an IPv6 address in the text.
    #[arg(
        long = "vpc-cidr",
        env = "VPCE_PROBE_VPC_CIDRS",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub vpc_cidrs: Vec<String>,
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
        value_name = "DURATION"
    )]
    pub interval: String,

    #[command(flatten)]
    pub status: StatusFileArg,

    /// Serve Prometheus metrics of the last finished round at http://ADDR:PORT/metrics
    /// (off by default: no socket is opened unless this is given).
    #[arg(long, env = "VPCE_PROBE_METRICS_LISTEN", value_name = "ADDR:PORT")]
    pub metrics_listen: Option<String>,
}

/// The status file `watch` replaces after every round and `health` reads.
#[derive(Debug, Clone, Args)]
pub struct StatusFileArg {
    /// Status file: watch replaces it atomically after every round, health reads it.
    #[arg(
        long,
        env = "VPCE_PROBE_STATUS_FILE",
        default_value = DEFAULT_STATUS_FILE,
        value_name = "PATH"
    )]
    pub status_file: String,
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
        value_name = "DURATION"
    )]
    pub max_age: String,
}

/// Under /tmp so a read-only root filesystem needs only a /tmp volume.
pub const DEFAULT_STATUS_FILE: &str = "/tmp/vpce-probe-status.json";

#[derive(Debug, Clone, Args)]
pub struct ProbeArgs {
    /// AWS region (falls back to AWS_REGION, then AWS_DEFAULT_REGION).
    #[arg(long, env = "VPCE_PROBE_REGION", value_name = "REGION")]
    pub region: Option<String>,

    /// Services or bundles, comma-separated: ecr.api, ecr.dkr, s3, logs, ssm,
    /// ssmmessages, ec2messages, secretsmanager, kms, sts, ecs, ecs-agent,
    /// ecs-telemetry, xray, monitoring; bundles default, ecr, exec, ecs-ec2, all;
    /// none (only --target endpoints).
    #[arg(
        long,
        env = "VPCE_PROBE_SERVICES",
        value_delimiter = ',',
        value_name = "LIST"
    )]
    pub services: Vec<String>,

    /// ECR registry account (12 digits) for the ecr.dkr hostname.
    #[arg(long, env = "VPCE_PROBE_ECR_REGISTRY", value_name = "ACCOUNT")]
    pub ecr_registry: Option<String>,

    /// Extra TLS endpoint to probe, HOST[:PORT] (port 443 by default); repeatable.
    #[arg(
        long = "target",
        env = "VPCE_PROBE_TARGETS",
        value_delimiter = ',',
        value_name = "HOST[:PORT]"
    )]
    pub targets: Vec<String>,

    /// Port for every AWS endpoint and container registry (for tests and port forwarding).
    #[arg(
        long,
        env = "VPCE_PROBE_PORT",
        allow_hyphen_values = true,
        default_value = "443",
        value_name = "N"
    )]
    pub port: String,

    /// DNS server to ask instead of /etc/resolv.conf, IP[:PORT].
    #[arg(long, env = "VPCE_PROBE_DNS_SERVER", value_name = "IP[:PORT]")]
    pub dns_server: Option<String>,

    /// resolv.conf to read when --dns-server is absent.
    #[arg(
        long,
        env = "VPCE_PROBE_RESOLV_CONF",
        default_value = "/etc/resolv.conf",
        value_name = "PATH"
    )]
    pub resolv_conf: String,

    /// Hosts file consulted before DNS ("none" to skip); a missing file has no entries.
    #[arg(
        long,
        env = "VPCE_PROBE_HOSTS_FILE",
        default_value = "/etc/hosts",
        value_name = "PATH"
    )]
    pub hosts_file: String,

    /// Time limit for each phase (DNS, TCP connect, TLS handshake), e.g. 500ms, 2s.
    #[arg(
        long,
        env = "VPCE_PROBE_TIMEOUT",
        allow_hyphen_values = true,
        default_value = "3s",
        value_name = "DURATION"
    )]
    pub timeout: String,

    /// Time limit for the whole run, e.g. 10s, 1m.
    #[arg(
        long,
        env = "VPCE_PROBE_DEADLINE",
        allow_hyphen_values = true,
        default_value = "10s",
        value_name = "DURATION"
    )]
    pub deadline: String,

    /// Most DNS lookups and connections in flight at once.
    #[arg(
        long,
        env = "VPCE_PROBE_CONCURRENCY",
        allow_hyphen_values = true,
        default_value = "32",
        value_name = "N"
    )]
    pub concurrency: String,

    /// CIDR counted as inside the VPC; repeatable. Default: 10.0.0.0/8,
    /// 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7.
    #[arg(
        long = "vpc-cidr",
        env = "VPCE_PROBE_VPC_CIDRS",
        value_delimiter = ',',
        value_name = "CIDR"
    )]
    pub vpc_cidrs: Vec<String>,

    /// Probe the dual-stack hostnames the AWS SDKs use with
    /// AWS_USE_DUALSTACK_ENDPOINT=true (also read): ecr.REGION.api.aws,
    /// ACCOUNT.dkr-ecr.REGION.on.aws, s3.dualstack.REGION.amazonaws.com, ...
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
    #[arg(long, env = "VPCE_PROBE_CA_FILE", value_name = "PEM")]
    pub ca_file: Option<String>,

    /// Warn when a certificate expires within this many days.
    #[arg(
        long,
        env = "VPCE_PROBE_CERT_WARN_DAYS",
        allow_hyphen_values = true,
        default_value = "14",
        value_name = "DAYS"
    )]
    pub cert_warn_days: String,

    /// Report format.
    #[arg(long, env = "VPCE_PROBE_FORMAT", value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Colour in the text report: auto means only on a terminal without NO_COLOR.
    #[arg(long, env = "VPCE_PROBE_COLOR", value_enum, default_value_t = Color::Auto)]
    pub color: Color,

    /// CloudWatch namespace of the EMF metrics.
    #[arg(
        long,
        env = "VPCE_PROBE_NAMESPACE",
        default_value = "VpceProbe",
        value_name = "NAME"
    )]
    pub namespace: String,

    /// Time limit for reading ECS task metadata (when ECS_CONTAINER_METADATA_URI_V4 is set).
    #[arg(
        long,
        env = "VPCE_PROBE_METADATA_TIMEOUT",
        allow_hyphen_values = true,
        default_value = "1s",
        value_name = "DURATION"
    )]
    pub metadata_timeout: String,

    /// HTTPS proxy the app's AWS SDK uses, http://[USER:PASS@]HOST[:PORT], to probe that route too;
    /// "none" for none. Default: HTTPS_PROXY, then https_proxy.
    #[arg(long, env = "VPCE_PROBE_HTTPS_PROXY", value_name = "URL")]
    pub https_proxy: Option<String>,

    /// Hosts that bypass the proxy, comma-separated, as NO_PROXY. Default: NO_PROXY, then no_proxy.
    #[arg(long, env = "VPCE_PROBE_NO_PROXY", value_name = "LIST")]
    pub no_proxy: Option<String>,

    /// The endpoint settings of the app's AWS SDK.
    #[command(flatten)]
    pub sdk: SdkArgs,

    /// Log filter for stderr, e.g. info, vpce_probe=debug (default: our warnings, other crates' errors).
    #[arg(
        long,
        env = "VPCE_PROBE_LOG",
        default_value = "error,vpce_probe=warn",
        value_name = "FILTER"
    )]
    pub log: String,
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
    fn negative_values_reach_validation() {
        // Not "unexpected argument '-1'": the value reaches config, which names the flag.
        for (flag, value) in [
            ("--deadline", "-1s"),
            ("--timeout", "-5"),
            ("--port", "-443"),
        ] {
            let cli = parse(["vpce-probe", flag, value]).unwrap();
            let Command::Check(args) = cli.command else {
                unreachable!()
            };
            let got = match flag {
                "--deadline" => args.deadline,
                "--timeout" => args.timeout,
                _ => args.port,
            };
            assert_eq!(got, value);
        }
    }

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Cli::command().debug_assert();
    }
}
