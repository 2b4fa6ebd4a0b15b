//! Names this VPC's endpoints cannot serve, whatever is created in it: a
//! service in another region than the task's, STS's global name, and ECR's
//! dual-stack names. Their
//! paragraphs say what to change instead (a route, a setting, a region),
//! never an endpoint to create here.

use std::net::IpAddr;

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
    Judgement {
        finding: Some(finding),
        diagnosis: Some(Explainer { facts, policy }.explain(finding, evidence)),
        ..judged
    }
}

use crate::catalog::names::{NotServed, Serving, serving};
pub use crate::catalog::names::{ecr_dualstack_name, served_here};

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
        let reached = if nat64.is_empty() {
            format!("public addresses ({ips})")
        } else {
            format!("NAT64 addresses DNS64 synthesised ({})", nat64.join(", "))
        };
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

    /// Whether `finding`'s paragraph is [`Self::ecr_dualstack`]'s: an ECR
    /// dual-stack name of the task's region on a public path or timed out
    /// there (another region's is [`Self::other_region`]'s).
    pub(super) fn says_ecr_dualstack(&self, finding: Finding) -> bool {
        matches!(finding, Finding::PublicConnectTimeout | Finding::PublicPath)
            && self.facts.region == self.facts.task_region
            && ecr_dualstack_name(self.facts.service, self.facts.host)
    }

    /// A service of another region: served by a cross-Region interface
    /// endpoint where the service takes one ([`serving`]), else reached
    /// through a NAT or not at all.
    pub(super) fn other_region(
        &self,
        finding: Finding,
        ips: &str,
        nat64: &[String],
        after: &str,
    ) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let region = self.facts.region;
        let task = self.facts.task_region;
        let name = self.facts.service.map_or("the service", |s| s.name());
        let what = if finding == Finding::PublicPath {
            format!("it was reached over public addresses ({ips}), which --expect private forbids")
        } else {
            format!("TCP connections to {ips} port {port} timed out{after}")
        };
        let served = self.facts.service.map(|s| serving(s, region, task, host));
        if let Some(Serving::CrossRegion { endpoint_service }) = served {
            let ipv6 = if nat64.is_empty() {
                ""
            } else {
                " and a DNS record IP type that serves IPv6 (dualstack or ipv6), as the name \
                 was answered by DNS64"
            };
            let gateway = if self.facts.role() == crate::classify::EndpointRole::Gateway {
                " (an interface endpoint: a gateway endpoint and its prefix list serve only \
                 their own region)"
            } else {
                ""
            };
            return format!(
                "{host} is {name} in {region}, not in the task's region {task}, and {what}: no \
                 endpoint in this VPC serves it yet. {name} takes cross-Region interface \
                 endpoints (PrivateLink across Regions): create the cross-Region interface \
                 endpoint {endpoint_service}{gateway} in this VPC, with service region {region}, \
                 private DNS{ipv6} (the principal that creates it needs vpce:AllowMultiRegion); \
                 its names then resolve to endpoint addresses here. Otherwise give the subnet a \
                 route to a NAT gateway, or move what the task uses into {task} (an ECR \
                 registry in {task}, with replication from {region})."
            );
        }
        let why = match served {
            Some(Serving::None {
                why: NotServed::OtherPartition,
            }) => format!("{region} is in another partition than {task}"),
            _ => format!(
                "{name} takes no cross-Region interface endpoint, and the endpoints and prefix \
                 lists of this VPC serve only {task}'s names"
            ),
        };
        format!(
            "{host} is {name} in {region}, not in the task's region {task}: {why}, so this one \
             is reached through a NAT or internet gateway or not at all, and {what}. Give the \
             subnet a route to a NAT gateway, or move what the task uses into {task} (the \
             container's awslogs-region; an ECR registry in {task}, with replication from \
             {region})."
        )
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
