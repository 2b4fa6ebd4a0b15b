//! From findings to the change to make: the security-group rules and the
//! endpoints a task is missing, each tied to the finding that calls for it.
//! Pure: a function of the round's [`Assessment`], the same typed facts the
//! paragraphs were written from. `render::fix` writes them as text,
//! Terraform or AWS CLI commands; nothing here or there applies them.
//!
//! Each arm of [`for_endpoint`] answers the paragraph `diagnose::prose`
//! writes for the same finding; `table.rs` walks the judge's combinations
//! and checks that the two name the same fix.

mod action;

use ipnet::IpNet;
use serde::Serialize;

pub use action::{Action, DnsChange, EndpointService, IpAddressType, PrefixList};

use crate::assess::{Assessed, Assessment};
use crate::catalog::{Region, Serving};
use crate::classify::{AddressClass, Family};
use crate::diagnose::{self, Attempt, BlockedAt, Finding};
use crate::plan::Caller;
use crate::probe::{FailureKind, Phase};

/// One proposed change and the finding that calls for it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Remedy {
    pub finding: Finding,
    /// The endpoint's `service` label (`logs`, `s3`, `target`, ...).
    pub service: &'static str,
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
            Caller::Both => self.service.to_owned(),
            Caller::Platform => format!("{} (ECS itself)", self.service),
            Caller::App => format!("{} (the app's AWS SDK)", self.service),
        }
    }
}

/// What the remedies of one endpoint are read from: its assessment.
struct Subject<'a> {
    assessed: &'a Assessed,
    /// The addresses tried, each with its class.
    attempts: Vec<Attempt<'a>>,
    finding: Finding,
    /// The task's region: an endpoint or prefix list in this VPC serves
    /// only its own region.
    task_region: &'a Region,
}

impl Subject<'_> {
    fn remedy(&self, action: Action) -> Remedy {
        Remedy {
            finding: self.finding,
            service: self.assessed.endpoint.kind.label(),
            route: self.assessed.endpoint.route,
            action,
        }
    }

    fn port(&self) -> u16 {
        self.assessed.endpoint.port
    }

    /// The VPC endpoint service, for an AWS service: the one that answers
    /// its name, else its standard one.
    fn endpoint_service(&self) -> Option<EndpointService> {
        let endpoint = &self.assessed.endpoint;
        endpoint.kind.service().map(|service| EndpointService {
            service,
            region: endpoint.region.clone(),
            name: endpoint
                .endpoint_service(self.task_region)
                .unwrap_or_else(|| service.endpoint_service_name(&endpoint.region)),
        })
    }

    /// What in this VPC can serve the endpoint's name, asked of the catalog
    /// as the paragraphs ask it.
    fn serving(&self) -> Option<Serving> {
        self.assessed.endpoint.serving(self.task_region)
    }

    /// The endpoint service, when one of the task's region in this VPC would
    /// serve the endpoint (not another region's, not ECR's dual-stack names).
    fn local_endpoint_service(&self) -> Option<EndpointService> {
        let same = matches!(self.serving(), Some(Serving::SameRegion { .. }));
        self.endpoint_service().filter(|_| same)
    }

    /// Whether the addresses the finding is about were synthesised by
    /// DNS64, the test the finding's paragraph makes: the public ones that
    /// timed out for a connect timeout, the public ones reached for a
    /// public path.
    fn through_nat64(&self) -> bool {
        let public = self
            .attempts
            .iter()
            .filter(|a| a.class.class == AddressClass::Public);
        match self.finding {
            Finding::PublicConnectTimeout | Finding::S3ConnectTimeout => public
                .filter(|a| timed_out(a))
                .any(|a| a.class.nat64().is_some()),
            Finding::PublicPath => public
                .filter(|a| a.passed())
                .any(|a| a.class.nat64().is_some()),
            _ => false,
        }
    }
}

