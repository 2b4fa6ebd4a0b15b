//! Stopped reasons where a service or registry *answered*: the network
//! worked and the reply says what to change (a policy, a missing log group,
//! secret or image, a rate limit). Recognised by the reply's own words: the
//! IAM denial contexts, AWS error codes, the registries' errors.

use serde::Serialize;

use super::denial;
use super::read::{Read, Subject};
use crate::catalog::{Region, Service};

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

/// The words that identify each reply, most specific first.
const WORDS: [(Reply, &[&str]); 21] = [
    (
        Reply::RoleTrust,
        &[
            "unable to assume the role",
            "unable to assume role",
            "proper trust relationship",
        ],
    ),
    (Reply::MissingSecretKey, &["did not contain json key"]),
    (
        Reply::EndpointPolicy,
        &["vpc endpoint policy", "vpce policy"],
    ),
    (Reply::ServiceControlPolicy, &["service control polic"]),
    (Reply::PermissionsBoundary, &["permissions boundary"]),
    (Reply::SessionPolicy, &["session policy"]),
    (Reply::ResourcePolicy, &["resource-based policy"]),
    (Reply::IdentityPolicy, &["identity-based policy"]),
    (
        Reply::Kms,
        &[
            "access to kms is not allowed",
            "perform: kms:",
            "kmsaccessdenied",
            "kms.accessdenied",
            "kms.disabled",
            "kms.invalidstate",
            "kmsinvalidstate",
            "kmsdisabled",
            "customer master key",
            "service: awskms",
        ],
    ),
    (
        Reply::S3LayerDenied,
        &[
            "starport-layer-bucket\u{0}403 forbidden",
            "starport-layer-bucket\u{0}status code 403",
            "starport-layer-bucket\u{0}statuscode: 403",
            "starport-layer-bucket\u{0}accessdenied",
            "starport-layer-bucket\u{0}access denied",
            "httpreadseeker\u{0}403 forbidden",
            "httpreaderseeker\u{0}403 forbidden",
            "pulling image configuration\u{0}403 response",
        ],
    ),
    (
        Reply::MissingLogGroup,
        &["log group does not exist", "log group not found"],
    ),
    (
        Reply::MissingSecret,
        &["can't find the specified secret", "secret not found"],
    ),
    (
        Reply::MissingParameter,
        &[
            "parameternotfound",
            "invalid ssm parameters",
            "invalidparameters",
        ],
    ),
    (
        Reply::RateLimit,
        &["toomanyrequests", "pull rate limit", "rate exceeded"],
    ),
    (
        Reply::PlatformMismatch,
        &[
            "no matching manifest for",
            "does not contain descriptor matching platform",
            "descriptor for platform",
            "image manifest does not match the platform",
        ],
    ),
    (
        Reply::MissingRepository,
        &[
            "repository does not exist",
            "repositorynotfoundexception",
            "name unknown",
            "pull access denied",
            "api error (404): repository\u{0} not found",
        ],
    ),
    (
        Reply::MissingImage,
        &[
            "manifest unknown",
            "not found in repository",
            "error: image \u{0} not found",
            "unknown blob",
            "blob unknown",
            "tag not found",
            "imagenotfoundexception",
            "failed to resolve\u{0}: not found",
            "pull\u{0}: not found",
            "manifest for \u{0} not found",
        ],
    ),
    (
        Reply::RegistryAuth,
        &[
            "no basic auth credentials",
            "authorization token has expired",
            "authentication required",
            "401 unauthorized",
            "unauthorized: ",
        ],
    ),
    (
        Reply::InvalidReference,
        &[
            "validation error",
            "invalidparameter",
            "invalidrequestexception",
            "invalid arn",
        ],
    ),
    (
        Reply::AccessDenied,
        &[
            "not authorized to perform",
            "accessdenied",
            "access denied",
            "403 forbidden",
        ],
    ),
    (
        Reply::ServiceError,
        &[
            "statuscode: 4",
            "status code: 4",
            "statuscode: 5",
            "status code: 5",
        ],
    ),
];

