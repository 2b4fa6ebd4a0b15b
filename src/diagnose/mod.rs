//! Judgement: a status, a path, a [`Finding`] and a paragraph for each
//! endpoint, from the probe's facts. Split by job: this module holds the
//! order of precedence; [`finding`] the catalogue of findings; [`prose`]
//! the prose. Pure functions, table-tested.

pub mod cause;
mod causes;
mod elsewhere;
pub mod evidence;
mod family;
pub mod finding;
mod fips;
mod framing;
pub mod prose;
mod proxied;
mod public;
pub mod shared;
mod unserved;

use std::net::IpAddr;
use std::time::Duration;

use crate::catalog::{Region, Service};
use crate::choices::Expect;
use crate::classify::{self, AddressClass, EndpointRole, Family, Path};
use crate::probe::proxy::ProxyProbe;
use crate::probe::{CertInfo, Failure};

pub use cause::{Cause, EndpointService, PrefixList, Unserved, WayOut};
pub use evidence::{Attempt, Classes, Lookup, Reached};
pub use family::{BlockedAt, blocked_at};
pub use finding::{Finding, Status, address_finding, dns_finding};
use prose::{Evidence, Explainer, Said};

/// The run-wide settings a judgement depends on.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub expect: Expect,
    pub cert_warn_days: u32,
    /// How long a connect or handshake may take; `None` where it is not
    /// known (`explain` reads a stopped reason that does not say how long
    /// the platform waited).
    pub timeout: Option<Duration>,
}

/// Everything known about one endpoint after probing.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub service: Option<Service>,
    /// A container registry with no VPC endpoint (judged like a target, but
    /// failing as one an isolated subnet cannot reach).
    pub registry: bool,
    /// The route through the app's HTTPS proxy, when one is set.
    pub proxy: Option<&'a ProxyProbe>,
    pub region: &'a Region,
    /// The task's region: an interface endpoint or a prefix list in this
    /// VPC serves only its names.
    pub task_region: &'a Region,
    pub host: &'a str,
    pub port: u16,
    pub lookup: Lookup<'a>,
    /// Every address the evidence names, classified once.
    pub classes: &'a Classes,
    /// Each address tried, in DNS order.
    pub addresses: &'a [Attempt<'a>],
}

impl Facts<'_> {
    /// The endpoint's role. S3 is reached through this VPC's gateway
    /// endpoint only in the task's own region; another region's S3 only an
    /// interface endpoint (cross-Region) can serve, as [`Self::serving`] says.
    pub fn role(&self) -> EndpointRole {
        match self.service {
            // A gateway endpoint serves its own region's names only.
            Some(s) if s.is_gateway() && !self.elsewhere() && self.region == self.task_region => {
                EndpointRole::Gateway
            }
            Some(_) => EndpointRole::Interface,
            None => EndpointRole::Target,
        }
    }
}

/// The verdict on one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub status: Status,
    pub path: Path,
    pub finding: Option<Finding>,
    /// The finding's causes, most likely first (empty where none is named).
    pub causes: Vec<Cause>,
    pub diagnosis: Option<String>,
}

impl Judgement {
    /// A judgement of `finding` with what was said of it.
    fn of(status: Status, path: Path, finding: Finding, said: Said) -> Self {
        Self {
            status,
            path,
            finding: Some(finding),
            causes: said.causes,
            diagnosis: Some(said.text),
        }
    }
}

/// Judges one endpoint: the platform's direct route first (see
/// [`judge_direct`]); then, when the app's SDK would use a proxy, a proxy
/// that fails, traffic the proxy takes out of the VPC under `--expect
/// private`, and a proxy that bypasses a working interface endpoint.
pub fn judge(facts: &Facts<'_>, policy: Policy) -> Judgement {
    let direct = judge_direct(facts, policy);
    let judged = match facts.proxy.filter(|p| p.used) {
        Some(proxy) if direct.status != Status::Fail => {
            judge_proxy(facts, policy, proxy, direct.path).unwrap_or(direct)
        }
        _ => direct,
    };
    elsewhere::global_sts(facts, policy, judged)
}

