//! Phase 1: name resolution with hickory, configured the way the task's own
//! libc would resolve (resolv.conf nameservers, the hosts file first), or
//! pointed at one `--dns-server`. The cache is off so every probe asks the
//! network; the answer keeps the CNAME chain and TTLs because they show
//! whether a name goes to an endpoint (`vpce-...`) or to the public service.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use hickory_resolver::config::{ConnectionConfig, NameServerConfig, ResolveHosts, ResolverConfig};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::ResponseCode;
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::{Resolver as Hickory, TokioResolver};

pub use super::hosts::{HostsFile, HostsPin};
use super::{Budget, Failure, FailureKind, Timed};
use crate::names::Host;

/// The resolver cannot be set up from what the user named (exit code 2).
#[derive(Debug, thiserror::Error)]
pub enum SetupError {
    #[error("cannot use resolv.conf '{path}': {reason}")]
    ResolvConf { path: String, reason: String },
    #[error("cannot read hosts file '{path}': {reason}")]
    HostsFile { path: String, reason: String },
    #[error("cannot build the DNS resolver: {0}")]
    Resolver(String),
}

/// Where DNS questions go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolver {
    /// The nameservers of a resolv.conf file, as the task's libc would use.
    System { resolv_conf: std::path::PathBuf },
    /// One explicit server (`--dns-server`).
    Server(SocketAddr),
}

/// How names are resolved.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DnsConfig {
    pub resolver: Resolver,
    /// Consulted before DNS, like the system resolver does; `None` skips it.
    pub hosts_file: Option<std::path::PathBuf>,
}

/// Where an answer came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AnswerSource {
    Dns,
    HostsFile,
    /// The host was an IP literal; nothing was looked up.
    IpLiteral,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResolvedAddress {
    pub ip: IpAddr,
    /// Absent for hosts-file answers and IP literals.
    pub ttl: Option<u32>,
}

/// A CNAME hop: the name the query was redirected to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CnameHop {
    pub target: String,
    pub ttl: u32,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    pub source: AnswerSource,
    pub addresses: Vec<ResolvedAddress>,
    pub cname_chain: Vec<CnameHop>,
}

/// The DNS phase of one endpoint.
#[derive(Debug, Clone)]
pub struct DnsOutcome {
    /// The nameservers that were asked (empty for hosts-file and literal answers).
    pub nameservers: Vec<SocketAddr>,
    pub answer: Timed<Resolution>,
    /// Set when the hosts file answered: its entry and DNS's answer.
    pub hosts_pin: Option<Box<HostsPin>>,
}

impl DnsOutcome {
    pub fn failed(failure: Failure) -> Self {
        Self {
            nameservers: Vec::new(),
            answer: Timed::instant(Err(failure)),
            hosts_pin: None,
        }
    }
}

/// A configured resolver plus the hosts file.
pub struct Dns {
    resolver: TokioResolver,
    hosts: Option<HostsFile>,
    nameservers: Vec<SocketAddr>,
}

/// What the task's resolver answers without asking DNS.
#[derive(Debug, Clone)]
pub enum Local {
    /// The host is an IP literal or the hosts file names it.
    Answered(Resolution),
    /// DNS must be asked for this fully qualified name.
    Ask(String),
}

