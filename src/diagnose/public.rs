//! The paragraphs of public addresses that timed out or were reached
//! under `--expect private`, and of a registry no address reached: which
//! one is read from the first cause the judge decided.

use super::Finding;
use super::cause::{Cause, EndpointService, Unserved, WayOut};
use super::prose::{Evidence, Explainer, join_ips, nat64_pairs};

impl Explainer<'_> {
    /// Public addresses timed out or were reached under `--expect private`,
    /// by the first cause: what serves the name, else the way out.
    pub(super) fn public(
        &self,
        finding: Finding,
        causes: &[Cause],
        evidence: Evidence<'_>,
    ) -> String {
        let ips = join_ips(evidence.ips.iter().copied());
        let nat64 = nat64_pairs(evidence.ips);
        let (after, _) = self.waited();
        let timed_out = finding != Finding::PublicPath;
        match causes.first() {
            Some(Cause::EndpointMissing {
                endpoint_service,
                service_region: Some(_),
                dualstack,
            }) => self.other_region(
                finding,
                Ok((endpoint_service, *dualstack)),
                &ips,
                &nat64,
                &after,
            ),
            Some(Cause::NotServed {
                why: why @ (Unserved::OtherRegion | Unserved::OtherPartition),
            }) => self.other_region(finding, Err(*why), &ips, &nat64, &after),
            Some(Cause::NotServed {
                why: Unserved::EcrDualstack,
            }) => self.ecr_dualstack(finding, &ips, &nat64, &after),
            Some(Cause::NotServed {
                why: Unserved::FipsUnknown,
            }) => self.fips_unknown(finding, &ips, &nat64, &after),
            Some(Cause::NoWayOut { via: WayOut::Nat64 }) => {
                self.nat64_timeout(None, &nat64, &after)
            }
            Some(Cause::EndpointMissing {
                endpoint_service,
                dualstack: true,
                ..
            }) if timed_out => self.nat64_timeout(Some(endpoint_service), &nat64, &after),
            Some(Cause::EndpointMissing {
                endpoint_service,
                dualstack,
                ..
            }) => {
                self.endpoint_missing(finding, endpoint_service, *dualstack, &ips, &nat64, &after)
            }
            Some(Cause::GatewayRouteMissing { endpoint_service }) => {
                self.s3_timeout(endpoint_service, &ips, &after)
            }
            Some(Cause::NotServed {
                why: Unserved::Registry,
            }) => self.registry_path(&ips),
            _ if timed_out => self.no_way_out(&ips, &after),
            _ => self.not_aws_path(&ips),
        }
    }

    fn nat64_timeout(
        &self,
        endpoint: Option<&EndpointService>,
        nat64: &[String],
        after: &str,
    ) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let s3 = endpoint.is_some_and(|e| e.service.is_gateway());
        format!(
            "{host} has no AAAA record inside the VPC, so DNS64 synthesised NAT64 \
             addresses ({nat}) and TCP connections to port {port} timed out{after}: \
             nothing carries 64:ff9b::/96 out. NAT64 runs on a NAT gateway: route \
             64:ff9b::/96 to a NAT gateway in a public subnet{gateway}. To stay inside \
             the VPC instead, create {endpoint} with private DNS and a DNS record IP \
             type that serves IPv6 (dualstack or ipv6), so the name gets an AAAA record \
             on endpoint addresses.",
            nat = nat64.join(", "),
            gateway = if s3 {
                " (the S3 gateway endpoint carries no NAT64 traffic)"
            } else {
                ""
            },
            endpoint = endpoint.map_or_else(
                || "an interface endpoint for it".to_owned(),
                |e| format!("the interface endpoint {e}")
            )
        )
    }

    /// An AWS service's name at public addresses that an interface endpoint
    /// of the task's region would serve.
    fn endpoint_missing(
        &self,
        finding: Finding,
        svc: &EndpointService,
        dualstack: bool,
        ips: &str,
        nat64: &[String],
        after: &str,
    ) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        if finding == Finding::PublicConnectTimeout {
            return format!(
                "{host} resolved to public addresses ({ips}) and TCP connections to port {port} \
                 timed out{after}. This subnet has no way out to public AWS endpoints, \
                 and the name is not served by an interface endpoint: either the VPC endpoint \
                 {svc} does not exist, or it exists with private DNS turned off, so the name \
                 still resolves to public addresses. Create the endpoint, or enable its private \
                 DNS (the VPC needs enableDnsSupport and enableDnsHostnames). If the task is \
                 meant to go out through NAT instead, add a 0.0.0.0/0 route to a NAT gateway in \
                 the subnet's route table."
            );
        }
        if dualstack {
            return format!(
                "{host} was reached over NAT64 ({nat}): the name has no AAAA record inside the \
                 VPC, so Route 53 Resolver's DNS64 synthesised one from its public IPv4 address, \
                 and the traffic leaves the VPC through NAT64 on a NAT gateway{gateway}; \
                 --expect private forbids that. Create the interface endpoint {svc} with private \
                 DNS and a DNS record IP type that serves IPv6 (dualstack or ipv6; its subnets \
                 need IPv6 CIDRs), so the name gets an AAAA record on endpoint addresses inside \
                 the VPC.",
                nat = nat64.join(", "),
                gateway = if svc.service.is_gateway() {
                    ", never through the S3 gateway endpoint"
                } else {
                    ""
                }
            );
        }
        format!(
            "{host} was reached over public addresses ({ips}): this traffic leaves the VPC \
             through a NAT or internet gateway, and --expect private forbids that. Create \
             the interface endpoint {svc} with private DNS enabled so the name resolves to \
             endpoint addresses inside the VPC."
        )
    }

    fn no_way_out(&self, ips: &str, after: &str) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        format!(
            "{host} resolved to public addresses ({ips}) and TCP connections to port {port} \
             timed out{after}: packets to the internet are dropped. Check the \
             subnet's route to a NAT or internet gateway, the security group's egress rules \
             and the network ACLs."
        )
    }

    fn s3_timeout(&self, svc: &EndpointService, ips: &str, after: &str) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        format!(
            "{host} resolved to public S3 addresses ({ips}) and TCP connections to port \
             {port} timed out{after}. S3 is reached through a gateway endpoint, a \
             route-table entry, so either the subnet's route table has no route to the \
             gateway endpoint {svc} (and no NAT), or the task's security group egress does \
             not allow TCP 443 to the S3 managed prefix list (com.amazonaws.{region}.s3, \
             pl-...). ECR image layers come from S3: this is the CannotPullContainerError \
             that follows a successful manifest fetch.",
            region = svc.region
        )
    }

    fn registry_path(&self, ips: &str) -> String {
        let host = self.facts.host;
        format!(
            "{host} was reached over public addresses ({ips}): image pulls from it leave the \
             VPC through a NAT or internet gateway, and --expect private forbids that. A \
             registry outside AWS has no VPC endpoint; pull through an ECR pull-through \
             cache rule (the task's own registry, served by the ecr.api, ecr.dkr and S3 \
             endpoints) or copy the image into ECR."
        )
    }

    fn not_aws_path(&self, ips: &str) -> String {
        let host = self.facts.host;
        format!(
            "{host} was reached over public addresses ({ips}): this traffic leaves the VPC \
             through a NAT or internet gateway, and --expect private forbids that. {host} \
             is not an AWS service, so no AWS interface endpoint serves it: to keep it \
             private, reach it through its provider's PrivateLink endpoint service (an \
             interface endpoint to that service name, with a private DNS name or a private \
             hosted zone for {host}), or run it inside the VPC."
        )
    }

    pub(super) fn registry(&self, evidence: Evidence<'_>) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let ips = join_ips(evidence.ips.iter().copied());
        format!(
            "{host} is a container registry with no VPC endpoint, and the task could not \
             reach it{seen}: an isolated subnet cannot pull its images. Ways out: route the \
             subnet's 0.0.0.0/0 to a NAT gateway; or create an ECR pull-through cache rule \
             for it (ECR caches ECR Public, Docker Hub, Quay, registry.k8s.io, GitHub, \
             GitLab, Azure and Chainguard registries) and reference the image through the \
             task's own registry, ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX/..., which \
             the ecr.api, ecr.dkr and S3 endpoints serve (the first pull of each image \
             through the cache still needs a way out); or copy the image into ECR.",
            seen = match (evidence.ips.is_empty(), evidence.failure) {
                (true, Some(f)) => format!(" (resolving it failed: {})", f.detail),
                (false, Some(f)) => format!(" ({ips} port {port}: {})", f.detail),
                (_, None) => String::new(),
            }
        )
    }
}
