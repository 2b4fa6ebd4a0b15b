//! Validation, done once: raw command-line text becomes a typed [`Config`].
//! Past this module nothing sees an unchecked host, CIDR, duration or file;
//! every mistake a user can make ends here as one [`ConfigError`] line that
//! names the flag and the value.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use ipnet::IpNet;
use rustls::RootCertStore;
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, DnsName, ServerName};

use crate::catalog::{self, InvalidRegion, Region, Service, UnknownService};
use crate::cli::{ColorArg, ExpectArg, FormatArg, HealthArgs, ProbeArgs, WatchCmd};
use crate::metadata;

/// A usage or configuration error: one line, naming the input (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("invalid {flag} '{value}': {expected}")]
    Invalid {
        flag: &'static str,
        value: String,
        expected: String,
    },
    #[error(transparent)]
    Region(#[from] InvalidRegion),
    #[error("no region: pass --region or set VPCE_PROBE_REGION, AWS_REGION or AWS_DEFAULT_REGION")]
    MissingRegion,
    #[error(transparent)]
    Service(#[from] UnknownService),
    #[error("cannot use --ca-file '{path}': {reason}")]
    CaFile { path: String, reason: String },
    #[error("nothing to probe: --services none needs at least one --target")]
    NothingToProbe,
}

fn invalid(flag: &'static str, value: &str, expected: impl Into<String>) -> ConfigError {
    ConfigError::Invalid {
        flag,
        value: crate::error::printable(value),
        expected: expected.into(),
    }
}

/// A host to probe: a DNS name, or an IP literal that needs no lookup.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Host {
    Name(DnsName<'static>),
    Ip(IpAddr),
}

impl Host {
    fn parse(s: &str) -> Option<Self> {
        if let Ok(ip) = s.parse::<IpAddr>() {
            return Some(Self::Ip(ip));
        }
        // Trailing dots are accepted and dropped: the probe always asks the
        // resolver for the fully-qualified name.
        let name = s.strip_suffix('.').unwrap_or(s);
        DnsName::try_from(name.to_ascii_lowercase())
            .ok()
            .map(Self::Name)
    }

    /// The name TLS verifies against and sends as SNI.
    pub fn server_name(&self) -> ServerName<'static> {
        match self {
            Self::Name(n) => ServerName::DnsName(n.clone()),
            Self::Ip(ip) => ServerName::IpAddress((*ip).into()),
        }
    }
}

impl std::fmt::Display for Host {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Name(n) => f.write_str(n.as_ref()),
            Self::Ip(ip) => write!(f, "{ip}"),
        }
    }
}

/// An extra endpoint from `--target`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub host: Host,
    pub port: u16,
}

impl Target {
    /// Parses `HOST`, `HOST:PORT`, `IPv4:PORT`, `IPv6`, `[IPv6]` and `[IPv6]:PORT`.
    fn parse(s: &str) -> Result<Self, ConfigError> {
        let bad = || {
            invalid(
                "--target",
                s,
                "expected HOST[:PORT], e.g. api.example.com:8443",
            )
        };
        let (host, port) = if let Some(rest) = s.strip_prefix('[') {
            let (v6, after) = rest.split_once(']').ok_or_else(bad)?;
            let ip: Ipv6Addr = v6.parse().map_err(|_| bad())?;
            let port = match after {
                "" => None,
                p => Some(p.strip_prefix(':').ok_or_else(bad)?),
            };
            (Host::Ip(IpAddr::V6(ip)), port)
        } else if let Ok(ip) = s.parse::<Ipv6Addr>() {
            (Host::Ip(IpAddr::V6(ip)), None)
        } else {
            let (h, p) = match s.rsplit_once(':') {
                Some((h, p)) => (h, Some(p)),
                None => (s, None),
            };
            (Host::parse(h).ok_or_else(bad)?, p)
        };
        let port = match port {
            None => 443,
            Some(p) => parse_port(p).ok_or_else(bad)?,
        };
        Ok(Self { host, port })
    }
}

