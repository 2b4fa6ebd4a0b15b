//! The one place that reads an endpoint's evidence for the causes of its
//! finding ([`super::cause::Cause`]), most likely first. The paragraph and
//! the remedies render what this decides; neither decides again.

use std::net::IpAddr;

use super::cause::{Cause, EndpointService, PrefixList, Unserved, WayOut};
use super::family::{BlockedAt, blocked_at};
use super::prose::Evidence;
use super::{Facts, Finding};
use crate::catalog::names::Serving;
use crate::classify::{AddressNetwork, EndpointRole, Family, nat64_ipv4};

/// The causes of `finding` on this endpoint, most likely first: the one
/// place that reads the evidence for them.
pub(super) fn causes(facts: &Facts<'_>, finding: Finding, ev: &Evidence<'_>) -> Vec<Cause> {
    use Cause as C;
    use Finding as F;
    let resolver = || facts.lookup.nameservers.to_vec();
    let mut out = match finding {
        F::DnsNxdomain if facts.service.is_some() => vec![
            C::ResolverDoesNotForward {
                resolver: resolver(),
            },
            C::NameWrong,
        ],
        F::DnsNxdomain => vec![
            C::NameWrong,
            C::ResolverDoesNotForward {
                resolver: resolver(),
            },
        ],
        F::DnsNoAddresses => vec![C::ShadowingZone],
        F::DnsResolverUnreachable => vec![C::ResolverUnreachable {
            resolver: resolver(),
        }],
        F::DnsServfail => vec![C::ResolverFailing {
            resolver: resolver(),
        }],
        F::DnsRefused => vec![C::ResolverRefuses {
            resolver: resolver(),
        }],
        F::DnsTcpBlocked => vec![C::DnsTcpBlocked {
            resolver: resolver(),
        }],
        F::FipsEndpointMissing => facts
            .service
            .map(|service| C::FipsNameMissing { service })
            .into_iter()
            .collect(),
        F::PublicConnectTimeout | F::S3ConnectTimeout | F::PublicPath => public(facts, finding, ev),
        F::PrivateConnectTimeout => vec![
            C::TaskEgress {
                addresses: ev.ips.to_vec(),
                port: facts.port,
            },
            C::EndpointIngress {
                endpoint_service: endpoint_service(facts),
                port: facts.port,
            },
            C::NetworkAcls { family: None },
        ],
        F::NetworkUnreachable => vec![C::NoRoute {
            addresses: ev.ips.to_vec(),
        }],
        F::Ipv6EgressBlocked | F::Ipv4EgressBlocked => family(facts, finding, ev),
        _ => other(facts, finding, ev),
    };
    let elsewhere = other_private(facts, ev.ips);
    if !elsewhere.is_empty() && matches!(finding, F::PrivateConnectTimeout | F::NetworkUnreachable)
    {
        out.push(C::RoutesToOtherNetwork {
            addresses: elsewhere,
        });
    }
    out
}

/// The causes of findings that depend on the finding alone.
fn other(facts: &Facts<'_>, finding: Finding, ev: &Evidence<'_>) -> Vec<Cause> {
    use Cause as C;
    use Finding as F;
    // A certificate from Amazon's own CAs is no sign of inspection.
    let issuer = ev
        .cert
        .filter(|c| !super::issued_by_amazon(c))
        .map(|c| c.issuer.clone());
    let inspection = C::TlsInspection {
        issuer: issuer.clone(),
    };
    match finding {
        F::ConnectRefused | F::TlsHostnameMismatch => vec![C::NameLeadsElsewhere],
        F::ConnectionReset => vec![C::PathRejects],
        F::TlsHandshakeTimeout => vec![inspection, C::NoCommonTls],
        F::TlsHandshakeFailed => vec![C::NoCommonTls, inspection],
        F::TlsUntrusted => vec![C::TlsInspection { issuer: None }, C::NameLeadsElsewhere],
        // Amazon's own certificate near its expiry: no cause the tool names.
        F::CertExpiringSoon if issuer.is_none() => Vec::new(),
        F::TlsCertExpired | F::TlsInterception | F::CertExpiringSoon => {
            let mut out = vec![inspection];
            if finding == F::TlsCertExpired {
                out.push(C::ClockWrong);
            }
            out
        }
        F::TlsCertNotYetValid => vec![C::ClockWrong, inspection],
        F::DeadlineExceeded => vec![C::DeadlineTooShort],
        F::RegistryNeedsInternet => vec![
            C::NotServed {
                why: Unserved::Registry,
            },
            C::NoWayOut { via: WayOut::Nat },
        ],
        F::ProxyAuthRequired => vec![C::ProxyAuthRequired],
        F::ProxyDenied => vec![C::ProxyDenied {
            status: facts.proxy.and_then(|p| p.status_code),
        }],
        F::ProxyUnreachable => vec![C::ProxyUnreachable],
        F::ProxyPath => vec![C::ProxyPath],
        F::ProxyBypassesEndpoint => vec![C::ProxyBypassesEndpoint],
        F::StsGlobalEndpoint => vec![C::StsLegacySetting],
        // An unclassified DNS or connect failure names no cause.
        _ => Vec::new(),
    }
}

/// The endpoint service that would serve an AWS service's name in this
/// VPC, as the catalog says (`None` for a target).
fn endpoint_service(facts: &Facts<'_>) -> Option<EndpointService> {
    let service = facts.service?;
    let name = match facts.serving() {
        Some(
            Serving::SameRegion { endpoint_service } | Serving::CrossRegion { endpoint_service },
        ) => endpoint_service,
        _ => service
            .endpoint_service(facts.region, facts.host)
            .unwrap_or_else(|| service.endpoint_service_name(facts.region)),
    };
    Some(EndpointService {
        service,
        region: facts.region.clone(),
        name,
    })
}

