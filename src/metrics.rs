//! The numbers published about each endpoint, computed once per round
//! from the report: reachability, whether the path stays private, the
//! addresses by family and class, the latencies, the TLS versions and the
//! certificate horizon. `render::emf` and `render::prometheus` lay these
//! values out under their own names and compute none of their own, so a
//! `CloudWatch` alarm and a Prometheus alert read the same number.
//!
//! Nothing here is per address: S3 answers with other addresses every
//! round, so a number keyed by address would be a new series each round.
//! Addresses are counted and timed by family and class instead.

use crate::classify::{AddressClass, Family, Path};
use crate::diagnose::{Finding, Status};
use crate::printable::printable;
use crate::report::{AddressReport, CertReport, EndpointReport, Report};

/// One finished round's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Round {
    /// When the round started, milliseconds since the epoch.
    pub started_unix_ms: i64,
    pub duration_ms: f64,
    pub endpoints: Vec<Endpoint>,
}

impl Round {
    pub fn of(report: &Report) -> Self {
        let started_secs = report.started_unix_ms.div_euclid(1000);
        Self {
            started_unix_ms: report.started_unix_ms,
            duration_ms: report.duration_ms,
            endpoints: report
                .endpoints
                .iter()
                .map(|e| Endpoint::of(e, started_secs))
                .collect(),
        }
    }
}

/// Whether an endpoint's traffic is known to stay inside the VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivatePath {
    /// Reached over an interface endpoint, or a `--target` on private addresses.
    Private,
    /// Reached over public addresses, or not reached at all.
    NotPrivate,
    /// S3 reached on its public addresses: a gateway endpoint (private) or
    /// a NAT (not), which the addresses alone cannot tell apart.
    Unknown,
}

impl PrivatePath {
    fn of(reachable: bool, path: Path) -> Self {
        match path {
            _ if !reachable => Self::NotPrivate,
            Path::InterfaceEndpoint | Path::Private => Self::Private,
            Path::GatewayOrNat => Self::Unknown,
            Path::Public | Path::None => Self::NotPrivate,
        }
    }

    /// 1 private, 0 not; no value when it cannot be told.
    pub fn value(self) -> Option<f64> {
        match self {
            Self::Private => Some(1.0),
            Self::NotPrivate => Some(0.0),
            Self::Unknown => None,
        }
    }
}

/// A TLS version the probe negotiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TlsVersion {
    Tls12,
    Tls13,
}

impl TlsVersion {
    /// The report's name (`TLSv1.3`, as rustls names it); other versions
    /// are never negotiated and read as none.
    fn parse(version: &str) -> Option<Self> {
        match version {
            "TLSv1.2" => Some(Self::Tls12),
            "TLSv1.3" => Some(Self::Tls13),
            _ => None,
        }
    }
}

/// The direct addresses of one family and class.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Group {
    pub family: Family,
    pub class: AddressClass,
    /// Addresses resolved.
    pub resolved: usize,
    /// Of them, the ones that failed.
    pub failing: usize,
    /// The slowest successful connect, in milliseconds.
    pub connect_ms: Option<f64>,
    /// The slowest verified handshake, in milliseconds.
    pub handshake_ms: Option<f64>,
}

/// The route through the app's HTTPS proxy, when the SDK would use it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ProxyRoute {
    /// Connecting to the proxy and its answer to `CONNECT`.
    pub connect_ms: Option<f64>,
    /// The verified handshake through the tunnel.
    pub handshake_ms: Option<f64>,
}

/// The leaf of a chain a handshake verified, as `blackbox_exporter`
/// labels it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Leaf {
    pub fingerprint_sha256: String,
    pub subject: String,
    pub issuer: String,
    /// The DNS names, comma-separated.
    pub dns_names: String,
}

/// The certificates the endpoint's addresses presented.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificates {
    /// The earliest `notAfter` of any certificate any address presented
    /// (leaf or intermediate, verified or not), seconds since the epoch.
    pub earliest_expiry: i64,
    /// Whole days from the round's start to `earliest_expiry` (negative
    /// once it passed).
    pub days_left: i64,
    /// Over the addresses whose handshake verified, the earliest expiry of
    /// the path each was verified along.
    pub verified_path_expiry: Option<i64>,
    /// The distinct leaves of the verified handshakes.
    pub leaves: Vec<Leaf>,
}

/// One endpoint's numbers.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub service: &'static str,
    pub host: String,
    pub port: u16,
    pub status: Status,
    pub path: Path,
    pub finding: Option<Finding>,
    /// The code of the finding's first cause (`resolver_does_not_forward`,
    /// ...), from a closed set.
    pub cause: Option<String>,
    /// At least one address completed a verified handshake.
    pub reachable: bool,
    pub private_path: PrivatePath,
    /// Resolved addresses that failed.
    pub failing: usize,
    /// IPv4 private, IPv4 public, IPv6 private, IPv6 public: always all four.
    pub groups: [Group; 4],
    /// The lookup, when it succeeded.
    pub dns_ms: Option<f64>,
    /// The slowest successful connect and verified handshake of any address.
    pub connect_ms: Option<f64>,
    pub handshake_ms: Option<f64>,
    /// The lookup plus the slowest address's connect and handshake.
    pub duration_ms: f64,
    /// The family of the first address that passed, else of the first address.
    pub ip_protocol: Option<Family>,
    /// The versions the verified handshakes negotiated, each once.
    pub tls_versions: Vec<TlsVersion>,
    pub certificates: Option<Certificates>,
    pub proxy: Option<ProxyRoute>,
}

fn max(values: impl Iterator<Item = f64>) -> Option<f64> {
    values.fold(None, |m, v| Some(m.map_or(v, |m: f64| m.max(v))))
}

