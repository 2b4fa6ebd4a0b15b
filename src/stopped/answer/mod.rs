//! Stopped reasons where a service or registry *answered*: the network
//! worked and the reply says what to change (a policy, a missing log group,
//! secret or image, a rate limit). Recognised by the reply's own words: the
//! IAM denial contexts, AWS error codes, the registries' errors.

use serde::Serialize;

mod paragraph;
mod words;

pub use paragraph::paragraph;

use super::denial;
use super::read::{Read, Subject};
use crate::catalog::Service;
use words::{WORDS, holds};

/// What answered, and what it said.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    /// A VPC endpoint policy does not allow the action, or denies it.
    EndpointPolicy,
    /// No identity-based policy (the task execution role's) allows it.
    IdentityPolicy,
    /// An AWS Organizations service control policy denies it.
    ServiceControlPolicy,
    /// The role's permissions boundary does not allow it.
    PermissionsBoundary,
    /// A session policy does not allow it.
    SessionPolicy,
    /// The resource's own policy (a secret's, a repository's) does not allow it.
    ResourcePolicy,
    /// Access denied, without the policy that denied it.
    AccessDenied,
    /// The KMS key that encrypts the secret or parameter cannot be used.
    Kms,
    MissingLogGroup,
    MissingSecret,
    /// The secret was retrieved, but has no JSON key the task definition
    /// names (`valueFrom` `ARN:KEY::`).
    MissingSecretKey,
    /// ECS could not assume the role: its trust policy does not allow
    /// `ecs-tasks.amazonaws.com`.
    RoleTrust,
    MissingParameter,
    /// A registry's pull rate limit (Docker Hub's `toomanyrequests`).
    RateLimit,
    /// The repository does not exist, or the pull is not authorised to see it.
    MissingRepository,
    /// The tag or digest does not exist.
    MissingImage,
    /// No manifest for the task's platform.
    PlatformMismatch,
    /// S3 refused the layer download (the gateway endpoint's policy).
    S3LayerDenied,
    /// The registry refused the credentials.
    RegistryAuth,
    /// The request was malformed: the reference in the task definition.
    InvalidReference,
    /// Another error the service answered with.
    ServiceError,
}

/// The reply in the text, if a service or registry answered. Beside the
/// words of [`WORDS`], an AWS exception named where no network words are
/// counts as a reply (a Java SDK's `SdkClientException: Unable to execute
/// HTTP request` has them, and is not one).
pub fn reply_in(read: &Read) -> Option<Reply> {
    let t = &read.lower;
    WORDS
        .iter()
        .find(|(_, patterns)| patterns.iter().any(|p| holds(t, p)))
        .map(|(reply, _)| match reply {
            // A layer that a registry outside AWS refused is not S3's.
            Reply::S3LayerDenied if read.subject == Some(Subject::Registry) => Reply::AccessDenied,
            reply => *reply,
        })
        .or_else(|| super::status::status_reply(read))
        .or_else(|| {
            (t.contains("exception:") && !read.unanswered && !read.cut)
                .then_some(Reply::ServiceError)
        })
}

/// The service that answered: S3 for a layer, the action's service, else
/// the one the text names; for a registry's reply with no registry named,
/// Docker Hub (the default registry).
pub fn answering(reply: Reply, original: &str, read: &Read) -> Option<Subject> {
    if reply == Reply::S3LayerDenied {
        return Some(Subject::Aws(Service::S3));
    }
    let named = denial::action_in(original)
        .and_then(denial::service_of_action)
        // A KMS denial inside another service's answer is that service's;
        // alone, or in a KMS endpoint's policy, it is KMS's own.
        .filter(|s| *s != Service::Kms || reply == Reply::EndpointPolicy || read.subject.is_none())
        .map(Subject::Aws)
        .or(read.subject);
    let registry_words = ["toomanyrequests", "pull rate limit", "docker"];
    let registry = from_registry(reply)
        && (reply != Reply::RateLimit || registry_words.iter().any(|w| read.lower.contains(w)));
    named.or_else(|| registry.then_some(Subject::Registry))
}

/// Replies only a registry gives.
fn from_registry(reply: Reply) -> bool {
    matches!(
        reply,
        Reply::RateLimit
            | Reply::MissingRepository
            | Reply::MissingImage
            | Reply::PlatformMismatch
            | Reply::RegistryAuth
    )
}
