//! Address classes and paths: is an address inside the VPC, and which way
//! did the traffic go? The one place that decides: a [`Network`], built once
//! per run from the VPC ranges and what task metadata says about the task's
//! subnet, answers for any address; [`path`] names the way an endpoint's
//! traffic went. Pure, table-tested.

use std::net::{IpAddr, Ipv4Addr};

use ipnet::{IpNet, Ipv6Net};
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

/// An address's family, as the report names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Family {
    Ipv4,
    Ipv6,
}

impl Family {
    /// The family of an address (an IPv4-mapped IPv6 address is IPv4).
    pub fn of(ip: IpAddr) -> Self {
        match ip.to_canonical() {
            IpAddr::V4(_) => Self::Ipv4,
            IpAddr::V6(_) => Self::Ipv6,
        }
    }

    /// `IPv4` or `IPv6`, for prose.
    pub fn name(self) -> &'static str {
        match self {
            Self::Ipv4 => "IPv4",
            Self::Ipv6 => "IPv6",
        }
    }

    /// The other family.
    #[must_use]
    pub fn other(self) -> Self {
        match self {
            Self::Ipv4 => Self::Ipv6,
            Self::Ipv6 => Self::Ipv4,
        }
    }

    /// The destination that means "anywhere" in a security-group rule.
    pub fn anywhere(self) -> &'static str {
        match self {
            Self::Ipv4 => "0.0.0.0/0",
            Self::Ipv6 => "::/0",
        }
    }
}

/// The IPv4 address a DNS64-synthesised address carries, when `ip` is one:
/// an address in the well-known `64:ff9b::/96` (RFC 6052, what Route 53
/// Resolver DNS64 uses) or the local-use `64:ff9b:1::/48` (RFC 8215). Both
/// are read with the /96 layout (the IPv4 address in the last 32 bits), the
/// usual choice inside `64:ff9b:1::/48` too.
pub fn nat64_ipv4(ip: IpAddr) -> Option<Ipv4Addr> {
    let IpAddr::V6(v6) = ip else {
        return None;
    };
    let segments = v6.segments();
    let well_known = segments[..6] == [0x64, 0xff9b, 0, 0, 0, 0];
    let local_use = segments[..3] == [0x64, 0xff9b, 1];
    (well_known || local_use).then(|| {
        let octets = v6.octets();
        Ipv4Addr::new(octets[12], octets[13], octets[14], octets[15])
    })
}

/// The VPC's IPv6 range, from the task's IPv6 subnet: Amazon-provided VPC
/// blocks are /56 and their subnets sit inside them, so the /56 holding the
/// subnet is the VPC's. A subnet wider than /56 (a VPC from a BYOIP or IPAM
/// pool) is taken as it is.
pub fn vpc_ipv6_range(subnet: Ipv6Net) -> Ipv6Net {
    if subnet.prefix_len() <= 56 {
        return subnet.trunc();
    }
    Ipv6Net::new(subnet.addr(), 56)
        .expect("56 is a valid IPv6 prefix length")
        .trunc()
}

/// What the run knows about the network around the task.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Network {
    /// Ranges counted as inside the VPC (`--vpc-cidr`, or the defaults).
    vpc: Vec<IpNet>,
    /// The task's own subnets (IPv4 and IPv6), from task metadata: inside
    /// the VPC whatever the configured ranges say.
    task_subnets: Vec<IpNet>,
    /// The VPC's IPv6 range, taken from the task's IPv6 subnet.
    vpc_ipv6: Option<Ipv6Net>,
    /// The private ranges ([`DEFAULT_VPC_CIDRS`]): an address there but
    /// outside the VPC is in another private network, never public.
    private: Vec<IpNet>,
}