/// Whether every `\0`-separated part of `pattern` is in `text`.
fn holds(text: &str, pattern: &str) -> bool {
    pattern.split('\u{0}').all(|part| text.contains(part))
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
        .or_else(|| (t.contains("exception:") && !read.unanswered).then_some(Reply::ServiceError))
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

/// "The service answered with an error (HTTP 503) ...": the status read
/// once, for both what it was and what a 5xx means.
fn service_error(who: &str, status: Option<u16>) -> String {
    format!(
        "{who} answered with an error{status}: the network path works. The error's own words \
         say what to change{server}.",
        status = status.map_or_else(String::new, |s| format!(" (HTTP {s})")),
        server = if status.is_some_and(|s| s >= 500) {
            " (a 5xx is the server's own failure, or a proxy's in front of it: retry, and check \
             the registry's or the proxy's status)"
        } else {
            ""
        }
    )
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

/// The paragraph: what answered, and what to change.
pub fn paragraph(reply: Reply, original: &str, read: &Read, subject: Option<Subject>) -> String {
    if let Some(paragraph) = denial::paragraph(reply, original, read, subject) {
        return paragraph;
    }
    let region = read.region.as_ref();
    let who = denial::who(subject);
    let endpoint = |s: Service| read.endpoint_service(s);
    match reply {
        Reply::MissingLogGroup => format!(
            "CloudWatch Logs answered: the log group named in the container's awslogs-group \
             does not exist in {where_}. Create it, or set awslogs-create-group to true and \
             give the task execution role logs:CreateLogGroup. The network path to logs works.",
            where_ = region.map_or_else(
                || "the awslogs-region".to_owned(),
                |r| format!("the region {r}")
            )
        ),
        Reply::MissingSecret => format!(
            "Secrets Manager answered: no secret matches the valueFrom in the task definition. \
             Check its name or full ARN, region and account{in_region} (a partial ARN without \
             the six-character suffix, or a JSON key or version appended with the wrong number \
             of colons, also fails). The network path works.",
            in_region = region.map_or_else(String::new, |r| format!(" (the text names {r})"))
        ),
        Reply::MissingParameter => format!(
            "Systems Manager answered: the parameter named in valueFrom does not exist{in_region}. \
             Check its name (with its leading / path), the region and the account; a \
             parameter in another region or account needs its full ARN. The network path works.",
            in_region = region.map_or_else(String::new, |r| format!(" in {r}"))
        ),
        Reply::RateLimit => {
            if subject == Some(Subject::Registry) {
                let registry = match &read.host {
                    Some(h) if !h.raw().contains("docker") => h.to_string(),
                    _ => "Docker Hub".to_owned(),
                };
                format!(
                    "The registry answered with its pull rate limit (HTTP 429, \
                     toomanyrequests): it was reached, the network works. {registry} limits \
                     anonymous pulls per source address, and every task behind one NAT \
                     gateway address shares that limit. Authenticate the pulls \
                     (repositoryCredentials with a Secrets Manager secret holding a token for \
                     {registry}), pull through an ECR pull-through cache rule for it, or copy \
                     the image into ECR."
                )
            } else {
                format!(
                    "{s} answered that the calls were throttled (rate exceeded): it was reached, the \
                 network works. Many tasks starting at once share the account's request rate: \
                 stagger the starts (a smaller deployment batch) or ask for a higher quota.",
                    s = subject
                        .and_then(Subject::service)
                        .map_or("The service", |s| s.name())
                )
            }
        }
        Reply::MissingRepository => format!(
            "{who} answered: the repository does not exist, or the pull is not allowed to see \
             it (Docker Hub answers 'pull access denied' for both). Check the image name in \
             the task definition (registry, account, region, repository, spelling); for a \
             private repository outside ECR, repositoryCredentials; for ECR, the execution \
             role's ecr:BatchGetImage and the repository policy. The network path works."
        ),
        Reply::MissingImage => format!(
            "{who} answered: the tag or digest is not in the repository. Check the image tag in \
             the task definition and that the image was pushed to this account and region (an \
             image that a lifecycle policy expired is gone too). The network path works."
        ),
        Reply::PlatformMismatch => "The registry answered, but the image has no manifest for \
             the task's platform. Compare runtimePlatform in the task definition \
             (cpuArchitecture X86_64 or ARM64, operatingSystemFamily) with the platforms the \
             image was built for; build a multi-platform image (docker buildx build --platform \
             linux/amd64,linux/arm64) or change runtimePlatform."
            .to_owned(),
        Reply::S3LayerDenied => format!(
            "S3 answered 403 to an image layer download: the network path to S3 works, but a \
             policy refuses the read. The policy of the S3 gateway endpoint {ep} must allow \
             s3:GetObject on arn:aws:s3:::prod-{r}-starport-layer-bucket/* (the bucket ECR \
             keeps layers in); a bucket-restricting endpoint policy or a service control policy \
             that limits S3 to your own buckets causes this.",
            ep = endpoint(Service::S3),
            r = region.map_or("REGION", Region::code)
        ),
        Reply::RegistryAuth => format!(
            "{who} answered and refused the credentials (unauthorized). For a private registry, \
             check the secret in repositoryCredentials (a JSON with username and password) and \
             the execution role's secretsmanager:GetSecretValue on it; for ECR, the execution \
             role's ecr:GetAuthorizationToken. The network path works."
        ),
        Reply::InvalidReference => format!(
            "{who} answered that the request is not valid: the reference in the task \
             definition is malformed. Check valueFrom (a secret's full ARN, then optionally \
             :json-key:version-stage:version-id, each part in its place) or the parameter's \
             name or ARN. The network path works."
        ),
        Reply::ServiceError => service_error(&who, super::status::status_in(&read.lower)),
        Reply::MissingSecretKey => format!(
            "Secrets Manager answered: the secret was retrieved, but its JSON has no key {key}, \
             which the task definition's valueFrom names (ARN:KEY::). Add the key to the \
             secret's JSON, or correct the key in valueFrom. The network path works.",
            key = super::status::secret_key(original)
                .map_or_else(|| "the one named".to_owned(), |k| format!("'{k}'"))
        ),
        Reply::RoleTrust => "IAM answered: ECS could not assume the role the task definition \
            names. Its trust policy must allow the principal ecs-tasks.amazonaws.com to call \
            sts:AssumeRole (with aws:SourceAccount or aws:SourceArn conditions, they must match \
            this account and cluster); whoever registers or runs the task needs iam:PassRole on \
            it. The network path works."
            .to_owned(),
        // The IAM denials, written by `denial`.
        Reply::EndpointPolicy
        | Reply::IdentityPolicy
        | Reply::ServiceControlPolicy
        | Reply::PermissionsBoundary
        | Reply::SessionPolicy
        | Reply::ResourcePolicy
        | Reply::AccessDenied
        | Reply::Kms => String::new(),
    }
}
