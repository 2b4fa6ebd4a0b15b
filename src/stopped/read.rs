//! What a stopped reason holds, read off its words: the ECS error class,
//! the host, the `IP:port`, the region, the network error and the service
//! the failing call went to. Case is ignored: pasted text varies.

use std::net::SocketAddr;

use serde::{Serialize, Serializer};

use super::unanswered;
use crate::catalog::names;
use crate::catalog::{Region, Service, Serving};
use crate::printable::Untrusted;
use crate::probe::FailureKind;

/// ECS's error classes for tasks and containers that did not start.
const ERROR_CLASSES: [&str; 7] = [
    "ResourceInitializationError",
    "CannotPullContainerError",
    "CannotPullECRContainerError",
    "CannotStartContainerError",
    "CannotCreateVolumeError",
    "CannotInspectContainerError",
    "TaskFailedToStart",
];

/// Registries that have no VPC endpoint (Docker Hub's names among them).
const OTHER_REGISTRIES: [&str; 9] = [
    "registry-1.docker.io",
    "docker.io",
    "index.docker.io",
    "auth.docker.io",
    "production.cloudflare.docker.com",
    "public.ecr.aws",
    "ghcr.io",
    "quay.io",
    "registry.k8s.io",
];

/// What the failing call went to: an AWS service, or a registry with no
/// VPC endpoint (`registry` in the JSON).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Subject {
    Aws(Service),
    Registry,
}

impl Subject {
    /// The endpoint name (`secretsmanager`, `ecr.dkr`, ...) or `registry`.
    pub fn name(self) -> &'static str {
        match self {
            Self::Aws(s) => s.name(),
            Self::Registry => "registry",
        }
    }

    pub fn service(self) -> Option<Service> {
        match self {
            Self::Aws(s) => Some(s),
            Self::Registry => None,
        }
    }
}

impl Serialize for Subject {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The facts a stopped reason states.
#[derive(Debug, Clone, PartialEq, Eq)]
#[expect(
    clippy::struct_excessive_bools,
    reason = "independent facts the text states, each read on its own"
)]
pub struct Read {
    /// The text, lower-cased, for matching.
    pub lower: String,
    pub error_class: Option<&'static str>,
    /// The host the text names: the text's own, not necessarily a hostname.
    pub host: Option<Untrusted>,
    pub addr: Option<SocketAddr>,
    /// The region of the failing call: its host's, else the first the text
    /// names.
    pub region: Option<Region>,
    /// The task's region, where the text names one apart from the call's:
    /// that of an ECS ARN (a task, cluster or container instance, as
    /// `describe-tasks` output and task state change events hold).
    pub task_region: Option<Region>,
    pub error: Option<FailureKind>,
    pub subject: Option<Subject>,
    /// Words that say the call never got an answer (a timeout, a failed
    /// send, the agent's "connection issue").
    pub unanswered: bool,
    /// The failure was the name lookup (`dial tcp: lookup HOST on NS`).
    pub lookup: bool,
    /// The resolver a lookup asked (`on 10.0.0.2:53`).
    pub nameserver: Option<SocketAddr>,
    /// The text stops short (an ellipsis at the end): the error itself may
    /// be cut off.
    pub cut: bool,
    /// The failure was the TLS handshake's (TCP had connected).
    pub tls_phase: bool,
}

/// An error class raised while the task fetched what it needs to start
/// (secrets, registry credentials, images): its text goes on to say how,
/// unless it was cut off.
pub fn undecided_class(read: &Read) -> bool {
    let class = matches!(
        read.error_class,
        Some(
            "ResourceInitializationError"
                | "CannotPullContainerError"
                | "CannotPullECRContainerError"
        )
    );
    class || read.lower.contains("task failed to start")
}

