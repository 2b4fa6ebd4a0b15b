//! Address classes and paths: is an address inside the VPC, and which way
//! did the traffic go? The one place that decides: a [`Network`], built once
//! per run from the VPC ranges and what task metadata says about the task's
//! subnet, answers for any address; [`path`] names the way an endpoint's
//! traffic went. Pure, table-tested.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

/// The ranges counted as "inside the VPC" when `--vpc-cidr` is absent: the
/// RFC 1918 ranges, CGNAT space (which VPCs may use) and IPv6 ULA.
pub const DEFAULT_VPC_CIDRS: [&str; 5] = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
];

/// [`DEFAULT_VPC_CIDRS`], parsed.
pub fn default_vpc_cidrs() -> Vec<IpNet> {
    DEFAULT_VPC_CIDRS
        .iter()
        .map(|c| c.parse().expect("built-in CIDRs are valid"))
        .collect()
}

/// Where an address lies relative to the VPC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressClass {
    /// Inside the VPC ranges: an interface endpoint ENI (or your own service).
    Private,
    /// Outside them: reached through a NAT or internet gateway (or, for S3, a gateway endpoint).
    Public,
}

impl AddressClass {
    /// The serde name (`private`, `public`).
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("AddressClass is a unit enum")
    }
}

/// The path an endpoint's traffic takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Path {
    /// An AWS service on private addresses: a `PrivateLink` interface endpoint.
    InterfaceEndpoint,
    /// S3 over its public addresses: a gateway endpoint or a NAT; the
    /// addresses alone cannot tell which.
    GatewayOrNat,
    /// Public addresses: the traffic leaves the VPC through NAT or an internet gateway.
    Public,
    /// A `--target` reached on private addresses.
    Private,
    /// Nothing was reached.
    None,
}

impl Path {
    /// The serde name (`interface-endpoint`, `gateway-or-nat`, ...).
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("Path is a unit enum")
    }
}

/// What the run knows about the network around the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Ranges counted as inside the VPC (`--vpc-cidr`, or the defaults).
    vpc: Vec<IpNet>,
    /// The task's own subnet, from task metadata: inside the VPC whatever
    /// the configured ranges say.
    task_subnet: Option<IpNet>,
}

/// Why an address got its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// It is inside the task's own subnet.
    TaskSubnet(IpNet),
    /// It is inside this VPC range.
    VpcRange(IpNet),
    /// It is outside every range known to be the VPC.
    Outside,
}

/// The answer for one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    pub class: AddressClass,
    pub in_task_subnet: bool,
    pub why: Why,
}

impl Network {
    pub fn new(vpc: Vec<IpNet>, task_subnet: Option<IpNet>) -> Self {
        Self { vpc, task_subnet }
    }

    /// Classifies an address. IPv4-mapped IPv6 addresses are judged as the
    /// IPv4 address they carry.
    pub fn classify(&self, ip: IpAddr) -> Classification {
        let ip = ip.to_canonical();
        let subnet = self.task_subnet.filter(|n| n.contains(&ip));
        let why = match (subnet, self.vpc.iter().find(|n| n.contains(&ip))) {
            (Some(net), _) => Why::TaskSubnet(net),
            (None, Some(net)) => Why::VpcRange(*net),
            (None, None) => Why::Outside,
        };
        Classification {
            class: if why == Why::Outside {
                AddressClass::Public
            } else {
                AddressClass::Private
            },
            in_task_subnet: subnet.is_some(),
            why,
        }
    }
}

/// What kind of endpoint decides how a public path is named.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EndpointRole {
    /// An AWS service behind an interface endpoint.
    Interface,
    /// S3, behind a gateway endpoint.
    Gateway,
    /// A `--target`.
    Target,
}

/// The path, from the classes of the addresses whose handshake passed. Any
/// passing public address makes the path public: some traffic leaves.
pub fn path(role: EndpointRole, passing: impl IntoIterator<Item = AddressClass>) -> Path {
    let (mut private, mut public) = (false, false);
    for class in passing {
        match class {
            AddressClass::Private => private = true,
            AddressClass::Public => public = true,
        }
    }
    match (role, private, public) {
        (_, false, false) => Path::None,
        (EndpointRole::Gateway, _, true) => Path::GatewayOrNat,
        (_, _, true) => Path::Public,
        (EndpointRole::Target, true, false) => Path::Private,
        (_, true, false) => Path::InterfaceEndpoint,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use AddressClass::{Private, Public};

    fn nets(list: &[&str]) -> Vec<IpNet> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn classes() {
        let default = Network::new(default_vpc_cidrs(), None);
        let lab = Network::new(nets(&["127.0.1.0/24"]), None);
        let cases = [
            ("10.0.1.5", &default, Private),
            ("172.31.42.189", &default, Private),
            ("172.32.0.1", &default, Public),
            ("192.168.1.1", &default, Private),
            ("100.64.0.9", &default, Private),
            ("100.128.0.1", &default, Public),
            ("3.8.169.253", &default, Public),
            ("52.219.41.3", &default, Public),
            ("fd00:ec2::253", &default, Private),
            ("2600:1f18::1", &default, Public),
            ("::ffff:10.0.0.1", &default, Private),
            ("127.0.1.5", &lab, Private),
            ("127.0.2.5", &lab, Public),
        ];
        for (ip, network, want) in cases {
            assert_eq!(network.classify(ip.parse().unwrap()).class, want, "{ip}");
        }
    }

    #[test]
    fn the_task_subnet_is_inside_the_vpc_and_says_so() {
        let subnet: IpNet = "192.0.2.0/24".parse().unwrap();
        let network = Network::new(nets(&["10.0.0.0/16"]), Some(subnet));
        let cases = [
            ("192.0.2.9", Private, true, Why::TaskSubnet(subnet)),
            ("::ffff:192.0.2.9", Private, true, Why::TaskSubnet(subnet)),
            (
                "10.0.3.4",
                Private,
                false,
                Why::VpcRange("10.0.0.0/16".parse().unwrap()),
            ),
            ("52.1.2.3", Public, false, Why::Outside),
        ];
        for (ip, class, in_task_subnet, why) in cases {
            assert_eq!(
                network.classify(ip.parse().unwrap()),
                Classification {
                    class,
                    in_task_subnet,
                    why
                },
                "{ip}"
            );
        }
    }

    #[test]
    fn paths() {
        use EndpointRole::{Gateway, Interface, Target};
        let cases: [(EndpointRole, &[AddressClass], Path); 10] = [
            (Interface, &[Private, Private], Path::InterfaceEndpoint),
            (Interface, &[Public], Path::Public),
            (Interface, &[Private, Public], Path::Public),
            (Interface, &[], Path::None),
            (Gateway, &[Public, Public], Path::GatewayOrNat),
            (Gateway, &[Private], Path::InterfaceEndpoint),
            (Gateway, &[], Path::None),
            (Target, &[Private], Path::Private),
            (Target, &[Public], Path::Public),
            (Target, &[], Path::None),
        ];
        for (role, passing, want) in cases {
            assert_eq!(
                path(role, passing.iter().copied()),
                want,
                "{role:?} {passing:?}"
            );
        }
    }
}