/// The proxy route's own finding, if it has one.
fn judge_proxy(
    facts: &Facts<'_>,
    policy: Policy,
    proxy: &ProxyProbe,
    direct_path: Path,
) -> Option<Judgement> {
    let prose = Explainer { facts, policy };
    let (status, finding) = match (proxy.failure(), proxy.status_code) {
        (Some(_), Some(407)) => (Status::Fail, Finding::ProxyAuthRequired),
        (Some(_), Some(code)) if !(200..300).contains(&code) => {
            (Status::Fail, Finding::ProxyDenied)
        }
        (Some(_), _) if proxy.tls.is_none() => (Status::Fail, Finding::ProxyUnreachable),
        (Some(f), _) => (
            Status::Fail,
            address_finding(
                EndpointRole::Target,
                AddressClass::Public,
                crate::probe::Phase::Tls,
                f.kind,
            ),
        ),
        (None, _) if policy.expect == Expect::Private => (Status::Fail, Finding::ProxyPath),
        (None, _) if facts.service.is_some() && direct_path == Path::InterfaceEndpoint => {
            (Status::Warn, Finding::ProxyBypassesEndpoint)
        }
        (None, _) => return None,
    };
    let evidence = Evidence {
        ips: &[],
        failure: proxy.failure(),
        cert: proxy.cert.as_ref(),
    };
    Some(Judgement::of(
        status,
        direct_path,
        finding,
        prose.explain(finding, evidence),
    ))
}

/// Judges the direct route. Order of precedence: DNS failure; every address
/// failing; a public path under `--expect private`; some addresses
/// failing; TLS interception; a certificate expiring soon.
pub fn judge_direct(facts: &Facts<'_>, policy: Policy) -> Judgement {
    let role = facts.role();
    let path = classify::path(
        role,
        facts
            .addresses
            .iter()
            .filter(|a| a.passed())
            .map(|a| a.class),
    );
    let judged = |status, finding: Finding, said: Said| Judgement::of(status, path, finding, said);
    let prose = Explainer { facts, policy };

    if facts.registry && !facts.addresses.iter().any(Attempt::passed) {
        return unreachable_registry(facts, &prose, path);
    }
    if let Some(failure) = facts.lookup.failure {
        let finding = if fips::missing(facts, failure.kind) {
            Finding::FipsEndpointMissing
        } else {
            dns_finding(failure.kind)
        };
        let evidence = Evidence {
            failure: Some(failure),
            ..Evidence::default()
        };
        return judged(Status::Fail, finding, prose.explain(finding, evidence));
    }
    if facts.addresses.is_empty() {
        let finding = Finding::DnsNoAddresses;
        return judged(
            Status::Fail,
            finding,
            prose.explain(finding, Evidence::default()),
        );
    }

    let leaves_the_vpc = policy.expect == Expect::Private && path == Path::Public;
    if let Some(judgement) = failing_addresses(facts, &prose, path, leaves_the_vpc) {
        return judgement;
    }

    if leaves_the_vpc {
        let finding = Finding::PublicPath;
        let public: Vec<IpAddr> = facts
            .addresses
            .iter()
            .filter(|a| a.class.class == AddressClass::Public && a.passed())
            .map(|a| a.ip)
            .collect();
        let evidence = Evidence {
            ips: &public,
            ..Evidence::default()
        };
        return judged(Status::Fail, finding, prose.explain(finding, evidence));
    }

    if let Some((finding, cert)) = cert_finding(facts, policy) {
        let evidence = Evidence {
            cert: Some(cert),
            ..Evidence::default()
        };
        return judged(Status::Warn, finding, prose.explain(finding, evidence));
    }
    Judgement {
        status: Status::Ok,
        path,
        finding: None,
        causes: Vec::new(),
        diagnosis: None,
    }
}