/// Reads `text`.
pub fn read(text: &str) -> Read {
    let lower = text.to_ascii_lowercase();
    let error_class = ERROR_CLASSES
        .into_iter()
        .find(|c| lower.contains(&c.to_ascii_lowercase()));
    let host = host_in(&lower);
    let addr = address_in(&lower);
    let error = unanswered::error_in(&lower);
    let subject = subject_in(&lower, host.as_deref());
    let unanswered = error.is_some() || unanswered::said(&lower);
    let lookup = lower.contains("dial tcp: lookup ");
    let nameserver = lookup
        .then(|| {
            let from = lower.find("dial tcp: lookup ")?;
            let at = from + lower[from..].find(" on ")? + " on ".len();
            lower[at..]
                .split_whitespace()
                .next()?
                .trim_end_matches(':')
                .parse()
                .ok()
        })
        .flatten();
    let end = lower.trim_end().trim_end_matches([')', '"', '\'']);
    let cut = end.ends_with("...") || end.ends_with('…') || bare(&lower);
    Read {
        tls_phase: lower.contains("tls handshake"),
        lookup,
        nameserver,
        cut,
        region: host
            .as_deref()
            .and_then(region_in)
            .or_else(|| region_in(&lower)),
        task_region: task_region_in(&lower),
        lower,
        error_class,
        host: host.map(Untrusted::from),
        addr,
        error,
        subject,
        unanswered,
    }
}

/// Whether the text ends on a label with nothing after it
/// (`CannotPullContainerError:`, `task 0a1b: `): the reason itself is
/// missing.
pub fn bare(lower: &str) -> bool {
    lower.trim_end().ends_with(':')
}

/// Words of `text` split at whitespace, quotes and the separators Go errors use.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '`' | ',' | '(' | ')'))
        .map(|w| w.trim_end_matches([':', '.', ';']))
        .filter(|w| !w.is_empty())
}

/// The host of the first URL, else the first AWS or registry hostname.
fn host_in(text: &str) -> Option<String> {
    let from_url = words(text).find_map(|w| {
        let rest = w.split_once("://")?.1;
        Some(rest.split(['/', ':']).next()?.to_owned())
    });
    from_url.or_else(|| {
        words(text).find_map(|w| {
            let w = w.split(['/', ':']).next()?;
            (w.contains(".amazonaws.com") || OTHER_REGISTRIES.contains(&w)).then(|| w.to_owned())
        })
    })
}

/// The first `IP:port` after Go's `dial tcp`, else after Node.js's
/// `connect ECODE` (whose IPv6 addresses have no brackets).
fn address_in(text: &str) -> Option<SocketAddr> {
    if let Some(at) = text.find("dial tcp ") {
        return text[at + "dial tcp ".len()..]
            .split_whitespace()
            .next()?
            .trim_end_matches(':')
            .parse()
            .ok();
    }
    let at = text.find("connect e")? + "connect ".len();
    let word = text[at..].split_whitespace().nth(1)?;
    let (ip, port) = word.rsplit_once(':')?;
    Some(SocketAddr::new(ip.parse().ok()?, port.parse().ok()?))
}

/// The first region code in the text (in a hostname or an ARN, or inside a
/// longer name such as `prod-us-west-2-starport-layer-bucket`), starting at
/// a geography: a label with a region's shape (the agent's `ecs-t-6`
/// telemetry host) is not one.
fn region_in(text: &str) -> Option<Region> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find_map(region_inside)
}

/// The region of the first ECS ARN in the text
/// (`arn:PARTITION:ecs:REGION:ACCOUNT:task/...`).
fn task_region_in(text: &str) -> Option<Region> {
    text.split("arn:").skip(1).find_map(|arn| {
        let mut fields = arn.split(':');
        let (_partition, service, region) = (fields.next()?, fields.next()?, fields.next()?);
        (service == "ecs").then(|| region.parse().ok()).flatten()
    })
}