fn parse_port(s: &str) -> Option<u16> {
    s.parse::<u16>().ok().filter(|p| *p != 0)
}

/// Where DNS questions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolver {
    /// The nameservers of a resolv.conf file, as the task's libc would use.
    System { resolv_conf: PathBuf },
    /// One explicit server (`--dns-server`).
    Server(SocketAddr),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsConfig {
    pub resolver: Resolver,
    /// Consulted before DNS, like the system resolver does; `None` skips it.
    pub hosts_file: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    Any,
    Private,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Text,
    Json,
    Emf,
}

/// Where to read ECS task metadata from, when running in ECS.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MetadataSource {
    /// The value of `ECS_CONTAINER_METADATA_URI_V4`.
    pub uri: String,
    pub timeout: Duration,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Color {
    Auto,
    Always,
    Never,
}

/// Where the service list came from; it becomes each endpoint's `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServicesSource {
    Flag,
    Default,
}

/// The validated configuration of one run.
#[derive(Debug, Clone)]
pub struct Config {
    /// From `--region`, `AWS_REGION` or `AWS_DEFAULT_REGION`; `None` leaves it to task metadata.
    pub region: Option<Region>,
    pub services: Vec<Service>,
    pub services_source: ServicesSource,
    pub ecr_account: Option<String>,
    pub targets: Vec<Target>,
    pub port: u16,
    pub dns: DnsConfig,
    pub timeout: Duration,
    pub deadline: Duration,
    pub concurrency: usize,
    pub vpc_cidrs: Vec<IpNet>,
    pub expect: Expect,
    /// The compiled-in web PKI roots plus any `--ca-file` certificates.
    pub roots: Arc<RootCertStore>,
    pub cert_warn_days: u32,
    pub format: Format,
    pub color: Color,
    /// `CloudWatch` namespace for `--format emf`.
    pub namespace: String,
    /// Set when `ECS_CONTAINER_METADATA_URI_V4` is.
    pub metadata: Option<MetadataSource>,
}

/// The ranges counted as "inside the VPC" when `--vpc-cidr` is absent.
pub const DEFAULT_VPC_CIDRS: [&str; 5] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
];

/// The longest accepted `--timeout`, `--deadline` or `--interval`.
const MAX_DURATION: Duration = Duration::from_secs(3600);

/// The longest accepted `health --max-age`: above the longest jittered
/// `--interval` (1h + 10%) plus the longest `--deadline` (1h).
const MAX_AGE: Duration = Duration::from_secs(3 * 3600);

