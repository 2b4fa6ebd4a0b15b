//! The words that identify each reply: the IAM denial contexts, AWS error
//! codes, the registries' errors.

use super::Reply;

/// The words that identify each reply, most specific first.
pub(super) const WORDS: [(Reply, &[&str]); 21] = [
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
            "error from registry: unauthorized",
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
            // A registry's `denied` error code.
            "denied: denied",
            "requested access to the resource is denied",
        ],
    ),
    (
        Reply::ServiceError,
        &[
            "statuscode: 4",
            "status code: 4",
            "statuscode: 5",
            "status code: 5",
            // botocore's ClientError: the service's own error code.
            "an error occurred (\u{0}) when calling the",
            // ECS's own (not the Java SDK's SdkClientException).
            " clientexception:",
            "failed to register task definition",
            "error from registry: ",
            // ECS's refusals of a task definition or a run.
            "fargate requires",
            "limit on the number of",
        ],
    ),
];

/// Whether every `\0`-separated part of `pattern` is in `text`.
pub(super) fn holds(text: &str, pattern: &str) -> bool {
    pattern.split('\u{0}').all(|part| text.contains(part))
}