/// The remedies for every endpoint that did not pass, in plan order and
/// without repeats (two registries share one endpoint service, S3's prefix
/// list is one rule). Nothing for endpoints that passed.
pub fn remedies(assessment: &Assessment) -> Vec<Remedy> {
    let mut out: Vec<Remedy> = Vec::new();
    for assessed in &assessment.endpoints {
        // An `ok` endpoint has no finding; a `warn` one (one dead ENI of
        // three) may still need a rule.
        let Some(finding) = assessed.judgement.finding else {
            continue;
        };
        let subject = Subject {
            assessed,
            attempts: assessed.attempts(),
            finding,
            task_region: &assessment.task_region,
        };
        for r in for_endpoint(&subject) {
            if !out.iter().any(|o| o.action == r.action) {
                out.push(r);
            }
        }
    }
    out
}

/// A connect (TCP) that timed out.
fn timed_out(a: &Attempt<'_>) -> bool {
    matches!(a.failure(), Some((Phase::Tcp, f)) if f.kind == FailureKind::Timeout)
}

fn for_endpoint(s: &Subject<'_>) -> Vec<Remedy> {
    let finding = s.finding;
    let mut out = Vec::new();
    match finding {
        Finding::PrivateConnectTimeout => {
            let private = s
                .attempts
                .iter()
                .filter(|a| a.class.class == AddressClass::Private);
            for a in private.filter(|a| timed_out(a)) {
                out.push(s.remedy(Action::TaskEgressToAddress {
                    cidr: IpNet::from(a.ip),
                    port: s.port(),
                }));
            }
            out.extend(endpoint_ingress(s));
        }
        Finding::PublicConnectTimeout | Finding::PublicPath | Finding::S3ConnectTimeout
            if s.through_nat64() =>
        {
            // DNS64 answered for want of an AAAA record in the VPC: an
            // interface endpoint whose DNS serves IPv6 gives it one (S3
            // included: NAT64 never uses the gateway endpoint, so neither
            // the prefix list nor a gateway endpoint would help). Before the
            // S3 arm below, as the paragraph decides it.
            out.extend(interface_endpoint(s, Some(IpAddressType::Dualstack)));
        }
        // A VPC's S3 prefix list and gateway endpoint serve its own region
        // (another region's S3 is judged as an interface service, which a
        // cross-Region interface endpoint may serve: the arm below).
        Finding::S3ConnectTimeout => {
            if let Some(endpoint_service) = s.local_endpoint_service() {
                out.push(s.remedy(Action::TaskEgressToPrefixList {
                    prefix_list: PrefixList {
                        service: endpoint_service.service,
                        region: endpoint_service.region.clone(),
                    },
                    port: s.port(),
                }));
                out.push(s.remedy(Action::GatewayEndpoint {
                    endpoint_service,
                    route_table_association: true,
                }));
            }
        }
        Finding::PublicConnectTimeout | Finding::PublicPath => {
            out.extend(interface_endpoint(s, None));
        }
        Finding::Ipv6EgressBlocked | Finding::Ipv4EgressBlocked => {
            out.extend(family_rules(s));
        }
        Finding::DnsTcpBlocked => out.push(s.remedy(Action::DnsSettings {
            change: DnsChange::AllowTcp53,
        })),
        Finding::DnsNoAddresses => out.push(s.remedy(Action::DnsSettings {
            change: DnsChange::ShadowingZone,
        })),
        Finding::DnsNxdomain
        | Finding::DnsResolverUnreachable
        | Finding::DnsServfail
        | Finding::DnsRefused => out.push(s.remedy(Action::DnsSettings {
            change: DnsChange::AmazonResolver,
        })),
        // An unclassified DNS failure: its paragraph names no cause, so
        // there is no change to propose either.
        _ => {}
    }
    out
}

/// The interface endpoint to create (or to switch private DNS on for),
/// when one in this VPC would serve the name: of the task's region, or
/// cross-Region for another region's service that takes one (never a
/// gateway endpoint for another region's S3).
fn interface_endpoint(s: &Subject<'_>, ip_type: Option<IpAddressType>) -> Option<Remedy> {
    let service_region = match s.serving()? {
        Serving::SameRegion { .. } => None,
        Serving::CrossRegion { .. } => Some(s.assessed.endpoint.region.clone()),
        Serving::None { .. } | Serving::Unknown => return None,
    };
    Some(s.remedy(Action::InterfaceEndpoint {
        endpoint_service: s.endpoint_service()?,
        private_dns_enabled: true,
        dns_record_ip_type: ip_type,
        service_region,
    }))
}

