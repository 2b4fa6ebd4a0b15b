//! From findings to the change to make: the security-group rules and the
//! endpoints a task is missing, each tied to the finding that calls for it.
//! Pure: a function of the round's [`Assessment`], the same typed facts the
//! paragraphs were written from. `render::fix` writes them as text,
//! Terraform or AWS CLI commands; nothing here or there applies them.
//!
//! Each remedy renders one of the causes the judge decided (and the
//! paragraph renders); `table.rs` walks the judge's combinations and
//! checks the causes and the remedies as values.

mod action;

use ipnet::IpNet;
use serde::Serialize;

pub use action::{Action, DnsChange, EndpointService, IpAddressType, PrefixList};

use crate::assess::Assessment;
use crate::diagnose::{Cause, Finding};
use crate::plan::Caller;

/// One proposed change and the finding that calls for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remedy {
    pub finding: Finding,
    /// The endpoint's `service` label (`logs`, `s3`, `target`, ...).
    pub service: String,
    /// Whose calls the endpoint carries (`both` unless the app's SDK
    /// settings and ECS call different names).
    #[serde(skip_serializing_if = "Caller::is_both")]
    pub route: Caller,
    #[serde(flatten)]
    pub action: Action,
}

impl Remedy {
    /// The endpoint's label, with whose calls it carries where ECS and the
    /// app's SDK call different names (`secretsmanager (the app's AWS SDK)`).
    pub fn label(&self) -> String {
        match self.route {
            Caller::Both => self.service.clone(),
            Caller::Platform => format!("{} (ECS itself)", self.service),
            Caller::App => format!("{} (the app's AWS SDK)", self.service),
        }
    }
}

/// The remedies for every endpoint that did not pass, in plan order and
/// without repeats (two registries share one endpoint service, S3's prefix
/// list is one rule). Nothing for endpoints that passed. Each is a
/// rendering of one of the endpoint's causes, which the judge decided.
pub fn remedies(assessment: &Assessment) -> Vec<Remedy> {
    collect(assessment.endpoints.iter().filter_map(|assessed| {
        // An `ok` endpoint has no finding; a `warn` one (one dead ENI of
        // three) may still need a rule.
        Some(Judged {
            finding: assessed.judgement.finding?,
            service: assessed.endpoint.kind.label(),
            route: assessed.endpoint.route,
            causes: &assessed.judgement.causes,
        })
    }))
}

/// One endpoint's finding and causes, from a round or a saved report.
#[derive(Debug, Clone, Copy)]
pub struct Judged<'a> {
    pub finding: Finding,
    pub service: &'a str,
    pub route: Caller,
    pub causes: &'a [Cause],
}

/// The remedies of these endpoints, in their order and without repeats.
pub fn collect<'a>(endpoints: impl IntoIterator<Item = Judged<'a>>) -> Vec<Remedy> {
    let mut out: Vec<Remedy> = Vec::new();
    for judged in endpoints {
        let mut actions: Vec<Action> = judged.causes.iter().flat_map(actions).collect();
        // Rules before endpoints before DNS, as a person applies them.
        actions.sort_by_key(Action::rank);
        for action in actions {
            if !out.iter().any(|o| o.action == action) {
                out.push(Remedy {
                    finding: judged.finding,
                    service: judged.service.to_owned(),
                    route: judged.route,
                    action,
                });
            }
        }
    }
    out
}

/// The change a cause calls for, where a resource or setting expresses it.
/// Routes to a NAT gateway, proxies, clocks and certificates are a
/// person's call; so is a cause the evidence ranks among others without
/// singling out (one family's way out at public addresses).
pub fn actions(cause: &Cause) -> Vec<Action> {
    match cause {
        Cause::EndpointMissing {
            endpoint_service,
            service_region,
            dualstack,
        } => vec![Action::InterfaceEndpoint {
            endpoint_service: endpoint_service.clone(),
            private_dns_enabled: true,
            dns_record_ip_type: dualstack.then_some(IpAddressType::Dualstack),
            service_region: service_region.clone(),
        }],
        Cause::GatewayRouteMissing { endpoint_service } => vec![Action::GatewayEndpoint {
            endpoint_service: endpoint_service.clone(),
            route_table_association: true,
        }],
        Cause::PrefixListEgress { prefix_list, port } => vec![Action::TaskEgressToPrefixList {
            prefix_list: prefix_list.clone(),
            port: *port,
        }],
        Cause::TaskEgress { addresses, port } => addresses
            .iter()
            .map(|ip| Action::TaskEgressToAddress {
                cidr: IpNet::from(*ip),
                port: *port,
            })
            .collect(),
        Cause::EndpointIngress {
            endpoint_service: Some(endpoint_service),
            port,
        } => vec![Action::EndpointIngressFromTask {
            endpoint_service: endpoint_service.clone(),
            port: *port,
        }],
        Cause::DnsTcpBlocked { .. } => dns(DnsChange::AllowTcp53),
        Cause::ShadowingZone => dns(DnsChange::ShadowingZone),
        Cause::ResolverDoesNotForward { .. }
        | Cause::ResolverUnreachable { .. }
        | Cause::ResolverFailing { .. }
        | Cause::ResolverRefuses { .. } => dns(DnsChange::AmazonResolver),
        _ => Vec::new(),
    }
}

fn dns(change: DnsChange) -> Vec<Action> {
    vec![Action::DnsSettings { change }]
}

#[cfg(test)]
mod table;
#[cfg(test)]
mod table_elsewhere;
#[cfg(test)]
pub(crate) mod world;

#[cfg(test)]
mod tests {
    use super::world::{Outcome, TASK_REGION, World};
    use super::*;
    use crate::catalog::Service;
    use crate::choices::Expect;
    use crate::plan::Kind;

