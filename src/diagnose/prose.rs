//! The prose: one paragraph per finding, the likely cause and the fix in
//! the terms of the VPC console, each written next to its finding's name.

use std::net::IpAddr;

use super::cause::Cause;
use super::{Facts, Finding, Policy};
use crate::probe::{CertInfo, Failure};

pub(super) fn join_ips(ips: impl Iterator<Item = IpAddr>) -> String {
    ips.map(|ip| ip.to_string()).collect::<Vec<_>>().join(", ")
}

/// `64:ff9b::3401:203 → 52.1.2.3` for the DNS64-synthesised addresses
/// among `ips`, with the IPv4 address each carries.
pub(super) fn nat64_pairs(ips: &[IpAddr]) -> Vec<String> {
    ips.iter()
        .filter_map(|ip| crate::classify::nat64_ipv4(*ip).map(|v4| format!("{ip} → {v4}")))
        .collect()
}

/// The addresses a name was reached over: its public ones, or the NAT64
/// ones DNS64 synthesised for it.
pub(super) fn reached_over(ips: &str, nat64: &[String]) -> String {
    if nat64.is_empty() {
        format!("public addresses ({ips})")
    } else {
        format!("NAT64 addresses DNS64 synthesised ({})", nat64.join(", "))
    }
}

/// The sentence on the routes to private addresses outside the VPC's
/// ranges, when a cause names them.
fn routes(causes: &[Cause]) -> String {
    causes
        .iter()
        .find_map(|c| match c {
            Cause::RoutesToOtherNetwork { addresses } => Some(format!(
                " {} {} outside this VPC's ranges, in {}: also check the routes both ways (the \
                 subnet's route table to the Transit Gateway or peering connection, the \
                 Transit Gateway route tables, and the other VPC's route back to this VPC's \
                 CIDR), and that the endpoint's security group allows this VPC's CIDR.",
                join_ips(addresses.iter().copied()),
                if addresses.len() == 1 { "is" } else { "are" },
                crate::classify::OTHER_PRIVATE_NOTE
            )),
            _ => None,
        })
        .unwrap_or_default()
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

/// A finding's causes, decided once, and the paragraph that renders them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Said {
    pub causes: Vec<Cause>,
    pub text: String,
}

/// Writes the paragraphs of one endpoint's findings.
pub struct Explainer<'a> {
    pub facts: &'a Facts<'a>,
    pub policy: Policy,
}

impl Explainer<'_> {
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

    /// The paragraph of a diagnosis: `finding` with its `causes`, decided
    /// by the judge ([`super::cause::causes`]); the likely cause and the
    /// fix, in the terms of the VPC console ([`Self::explain`] frames it).
    /// What to say is read from the causes, never from the facts again.
    pub(super) fn render(
        &self,
        finding: Finding,
        causes: &[Cause],
        evidence: Evidence<'_>,
    ) -> String {
        use Finding as F;
        let detail = evidence
            .failure
            .map_or(String::new(), |f| format!(" ({})", f.detail));
        match finding {
            F::PublicConnectTimeout | F::S3ConnectTimeout | F::PublicPath => {
                self.public(finding, causes, evidence)
            }
            F::ProxyBypassesEndpoint
            | F::ProxyUnreachable
            | F::ProxyDenied
            | F::ProxyAuthRequired
            | F::ProxyPath => self.proxy_paragraph(finding, &detail),
            F::Ipv6EgressBlocked | F::Ipv4EgressBlocked => {
                self.family_blocked(finding, causes, evidence.ips, &detail)
            }
            F::StsGlobalEndpoint => self.global_sts(
                &join_ips(evidence.ips.iter().copied()),
                evidence.failure.is_some(),
                &detail,
            ),
            F::FipsEndpointMissing => self.fips_missing(&detail),
            F::RegistryNeedsInternet => self.registry(evidence),
            F::TlsInterception | F::CertExpiringSoon => self.certificate(finding, evidence),
            F::DnsNxdomain
            | F::DnsNoAddresses
            | F::DnsResolverUnreachable
            | F::DnsServfail
            | F::DnsRefused
            | F::DnsTcpBlocked
            | F::DnsError => self.dns(finding, &detail),
            _ => self.connect(finding, causes, evidence, &detail),
        }
    }

    /// " after 3s" / " within 3s", or nothing where the timeout is unknown.
    pub(super) fn waited(&self) -> (String, String) {
        self.policy.timeout.map_or_else(
            || (String::new(), String::new()),
            |t| {
                let t = humantime::format_duration(t);
                (format!(" after {t}"), format!(" within {t}"))
            },
        )
    }

    fn dns(&self, finding: Finding, detail: &str) -> String {
        let host = self.facts.host;
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
            _ => format!("Resolving {host} failed{detail}."),
        }
    }

    fn certificate(&self, finding: Finding, evidence: Evidence<'_>) -> String {
        let host = self.facts.host;
        if finding == Finding::TlsInterception {
            return format!(
                "The certificate for {host} is trusted but was issued by '{issuer}', not by an \
                 Amazon CA. AWS endpoints present certificates from Amazon (O=Amazon) \
                 intermediates, so a TLS-inspecting proxy or firewall is re-signing this \
                 traffic. If the inspection is intended, nothing is broken; if not, find the \
                 appliance on the path.",
                issuer = evidence.cert.map_or_else(
                    || "a CA outside Amazon".to_owned(),
                    |c| c.issuer.to_string()
                )
            );
        }
        format!(
            "The certificate for {host} ({subject}) expires in {days} day(s), within \
             --cert-warn-days {warn}. AWS rotates its certificates well ahead of expiry; a \
             certificate this close to it usually belongs to an intercepting device.",
            subject = evidence
                .cert
                .map_or_else(String::new, |c| c.subject.to_string()),
            days = evidence.cert.map_or(0, |c| c.days_left),
            warn = self.policy.cert_warn_days
        )
    }

    /// Connects and handshakes that failed at private addresses or for a
    /// reason of their own.
    fn connect(
        &self,
        finding: Finding,
        causes: &[Cause],
        evidence: Evidence<'_>,
        detail: &str,
    ) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let ips = join_ips(evidence.ips.iter().copied());
        let (after, within) = self.waited();
        let routes = routes(causes);
        match finding {
            Finding::PrivateConnectTimeout => format!(
                "{host} resolved to private addresses ({ips}){endpoint} but TCP connections to \
                 port {port} timed out{after}: packets are dropped between the task and \
                 those addresses. Allow egress TCP {port} to them (or to the VPC CIDR) in the \
                 task's security group, allow ingress TCP {port} from the task's subnet or \
                 security group in the endpoint's security group, and check the network ACLs of \
                 both subnets, including return traffic on ephemeral ports.{routes}",
                endpoint = if causes.iter().any(|c| matches!(
                    c,
                    Cause::EndpointIngress {
                        endpoint_service: Some(_),
                        ..
                    }
                )) {
                    ", an interface endpoint with private DNS,"
                } else {
                    ""
                }
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
            Finding::DeadlineExceeded => format!(
                "The run's --deadline passed before {host} finished; raise --deadline, lower \
                 --timeout or probe fewer endpoints at once."
            ),
            _ => format!("Connecting to {ips} port {port} failed{detail}."),
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
