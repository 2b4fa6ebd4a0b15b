//! The prose: one paragraph per finding, the likely cause and the fix in
//! the terms of the VPC console, each written next to its finding's name.

use std::net::IpAddr;

use super::{Facts, Finding, Policy};
use crate::probe::{CertInfo, Failure};

pub(super) fn join_ips(ips: impl Iterator<Item = IpAddr>) -> String {
    ips.map(|ip| ip.to_string()).collect::<Vec<_>>().join(", ")
}

/// What a paragraph cites besides the endpoint's facts.
#[derive(Debug, Clone, Copy, Default)]
pub struct Evidence<'a> {
    /// The addresses the finding is about.
    pub ips: &'a [IpAddr],
    /// The failure behind the finding, with its detail.
    pub failure: Option<&'a Failure>,
    /// The certificate behind a certificate finding.
    pub cert: Option<&'a CertInfo>,
}

/// Writes the paragraphs of one endpoint's findings.
pub struct Explainer<'a> {
    pub facts: &'a Facts<'a>,
    pub policy: Policy,
}

impl Explainer<'_> {
    /// The endpoint service that answers the name (KMS's FIPS names:
    /// `kms-fips`), as the catalog gives it; else the service's standard one.
    pub(super) fn endpoint_name(&self) -> String {
        match self.facts.service {
            Some(s) => s
                .endpoint_service(self.facts.region, self.facts.host)
                .unwrap_or_else(|| s.endpoint_service_name(self.facts.region)),
            None => "(not an AWS service)".to_owned(),
        }
    }

    fn nameservers(&self) -> String {
        let ns = self.facts.lookup.nameservers;
        if ns.is_empty() {
            "the resolver".to_owned()
        } else {
            ns.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    /// "The resolver 10.0.0.2:53", or the task's when none is known (a
    /// stopped reason that does not name it).
    fn resolver(&self) -> String {
        if self.facts.lookup.nameservers.is_empty() {
            "The task's resolver".to_owned()
        } else {
            format!("The resolver {}", self.nameservers())
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one paragraph per finding, kept side by side"
    )]
    /// The paragraph for `finding` alone: the likely cause and the fix, in
    /// the terms of the VPC console ([`Self::explain`] frames it).
    pub(super) fn paragraph(&self, finding: Finding, evidence: Evidence<'_>) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let ips = join_ips(evidence.ips.iter().copied());
        // DNS64-synthesised addresses among the evidence, with the IPv4 they carry.
        let nat64: Vec<String> = evidence
            .ips
            .iter()
            .filter_map(|ip| crate::classify::nat64_ipv4(*ip).map(|v4| format!("{ip} → {v4}")))
            .collect();
        // Private addresses outside the VPC's ranges: a hub VPC, a peer, VPN.
        let elsewhere: Vec<IpAddr> = evidence
            .ips
            .iter()
            .copied()
            .filter(|ip| {
                self.facts.classes.get(*ip).map(|c| c.why.network())
                    == Some(crate::classify::AddressNetwork::OtherPrivate)
            })
            .collect();
        let routes = if elsewhere.is_empty() {
            String::new()
        } else {
            format!(
                " {} {} outside this VPC's ranges, in {}: also check the routes both ways (the \
                 subnet's route table to the Transit Gateway or peering connection, the \
                 Transit Gateway route tables, and the other VPC's route back to this VPC's \
                 CIDR), and that the endpoint's security group allows this VPC's CIDR.",
                join_ips(elsewhere.iter().copied()),
                if elsewhere.len() == 1 { "is" } else { "are" },
                crate::classify::OTHER_PRIVATE_NOTE
            )
        };
        let s3 = self.facts.role() == crate::classify::EndpointRole::Gateway;
        let failure = evidence.failure;
        let svc = self.endpoint_name();
        let aws = self.facts.service.is_some();
        let detail = failure.map_or(String::new(), |f| format!(" ({})", f.detail));
        // A zero timeout is an unknown one (`explain` reads a stopped reason
        // that does not say how long the platform waited).
        let (after, within) = if self.policy.timeout.is_zero() {
            (String::new(), String::new())
        } else {
            let t = humantime::format_duration(self.policy.timeout);
            (format!(" after {t}"), format!(" within {t}"))
        };
        match finding {
            Finding::DnsNxdomain => format!(
                "{host} does not exist (NXDOMAIN from {ns}). Check the region and service \
                 name. If the VPC uses its own DNS server or Route 53 Resolver rules, they must \
                 forward AWS names to the Amazon-provided resolver (the VPC base address + 2, or \
                 169.254.169.253): interface endpoints' private DNS names only exist there.",
                ns = self.nameservers()
            ),
            Finding::DnsNoAddresses => format!(
                "{host} exists but has no A or AAAA records{detail}. A private hosted zone or \
                 DNS record may be shadowing the name without addresses; check Route 53 private \
                 hosted zones associated with the VPC."
            ),
            Finding::DnsResolverUnreachable => format!(
                "{resolver} did not answer for {host}{detail}. Nothing that needs DNS \
                 will work: check that the VPC has enableDnsSupport turned on, that the DHCP \
                 options set points at a resolver the task can reach, and, for a custom \
                 resolver, that security groups and network ACLs allow UDP and TCP port 53.",
                resolver = self.resolver()
            ),
            Finding::DnsServfail => format!(
                "{resolver} answered SERVFAIL for {host}: it failed to get an answer \
                 upstream. A custom resolver or a Route 53 Resolver forwarding rule is failing; \
                 point the task at the Amazon-provided resolver or fix the forwarder.",
                resolver = self.resolver()
            ),
            Finding::DnsRefused => format!(
                "{resolver} refused to answer for {host}. It is not configured to \
                 resolve for this task's addresses; allow the VPC CIDR on the resolver or use \
                 the Amazon-provided resolver.",
                resolver = self.resolver()
            ),
            Finding::DnsTcpBlocked => format!(
                "The answer for {host} from {ns} was too large for UDP and the retry over TCP \
                 failed{detail}. Resolvers switch to TCP port 53 for large answers (many \
                 addresses, long CNAME chains): allow TCP 53 as well as UDP 53 to the resolver in \
                 the security groups and network ACLs.",
                ns = self.nameservers()
            ),
            Finding::DnsError => format!("Resolving {host} failed{detail}."),
            Finding::PublicConnectTimeout | Finding::S3ConnectTimeout | Finding::PublicPath
                if self.facts.elsewhere() =>
            {
                self.other_region(finding, &ips, &nat64, &after)
            }
            Finding::PublicConnectTimeout | Finding::PublicPath
                if self.says_ecr_dualstack(finding) =>
            {
                self.ecr_dualstack(finding, &ips, &nat64, &after)
            }
            Finding::PublicConnectTimeout | Finding::S3ConnectTimeout | Finding::PublicPath
                if self.fips_unserved() =>
            {
                self.fips_unknown(finding, &ips, &nat64, &after)
            }
            Finding::PublicConnectTimeout | Finding::S3ConnectTimeout if !nat64.is_empty() => {
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
                    endpoint = if aws {
                        format!("the interface endpoint {svc}")
                    } else {
                        "an interface endpoint for it".to_owned()
                    }
                )
            }
            Finding::PublicConnectTimeout if aws => format!(
                "{host} resolved to public addresses ({ips}) and TCP connections to port {port} \
                 timed out{after}. This subnet has no way out to public AWS endpoints, \
                 and the name is not served by an interface endpoint: either the VPC endpoint \
                 {svc} does not exist, or it exists with private DNS turned off, so the name \
                 still resolves to public addresses. Create the endpoint, or enable its private \
                 DNS (the VPC needs enableDnsSupport and enableDnsHostnames). If the task is \
                 meant to go out through NAT instead, add a 0.0.0.0/0 route to a NAT gateway in \
                 the subnet's route table."
            ),
            Finding::PublicConnectTimeout => format!(
                "{host} resolved to public addresses ({ips}) and TCP connections to port {port} \
                 timed out{after}: packets to the internet are dropped. Check the \
                 subnet's route to a NAT or internet gateway, the security group's egress rules \
                 and the network ACLs."
            ),
            Finding::PrivateConnectTimeout => format!(
                "{host} resolved to private addresses ({ips}){endpoint} but TCP connections to \
                 port {port} timed out{after}: packets are dropped between the task and \
                 those addresses. Allow egress TCP {port} to them (or to the VPC CIDR) in the \
                 task's security group, allow ingress TCP {port} from the task's subnet or \
                 security group in the endpoint's security group, and check the network ACLs of \
                 both subnets, including return traffic on ephemeral ports.{routes}",
                endpoint = if aws {
                    ", an interface endpoint with private DNS,"
                } else {
                    ""
                }
            ),
            Finding::S3ConnectTimeout => format!(
                "{host} resolved to public S3 addresses ({ips}) and TCP connections to port \
                 {port} timed out{after}. S3 is reached through a gateway endpoint, a \
                 route-table entry, so either the subnet's route table has no route to the \
                 gateway endpoint {svc} (and no NAT), or the task's security group egress does \
                 not allow TCP 443 to the S3 managed prefix list (com.amazonaws.{region}.s3, \
                 pl-...). ECR image layers come from S3: this is the CannotPullContainerError \
                 that follows a successful manifest fetch.",
                region = self.facts.region
            ),
            Finding::ConnectRefused => format!(
                "Connections to {ips} port {port} were refused: the address answered but \
                 nothing accepts connections on that port. An endpoint ENI accepts 443, so the \
                 name probably points somewhere else (a stale hosts-file entry, a custom DNS \
                 record), or --port is wrong."
            ),
            Finding::ConnectionReset => format!(
                "The connection to {ips} was reset{detail}. A firewall, proxy or network \
                 appliance on the path is rejecting this destination."
            ),
            Finding::NetworkUnreachable => format!(
                "There is no route to {ips}{detail}: the subnet's route table does not reach \
                 these addresses (no NAT or internet gateway route for public addresses, or a \
                 blackholed route).{routes}"
            ),
            Finding::ConnectFailed => format!("Connecting to {ips} port {port} failed{detail}."),
            Finding::TlsHandshakeTimeout => format!(
                "TCP to {ips} connected, but the TLS handshake did not finish{within}: \
                 something accepted the connection and never answered the ClientHello. This is \
                 typical of a proxy or firewall that intercepts port {port}, or of a service \
                 that does not speak TLS on this port."
            ),
            Finding::TlsHandshakeFailed => format!(
                "The TLS handshake with {ips} failed{detail}. The server does not speak TLS 1.2 \
                 or 1.3 with a common cipher, or a middlebox is corrupting the handshake."
            ),
            Finding::TlsUntrusted => format!(
                "The certificate from {ips}{cert} does not chain to a trusted root. Either a \
                 TLS-inspecting proxy or firewall is intercepting the connection (pass its CA \
                 with --ca-file to confirm; every application in the task must trust it too), \
                 or the address belongs to something other than {host}.",
                cert = self.presented()
            ),
            Finding::TlsHostnameMismatch => format!(
                "The certificate from {ips}{cert} is not valid for {host}. The name leads to a \
                 different service: a DNS record or private hosted zone pointing {host} at the \
                 wrong endpoint, a hosts-file entry, or an intercepting proxy.",
                cert = self.presented()
            ),
            Finding::TlsCertExpired => format!(
                "The certificate from {ips}{cert} has expired. AWS renews its certificates long \
                 before expiry, so this is an intercepting device with a stale certificate, or \
                 the task's clock is wrong.",
                cert = self.presented()
            ),
            Finding::TlsCertNotYetValid => format!(
                "The certificate from {ips}{cert} is not valid yet. The task's clock is probably \
                 behind; otherwise an intercepting device is presenting a fresh certificate.",
                cert = self.presented()
            ),
            Finding::PublicPath if self.facts.registry => format!(
                "{host} was reached over public addresses ({ips}): image pulls from it leave the \
                 VPC through a NAT or internet gateway, and --expect private forbids that. A \
                 registry outside AWS has no VPC endpoint; pull through an ECR pull-through \
                 cache rule (the task's own registry, served by the ecr.api, ecr.dkr and S3 \
                 endpoints) or copy the image into ECR."
            ),
            Finding::PublicPath if !nat64.is_empty() => format!(
                "{host} was reached over NAT64 ({nat}): the name has no AAAA record inside the \
                 VPC, so Route 53 Resolver's DNS64 synthesised one from its public IPv4 address, \
                 and the traffic leaves the VPC through NAT64 on a NAT gateway{gateway}; \
                 --expect private forbids that. Create the interface endpoint {svc} with private \
                 DNS and a DNS record IP type that serves IPv6 (dualstack or ipv6; its subnets \
                 need IPv6 CIDRs), so the name gets an AAAA record on endpoint addresses inside \
                 the VPC.",
                nat = nat64.join(", "),
                gateway = if s3 {
                    ", never through the S3 gateway endpoint"
                } else {
                    ""
                }
            ),
            Finding::PublicPath if aws => format!(
                "{host} was reached over public addresses ({ips}): this traffic leaves the VPC \
                 through a NAT or internet gateway, and --expect private forbids that. Create \
                 the interface endpoint {svc} with private DNS enabled so the name resolves to \
                 endpoint addresses inside the VPC."
            ),
            Finding::PublicPath => format!(
                "{host} was reached over public addresses ({ips}): this traffic leaves the VPC \
                 through a NAT or internet gateway, and --expect private forbids that. {host} \
                 is not an AWS service, so no AWS interface endpoint serves it: to keep it \
                 private, reach it through its provider's PrivateLink endpoint service (an \
                 interface endpoint to that service name, with a private DNS name or a private \
                 hosted zone for {host}), or run it inside the VPC."
            ),
            Finding::DeadlineExceeded => format!(
                "The run's --deadline passed before {host} finished; raise --deadline, lower \
                 --timeout or probe fewer endpoints at once."
            ),
            Finding::RegistryNeedsInternet => format!(
                "{host} is a container registry with no VPC endpoint, and the task could not \
                 reach it{seen}: an isolated subnet cannot pull its images. Ways out: route the \
                 subnet's 0.0.0.0/0 to a NAT gateway; or create an ECR pull-through cache rule \
                 for it (ECR caches ECR Public, Docker Hub, Quay, registry.k8s.io, GitHub, \
                 GitLab, Azure and Chainguard registries) and reference the image through the \
                 task's own registry, ACCOUNT.dkr.ecr.REGION.amazonaws.com/PREFIX/..., which \
                 the ecr.api, ecr.dkr and S3 endpoints serve (the first pull of each image \
                 through the cache still needs a way out); or copy the image into ECR.",
                seen = match (evidence.ips.is_empty(), failure) {
                    (true, Some(f)) => format!(" (resolving it failed: {})", f.detail),
                    (false, Some(f)) => format!(" ({ips} port {port}: {})", f.detail),
                    (_, None) => String::new(),
                }
            ),
            Finding::ProxyBypassesEndpoint
            | Finding::ProxyUnreachable
            | Finding::ProxyDenied
            | Finding::ProxyAuthRequired
            | Finding::ProxyPath => self.proxy_paragraph(finding, &detail),
            Finding::Ipv6EgressBlocked | Finding::Ipv4EgressBlocked => {
                self.family_blocked(finding, evidence.ips, &ips, &detail)
            }
            Finding::StsGlobalEndpoint => self.global_sts(&ips, failure.is_some(), &detail),
            Finding::FipsEndpointMissing => self.fips_missing(&detail),
            Finding::TlsInterception => format!(
                "The certificate for {host} is trusted but was issued by '{issuer}', not by an \
                 Amazon CA. AWS endpoints present certificates from Amazon (O=Amazon) \
                 intermediates, so a TLS-inspecting proxy or firewall is re-signing this \
                 traffic. If the inspection is intended, nothing is broken; if not, find the \
                 appliance on the path.",
                issuer = evidence.cert.map_or_else(
                    || "a CA outside Amazon".to_owned(),
                    |c| c.issuer.to_string()
                )
            ),
            Finding::CertExpiringSoon => format!(
                "The certificate for {host} ({subject}) expires in {days} day(s), within \
                 --cert-warn-days {warn}. AWS rotates its certificates well ahead of expiry; a \
                 certificate this close to it usually belongs to an intercepting device.",
                subject = evidence
                    .cert
                    .map_or_else(String::new, |c| c.subject.to_string()),
                days = evidence.cert.map_or(0, |c| c.days_left),
                warn = self.policy.cert_warn_days
            ),
        }
    }

    /// ", which presented CN=... issued by ..." for the first address that sent one.
    fn presented(&self) -> String {
        self.facts
            .addresses
            .iter()
            .find_map(|a| a.cert)
            .map_or(String::new(), |c| {
                format!(
                    " (subject '{}', issued by '{}', names {})",
                    c.subject,
                    c.issuer,
                    if c.sans.is_empty() {
                        "none".to_owned()
                    } else {
                        crate::printable::Untrusted::join(&c.sans, ", ")
                    }
                )
            })
    }
}
