//! Names that no endpoint of the task's region serves: a service in another
//! region than the task's (which a cross-Region interface endpoint may
//! serve, as the catalog says), STS's global name, and ECR's dual-stack
//! names. Their paragraphs say what to create where something can serve
//! the name, and what to change instead (a route, a setting, a region)
//! where nothing can.

use std::net::IpAddr;

use super::cause::{EndpointService, Unserved};
use super::prose::{Evidence, Explainer};
use super::{AddressClass, Facts, Finding, Judgement, Policy};

/// STS's global name leaving the VPC or unreachable: no interface endpoint
/// serves it, so the finding is the SDK setting that sends calls there,
/// not an endpoint to create.
pub(super) fn global_sts(facts: &Facts<'_>, policy: Policy, judged: Judgement) -> Judgement {
    let outside = matches!(
        judged.finding,
        Some(Finding::PublicPath | Finding::PublicConnectTimeout | Finding::NetworkUnreachable)
    );
    if !(outside && crate::catalog::names::is_global_sts(facts.host)) {
        return judged;
    }
    let public: Vec<IpAddr> = facts
        .addresses
        .iter()
        .filter(|a| a.class.class == AddressClass::Public)
        .map(|a| a.ip)
        .collect();
    let failure = facts
        .addresses
        .iter()
        .find_map(|a| a.failure().map(|(_, f)| f));
    let evidence = Evidence {
        ips: &public,
        failure,
        cert: None,
    };
    let finding = Finding::StsGlobalEndpoint;
    Judgement::of(
        judged.status,
        judged.path,
        finding,
        Explainer { facts, policy }.explain(finding, evidence),
    )
}

use crate::catalog::Service;
pub use crate::catalog::names::ecr_dualstack_name;
use crate::catalog::names::{NotServed, Serving, serving};

impl Facts<'_> {
    /// What in this VPC can serve the name, asked of the catalog; `None`
    /// for what is not an AWS service.
    pub fn serving(&self) -> Option<Serving> {
        self.service
            .map(|s| serving(s, self.region, self.task_region, self.host))
    }

    /// Whether the name is another region's (or partition's): one that a
    /// cross-Region interface endpoint serves, or nothing in this VPC.
    pub fn elsewhere(&self) -> bool {
        matches!(
            self.serving(),
            Some(
                Serving::CrossRegion { .. }
                    | Serving::None {
                        why: NotServed::OtherRegion | NotServed::OtherPartition
                    }
            )
        )
    }
}