/// Some or all addresses failed: `fail` when all did, else `warn` (one
/// family whose rules are missing, or an intermittent outage), unless the
/// path leaves the VPC under `--expect private`, which outranks a partial
/// failure.
fn failing_addresses(
    facts: &Facts<'_>,
    prose: &Explainer<'_>,
    path: Path,
    leaves_the_vpc: bool,
) -> Option<Judgement> {
    let role = facts.role();
    let judged =
        |status, finding: Finding, said: Said| Some(Judgement::of(status, path, finding, said));
    let failing: Vec<(Finding, IpAddr, &Failure)> = facts
        .addresses
        .iter()
        .filter_map(|a| {
            a.failure()
                .map(|(phase, f)| (address_finding(role, a.class.class, phase, f.kind), a.ip, f))
        })
        .collect();
    let finding = dominant(&failing)?;
    let ips: Vec<IpAddr> = failing
        .iter()
        .filter(|(f, _, _)| *f == finding)
        .map(|(_, ip, _)| *ip)
        .collect();
    let evidence = Evidence {
        ips: &ips,
        failure: failing.iter().find(|(f, _, _)| *f == finding).map(|t| t.2),
        cert: None,
    };
    if failing.len() == facts.addresses.len() {
        return judged(Status::Fail, finding, prose.explain(finding, evidence));
    }
    if leaves_the_vpc {
        return None;
    }
    if let Some((finding, ips)) = egress_blocked_family(facts) {
        let evidence = Evidence {
            ips: &ips,
            failure: failing.first().map(|t| t.2),
            cert: None,
        };
        return judged(Status::Warn, finding, prose.explain(finding, evidence));
    }
    let failed: Vec<IpAddr> = failing.iter().map(|t| t.1).collect();
    let prefix = Explainer::partial(&failed, facts.addresses.len());
    judged(
        Status::Warn,
        finding,
        prose.explain_after(&prefix, finding, evidence),
    )
}

/// A registry with no VPC endpoint that no address reached: the cause the
/// probe saw (DNS or the first failure) is the evidence, the way out a NAT
/// route, an ECR pull-through cache or a copy in ECR.
fn unreachable_registry(facts: &Facts<'_>, prose: &Explainer<'_>, path: Path) -> Judgement {
    let finding = Finding::RegistryNeedsInternet;
    let failure = facts.lookup.failure.or_else(|| {
        facts
            .addresses
            .iter()
            .find_map(|a| a.failure().map(|(_, f)| f))
    });
    let ips: Vec<IpAddr> = facts.addresses.iter().map(|a| a.ip).collect();
    let evidence = Evidence {
        ips: &ips,
        failure,
        cert: None,
    };
    Judgement::of(
        Status::Fail,
        path,
        finding,
        prose.explain(finding, evidence),
    )
}

/// A warning about the certificates of the passing addresses: a non-Amazon
/// issuer on an AWS endpoint (interception), else the soonest expiry within
/// `--cert-warn-days`.
fn cert_finding<'a>(facts: &Facts<'a>, policy: Policy) -> Option<(Finding, &'a CertInfo)> {
    let passing_certs = facts
        .addresses
        .iter()
        .filter(|a| a.passed())
        .filter_map(|a| a.cert);
    let foreign = passing_certs.clone().find(|c| !issued_by_amazon(c));
    if let (true, Some(cert)) = (facts.role() != EndpointRole::Target, foreign) {
        return Some((Finding::TlsInterception, cert));
    }
    passing_certs
        .min_by_key(|c| c.days_left)
        .filter(|c| c.days_left < i64::from(policy.cert_warn_days))
        .map(|c| (Finding::CertExpiringSoon, c))
}

/// AWS endpoints present certificates from Amazon's own intermediates
/// (`O=Amazon`); a TLS-inspecting proxy re-signs with its own CA.
pub fn issued_by_amazon(cert: &CertInfo) -> bool {
    cert.issuer_org
        .as_ref()
        .map(crate::printable::Untrusted::raw)
        .is_some_and(|o| o.split_whitespace().next() == Some("Amazon"))
}

