//! One cause, said once: endpoints whose first causes are the same cause
//! (the same resolver, the same missing way out, the same inspecting CA)
//! are grouped, and the group gets one paragraph, written from the causes'
//! values alone (never from one endpoint's facts), so that it holds for
//! every endpoint it lists.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use super::Finding;
use super::cause::{Cause, WayOut};
use super::prose::join_ips;
use crate::classify::Family;

impl Cause {
    /// Whether `self` and `other`, the first causes of two endpoints, are
    /// one cause: the same variant with the same shared part. What is each
    /// endpoint's own (its endpoint service, its addresses) may differ.
    pub fn shares(&self, other: &Self) -> bool {
        use Cause as C;
        match (self, other) {
            (
                C::EndpointMissing {
                    service_region: a,
                    dualstack: x,
                    ..
                },
                C::EndpointMissing {
                    service_region: b,
                    dualstack: y,
                    ..
                },
            ) => a.is_some() == b.is_some() && x == y,
            (C::TaskEgress { port: a, .. }, C::TaskEgress { port: b, .. })
            | (C::EndpointIngress { port: a, .. }, C::EndpointIngress { port: b, .. }) => a == b,
            (C::GatewayRouteMissing { .. }, C::GatewayRouteMissing { .. })
            | (C::NoRoute { .. }, C::NoRoute { .. })
            | (C::RoutesToOtherNetwork { .. }, C::RoutesToOtherNetwork { .. })
            | (C::FipsNameMissing { .. }, C::FipsNameMissing { .. }) => true,
            _ => self == other,
        }
    }
}

fn resolver(nameservers: &[SocketAddr]) -> String {
    if nameservers.is_empty() {
        "the task's resolver".to_owned()
    } else {
        nameservers
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join(", ")
    }
}

fn family_name(family: Option<Family>) -> &'static str {
    family.map_or("", |f| match f {
        Family::Ipv4 => "IPv4 ",
        Family::Ipv6 => "IPv6 ",
    })
}

/// The paragraph of the causes shared by the endpoints `names`: `lists`
/// are each endpoint's causes (one list of causes, [`Cause::shares`]
/// pairwise), most likely first. The first is said in full; the others
/// follow in order, so nothing an endpoint's own paragraph ranks is lost.
pub fn paragraph(finding: Finding, lists: &[&[Cause]], names: &[String]) -> String {
    let at = |i: usize| -> Vec<&Cause> { lists.iter().filter_map(|l| l.get(i)).collect() };
    let mut text = format!(
        "One cause explains {} endpoints ({}, finding {}): ",
        names.len(),
        names.join(", "),
        finding.code()
    );
    text.push_str(&what(&at(0)));
    let later: Vec<String> = (1..lists.first().map_or(0, |l| l.len()))
        .map(|i| what(&at(i)))
        .filter(|s| !s.is_empty())
        .collect();
    if !later.is_empty() {
        text.push_str(" If not, in order: ");
        text.push_str(&later.join(" Then: "));
    }
    text
}

/// The addresses every cause of the group names, in order, without repeats.
fn addresses(causes: &[&Cause]) -> Vec<IpAddr> {
    let mut out: Vec<IpAddr> = Vec::new();
    for c in causes {
        if let Cause::TaskEgress { addresses, .. }
        | Cause::NoRoute { addresses }
        | Cause::RoutesToOtherNetwork { addresses } = c
        {
            for ip in addresses {
                if !out.contains(ip) {
                    out.push(*ip);
                }
            }
        }
    }
    out
}

/// The endpoint services every cause of the group names.
fn endpoint_services(causes: &[&Cause]) -> String {
    let mut names: Vec<String> = Vec::new();
    for c in causes {
        let name = match c {
            Cause::EndpointMissing {
                endpoint_service,
                service_region,
                ..
            } => Some(match service_region {
                Some(r) => format!("{endpoint_service} (service region {r})"),
                None => endpoint_service.to_string(),
            }),
            Cause::GatewayRouteMissing { endpoint_service } => Some(endpoint_service.to_string()),
            Cause::EndpointIngress {
                endpoint_service: Some(e),
                ..
            } => Some(e.to_string()),
            _ => None,
        };
        if let Some(name) = name.filter(|n| !names.contains(n)) {
            names.push(name);
        }
    }
    names.join(", ")
}

