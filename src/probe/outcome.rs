//! What one phase of a probe comes to: a [`Timed`] outcome or a
//! [`Failure`] of a known [`FailureKind`] in a [`Phase`], and the [`Budget`]
//! every wait goes through.

use std::future::Future;
use std::time::Duration;

use serde::Serialize;
use tokio::time::Instant;

use crate::printable::Untrusted;

/// Why a phase did not succeed. Classified from `io::ErrorKind`,
/// hickory's `NetError` and `rustls::Error`, never from error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The phase's `--timeout` ran out.
    Timeout,
    /// The run's `--deadline` ran out first.
    Deadline,
    /// TCP RST in answer to the SYN, or ICMP port unreachable.
    Refused,
    /// The peer reset or aborted an established connection.
    Reset,
    /// No route to the address or network.
    Unreachable,
    /// The peer closed the connection in the middle of the handshake.
    Closed,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The name exists but has no A or AAAA records.
    NoRecords,
    /// The resolver answered SERVFAIL.
    ServFail,
    /// The resolver answered REFUSED.
    DnsRefused,
    /// The answer was truncated (TC) and DNS over TCP did not work.
    Truncated,
    /// Another DNS failure (bad response, other response code).
    DnsError,
    /// The certificate does not chain to a trusted root.
    UnknownIssuer,
    /// The certificate is not valid for the hostname.
    HostnameMismatch,
    CertExpired,
    CertNotYetValid,
    /// Another certificate problem (bad signature, unsupported, revoked...).
    CertInvalid,
    /// No TLS version or cipher suite in common (e.g. a TLS 1.0-only server).
    Incompatible,
    /// The peer sent something that is not valid TLS, or a fatal alert.
    Protocol,
    /// Any other local I/O error.
    Io,
}

/// The phases of a probe, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Dns,
    Tcp,
    Tls,
}

/// A failed phase: its kind and a human detail. The detail is
/// [`Untrusted`]: a library's message can carry what the server sent (a
/// certificate's names in rustls' hostname mismatch, a proxy's answer).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: Untrusted,
}

impl Failure {
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: Untrusted::new(detail),
        }
    }

    /// Classifies an I/O error by its kind.
    pub fn from_io(err: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let kind = match err.kind() {
            K::ConnectionRefused => FailureKind::Refused,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => FailureKind::Reset,
            K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => {
                FailureKind::Unreachable
            }
            K::UnexpectedEof => FailureKind::Closed,
            K::TimedOut => FailureKind::Timeout,
            _ => FailureKind::Io,
        };
        Self::new(kind, err.to_string())
    }
}

/// The outcome of one phase and how long it took.
#[derive(Debug, Clone)]
pub struct Timed<T> {
    pub elapsed: Duration,
    pub result: Result<T, Failure>,
}

impl<T> Timed<T> {
    /// An outcome known without waiting (an IP literal, a hosts-file
    /// answer, a deadline already past).
    pub fn instant(result: Result<T, Failure>) -> Self {
        Self {
            elapsed: Duration::ZERO,
            result,
        }
    }
}

/// The limits every wait of a run goes through.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub timeout: Duration,
    pub deadline: Instant,
}

impl Budget {
    pub fn new(timeout: Duration, deadline: Instant) -> Self {
        Self { timeout, deadline }
    }

    /// Runs `fut` until it finishes, the phase timeout passes or the run's
    /// deadline passes, whichever comes first; times the attempt.
    pub async fn run<F, T>(&self, fut: F) -> Timed<T>
    where
        F: Future<Output = Result<T, Failure>>,
    {
        let start = Instant::now();
        let phase_end = start + self.timeout;
        let (limit, kind) = if phase_end <= self.deadline {
            (phase_end, FailureKind::Timeout)
        } else {
            (self.deadline, FailureKind::Deadline)
        };
        let result = match tokio::time::timeout_at(limit, fut).await {
            Ok(r) => r,
            Err(_) => Err(Failure::new(
                kind,
                match kind {
                    FailureKind::Timeout => format!("no answer within {:?}", self.timeout),
                    _ => "the run's deadline passed".to_owned(),
                },
            )),
        };
        Timed {
            elapsed: start.elapsed(),
            result,
        }
    }
}
