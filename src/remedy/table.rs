//! One owner per finding, checked: a table of worlds walks every finding ×
//! path × family × NAT64 combination the judge produces (from DNS failures,
//! every outcome at one or two addresses of every class and family, three
//! addresses passing or timing out, a proxy, both `--expect`s; for an
//! interface service, S3 and a target in the task's region; ECR, S3 and KMS
//! (FIPS too) in another region, which take cross-Region interface
//! endpoints, and Logs there and in another partition, which take none;
//! ECR's dual-stack names and a registry), and for each,
//! the fixes the paragraph asks for are the fixes the remedies propose:
//! none missing, none extra, none the paragraph rules out.

use std::collections::{BTreeMap, BTreeSet};
use std::net::IpAddr;

use super::world::{Outcome, Proxied, TASK_REGION, World, subjects};
use super::{Action, DnsChange, Remedy, remedies};
use crate::catalog::Region;
use crate::choices::Expect;
use crate::classify::Family;
use crate::diagnose::Finding;
use crate::probe::FailureKind;
use crate::report::EndpointReport;

/// A fix, in the vocabulary both a paragraph and a remedy speak.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Fix {
    EgressTo(IpAddr),
    EndpointIngress,
    PrefixList,
    GatewayEndpoint,
    InterfaceEndpoint { dualstack: bool, cross_region: bool },
    Dns(DnsChange),
}

fn proposed(remedies: &[Remedy]) -> BTreeSet<Fix> {
    remedies
        .iter()
        .map(|r| match &r.action {
            Action::TaskEgressToAddress { cidr, .. } => Fix::EgressTo(cidr.addr()),
            Action::EndpointIngressFromTask { .. } => Fix::EndpointIngress,
            Action::TaskEgressToPrefixList { .. } => Fix::PrefixList,
            Action::GatewayEndpoint { .. } => Fix::GatewayEndpoint,
            Action::InterfaceEndpoint {
                dns_record_ip_type,
                service_region,
                ..
            } => Fix::InterfaceEndpoint {
                dualstack: dns_record_ip_type.is_some(),
                cross_region: service_region.is_some(),
            },
            Action::DnsSettings { change } => Fix::Dns(*change),
        })
        .collect()
}

/// The endpoint service a paragraph names for the world's host: the one
/// the catalog says answers it (KMS's FIPS names: `kms-fips`), else the
/// service's standard one.
fn endpoint_service(w: &World) -> Option<String> {
    let region: Region = w.region.parse().unwrap();
    w.service().map(|s| {
        s.endpoint_service(&region, &w.host)
            .unwrap_or_else(|| s.endpoint_service_name(&region))
    })
}

/// The fixes the paragraph asks for, read from its words. Only fixes a
/// remedy can name count: routes to a NAT gateway, proxies and certificates
/// are a person's call; so is an endpoint for a target. Another region's
/// name may get a cross-Region interface endpoint (with its service
/// region), never a gateway endpoint or a prefix list.
fn asked(w: &World, e: &EndpointReport) -> BTreeSet<Fix> {
    let d = e.diagnosis.as_deref().unwrap_or("");
    // A partial failure opens with every failing address; the asks follow.
    let body = d
        .rsplit_once("an intermittent outage. ")
        .map_or(d, |(_, b)| b);
    let mut out = BTreeSet::new();
    if body.contains("Allow egress TCP 443 to") {
        for a in &e.addresses {
            let connect_failed =
                a.tcp.error.as_ref().is_some_and(|x| {
                    matches!(x.kind, FailureKind::Timeout | FailureKind::Unreachable)
                });
            if connect_failed && body.contains(&a.ip.to_string()) {
                out.insert(Fix::EgressTo(a.ip));
            }
        }
    }
    if let Some(svc) = endpoint_service(w) {
        if body.contains("ingress TCP 443 from the task's") {
            out.insert(Fix::EndpointIngress);
        }
        if body.contains(&format!("interface endpoint {svc}"))
            || body.contains(&format!("VPC endpoint {svc}"))
        {
            out.insert(Fix::InterfaceEndpoint {
                dualstack: body.contains("dualstack"),
                cross_region: body.contains(&format!("cross-Region interface endpoint {svc}"))
                    && body.contains(&format!("service region {}", w.region)),
            });
        }
        if body.contains(&format!("no route to the gateway endpoint {svc}")) {
            out.insert(Fix::GatewayEndpoint);
        }
        if body.contains("managed prefix list") {
            out.insert(Fix::PrefixList);
        }
    }
    if body.contains("TCP 53") {
        out.insert(Fix::Dns(DnsChange::AllowTcp53));
    }
    if body.contains("hosted zones associated with the VPC") {
        out.insert(Fix::Dns(DnsChange::ShadowingZone));
    }
    if body.contains("Amazon-provided resolver") || body.contains("has enableDnsSupport") {
        out.insert(Fix::Dns(DnsChange::AmazonResolver));
    }
    out
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

/// Whether an endpoint `r` would create is named otherwise than in the
/// paragraph `d` (its endpoint service, its service region).
fn misnamed(r: &Remedy, d: &str) -> bool {
    match &r.action {
        Action::InterfaceEndpoint {
            endpoint_service,
            service_region,
            ..
        } => {
            !d.contains(&endpoint_service.to_string())
                || service_region
                    .as_ref()
                    .is_some_and(|sr| !d.contains(&format!("service region {sr}")))
        }
        Action::GatewayEndpoint {
            endpoint_service, ..
        } => !d.contains(&endpoint_service.to_string()),
        _ => false,
    }
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

#[test]
fn every_paragraph_and_its_remedies_name_the_same_fix() {
    let mut seen: BTreeMap<(&str, String, &str, bool), usize> = BTreeMap::new();
    let mut disagreements: BTreeMap<(&str, String), String> = BTreeMap::new();
    for w in worlds() {
        let assessment = w.assessment();
        let report = crate::report::build(&assessment);
        let e = &report.endpoints[0];
        let Some(finding) = e.finding else {
            assert!(remedies(&assessment).is_empty(), "{w:?}");
            continue;
        };
        let nat64 = e.addresses.iter().any(|a| a.nat64);
        let path = format!("{:?}", e.path);
        *seen
            .entry((finding.code(), path, families(e), nat64))
            .or_default() += 1;
        let remedies = remedies(&assessment);
        let (asked, proposed) = (asked(&w, e), proposed(&remedies));
        let d = e.diagnosis.as_deref().unwrap_or("");
        // Gateway endpoints and prefix lists serve their own region only,
        // and not NAT64 traffic; a remedy names the endpoint service and
        // service region its paragraph names.
        let ruled_out = d.contains("carries no NAT64 traffic")
            || d.contains("never through the S3 gateway")
            || w.region != TASK_REGION;
        let contradicts = (ruled_out
            && (proposed.contains(&Fix::GatewayEndpoint) || proposed.contains(&Fix::PrefixList)))
            || remedies.iter().any(|r| misnamed(r, d));
        if asked != proposed || contradicts {
            let first = disagreements.len() < 5;
            disagreements
                .entry((finding.code(), format!("{asked:?} != {proposed:?}")))
                .or_insert_with(|| {
                    format!("{w:?}\nparagraph: {d}\nremedies: {remedies:?}")
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