fn connect_ms(a: &AddressReport) -> Option<f64> {
    a.tcp.ok.then_some(a.tcp.connect_ms)
}

fn handshake_ms(a: &AddressReport) -> Option<f64> {
    a.tls.as_ref().filter(|t| t.ok).map(|t| t.handshake_ms)
}

fn group(e: &EndpointReport, family: Family, class: AddressClass) -> Group {
    let members = || {
        e.addresses
            .iter()
            .filter(move |a| a.family == family && a.class == class)
    };
    Group {
        family,
        class,
        resolved: members().count(),
        failing: members().filter(|a| !a.ok).count(),
        connect_ms: max(members().filter_map(connect_ms)),
        handshake_ms: max(members().filter_map(handshake_ms)),
    }
}

impl Endpoint {
    /// The numbers of `e`, from a round that started at `started_secs`.
    pub fn of(e: &EndpointReport, started_secs: i64) -> Self {
        let reachable = e.addresses.iter().any(|a| a.ok);
        let groups = [
            (Family::Ipv4, AddressClass::Private),
            (Family::Ipv4, AddressClass::Public),
            (Family::Ipv6, AddressClass::Private),
            (Family::Ipv6, AddressClass::Public),
        ]
        .map(|(family, class)| group(e, family, class));
        let slowest = max(e
            .addresses
            .iter()
            .map(|a| a.tcp.connect_ms + a.tls.as_ref().map_or(0.0, |t| t.handshake_ms)));
        let answered = e.addresses.iter().find(|a| a.ok).or(e.addresses.first());
        let mut tls_versions: Vec<TlsVersion> = e
            .addresses
            .iter()
            .filter_map(|a| a.tls.as_ref().filter(|t| t.ok)?.version.as_deref())
            .filter_map(TlsVersion::parse)
            .collect();
        tls_versions.sort_unstable();
        tls_versions.dedup();
        Self {
            service: e.service,
            host: e.host.clone(),
            port: e.port,
            status: e.status,
            path: e.path,
            finding: e.finding,
            cause: e.causes.first().map(crate::diagnose::Cause::code),
            reachable,
            private_path: PrivatePath::of(reachable, e.path),
            failing: groups.iter().map(|g| g.failing).sum(),
            connect_ms: max(groups.iter().filter_map(|g| g.connect_ms)),
            handshake_ms: max(groups.iter().filter_map(|g| g.handshake_ms)),
            groups,
            dns_ms: e.dns.ok.then_some(e.dns.lookup_ms),
            duration_ms: e.dns.lookup_ms + slowest.unwrap_or(0.0),
            ip_protocol: answered.map(|a| a.family),
            tls_versions,
            certificates: certificates(&e.addresses, started_secs),
            proxy: e.proxy.as_ref().filter(|p| p.used).map(|p| ProxyRoute {
                connect_ms: p.connect_ms,
                handshake_ms: p.tls.as_ref().filter(|t| t.ok).map(|t| t.handshake_ms),
            }),
        }
    }

    /// `probe_success`: the endpoint did not fail the round (ok or warn).
    pub fn success(&self) -> bool {
        self.status != Status::Fail
    }
}

fn certificates(addresses: &[AddressReport], started_secs: i64) -> Option<Certificates> {
    let presented = |verified: bool| {
        addresses.iter().filter_map(move |a| {
            let tls = a.tls.as_ref()?;
            (!verified || tls.ok).then_some(tls.certificate.as_ref()?)
        })
    };
    let earliest_expiry = presented(false)
        .flat_map(|c| {
            // A chain with nothing parsed still has its leaf's date.
            c.chain.not_after.iter().copied().chain([c.not_after_unix])
        })
        .min()?;
    let mut leaves: Vec<Leaf> = presented(true).map(leaf).collect();
    leaves.sort_unstable();
    leaves.dedup();
    Some(Certificates {
        earliest_expiry,
        days_left: (earliest_expiry - started_secs).div_euclid(86_400),
        verified_path_expiry: presented(true)
            .filter_map(|c| c.chain.verified_path_expiry)
            .min(),
        leaves,
    })
}

/// The leaf's labels; a control character in a name (the server wrote
/// it) is escaped, so a scrape read on a terminal cannot drive it.
fn leaf(c: &CertReport) -> Leaf {
    Leaf {
        fingerprint_sha256: c.chain.leaf_sha256.clone(),
        subject: printable(&c.chain.leaf_subject_go),
        issuer: printable(&c.chain.leaf_issuer_go),
        dns_names: printable(&c.chain.leaf_dns_names.join(",")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_path_the_tool_cannot_tell_from_nat_is_not_private() {
        let cases = [
            (
                true,
                Path::InterfaceEndpoint,
                PrivatePath::Private,
                Some(1.0),
            ),
            (true, Path::Private, PrivatePath::Private, Some(1.0)),
            (true, Path::GatewayOrNat, PrivatePath::Unknown, None),
            (true, Path::Public, PrivatePath::NotPrivate, Some(0.0)),
            (false, Path::None, PrivatePath::NotPrivate, Some(0.0)),
            (
                false,
                Path::InterfaceEndpoint,
                PrivatePath::NotPrivate,
                Some(0.0),
            ),
        ];
        for (reachable, path, want, value) in cases {
            let got = PrivatePath::of(reachable, path);
            assert_eq!((got, got.value()), (want, value), "{reachable} {path:?}");
        }
    }

    #[test]
    fn only_the_versions_rustls_negotiates_are_read() {
        assert_eq!(TlsVersion::parse("TLSv1.3"), Some(TlsVersion::Tls13));
        assert_eq!(TlsVersion::parse("TLSv1.2"), Some(TlsVersion::Tls12));
        assert_eq!(TlsVersion::parse("unknown"), None);
    }
}