impl Config {
    /// Validates the arguments. `env` reads the environment (injected so
    /// that tests do not depend on the machine's `AWS_REGION`).
    pub fn from_args(
        args: &ProbeArgs,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let region = args
            .region
            .clone()
            .or_else(|| env("AWS_REGION"))
            .or_else(|| env("AWS_DEFAULT_REGION"))
            .filter(|r| !r.is_empty())
            .map(|r| r.parse::<Region>())
            .transpose()?;

        reject_empty("--services", &args.services, "a service or bundle name")?;
        reject_empty("--target", &args.targets, "HOST[:PORT]")?;
        reject_empty("--vpc-cidr", &args.vpc_cidrs, "a CIDR")?;
        let requested = catalog::parse_services(&args.services)?;
        let explicit_none = args.services.iter().any(|s| s.trim() == "none");
        let (services, services_source) = if requested.is_empty() && !explicit_none {
            (Service::DEFAULT.to_vec(), ServicesSource::Default)
        } else {
            (requested, ServicesSource::Flag)
        };

        let ecr_account = args
            .ecr_registry
            .as_deref()
            .map(parse_account)
            .transpose()?;
        let targets = args
            .targets
            .iter()
            .map(|t| Target::parse(t.trim()))
            .collect::<Result<Vec<_>, _>>()?;
        if services.is_empty() && targets.is_empty() {
            return Err(ConfigError::NothingToProbe);
        }
        let port = parse_port(&args.port)
            .ok_or_else(|| invalid("--port", &args.port, "expected a port from 1 to 65535"))?;
        let resolver = match &args.dns_server {
            Some(s) => Resolver::Server(parse_dns_server(s)?),
            None => Resolver::System {
                resolv_conf: PathBuf::from(&args.resolv_conf),
            },
        };
        let hosts_file = match args.hosts_file.as_str() {
            "" | "none" => None,
            path => Some(PathBuf::from(path)),
        };
        let timeout = parse_duration("--timeout", &args.timeout)?;
        let deadline = parse_duration("--deadline", &args.deadline)?;
        let concurrency = parse_bounded("--concurrency", &args.concurrency, 1, 4096)?;
        let vpc_cidrs = parse_cidrs(&args.vpc_cidrs)?;
        let cert_warn_days = parse_bounded("--cert-warn-days", &args.cert_warn_days, 0, 3650)?;
        let roots = Arc::new(load_roots(args.ca_file.as_deref())?);
        let namespace = args.namespace.trim();
        if namespace.is_empty() || namespace.len() > 1024 || namespace.chars().any(char::is_control)
        {
            return Err(invalid(
                "--namespace",
                &args.namespace,
                "expected 1 to 1024 printable characters",
            ));
        }
        let metadata_timeout = parse_duration("--metadata-timeout", &args.metadata_timeout)?;
        let metadata = env(metadata::ENV_URI)
            .filter(|u| !u.trim().is_empty())
            .map(|uri| MetadataSource {
                uri,
                timeout: metadata_timeout,
            });

        Ok(Self {
            region,
            services,
            services_source,
            ecr_account,
            targets,
            port,
            dns: DnsConfig {
                resolver,
                hosts_file,
            },
            timeout,
            deadline,
            concurrency,
            vpc_cidrs,
            expect: match args.expect {
                ExpectArg::Any => Expect::Any,
                ExpectArg::Private => Expect::Private,
            },
            roots,
            cert_warn_days,
            format: match args.format {
                FormatArg::Text => Format::Text,
                FormatArg::Json => Format::Json,
                FormatArg::Emf => Format::Emf,
            },
            color: match args.color {
                ColorArg::Auto => Color::Auto,
                ColorArg::Always => Color::Always,
                ColorArg::Never => Color::Never,
            },
            namespace: namespace.to_owned(),
            metadata,
        })
    }
}

/// The validated configuration of `watch`.
#[derive(Debug, Clone)]
pub struct WatchConfig {
    pub probe: Config,
    pub interval: Duration,
    pub status_file: PathBuf,
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
        })
    }
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

fn parse_account(a: &str) -> Result<String, ConfigError> {
    if a.len() == 12 && a.bytes().all(|b| b.is_ascii_digit()) {
        Ok(a.to_owned())
    } else {
        Err(invalid(
            "--ecr-registry",
            a,
            "expected a 12-digit AWS account ID",
        ))
    }
}

/// An empty value (`--services ""`, `--target ''`, a stray comma in a list)
/// is a mistake, not a request for the default.
fn reject_empty(flag: &'static str, values: &[String], what: &str) -> Result<(), ConfigError> {
    if values.iter().any(|v| v.trim().is_empty()) {
        return Err(invalid(
            flag,
            "",
            format!("expected {what}; an empty value is not one"),
        ));
    }
    Ok(())
}

/// Parses a whole number within `min..=max`.
fn parse_bounded<T>(flag: &'static str, s: &str, min: T, max: T) -> Result<T, ConfigError>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    s.trim()
        .parse::<T>()
        .ok()
        .filter(|n| *n >= min && *n <= max)
        .ok_or_else(|| invalid(flag, s, format!("expected a number from {min} to {max}")))
}

