//! The edge: each flag's text becomes its typed value here, once, whether
//! it came from the command line or a `VPCE_PROBE_*` variable (clap's
//! `value_parser`s), an inherited `HTTPS_PROXY` or a Lambda event. A
//! [`Rejected`] value says what was expected; [`super::usage_line`] puts the
//! flag and the value in front, as one line.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::time::Duration;

use clap::ValueEnum;
use ipnet::IpNet;
use tracing_subscriber::filter::{LevelFilter, Targets};

use crate::catalog::{self, Region, Selection};
use crate::names::{AccountId, Target, parse_port};
use crate::printable::printable;
use crate::sdk::https_proxy::ProxyUrl;
use crate::sdk::{EndpointUrlFlag, StsRegionalEndpoints};

/// A value a flag does not take: the value as it may be shown (printable,
/// without credentials) and what the flag expected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rejected {
    pub shown: String,
    pub why: String,
}

impl Rejected {
    fn new(value: &str, why: impl Into<String>) -> Self {
        Self {
            shown: printable(value),
            why: why.into(),
        }
    }
}

impl std::fmt::Display for Rejected {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.why)
    }
}

impl std::error::Error for Rejected {}

/// The longest accepted `--timeout`, `--deadline`, `--metadata-timeout` or
/// `--interval`.
pub const MAX_DURATION: Duration = Duration::from_secs(3600);

/// The longest accepted `health --max-age`: above the longest jittered
/// `--interval` (1h + 10%) plus the longest `--deadline` (1h).
pub const MAX_AGE: Duration = Duration::from_secs(3 * 3600);

/// `500ms`, `2s`, `1m`, `1m30s`: more than 0 and at most an hour.
pub fn duration(s: &str) -> Result<Duration, Rejected> {
    duration_up_to(s, MAX_DURATION)
}

/// `health --max-age`: a duration of at most [`MAX_AGE`].
pub fn max_age(s: &str) -> Result<Duration, Rejected> {
    duration_up_to(s, MAX_AGE)
}

/// `watch --interval`: a duration from 1s to an hour.
pub fn interval(s: &str) -> Result<Duration, Rejected> {
    let d = duration(s)?;
    if d < Duration::from_secs(1) {
        return Err(Rejected::new(s, "expected at least 1s"));
    }
    Ok(d)
}

fn duration_up_to(s: &str, max: Duration) -> Result<Duration, Rejected> {
    humantime::parse_duration(s.trim())
        .ok()
        .filter(|d| !d.is_zero() && *d <= max)
        .ok_or_else(|| {
            Rejected::new(
                s,
                format!(
                    "expected a duration like 500ms, 2s or 1m (more than 0, at most {})",
                    humantime::format_duration(max)
                ),
            )
        })
}

/// A TCP port, 1 to 65535.
pub fn port(s: &str) -> Result<u16, Rejected> {
    parse_port(s).ok_or_else(|| Rejected::new(s, "expected a port from 1 to 65535"))
}

/// `--concurrency`: 1 to 4096.
pub fn concurrency(s: &str) -> Result<usize, Rejected> {
    bounded(s, 1, 4096)
}

/// `--cert-warn-days`: 0 to 3650.
pub fn cert_warn_days(s: &str) -> Result<u32, Rejected> {
    bounded(s, 0, 3650)
}

/// A whole number within `min..=max`.
fn bounded<T>(s: &str, min: T, max: T) -> Result<T, Rejected>
where
    T: std::str::FromStr + PartialOrd + std::fmt::Display + Copy,
{
    s.trim()
        .parse::<T>()
        .ok()
        .filter(|n| *n >= min && *n <= max)
        .ok_or_else(|| Rejected::new(s, format!("expected a number from {min} to {max}")))
}

/// A region code such as `ap-northeast-1`.
pub fn region(s: &str) -> Result<Region, Rejected> {
    s.parse()
        .map_err(|_| Rejected::new(s, "expected a region code like ap-northeast-1"))
}

