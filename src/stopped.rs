//! `explain`: what a task's stopped reason or a container error means,
//! offline. The text is read for what it holds (the ECS error class, the AWS
//! service, the host, the `IP:port`, the network error), then judged by the
//! same rules and paragraphs as a probe that met the same failure: a public
//! address timing out is the endpoint missing or its private DNS off, a
//! private one a security group, an S3 address the gateway route or the
//! prefix list, `no such host` DNS.

use std::net::{IpAddr, SocketAddr};

use serde::Serialize;

use crate::catalog::{Region, Service};
use crate::choices::Expect;
use crate::classify::{Network, default_vpc_cidrs};
use crate::diagnose::{self, Facts, Finding, Policy};
use crate::probe::dns::{AnswerSource, DnsOutcome, Resolution, ResolvedAddress};
use crate::probe::{AddressProbe, Failure, FailureKind, Timed};

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

/// Registries that have no VPC endpoint.
const OTHER_REGISTRIES: [&str; 6] = [
    "registry-1.docker.io",
    "docker.io",
    "public.ecr.aws",
    "ghcr.io",
    "quay.io",
    "registry.k8s.io",
];

/// What a stopped reason says, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub error_class: Option<String>,
    /// The endpoint name (`secretsmanager`, `ecr.dkr`, ...) or `registry`.
    pub service: Option<String>,
    pub host: Option<String>,
    pub ip: Option<IpAddr>,
    pub port: Option<u16>,
    /// The network error, as the probe names failures (`timeout`, ...).
    pub error: Option<FailureKind>,
    /// The probe's finding for the same failure; null when undecidable.
    pub finding: Option<Finding>,
    pub diagnosis: String,
    /// The probe's command line that confirms it from inside the VPC (a
    /// one-shot task in the failing service's subnets).
    pub confirm: Option<String>,
    /// The same check through the Lambda route (`examples/lambda/`).
    pub confirm_lambda: Option<String>,
}

impl Explanation {
    /// Whether anything in the text was recognised.
    pub fn recognised(&self) -> bool {
        self.error_class.is_some() || self.service.is_some() || self.error.is_some()
    }
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
        Some(rest.split(['/', ':']).next()?.to_ascii_lowercase())
    });
    from_url.or_else(|| {
        words(text).find_map(|w| {
            let w = w.split('/').next()?.to_ascii_lowercase();
            (w.contains(".amazonaws.com") || OTHER_REGISTRIES.contains(&w.as_str())).then_some(w)
        })
    })
}

/// The first `IP:port` after `dial tcp`.
fn address_in(text: &str) -> Option<SocketAddr> {
    let at = text.find("dial tcp ")? + "dial tcp ".len();
    text[at..]
        .split_whitespace()
        .next()?
        .trim_end_matches(':')
        .parse()
        .ok()
}

/// The first region code in the text (in a hostname or an ARN).
fn region_in(text: &str) -> Option<Region> {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-'))
        .find_map(|w| w.parse::<Region>().ok())
}