impl Dns {
    /// Reads resolv.conf (unless `--dns-server`) and the hosts file. A
    /// missing or useless resolv.conf is a configuration error; a missing
    /// hosts file just has no entries.
    pub fn new(config: &DnsConfig, timeout: Duration) -> Result<Self, SetupError> {
        let (resolver_config, mut opts) = match &config.resolver {
            Resolver::System { resolv_conf } => read_resolv_conf(resolv_conf)?,
            Resolver::Server(addr) => {
                let mut udp = ConnectionConfig::udp();
                udp.port = addr.port();
                let mut tcp = ConnectionConfig::tcp();
                tcp.port = addr.port();
                let ns = NameServerConfig::new(addr.ip(), true, vec![udp, tcp]);
                (
                    ResolverConfig::from_name_servers(vec![ns]),
                    hickory_resolver::config::ResolverOpts::default(),
                )
            }
        };
        let nameservers = resolver_config
            .name_servers()
            .iter()
            .flat_map(|ns| {
                let port = ns.connections.first().map_or(53, |c| c.port);
                std::iter::once(SocketAddr::new(ns.ip, port))
            })
            .collect();
        // Two tries per phase, so one lost UDP datagram is not a failure.
        opts.timeout = (timeout / 2).max(Duration::from_millis(50));
        opts.attempts = 2;
        opts.cache_size = 0;
        opts.use_hosts_file = ResolveHosts::Never;
        opts.preserve_intermediates = true;
        let resolver =
            Hickory::builder_with_config(resolver_config, TokioRuntimeProvider::default())
                .with_options(opts)
                .build()
                .map_err(|e| SetupError::Resolver(e.to_string()))?;
        let hosts = config
            .hosts_file
            .as_deref()
            .map(HostsFile::read)
            .transpose()?;
        Ok(Self {
            resolver,
            hosts,
            nameservers,
        })
    }

    /// The nameservers this resolver asks, in resolv.conf order.
    pub fn nameservers(&self) -> &[SocketAddr] {
        &self.nameservers
    }

    /// The hosts file, when one is read.
    pub fn hosts_file(&self) -> Option<&HostsFile> {
        self.hosts.as_ref()
    }

    /// The answer the task's resolver has before asking DNS: an IP literal
    /// or a hosts-file entry; else the name to ask DNS for.
    pub fn local(&self, host: &Host) -> Local {
        match host {
            Host::Ip(ip) => Local::Answered(Resolution {
                source: AnswerSource::IpLiteral,
                addresses: vec![ResolvedAddress { ip: *ip, ttl: None }],
                cname_chain: Vec::new(),
            }),
            Host::Name(n) => match self.hosts.as_ref().and_then(|h| h.answer(n.as_ref())) {
                Some(r) => Local::Answered(r),
                None => Local::Ask(format!("{}.", n.as_ref())),
            },
        }
    }

    /// Resolves one host within the budget, both families at once (the
    /// probe pipelines them itself; this serves the proxy's name).
    pub async fn resolve(&self, host: &Host, budget: Budget) -> DnsOutcome {
        match self.local(host) {
            Local::Answered(resolution) => DnsOutcome {
                nameservers: Vec::new(),
                answer: Timed::instant(Ok(resolution)),
                hosts_pin: None,
            },
            Local::Ask(fqdn) => DnsOutcome {
                nameservers: self.nameservers.clone(),
                answer: self.ask(&fqdn, budget).await,
                hosts_pin: None,
            },
        }
    }

    /// Both families at once, merged: DNS's whole answer for a name.
    pub async fn ask(&self, fqdn: &str, budget: Budget) -> Timed<Resolution> {
        let start = tokio::time::Instant::now();
        let (v4, v6) = tokio::join!(
            self.query(fqdn, RecordType::A, budget),
            self.query(fqdn, RecordType::AAAA, budget)
        );
        merge(&[v4, v6], start.elapsed())
    }

    /// One query (A or AAAA) within the budget.
    pub async fn query(
        &self,
        fqdn: &str,
        record_type: RecordType,
        budget: Budget,
    ) -> Timed<Resolution> {
        budget
            .run(async {
                let lookup = self
                    .resolver
                    .lookup(fqdn, record_type)
                    .await
                    .map_err(|e| classify(&e))?;
                Ok(resolution_from(lookup.answers()))
            })
            .await
    }
}