/// One family's addresses all fail to connect while the other family's
/// handshakes pass: security groups and network ACLs hold separate rules
/// per family, so one family's egress (or the endpoint's ingress) is
/// missing. Returns the finding and the failing addresses.
fn egress_blocked_family(facts: &Facts<'_>) -> Option<(Finding, Vec<IpAddr>)> {
    use crate::probe::{FailureKind, Phase};
    let of = |family: Family| {
        facts
            .addresses
            .iter()
            .filter(move |a| a.class.family == family)
    };
    [Family::Ipv6, Family::Ipv4].into_iter().find_map(|blocked| {
        let connect_failed = |a: &Attempt<'_>| {
            matches!(
                a.failure(),
                Some((Phase::Tcp, f)) if matches!(f.kind, FailureKind::Timeout | FailureKind::Unreachable)
            )
        };
        let all_blocked = of(blocked).next().is_some() && of(blocked).all(connect_failed);
        let other_works = of(blocked.other()).any(Attempt::passed);
        let only_these_fail = facts
            .addresses
            .iter()
            .filter(|a| a.failure().is_some())
            .count()
            == of(blocked).count();
        (all_blocked && other_works && only_these_fail).then(|| {
            let finding = match blocked {
                Family::Ipv6 => Finding::Ipv6EgressBlocked,
                Family::Ipv4 => Finding::Ipv4EgressBlocked,
            };
            (finding, of(blocked).map(|a| a.ip).collect())
        })
    })
}

