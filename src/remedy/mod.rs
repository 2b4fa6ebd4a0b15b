//! From findings to the change to make: the security-group rules and the
//! endpoints a task is missing, each tied to the finding that calls for it.
//! Pure: a function of the finished report. `render::fix` writes them as
//! text, Terraform or AWS CLI commands; nothing here or there applies them.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

use crate::classify::{AddressClass, Family};
use crate::diagnose::Finding;
use crate::probe::FailureKind;
use crate::report::{AddressReport, EndpointReport, Report};

/// One proposed change and the finding that calls for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remedy {
    pub finding: Finding,
    /// The endpoint's `service` label (`logs`, `s3`, `target`, ...).
    pub service: String,
    #[serde(flatten)]
    pub action: Action,
}

/// The change itself; `kind` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Action {
    /// Allow egress TCP `port` from the task's security group to one
    /// endpoint ENI address (`/32`, or `/128` for IPv6) that timed out.
    TaskEgressToAddress { cidr: IpNet, port: u16 },
    /// Allow ingress TCP `port` on the endpoint's security group from the
    /// task's: a reminder to check, since a timeout cannot tell the two
    /// sides apart.
    EndpointIngressFromTask { endpoint_service: String, port: u16 },
    /// Allow egress TCP `port` from the task's security group to the AWS
    /// managed prefix list of a gateway service, looked up by name.
    TaskEgressToPrefixList { prefix_list_name: String, port: u16 },
    /// Create the interface endpoint with private DNS, or switch private DNS
    /// on for the one that exists: from inside, both look the same (the name
    /// resolves to public addresses).
    InterfaceEndpoint {
        endpoint_service: String,
        private_dns_enabled: bool,
        /// `dualstack` when the name must get an AAAA record inside the VPC
        /// (it was reached, or tried, through DNS64 and NAT64).
        #[serde(skip_serializing_if = "Option::is_none")]
        dns_record_ip_type: Option<&'static str>,
    },
    /// Create the gateway endpoint and associate it with the subnet's route
    /// table, when no gateway path is evident.
    GatewayEndpoint {
        endpoint_service: String,
        route_table_association: bool,
    },
    /// Not a resource: what to change in the VPC's DNS settings.
    DnsSettings { text: String },
}

impl Remedy {
    fn new(e: &EndpointReport, finding: Finding, action: Action) -> Self {
        Self {
            finding,
            service: e.service.to_owned(),
            action,
        }
    }
}

/// The remedies for every endpoint that did not pass, in report order and
/// without repeats (two registries share one endpoint service, S3's prefix
/// list is one rule). Nothing for endpoints that passed.
pub fn remedies(report: &Report) -> Vec<Remedy> {
    let mut out: Vec<Remedy> = Vec::new();
    for e in &report.endpoints {
        for r in for_endpoint(report, e) {
            if !out.iter().any(|o| o.action == r.action) {
                out.push(r);
            }
        }
    }
    out
}

/// Whether the addresses `finding` is about were synthesised by DNS64, the
/// test the finding's paragraph makes: the public ones that timed out for a
/// connect timeout, the public ones reached for a public path.
fn through_nat64(e: &EndpointReport, finding: Finding) -> bool {
    let timed_out = |a: &&AddressReport| {
        a.tcp
            .error
            .as_ref()
            .is_some_and(|x| x.kind == FailureKind::Timeout)
    };
    let public = e
        .addresses
        .iter()
        .filter(|a| a.class == AddressClass::Public);
    match finding {
        Finding::PublicConnectTimeout | Finding::S3ConnectTimeout => {
            public.filter(timed_out).any(|a| a.nat64)
        }
        Finding::PublicPath => public.filter(|a| a.ok).any(|a| a.nat64),
        _ => false,
    }
}

/// The addresses of `e` whose TCP connect timed out, with their class.
fn timed_out(e: &EndpointReport) -> impl Iterator<Item = (IpAddr, AddressClass)> + '_ {
    e.addresses
        .iter()
        .filter(|a| {
            a.tcp
                .error
                .as_ref()
                .is_some_and(|x| x.kind == FailureKind::Timeout)
        })
        .map(|a| (a.ip, a.class))
}