/// What the shared cause is and what to change, from its values.
fn what(causes: &[&Cause]) -> String {
    use Cause as C;
    let Some(first) = causes.first() else {
        return String::new();
    };
    match first {
        C::ResolverDoesNotForward { .. }
        | C::ResolverUnreachable { .. }
        | C::ResolverFailing { .. }
        | C::ResolverRefuses { .. }
        | C::DnsTcpBlocked { .. }
        | C::NameWrong
        | C::ShadowingZone
        | C::FipsNameMissing { .. } => dns(first),
        C::EndpointMissing { .. }
        | C::NotServed { .. }
        | C::NoWayOut { .. }
        | C::GatewayRouteMissing { .. }
        | C::PrefixListEgress { .. }
        | C::GatewayFamily { .. } => way(causes),
        C::TaskEgress { .. }
        | C::EndpointIngress { .. }
        | C::TaskEgressAnywhere { .. }
        | C::NetworkAcls { .. }
        | C::RoutesToOtherNetwork { .. }
        | C::NoRoute { .. } => rules(causes),
        _ => other(first),
    }
}

/// The resolver's causes, and the names'.
fn dns(first: &Cause) -> String {
    use Cause as C;
    match first {
        C::ResolverDoesNotForward { resolver: ns } => format!(
            "{} answered NXDOMAIN for every one of these names, which AWS publishes for the \
             region asked: unless the region is wrong (check it), it does not answer AWS names \
             as the Amazon-provided resolver does. Make the custom DNS server or \
             Route 53 Resolver rule forward AWS names to the Amazon-provided resolver (the VPC \
             base address + 2, or 169.254.169.253), where interface endpoints' private DNS names \
             exist, or point the DHCP options set at AmazonProvidedDNS.",
            resolver(ns)
        ),
        C::ResolverUnreachable { resolver: ns } => format!(
            "{} did not answer for any of them. Nothing that needs DNS will work: check \
             enableDnsSupport, the DHCP options set, and for a custom resolver the security \
             groups and network ACLs for UDP and TCP port 53.",
            resolver(ns)
        ),
        C::ResolverFailing { resolver: ns } => format!(
            "{} answered SERVFAIL for each: a custom resolver or a Route 53 Resolver forwarding \
             rule is failing upstream. Point the task at the Amazon-provided resolver or fix the \
             forwarder.",
            resolver(ns)
        ),
        C::ResolverRefuses { resolver: ns } => format!(
            "{} refused to answer for each: allow the VPC CIDR on the resolver or use the \
             Amazon-provided resolver.",
            resolver(ns)
        ),
        C::DnsTcpBlocked { resolver: ns } => format!(
            "the answers from {} were too large for UDP and the retries over TCP failed: allow \
             TCP 53 as well as UDP 53 to the resolver in the security groups and network ACLs.",
            resolver(ns)
        ),
        C::NameWrong => "none of these names exists. Check the names; if they are right, the \
            VPC's resolver does not answer them."
            .to_owned(),
        C::ShadowingZone => "these names exist but have no A or AAAA records: a Route 53 private \
            hosted zone or record associated with the VPC shadows them."
            .to_owned(),
        C::FipsNameMissing { .. } => "these are FIPS names AWS does not list in this region: \
            turn the FIPS setting off for these services, or set their endpoint URLs to names \
            that exist."
            .to_owned(),
        _ => String::new(),
    }
}

/// What would serve the names, and the way out.
fn way(causes: &[&Cause]) -> String {
    use Cause as C;
    let Some(first) = causes.first() else {
        return String::new();
    };
    match first {
        C::EndpointMissing { dualstack, .. } => format!(
            "no interface endpoint with private DNS answers these names in this VPC, so they \
             resolve to public addresses, where this subnet has no way out (or, under --expect \
             private, where the traffic leaves the VPC). Create the interface endpoints {} with \
             private DNS enabled{} (an endpoint that exists with private DNS off looks the same \
             from inside: turn it on; the VPC needs enableDnsSupport and enableDnsHostnames).",
            endpoint_services(causes),
            if *dualstack {
                " and a DNS record IP type that serves IPv6 (dualstack)"
            } else {
                ""
            }
        ),
        C::NotServed { why } => super::unserved::not_served(*why),
        C::NoWayOut { via } => format!(
            "these names resolved to public addresses and the subnet has no way out to them: {}, \
             and the security group's egress to it.",
            way_out(*via)
        ),
        C::GatewayRouteMissing { .. } | C::PrefixListEgress { .. } => format!(
            "S3 is reached through the gateway endpoint {}: the subnet's route table lacks its \
             route, or the task's security group lacks egress TCP 443 to the S3 managed prefix \
             list.",
            endpoint_services(causes)
        ),
        C::GatewayFamily { family } => format!(
            "the S3 gateway endpoint does not carry {}traffic and no other route leads out.",
            family_name(Some(*family))
        ),
        _ => String::new(),
    }
}