impl Read {
    /// The endpoint service that answers the name the text holds (the
    /// service's standard name where it holds none), as the catalog gives
    /// it; `com.amazonaws.REGION.x` without a region.
    pub fn endpoint_service(&self, service: Service) -> String {
        match &self.region {
            Some(r) => self
                .host
                .as_ref()
                .and_then(|h| service.endpoint_service(r, h.raw()))
                .unwrap_or_else(|| service.endpoint_service_name(r)),
            None => format!("com.amazonaws.REGION.{}", service.name()),
        }
    }

    /// What in the task's VPC can serve the call's name, asked of the
    /// catalog: for the task's region where the text names it, else for
    /// the call's own; `None` without a region.
    pub fn serving(&self, service: Service) -> Option<Serving> {
        let region = self.region.as_ref()?;
        let host = self
            .host
            .as_ref()
            .map_or_else(|| service.host(region, None), |h| h.raw().to_owned());
        let task = self.task_region.as_ref().unwrap_or(region);
        Some(names::serving(service, region, task, &host))
    }
}

/// The geographic prefixes of region codes, which tell a region inside a
/// longer name from a word that merely has its shape.
const GEOGRAPHIES: [&str; 11] = [
    "us", "eu", "ap", "sa", "ca", "me", "af", "il", "mx", "cn", "eusc",
];

/// A region code among the dash-separated parts of `word`: four parts
/// (`us-gov-west-1`) before three (`us-west-2`), starting at a geography.
fn region_inside(word: &str) -> Option<Region> {
    let parts: Vec<&str> = word.split('-').collect();
    (0..parts.len()).find_map(|end| {
        [4, 3].into_iter().find_map(|n| {
            let start = (end + 1).checked_sub(n)?;
            GEOGRAPHIES
                .contains(&parts[start])
                .then(|| parts[start..=end].join("-").parse().ok())
                .flatten()
        })
    })
}