impl Explainer<'_> {
    /// ECR's dual-stack names, which no VPC endpoint serves: the way out for
    /// a timeout, the IPv4 names for a private path.
    pub(super) fn ecr_dualstack(
        &self,
        finding: Finding,
        ips: &str,
        nat64: &[String],
        after: &str,
    ) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let reached = super::prose::reached_over(ips, nat64);
        let no_endpoint = self.ecr_dualstack_sentence();
        let private = "To keep pulls inside the VPC, pull by the IPv4 names through those \
            interface endpoints (for an IPv6-only task, with a DNS record IP type that serves \
            IPv6) and the S3 gateway endpoint.";
        if finding == Finding::PublicPath {
            return format!(
                "{host} was reached over {reached}: the traffic leaves the VPC, and --expect \
                 private forbids that. {no_endpoint} {private}"
            );
        }
        let way_out = if nat64.is_empty() {
            "a route to a NAT gateway (0.0.0.0/0) or, for IPv6 addresses, to an egress-only \
             internet gateway (::/0)"
        } else {
            "a route for 64:ff9b::/96 to a NAT gateway in a public subnet (NAT64)"
        };
        format!(
            "{host} resolved to {reached} and TCP connections to port {port} timed out{after}. \
             {no_endpoint} It needs a way out of the VPC: {way_out}, and the security group's \
             egress to it. {private}"
        )
    }

    /// What holds for ECR's dual-stack names, said once: no VPC endpoint
    /// serves them.
    pub(super) fn ecr_dualstack_sentence(&self) -> String {
        let host = self.facts.host;
        let region = self.facts.region;
        let suffix = region.partition().dns_suffix();
        format!(
            "{host} is Amazon ECR's dual-stack name, and ECR's user guide says PrivateLink does \
             not carry its dual-stack names: the ecr.api and ecr.dkr interface endpoints answer \
             only the IPv4 names (api.ecr.{region}.{suffix}, ACCOUNT.dkr.ecr.{region}.{suffix}), \
             so no VPC endpoint serves this name."
        )
    }

    /// A service of another region (or partition), as [`serving`] answers
    /// for it: the cross-Region interface endpoint first where the service
    /// takes one, else no endpoint; a NAT route (for a timeout) or moving
    /// what the task uses into its region as the alternatives.
    pub(super) fn other_region(
        &self,
        finding: Finding,
        serving: Result<(&EndpointService, bool), Unserved>,
        ips: &str,
        nat64: &[String],
        after: &str,
    ) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let region = self.facts.region;
        let task = self.facts.task_region;
        let name = self.facts.service.map_or("the service", |s| s.name());
        let public = finding == Finding::PublicPath;
        let what = if public {
            format!("it was reached over public addresses ({ips}), which --expect private forbids")
        } else {
            format!("TCP connections to {ips} port {port} timed out{after}")
        };
        let nat = if nat64.is_empty() {
            "a 0.0.0.0/0 route to a NAT gateway"
        } else {
            "a route for 64:ff9b::/96 to a NAT gateway in a public subnet (NAT64)"
        };
        let moved = self.moved_into_task_region();
        if let Ok((endpoint_service, dualstack)) = serving {
            let endpoint = self.cross_region_endpoint(&endpoint_service.name, dualstack);
            let otherwise = if public {
                format!("move {moved}")
            } else {
                format!("give the subnet {nat}, which leaves the VPC, or move {moved}")
            };
            return format!(
                "{host} is {name} in {region}, not in the task's region {task}, and {what}: no \
                 endpoint in this VPC serves it. {name} takes cross-Region interface endpoints \
                 (PrivateLink across Regions): create {endpoint}, so that its names resolve to \
                 endpoint addresses in this VPC. Otherwise {otherwise}."
            );
        }
        let why = match serving {
            Err(Unserved::OtherPartition) => format!(
                "{region} is in the {} partition and the task in {}, and no endpoint serves \
                 another partition's names",
                region.partition().name(),
                task.partition().name()
            ),
            _ => format!(
                "{name} takes no cross-Region interface endpoint, so no endpoint in this VPC \
                 serves {region}'s {name}"
            ),
        };
        let fix = if public {
            format!("To keep it inside the VPC, move {moved}")
        } else {
            format!("Give the subnet {nat}, or move {moved}")
        };
        format!(
            "{host} is {name} in {region}, not in the task's region {task}, and {what}. {why}: \
             it is reached through a NAT or internet gateway or not at all. {fix}."
        )
    }

    /// "the cross-Region interface endpoint ... in this VPC, with service
    /// region ...": what to create for another region's name that one
    /// serves (in the paragraphs of a timeout, a public path, and a family
    /// blocked at NAT64 addresses).
    pub(super) fn cross_region_endpoint(&self, endpoint_service: &str, ipv6: bool) -> String {
        let region = self.facts.region;
        let task = self.facts.task_region;
        let ipv6 = if ipv6 {
            ", and a DNS record IP type that serves IPv6 (dualstack or ipv6) since DNS64 \
             answered the name"
        } else {
            ""
        };
        let gateway = if self.facts.service.is_some_and(Service::is_gateway) {
            " (an interface endpoint: a gateway endpoint and its prefix list serve only their \
             own region)"
        } else {
            ""
        };
        format!(
            "the cross-Region interface endpoint {endpoint_service}{gateway} in this VPC (in \
             {task}), with service region {region} and private DNS enabled{ipv6} (whoever \
             creates it needs the permission vpce:AllowMultiRegion, in their IAM policy and any \
             SCP)"
        )
    }

    /// What moves into the task's region so that its own endpoints serve it.
    fn moved_into_task_region(&self) -> String {
        let region = self.facts.region;
        let task = self.facts.task_region;
        match self.facts.service {
            Some(Service::EcrApi | Service::EcrDkr | Service::S3) => format!(
                "the image into {task} (an ECR registry in {task}, with replication from {region})"
            ),
            Some(Service::Logs) => {
                format!("the logs into {task} (the container's awslogs-region)")
            }
            _ => format!(
                "what the task calls into {task} (the region its AWS SDK uses, and the resources \
                 it names)"
            ),
        }
    }

    /// STS's global name, which the app's SDK calls under `legacy`.
    pub(super) fn global_sts(&self, ips: &str, failed: bool, detail: &str) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        format!(
            "{host} is STS's global name, which no interface endpoint serves, and {what}. The \
             app's AWS SDK calls it because its STS setting is legacy \
             (AWS_STS_REGIONAL_ENDPOINTS or sts_regional_endpoints in the config file). Set it \
             to regional, the default of current SDKs, so that the SDK calls \
             sts.{region}.{suffix}, the name the STS interface endpoint of this region answers.",
            what = if failed {
                format!("connections to {ips} port {port} failed{detail}")
            } else {
                format!(
                    "it was reached over public addresses ({ips}): the traffic leaves the VPC \
                     through a NAT or internet gateway"
                )
            },
            region = self.facts.region,
            suffix = self.facts.region.partition().dns_suffix()
        )
    }
}