fn for_endpoint(report: &Report, e: &EndpointReport) -> Vec<Remedy> {
    // An `ok` endpoint has no finding; a `warn` one (one dead ENI of three)
    // may still need a rule.
    let Some(finding) = e.finding else {
        return Vec::new();
    };
    // An interface endpoint in this VPC serves only its own region.
    let in_region = e.region == report.region;
    let endpoint_service = e.endpoint_service.clone();
    let mut out = Vec::new();
    match finding {
        Finding::PrivateConnectTimeout => {
            for (ip, _) in timed_out(e).filter(|(_, c)| *c == AddressClass::Private) {
                out.push(Remedy::new(
                    e,
                    finding,
                    Action::TaskEgressToAddress {
                        cidr: IpNet::from(ip),
                        port: e.port,
                    },
                ));
            }
            if let Some(endpoint_service) = endpoint_service {
                out.push(Remedy::new(
                    e,
                    finding,
                    Action::EndpointIngressFromTask {
                        endpoint_service,
                        port: e.port,
                    },
                ));
            }
        }
        Finding::PublicConnectTimeout | Finding::PublicPath | Finding::S3ConnectTimeout
            if through_nat64(e, finding) =>
        {
            // DNS64 answered for want of an AAAA record in the VPC: an
            // interface endpoint whose DNS serves IPv6 gives it one (S3
            // included: NAT64 never uses the gateway endpoint, so neither
            // the prefix list nor a gateway endpoint would help). Before the
            // S3 arm below, as the paragraph decides it.
            out.extend(interface_endpoint(e, finding, in_region, Some("dualstack")));
        }
        // A VPC's S3 prefix list and gateway endpoint serve its own region;
        // S3 in another region is reached through NAT, which the finding's
        // paragraph already says.
        Finding::S3ConnectTimeout if in_region => {
            out.push(Remedy::new(
                e,
                finding,
                Action::TaskEgressToPrefixList {
                    prefix_list_name: format!("com.amazonaws.{}.s3", e.region),
                    port: e.port,
                },
            ));
            if let Some(endpoint_service) = endpoint_service {
                out.push(Remedy::new(
                    e,
                    finding,
                    Action::GatewayEndpoint {
                        endpoint_service,
                        route_table_association: true,
                    },
                ));
            }
        }
        Finding::PublicConnectTimeout | Finding::PublicPath => {
            out.extend(interface_endpoint(e, finding, in_region, None));
        }
        Finding::Ipv6EgressBlocked | Finding::Ipv4EgressBlocked => {
            out.extend(family_rules(e, finding));
        }
        Finding::DnsNxdomain
        | Finding::DnsNoAddresses
        | Finding::DnsResolverUnreachable
        | Finding::DnsServfail
        | Finding::DnsRefused
        | Finding::DnsTcpBlocked
        | Finding::DnsError => {
            out.push(Remedy::new(
                e,
                finding,
                Action::DnsSettings {
                    text: dns_text(finding),
                },
            ));
        }
        _ => {}
    }
    out
}

/// The interface endpoint to create (or to switch private DNS on for),
/// when it would serve this VPC's region.
fn interface_endpoint(
    e: &EndpointReport,
    finding: Finding,
    in_region: bool,
    dns_record_ip_type: Option<&'static str>,
) -> Option<Remedy> {
    let endpoint_service = e.endpoint_service.clone().filter(|_| in_region)?;
    Some(Remedy::new(
        e,
        finding,
        Action::InterfaceEndpoint {
            endpoint_service,
            private_dns_enabled: true,
            dns_record_ip_type,
        },
    ))
}

/// One family's addresses failed to connect while the other's worked: the
/// task's egress to each of them, and the endpoint's ingress to check.
fn family_rules(e: &EndpointReport, finding: Finding) -> Vec<Remedy> {
    let blocked = if finding == Finding::Ipv6EgressBlocked {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let mut out: Vec<Remedy> = e
        .addresses
        .iter()
        .filter(|a| a.family == blocked && !a.tcp.ok)
        .map(|a| {
            Remedy::new(
                e,
                finding,
                Action::TaskEgressToAddress {
                    cidr: IpNet::from(a.ip),
                    port: e.port,
                },
            )
        })
        .collect();
    if let Some(endpoint_service) = e.endpoint_service.clone() {
        out.push(Remedy::new(
            e,
            finding,
            Action::EndpointIngressFromTask {
                endpoint_service,
                port: e.port,
            },
        ));
    }
    out
}

/// The DNS change, in the terms of the VPC console.
fn dns_text(finding: Finding) -> String {
    match finding {
        Finding::DnsTcpBlocked => "Allow TCP 53 as well as UDP 53 to the resolver in the security \
             groups and network ACLs."
            .to_owned(),
        Finding::DnsNoAddresses => "Remove or fix the Route 53 private hosted zone (or record) \
             that shadows the name without addresses."
            .to_owned(),
        _ => "Turn on enableDnsSupport and enableDnsHostnames for the VPC, point its DHCP options \
             set at AmazonProvidedDNS, and make any custom resolver or Route 53 Resolver rule \
             forward AWS names to the Amazon-provided resolver (the VPC base address + 2, or \
             169.254.169.253), where interface endpoints' private DNS names exist."
            .to_owned(),
    }
}

#[cfg(test)]
mod world;

#[cfg(test)]
mod tests {
    use super::world::{Outcome, TASK_REGION, World};
    use super::*;
    use crate::catalog::Service;
    use crate::plan::Kind;

    /// Issue 16: an IPv6-only task whose S3 names DNS64 answers and whose
    /// NAT64 path times out. The paragraph says the gateway endpoint carries
    /// no NAT64 traffic and asks for a dual-stack interface endpoint; so does
    /// the remedy, and it proposes no prefix list or gateway endpoint.
    #[test]
    fn s3_over_a_dead_nat64_gets_a_dualstack_interface_endpoint() {
        let report = World::new(Kind::Aws(Service::S3), TASK_REGION)
            .answer(&[
                ("64:ff9b::34db:2903", Outcome::TcpTimeout),
                ("64:ff9b::34db:2904", Outcome::TcpTimeout),
            ])
            .report();
        let e = &report.endpoints[0];
        assert_eq!(e.finding, Some(Finding::S3ConnectTimeout));
        let d = e.diagnosis.as_deref().unwrap();
        assert!(d.contains("carries no NAT64 traffic"), "{d}");
        let json = serde_json::to_value(remedies(&report)).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "finding": "s3_connect_timeout",
                "service": "s3",
                "kind": "interface_endpoint",
                "endpoint_service": "com.amazonaws.ap-northeast-1.s3",
                "private_dns_enabled": true,
                "dns_record_ip_type": "dualstack",
            }])
        );
    }
}