/// Why an address got its class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Why {
    /// It is inside the task's own subnet.
    TaskSubnet(IpNet),
    /// It is inside this VPC range.
    VpcRange(IpNet),
    /// It is inside the VPC's IPv6 range, taken from the task's subnet.
    VpcIpv6Range(Ipv6Net),
    /// DNS64 synthesised it: the traffic goes out through NAT64 to this
    /// IPv4 address.
    Nat64(Ipv4Addr),
    /// It is outside the VPC's ranges but inside a private range (RFC 1918,
    /// `100.64.0.0/10`, `fc00::/7`): another private network, reached over
    /// peering, a Transit Gateway, VPN or Direct Connect, never through NAT
    /// or an internet gateway.
    OtherPrivate(IpNet),
    /// It is outside every range known to be the VPC.
    Outside,
}

impl Why {
    /// The reason, as the report names it.
    pub fn network(self) -> AddressNetwork {
        match self {
            Self::TaskSubnet(_) => AddressNetwork::TaskSubnet,
            Self::VpcRange(_) | Self::VpcIpv6Range(_) => AddressNetwork::Vpc,
            Self::OtherPrivate(_) => AddressNetwork::OtherPrivate,
            Self::Nat64(_) => AddressNetwork::Nat64,
            Self::Outside => AddressNetwork::Public,
        }
    }
}

/// Why an address has its class, in the report (`network`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AddressNetwork {
    /// The task's own subnet.
    TaskSubnet,
    /// The VPC's ranges (`--vpc-cidr`, the defaults, or the IPv6 /56).
    Vpc,
    /// A private range outside the VPC: a peered VPC, a Transit Gateway,
    /// VPN or Direct Connect.
    OtherPrivate,
    /// Outside every private range.
    Public,
    /// Synthesised by DNS64: out through NAT64.
    Nat64,
}

/// What the report says of an address in another private network.
pub const OTHER_PRIVATE_NOTE: &str = "another private network: a peered VPC, a Transit Gateway, \
     VPN or Direct Connect; centralised endpoints in a shared-services VPC look like this";

/// The answer for one address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Classification {
    pub class: AddressClass,
    pub family: Family,
    pub in_task_subnet: bool,
    pub why: Why,
}

impl Classification {
    /// The IPv4 address behind a DNS64-synthesised address.
    pub fn nat64(&self) -> Option<Ipv4Addr> {
        match self.why {
            Why::Nat64(v4) => Some(v4),
            _ => None,
        }
    }
}

impl Network {
    /// Whether `ip` is in one of the VPC's ranges as given.
    pub fn in_vpc(&self, ip: IpAddr) -> bool {
        self.vpc.iter().any(|n| n.contains(&ip))
    }

    pub fn new(vpc: Vec<IpNet>, task_subnet: Option<IpNet>) -> Self {
        Self {
            vpc,
            task_subnets: task_subnet.into_iter().collect(),
            vpc_ipv6: None,
            private: default_vpc_cidrs(),
        }
    }

    /// Adds the task's IPv6 subnet; with `assume_vpc_range` (no
    /// `--vpc-cidr`), also the /56 around it as the VPC's IPv6 range, which
    /// is returned for the context's note.
    pub fn with_task_ipv6(
        mut self,
        subnet: Ipv6Net,
        assume_vpc_range: bool,
    ) -> (Self, Option<Ipv6Net>) {
        self.task_subnets.push(IpNet::V6(subnet.trunc()));
        if assume_vpc_range {
            self.vpc_ipv6 = Some(vpc_ipv6_range(subnet));
        }
        let range = self.vpc_ipv6;
        (self, range)
    }

