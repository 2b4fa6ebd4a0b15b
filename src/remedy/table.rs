//! One decision per finding, checked as values: a table of worlds walks
//! every finding × path × family × NAT64 combination the judge produces
//! (from DNS failures, every outcome at one or two addresses of every class
//! and family, three addresses passing or timing out, a proxy, both
//! `--expect`s; for an interface service, S3 and a target in the task's
//! region; ECR, S3 and KMS (FIPS too) in another region, which take
//! cross-Region interface endpoints, and Logs there and in another
//! partition, which take none; ECR's dual-stack names and a registry). For
//! each, the remedies are the actions of the causes the paragraph renders
//! (none missing, none extra), and the causes hold what the world rules in
//! and out: no gateway endpoint or prefix list for another region's name
//! or for NAT64 traffic, a dual-stack endpoint where DNS64 answered, the
//! catalog's endpoint service and service region, rules only for the
//! addresses that failed to connect. No sentence is read.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::world::{Outcome, Proxied, TASK_REGION, World, subjects};
use super::{Remedy, actions, remedies};
use crate::assess::Assessed;
use crate::catalog::Region;
use crate::choices::Expect;
use crate::classify::Family;
use crate::diagnose::{Cause, Finding};
use crate::probe::FailureKind;
use crate::report::EndpointReport;

/// The endpoint service the catalog names for the world's host (KMS's
/// FIPS names: `kms-fips`), else the service's standard one.
fn catalog_endpoint_service(w: &World) -> Option<String> {
    let region: Region = w.region.parse().unwrap();
    w.service().map(|s| {
        s.endpoint_service(&region, &w.host)
            .unwrap_or_else(|| s.endpoint_service_name(&region))
    })
}

/// What a world's causes contradict, if anything.
fn contradiction(w: &World, e: &Assessed, causes: &[Cause]) -> Option<String> {
    let attempts = e.attempts();
    // DNS64 answered for the addresses the finding is about: the public
    // ones that timed out for a timeout, the public ones reached for a
    // public path.
    let finding = e.judgement.finding;
    let through_nat64 = attempts
        .iter()
        .filter(|a| a.class.class == crate::classify::AddressClass::Public)
        .filter(|a| match finding {
            Some(Finding::PublicPath) => a.passed(),
            _ => matches!(
                a.failure(),
                Some((crate::probe::Phase::Tcp, f)) if f.kind == FailureKind::Timeout
            ),
        })
        .any(|a| a.class.nat64().is_some());
    let connect_failed: BTreeSet<IpAddr> = attempts
        .iter()
        .filter(|a| matches!(a.failure(), Some((crate::probe::Phase::Tcp, _))))
        .map(|a| a.ip)
        .collect();
    for cause in causes {
        match cause {
            Cause::GatewayRouteMissing { .. } | Cause::PrefixListEgress { .. }
                if w.region != TASK_REGION || through_nat64 =>
            {
                return Some(format!("{cause:?}: a gateway path cannot serve this name"));
            }
            Cause::EndpointMissing {
                endpoint_service,
                service_region,
                ..
            } => {
                if Some(&endpoint_service.name) != catalog_endpoint_service(w).as_ref() {
                    return Some(format!("{cause:?}: not the catalog's endpoint service"));
                }
                let cross = service_region.as_ref().map(Region::code);
                if cross != (w.region != TASK_REGION).then_some(w.region) {
                    return Some(format!("{cause:?}: wrong service region"));
                }
            }
            Cause::TaskEgress { addresses, .. }
                if addresses.iter().any(|ip| !connect_failed.contains(ip)) =>
            {
                return Some(format!("{cause:?}: a rule for an address that connected"));
            }
            _ => {}
        }
    }
    let dualstack_needed = matches!(
        finding,
        Some(Finding::PublicConnectTimeout | Finding::S3ConnectTimeout | Finding::PublicPath)
    ) && through_nat64;
    let single_stack = causes.iter().any(|c| {
        matches!(
            c,
            Cause::EndpointMissing {
                dualstack: false,
                ..
            }
        )
    });
    (dualstack_needed && single_stack)
        .then(|| "DNS64 answered, and the endpoint's DNS serves no IPv6".to_owned())
}

