//! Causes as values: what is wrong and where, in the order the evidence
//! ranks them. The judge decides them once ([`super::causes`]); the
//! paragraph, `fix`'s remedies, the report's shared causes and `explain`
//! are renderings of the same values, so they cannot disagree.

use std::fmt;
use std::net::{IpAddr, SocketAddr};

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::catalog::names::NotServed;
use crate::catalog::{Region, Service};
use crate::classify::Family;

/// A VPC endpoint service: one service in one region, written as AWS
/// spells it (`com.amazonaws.ap-northeast-1.logs`, `...kms-fips`), the
/// name [`crate::catalog::names`] gives for the endpoint's host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointService {
    pub service: Service,
    pub region: Region,
    pub name: String,
}

impl fmt::Display for EndpointService {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

impl Serialize for EndpointService {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// `com.amazonaws.REGION.NAME` (`cn.com.amazonaws...` in China) read back
/// into its service and region, as a saved report spells it.
fn service_and_region(s: &str) -> Result<(Service, Region), String> {
    let bad = || {
        format!(
            "not a VPC endpoint service name: '{}'",
            crate::printable::printable(s)
        )
    };
    let rest = s.strip_prefix("cn.").unwrap_or(s);
    let (region, name) = rest
        .strip_prefix("com.amazonaws.")
        .and_then(|r| r.split_once('.'))
        .ok_or_else(bad)?;
    let region: Region = region
        .parse()
        .map_err(|e: crate::catalog::InvalidRegion| e.to_string())?;
    let service = Service::named(name.strip_suffix("-fips").unwrap_or(name)).ok_or_else(bad)?;
    Ok((*service, region))
}

impl std::str::FromStr for EndpointService {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (service, region) = service_and_region(s)?;
        Ok(Self {
            service,
            region,
            name: s.to_owned(),
        })
    }
}

impl<'de> Deserialize<'de> for EndpointService {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?
            .parse()
            .map_err(serde::de::Error::custom)
    }
}

/// The AWS-managed prefix list of a gateway service's public addresses in
/// one region, looked up by its name (`com.amazonaws.ap-northeast-1.s3`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrefixList {
    pub service: Service,
    pub region: Region,
}

impl fmt::Display for PrefixList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "com.amazonaws.{}.{}", self.region, self.service)
    }
}

impl Serialize for PrefixList {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for PrefixList {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let (service, region) =
            service_and_region(&String::deserialize(d)?).map_err(serde::de::Error::custom)?;
        Ok(Self { service, region })
    }
}

/// A way out of the VPC the subnet lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WayOut {
    /// `0.0.0.0/0` to a NAT gateway (or an internet gateway, with a public IP).
    Nat,
    /// `64:ff9b::/96` to a NAT gateway in a public subnet (NAT64).
    Nat64,
    /// `::/0` to an egress-only internet gateway or an internet gateway.
    Ipv6,
    /// A route to a NAT or internet gateway, the family not told.
    Internet,
}

/// Why no endpoint in this VPC can serve a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unserved {
    /// ECR's dual-stack names, which `PrivateLink` does not carry.
    EcrDualstack,
    /// STS's global name.
    GlobalSts,
    /// A service of another region that takes no cross-Region endpoint.
    OtherRegion,
    /// A region of another partition.
    OtherPartition,
    /// A FIPS name no endpoint service is known to answer: whether one
    /// exists cannot be told.
    FipsUnknown,
    /// A container registry outside AWS.
    Registry,
    /// A name that is not an AWS service's.
    NotAws,
}

impl From<NotServed> for Unserved {
    fn from(why: NotServed) -> Self {
        match why {
            NotServed::EcrDualstack => Self::EcrDualstack,
            NotServed::GlobalSts => Self::GlobalSts,
            NotServed::OtherRegion => Self::OtherRegion,
            NotServed::OtherPartition => Self::OtherPartition,
        }
    }
}