    /// Classifies an address. IPv4-mapped IPv6 addresses are judged as the
    /// IPv4 address they carry; DNS64-synthesised ones are public whatever
    /// the ranges say (NAT64 runs on a NAT gateway).
    pub fn classify(&self, ip: IpAddr) -> Classification {
        let ip = ip.to_canonical();
        let subnet = self.task_subnets.iter().find(|n| n.contains(&ip)).copied();
        let why = if let Some(v4) = nat64_ipv4(ip) {
            Why::Nat64(v4)
        } else if let Some(net) = subnet {
            Why::TaskSubnet(net)
        } else if let Some(net) = self.vpc.iter().find(|n| n.contains(&ip)) {
            Why::VpcRange(*net)
        } else if let Some(net) = self.vpc_ipv6.filter(|n| match ip {
            IpAddr::V6(v6) => n.contains(&v6),
            IpAddr::V4(_) => false,
        }) {
            Why::VpcIpv6Range(net)
        } else if let Some(net) = self.private.iter().find(|n| n.contains(&ip)) {
            Why::OtherPrivate(*net)
        } else {
            Why::Outside
        };
        Classification {
            class: if matches!(why, Why::Outside | Why::Nat64(_)) {
                AddressClass::Public
            } else {
                AddressClass::Private
            },
            family: Family::of(ip),
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

/// The path, from the classifications of the addresses whose handshake
/// passed. Any passing public address makes the path public: some traffic
/// leaves. S3's public addresses may be reached through its gateway
/// endpoint, unless DNS64 synthesised them: NAT64 runs on a NAT gateway.
pub fn path(role: EndpointRole, passing: impl IntoIterator<Item = Classification>) -> Path {
    let (mut private, mut public, mut nat64) = (false, false, false);
    for c in passing {
        match c.class {
            AddressClass::Private => private = true,
            AddressClass::Public => public = true,
        }
        nat64 |= c.nat64().is_some();
    }
    match (role, private, public) {
        (_, false, false) => Path::None,
        (EndpointRole::Gateway, _, true) if !nat64 => Path::GatewayOrNat,
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
                    family: Family::Ipv4,
                    in_task_subnet,
                    why
                },
                "{ip}"
            );
        }
    }

    #[test]
    fn private_addresses_outside_the_vpc_are_another_private_network() {
        let network = Network::new(nets(&["10.0.0.0/16"]), None);
        let cases = [
            ("10.0.3.4", Private, AddressNetwork::Vpc),
            ("10.100.1.10", Private, AddressNetwork::OtherPrivate),
            ("172.31.0.5", Private, AddressNetwork::OtherPrivate),
            ("192.168.9.9", Private, AddressNetwork::OtherPrivate),
            ("100.64.1.1", Private, AddressNetwork::OtherPrivate),
            ("fd12:3456::1", Private, AddressNetwork::OtherPrivate),
            ("52.1.2.3", Public, AddressNetwork::Public),
            ("64:ff9b::a64:10a", Public, AddressNetwork::Nat64),
        ];
        for (ip, class, why) in cases {
            let c = network.classify(ip.parse().unwrap());
            assert_eq!((c.class, c.why.network()), (class, why), "{ip}");
        }
        // A service reached there is on an interface endpoint (the hub's).
        let hub = network.classify("10.100.1.10".parse().unwrap());
        assert_eq!(
            path(EndpointRole::Interface, [hub]),
            Path::InterfaceEndpoint
        );
        // Without --vpc-cidr the private ranges are the VPC's.
        let default = Network::new(default_vpc_cidrs(), None);
        let c = default.classify("10.100.1.10".parse().unwrap());
        assert_eq!(c.why.network(), AddressNetwork::Vpc);
    }

    /// A classification with only the class set (the path ignores the rest).
    fn plain(class: AddressClass) -> Classification {
        Classification {
            class,
            family: Family::Ipv4,
            in_task_subnet: false,
            why: Why::Outside,
        }
    }

