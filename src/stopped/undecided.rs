//! Texts that do not decide between the network, an answer and a stop:
//! an error class that says what failed but not how, a reason that ends
//! on its label, a deployment's circuit breaker that names no task's
//! reason. Each says what it cannot tell and the causes in order.

use super::read::Read;
use super::{Cause, Explanation};

/// Where to read the reason the text lacks, and how to tell the network.
const FULL_REASON: &str = "The full reason is in aws ecs describe-tasks (stoppedReason, and \
    each container's reason); the probe with the default services, from the same subnets, \
    shows whether the network is the cause.";

/// The undecided explanation for `read`, if the text does not decide.
/// `network_words`: the text names an address, a service or a failed call.
pub(super) fn undecided(read: &Read, network_words: bool, base: Explanation) -> Explanation {
    let (candidates, diagnosis) = if let Some(what) = deployment_failed(read, network_words) {
        (
            vec![Cause::Network, Cause::Answer, Cause::Other],
            format!(
                "{what}: its tasks kept failing to start or to stay healthy, and this text \
                 holds none of their reasons, so it cannot tell a network failure from a \
                 service's answer or the container's own exit. Read the stopped tasks' reasons \
                 (aws ecs list-tasks --desired-status STOPPED, then aws ecs describe-tasks) and \
                 explain them; the service's events (aws ecs describe-services) name them too."
            ),
        )
    } else if names_no_reason(read, network_words) {
        let class = read
            .error_class
            .map(|c| format!(" ({c})"))
            .unwrap_or_default();
        let candidates = if super::read::undecided_class(read) {
            vec![Cause::Network, Cause::Answer]
        } else {
            vec![Cause::Network, Cause::Answer, Cause::Other]
        };
        (
            candidates,
            format!(
                "The text ends on its label{class} with nothing after it: the reason itself \
                 is missing, so it cannot tell a network failure from a service's answer (a \
                 missing image, secret or parameter, a denied permission) or the container's \
                 own stop. {FULL_REASON}"
            ),
        )
    } else {
        (
            vec![Cause::Network, Cause::Answer],
            format!(
                "The text names what failed ({}) but not how: it cannot tell a network failure \
                 from the service's answer (a missing secret, parameter or image, a denied \
                 permission). {FULL_REASON}",
                read.error_class.unwrap_or("the task's start")
            ),
        )
    };
    Explanation {
        cause: Cause::Undecided,
        candidates,
        diagnosis,
        ..base
    }
}

/// Whether the text holds nothing that decides: a deployment that failed
/// as a whole, or a reason that ends on its label (either without the
/// words of a failed call beside it).
/// A reason that ends on its label but names a stop before it (`oci
/// runtime error: container_linux.go:247:`) is that stop's.
pub(super) fn names_no_reason(read: &Read, network_words: bool) -> bool {
    let bare = super::read::bare(&read.lower) && !network_words;
    deployment_failed(read, network_words).is_some()
        || (bare && super::other::stop_in(read).is_none())
}

/// A deployment or service that failed as a whole, in the words of the
/// circuit breaker, the service's event or a deploy tool's waiter, where
/// the text names no failed call: what it says happened.
fn deployment_failed(read: &Read, network_words: bool) -> Option<&'static str> {
    const SHAPES: [(&str, &str); 3] = [
        (
            "circuit breaker",
            "The deployment's circuit breaker stopped it",
        ),
        (
            "unable to consistently start tasks",
            "The service could not keep its tasks running",
        ),
        (
            "not in the state servicesstable",
            "The deploy gave up waiting for the service to become stable",
        ),
    ];
    if network_words {
        return None;
    }
    SHAPES
        .iter()
        .find(|(words, _)| read.lower.contains(words))
        .map(|(_, what)| *what)
}