/// The service the failing call went to.
fn subject_in(t: &str, host: Option<&str>) -> Option<Subject> {
    let aws = |s: Service| Some(Subject::Aws(s));
    // A layer download (containerd's httpReadSeeker) of an ECR image comes
    // from S3 even when the text names the registry.
    let layer = t.contains("httpreadseeker") || t.contains("httpreaderseeker");
    if let Some(h) = host {
        if OTHER_REGISTRIES.contains(&h) || h.ends_with(".docker.io") || h.ends_with(".docker.com")
        {
            return Some(Subject::Registry);
        }
        // What the name is, asked of the catalog (standard, FIPS and
        // dual-stack names alike).
        match crate::catalog::names::service_of_host(h) {
            Some((Service::EcrDkr, _)) if layer => return aws(Service::S3),
            Some((s, _)) => return aws(s),
            None => {}
        }
        // Names the catalog cannot place, as guides write them
        // (`aws_account_id.dkr.ecr.region.amazonaws.com`).
        if h.contains(".s3.") || (layer && h.contains(".dkr.ecr")) {
            return aws(Service::S3);
        }
        if h.contains(".dkr.ecr") {
            return aws(Service::EcrDkr);
        }
        if h.starts_with("api.ecr.") {
            return aws(Service::EcrApi);
        }
        // The registry API (`https://HOST/v2/...`) on a host outside AWS.
        if !h.contains(".amazonaws.") && t.contains(&format!("{h}/v2/")) {
            return Some(Subject::Registry);
        }
    }
    let table = [
        ("starport-layer-bucket", Service::S3),
        ("from asm", Service::Secretsmanager),
        ("secretsmanager", Service::Secretsmanager),
        ("secrets manager", Service::Secretsmanager),
        ("from ssm", Service::Ssm),
        ("arn:aws:ssm", Service::Ssm),
        ("ssm:", Service::Ssm),
        ("parameter store", Service::Ssm),
        ("systems manager", Service::Ssm),
        ("operation error ssm", Service::Ssm),
        ("ecr registry auth", Service::EcrApi),
        ("registry auth from amazon ecr", Service::EcrApi),
        ("getauthorizationtoken", Service::EcrApi),
        ("operation error ecr", Service::EcrApi),
        ("registertaskdefinition", Service::Ecs),
        ("register task definition", Service::Ecs),
        ("logger", Service::Logs),
        ("log stream", Service::Logs),
        ("log group", Service::Logs),
        ("cloudwatch", Service::Logs),
        ("pull image manifest", Service::EcrDkr),
        ("amazon ecr", Service::EcrDkr),
    ];
    if let Some((_, s)) = table.into_iter().find(|(w, _)| t.contains(w)) {
        return aws(s);
    }
    let registry_words = ["docker hub", "toomanyrequests", "pull rate limit"];
    registry_words
        .iter()
        .any(|w| t.contains(w))
        .then_some(Subject::Registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layers_of_ecr_images_come_from_s3() {
        let r = read(
            "CannotPullContainerError: failed to copy: httpReadSeeker: failed open: failed to \
             do request: Get \"https://111122223333.dkr.ecr.us-east-1.amazonaws.com/v2/a/blobs/\
             sha256:ab\": dial tcp 52.216.1.2:443: i/o timeout",
        );
        assert_eq!(r.subject, Some(Subject::Aws(Service::S3)));
        assert_eq!(r.error, Some(FailureKind::Timeout));
        assert!(r.unanswered);
    }

    #[test]
    fn regions_inside_longer_names() {
        for (text, want) in [
            ("prod-us-west-2-starport-layer-bucket", Some("us-west-2")),
            (
                "role/storage-access-role-prod-us-gov-west-1/x",
                Some("us-gov-west-1"),
            ),
            (
                "arn:aws:ssm:eu-central-1:1:parameter/x",
                Some("eu-central-1"),
            ),
            ("algo-dev-directus-secret2024", None),
            ("ecs-t-6.us-east-1.amazonaws.com", Some("us-east-1")),
        ] {
            assert_eq!(
                region_in(text).map(|r| r.to_string()).as_deref(),
                want,
                "{text}"
            );
        }
    }

    #[test]
    fn the_call_has_its_hosts_region_and_the_task_an_ecs_arns() {
        let r = read(
            "arn:aws:ecs:ap-northeast-1:1:task/c/0a arn:aws:iam::1:role/r failed: Post \
             \"https://api.ecr.us-east-1.amazonaws.com/\": i/o timeout",
        );
        assert_eq!(
            r.region.map(|r| r.to_string()).as_deref(),
            Some("us-east-1")
        );
        assert_eq!(
            r.task_region.map(|r| r.to_string()).as_deref(),
            Some("ap-northeast-1")
        );
        let r = read("failed to fetch secret arn:aws:secretsmanager:eu-west-2:1:secret:x");
        assert_eq!(
            r.region.map(|r| r.to_string()).as_deref(),
            Some("eu-west-2")
        );
        assert_eq!(r.task_region, None);
    }

    #[test]
    fn node_errno_addresses_and_bare_labels() {
        let r = read("Error: connect ENETUNREACH 2406:da14:afa:8a00::b9a4:443 - Local (:::0)");
        assert_eq!(r.error, Some(FailureKind::Unreachable));
        assert_eq!(
            r.addr,
            Some("[2406:da14:afa:8a00::b9a4]:443".parse().unwrap())
        );
        let r = read("connect ECONNREFUSED 10.0.1.5:443");
        assert_eq!(r.error, Some(FailureKind::Refused));
        assert_eq!(r.addr, Some("10.0.1.5:443".parse().unwrap()));
        assert!(read("nextflow.exception.ProcessException: CannotPullContainerError:").cut);
        assert!(!read("CannotPullContainerError: manifest unknown").cut);
    }

    #[test]
    fn case_does_not_matter() {
        let r = read("RESOURCEINITIALIZATIONERROR: unable to retrieve secret from ASM");
        assert_eq!(r.error_class, Some("ResourceInitializationError"));
        assert_eq!(r.subject, Some(Subject::Aws(Service::Secretsmanager)));
    }
}