/// `--vpc-cidr` values, or the RFC 1918, CGNAT and ULA ranges when absent.
fn parse_cidrs(raw: &[String]) -> Result<Vec<IpNet>, ConfigError> {
    let given: Vec<&str> = raw.iter().map(|c| c.trim()).collect();
    if given.is_empty() {
        return Ok(DEFAULT_VPC_CIDRS
            .iter()
            .map(|c| c.parse().expect("built-in CIDRs are valid"))
            .collect());
    }
    given
        .into_iter()
        .map(|c| {
            c.parse::<IpNet>().map(|n| n.trunc()).map_err(|_| {
                invalid(
                    "--vpc-cidr",
                    c,
                    "expected a CIDR like 10.0.0.0/16 or fd00::/8",
                )
            })
        })
        .collect()
}

/// Parses `500ms`, `2s`, `1m`, `1m30s`: positive and at most an hour.
pub fn parse_duration(flag: &'static str, s: &str) -> Result<Duration, ConfigError> {
    parse_duration_up_to(flag, s, MAX_DURATION)
}

fn parse_duration_up_to(
    flag: &'static str,
    s: &str,
    max: Duration,
) -> Result<Duration, ConfigError> {
    humantime::parse_duration(s.trim())
        .ok()
        .filter(|d| !d.is_zero() && *d <= max)
        .ok_or_else(|| {
            invalid(
                flag,
                s,
                format!(
                    "expected a duration like 500ms, 2s or 1m (more than 0, at most {})",
                    humantime::format_duration(max)
                ),
            )
        })
}

fn parse_dns_server(s: &str) -> Result<SocketAddr, ConfigError> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        if addr.port() != 0 {
            return Ok(addr);
        }
    } else if let Ok(ip) = s.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(invalid(
        "--dns-server",
        s,
        "expected IP or IP:PORT, e.g. 10.0.0.2 or 127.0.0.1:5353",
    ))
}

/// The trust store: Mozilla's roots compiled in (so a `FROM scratch` image
/// works) plus every certificate of `--ca-file`.
fn load_roots(ca_file: Option<&str>) -> Result<RootCertStore, ConfigError> {
    let mut roots = RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let Some(path) = ca_file else {
        return Ok(roots);
    };
    let fail = |reason: String| ConfigError::CaFile {
        path: crate::error::printable(path),
        reason,
    };
    let bytes =
        crate::files::read_capped(std::path::Path::new(path)).map_err(|e| fail(e.to_string()))?;
    add_pem_roots(&mut roots, &bytes).map_err(fail)?;
    Ok(roots)
}