/// One cause: what is wrong and where. `cause` in JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "cause", rename_all = "snake_case")]
pub enum Cause {
    /// The VPC's resolver does not answer AWS names as the Amazon-provided
    /// resolver does: a custom DNS server or Route 53 Resolver rule that
    /// does not forward them, or DNS support turned off.
    ResolverDoesNotForward { resolver: Vec<SocketAddr> },
    /// The name itself is wrong (its region or service).
    NameWrong,
    /// A private hosted zone or record shadows the name without addresses.
    ShadowingZone,
    /// The resolver did not answer.
    ResolverUnreachable { resolver: Vec<SocketAddr> },
    /// The resolver failed upstream (SERVFAIL).
    ResolverFailing { resolver: Vec<SocketAddr> },
    /// The resolver refuses this task's queries.
    ResolverRefuses { resolver: Vec<SocketAddr> },
    /// DNS over TCP port 53 is blocked (large answers need it).
    DnsTcpBlocked { resolver: Vec<SocketAddr> },
    /// A FIPS name in a region where AWS lists no FIPS endpoint.
    FipsNameMissing {
        #[serde(serialize_with = "label", deserialize_with = "service_of_label")]
        service: Service,
    },
    /// The interface endpoint that serves the name is missing or has
    /// private DNS off (from inside, both look the same).
    EndpointMissing {
        endpoint_service: EndpointService,
        /// The service's region, for a cross-Region interface endpoint.
        #[serde(
            default,
            skip_serializing_if = "Option::is_none",
            serialize_with = "code",
            deserialize_with = "region_of_code"
        )]
        service_region: Option<Region>,
        /// The endpoint's DNS must serve IPv6 (DNS64 answered the name).
        dualstack: bool,
    },
    /// No endpoint in this VPC can serve the name.
    NotServed { why: Unserved },
    /// The subnet has no way out to public addresses.
    NoWayOut { via: WayOut },
    /// The subnet's route table has no route to the S3 gateway endpoint.
    GatewayRouteMissing { endpoint_service: EndpointService },
    /// The gateway endpoint does not carry this family.
    GatewayFamily { family: Family },
    /// The task's security group lacks egress to the gateway service's
    /// prefix list.
    PrefixListEgress { prefix_list: PrefixList, port: u16 },
    /// The task's security group lacks egress to these addresses.
    TaskEgress { addresses: Vec<IpAddr>, port: u16 },
    /// The task's security group lacks egress to anywhere (of one family,
    /// or either).
    TaskEgressAnywhere {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        family: Option<Family>,
        port: u16,
    },
    /// The endpoint's security group lacks ingress from the task.
    EndpointIngress {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        endpoint_service: Option<EndpointService>,
        port: u16,
    },
    /// The network ACLs (of one family, or both) drop the traffic.
    NetworkAcls {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        family: Option<Family>,
    },
    /// Private addresses outside the VPC's ranges: the routes both ways
    /// through a Transit Gateway or peering connection.
    RoutesToOtherNetwork { addresses: Vec<IpAddr> },
    /// No route to these addresses.
    NoRoute { addresses: Vec<IpAddr> },
    /// The name leads somewhere else (a hosts-file entry, a DNS record), or
    /// the port is wrong.
    NameLeadsElsewhere,
    /// A firewall or appliance on the path rejects the destination.
    PathRejects,
    /// A TLS-inspecting proxy or firewall (the issuer it signs with, when
    /// a certificate was seen).
    TlsInspection {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        issuer: Option<crate::printable::Untrusted>,
    },
    /// The server does not speak TLS 1.2 or 1.3 on this port.
    NoCommonTls,
    /// The task's clock is wrong.
    ClockWrong,
    /// The run's `--deadline` is too short for what it probes.
    DeadlineTooShort,
    /// The app's HTTPS proxy wants credentials (HTTP 407).
    ProxyAuthRequired,
    /// The app's HTTPS proxy refuses the tunnel.
    ProxyDenied {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        status: Option<u16>,
    },
    /// The app's HTTPS proxy does not open a connection.
    ProxyUnreachable,
    /// The app's calls go through a proxy, which `--expect private` forbids.
    ProxyPath,
    /// `NO_PROXY` does not exempt a name an interface endpoint serves.
    ProxyBypassesEndpoint,
    /// The app's STS setting is `legacy` (the global name).
    StsLegacySetting,
}

#[expect(
    clippy::ref_option,
    reason = "serde's serialize_with hands the field by reference"
)]
fn code<S: Serializer>(region: &Option<Region>, s: S) -> Result<S::Ok, S::Error> {
    match region {
        Some(r) => s.serialize_str(r.code()),
        None => s.serialize_none(),
    }
}

#[expect(
    clippy::trivially_copy_pass_by_ref,
    reason = "serde's serialize_with hands the field by reference"
)]
fn label<S: Serializer>(service: &Service, s: S) -> Result<S::Ok, S::Error> {
    s.collect_str(service)
}

fn region_of_code<'de, D: Deserializer<'de>>(d: D) -> Result<Option<Region>, D::Error> {
    Option::<String>::deserialize(d)?
        .map(|c| c.parse().map_err(serde::de::Error::custom))
        .transpose()
}

fn service_of_label<'de, D: Deserializer<'de>>(d: D) -> Result<Service, D::Error> {
    let name = String::deserialize(d)?;
    Service::named(&name)
        .copied()
        .ok_or_else(|| serde::de::Error::custom(format!("unknown service '{name}'")))
}

