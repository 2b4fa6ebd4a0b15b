//! Stopped reasons where the service was never reached: judged by the same
//! rules and paragraphs as a probe that met the same failure when the text
//! holds a region and an error, else the causes in order; framed by what
//! the text cannot tell.

use std::fmt::Write as _;
use std::net::{IpAddr, SocketAddr};

use super::read::{self, Subject};
use super::{Cause, Explanation};
use crate::catalog::{Region, Service};
use crate::choices::Expect;
use crate::classify::Network;
use crate::diagnose::{self, Attempt, Classes, Facts, Finding, Lookup, Policy, Reached};
use crate::probe::{Failure, FailureKind, Phase};

/// A network cause: the probe's judgement of the same failure where the
/// text holds enough of it, else the causes in order; framed by what the
/// text cannot tell.
pub(super) fn failure(
    read: &read::Read,
    network: &Network,
    ranges_given: bool,
    base: Explanation,
) -> Explanation {
    let catalog = read.subject.and_then(Subject::service);
    if read.error == Some(FailureKind::Closed) && !read.tls_phase {
        return closed(read, catalog, base);
    }
    // The one address the text may name, classified once.
    let classes = Classes::of(network, read.addr.map(|a| a.ip()));
    let judged = match (&read.region, read.error) {
        (Some(region), Some(kind)) => judge(read, catalog, region, kind, &classes),
        _ => None,
    };
    let (finding, causes, diagnosis) = if let Some((finding, causes, diagnosis)) = judged {
        (Some(finding), causes, diagnosis)
    } else {
        let finding = match read.error {
            Some(kind) if tls_error(kind) => Some(diagnose::address_finding(
                crate::classify::EndpointRole::Target,
                crate::classify::AddressClass::Public,
                crate::probe::Phase::Tls,
                kind,
            )),
            // A registry with no endpoint that the pull could not reach.
            Some(_) if read.subject == Some(Subject::Registry) => {
                Some(Finding::RegistryNeedsInternet)
            }
            _ => None,
        };
        (finding, Vec::new(), causes(read, catalog, &classes))
    };
    let confirm = super::confirm::commands(read, catalog);
    let (cause, candidates) = if undecided(read) {
        (Cause::Undecided, vec![Cause::Network, Cause::Answer])
    } else {
        (Cause::Network, Vec::new())
    };
    Explanation {
        cause,
        candidates,
        finding,
        causes,
        diagnosis: framed(read, &classes, ranges_given, diagnosis),
        confirm: confirm.probe,
        confirm_lambda: confirm.lambda,
        no_confirm: confirm.refused,
        ..base
    }
}

/// A connection made and closed before any reply (Go's `Get "URL": EOF`):
/// the far end or something on the way closed it, which the text cannot
/// tell apart; a path that blocks would have timed out instead.
fn closed(read: &read::Read, catalog: Option<Service>, base: Explanation) -> Explanation {
    let who = match (read.subject, &read.host) {
        (_, Some(host)) => host.to_string(),
        (Some(subject), None) => subject.name().to_owned(),
        (None, None) => "the server".to_owned(),
    };
    let confirm = super::confirm::commands(read, catalog);
    Explanation {
        cause: Cause::Undecided,
        candidates: vec![Cause::Network, Cause::Answer],
        diagnosis: format!(
            "The connection to {who} was made and then closed before any reply (EOF): the text \
             cannot tell who closed it. In order: the server itself, or a load balancer in \
             front of it, failing (an outage: retry, and check its status); a proxy or \
             firewall on the path that closes connections it will not carry (a TLS-inspecting \
             or allow-listing egress firewall, a proxy the task is sent through). A path that \
             is blocked (no route, no NAT, a security group) times out instead of closing. The \
             probe, from the same subnets, shows what the path does."
        ),
        confirm: confirm.probe,
        confirm_lambda: confirm.lambda,
        no_confirm: confirm.refused,
        ..base
    }
}

/// Whether the text cannot tell the network from an answer: it names no
/// network error, failed send, lookup or dialled address (it stops short
/// before its error, or never says it).
fn undecided(read: &read::Read) -> bool {
    read.error.is_none() && !read.unanswered && !read.lookup && read.addr.is_none()
}