/// The security groups', network ACLs' and routes' causes.
fn rules(causes: &[&Cause]) -> String {
    use Cause as C;
    let Some(first) = causes.first() else {
        return String::new();
    };
    match first {
        C::TaskEgress { port, .. } => {
            let services = endpoint_services(causes);
            let whose = if services.is_empty() {
                "their private addresses"
            } else {
                "their interface endpoints' addresses"
            };
            let mut text = format!(
                "TCP connections to {whose} ({}) on port {port} failed: packets are dropped \
                 between the task and those addresses. Allow egress TCP {port} to them (or to \
                 the VPC CIDR) in the task's security group",
                join_ips(addresses(causes).into_iter())
            );
            if !services.is_empty() {
                let _ = write!(
                    text,
                    ", allow ingress TCP {port} from the task's subnet or security group in the \
                     security groups of the endpoints {services}"
                );
            }
            text.push_str(", and check the network ACLs of both subnets.");
            text
        }
        C::EndpointIngress { port, .. } => format!(
            "the endpoints' security groups ({}) lack ingress TCP {port} from the task.",
            endpoint_services(causes)
        ),
        C::TaskEgressAnywhere { family, port } => format!(
            "the task's security group lacks {}egress TCP {port}.",
            family_name(*family)
        ),
        C::NetworkAcls { family } => format!(
            "the network ACLs drop this {}traffic.",
            family_name(*family)
        ),
        C::RoutesToOtherNetwork { .. } | C::NoRoute { .. } => format!(
            "the subnet's route table does not reach their addresses ({}): check the routes \
             both ways.",
            join_ips(addresses(causes).into_iter())
        ),
        _ => String::new(),
    }
}

/// The causes of TLS, proxies and settings.
fn other(first: &Cause) -> String {
    use Cause as C;
    match first {
        C::NameLeadsElsewhere => "the names lead somewhere else than the services (a hosts-file \
            entry, a DNS record or private hosted zone), or the port is wrong."
            .to_owned(),
        C::PathRejects => "a firewall, proxy or appliance on the path rejects these \
            destinations."
            .to_owned(),
        C::TlsInspection { issuer } => match issuer {
            Some(issuer) => format!(
                "their certificates are issued by '{issuer}', not by an Amazon CA: a \
                 TLS-inspecting proxy or firewall re-signs this traffic. If the inspection is \
                 intended, every application in the task must trust that CA; if not, find the \
                 appliance on the path."
            ),
            None => "a proxy or firewall on the path may be intercepting these connections \
                (a TLS-inspecting one re-signs them with its own CA)."
                .to_owned(),
        },
        C::NoCommonTls => "the servers do not speak TLS 1.2 or 1.3 with a common cipher on this \
            port, or a middlebox corrupts the handshakes."
            .to_owned(),
        C::ClockWrong => "the task's clock is wrong.".to_owned(),
        C::DeadlineTooShort => "the run's --deadline passed before they finished; raise \
            --deadline, lower --timeout or probe fewer endpoints at once."
            .to_owned(),
        C::ProxyAuthRequired => "the app's HTTPS proxy wants credentials (HTTP 407): put them in \
            the proxy URL, or exempt AWS names with NO_PROXY."
            .to_owned(),
        C::ProxyDenied { .. } => "the app's HTTPS proxy refuses to open tunnels to them: allow \
            them on the proxy, or exempt them with NO_PROXY."
            .to_owned(),
        C::ProxyUnreachable => "the app's HTTPS proxy does not open connections: start or fix \
            the proxy and allow egress to it, or exempt AWS names with NO_PROXY."
            .to_owned(),
        C::ProxyPath => "the app's AWS SDK sends them through its HTTPS proxy, which --expect \
            private forbids: exempt AWS names with NO_PROXY."
            .to_owned(),
        C::ProxyBypassesEndpoint => "NO_PROXY does not exempt them, so the app's AWS SDK sends \
            names the interface endpoints serve to its HTTPS proxy: add the AWS domain to \
            NO_PROXY."
            .to_owned(),
        C::StsLegacySetting => "the app's STS setting is legacy: set it to regional.".to_owned(),
        _ => String::new(),
    }
}

fn way_out(via: WayOut) -> &'static str {
    match via {
        WayOut::Nat => "a 0.0.0.0/0 route to a NAT gateway in the subnet's route table",
        WayOut::Nat64 => "a route for 64:ff9b::/96 to a NAT gateway in a public subnet (NAT64)",
        WayOut::Ipv6 => "a ::/0 route to an egress-only internet gateway or internet gateway",
        WayOut::Internet => "a route to a NAT or internet gateway",
    }
}