/// Adds every certificate of a PEM document to `roots`; the error says why
/// the document is unusable.
pub fn add_pem_roots(roots: &mut RootCertStore, pem: &[u8]) -> Result<(), String> {
    let certs = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| format!("not valid PEM ({e})"))?;
    if certs.is_empty() {
        return Err("no PEM CERTIFICATE blocks in the file".into());
    }
    for (i, cert) in certs.into_iter().enumerate() {
        roots
            .add(cert)
            .map_err(|e| format!("certificate {} is not usable as a CA: {e}", i + 1))?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli;

    fn config(argv: &[&str]) -> Result<Config, String> {
        let mut full = vec!["vpce-probe", "check"];
        full.extend_from_slice(argv);
        let parsed = cli::parse(full).map_err(|e| e.to_string())?;
        let cli::Command::Check(probe_args) = parsed.command else {
            unreachable!()
        };
        Config::from_args(&probe_args, &|_| None).map_err(|e| e.to_string())
    }

    #[test]
    fn valid_inputs_become_typed_values() {
        let c = config(&[
            "--region",
            "ap-northeast-1",
            "--services",
            "ecr,logs",
            "--timeout",
            "500ms",
            "--deadline",
            "1m",
            "--target",
            "api.example.com:8443",
            "--target",
            "[::1]:9443",
            "--target",
            "10.1.2.3",
            "--vpc-cidr",
            "10.1.0.0/16",
            "--dns-server",
            "127.0.0.1:5353",
            "--ecr-registry",
            "123456789012",
        ])
        .unwrap();
        assert_eq!(c.region.as_ref().unwrap().code(), "ap-northeast-1");
        assert_eq!(c.services.len(), 4);
        assert_eq!(c.services_source, ServicesSource::Flag);
        assert_eq!(c.timeout, Duration::from_millis(500));
        assert_eq!(c.deadline, Duration::from_secs(60));
        assert_eq!(c.targets[0].port, 8443);
        assert_eq!(c.targets[1].host, Host::Ip("::1".parse().unwrap()));
        assert_eq!(c.targets[2].port, 443);
        let only_targets = config(&[
            "--region",
            "us-east-1",
            "--services",
            "none",
            "--target",
            "a.example",
        ])
        .unwrap();
        assert!(only_targets.services.is_empty());
        assert_eq!(only_targets.services_source, ServicesSource::Flag);
        assert_eq!(c.vpc_cidrs, vec!["10.1.0.0/16".parse::<IpNet>().unwrap()]);
        assert_eq!(
            c.dns.resolver,
            Resolver::Server("127.0.0.1:5353".parse().unwrap())
        );
        assert_eq!(c.ecr_account.as_deref(), Some("123456789012"));
    }

    #[test]
    fn defaults() {
        let c = config(&["--region", "us-east-1"]).unwrap();
        assert_eq!(c.services, Service::DEFAULT.to_vec());
        assert_eq!(c.services_source, ServicesSource::Default);
        assert_eq!(c.port, 443);
        assert_eq!(c.vpc_cidrs.len(), DEFAULT_VPC_CIDRS.len());
        assert_eq!(c.expect, Expect::Any);
        assert_eq!(
            c.dns.resolver,
            Resolver::System {
                resolv_conf: "/etc/resolv.conf".into()
            }
        );
        assert_eq!(c.dns.hosts_file, Some(PathBuf::from("/etc/hosts")));
        assert!(c.roots.len() > 100, "web PKI roots are compiled in");
    }

    #[test]
    fn region_falls_back_to_the_aws_environment() {
        let parsed = cli::parse(["vpce-probe"]).unwrap();
        let cli::Command::Check(args) = parsed.command else {
            unreachable!()
        };
        let env = |k: &str| (k == "AWS_DEFAULT_REGION").then(|| "eu-west-1".to_owned());
        assert_eq!(
            Config::from_args(&args, &env)
                .unwrap()
                .region
                .unwrap()
                .code(),
            "eu-west-1"
        );
        assert!(
            Config::from_args(&args, &|_| None)
                .unwrap()
                .region
                .is_none()
        );
    }

    #[test]
    fn every_bad_input_is_one_line_naming_it() {
        let cases: [(&[&str], &str); 17] = [
            (&["--region", "tokyo"], "invalid region 'tokyo'"),
            (
                &["--region", "us-east-1", "--services", "ecr,lgos"],
                "unknown service 'lgos'",
            ),
            (
                &["--region", "us-east-1", "--timeout", "5x"],
                "invalid --timeout '5x'",
            ),
            (
                &["--region", "us-east-1", "--timeout", "0s"],
                "invalid --timeout '0s'",
            ),
            (
                &["--region", "us-east-1", "--deadline", "3"],
                "invalid --deadline '3'",
            ),
            (
                &["--region", "us-east-1", "--port", "0"],
                "invalid --port '0'",
            ),
            (
                &["--region", "us-east-1", "--port", "70000"],
                "invalid --port '70000'",
            ),
            (
                &["--region", "us-east-1", "--vpc-cidr", "10.0.0.0/33"],
                "invalid --vpc-cidr '10.0.0.0/33'",
            ),
            (
                &["--region", "us-east-1", "--vpc-cidr", "10.0.0.1"],
                "invalid --vpc-cidr '10.0.0.1'",
            ),
            (
                &["--region", "us-east-1", "--target", "bad host:1"],
                "invalid --target 'bad host:1'",
            ),
            (
                &["--region", "us-east-1", "--target", "h:0"],
                "invalid --target 'h:0'",
            ),
            (
                &["--region", "us-east-1", "--target", "[::1"],
                "invalid --target '[::1'",
            ),
            (
                &["--region", "us-east-1", "--dns-server", "dns.local"],
                "invalid --dns-server 'dns.local'",
            ),
            (
                &["--region", "us-east-1", "--ecr-registry", "12345"],
                "invalid --ecr-registry '12345'",
            ),
            (
                &["--region", "us-east-1", "--concurrency", "0"],
                "invalid --concurrency '0'",
            ),
            (
                &["--region", "us-east-1", "--cert-warn-days", "soon"],
                "invalid --cert-warn-days 'soon'",
            ),
            (
                &["--region", "us-east-1", "--ca-file", "/nonexistent/ca.pem"],
                "cannot use --ca-file '/nonexistent/ca.pem': No such file",
            ),
        ];
        for (argv, want) in cases {
            let err = config(argv).unwrap_err();
            assert!(err.starts_with(want), "{argv:?}: got {err:?}");
            assert!(!err.contains('\n'), "{argv:?}: {err:?} is not one line");
        }
    }

    #[test]
    fn empty_values_and_empty_plans_are_usage_errors() {
        let cases: [(&[&str], &str); 6] = [
            (
                &["--region", "us-east-1", "--services", "none"],
                "nothing to probe: --services none needs at least one --target",
            ),
            (
                &["--region", "us-east-1", "--services", ""],
                "invalid --services '': expected a service or bundle name; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--services", "ecr,,logs"],
                "invalid --services '': expected a service or bundle name; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--target", ""],
                "invalid --target '': expected HOST[:PORT]; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--target", "  "],
                "invalid --target '': expected HOST[:PORT]; an empty value is not one",
            ),
            (
                &["--region", "us-east-1", "--vpc-cidr", ""],
                "invalid --vpc-cidr '': expected a CIDR; an empty value is not one",
            ),
        ];
        for (argv, want) in cases {
            assert_eq!(config(argv).unwrap_err(), want, "{argv:?}");
        }
    }

    #[test]
    fn max_age_covers_the_longest_interval_plus_deadline() {
        let health = |max_age: &str| {
            let parsed = cli::parse(["vpce-probe", "health", "--max-age", max_age]).unwrap();
            let cli::Command::Health(args) = parsed.command else {
                unreachable!()
            };
            HealthConfig::from_args(&args).map_err(|e| e.to_string())
        };
        // --interval 1h (+10% jitter) and --deadline 1h are both allowed.
        let longest_need = Duration::from_secs(3600 + 360 + 3600);
        assert_eq!(health("2h6m").unwrap().max_age, longest_need);
        assert_eq!(health("3h").unwrap().max_age, MAX_AGE);
        assert_eq!(
            health("4h").unwrap_err(),
            "invalid --max-age '4h': expected a duration like 500ms, 2s or 1m (more than 0, at most 3h)"
        );
    }

    #[test]
    fn negative_values_are_named() {
        assert_eq!(
            config(&["--region", "us-east-1", "--deadline", "-1s"]).unwrap_err(),
            "invalid --deadline '-1s': expected a duration like 500ms, 2s or 1m (more than 0, at most 1h)"
        );
        assert!(
            config(&["--region", "us-east-1", "--port", "-1"])
                .unwrap_err()
                .starts_with("invalid --port '-1'")
        );
    }

    #[test]
    fn control_characters_in_values_are_escaped() {
        // Found by fuzz/run (flags): a newline in a value split the error line.
        let err = config(&["--region", "us-east-1\n"]).unwrap_err();
        assert_eq!(
            err,
            "invalid region 'us-east-1\\n': expected a region code like ap-northeast-1"
        );
        let err = config(&["--region", "us-east-1", "--timeout", "5\u{1b}[31m"]).unwrap_err();
        assert!(err.starts_with("invalid --timeout '5\\u{1b}[31m'"), "{err}");
    }

    #[test]
    fn ca_file_must_hold_certificates() {
        let dir = tempfile::tempdir().unwrap();
        let empty = dir.path().join("empty.pem");
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = config(&[
            "--region",
            "us-east-1",
            "--ca-file",
            empty.to_str().unwrap(),
        ])
        .unwrap_err();
        assert!(err.contains("no PEM CERTIFICATE blocks"), "{err}");
    }
}
