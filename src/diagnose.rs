//! Named diagnoses for the known failure modes of ECS tasks reaching AWS:
//! a status per endpoint, a stable machine-readable [`Finding`] code, and
//! one paragraph naming the likely cause and the fix. Pure functions of the
//! probe's facts, table-tested.

use std::fmt::Write as _;
use std::net::IpAddr;
use std::time::Duration;

use serde::{Deserialize, Serialize};

use crate::catalog::{Region, Service};
use crate::classify::{self, AddressClass, EndpointRole, Path};
use crate::config::Expect;
use crate::probe::{AddressProbe, CertInfo, DnsOutcome, Failure, FailureKind, Phase};

/// An endpoint's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ok => "ok",
            Self::Warn => "warn",
            Self::Fail => "fail",
        }
    }
}

/// Stable finding codes: scripts and alarms match on these.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    DnsNxdomain,
    DnsNoAddresses,
    DnsResolverUnreachable,
    DnsServfail,
    DnsRefused,
    DnsTcpBlocked,
    DnsError,
    PublicConnectTimeout,
    PrivateConnectTimeout,
    S3ConnectTimeout,
    ConnectRefused,
    ConnectionReset,
    NetworkUnreachable,
    ConnectFailed,
    TlsHandshakeTimeout,
    TlsHandshakeFailed,
    TlsUntrusted,
    TlsHostnameMismatch,
    TlsCertExpired,
    TlsCertNotYetValid,
    TlsInterception,
    CertExpiringSoon,
    PublicPath,
    DeadlineExceeded,
}

impl Finding {
    pub fn code(self) -> &'static str {
        match self {
            Self::DnsNxdomain => "dns_nxdomain",
            Self::DnsNoAddresses => "dns_no_addresses",
            Self::DnsResolverUnreachable => "dns_resolver_unreachable",
            Self::DnsServfail => "dns_servfail",
            Self::DnsRefused => "dns_refused",
            Self::DnsTcpBlocked => "dns_tcp_blocked",
            Self::DnsError => "dns_error",
            Self::PublicConnectTimeout => "public_connect_timeout",
            Self::PrivateConnectTimeout => "private_connect_timeout",
            Self::S3ConnectTimeout => "s3_connect_timeout",
            Self::ConnectRefused => "connect_refused",
            Self::ConnectionReset => "connection_reset",
            Self::NetworkUnreachable => "network_unreachable",
            Self::ConnectFailed => "connect_failed",
            Self::TlsHandshakeTimeout => "tls_handshake_timeout",
            Self::TlsHandshakeFailed => "tls_handshake_failed",
            Self::TlsUntrusted => "tls_untrusted",
            Self::TlsHostnameMismatch => "tls_hostname_mismatch",
            Self::TlsCertExpired => "tls_cert_expired",
            Self::TlsCertNotYetValid => "tls_cert_not_yet_valid",
            Self::TlsInterception => "tls_interception",
            Self::CertExpiringSoon => "cert_expiring_soon",
            Self::PublicPath => "public_path",
            Self::DeadlineExceeded => "deadline_exceeded",
        }
    }
}

/// The run-wide settings a judgement depends on.
#[derive(Debug, Clone, Copy)]
pub struct Policy {
    pub expect: Expect,
    pub cert_warn_days: u32,
    pub timeout: Duration,
}

/// Everything known about one endpoint after probing.
#[derive(Debug, Clone, Copy)]
pub struct Facts<'a> {
    pub service: Option<Service>,
    pub region: &'a Region,
    pub host: &'a str,
    pub port: u16,
    pub dns: &'a DnsOutcome,
    /// Each probed address with its class, in DNS order.
    pub addresses: &'a [(AddressClass, &'a AddressProbe)],
}

impl Facts<'_> {
    pub fn role(&self) -> EndpointRole {
        match self.service {
            Some(s) if s.is_gateway() => EndpointRole::Gateway,
            Some(_) => EndpointRole::Interface,
            None => EndpointRole::Target,
        }
    }
}