/// The paragraph with what the text cannot tell: an address whose side of
/// the VPC the defaults cannot know, a message naming two causes, a text
/// cut short before its error.
fn framed(read: &read::Read, classes: &Classes, ranges_given: bool, paragraph: String) -> String {
    let mut text = paragraph;
    let outside = read.addr.map(|a| a.ip()).filter(|ip| {
        !ranges_given && classes.get(*ip).map(|c| c.why) == Some(crate::classify::Why::Outside)
    });
    match outside {
        Some(ip @ IpAddr::V6(_)) => {
            text = format!(
                "The text cannot tell whether {ip} is inside the VPC: VPC IPv6 ranges are \
                 global addresses. Pass the VPC's IPv6 CIDR with --vpc-cidr; read as outside \
                 the VPC: {text}"
            );
        }
        Some(ip) => {
            let _ = write!(
                text,
                " {ip} is read as outside the VPC; a VPC may use a range outside the private \
                 ones: if {ip} is inside yours, pass its CIDR with --vpc-cidr."
            );
        }
        None => {}
    }
    if read
        .lower
        .contains("cannot find the amazon cloudwatch log group")
    {
        text.push_str(
            " The agent's message names two causes it cannot tell apart: if the task does \
             reach CloudWatch Logs, the log group in awslogs-group is missing (create it, or \
             set awslogs-create-group with logs:CreateLogGroup for the execution role).",
        );
    }
    let registry_says_it = read.subject == Some(Subject::Registry) && !read.cut;
    if undecided(read) && !registry_says_it {
        let answers = if read.subject == Some(Subject::Registry) {
            "a missing image, a refused pull"
        } else {
            "a missing secret or parameter, a denied permission"
        };
        let opening = if read.cut {
            "The text stops short, before the error itself"
        } else {
            "The text names no error, only what failed"
        };
        text = format!(
            "{opening}: it cannot tell a network failure from the service's answer ({answers}). \
             The full reason is in aws ecs describe-tasks (stoppedReason, and each container's \
             reason). If it was the network: {text}"
        );
    }
    text
}

/// The probe's judgement of the same failure, when the text holds enough
/// of it: a failed lookup, or a failure at a known address.
fn judge(
    read: &read::Read,
    service: Option<Service>,
    region: &Region,
    kind: FailureKind,
    classes: &Classes,
) -> Option<(Finding, Vec<diagnose::Cause>, String)> {
    // The text's host as it may be shown (a hostname shows as it is).
    let shown = read.host.as_ref().map(ToString::to_string);
    let host = shown.as_deref().unwrap_or("the endpoint");
    let addr = read.addr;
    let failure = Failure::new(kind, "from the stopped reason");
    let lookup_failed = kind == FailureKind::NxDomain || read.lookup;
    // The evidence the text holds: a lookup that failed, or one address
    // and the phase it failed in.
    let attempts = if lookup_failed {
        Vec::new()
    } else {
        let ip = addr?.ip();
        let phase = if tls_error(kind) || read.tls_phase {
            Phase::Tls
        } else {
            Phase::Tcp
        };
        let class = classes.get(ip)?;
        let attempt = Attempt {
            ip,
            class,
            reached: Reached::Failed(phase, &failure),
            cert: None,
        };
        vec![attempt]
    };
    let nameservers: Vec<SocketAddr> = read.nameserver.into_iter().collect();
    let facts = Facts {
        service,
        registry: false,
        proxy: None,
        region,
        // The task's region where the text names one (an ECS ARN): another
        // region's name is then judged as the probe judges it.
        task_region: read.task_region.as_ref().unwrap_or(region),
        host,
        port: addr.map_or(443, |a| a.port()),
        lookup: Lookup {
            nameservers: &nameservers,
            failure: lookup_failed.then_some(&failure),
            hosts_pin: None,
        },
        classes,
        addresses: &attempts,
    };
    let policy = Policy {
        expect: Expect::Any,
        cert_warn_days: 14,
        // Unknown: the platform's own timeouts are not in the text.
        timeout: None,
    };
    let j = diagnose::judge(&facts, policy);
    Some((j.finding?, j.causes, j.diagnosis?))
}

/// Whether the failure is the TLS handshake's (the server was reached).
fn tls_error(kind: FailureKind) -> bool {
    matches!(
        kind,
        FailureKind::UnknownIssuer
            | FailureKind::HostnameMismatch
            | FailureKind::CertExpired
            | FailureKind::Protocol
    )
}

