//! The finding catalogue: the stable codes scripts and alarms match on (the
//! serde names, nothing kept by hand), the endpoint statuses, and which
//! failure of which phase at which kind of address is which finding.

use serde::{Deserialize, Serialize};

use crate::classify::{AddressClass, EndpointRole};
use crate::probe::{FailureKind, Phase};

/// An endpoint's status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Ok,
    Warn,
    Fail,
}

impl Status {
    /// The serde name (`ok`, `warn`, `fail`).
    pub fn as_str(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("Status is a unit enum")
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
    RegistryNeedsInternet,
    ProxyBypassesEndpoint,
    ProxyUnreachable,
    ProxyDenied,
    ProxyAuthRequired,
    ProxyPath,
    Ipv6EgressBlocked,
    Ipv4EgressBlocked,
    StsGlobalEndpoint,
    FipsEndpointMissing,
}

impl Finding {
    /// The stable code: the serde name (`public_connect_timeout`, ...).
    pub fn code(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("Finding is a unit enum")
    }
}
/// The finding for a failed lookup.
pub fn dns_finding(kind: FailureKind) -> Finding {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_serde_names() {
        for (finding, code) in [
            (Finding::DnsNxdomain, "dns_nxdomain"),
            (Finding::PublicConnectTimeout, "public_connect_timeout"),
            (Finding::S3ConnectTimeout, "s3_connect_timeout"),
            (Finding::TlsCertNotYetValid, "tls_cert_not_yet_valid"),
            (Finding::DeadlineExceeded, "deadline_exceeded"),
        ] {
            assert_eq!(finding.code(), code);
            assert_eq!(serde_json::to_value(finding).unwrap(), code);
        }
        assert_eq!(Status::Warn.as_str(), "warn");
    }
}
