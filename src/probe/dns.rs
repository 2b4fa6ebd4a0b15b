//! Phase 1: name resolution with hickory, configured the way the task's own
//! libc would resolve (resolv.conf nameservers, the hosts file first), or
//! pointed at one `--dns-server`. The cache is off so every probe asks the
//! network; the answer keeps the CNAME chain and TTLs because they show
//! whether a name goes to an endpoint (`vpce-...`) or to the public service.

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::time::Duration;

use hickory_resolver::config::{
    ConnectionConfig, LookupIpStrategy, NameServerConfig, ResolveHosts, ResolverConfig,
};
use hickory_resolver::net::runtime::TokioRuntimeProvider;
use hickory_resolver::net::{DnsError, NetError};
use hickory_resolver::proto::op::{Query, ResponseCode};
use hickory_resolver::proto::rr::{Name, RData, RecordType};
use hickory_resolver::{Hosts, Resolver as Hickory, TokioResolver};

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
}

impl DnsOutcome {
    pub fn failed(failure: Failure) -> Self {
        Self {
            nameservers: Vec::new(),
            answer: Timed::instant(Err(failure)),
        }
    }
}

/// A configured resolver plus the hosts file.
pub struct Dns {
    resolver: TokioResolver,
    hosts: Hosts,
    nameservers: Vec<SocketAddr>,
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
        opts.ip_strategy = LookupIpStrategy::Ipv4AndIpv6;
        let resolver =
            Hickory::builder_with_config(resolver_config, TokioRuntimeProvider::default())
                .with_options(opts)
                .build()
                .map_err(|e| SetupError::Resolver(e.to_string()))?;
        let hosts = match &config.hosts_file {
            Some(path) => read_hosts(path)?,
            None => Hosts::default(),
        };
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

    /// Resolves one host within the budget.
    pub async fn resolve(&self, host: &Host, budget: Budget) -> DnsOutcome {
        let name = match host {
            Host::Ip(ip) => {
                return DnsOutcome {
                    nameservers: Vec::new(),
                    answer: Timed::instant(Ok(Resolution {
                        source: AnswerSource::IpLiteral,
                        addresses: vec![ResolvedAddress { ip: *ip, ttl: None }],
                        cname_chain: Vec::new(),
                    })),
                };
            }
            Host::Name(n) => n.as_ref().to_owned(),
        };
        if let Some(resolution) = self.hosts_file_answer(&name) {
            return DnsOutcome {
                nameservers: Vec::new(),
                answer: Timed::instant(Ok(resolution)),
            };
        }
        let fqdn = format!("{name}.");
        let answer = budget
            .run(async {
                let lookup = self
                    .resolver
                    .lookup_ip(fqdn.as_str())
                    .await
                    .map_err(|e| classify(&e))?;
                Ok(resolution_from(lookup.as_lookup().answers()))
            })
            .await;
        DnsOutcome {
            nameservers: self.nameservers.clone(),
            answer,
        }
    }

    fn hosts_file_answer(&self, name: &str) -> Option<Resolution> {
        let name = Name::from_ascii(name).ok()?;
        let addresses: Vec<ResolvedAddress> = [RecordType::A, RecordType::AAAA]
            .into_iter()
            .filter_map(|rt| {
                self.hosts
                    .lookup_static_host(&Query::query(name.clone(), rt))
            })
            .flat_map(|lookup| {
                lookup
                    .answers()
                    .iter()
                    .filter_map(|r| r.data.ip_addr())
                    .collect::<Vec<_>>()
            })
            .map(|ip| ResolvedAddress { ip, ttl: None })
            .collect();
        (!addresses.is_empty()).then_some(Resolution {
            source: AnswerSource::HostsFile,
            addresses,
            cname_chain: Vec::new(),
        })
    }
}

/// Turns the answer section into addresses (deduplicated, in answer order)
/// and the CNAME chain. With A and AAAA asked separately, a chain appears
/// once per query; it is reported once.
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

fn read_hosts(path: &Path) -> Result<Hosts, SetupError> {
    let fail = |e: std::io::Error| SetupError::HostsFile {
        path: crate::printable::printable_path(path),
        reason: e.to_string(),
    };
    let mut hosts = Hosts::default();
    match crate::files::read_capped(path) {
        Ok(bytes) => hosts.read_hosts_conf(bytes.as_slice()).map_err(fail)?,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(fail(e)),
    }
    Ok(hosts)
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
                hosts_file: Some(path),
            },
            Duration::from_secs(1),
        )
        .unwrap();
        let r = dns
            .hosts_file_answer("logs.us-east-1.amazonaws.com")
            .unwrap();
        assert_eq!(r.source, AnswerSource::HostsFile);
        assert_eq!(r.addresses[0].ip, "10.9.8.7".parse::<IpAddr>().unwrap());
        assert!(
            dns.hosts_file_answer("ssm.us-east-1.amazonaws.com")
                .is_none()
        );
    }
}
