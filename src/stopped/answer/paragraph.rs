//! What each reply's paragraph says: what answered, and what to change.

use super::super::denial;
use super::super::read::{Read, Subject};
use super::Reply;
use crate::catalog::{Region, Service};

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
        Reply::InvalidReference if subject == Some(Subject::Aws(Service::Ecs)) => {
            "ECS's API answered that the request is not valid: the task definition (or the \
             call's parameters) breaks its rules, and the error's own words name the field. A \
             tool or SDK older than the field can refuse it before sending: update it. The \
             network path works."
                .to_owned()
        }
        Reply::InvalidReference => format!(
            "{who} answered that the request is not valid: the reference in the task \
             definition is malformed. Check valueFrom (a secret's full ARN, then optionally \
             :json-key:version-stage:version-id, each part in its place) or the parameter's \
             name or ARN. The network path works."
        ),
        Reply::ServiceError => service_error(&who, super::super::status::status_in(&read.lower)),
        Reply::MissingSecretKey => format!(
            "Secrets Manager answered: the secret was retrieved, but its JSON has no key {key}, \
             which the task definition's valueFrom names (ARN:KEY::). Add the key to the \
             secret's JSON, or correct the key in valueFrom. The network path works.",
            key = super::super::status::secret_key(original)
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