/// The verdict on one endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    pub status: Status,
    pub path: Path,
    pub finding: Option<Finding>,
    pub diagnosis: Option<String>,
}

/// Judges one endpoint. Order of precedence: DNS failure; every address
/// failing; a public path under `--expect private`; some addresses
/// failing; TLS interception; a certificate expiring soon.
pub fn judge(facts: &Facts<'_>, policy: Policy) -> Judgement {
    let role = facts.role();
    let path = classify::path(
        role,
        facts
            .addresses
            .iter()
            .filter(|(_, a)| a.passed())
            .map(|(c, _)| *c),
    );
    let judged = |status, finding: Finding, diagnosis: String| Judgement {
        status,
        path,
        finding: Some(finding),
        diagnosis: Some(diagnosis),
    };
    let ctx = Ctx { facts, policy };

    if let Err(failure) = &facts.dns.answer.result {
        let finding = dns_finding(failure.kind);
        return judged(
            Status::Fail,
            finding,
            ctx.explain(finding, &[], Some(failure)),
        );
    }
    if facts.addresses.is_empty() {
        let finding = Finding::DnsNoAddresses;
        return judged(Status::Fail, finding, ctx.explain(finding, &[], None));
    }

    let failing: Vec<(Finding, IpAddr, &Failure)> = facts
        .addresses
        .iter()
        .filter_map(|(class, a)| {
            a.failure()
                .map(|(phase, f)| (address_finding(role, *class, phase, f.kind), a.ip, f))
        })
        .collect();
    if let Some(finding) = dominant(&failing) {
        let ips: Vec<IpAddr> = failing
            .iter()
            .filter(|(f, _, _)| *f == finding)
            .map(|(_, ip, _)| *ip)
            .collect();
        let detail = failing.iter().find(|(f, _, _)| *f == finding).map(|t| t.2);
        let text = ctx.explain(finding, &ips, detail);
        if failing.len() == facts.addresses.len() {
            return judged(Status::Fail, finding, text);
        }
        if !(policy.expect == Expect::Private && path == Path::Public) {
            let prefix = format!(
                "{} of {} addresses failed ({}); the endpoint works through the others, \
                 but calls that land on a failing address fail, an intermittent outage. ",
                failing.len(),
                facts.addresses.len(),
                join_ips(failing.iter().map(|t| t.1)),
            );
            return judged(Status::Warn, finding, prefix + &text);
        }
    }

    if policy.expect == Expect::Private && path == Path::Public {
        let finding = Finding::PublicPath;
        let public: Vec<IpAddr> = facts
            .addresses
            .iter()
            .filter(|(c, a)| *c == AddressClass::Public && a.passed())
            .map(|(_, a)| a.ip)
            .collect();
        return judged(Status::Fail, finding, ctx.explain(finding, &public, None));
    }

    let passing_certs = facts
        .addresses
        .iter()
        .filter(|(_, a)| a.passed())
        .filter_map(|(_, a)| a.cert.as_ref());
    let foreign = passing_certs.clone().find(|c| !issued_by_amazon(c));
    if let (true, Some(cert)) = (role != EndpointRole::Target, foreign) {
        let finding = Finding::TlsInterception;
        return judged(Status::Warn, finding, ctx.explain_cert(finding, cert));
    }
    let soonest = passing_certs.min_by_key(|c| c.days_left);
    if let Some(cert) = soonest.filter(|c| c.days_left < i64::from(policy.cert_warn_days)) {
        let finding = Finding::CertExpiringSoon;
        return judged(Status::Warn, finding, ctx.explain_cert(finding, cert));
    }
    Judgement {
        status: Status::Ok,
        path,
        finding: None,
        diagnosis: None,
    }
}