/// One word of `--services`: a service or a bundle (`none` is the empty one).
pub fn service(s: &str) -> Result<Selection, Rejected> {
    if s.trim().is_empty() {
        return Err(Rejected::new(
            "",
            "expected a service or bundle name; an empty value is not one",
        ));
    }
    s.parse().map_err(|_| {
        Rejected::new(
            s.trim(),
            format!("expected one of {}", catalog::known_names()),
        )
    })
}

/// `--ecr-registry`: a 12-digit account ID.
pub fn account(s: &str) -> Result<AccountId, Rejected> {
    AccountId::parse(s).ok_or_else(|| Rejected::new(s, "expected a 12-digit AWS account ID"))
}

/// `--target`: `HOST[:PORT]`.
pub fn target(s: &str) -> Result<Target, Rejected> {
    if s.trim().is_empty() {
        return Err(Rejected::new(
            "",
            "expected HOST[:PORT]; an empty value is not one",
        ));
    }
    Target::parse(s.trim())
        .ok_or_else(|| Rejected::new(s, "expected HOST[:PORT], e.g. api.example.com:8443"))
}

/// `--dns-server`: `IP` (port 53) or `IP:PORT`.
pub fn dns_server(s: &str) -> Result<SocketAddr, Rejected> {
    if let Ok(addr) = s.parse::<SocketAddr>() {
        if addr.port() != 0 {
            return Ok(addr);
        }
    } else if let Ok(ip) = s.trim_matches(|c| c == '[' || c == ']').parse::<IpAddr>() {
        return Ok(SocketAddr::new(ip, 53));
    }
    Err(Rejected::new(
        s,
        "expected IP or IP:PORT, e.g. 10.0.0.2 or 127.0.0.1:5353",
    ))
}

/// `--vpc-cidr`: a CIDR, its host bits dropped (`10.0.0.1/16` is
/// `10.0.0.0/16`).
pub fn cidr(s: &str) -> Result<IpNet, Rejected> {
    let c = s.trim();
    if c.is_empty() {
        return Err(Rejected::new(
            "",
            "expected a CIDR; an empty value is not one",
        ));
    }
    c.parse::<IpNet>()
        .map(|n| n.trunc())
        .map_err(|_| Rejected::new(c, "expected a CIDR like 10.0.0.0/16 or fd00::/8"))
}

/// A file to read or write: not empty, not a directory's path.
pub fn file(s: &str) -> Result<PathBuf, Rejected> {
    if s.trim().is_empty() || s.ends_with('/') {
        return Err(Rejected::new(s, "expected a file path"));
    }
    Ok(PathBuf::from(s))
}

/// `--hosts-file`: a file, or `none` (or empty) to consult none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostsFile {
    Skip,
    Read(PathBuf),
}

/// Parses `--hosts-file`; a missing file is read as empty later, so any
/// path is taken.
pub fn hosts_file(s: &str) -> Result<HostsFile, Rejected> {
    Ok(match s {
        "" | "none" => HostsFile::Skip,
        path => HostsFile::Read(PathBuf::from(path)),
    })
}

/// `--https-proxy` (and an inherited `HTTPS_PROXY`): a proxy URL, or
/// `none` (or empty) for no proxy, which turns an inherited one off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProxyChoice {
    Off,
    Via(ProxyUrl),
}

/// Parses a proxy setting; a refusal shows the value without credentials.
pub fn https_proxy(s: &str) -> Result<ProxyChoice, Rejected> {
    if s.trim().is_empty() || s.trim() == "none" {
        return Ok(ProxyChoice::Off);
    }
    ProxyUrl::parse(s)
        .map(ProxyChoice::Via)
        .map_err(|why| Rejected::new(ProxyUrl::redacted(s), why))
}