/// The most frequent finding; ties go to the first seen.
fn dominant(failing: &[(Finding, IpAddr, &Failure)]) -> Option<Finding> {
    let mut best: Option<(Finding, usize)> = None;
    for (finding, _, _) in failing {
        let count = failing.iter().filter(|(f, _, _)| f == finding).count();
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((*finding, count));
        }
    }
    best.map(|(f, _)| f)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::Network;
    use crate::probe::fixtures::{cert, session, timed};
    use crate::probe::{
        AddressProbe, AnswerSource, DnsOutcome, FailureKind, Phase, Resolution, Timed,
        dns::ResolvedAddress,
    };

    fn region() -> Region {
        "ap-northeast-1".parse().unwrap()
    }

    fn ok<T>(v: T) -> Timed<T> {
        timed(Ok(v))
    }

    fn err<T>(kind: FailureKind) -> Timed<T> {
        timed(Err(Failure::new(kind, "x")))
    }

    /// An address probe: `None` = passed with an Amazon cert valid 300 days.
    fn addr(ip: &str, fail: Option<(Phase, FailureKind)>) -> AddressProbe {
        let (tcp, tls) = match fail {
            None => (ok(()), Some(ok(session()))),
            Some((Phase::Tcp, k)) => (err(k), None),
            Some((_, k)) => (ok(()), Some(err(k))),
        };
        AddressProbe {
            ip: ip.parse().unwrap(),
            tcp,
            tls,
            cert: Some(cert("Amazon", 300)),
        }
    }

    fn dns_ok(ips: &[&AddressProbe]) -> DnsOutcome {
        DnsOutcome {
            nameservers: vec!["10.0.0.2:53".parse().unwrap()],
            answer: ok(Resolution {
                source: AnswerSource::Dns,
                addresses: ips
                    .iter()
                    .map(|a| ResolvedAddress {
                        ip: a.ip,
                        ttl: Some(60),
                    })
                    .collect(),
                cname_chain: vec![],
            }),
            hosts_pin: None,
        }
    }

    fn policy(expect: Expect) -> Policy {
        Policy {
            expect,
            cert_warn_days: 14,
            timeout: Some(Duration::from_secs(3)),
        }
    }

    fn run(
        service: Option<Service>,
        dns_fail: Option<FailureKind>,
        addrs: &[AddressProbe],
        expect: Expect,
    ) -> Judgement {
        let region = region();
        let network = Network::new(
            vec!["10.0.0.0/8".parse().unwrap(), "fd00::/8".parse().unwrap()],
            None,
        );
        let dns = match dns_fail {
            Some(kind) => DnsOutcome {
                nameservers: vec!["10.0.0.2:53".parse().unwrap()],
                answer: err(kind),
                hosts_pin: None,
            },
            None => dns_ok(&addrs.iter().collect::<Vec<_>>()),
        };
        let classes = Classes::of_probe(&network, &dns, addrs);
        let attempts = classes.attempts(addrs);
        let facts = Facts {
            service,
            registry: false,
            proxy: None,
            region: &region,
            task_region: &region,
            host: "h.example",
            port: 443,
            lookup: Lookup::probed(&dns),
            classes: &classes,
            addresses: &attempts,
        };
        judge(&facts, policy(expect))
    }

    type Case = (
        &'static str,
        Option<Service>,
        Option<FailureKind>,
        Vec<AddressProbe>,
        Expect,
        Status,
        Path,
        Option<Finding>,
    );

    /// Judgement cases, part 1 of 4.
    fn cases_1() -> Vec<Case> {
        use FailureKind as K;
        use Phase::Tcp;
        let sm = Some(Service::Secretsmanager);
        let s3 = Some(Service::S3);
        let tcp_timeout = Some((Tcp, K::Timeout));
        vec![
            (
                "all private",
                sm,
                None,
                vec![addr("10.0.1.5", None), addr("10.0.2.5", None)],
                Expect::Any,
                Status::Ok,
                Path::InterfaceEndpoint,
                None,
            ),
            (
                "nxdomain",
                sm,
                Some(K::NxDomain),
                vec![],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::DnsNxdomain),
            ),
            (
                "resolver silent",
                sm,
                Some(K::Timeout),
                vec![],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::DnsResolverUnreachable),
            ),
            (
                "servfail",
                sm,
                Some(K::ServFail),
                vec![],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::DnsServfail),
            ),
            (
                "private dns off",
                sm,
                None,
                vec![addr("52.1.2.3", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PublicConnectTimeout),
            ),
            (
                "blocked eni",
                sm,
                None,
                vec![addr("10.0.1.5", tcp_timeout), addr("10.0.2.5", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "s3 prefix list",
                s3,
                None,
                vec![addr("52.219.41.3", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::S3ConnectTimeout),
            ),
            (
                "s3 via gateway, expect private",
                s3,
                None,
                vec![addr("52.219.41.3", None)],
                Expect::Private,
                Status::Ok,
                Path::GatewayOrNat,
                None,
            ),
        ]
    }

    /// Judgement cases, part 2 of 4.
    fn cases_2() -> Vec<Case> {
        use FailureKind as K;
        use Phase::{Tcp, Tls};
        let sm = Some(Service::Secretsmanager);
        let tcp_timeout = Some((Tcp, K::Timeout));
        vec![
            (
                "public via nat",
                sm,
                None,
                vec![addr("52.1.2.3", None)],
                Expect::Any,
                Status::Ok,
                Path::Public,
                None,
            ),
            (
                "public via nat, expect private",
                sm,
                None,
                vec![addr("52.1.2.3", None)],
                Expect::Private,
                Status::Fail,
                Path::Public,
                Some(Finding::PublicPath),
            ),
            (
                "one of three enis dead",
                sm,
                None,
                vec![
                    addr("10.0.1.5", None),
                    addr("10.0.2.5", tcp_timeout),
                    addr("10.0.3.5", None),
                ],
                Expect::Any,
                Status::Warn,
                Path::InterfaceEndpoint,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "refused",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tcp, K::Refused)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::ConnectRefused),
            ),
            (
                "silent tls",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::Timeout)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsHandshakeTimeout),
            ),
            (
                "mismatch",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::HostnameMismatch)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsHostnameMismatch),
            ),
            (
                "untrusted",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::UnknownIssuer)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsUntrusted),
            ),
            (
                "tls 1.0 only",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::Incompatible)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsHandshakeFailed),
            ),
        ]
    }

    /// Judgement cases, part 3 of 4.
    fn cases_3() -> Vec<Case> {
        use FailureKind as K;
        use Phase::Tcp;
        let sm = Some(Service::Secretsmanager);
        let s3 = Some(Service::S3);
        let tcp_timeout = Some((Tcp, K::Timeout));
        vec![
            (
                "mixed failures, majority wins",
                sm,
                None,
                vec![
                    addr("10.0.1.5", Some((Tcp, K::Refused))),
                    addr("10.0.2.5", tcp_timeout),
                    addr("10.0.3.5", tcp_timeout),
                ],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "ipv6 enis time out, ipv4 enis answer",
                sm,
                None,
                vec![
                    addr("10.0.1.5", None),
                    addr("fd00::5", tcp_timeout),
                    addr("fd00::6", tcp_timeout),
                ],
                Expect::Private,
                Status::Warn,
                Path::InterfaceEndpoint,
                Some(Finding::Ipv6EgressBlocked),
            ),
            (
                "ipv4 enis time out, ipv6 enis answer",
                sm,
                None,
                vec![addr("10.0.1.5", tcp_timeout), addr("fd00::5", None)],
                Expect::Any,
                Status::Warn,
                Path::InterfaceEndpoint,
                Some(Finding::Ipv4EgressBlocked),
            ),
            (
                "an ipv6 eni refusing is not a missing rule",
                sm,
                None,
                vec![
                    addr("10.0.1.5", None),
                    addr("fd00::5", Some((Tcp, K::Refused))),
                ],
                Expect::Any,
                Status::Warn,
                Path::InterfaceEndpoint,
                Some(Finding::ConnectRefused),
            ),
            (
                "one ipv6 eni of two dead: not a family rule",
                sm,
                None,
                vec![
                    addr("10.0.1.5", None),
                    addr("fd00::5", None),
                    addr("fd00::6", tcp_timeout),
                ],
                Expect::Any,
                Status::Warn,
                Path::InterfaceEndpoint,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "both families time out",
                sm,
                None,
                vec![addr("10.0.1.5", tcp_timeout), addr("fd00::5", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "s3 over nat64, expect private",
                s3,
                None,
                vec![addr("64:ff9b::34db:2903", None)],
                Expect::Private,
                Status::Fail,
                Path::Public,
                Some(Finding::PublicPath),
            ),
        ]
    }

    /// Judgement cases, part 4 of 4.
    fn cases_4() -> Vec<Case> {
        use FailureKind as K;
        use Phase::Tcp;
        let sm = Some(Service::Secretsmanager);
        let s3 = Some(Service::S3);
        let tcp_timeout = Some((Tcp, K::Timeout));
        vec![
            (
                "s3 over nat64",
                s3,
                None,
                vec![addr("64:ff9b::34db:2903", None)],
                Expect::Any,
                Status::Ok,
                Path::Public,
                None,
            ),
            (
                "nat64 with no route out",
                sm,
                None,
                vec![addr("64:ff9b::3401:203", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PublicConnectTimeout),
            ),
            (
                "target on public, expect private",
                None,
                None,
                vec![addr("52.1.2.3", None)],
                Expect::Private,
                Status::Fail,
                Path::Public,
                Some(Finding::PublicPath),
            ),
            (
                "target private",
                None,
                None,
                vec![addr("10.1.2.3", None)],
                Expect::Any,
                Status::Ok,
                Path::Private,
                None,
            ),
        ]
    }

    #[test]
    fn judgements() {
        let cases = [cases_1(), cases_2(), cases_3(), cases_4()].concat();
        for (name, service, dns_fail, addrs, expect, status, path, finding) in cases {
            let j = run(service, dns_fail, &addrs, expect);
            assert_eq!(
                (j.status, j.path, j.finding),
                (status, path, finding),
                "{name}"
            );
            assert_eq!(j.diagnosis.is_some(), finding.is_some(), "{name}");
            if let Some(d) = &j.diagnosis {
                assert!(!d.is_empty(), "{name}");
            }
        }
    }

    #[test]
    fn registries_fail_with_their_own_paragraphs() {
        let region = region();
        let judge_registry = |addrs: &[AddressProbe], expect: Expect| {
            let network = Network::new(vec!["10.0.0.0/8".parse().unwrap()], None);
            let dns = dns_ok(&addrs.iter().collect::<Vec<_>>());
            let classes = Classes::of_probe(&network, &dns, addrs);
            let attempts = classes.attempts(addrs);
            let facts = Facts {
                service: None,
                registry: true,
                proxy: None,
                region: &region,
                task_region: &region,
                host: "registry-1.docker.io",
                port: 443,
                lookup: Lookup::probed(&dns),
                classes: &classes,
                addresses: &attempts,
            };
            judge(&facts, policy(expect))
        };
        let timeout = Some((Phase::Tcp, FailureKind::Timeout));
        let j = judge_registry(&[addr("44.205.64.79", timeout)], Expect::Any);
        assert_eq!(
            (j.status, j.finding),
            (Status::Fail, Some(Finding::RegistryNeedsInternet))
        );
        assert!(j.diagnosis.unwrap().contains("pull-through cache"));
        let j = judge_registry(&[addr("44.205.64.79", None)], Expect::Private);
        assert_eq!(
            (j.status, j.finding),
            (Status::Fail, Some(Finding::PublicPath))
        );
        let d = j.diagnosis.unwrap();
        assert!(
            d.contains("no VPC endpoint") && !d.contains("(not an AWS service)"),
            "{d}"
        );
        let j = judge_registry(&[addr("44.205.64.79", None)], Expect::Any);
        assert_eq!((j.status, j.path), (Status::Ok, Path::Public));
    }

    #[test]
    fn ipv6_paragraphs_name_the_rule_and_the_translation() {
        use FailureKind as K;
        let sm = Some(Service::Secretsmanager);
        let timeout = Some((Phase::Tcp, K::Timeout));
        let j = run(
            sm,
            None,
            &[addr("10.0.1.5", None), addr("fd00::5", timeout)],
            Expect::Any,
        );
        let d = j.diagnosis.unwrap();
        assert!(
            d.contains("::/0") && d.contains("fd00::5") && d.contains("IPv6 ingress"),
            "{d}"
        );
        let j = run(
            sm,
            None,
            &[addr("10.0.1.5", timeout), addr("fd00::5", None)],
            Expect::Any,
        );
        assert!(j.diagnosis.unwrap().contains("0.0.0.0/0"));
        let nat64 = [addr("64:ff9b::34db:2903", None)];
        let d = run(Some(Service::S3), None, &nat64, Expect::Private)
            .diagnosis
            .unwrap();
        for want in [
            "DNS64",
            "NAT64",
            "52.219.41.3",
            "dualstack",
            "S3 gateway endpoint",
        ] {
            assert!(d.contains(want), "{want}: {d}");
        }
        let d = run(sm, None, &[addr("64:ff9b::3401:203", timeout)], Expect::Any)
            .diagnosis
            .unwrap();
        assert!(d.contains("64:ff9b::/96") && d.contains("52.1.2.3"), "{d}");
    }

    #[test]
    fn a_hosts_file_pin_opens_every_paragraph() {
        let region = region();
        let network = Network::new(vec!["10.0.0.0/8".parse().unwrap()], None);
        let dead = addr("10.9.9.9", Some((Phase::Tcp, FailureKind::Timeout)));
        let mut dns = dns_ok(&[&dead]);
        dns.answer.result.as_mut().unwrap().source = AnswerSource::HostsFile;
        let eni = addr("10.0.1.5", None);
        dns.hosts_pin = Some(Box::new(crate::probe::dns::HostsPin {
            path: "/etc/hosts".into(),
            entries: vec!["10.9.9.9 h.example".into()],
            nameservers: vec![],
            dns: dns_ok(&[&eni]).answer,
        }));
        let classes = Classes::of_probe(&network, &dns, std::slice::from_ref(&dead));
        let attempts = classes.attempts(std::slice::from_ref(&dead));
        let facts = Facts {
            service: Some(Service::Secretsmanager),
            registry: false,
            proxy: None,
            region: &region,
            task_region: &region,
            host: "h.example",
            port: 443,
            lookup: Lookup::probed(&dns),
            classes: &classes,
            addresses: &attempts,
        };
        let d = judge(&facts, policy(Expect::Any)).diagnosis.unwrap();
        assert!(
            d.starts_with("The hosts file /etc/hosts pins h.example ('10.9.9.9 h.example')"),
            "{d}"
        );
        assert!(
            d.contains("DNS would have returned 10.0.1.5 (private)"),
            "{d}"
        );
        assert!(d.contains("timed out"), "{d}");
    }

    #[test]
    fn ecr_dual_stack_names_say_privatelink_does_not_serve_them() {
        let region = region();
        let network = Network::new(vec!["10.0.0.0/8".parse().unwrap()], None);
        let nat64 = addr("64:ff9b::3401:203", None);
        let dns = dns_ok(&[&nat64]);
        let classes = Classes::of_probe(&network, &dns, std::slice::from_ref(&nat64));
        let attempts = classes.attempts(std::slice::from_ref(&nat64));
        let facts = Facts {
            service: Some(Service::EcrApi),
            registry: false,
            proxy: None,
            region: &region,
            task_region: &region,
            host: "ecr.ap-northeast-1.api.aws",
            port: 443,
            lookup: Lookup::probed(&dns),
            classes: &classes,
            addresses: &attempts,
        };
        let d = judge(&facts, policy(Expect::Private)).diagnosis.unwrap();
        assert!(
            d.contains("PrivateLink does not carry its dual-stack names"),
            "{d}"
        );
        // No endpoint to create: it would not serve this name.
        assert!(!d.contains("Create the interface endpoint"), "{d}");
        assert_eq!(d.matches("dual-stack names").count(), 1, "said once: {d}");
        assert!(d.contains("api.ecr.ap-northeast-1.amazonaws.com"), "{d}");
    }

    #[test]
    fn certificate_warnings() {
        let sm = Some(Service::Secretsmanager);
        let mut proxy = addr("10.0.1.5", None);
        proxy.cert = Some(cert("Corp Proxy Inc", 300));
        let j = run(sm, None, &[proxy.clone()], Expect::Any);
        assert_eq!(
            (j.status, j.finding),
            (Status::Warn, Some(Finding::TlsInterception))
        );
        assert!(j.diagnosis.unwrap().contains("O=Corp Proxy Inc"));

        // Targets are not AWS: any trusted issuer is fine.
        let j = run(None, None, &[proxy], Expect::Any);
        assert_eq!(j.status, Status::Ok);

        let mut soon = addr("10.0.1.5", None);
        soon.cert = Some(cert("Amazon", 3));
        let j = run(sm, None, &[soon], Expect::Any);
        assert_eq!(
            (j.status, j.finding),
            (Status::Warn, Some(Finding::CertExpiringSoon))
        );
    }

    #[test]
    fn private_dns_off_diagnosis_names_the_fix() {
        let j = run(
            Some(Service::Secretsmanager),
            None,
            &[addr("52.1.2.3", Some((Phase::Tcp, FailureKind::Timeout)))],
            Expect::Any,
        );
        let d = j.diagnosis.unwrap();
        assert!(d.contains("private DNS"), "{d}");
        assert!(
            d.contains("com.amazonaws.ap-northeast-1.secretsmanager"),
            "{d}"
        );
        assert!(d.contains("NAT"), "{d}");
    }

    #[test]
    fn amazon_issuers() {
        let cases = [
            (Some("Amazon"), true),
            (Some("Amazon Inc"), true),
            (Some("Amazonia Proxy"), false),
            (Some("Zscaler Inc."), false),
            (None, false),
        ];
        for (org, want) in cases {
            let mut c = cert("x", 100);
            c.issuer_org = org.map(Into::into);
            assert_eq!(issued_by_amazon(&c), want, "{org:?}");
        }
    }
}