/// Every finding, so that a new one fails to compile here until a world
/// produces it.
fn all_findings() -> Vec<Finding> {
    use Finding as F;
    let all = vec![
        F::DnsNxdomain,
        F::DnsNoAddresses,
        F::DnsResolverUnreachable,
        F::DnsServfail,
        F::DnsRefused,
        F::DnsTcpBlocked,
        F::DnsError,
        F::PublicConnectTimeout,
        F::PrivateConnectTimeout,
        F::S3ConnectTimeout,
        F::ConnectRefused,
        F::ConnectionReset,
        F::NetworkUnreachable,
        F::ConnectFailed,
        F::TlsHandshakeTimeout,
        F::TlsHandshakeFailed,
        F::TlsUntrusted,
        F::TlsHostnameMismatch,
        F::TlsCertExpired,
        F::TlsCertNotYetValid,
        F::TlsInterception,
        F::CertExpiringSoon,
        F::PublicPath,
        F::DeadlineExceeded,
        F::RegistryNeedsInternet,
        F::ProxyBypassesEndpoint,
        F::ProxyUnreachable,
        F::ProxyDenied,
        F::ProxyAuthRequired,
        F::ProxyPath,
        F::Ipv6EgressBlocked,
        F::Ipv4EgressBlocked,
        F::StsGlobalEndpoint,
        F::FipsEndpointMissing,
    ];
    for f in &all {
        match f {
            F::DnsNxdomain
            | F::DnsNoAddresses
            | F::DnsResolverUnreachable
            | F::DnsServfail
            | F::DnsRefused
            | F::DnsTcpBlocked
            | F::DnsError
            | F::PublicConnectTimeout
            | F::PrivateConnectTimeout
            | F::S3ConnectTimeout
            | F::ConnectRefused
            | F::ConnectionReset
            | F::NetworkUnreachable
            | F::ConnectFailed
            | F::TlsHandshakeTimeout
            | F::TlsHandshakeFailed
            | F::TlsUntrusted
            | F::TlsHostnameMismatch
            | F::TlsCertExpired
            | F::TlsCertNotYetValid
            | F::TlsInterception
            | F::CertExpiringSoon
            | F::PublicPath
            | F::DeadlineExceeded
            | F::RegistryNeedsInternet
            | F::ProxyBypassesEndpoint
            | F::ProxyUnreachable
            | F::ProxyDenied
            | F::ProxyAuthRequired
            | F::ProxyPath
            | F::Ipv6EgressBlocked
            | F::Ipv4EgressBlocked
            | F::StsGlobalEndpoint
            | F::FipsEndpointMissing => {}
        }
    }
    all
}

/// One address of each class and family, and one in another private
/// network (a hub VPC over a Transit Gateway); none is a substring of
/// another or of the IPv4 address the NAT64 one carries (52.1.2.3).
const POOL: [&str; 7] = [
    "10.0.1.5",
    "10.0.2.6",
    "172.31.7.8",
    "54.239.1.9",
    "fd00:ec2::5",
    "2600:1f18::7",
    "64:ff9b::3401:203",
];