/// `--no-proxy` (and an inherited `NO_PROXY`): comma-separated entries,
/// trimmed, empty ones dropped.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NoProxy(pub Vec<String>);

impl NoProxy {
    /// Every entry is one the SDKs might match, so any list is taken.
    pub fn parse(list: &str) -> Self {
        Self(
            list.split(',')
                .map(str::trim)
                .filter(|e| !e.is_empty())
                .map(str::to_owned)
                .collect(),
        )
    }
}

/// `--no-proxy`, as [`NoProxy::parse`] reads it.
pub fn no_proxy(s: &str) -> Result<NoProxy, Rejected> {
    Ok(NoProxy::parse(s))
}

/// `--namespace`: 1 to 1024 printable characters, trimmed.
pub fn namespace(s: &str) -> Result<String, Rejected> {
    let name = s.trim();
    if name.is_empty() || name.len() > 1024 || name.chars().any(char::is_control) {
        return Err(Rejected::new(s, "expected 1 to 1024 printable characters"));
    }
    Ok(name.to_owned())
}

/// `--metrics-listen`: `ADDR:PORT` with an IP address, not a name.
pub fn listen(s: &str) -> Result<SocketAddr, Rejected> {
    s.trim().parse().map_err(|_| {
        Rejected::new(
            s,
            "expected ADDR:PORT with an IP address, like 0.0.0.0:9115 or [::]:9115",
        )
    })
}

/// The default of `--log`, and the Lambda bootstrap's filter: our
/// warnings, other crates' errors.
pub const DEFAULT_LOG: &str = "error,vpce_probe=warn";

/// `--log`: `LEVEL` or `TARGET=LEVEL` directives, comma-separated
/// (tracing's `Targets`: no regex engine in the binary for a start-up flag).
pub fn log_filter(s: &str) -> Result<Targets, Rejected> {
    let well_formed = s.split(',').all(|d| {
        let (target, level) = d.trim().rsplit_once('=').unwrap_or(("", d.trim()));
        let target_ok = target
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "_:-.".contains(c));
        target_ok && level.parse::<LevelFilter>().is_ok()
    });
    well_formed
        .then(|| s.parse().ok())
        .flatten()
        .ok_or_else(|| Rejected::new(s, "expected a filter like warn, info or vpce_probe=debug"))
}

/// [`DEFAULT_LOG`], for the Lambda bootstrap (which has no `--log`).
pub fn default_log() -> Targets {
    Targets::new()
        .with_default(LevelFilter::ERROR)
        .with_target("vpce_probe", LevelFilter::WARN)
}

/// Errors only: the filter of the modes without `--log`.
pub fn errors_only() -> Targets {
    Targets::new().with_default(LevelFilter::ERROR)
}

/// One of a closed set of choices ([`crate::choices`]), for input that
/// does not pass through clap (a Lambda event).
pub fn choice<T: ValueEnum>(s: &str) -> Result<T, Rejected> {
    T::from_str(s, false).map_err(|_| {
        let names: Vec<String> = T::value_variants()
            .iter()
            .filter_map(|v| v.to_possible_value().map(|p| p.get_name().to_owned()))
            .collect();
        Rejected::new(s, format!("expected one of {}", names.join(", ")))
    })
}

/// `--endpoint-url`: `[SERVICE=]https://HOST[:PORT]`, read as
/// [`crate::sdk`] reads `AWS_ENDPOINT_URL*` and the config file's URLs.
pub fn endpoint_url(s: &str) -> Result<EndpointUrlFlag, Rejected> {
    EndpointUrlFlag::parse(s).map_err(|bad| Rejected::new(&bad.value, bad.why))
}

/// `--sts-regional-endpoints`: `legacy` or `regional`, read as
/// [`crate::sdk`] reads `AWS_STS_REGIONAL_ENDPOINTS`.
pub fn sts_regional_endpoints(s: &str) -> Result<StsRegionalEndpoints, Rejected> {
    StsRegionalEndpoints::parse(s).map_err(|why| Rejected::new(s, why))
}

