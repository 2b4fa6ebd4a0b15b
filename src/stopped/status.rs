//! Replies read by their shape rather than their words: the HTTP status a
//! registry or service answered with, and the JSON key a retrieved secret
//! lacks.

use super::answer::Reply;
use super::read::{Read, Subject};
use crate::catalog::Service;

/// An HTTP status a server answered with, by its shape: `unexpected status
/// code URL: 404 Not Found`, `unexpected status from HEAD request to URL:
/// 401 UNAUTHORIZED`, `StatusCode: 503`, `429 Too Many Requests`, `HTTP 403
/// response`, `status=401`.
pub fn status_in(lower: &str) -> Option<u16> {
    static SHAPES: std::sync::LazyLock<[regex_lite::Regex; 3]> = std::sync::LazyLock::new(|| {
        [
            regex_lite::Regex::new(
                r"\b([45][0-9][0-9]) (not found|unauthorized|forbidden|too many requests|bad request|bad gateway|service unavailable|gateway timeout|gateway time-out|internal server error|conflict|method not allowed)",
            )
            .expect("a valid pattern"),
            regex_lite::Regex::new(
                r"(?:(?:unexpected status(?: code)?[^:]*|status ?code|http status|http)[: ]+|status=)([45][0-9][0-9])\b",
            )
            .expect("a valid pattern"),
            // The Docker daemon relaying a registry's refusal of a pull.
            regex_lite::Regex::new(r"cannotpull\w*: api error \((4[0-9][0-9])\)")
                .expect("a valid pattern"),
        ]
    });
    SHAPES
        .iter()
        .find_map(|re| re.captures(lower)?.get(1)?.as_str().parse().ok())
}

/// The reply an HTTP status says, from a registry or a service. Not where
/// the text reports a network error beside it (Docker's `API error (500)`
/// wraps a connection that was never made); a registry's `unexpected
/// status` whose code was cut off is still its answer.
pub(super) fn status_reply(read: &Read) -> Option<Reply> {
    if read.error.is_some() {
        return None;
    }
    let Some(status) = status_in(&read.lower) else {
        return read
            .lower
            .contains("unexpected status")
            .then_some(Reply::ServiceError);
    };
    let registry = read.subject == Some(Subject::Registry)
        || matches!(
            read.subject,
            Some(Subject::Aws(Service::EcrDkr | Service::EcrApi))
        )
        || read.lower.contains("/v2/")
        || read.lower.contains("cannotpull")
        || read.lower.contains("unexpected http status");
    Some(match status {
        401 if registry => Reply::RegistryAuth,
        403 => Reply::AccessDenied,
        404 if registry => Reply::MissingImage,
        429 => Reply::RateLimit,
        _ => Reply::ServiceError,
    })
}

/// The key a "did not contain json key KEY" names.
pub(super) fn secret_key(original: &str) -> Option<String> {
    let lower = original.to_ascii_lowercase();
    let at = lower.find("json key ")? + "json key ".len();
    original[at..]
        .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
        .next()
        .filter(|k| !k.is_empty())
        .map(crate::printable::printable)
}