/// The reminder to check the endpoint's own security group.
fn endpoint_ingress(s: &Subject<'_>) -> Option<Remedy> {
    let endpoint_service = s.endpoint_service()?;
    Some(s.remedy(Action::EndpointIngressFromTask {
        endpoint_service,
        port: s.port(),
    }))
}

/// One family's addresses failed to connect while the other's worked, by
/// where they are: endpoint ENIs get the task's egress to each and the
/// endpoint's ingress to check; NAT64 addresses the dual-stack interface
/// endpoint that gives the name an AAAA record (cross-Region for another
/// region's service that takes one), as the paragraph asks; public addresses nothing
/// (their way out is a route, which no action types, and the paragraph
/// lists the causes in order because the evidence does not decide).
fn family_rules(s: &Subject<'_>) -> Vec<Remedy> {
    let blocked = if s.finding == Finding::Ipv6EgressBlocked {
        Family::Ipv6
    } else {
        Family::Ipv4
    };
    let failed: Vec<std::net::IpAddr> = s
        .attempts
        .iter()
        .filter(|a| a.class.family == blocked && matches!(a.failure(), Some((Phase::Tcp, _))))
        .map(|a| a.ip)
        .collect();
    match diagnose::blocked_at(s.assessed.classes(), &failed) {
        BlockedAt::Enis => {
            let mut out: Vec<Remedy> = failed
                .iter()
                .map(|ip| {
                    s.remedy(Action::TaskEgressToAddress {
                        cidr: IpNet::from(*ip),
                        port: s.port(),
                    })
                })
                .collect();
            out.extend(endpoint_ingress(s));
            out
        }
        BlockedAt::Nat64 => interface_endpoint(s, Some(IpAddressType::Dualstack))
            .into_iter()
            .collect(),
        BlockedAt::Public => Vec::new(),
    }
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
        let d = e.diagnosis.as_deref().unwrap();
        assert!(d.contains("carries no NAT64 traffic"), "{d}");
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
            let d = judgement.diagnosis.as_deref().unwrap();
            assert!(d.contains("PrivateLink does not carry"), "{d}");
            assert!(d.contains("api.ecr.ap-northeast-1.amazonaws.com"), "{d}");
            assert!(!d.contains("Create the interface endpoint"), "{d}");
            assert!(remedies(&assessment).is_empty(), "{ip}: {d}");
        }
    }

    /// One family blocked away from endpoint ENIs. At public addresses
    /// the evidence does not decide between the route, the security group
    /// and the network ACLs: the paragraph lists them in order, no endpoint
    /// security group, and `fix` proposes nothing it cannot stand behind.
    /// At NAT64 addresses: the dual-stack interface endpoint, in both.
    #[test]
    fn a_family_blocked_away_from_endpoint_enis() {
        let cases = [
            (
                Service::S3,
                "52.219.41.3",
                "2600:1fa0:80c4::34db:2903",
                "S3 gateway endpoint does not carry IPv6",
            ),
            (
                Service::Ssm,
                "10.0.1.20",
                "2600:1f18::1",
                "a route for ::/0 to an egress-only",
            ),
        ];
        for (service, v4, v6, says) in cases {
            let assessment = World::new(Kind::Aws(service), TASK_REGION)
                .answer(&[(v4, Outcome::Pass), (v6, Outcome::TcpTimeout)])
                .assessment();
            let judgement = &assessment.endpoints[0].judgement;
            assert_eq!(judgement.finding, Some(Finding::Ipv6EgressBlocked), "{v6}");
            let d = judgement.diagnosis.as_deref().unwrap();
            assert!(d.contains(says) && d.contains("in order"), "{d}");
            assert!(!d.contains("ingress TCP 443 from the task"), "{d}");
            assert!(remedies(&assessment).is_empty(), "{d}");
        }
        let assessment = World::new(Kind::Aws(Service::Logs), TASK_REGION)
            .answer(&[
                ("10.0.1.20", Outcome::Pass),
                ("64:ff9b::3401:203", Outcome::TcpTimeout),
            ])
            .assessment();
        let d = assessment.endpoints[0]
            .judgement
            .diagnosis
            .as_deref()
            .unwrap();
        assert!(d.contains("dualstack") && d.contains("64:ff9b::/96"), "{d}");
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
            "{d}"
        );
    }
}