/// The endpoint to create for an AWS service's name (cross-Region for
/// another region's service that takes one), or why none in this VPC can
/// serve it; `None` for a target.
fn endpoint_cause(facts: &Facts<'_>, dualstack: bool) -> Option<Cause> {
    let service_region = match facts.serving()? {
        Serving::SameRegion { .. } => None,
        Serving::CrossRegion { .. } => Some(facts.region.clone()),
        Serving::None { why } => return Some(Cause::NotServed { why: why.into() }),
        Serving::Unknown => {
            return Some(Cause::NotServed {
                why: Unserved::FipsUnknown,
            });
        }
    };
    Some(Cause::EndpointMissing {
        endpoint_service: endpoint_service(facts)?,
        service_region,
        dualstack,
    })
}

/// Addresses DNS64 synthesised among `ips`.
fn through_nat64(ips: &[IpAddr]) -> bool {
    ips.iter().any(|ip| nat64_ipv4(*ip).is_some())
}

/// Public addresses timed out, or reached under `--expect private`.
fn public(facts: &Facts<'_>, finding: Finding, ev: &Evidence<'_>) -> Vec<Cause> {
    use Cause as C;
    let nat64 = through_nat64(ev.ips);
    let timed_out = finding != Finding::PublicPath;
    let way_out = C::NoWayOut {
        via: if nat64 { WayOut::Nat64 } else { WayOut::Nat },
    };
    let unserved = |why| C::NotServed { why };
    let ecr_dualstack = matches!(finding, Finding::PublicConnectTimeout | Finding::PublicPath)
        && super::elsewhere::ecr_dualstack_name(facts.service, facts.host);
    let mut out = if facts.elsewhere() {
        endpoint_cause(facts, nat64).into_iter().collect()
    } else if ecr_dualstack {
        vec![unserved(Unserved::EcrDualstack)]
    } else if facts.serving() == Some(Serving::Unknown) {
        vec![unserved(Unserved::FipsUnknown)]
    } else if timed_out && nat64 {
        endpoint_cause(facts, true).into_iter().collect()
    } else if finding == Finding::PublicConnectTimeout && facts.service.is_some() {
        endpoint_cause(facts, false).into_iter().collect()
    } else if finding == Finding::PublicConnectTimeout {
        return vec![
            C::NoWayOut {
                via: WayOut::Internet,
            },
            C::TaskEgressAnywhere {
                family: None,
                port: facts.port,
            },
            C::NetworkAcls { family: None },
        ];
    } else if finding == Finding::S3ConnectTimeout {
        return s3(facts);
    } else if facts.registry {
        vec![unserved(Unserved::Registry)]
    } else if facts.service.is_some() {
        endpoint_cause(facts, nat64).into_iter().collect()
    } else {
        vec![unserved(Unserved::NotAws)]
    };
    if timed_out {
        out.push(way_out);
    }
    out
}

/// S3 in the task's region timed out at public addresses: the gateway
/// endpoint's route, then the prefix list egress.
fn s3(facts: &Facts<'_>) -> Vec<Cause> {
    let Some(endpoint_service) = endpoint_service(facts) else {
        return Vec::new();
    };
    vec![
        Cause::GatewayRouteMissing {
            endpoint_service: endpoint_service.clone(),
        },
        Cause::PrefixListEgress {
            prefix_list: PrefixList {
                service: endpoint_service.service,
                region: endpoint_service.region,
            },
            port: facts.port,
        },
    ]
}

/// One family blocked while the other works, by where its addresses are.
fn family(facts: &Facts<'_>, finding: Finding, ev: &Evidence<'_>) -> Vec<Cause> {
    use Cause as C;
    let family = if finding == Finding::Ipv6EgressBlocked {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let port = facts.port;
    match blocked_at(facts.classes, ev.ips) {
        BlockedAt::Enis => vec![
            C::TaskEgress {
                addresses: ev.ips.to_vec(),
                port,
            },
            C::EndpointIngress {
                endpoint_service: endpoint_service(facts),
                port,
            },
            C::NetworkAcls {
                family: Some(family),
            },
        ],
        BlockedAt::Nat64 => {
            let endpoint =
                endpoint_cause(facts, true).filter(|c| matches!(c, C::EndpointMissing { .. }));
            let mut out: Vec<Cause> = endpoint.into_iter().collect();
            out.push(C::NoWayOut { via: WayOut::Nat64 });
            out
        }
        BlockedAt::Public => {
            let first = if facts.role() == EndpointRole::Gateway {
                C::GatewayFamily { family }
            } else {
                C::NoWayOut {
                    via: match family {
                        Family::Ipv6 => WayOut::Ipv6,
                        Family::Ipv4 => WayOut::Nat,
                    },
                }
            };
            vec![
                first,
                C::TaskEgressAnywhere {
                    family: Some(family),
                    port,
                },
                C::NetworkAcls {
                    family: Some(family),
                },
            ]
        }
    }
}

/// Private addresses among `ips` outside the VPC's ranges: a hub VPC, a
/// peer, a VPN.
fn other_private(facts: &Facts<'_>, ips: &[IpAddr]) -> Vec<IpAddr> {
    ips.iter()
        .copied()
        .filter(|ip| {
            facts
                .classes
                .get(*ip)
                .is_some_and(|c| c.why.network() == AddressNetwork::OtherPrivate)
        })
        .collect()
}