/// AWS endpoints present certificates from Amazon's own intermediates
/// (`O=Amazon`); a TLS-inspecting proxy re-signs with its own CA.
pub fn issued_by_amazon(cert: &CertInfo) -> bool {
    cert.issuer_org
        .as_deref()
        .is_some_and(|o| o.split_whitespace().next() == Some("Amazon"))
}

fn dns_finding(kind: FailureKind) -> Finding {
    match kind {
        FailureKind::NxDomain => Finding::DnsNxdomain,
        FailureKind::NoRecords => Finding::DnsNoAddresses,
        FailureKind::ServFail => Finding::DnsServfail,
        FailureKind::DnsRefused => Finding::DnsRefused,
        FailureKind::Truncated => Finding::DnsTcpBlocked,
        FailureKind::Deadline => Finding::DeadlineExceeded,
        FailureKind::Timeout
        | FailureKind::Refused
        | FailureKind::Unreachable
        | FailureKind::Reset
        | FailureKind::Io => Finding::DnsResolverUnreachable,
        _ => Finding::DnsError,
    }
}

/// The finding for one failed address.
pub fn address_finding(
    role: EndpointRole,
    class: AddressClass,
    phase: Phase,
    kind: FailureKind,
) -> Finding {
    match (phase, kind) {
        (_, FailureKind::Deadline) => Finding::DeadlineExceeded,
        (_, FailureKind::Reset) => Finding::ConnectionReset,
        (Phase::Tcp, FailureKind::Timeout) => match (class, role) {
            (AddressClass::Private, _) => Finding::PrivateConnectTimeout,
            (AddressClass::Public, EndpointRole::Gateway) => Finding::S3ConnectTimeout,
            (AddressClass::Public, _) => Finding::PublicConnectTimeout,
        },
        (Phase::Tcp, FailureKind::Refused) => Finding::ConnectRefused,
        (Phase::Tcp, FailureKind::Unreachable) => Finding::NetworkUnreachable,
        (Phase::Tcp | Phase::Dns, _) => Finding::ConnectFailed,
        (Phase::Tls, FailureKind::Timeout) => Finding::TlsHandshakeTimeout,
        (Phase::Tls, FailureKind::UnknownIssuer) => Finding::TlsUntrusted,
        (Phase::Tls, FailureKind::HostnameMismatch) => Finding::TlsHostnameMismatch,
        (Phase::Tls, FailureKind::CertExpired) => Finding::TlsCertExpired,
        (Phase::Tls, FailureKind::CertNotYetValid) => Finding::TlsCertNotYetValid,
        (Phase::Tls, _) => Finding::TlsHandshakeFailed,
    }
}

/// The most frequent finding; ties go to the first seen.
fn dominant(failing: &[(Finding, IpAddr, &Failure)]) -> Option<Finding> {
    let mut best: Option<(Finding, usize)> = None;
    for (finding, _, _) in failing {
        let count = failing.iter().filter(|(f, _, _)| f == finding).count();
        if best.is_none_or(|(_, c)| count > c) {
            best = Some((*finding, count));
        }
    }
    best.map(|(f, _)| f)
}

fn join_ips(ips: impl Iterator<Item = IpAddr>) -> String {
    ips.map(|ip| ip.to_string()).collect::<Vec<_>>().join(", ")
}

/// Builds the diagnosis paragraphs.
struct Ctx<'a> {
    facts: &'a Facts<'a>,
    policy: Policy,
}

