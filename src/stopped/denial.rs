//! Stopped reasons where IAM refused a call: which policy did (an endpoint
//! policy, the role's own, an Organizations SCP, a permissions boundary, a
//! session or resource policy, or a KMS key), read from the denial's own
//! context words, with the action and role it names.

use super::answer::Reply;
use super::read::{Read, Subject};
use crate::catalog::{Region, Service};
use crate::printable::Untrusted;

/// The IAM action a denial names (`ssm:GetParameters`), as written.
pub(super) fn action_in(original: &str) -> Option<&str> {
    let lower = original.to_ascii_lowercase();
    let at = lower.find("perform: ")? + "perform: ".len();
    original[at..]
        .split(|c: char| c.is_whitespace() || c == ',')
        .next()
        .filter(|a| a.contains(':'))
}

/// The role a denial names (`assumed-role/NAME/...` or `role/NAME`).
fn role_in(original: &str) -> Option<&str> {
    let at = original
        .find(":assumed-role/")
        .map(|i| i + ":assumed-role/".len())
        .or_else(|| original.find(":role/").map(|i| i + ":role/".len()))?;
    original[at..]
        .split(|c: char| c == '/' || c.is_whitespace())
        .next()
        .filter(|r| !r.is_empty())
}

/// The endpoint an IAM action is called through.
pub(super) fn service_of_action(action: &str) -> Option<Service> {
    let (prefix, name) = action.split_once(':')?;
    Some(match prefix.to_ascii_lowercase().as_str() {
        "ecr" if name.eq_ignore_ascii_case("GetAuthorizationToken") => Service::EcrApi,
        "ecr" => Service::EcrDkr,
        other => *Service::named(other)?,
    })
}

/// The call the text names by what it failed to do (`failed to create
/// Cloudwatch log group`), else the call ECS usually makes to the service.
fn usual_action(subject: Option<Subject>, lower: &str) -> &'static str {
    if lower.contains("create cloudwatch log group") || lower.contains("createloggroup") {
        return "logs:CreateLogGroup";
    }
    match subject.and_then(Subject::service) {
        Some(Service::EcrDkr) => "ecr:BatchGetImage",
        Some(Service::EcrApi) => "ecr:GetAuthorizationToken",
        Some(Service::Secretsmanager) => "secretsmanager:GetSecretValue",
        Some(Service::Ssm) => "ssm:GetParameters",
        Some(Service::Logs) => "logs:CreateLogStream",
        Some(Service::S3) => "s3:GetObject",
        _ => "the call",
    }
}

/// "ssm", "The registry", "The service": what answered, for prose.
pub(super) fn who(subject: Option<Subject>) -> String {
    match subject {
        Some(Subject::Aws(s)) => s.name().to_owned(),
        Some(Subject::Registry) => "The registry".to_owned(),
        None => "The service".to_owned(),
    }
}

/// The paragraph for an IAM denial; `None` for other replies.
pub(super) fn paragraph(
    reply: Reply,
    original: &str,
    read: &Read,
    subject: Option<Subject>,
) -> Option<String> {
    let region = read.region.as_ref();
    // The action and the role are the text's own words: shown escaped.
    let action =
        Untrusted::from(action_in(original).unwrap_or_else(|| usual_action(subject, &read.lower)));
    let role = role_in(original).map_or_else(
        || "the task execution role".to_owned(),
        |r| format!("the role {}", Untrusted::from(r)),
    );
    let who = who(subject);
    let endpoint = |s: Service| read.endpoint_service(s);
    let deny = read.lower.contains("explicit deny");
    let answered = format!("{who} answered and refused {action}: the network path works.");
    Some(match reply {
        Reply::EndpointPolicy => {
            let ep = subject
                .and_then(Subject::service)
                .map_or_else(|| "the VPC endpoint".to_owned(), &endpoint);
            let change = if deny {
                format!(
                    "A Deny statement in the policy of the VPC endpoint {ep} matches this call, \
                     and a Deny wins over any Allow: narrow its condition or resources so that \
                     {role} may call {action}."
                )
            } else {
                format!(
                    "The policy of the VPC endpoint {ep} has no statement that allows {action} \
                     for {role} on this resource{layers}. Add one (or restore the default \
                     full-access policy); the role's own permissions are not the problem.",
                    layers = if read.lower.contains("starport-layer-bucket") {
                        format!(
                            " (ECR's image layers: arn:aws:s3:::prod-{}-starport-layer-bucket/*)",
                            region.map_or("REGION", Region::code)
                        )
                    } else {
                        String::new()
                    }
                )
            };
            format!("{answered} {change}")
        }
        Reply::IdentityPolicy => format!(
            "{answered} {} {role}: grant {action} on the resource the task definition names to \
             it (on the EC2 launch type the message may name the container instance role \
             instead; the task execution role is the one ECS uses to pull images, fetch \
             secrets and write awslogs).",
            if deny {
                "An explicit Deny in an identity-based policy applies to"
            } else {
                "No identity-based policy allows it for"
            }
        ),
        Reply::ServiceControlPolicy => format!(
            "{answered} A service control policy of your AWS Organization denies it for the \
             account: the role's own policies cannot override that. Ask the organization's \
             administrators to allow {action} for {role}, or to exempt it from the policy."
        ),
        Reply::PermissionsBoundary => format!(
            "{answered} The permissions boundary of {role} does not allow {action}: add it to \
             the boundary policy (the role's own policies cannot grant past it)."
        ),
        Reply::SessionPolicy => format!(
            "{answered} A session policy passed when the role's session was created does not \
             allow {action}: whatever assumes {role} must pass a session policy that allows it."
        ),
        Reply::ResourcePolicy => format!(
            "{answered} The resource's own policy (the secret's resource policy, the \
             repository policy, the key policy) {} {action} for {role}: change that policy.",
            if deny { "denies" } else { "does not allow" }
        ),
        Reply::AccessDenied => format!(
            "{answered} The message does not say which policy refused it. In order: the \
             task execution role's policies lack {action} on the resource; the policy of the \
             VPC endpoint the call went through does not allow it; a service control policy, \
             permissions boundary or the resource's own policy denies it. The full error in \
             CloudTrail names the policy type."
        ),
        Reply::Kms if subject == Some(Subject::Aws(Service::Kms)) => format!(
            "KMS answered and refused {action}: the network path to KMS works. Give {role} \
             {action} on the key in its policies, and check that the key policy allows the \
             role or the account."
        ),
        Reply::Kms => format!(
            "{who} answered: it could not use the KMS key that encrypts the secret or \
             parameter on the caller's behalf. Give {role} kms:Decrypt on that key (a \
             customer managed key; the AWS managed key needs nothing), and check that the \
             key policy allows the role or the account. The service calls KMS itself: the \
             task needs no KMS endpoint for this."
        ),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_denial_names_the_action_and_role() {
        let text = "User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/abc is not \
                    authorized to perform: ssm:GetParameters on resource: x because no VPC \
                    endpoint policy allows the ssm:GetParameters action";
        assert_eq!(action_in(text), Some("ssm:GetParameters"));
        assert_eq!(role_in(text), Some("ecsTaskExecutionRole"));
        assert_eq!(
            service_of_action("ecr:GetAuthorizationToken"),
            Some(Service::EcrApi)
        );
        assert_eq!(
            service_of_action("ecr:BatchGetImage"),
            Some(Service::EcrDkr)
        );
    }
}