/// `--aws-profile`: a profile's name, as given; a blank one names none.
pub fn profile(s: &str) -> Result<String, Rejected> {
    if s.trim().is_empty() {
        return Err(Rejected::new(
            s,
            "expected a profile name; an empty value is not one",
        ));
    }
    Ok(s.to_owned())
}

/// Any text (a Lambda event's list items, before their flag's parser).
pub fn text(s: &str) -> Result<String, Rejected> {
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_show_the_value_safely_and_say_what_was_expected() {
        let cases: [(Result<(), Rejected>, &str, &str); 8] = [
            (duration("5x").map(drop), "5x", "expected a duration like"),
            (duration("-1s").map(drop), "-1s", "expected a duration like"),
            (interval("500ms").map(drop), "500ms", "expected at least 1s"),
            (port("0").map(drop), "0", "expected a port from 1 to 65535"),
            (
                cidr(" 10.0.0.0/33").map(drop),
                "10.0.0.0/33",
                "expected a CIDR",
            ),
            (
                https_proxy("https://user:s3cret@proxy.corp").map(drop),
                "proxy.corp",
                "expected http://",
            ),
            (file("/tmp/").map(drop), "/tmp/", "expected a file path"),
            (
                duration("5\n").map(drop),
                "5\\n",
                "expected a duration like",
            ),
        ];
        for (got, shown, why) in cases {
            let r = got.unwrap_err();
            assert_eq!(r.shown, shown);
            assert!(r.why.starts_with(why), "{r:?}");
        }
    }

    #[test]
    fn log_filters_are_read_once() {
        assert_eq!(
            format!("{:?}", log_filter(DEFAULT_LOG).unwrap()),
            format!("{:?}", default_log())
        );
        assert_eq!(
            format!("{:?}", log_filter("error").unwrap()),
            format!("{:?}", errors_only())
        );
        assert!(log_filter("info, vpce_probe::probe=trace").is_ok());
        for bad in ["[[[", "bogus", "vpce probe=info", "a=b=c"] {
            let r = log_filter(bad).unwrap_err();
            assert_eq!(
                r.why, "expected a filter like warn, info or vpce_probe=debug",
                "{bad}"
            );
        }
    }

    #[test]
    fn none_is_a_choice_at_the_edge() {
        assert_eq!(hosts_file("none").unwrap(), HostsFile::Skip);
        assert_eq!(hosts_file("").unwrap(), HostsFile::Skip);
        assert_eq!(
            hosts_file("/etc/hosts").unwrap(),
            HostsFile::Read("/etc/hosts".into())
        );
        assert_eq!(https_proxy(" none ").unwrap(), ProxyChoice::Off);
        assert!(matches!(
            https_proxy("http://proxy.corp:3128").unwrap(),
            ProxyChoice::Via(ProxyUrl { port: 3128, .. })
        ));
        assert!(service("none").unwrap().services().is_empty());
    }

    #[test]
    fn values_become_typed() {
        assert_eq!(duration(" 1m30s ").unwrap(), Duration::from_secs(90));
        assert_eq!(max_age("3h").unwrap(), MAX_AGE);
        assert!(max_age("4h").is_err());
        assert_eq!(cidr("10.1.2.3/16").unwrap().to_string(), "10.1.0.0/16");
        assert_eq!(
            dns_server("[::1]").unwrap(),
            "[::1]:53".parse::<SocketAddr>().unwrap()
        );
        assert_eq!(
            no_proxy(" a, ,b ").unwrap(),
            NoProxy(vec!["a".into(), "b".into()])
        );
        assert_eq!(namespace(" Ns ").unwrap(), "Ns");
        assert_eq!(
            choice::<crate::choices::Expect>("public").unwrap_err().why,
            "expected one of any, private"
        );
    }
}