    #[test]
    fn nat64_addresses_are_decoded_and_public() {
        let network = Network::new(nets(&["::/0"]), None);
        let cases = [
            ("64:ff9b::c633:6407", Some("198.51.100.7")),
            ("64:ff9b::198.51.100.7", Some("198.51.100.7")),
            ("64:ff9b:1::a00:1", Some("10.0.0.1")),
            ("64:ff9b:1:2::3.4.5.6", Some("3.4.5.6")),
            ("64:ff9b:0:1::c633:6407", None),
            ("64:ff9c::1", None),
            ("2600:1f18::1", None),
            ("198.51.100.7", None),
        ];
        for (ip, want) in cases {
            let ip: IpAddr = ip.parse().unwrap();
            let want: Option<Ipv4Addr> = want.map(|w| w.parse().unwrap());
            assert_eq!(nat64_ipv4(ip), want, "{ip}");
            let c = network.classify(ip);
            assert_eq!(c.nat64(), want, "{ip}");
            if want.is_some() {
                // Public even though --vpc-cidr ::/0 covers it.
                assert_eq!(c.class, Public, "{ip}");
                assert_eq!(c.family, Family::Ipv6);
            }
        }
    }

    #[test]
    fn the_vpc_ipv6_range_is_the_56_around_the_task_subnet() {
        let cases = [
            ("2600:1f18:619e:f900::/64", "2600:1f18:619e:f900::/56"),
            ("2600:1f18:619e:f9a7::/64", "2600:1f18:619e:f900::/56"),
            ("2600:1f18:619e:f9a0::/60", "2600:1f18:619e:f900::/56"),
            ("2600:1f18:619e:f900::/56", "2600:1f18:619e:f900::/56"),
            ("8:3:1::/48", "8:3:1::/48"),
        ];
        for (subnet, want) in cases {
            assert_eq!(
                vpc_ipv6_range(subnet.parse().unwrap()),
                want.parse::<Ipv6Net>().unwrap(),
                "{subnet}"
            );
        }
        let subnet: Ipv6Net = "2600:1f18:619e:f901::/64".parse().unwrap();
        let (assumed, range) = Network::new(default_vpc_cidrs(), None).with_task_ipv6(subnet, true);
        assert_eq!(range, Some("2600:1f18:619e:f900::/56".parse().unwrap()));
        let (explicit, none) =
            Network::new(nets(&["10.0.0.0/16"]), None).with_task_ipv6(subnet, false);
        assert_eq!(none, None);
        let cases = [
            // An endpoint ENI in another subnet of the VPC.
            ("2600:1f18:619e:f9a0::10", Private, false, Public),
            // In the task's own subnet: inside either way.
            ("2600:1f18:619e:f901::10", Private, true, Private),
            // Another VPC's /56.
            ("2600:1f18:619e:fa00::10", Public, false, Public),
            ("10.0.3.4", Private, false, Private),
        ];
        for (ip, with_assumed, in_subnet, with_explicit) in cases {
            let ip: IpAddr = ip.parse().unwrap();
            let c = assumed.classify(ip);
            assert_eq!(
                (c.class, c.in_task_subnet),
                (with_assumed, in_subnet),
                "{ip}"
            );
            assert_eq!(explicit.classify(ip).class, with_explicit, "{ip}");
        }
        assert_eq!(
            assumed
                .classify("2600:1f18:619e:f9a0::10".parse().unwrap())
                .why,
            Why::VpcIpv6Range("2600:1f18:619e:f900::/56".parse().unwrap())
        );
    }

    #[test]
    fn nat64_makes_even_s3_public() {
        let network = Network::new(default_vpc_cidrs(), None);
        let nat64 = network.classify("64:ff9b::3.5.140.2".parse().unwrap());
        let s3 = network.classify("3.5.140.2".parse().unwrap());
        assert_eq!(path(EndpointRole::Gateway, [s3]), Path::GatewayOrNat);
        assert_eq!(path(EndpointRole::Gateway, [nat64]), Path::Public);
        assert_eq!(path(EndpointRole::Gateway, [s3, nat64]), Path::Public);
        assert_eq!(path(EndpointRole::Interface, [nat64]), Path::Public);
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
                path(role, passing.iter().copied().map(plain)),
                want,
                "{role:?} {passing:?}"
            );
        }
    }
}
