//! Probe results made by hand for the unit tables of `diagnose` and
//! `remedy` (compiled for tests only): one copy of the certificate, the
//! TLS session and the timing every table builds its worlds from.

use std::time::Duration;

use super::{CertInfo, Failure, Timed, TlsSession};

/// A phase's result that took a millisecond.
pub fn timed<T>(result: Result<T, Failure>) -> Timed<T> {
    Timed {
        elapsed: Duration::from_millis(1),
        result,
    }
}

/// A certificate issued by `O=org`, valid `days_left` more days.
pub fn cert(org: &str, days_left: i64) -> CertInfo {
    CertInfo {
        subject: "CN=x".into(),
        issuer: format!("CN=Some CA, O={org}").into(),
        issuer_org: Some(org.into()),
        not_before: 0,
        not_after: 0,
        days_left,
        sans: vec![],
        chain_len: 2,
        chain: super::ChainInfo::default(),
    }
}

/// A TLS 1.3 session.
pub fn session() -> TlsSession {
    TlsSession {
        version: "TLSv1.3".into(),
        cipher: "TLS13_AES_128_GCM_SHA256".into(),
    }
}