impl Cause {
    /// The stable code: the serde tag (`resolver_does_not_forward`, ...).
    pub fn code(&self) -> String {
        serde_json::to_value(self)
            .ok()
            .and_then(|v| v.get("cause")?.as_str().map(str::to_owned))
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One value of every cause: a new one fails to compile here until it
    /// is added, and then the schema and the book must name it.
    fn every_cause() -> Vec<Cause> {
        use Cause as C;
        let region: Region = "us-east-1".parse().unwrap();
        let endpoint_service = EndpointService {
            service: Service::Logs,
            region: region.clone(),
            name: "com.amazonaws.us-east-1.logs".to_owned(),
        };
        let all = vec![
            C::ResolverDoesNotForward { resolver: vec![] },
            C::NameWrong,
            C::ShadowingZone,
            C::ResolverUnreachable { resolver: vec![] },
            C::ResolverFailing { resolver: vec![] },
            C::ResolverRefuses { resolver: vec![] },
            C::DnsTcpBlocked { resolver: vec![] },
            C::FipsNameMissing {
                service: Service::Kms,
            },
            C::EndpointMissing {
                endpoint_service: endpoint_service.clone(),
                service_region: Some(region.clone()),
                dualstack: true,
            },
            C::NotServed {
                why: Unserved::Registry,
            },
            C::NoWayOut { via: WayOut::Nat },
            C::GatewayRouteMissing {
                endpoint_service: endpoint_service.clone(),
            },
            C::GatewayFamily {
                family: Family::Ipv6,
            },
            C::PrefixListEgress {
                prefix_list: PrefixList {
                    service: Service::S3,
                    region,
                },
                port: 443,
            },
            C::TaskEgress {
                addresses: vec![],
                port: 443,
            },
            C::TaskEgressAnywhere {
                family: None,
                port: 443,
            },
            C::EndpointIngress {
                endpoint_service: Some(endpoint_service),
                port: 443,
            },
            C::NetworkAcls { family: None },
            C::RoutesToOtherNetwork { addresses: vec![] },
            C::NoRoute { addresses: vec![] },
            C::NameLeadsElsewhere,
            C::PathRejects,
            C::TlsInspection { issuer: None },
            C::NoCommonTls,
            C::ClockWrong,
            C::DeadlineTooShort,
            C::ProxyAuthRequired,
            C::ProxyDenied { status: Some(403) },
            C::ProxyUnreachable,
            C::ProxyPath,
            C::ProxyBypassesEndpoint,
            C::StsLegacySetting,
        ];
        all.iter().for_each(exhaustive);
        all
    }

    /// Names every variant, so that a new one fails to compile.
    fn exhaustive(c: &Cause) {
        use Cause as C;
        {
            match c {
                C::ResolverDoesNotForward { .. }
                | C::NameWrong
                | C::ShadowingZone
                | C::ResolverUnreachable { .. }
                | C::ResolverFailing { .. }
                | C::ResolverRefuses { .. }
                | C::DnsTcpBlocked { .. }
                | C::FipsNameMissing { .. }
                | C::EndpointMissing { .. }
                | C::NotServed { .. }
                | C::NoWayOut { .. }
                | C::GatewayRouteMissing { .. }
                | C::GatewayFamily { .. }
                | C::PrefixListEgress { .. }
                | C::TaskEgress { .. }
                | C::TaskEgressAnywhere { .. }
                | C::EndpointIngress { .. }
                | C::NetworkAcls { .. }
                | C::RoutesToOtherNetwork { .. }
                | C::NoRoute { .. }
                | C::NameLeadsElsewhere
                | C::PathRejects
                | C::TlsInspection { .. }
                | C::NoCommonTls
                | C::ClockWrong
                | C::DeadlineTooShort
                | C::ProxyAuthRequired
                | C::ProxyDenied { .. }
                | C::ProxyUnreachable
                | C::ProxyPath
                | C::ProxyBypassesEndpoint
                | C::StsLegacySetting => {}
            }
        }
    }

    /// A saved report's causes read back as the values that were written
    /// (`fix --report`).
    #[test]
    fn every_cause_reads_back_as_written() {
        for cause in every_cause() {
            let json = serde_json::to_string(&cause).unwrap();
            let back: Cause = serde_json::from_str(&json).unwrap();
            assert_eq!(back, cause, "{json}");
        }
        let china: EndpointService = "cn.com.amazonaws.cn-north-1.ecr.dkr".parse().unwrap();
        assert_eq!(
            (china.service, china.region.code()),
            (Service::EcrDkr, "cn-north-1")
        );
        let fips: EndpointService = "com.amazonaws.us-east-1.kms-fips".parse().unwrap();
        assert_eq!(fips.service, Service::Kms);
        assert!(
            "com.amazonaws.us-east-1.nope"
                .parse::<EndpointService>()
                .is_err()
        );
    }

    #[test]
    fn the_schema_and_the_book_name_every_cause() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        let schema: serde_json::Value = serde_json::from_str(
            &std::fs::read_to_string(root.join("schema/report.schema.json")).unwrap(),
        )
        .unwrap();
        let listed: Vec<&str> = schema["$defs"]["cause_code"]["enum"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(serde_json::Value::as_str)
            .collect();
        let codes: Vec<String> = every_cause().iter().map(Cause::code).collect();
        assert_eq!(listed, codes);
        let book = std::fs::read_to_string(root.join("docs/src/causes.md")).unwrap();
        for code in &codes {
            assert!(book.contains(&format!("| `{code}` |")), "{code}");
        }
    }
}