impl Ctx<'_> {
    fn endpoint_name(&self) -> String {
        match self.facts.service {
            Some(s) => s.endpoint_service_name(self.facts.region),
            None => "(not an AWS service)".to_owned(),
        }
    }

    fn nameservers(&self) -> String {
        let ns = &self.facts.dns.nameservers;
        if ns.is_empty() {
            "the resolver".to_owned()
        } else {
            ns.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join(", ")
        }
    }

    #[expect(
        clippy::too_many_lines,
        reason = "one paragraph per finding, kept side by side"
    )]
    fn explain(&self, finding: Finding, ips: &[IpAddr], failure: Option<&Failure>) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let ips = join_ips(ips.iter().copied());
        let svc = self.endpoint_name();
        let aws = self.facts.service.is_some();
        let detail = failure.map_or(String::new(), |f| format!(" ({})", f.detail));
        let timeout = humantime::format_duration(self.policy.timeout);
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
                "The resolver {ns} did not answer for {host}{detail}. Nothing that needs DNS \
                 will work: check that the VPC has enableDnsSupport turned on, that the DHCP \
                 options set points at a resolver the task can reach, and, for a custom \
                 resolver, that security groups and network ACLs allow UDP and TCP port 53.",
                ns = self.nameservers()
            ),
            Finding::DnsServfail => format!(
                "The resolver {ns} answered SERVFAIL for {host}: it failed to get an answer \
                 upstream. A custom resolver or a Route 53 Resolver forwarding rule is failing; \
                 point the task at the Amazon-provided resolver or fix the forwarder.",
                ns = self.nameservers()
            ),
            Finding::DnsRefused => format!(
                "The resolver {ns} refused to answer for {host}. It is not configured to \
                 resolve for this task's addresses; allow the VPC CIDR on the resolver or use \
                 the Amazon-provided resolver.",
                ns = self.nameservers()
            ),
            Finding::DnsTcpBlocked => format!(
                "The answer for {host} from {ns} was too large for UDP and the retry over TCP \
                 failed{detail}. Resolvers switch to TCP port 53 for large answers (many \
                 addresses, long CNAME chains): allow TCP 53 as well as UDP 53 to the resolver in \
                 the security groups and network ACLs.",
                ns = self.nameservers()
            ),
            Finding::DnsError => format!("Resolving {host} failed{detail}."),
            Finding::PublicConnectTimeout if aws => format!(
                "{host} resolved to public addresses ({ips}) and TCP connections to port {port} \
                 timed out after {timeout}. This subnet has no way out to public AWS endpoints, \
                 and the name is not served by an interface endpoint: either the VPC endpoint \
                 {svc} does not exist, or it exists with private DNS turned off, so the name \
                 still resolves to public addresses. Create the endpoint, or enable its private \
                 DNS (the VPC needs enableDnsSupport and enableDnsHostnames). If the task is \
                 meant to go out through NAT instead, add a 0.0.0.0/0 route to a NAT gateway in \
                 the subnet's route table."
            ),
            Finding::PublicConnectTimeout => format!(
                "{host} resolved to public addresses ({ips}) and TCP connections to port {port} \
                 timed out after {timeout}: packets to the internet are dropped. Check the \
                 subnet's route to a NAT or internet gateway, the security group's egress rules \
                 and the network ACLs."
            ),
            Finding::PrivateConnectTimeout => format!(
                "{host} resolved to private addresses ({ips}){endpoint} but TCP connections to \
                 port {port} timed out after {timeout}: packets are dropped between the task and \
                 those addresses. Allow egress TCP {port} to them (or to the VPC CIDR) in the \
                 task's security group, allow ingress TCP {port} from the task's subnet or \
                 security group in the endpoint's security group, and check the network ACLs of \
                 both subnets, including return traffic on ephemeral ports.",
                endpoint = if aws {
                    ", an interface endpoint with private DNS,"
                } else {
                    ""
                }
            ),
            Finding::S3ConnectTimeout => format!(
                "{host} resolved to public S3 addresses ({ips}) and TCP connections to port \
                 {port} timed out after {timeout}. S3 is reached through a gateway endpoint, a \
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
                 blackholed route)."
            ),
            Finding::ConnectFailed => format!("Connecting to {ips} port {port} failed{detail}."),
            Finding::TlsHandshakeTimeout => format!(
                "TCP to {ips} connected, but the TLS handshake did not finish within {timeout}: \
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
            Finding::PublicPath => format!(
                "{host} was reached over public addresses ({ips}): this traffic leaves the VPC \
                 through a NAT or internet gateway, and --expect private forbids that. Create \
                 the interface endpoint {svc} with private DNS enabled so the name resolves to \
                 endpoint addresses inside the VPC."
            ),
            Finding::DeadlineExceeded => format!(
                "The run's --deadline passed before {host} finished; raise --deadline, lower \
                 --timeout or probe fewer endpoints at once."
            ),
            Finding::TlsInterception | Finding::CertExpiringSoon => String::new(),
        }
    }

    fn explain_cert(&self, finding: Finding, cert: &CertInfo) -> String {
        let host = self.facts.host;
        let mut s = String::new();
        match finding {
            Finding::TlsInterception => {
                let _ = write!(
                    s,
                    "The certificate for {host} is trusted but was issued by '{}', not by an \
                     Amazon CA. AWS endpoints present certificates from Amazon (O=Amazon) \
                     intermediates, so a TLS-inspecting proxy or firewall is re-signing this \
                     traffic. If the inspection is intended, nothing is broken; if not, find \
                     the appliance on the path.",
                    cert.issuer
                );
            }
            _ => {
                let _ = write!(
                    s,
                    "The certificate for {host} ({}) expires in {} day(s), within \
                     --cert-warn-days {}. AWS rotates its certificates well ahead of expiry; a \
                     certificate this close to it usually belongs to an intercepting device.",
                    cert.subject, cert.days_left, self.policy.cert_warn_days
                );
            }
        }
        s
    }

    /// ", which presented CN=... issued by ..." for the first address that sent one.
    fn presented(&self) -> String {
        self.facts
            .addresses
            .iter()
            .find_map(|(_, a)| a.cert.as_ref())
            .map_or(String::new(), |c| {
                format!(
                    " (subject '{}', issued by '{}', names {})",
                    c.subject,
                    c.issuer,
                    if c.sans.is_empty() {
                        "none".to_owned()
                    } else {
                        c.sans.join(", ")
                    }
                )
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::probe::{AnswerSource, Resolution, Timed, TlsSession, dns::ResolvedAddress};

    fn region() -> Region {
        "ap-northeast-1".parse().unwrap()
    }

    fn ok<T>(v: T) -> Timed<T> {
        Timed {
            elapsed: Duration::from_millis(1),
            result: Ok(v),
        }
    }

    fn err<T>(kind: FailureKind) -> Timed<T> {
        Timed {
            elapsed: Duration::from_millis(1),
            result: Err(Failure::new(kind, "x")),
        }
    }

    fn cert(org: &str, days_left: i64) -> CertInfo {
        CertInfo {
            subject: "CN=x".into(),
            issuer: format!("CN=Some CA, O={org}"),
            issuer_org: Some(org.into()),
            not_before: 0,
            not_after: 0,
            days_left,
            sans: vec![],
            chain_len: 2,
        }
    }

    /// An address probe: `None` = passed with an Amazon cert valid 300 days.
    fn addr(ip: &str, fail: Option<(Phase, FailureKind)>) -> AddressProbe {
        let (tcp, tls) = match fail {
            None => (ok(()), Some(ok(session()))),
            Some((Phase::Tcp, k)) => (err(k), None),
            Some((_, k)) => (ok(()), Some(err(k))),
        };
        AddressProbe {
            ip: ip.parse().unwrap(),
            tcp,
            tls,
            cert: Some(cert("Amazon", 300)),
        }
    }

    fn session() -> TlsSession {
        TlsSession {
            version: "TLSv1.3".into(),
            cipher: "TLS13_AES_128_GCM_SHA256".into(),
        }
    }

    fn dns_ok(ips: &[&AddressProbe]) -> DnsOutcome {
        DnsOutcome {
            nameservers: vec!["10.0.0.2:53".parse().unwrap()],
            answer: ok(Resolution {
                source: AnswerSource::Dns,
                addresses: ips
                    .iter()
                    .map(|a| ResolvedAddress {
                        ip: a.ip,
                        ttl: Some(60),
                    })
                    .collect(),
                cname_chain: vec![],
            }),
        }
    }

    fn policy(expect: Expect) -> Policy {
        Policy {
            expect,
            cert_warn_days: 14,
            timeout: Duration::from_secs(3),
        }
    }

    fn run(
        service: Option<Service>,
        dns_fail: Option<FailureKind>,
        addrs: &[AddressProbe],
        expect: Expect,
    ) -> Judgement {
        let region = region();
        let vpc: Vec<ipnet::IpNet> = vec!["10.0.0.0/8".parse().unwrap()];
        let classed: Vec<(AddressClass, &AddressProbe)> = addrs
            .iter()
            .map(|a| (classify::class_of(a.ip, &vpc), a))
            .collect();
        let dns = match dns_fail {
            Some(kind) => DnsOutcome {
                nameservers: vec!["10.0.0.2:53".parse().unwrap()],
                answer: err(kind),
            },
            None => dns_ok(&addrs.iter().collect::<Vec<_>>()),
        };
        let facts = Facts {
            service,
            region: &region,
            host: "h.example",
            port: 443,
            dns: &dns,
            addresses: &classed,
        };
        judge(&facts, policy(expect))
    }

    type Case = (
        &'static str,
        Option<Service>,
        Option<FailureKind>,
        Vec<AddressProbe>,
        Expect,
        Status,
        Path,
        Option<Finding>,
    );

    #[test]
    #[expect(clippy::too_many_lines, reason = "a table of cases, one per scenario")]
    fn judgements() {
        use FailureKind as K;
        use Phase::{Tcp, Tls};
        let sm = Some(Service::Secretsmanager);
        let s3 = Some(Service::S3);
        let tcp_timeout = Some((Tcp, K::Timeout));
        let cases: Vec<Case> = vec![
            (
                "all private",
                sm,
                None,
                vec![addr("10.0.1.5", None), addr("10.0.2.5", None)],
                Expect::Any,
                Status::Ok,
                Path::InterfaceEndpoint,
                None,
            ),
            (
                "nxdomain",
                sm,
                Some(K::NxDomain),
                vec![],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::DnsNxdomain),
            ),
            (
                "resolver silent",
                sm,
                Some(K::Timeout),
                vec![],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::DnsResolverUnreachable),
            ),
            (
                "servfail",
                sm,
                Some(K::ServFail),
                vec![],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::DnsServfail),
            ),
            (
                "private dns off",
                sm,
                None,
                vec![addr("52.1.2.3", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PublicConnectTimeout),
            ),
            (
                "blocked eni",
                sm,
                None,
                vec![addr("10.0.1.5", tcp_timeout), addr("10.0.2.5", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "s3 prefix list",
                s3,
                None,
                vec![addr("52.219.41.3", tcp_timeout)],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::S3ConnectTimeout),
            ),
            (
                "s3 via gateway, expect private",
                s3,
                None,
                vec![addr("52.219.41.3", None)],
                Expect::Private,
                Status::Ok,
                Path::GatewayOrNat,
                None,
            ),
            (
                "public via nat",
                sm,
                None,
                vec![addr("52.1.2.3", None)],
                Expect::Any,
                Status::Ok,
                Path::Public,
                None,
            ),
            (
                "public via nat, expect private",
                sm,
                None,
                vec![addr("52.1.2.3", None)],
                Expect::Private,
                Status::Fail,
                Path::Public,
                Some(Finding::PublicPath),
            ),
            (
                "one of three enis dead",
                sm,
                None,
                vec![
                    addr("10.0.1.5", None),
                    addr("10.0.2.5", tcp_timeout),
                    addr("10.0.3.5", None),
                ],
                Expect::Any,
                Status::Warn,
                Path::InterfaceEndpoint,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "refused",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tcp, K::Refused)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::ConnectRefused),
            ),
            (
                "silent tls",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::Timeout)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsHandshakeTimeout),
            ),
            (
                "mismatch",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::HostnameMismatch)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsHostnameMismatch),
            ),
            (
                "untrusted",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::UnknownIssuer)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsUntrusted),
            ),
            (
                "tls 1.0 only",
                sm,
                None,
                vec![addr("10.0.1.5", Some((Tls, K::Incompatible)))],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::TlsHandshakeFailed),
            ),
            (
                "mixed failures, majority wins",
                sm,
                None,
                vec![
                    addr("10.0.1.5", Some((Tcp, K::Refused))),
                    addr("10.0.2.5", tcp_timeout),
                    addr("10.0.3.5", tcp_timeout),
                ],
                Expect::Any,
                Status::Fail,
                Path::None,
                Some(Finding::PrivateConnectTimeout),
            ),
            (
                "target on public, expect private",
                None,
                None,
                vec![addr("52.1.2.3", None)],
                Expect::Private,
                Status::Fail,
                Path::Public,
                Some(Finding::PublicPath),
            ),
            (
                "target private",
                None,
                None,
                vec![addr("10.1.2.3", None)],
                Expect::Any,
                Status::Ok,
                Path::Private,
                None,
            ),
        ];
        for (name, service, dns_fail, addrs, expect, status, path, finding) in cases {
            let j = run(service, dns_fail, &addrs, expect);
            assert_eq!(
                (j.status, j.path, j.finding),
                (status, path, finding),
                "{name}"
            );
            assert_eq!(j.diagnosis.is_some(), finding.is_some(), "{name}");
            if let Some(d) = &j.diagnosis {
                assert!(!d.is_empty(), "{name}");
            }
        }
    }

    #[test]
    fn certificate_warnings() {
        let sm = Some(Service::Secretsmanager);
        let mut proxy = addr("10.0.1.5", None);
        proxy.cert = Some(cert("Corp Proxy Inc", 300));
        let j = run(sm, None, &[proxy.clone()], Expect::Any);
        assert_eq!(
            (j.status, j.finding),
            (Status::Warn, Some(Finding::TlsInterception))
        );
        assert!(j.diagnosis.unwrap().contains("O=Corp Proxy Inc"));

        // Targets are not AWS: any trusted issuer is fine.
        let j = run(None, None, &[proxy], Expect::Any);
        assert_eq!(j.status, Status::Ok);

        let mut soon = addr("10.0.1.5", None);
        soon.cert = Some(cert("Amazon", 3));
        let j = run(sm, None, &[soon], Expect::Any);
        assert_eq!(
            (j.status, j.finding),
            (Status::Warn, Some(Finding::CertExpiringSoon))
        );
    }

    #[test]
    fn private_dns_off_diagnosis_names_the_fix() {
        let j = run(
            Some(Service::Secretsmanager),
            None,
            &[addr("52.1.2.3", Some((Phase::Tcp, FailureKind::Timeout)))],
            Expect::Any,
        );
        let d = j.diagnosis.unwrap();
        assert!(d.contains("private DNS"), "{d}");
        assert!(
            d.contains("com.amazonaws.ap-northeast-1.secretsmanager"),
            "{d}"
        );
        assert!(d.contains("NAT"), "{d}");
    }

    #[test]
    fn amazon_issuers() {
        let cases = [
            (Some("Amazon"), true),
            (Some("Amazon Inc"), true),
            (Some("Amazonia Proxy"), false),
            (Some("Zscaler Inc."), false),
            (None, false),
        ];
        for (org, want) in cases {
            let mut c = cert("x", 100);
            c.issuer_org = org.map(str::to_owned);
            assert_eq!(issued_by_amazon(&c), want, "{org:?}");
        }
    }
}