/// Merges the A and AAAA answers of one name (A first, as libc orders
/// them): any addresses make it an answer; else the most telling failure
/// (NXDOMAIN, SERVFAIL, a timeout, ...) over "no records of this type".
pub fn merge(answers: &[Timed<Resolution>], elapsed: Duration) -> Timed<Resolution> {
    let mut merged = Resolution {
        source: AnswerSource::Dns,
        addresses: Vec::new(),
        cname_chain: Vec::new(),
    };
    let mut failure: Option<&Failure> = None;
    for answer in answers {
        match &answer.result {
            Ok(r) => {
                for a in &r.addresses {
                    if !merged.addresses.iter().any(|m| m.ip == a.ip) {
                        merged.addresses.push(a.clone());
                    }
                }
                for hop in &r.cname_chain {
                    if !merged.cname_chain.iter().any(|h| h.target == hop.target) {
                        merged.cname_chain.push(hop.clone());
                    }
                }
            }
            Err(f) => {
                if failure.is_none_or(|seen| seen.kind == FailureKind::NoRecords) {
                    failure = Some(f);
                }
            }
        }
    }
    let result = match failure {
        Some(f) if merged.addresses.is_empty() => Err(f.clone()),
        None if merged.addresses.is_empty() => Err(Failure::new(
            FailureKind::NoRecords,
            "NOERROR with no A or AAAA records",
        )),
        _ => Ok(merged),
    };
    Timed { elapsed, result }
}

/// Turns the answer section into addresses (deduplicated, in answer order)
/// and the CNAME chain.
fn resolution_from(answers: &[hickory_resolver::proto::rr::Record]) -> Resolution {
    let mut addresses: Vec<ResolvedAddress> = Vec::new();
    let mut cname_chain: Vec<CnameHop> = Vec::new();
    for record in answers {
        match &record.data {
            RData::CNAME(target) => {
                let target = trim_dot(&target.0);
                if !cname_chain.iter().any(|h| h.target == target) {
                    cname_chain.push(CnameHop {
                        target,
                        ttl: record.ttl,
                    });
                }
            }
            data => {
                let new = data
                    .ip_addr()
                    .filter(|ip| !addresses.iter().any(|a| a.ip == *ip));
                if let Some(ip) = new {
                    addresses.push(ResolvedAddress {
                        ip,
                        ttl: Some(record.ttl),
                    });
                }
            }
        }
    }
    Resolution {
        source: AnswerSource::Dns,
        addresses,
        cname_chain,
    }
}

fn trim_dot(name: &Name) -> String {
    let s = name.to_ascii();
    s.strip_suffix('.').unwrap_or(&s).to_owned()
}

/// Classifies a resolver error by its variant.
fn classify(err: &NetError) -> Failure {
    let (kind, detail) = match err {
        _ if err.is_nx_domain() => (FailureKind::NxDomain, "NXDOMAIN: the name does not exist"),
        _ if err.is_no_records_found() => {
            (FailureKind::NoRecords, "NOERROR with no A or AAAA records")
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::ServFail)) => {
            (FailureKind::ServFail, "SERVFAIL")
        }
        NetError::Dns(DnsError::ResponseCode(ResponseCode::Refused)) => {
            (FailureKind::DnsRefused, "REFUSED")
        }
        NetError::Timeout | NetError::NoConnections | NetError::Busy => {
            (FailureKind::Timeout, "no answer from the nameservers")
        }
        NetError::Truncated => (
            FailureKind::Truncated,
            "the UDP answer was truncated and the retry over TCP failed",
        ),
        NetError::Io(io) => return Failure::from_io(io),
        _ => return Failure::new(FailureKind::DnsError, err.to_string()),
    };
    Failure::new(kind, detail)
}

fn read_resolv_conf(
    path: &Path,
) -> Result<(ResolverConfig, hickory_resolver::config::ResolverOpts), SetupError> {
    let fail = |reason: String| SetupError::ResolvConf {
        path: crate::printable::printable_path(path),
        reason,
    };
    let bytes = crate::files::read_capped(path).map_err(|e| fail(e.to_string()))?;
    resolv_conf_from_bytes(&bytes).map_err(fail)
}

