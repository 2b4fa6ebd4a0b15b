//! The words that say a call got no answer: the network errors Go, Node.js,
//! botocore and the agent report, and the failed sends beside them.

use crate::probe::FailureKind;

/// Whether the text says a call got no answer, beside a network error.
pub(super) fn said(lower: &str) -> bool {
    UNANSWERED.iter().any(|w| lower.contains(w))
}

/// Words that say a call got no answer, beside the network errors.
const UNANSWERED: [&str; 17] = [
    // botocore's EndpointConnectionError and ReadTimeoutError.
    "could not connect to the endpoint url",
    "read timeout on endpoint url",
    "connection issue between the task and",
    "could not reach any registry endpoint",
    // A bare timeout after an error class (`CannotPullContainerError: timeout`).
    "error: timeout",
    // aws-sdk-go's code for a request that could not be sent.
    "requesterror:",
    "exceeded maximum number of attempts",
    "statuscode: 0,",
    "send request failed",
    "request send failed",
    "failed to do request",
    "client.timeout exceeded",
    "timed out",
    "timeout exceeded",
    "context canceled",
    "signal: killed",
    "unable to execute http request",
];

/// The network error the text reports, by the words Go and the agent use.
pub(super) fn error_in(t: &str) -> Option<FailureKind> {
    let table = [
        ("no such host", FailureKind::NxDomain),
        ("unknownhostexception", FailureKind::NxDomain),
        ("name or service not known", FailureKind::NxDomain),
        (
            "temporary failure in name resolution",
            FailureKind::NxDomain,
        ),
        ("getaddrinfo enotfound", FailureKind::NxDomain),
        ("eai_again", FailureKind::NxDomain),
        ("tls handshake timeout", FailureKind::Timeout),
        ("connect timed out", FailureKind::Timeout),
        ("etimedout", FailureKind::Timeout),
        ("i/o timeout", FailureKind::Timeout),
        ("context deadline exceeded", FailureKind::Timeout),
        (
            "request canceled while waiting for connection",
            FailureKind::Timeout,
        ),
        // botocore's ConnectTimeoutError.
        ("connect timeout on endpoint url", FailureKind::Timeout),
        ("connection refused", FailureKind::Refused),
        ("connection reset by peer", FailureKind::Reset),
        ("network is unreachable", FailureKind::Unreachable),
        ("no route to host", FailureKind::Unreachable),
        // Node.js's errno names (`connect ETIMEDOUT` is above).
        ("econnrefused", FailureKind::Refused),
        ("econnreset", FailureKind::Reset),
        ("enetunreach", FailureKind::Unreachable),
        ("ehostunreach", FailureKind::Unreachable),
        // Go's `Get "URL": EOF`: the connection closed before any reply.
        ("\": eof", FailureKind::Closed),
        (
            "certificate signed by unknown authority",
            FailureKind::UnknownIssuer,
        ),
        ("certificate is valid for", FailureKind::HostnameMismatch),
        ("certificate has expired", FailureKind::CertExpired),
        ("tls: ", FailureKind::Protocol),
    ];
    table
        .into_iter()
        .find(|(words, _)| t.contains(words))
        .map(|(_, k)| k)
}
