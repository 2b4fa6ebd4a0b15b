//! Address classes and paths: is an address inside the VPC, and which way
//! did the traffic go? Pure functions, table-tested.

use std::net::IpAddr;

use ipnet::IpNet;
use serde::Serialize;

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
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Private => "private",
            Self::Public => "public",
        }
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
    pub fn as_str(self) -> &'static str {
        match self {
            Self::InterfaceEndpoint => "interface-endpoint",
            Self::GatewayOrNat => "gateway-or-nat",
            Self::Public => "public",
            Self::Private => "private",
            Self::None => "none",
        }
    }
}

/// Classifies an address against the VPC ranges. IPv4-mapped IPv6
/// addresses are judged as the IPv4 address they carry.
pub fn class_of(ip: IpAddr, vpc_cidrs: &[IpNet]) -> AddressClass {
    let ip = ip.to_canonical();
    if vpc_cidrs.iter().any(|net| net.contains(&ip)) {
        AddressClass::Private
    } else {
        AddressClass::Public
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
        let default = nets(&crate::config::DEFAULT_VPC_CIDRS);
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
            ("127.0.1.5", &nets(&["127.0.1.0/24"]), Private),
            ("127.0.2.5", &nets(&["127.0.1.0/24"]), Public),
        ];
        for (ip, vpc, want) in cases {
            assert_eq!(class_of(ip.parse().unwrap(), vpc), want, "{ip}");
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
