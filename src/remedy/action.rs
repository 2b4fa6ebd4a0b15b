//! The changes a remedy proposes, typed: rules, endpoints and DNS settings,
//! serialised as the AWS API spells them.

use std::fmt;

use ipnet::IpNet;
use serde::{Serialize, Serializer};

use crate::catalog::Region;

pub use crate::diagnose::{EndpointService, PrefixList};

/// The IP address type of an interface endpoint and its DNS records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum IpAddressType {
    /// A and AAAA records: what a name answered by DNS64 needs.
    Dualstack,
}

impl IpAddressType {
    /// The serde name, as the AWS API spells it (`dualstack`).
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("IpAddressType is a unit enum")
    }
}

/// A change to the VPC's DNS, which no resource expresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum DnsChange {
    /// Large answers need DNS over TCP.
    AllowTcp53,
    /// A private hosted zone or record shadows the name without addresses.
    ShadowingZone,
    /// The VPC's DNS settings and forwarding to the Amazon-provided resolver.
    AmazonResolver,
}

impl DnsChange {
    /// The change, in the terms of the VPC console.
    pub fn text(self) -> &'static str {
        match self {
            Self::AllowTcp53 => {
                "Allow TCP 53 as well as UDP 53 to the resolver in the security groups and \
                 network ACLs."
            }
            Self::ShadowingZone => {
                "Remove or fix the Route 53 private hosted zone (or record) that shadows the \
                 name without addresses."
            }
            Self::AmazonResolver => {
                "Turn on enableDnsSupport and enableDnsHostnames for the VPC, point its DHCP \
                 options set at AmazonProvidedDNS, and make any custom resolver or Route 53 \
                 Resolver rule forward AWS names to the Amazon-provided resolver (the VPC base \
                 address + 2, or 169.254.169.253), where interface endpoints' private DNS names \
                 exist."
            }
        }
    }
}

impl fmt::Display for DnsChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.text())
    }
}

impl Serialize for DnsChange {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.text())
    }
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
    EndpointIngressFromTask {
        endpoint_service: EndpointService,
        port: u16,
    },
    /// Allow egress TCP `port` from the task's security group to the AWS
    /// managed prefix list of a gateway service, looked up by name.
    TaskEgressToPrefixList {
        #[serde(rename = "prefix_list_name")]
        prefix_list: PrefixList,
        port: u16,
    },
    /// Create the interface endpoint with private DNS, or switch private DNS
    /// on for the one that exists: from inside, both look the same (the name
    /// resolves to public addresses).
    InterfaceEndpoint {
        endpoint_service: EndpointService,
        private_dns_enabled: bool,
        /// `dualstack` when the name must get an AAAA record inside the VPC
        /// (it was reached, or tried, through DNS64 and NAT64).
        #[serde(skip_serializing_if = "Option::is_none")]
        dns_record_ip_type: Option<IpAddressType>,
        /// The service's region, for a cross-Region interface endpoint
        /// (created in the task's region for another region's service).
        #[serde(
            skip_serializing_if = "Option::is_none",
            serialize_with = "region_code"
        )]
        service_region: Option<Region>,
    },
    /// Create the gateway endpoint and associate it with the subnet's route
    /// table, when no gateway path is evident.
    GatewayEndpoint {
        endpoint_service: EndpointService,
        route_table_association: bool,
    },
    /// Not a resource: what to change in the VPC's DNS settings.
    DnsSettings {
        #[serde(rename = "text")]
        change: DnsChange,
    },
}

impl Action {
    /// The order a person applies changes in: the task's rules, the
    /// endpoint's, then endpoints, then DNS settings.
    pub fn rank(&self) -> u8 {
        match self {
            Self::TaskEgressToAddress { .. } => 0,
            Self::EndpointIngressFromTask { .. } => 1,
            Self::TaskEgressToPrefixList { .. } => 2,
            Self::GatewayEndpoint { .. } => 3,
            Self::InterfaceEndpoint { .. } => 4,
            Self::DnsSettings { .. } => 5,
        }
    }
}

/// A region as its code (`us-east-1`).
#[expect(
    clippy::ref_option,
    reason = "serde's serialize_with hands the field by reference"
)]
fn region_code<S: Serializer>(region: &Option<Region>, s: S) -> Result<S::Ok, S::Error> {
    match region {
        Some(r) => s.serialize_str(r.code()),
        None => s.serialize_none(),
    }
}