/// Parses resolv.conf text. Unparseable lines are skipped, as libc does;
/// only a file with no usable nameserver is an error.
pub fn resolv_conf_from_bytes(
    bytes: &[u8],
) -> Result<(ResolverConfig, hickory_resolver::config::ResolverOpts), String> {
    let (config, opts) = hickory_resolver::system_conf::parse_resolv_conf(bytes)
        .map_err(|_| "no usable nameserver line".to_owned())?;
    if config.name_servers().is_empty() {
        return Err("no usable nameserver line".to_owned());
    }
    Ok((config, opts))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolv_conf_errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("missing.conf");
        let empty = dir.path().join("empty.conf");
        std::fs::write(&empty, "").unwrap();
        let garbage = dir.path().join("garbage.conf");
        std::fs::write(&garbage, "this is not\n\0\x01 resolv.conf\nnameserver\n").unwrap();
        for path in [&missing, &empty, &garbage] {
            let err = read_resolv_conf(path).unwrap_err().to_string();
            assert!(err.contains(&path.display().to_string()), "{err}");
            assert!(!err.contains('\n'), "{err}");
        }
        let good = dir.path().join("good.conf");
        std::fs::write(
            &good,
            "# comment\nbogus line\nnameserver 10.0.0.2\nsearch ec2.internal\n",
        )
        .unwrap();
        let (config, _) = read_resolv_conf(&good).unwrap();
        assert_eq!(
            config.name_servers()[0].ip,
            "10.0.0.2".parse::<IpAddr>().unwrap()
        );
    }

    #[test]
    fn hosts_file_answers_are_marked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("hosts");
        std::fs::write(
            &path,
            "10.9.8.7 logs.us-east-1.amazonaws.com\n::1 localhost6\n",
        )
        .unwrap();
        let dns = Dns::new(
            &DnsConfig {
                resolver: Resolver::Server("127.0.0.1:53".parse().unwrap()),
                hosts_file: Some(path.clone()),
            },
            Duration::from_secs(1),
        )
        .unwrap();
        let hosts = dns.hosts_file().unwrap();
        let r = hosts.answer("logs.us-east-1.amazonaws.com").unwrap();
        assert_eq!(r.source, AnswerSource::HostsFile);
        assert_eq!(r.addresses[0].ip, "10.9.8.7".parse::<IpAddr>().unwrap());
        assert!(hosts.answer("ssm.us-east-1.amazonaws.com").is_none());
        assert_eq!(hosts.path(), path.display().to_string());
        assert_eq!(
            hosts.entries("LOGS.us-east-1.amazonaws.com"),
            vec!["10.9.8.7 logs.us-east-1.amazonaws.com"]
        );
    }

    #[test]
    fn a_and_aaaa_answers_merge() {
        let answer = |ips: &[&str]| {
            Timed::instant(Ok(Resolution {
                source: AnswerSource::Dns,
                addresses: ips
                    .iter()
                    .map(|ip| ResolvedAddress {
                        ip: ip.parse().unwrap(),
                        ttl: Some(60),
                    })
                    .collect(),
                cname_chain: vec![CnameHop {
                    target: "vpce.example".into(),
                    ttl: 60,
                }],
            }))
        };
        let fail = |kind| Timed::instant(Err(Failure::new(kind, "x")));
        let z = Duration::ZERO;
        let both = merge(
            &[answer(&["10.0.0.1"]), answer(&["fd00::1", "10.0.0.1"])],
            z,
        );
        let r = both.result.unwrap();
        let ips: Vec<String> = r.addresses.iter().map(|a| a.ip.to_string()).collect();
        assert_eq!(ips, ["10.0.0.1", "fd00::1"]);
        assert_eq!(r.cname_chain.len(), 1);
        // One family answering is an answer, whatever the other did.
        assert!(
            merge(&[fail(FailureKind::Timeout), answer(&["fd00::1"])], z)
                .result
                .is_ok()
        );
        // Neither: the telling failure wins over "no records of this type".
        let kinds = [
            (
                [FailureKind::NoRecords, FailureKind::NxDomain],
                FailureKind::NxDomain,
            ),
            (
                [FailureKind::Timeout, FailureKind::NoRecords],
                FailureKind::Timeout,
            ),
            (
                [FailureKind::NoRecords, FailureKind::NoRecords],
                FailureKind::NoRecords,
            ),
        ];
        for ([a, b], want) in kinds {
            assert_eq!(merge(&[fail(a), fail(b)], z).result.unwrap_err().kind, want);
        }
    }
}