type Answer = Result<Vec<(&'static str, Outcome)>, FailureKind>;

fn answers() -> Vec<Answer> {
    use FailureKind as K;
    let mut out: Vec<Answer> = [
        K::NxDomain,
        K::NoRecords,
        K::ServFail,
        K::DnsRefused,
        K::Truncated,
        K::DnsError,
        K::Timeout,
        K::Deadline,
    ]
    .into_iter()
    .map(Err)
    .collect();
    out.push(Ok(Vec::new()));
    for (i, a) in POOL.iter().enumerate() {
        for oa in Outcome::RARE {
            out.push(Ok(vec![(*a, oa)]));
        }
        for oa in Outcome::MAIN {
            out.push(Ok(vec![(*a, oa)]));
            for b in &POOL[i + 1..] {
                for ob in Outcome::MAIN {
                    out.push(Ok(vec![(*a, oa), (*b, ob)]));
                }
            }
        }
    }
    let two = [Outcome::Pass, Outcome::TcpTimeout];
    for (i, a) in POOL.iter().enumerate() {
        for (j, b) in POOL.iter().enumerate().skip(i + 1) {
            for c in &POOL[j + 1..] {
                for oa in two {
                    for ob in two {
                        for oc in two {
                            out.push(Ok(vec![(*a, oa), (*b, ob), (*c, oc)]));
                        }
                    }
                }
            }
        }
    }
    out
}

/// Every subject with every answer and `--expect`, and behind each proxy.
pub(super) fn worlds() -> Vec<World> {
    let mut out = Vec::new();
    for subject in subjects() {
        for answer in answers() {
            for expect in [Expect::Any, Expect::Private] {
                let mut w = subject.clone();
                w.answer = answer.as_ref().map_or_else(
                    |k| Err(*k),
                    |list| {
                        Ok(list
                            .iter()
                            .map(|(ip, o)| (ip.parse().unwrap(), *o))
                            .collect())
                    },
                );
                w.expect = expect;
                out.push(w);
            }
        }
        for proxy in [
            Proxied::Passes,
            Proxied::Denied,
            Proxied::WantsCredentials,
            Proxied::Unreachable,
        ] {
            for expect in [Expect::Any, Expect::Private] {
                let mut w = subject.clone().answer(&[("10.0.1.5", Outcome::Pass)]);
                w.proxy = proxy;
                w.expect = expect;
                out.push(w);
            }
        }
    }
    out
}

/// The families among an endpoint's addresses.
fn families(e: &EndpointReport) -> &'static str {
    let has = |f| e.addresses.iter().any(|a| a.family == f);
    match (has(Family::Ipv4), has(Family::Ipv6)) {
        (true, true) => "dual-stack",
        (true, false) => "ipv4",
        (false, true) => "ipv6",
        (false, false) => "none",
    }
}

/// The remedies of one endpoint: the actions of its causes, as values.
fn of_causes(causes: &[Cause]) -> BTreeSet<String> {
    causes
        .iter()
        .flat_map(actions)
        .map(|a| format!("{a:?}"))
        .collect()
}

fn proposed(remedies: &[Remedy]) -> BTreeSet<String> {
    remedies.iter().map(|r| format!("{:?}", r.action)).collect()
}

#[test]
fn every_paragraphs_causes_are_its_remedies() {
    let mut seen: BTreeMap<(&str, String, &str, bool), usize> = BTreeMap::new();
    let mut disagreements: BTreeMap<(&str, String), String> = BTreeMap::new();
    for w in worlds() {
        let assessment = w.assessment();
        let assessed = &assessment.endpoints[0];
        let report = crate::report::build(&assessment);
        let e = &report.endpoints[0];
        let remedies = remedies(&assessment);
        let Some(finding) = e.finding else {
            assert!(
                remedies.is_empty() && assessed.judgement.causes.is_empty(),
                "{w:?}"
            );
            continue;
        };
        let nat64 = e.addresses.iter().any(|a| a.nat64);
        let path = format!("{:?}", e.path);
        *seen
            .entry((finding.code(), path, families(e), nat64))
            .or_default() += 1;
        let causes = &assessed.judgement.causes;
        let (asked, proposed) = (of_causes(causes), proposed(&remedies));
        let problem = if asked == proposed {
            contradiction(&w, assessed, causes)
        } else {
            Some(format!("{asked:?} != {proposed:?}"))
        };
        if let Some(problem) = problem {
            let first = disagreements.len() < 5;
            disagreements
                .entry((finding.code(), problem))
                .or_insert_with(|| {
                    format!("{w:?}\ncauses: {causes:?}\nremedies: {remedies:?}")
                        .chars()
                        .take(if first { 4000 } else { 0 })
                        .collect()
                });
        }
    }
    assert!(
        disagreements.is_empty(),
        "{} disagreements: {disagreements:#?}",
        disagreements.len()
    );
    let reached: BTreeSet<&str> = seen.keys().map(|k| k.0).collect();
    for f in all_findings() {
        assert!(reached.contains(f.code()), "no world produces {f:?}");
    }
    // The combinations the judge produced: a floor, so a change that
    // silently narrows the table fails.
    assert!(seen.len() >= 250, "{} combinations: {seen:#?}", seen.len());
}
