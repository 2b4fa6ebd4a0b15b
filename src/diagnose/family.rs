//! One family's addresses fail to connect while the other family's
//! handshakes pass. Where they are decides the paragraph: endpoint ENIs
//! (the family's security-group and network-ACL rules on both sides),
//! NAT64 addresses (the name has no AAAA record inside the VPC), or public
//! addresses (the family's way out, which the evidence cannot single out).

use std::net::IpAddr;

use super::cause::{Cause, WayOut};
use super::prose::Explainer;
use super::{Classes, Finding};
use crate::classify::{AddressClass, Family};

/// Where the addresses of a blocked family are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlockedAt {
    /// Endpoint ENIs or other private addresses (any private one among them).
    Enis,
    /// Every one synthesised by DNS64.
    Nat64,
    /// Public addresses.
    Public,
}

/// Where `blocked` (the failing family's addresses) are.
pub fn blocked_at(classes: &Classes, blocked: &[IpAddr]) -> BlockedAt {
    let classes: Vec<_> = blocked.iter().filter_map(|ip| classes.get(*ip)).collect();
    if classes.is_empty() || classes.iter().any(|c| c.class != AddressClass::Public) {
        BlockedAt::Enis
    } else if classes.iter().all(|c| c.nat64().is_some()) {
        BlockedAt::Nat64
    } else {
        BlockedAt::Public
    }
}

impl Explainer<'_> {
    /// The paragraph of [`Finding::Ipv6EgressBlocked`] and
    /// [`Finding::Ipv4EgressBlocked`], by where the blocked addresses are.
    pub(super) fn family_blocked(
        &self,
        finding: Finding,
        causes: &[Cause],
        blocked_ips: &[IpAddr],
        detail: &str,
    ) -> String {
        let ips = &super::prose::join_ips(blocked_ips.iter().copied());
        let host = self.facts.host;
        let port = self.facts.port;
        let blocked = if finding == Finding::Ipv6EgressBlocked {
            Family::Ipv6
        } else {
            Family::Ipv4
        };
        let (fam, works, anywhere) = (blocked.name(), blocked.other().name(), blocked.anywhere());
        let tail = format!(
            "Calls still work over {works}, but a client that tries {fam} first waits for each \
             timeout."
        );
        match causes.first() {
            Some(Cause::TaskEgress { .. }) => format!(
                "{host}'s {works} addresses handshake, but TCP connections to its {fam} \
                 addresses ({ips}) port {port} failed{detail}: security groups and network \
                 ACLs carry separate {fam} rules, and the {fam} ones are missing. Allow \
                 egress TCP {port} to {anywhere} (or to the endpoint subnets' {fam} CIDRs) \
                 in the task's security group, allow {fam} ingress TCP {port} from the \
                 task's subnet in the endpoint's security group, and add {fam} entries to \
                 the network ACLs of both subnets. {tail}"
            ),
            Some(
                first @ (Cause::EndpointMissing { .. } | Cause::NoWayOut { via: WayOut::Nat64 }),
            ) => {
                let nat = super::prose::nat64_pairs(blocked_ips);
                // The endpoint the judge found can serve the name, if any.
                let fix = match first {
                    Cause::EndpointMissing {
                        endpoint_service,
                        service_region: None,
                        ..
                    } => format!(
                        "To keep {fam} calls inside the VPC, create the interface endpoint \
                         {endpoint_service} with private DNS and a DNS record IP type that serves \
                         IPv6 (dualstack or ipv6), so the name gets an AAAA record on endpoint \
                         addresses; or route 64:ff9b::/96 to a NAT gateway in a public subnet \
                         (NAT64), which leaves the VPC."
                    ),
                    Cause::EndpointMissing {
                        endpoint_service, ..
                    } => format!(
                        "To keep {fam} calls inside the VPC, create {}, so the name gets an AAAA \
                         record on endpoint addresses; or route 64:ff9b::/96 to a NAT gateway in \
                         a public subnet (NAT64), which leaves the VPC.",
                        self.cross_region_endpoint(&endpoint_service.name, true)
                    ),
                    _ => "Route 64:ff9b::/96 to a NAT gateway in a public subnet (NAT64), or give \
                          the name an AAAA record the task can reach."
                        .to_owned(),
                };
                format!(
                    "{host}'s {works} addresses handshake, but its {fam} addresses are NAT64 \
                     addresses DNS64 synthesised ({nat}) and TCP connections to them on port \
                     {port} failed{detail}: the name has no AAAA record inside the VPC, and \
                     nothing carries 64:ff9b::/96 out. {fix} {tail}",
                    nat = nat.join(", ")
                )
            }
            _ => {
                let order = if matches!(causes.first(), Some(Cause::GatewayFamily { .. })) {
                    format!(
                        "the S3 gateway endpoint does not carry {fam} (its IP address type \
                         decides the families it carries) and no other {fam} route leads out; \
                         the task's security group lacks {fam} egress TCP {port} to S3's \
                         prefix list; the network ACLs lack {fam} entries"
                    )
                } else {
                    let route = match blocked {
                        Family::Ipv6 => {
                            "::/0 to an egress-only internet gateway or internet gateway"
                        }
                        Family::Ipv4 => {
                            "0.0.0.0/0 to a NAT gateway, or an internet gateway with a public IP"
                        }
                    };
                    format!(
                        "the subnet's route table has no {fam} way out (a route for {route}); \
                         the task's security group lacks a {fam} egress rule for TCP {port} (to \
                         {anywhere}); the network ACLs lack {fam} entries"
                    )
                };
                format!(
                    "{host}'s {works} addresses handshake, but TCP connections to its public \
                     {fam} addresses ({ips}) port {port} failed{detail}. They are not endpoint \
                     ENIs, so no endpoint security group is involved, and the probe cannot \
                     tell which of these it is; in order: {order}. {tail}"
                )
            }
        }
    }
}