/// The network error the text reports, by the words Go and the agent use.
fn error_in(text: &str) -> Option<FailureKind> {
    let t = text.to_ascii_lowercase();
    let table = [
        ("no such host", FailureKind::NxDomain),
        ("i/o timeout", FailureKind::Timeout),
        ("context deadline exceeded", FailureKind::Timeout),
        (
            "request canceled while waiting for connection",
            FailureKind::Timeout,
        ),
        ("connection refused", FailureKind::Refused),
        ("connection reset by peer", FailureKind::Reset),
        ("network is unreachable", FailureKind::Unreachable),
        ("no route to host", FailureKind::Unreachable),
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

/// The service the failing call went to.
fn service_in(text: &str, host: Option<&str>) -> Option<String> {
    let t = text.to_ascii_lowercase();
    let aws = |s: Service| Some(s.name().to_owned());
    if let Some(h) = host {
        if OTHER_REGISTRIES.contains(&h) {
            return Some("registry".to_owned());
        }
        if h.contains(".dkr.ecr") {
            return aws(Service::EcrDkr);
        }
        if h.starts_with("api.ecr.") {
            return aws(Service::EcrApi);
        }
        if h.contains(".s3.") || h.starts_with("s3.") {
            return aws(Service::S3);
        }
        let first = h.split('.').next().unwrap_or_default();
        if let Some(s) = Service::named(first) {
            return aws(*s);
        }
    }
    if t.contains("from asm") || t.contains("secretsmanager") {
        aws(Service::Secretsmanager)
    } else if t.contains("from ssm") || t.contains("arn:aws:ssm") {
        aws(Service::Ssm)
    } else if t.contains("registry auth") || t.contains("getauthorizationtoken") {
        aws(Service::EcrApi)
    } else if t.contains("logger") || t.contains("log stream") || t.contains("log group") {
        aws(Service::Logs)
    } else if t.contains("pull image manifest") {
        aws(Service::EcrDkr)
    } else {
        None
    }
}

/// Reads the text and explains it, with the default VPC ranges.
pub fn explain(text: &str) -> Explanation {
    explain_in(text, &Network::new(default_vpc_cidrs(), None), false)
}

/// Reads the text and explains it; `network` classifies the address in it
/// (`ranges_given`: from `--vpc-cidr`, not the defaults).
pub fn explain_in(text: &str, network: &Network, ranges_given: bool) -> Explanation {
    let error_class = ERROR_CLASSES
        .iter()
        .find(|c| text.contains(*c))
        .map(|c| (*c).to_owned());
    let host = host_in(text);
    let addr = address_in(text);
    let error = error_in(text);
    let service = service_in(text, host.as_deref());
    let region = region_in(text);
    let catalog = service.as_deref().and_then(Service::named).copied();
    let judged = match (&region, error) {
        (Some(region), Some(kind)) => judge(catalog, region, host.as_deref(), addr, kind, network)
            .map(|(finding, diagnosis)| {
                (
                    finding,
                    ipv6_caveat(addr, network, ranges_given) + &diagnosis,
                )
            }),
        _ => None,
    };
    let (finding, diagnosis) = if let Some((finding, diagnosis)) = judged {
        (Some(finding), diagnosis)
    } else {
        let text = causes(text, catalog, service.as_deref(), region.as_ref());
        // A registry with no endpoint that the pull could not reach.
        let unreachable_registry = service.as_deref() == Some("registry") && error.is_some();
        (
            unreachable_registry.then_some(Finding::RegistryNeedsInternet),
            text,
        )
    };
    let what = match (catalog, &host) {
        (Some(s), _) => (
            format!("--services {}", s.name()),
            format!("\"services\":\"{}\"", s.name()),
        ),
        (None, Some(h)) => (
            format!("--services none --target {h}"),
            format!("\"services\":\"none\",\"targets\":\"{h}\""),
        ),
        (None, None) => (
            "--services default".to_owned(),
            "\"services\":\"default\"".to_owned(),
        ),
    };
    let confirm = region
        .as_ref()
        .map(|r| format!("vpce-probe check --region {r} {}", what.0));
    let confirm_lambda = region.as_ref().map(|r| {
        format!(
            "aws lambda invoke --function-name vpce-probe --cli-binary-format raw-in-base64-out \
             --payload '{{\"region\":\"{r}\",{}}}' report.json",
            what.1
        )
    });
    Explanation {
        error_class,
        service,
        host,
        ip: addr.map(|a| a.ip()),
        port: addr.map(|a| a.port()),
        error,
        finding,
        diagnosis,
        confirm,
        confirm_lambda,
    }
}

/// A VPC's IPv6 ranges are global addresses the defaults cannot know: an
/// IPv6 address judged outside them may be an endpoint ENI, so say so.
fn ipv6_caveat(addr: Option<SocketAddr>, network: &Network, ranges_given: bool) -> String {
    match addr.map(|a| a.ip()) {
        Some(ip @ std::net::IpAddr::V6(_))
            if !ranges_given && network.classify(ip).why == crate::classify::Why::Outside =>
        {
            format!(
                "The text cannot tell whether {ip} is inside the VPC: VPC IPv6 ranges are \
                 global addresses. Pass the VPC's IPv6 CIDR with --vpc-cidr; read as outside \
                 the VPC: "
            )
        }
        _ => String::new(),
    }
}

/// The probe's judgement of the same failure, when the text holds enough
/// of it: a DNS failure, or a failure at a known address.
fn judge(
    service: Option<Service>,
    region: &Region,
    host: Option<&str>,
    addr: Option<SocketAddr>,
    kind: FailureKind,
    network: &Network,
) -> Option<(Finding, String)> {
    let host = host.unwrap_or("the endpoint");
    let nameservers = Vec::new();
    let (dns, probes) = if kind == FailureKind::NxDomain {
        let failure = Failure::new(kind, "no such host");
        (
            DnsOutcome {
                nameservers,
                answer: Timed::instant(Err(failure)),
                hosts_pin: None,
            },
            Vec::new(),
        )
    } else {
        let addr = addr?;
        let failure = Failure::new(kind, "from the stopped reason");
        let tls_phase = matches!(
            kind,
            FailureKind::UnknownIssuer
                | FailureKind::HostnameMismatch
                | FailureKind::CertExpired
                | FailureKind::Protocol
        );
        let probe = AddressProbe {
            ip: addr.ip(),
            tcp: Timed::instant(if tls_phase {
                Ok(())
            } else {
                Err(failure.clone())
            }),
            tls: tls_phase.then(|| Timed::instant(Err(failure))),
            cert: None,
        };
        let resolution = Resolution {
            source: AnswerSource::Dns,
            addresses: vec![ResolvedAddress {
                ip: addr.ip(),
                ttl: None,
            }],
            cname_chain: Vec::new(),
        };
        (
            DnsOutcome {
                nameservers,
                answer: Timed::instant(Ok(resolution)),
                hosts_pin: None,
            },
            vec![probe],
        )
    };
    let classed: Vec<_> = probes.iter().map(|p| (network.classify(p.ip), p)).collect();
    let facts = Facts {
        service,
        registry: false,
        proxy: None,
        region,
        host,
        port: addr.map_or(443, |a| a.port()),
        dns: &dns,
        network,
        addresses: &classed,
    };
    let policy = Policy {
        expect: Expect::Any,
        cert_warn_days: 14,
        // Unknown: the platform's own timeouts are not in the text.
        timeout: std::time::Duration::ZERO,
    };
    let j = diagnose::judge(&facts, policy);
    Some((j.finding?, j.diagnosis?))
}

/// When the text names no address: the service, and the causes in order.
fn causes(
    text: &str,
    service: Option<Service>,
    label: Option<&str>,
    region: Option<&Region>,
) -> String {
    let t = text.to_ascii_lowercase();
    if t.contains("accessdenied") || t.contains("403") || t.contains("not authorized") {
        return format!(
            "{} answered, and refused: the network path works. Give the task execution role \
             the permission the call needs (the message names the action).",
            label.unwrap_or("The service")
        );
    }
    let Some(service) = service else {
        return match label {
            Some("registry") => "The image comes from a registry that has no VPC endpoint: an \
                isolated subnet cannot reach it. Route the subnet through a NAT gateway, use an \
                ECR pull-through cache rule for the registry, or copy the image into ECR."
                .to_owned(),
            _ => "The text names no AWS service or address the probe knows.".to_owned(),
        };
    };
    let endpoint = region.map_or_else(
        || format!("com.amazonaws.REGION.{}", service.name()),
        |r| service.endpoint_service_name(r),
    );
    if service.is_gateway() {
        return format!(
            "ECS could not reach S3 ({endpoint}). In order: the subnet's route table has no route \
             to the S3 gateway endpoint (and no NAT); the task's security group egress lacks TCP 443 \
             to the S3 managed prefix list; DNS."
        );
    }
    format!(
        "ECS could not reach {name} before the task started; the text holds no address. In order \
         of likelihood: the interface endpoint {endpoint} has private DNS turned off or does not \
         exist, so the name resolves to public addresses that time out (public_connect_timeout); \
         the task's security group egress or the endpoint's ingress lacks TCP 443 \
         (private_connect_timeout); the VPC's DNS (enableDnsSupport, a custom resolver) does not \
         answer the name (dns_*). The probe tells them apart from inside the VPC.",
        name = service.name()
    )
}