    /// Issue 16: an IPv6-only task whose S3 names DNS64 answers and whose
    /// NAT64 path times out. The paragraph says the gateway endpoint carries
    /// no NAT64 traffic and asks for a dual-stack interface endpoint; so does
    /// the remedy, and it proposes no prefix list or gateway endpoint.
    #[test]
    fn s3_over_a_dead_nat64_gets_a_dualstack_interface_endpoint() {
        let assessment = World::new(Kind::Aws(Service::S3), TASK_REGION)
            .answer(&[
                ("64:ff9b::34db:2903", Outcome::TcpTimeout),
                ("64:ff9b::34db:2904", Outcome::TcpTimeout),
            ])
            .assessment();
        let report = crate::report::build(&assessment);
        let e = &report.endpoints[0];
        assert_eq!(e.finding, Some(Finding::S3ConnectTimeout));
        assert!(
            matches!(
                e.causes.as_slice(),
                [
                    Cause::EndpointMissing {
                        dualstack: true,
                        ..
                    },
                    Cause::NoWayOut {
                        via: crate::diagnose::WayOut::Nat64
                    }
                ]
            ),
            "{:?}",
            e.causes
        );
        let json = serde_json::to_value(remedies(&assessment)).unwrap();
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

    /// ECR's dual-stack names: no VPC endpoint serves them (ECR's user
    /// guide), so neither the paragraph nor `fix` asks for one, over NAT64
    /// or public IPv4, timed out or reached under --expect private.
    #[test]
    fn ecr_dual_stack_names_get_no_endpoint_that_would_not_serve_them() {
        for (ip, outcome, expect, finding) in [
            (
                "64:ff9b::3401:203",
                Outcome::TcpTimeout,
                Expect::Any,
                Finding::PublicConnectTimeout,
            ),
            (
                "52.1.2.3",
                Outcome::TcpTimeout,
                Expect::Any,
                Finding::PublicConnectTimeout,
            ),
            (
                "64:ff9b::3401:203",
                Outcome::Pass,
                Expect::Private,
                Finding::PublicPath,
            ),
        ] {
            let mut world =
                World::new(Kind::Aws(Service::EcrApi), TASK_REGION).answer(&[(ip, outcome)]);
            world.host = "ecr.ap-northeast-1.api.aws".to_owned();
            world.expect = expect;
            let assessment = world.assessment();
            let judgement = &assessment.endpoints[0].judgement;
            assert_eq!(judgement.finding, Some(finding), "{ip}");
            let causes = &judgement.causes;
            assert_eq!(
                causes.first(),
                Some(&Cause::NotServed {
                    why: crate::diagnose::Unserved::EcrDualstack
                }),
                "{ip}"
            );
            assert!(
                !causes
                    .iter()
                    .any(|c| matches!(c, Cause::EndpointMissing { .. })),
                "{causes:?}"
            );
            assert!(remedies(&assessment).is_empty(), "{ip}: {causes:?}");
        }
    }

    /// One family blocked away from endpoint ENIs. At public addresses
    /// the evidence does not decide between the route, the security group
    /// and the network ACLs: the paragraph lists them in order, no endpoint
    /// security group, and `fix` proposes nothing it cannot stand behind.
    /// At NAT64 addresses: the dual-stack interface endpoint, in both.
    #[test]
    fn a_family_blocked_away_from_endpoint_enis() {
        use crate::classify::Family;
        use crate::diagnose::WayOut;
        let blocked = [
            (
                Service::S3,
                "52.219.41.3",
                "2600:1fa0:80c4::34db:2903",
                Cause::GatewayFamily {
                    family: Family::Ipv6,
                },
            ),
            (
                Service::Ssm,
                "10.0.1.20",
                "2600:1f18::1",
                Cause::NoWayOut { via: WayOut::Ipv6 },
            ),
        ];
        for (service, v4, v6, first) in blocked {
            let assessment = World::new(Kind::Aws(service), TASK_REGION)
                .answer(&[(v4, Outcome::Pass), (v6, Outcome::TcpTimeout)])
                .assessment();
            let judgement = &assessment.endpoints[0].judgement;
            assert_eq!(judgement.finding, Some(Finding::Ipv6EgressBlocked), "{v6}");
            let causes = &judgement.causes;
            assert_eq!(causes.first(), Some(&first), "{causes:?}");
            assert!(
                !causes
                    .iter()
                    .any(|c| matches!(c, Cause::EndpointIngress { .. })),
                "{causes:?}"
            );
            assert!(remedies(&assessment).is_empty(), "{causes:?}");
        }
        let assessment = World::new(Kind::Aws(Service::Logs), TASK_REGION)
            .answer(&[
                ("10.0.1.20", Outcome::Pass),
                ("64:ff9b::3401:203", Outcome::TcpTimeout),
            ])
            .assessment();
        let causes = &assessment.endpoints[0].judgement.causes;
        assert!(
            matches!(
                causes.as_slice(),
                [
                    Cause::EndpointMissing {
                        dualstack: true,
                        ..
                    },
                    Cause::NoWayOut { via: WayOut::Nat64 }
                ]
            ),
            "{causes:?}"
        );
        let json = serde_json::to_value(remedies(&assessment)).unwrap();
        assert_eq!(
            json,
            serde_json::json!([{
                "finding": "ipv6_egress_blocked",
                "service": "logs",
                "kind": "interface_endpoint",
                "endpoint_service": "com.amazonaws.ap-northeast-1.logs",
                "private_dns_enabled": true,
                "dns_record_ip_type": "dualstack",
            }]),
            "{causes:?}"
        );
    }
}