/// When the text names no address: the service, and the causes in order.
fn causes(read: &read::Read, service: Option<Service>, classes: &Classes) -> String {
    let shown = read.host.as_ref().map(ToString::to_string);
    let host = shown.as_deref().unwrap_or("the name");
    if read.tls_phase && read.error == Some(FailureKind::Timeout) {
        return format!(
            "TCP to {host} connected, but the TLS handshake did not finish: something \
             accepted the connection and never completed TLS. In order: a proxy or firewall \
             that intercepts port 443; a path that drops large packets (the server's \
             certificates need full-size segments: an MTU or MSS problem on a VPN or Transit \
             Gateway path); a service that does not speak TLS on that port. The probe shows \
             which address and phase from inside the VPC."
        );
    }
    if read.error.is_some_and(tls_error) {
        return format!(
            "{host} was reached, but the TLS handshake failed: the client does not trust the \
             certificate it was shown. In order: the client's CA bundle is out of date or \
             lacks the root (an old base image's ca-certificates); the server sends its \
             certificate without the intermediate chain (a registry of your own: serve the \
             full chain); a TLS-inspecting proxy or firewall re-signs the traffic with its own \
             CA. The probe shows the certificate and its issuer from inside the VPC."
        );
    }
    if read.error == Some(FailureKind::NxDomain) {
        return format!(
            "{host} does not exist (no such host). Check the region and service name in it; if \
             they are right, the VPC's DNS does not answer the name: a custom DNS server or \
             Route 53 Resolver rules must forward AWS names to the Amazon-provided resolver."
        );
    }
    if read.lookup {
        return format!(
            "Looking up {host} got no answer: the resolver the task uses did not respond. \
             Check enableDnsSupport on the VPC, the DHCP options set, and for a custom \
             resolver the security groups and network ACLs for UDP and TCP port 53."
        );
    }
    if crate::catalog::names::is_global_sts(host) {
        return format!(
            "{host} is STS's global name, which no interface endpoint serves: from a subnet \
             without NAT it cannot be reached. Make the SDK use the regional name \
             (AWS_STS_REGIONAL_ENDPOINTS=regional, or sts_regional_endpoints in the config \
             file), which the com.amazonaws.REGION.sts interface endpoint serves."
        );
    }
    let Some(service) = service else {
        return match read.subject {
            Some(Subject::Registry) if !undecided(read) => "The image comes from a registry \
                that has no VPC endpoint, and the pull never reached it: an isolated subnet \
                cannot reach it. Route the subnet through a NAT gateway, use an ECR pull-through \
                cache rule for the registry, or copy the image into ECR."
                .to_owned(),
            Some(Subject::Registry) => "The pull from a registry outside AWS failed, and the \
                text does not say how. In order: the registry answered (a missing tag, a refused \
                or rate-limited pull: its words would say so); the network (a registry outside \
                AWS has no VPC endpoint, so an isolated subnet reaches it only through a NAT \
                gateway). The full reason is in aws ecs describe-tasks (stoppedReason, and each \
                container's reason)."
                .to_owned(),
            None if read.lower.contains("pull secrets or registry auth") => "ECS could not \
                fetch the task's secrets or registry credentials before it started, and the \
                text does not say from where. In order: the interface endpoints the task \
                definition needs (secretsmanager for Secrets Manager, ssm for Parameter Store, \
                ecr.api for ECR) are missing or have private DNS off; the task's security group \
                egress or the endpoints' ingress lacks TCP 443; DNS. The probe with the default \
                services tells them apart from inside the VPC."
                .to_owned(),
            None if read.lower.contains("pull") => "The image pull got no answer, and the \
                text does not say from where. In order, for an ECR image: the ecr.api and \
                ecr.dkr interface endpoints are missing or have private DNS off; the S3 gateway \
                endpoint or the prefix-list egress rule for the layers is missing; the security \
                groups lack TCP 443. For an image from another registry: the subnet has no NAT \
                route. The probe with --services ecr tells them apart from inside the VPC."
                .to_owned(),
            _ => match read.addr {
                Some(addr) => format!(
                    "The text says a call to {addr} got no answer but names no AWS service the \
                     probe knows, so which endpoint that is cannot be told from it. The probe \
                     with the default services, from the same subnets, shows which endpoint the \
                     task cannot reach."
                ),
                None => "The text says a call got no answer but names no AWS service or \
                    address the probe knows. The probe with the default services, from the \
                    same subnets, shows which endpoint the task cannot reach."
                    .to_owned(),
            },
        };
    };
    super::causes::service_causes(read, service, classes)
}
