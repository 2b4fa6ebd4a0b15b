//! `explain`: what a task's stopped reason or a container error means,
//! offline. The text is read for what it holds ([`read`]), then sorted into
//! one of three causes, because users act on the answer:
//!
//! - **answer**: a service or registry replied ([`answer`]): a policy, a
//!   missing log group, secret or image, a rate limit. The network worked.
//! - **other**: not about reaching anything ([`other`]): an exit, memory,
//!   a health check, a volume.
//! - **network**: the service was never reached: judged by the same rules
//!   and paragraphs as a probe that met the same failure (a public address
//!   timing out is the endpoint missing or its private DNS off, a private
//!   one a security group, an S3 address the gateway route or the prefix
//!   list, `no such host` DNS); without an address, the causes in order.

pub mod answer;
mod causes;
mod confirm;
mod denial;
mod network;
pub mod other;
pub mod read;
mod status;
pub mod tasks;
mod unanswered;
mod undecided;
mod volume;

use std::net::IpAddr;

use serde::Serialize;

use crate::classify::{Network, default_vpc_cidrs};
use crate::diagnose::Finding;
use crate::printable::Untrusted;
use crate::probe::FailureKind;

pub use answer::Reply;
pub use other::Stop;
pub use read::Subject;

/// Which of the three causes the text shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    /// The service or registry was never reached.
    Network,
    /// A service or registry answered with an error.
    Answer,
    /// Not about reaching anything.
    Other,
    /// The text does not decide (it stops short before its error): the
    /// candidates are listed in order.
    Undecided,
}

/// What answered and what it said, or what stopped the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum Kind {
    Answer(Reply),
    Other(Stop),
}

/// What a stopped reason says, and what it means.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    pub cause: Cause,
    /// For `undecided`, the causes the text leaves open, most likely first.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<Cause>,
    /// For an answer, what it was (`endpoint_policy`, `missing_log_group`,
    /// ...); for other causes, which (`out_of_memory`, ...); null for the
    /// network, but `volume` for a volume's mount that never reached its
    /// target (not a path the probe checks).
    pub kind: Option<Kind>,
    pub error_class: Option<String>,
    /// The endpoint name (`secretsmanager`, `ecr.dkr`, ...) or `registry`.
    pub service: Option<Subject>,
    /// The host the text names, as it holds it (shown escaped).
    pub host: Option<Untrusted>,
    pub ip: Option<IpAddr>,
    pub port: Option<u16>,
    /// The network error, as the probe names failures (`timeout`, ...).
    pub error: Option<FailureKind>,
    /// The probe's finding for the same failure; null when undecidable.
    pub finding: Option<Finding>,
    /// The region of the call the text names (its host's), when it names
    /// one: the Lambda probes only its own region's names.
    #[serde(skip)]
    pub call_region: Option<crate::catalog::Region>,
    /// The finding's causes, most likely first, as the probe decides them
    /// for the same failure (absent where the text does not decide).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<crate::diagnose::Cause>,
    pub diagnosis: String,
    /// The probe's command line that confirms a network cause from inside
    /// the VPC (a one-shot task in the failing service's subnets).
    pub confirm: Option<String>,
    /// The same check through the Lambda route (`examples/lambda/`).
    pub confirm_lambda: Option<String>,
    /// Why there is no confirming command where one was due: the host the
    /// text names is not a hostname or an IP address (one line).
    pub no_confirm: Option<String>,
}

impl Explanation {
    /// Whether the text says something the probe can judge: a network
    /// failure, or a service's answer (the network worked).
    pub fn recognised(&self) -> bool {
        matches!(self.cause, Cause::Network | Cause::Answer)
    }
}

/// Reads the text and explains it, with the default VPC ranges.
pub fn explain(text: &str) -> Explanation {
    explain_in(text, &Network::new(default_vpc_cidrs(), None), false)
}

/// Reads the text and explains it; `network` classifies the address in it
/// (`ranges_given`: from `--vpc-cidr`, not the defaults). A service's
/// answer outranks the network words around it (the call was retried, then
/// answered); a stop that is not about reaching anything outranks the
/// network words an exit or a mount carries.
pub fn explain_in(text: &str, network: &Network, ranges_given: bool) -> Explanation {
    let read = read::read(text);
    let base = Explanation {
        cause: Cause::Other,
        candidates: Vec::new(),
        kind: None,
        error_class: read.error_class.map(str::to_owned),
        service: read.subject,
        host: read.host.clone(),
        ip: read.addr.map(|a| a.ip()),
        port: read.addr.map(|a| a.port()),
        error: read.error,
        finding: None,
        call_region: read.region.clone(),
        causes: Vec::new(),
        diagnosis: String::new(),
        confirm: None,
        confirm_lambda: None,
        no_confirm: None,
    };
    // A connection to the host itself (not a range the VPC was given as),
    // or to a local socket (a volume plugin's, the Docker daemon's).
    let host_local = read
        .addr
        .map(|a| a.ip())
        .filter(|ip| other::host_local(*ip) && !network.in_vpc(*ip))
        .map(|_| Stop::HostLocal)
        .or_else(|| {
            other::local_socket(&read).then(|| other::stop_in(&read).unwrap_or(Stop::HostLocal))
        });
    if let Some(stop) = other::ecs_exec(&read).or(host_local) {
        return Explanation {
            kind: Some(Kind::Other(stop)),
            diagnosis: other::line(stop).to_owned(),
            ..base
        };
    }
    if let Some(reply) = answer::reply_in(&read) {
        let subject = answer::answering(reply, text, &read);
        return Explanation {
            cause: Cause::Answer,
            kind: Some(Kind::Answer(reply)),
            service: subject,
            error: None,
            diagnosis: answer::paragraph(reply, text, &read, subject),
            ..base
        };
    }
    let network_words = read.unanswered || read.subject.is_some() || read.addr.is_some();
    if undecided::names_no_reason(&read, network_words) {
        return undecided::undecided(&read, network_words, base);
    }
    // An address that failed with a network error outranks a stop word
    // elsewhere in the text (a deployment that stopped a task that could
    // not connect).
    let stop = other::stop_in(&read).filter(|_| read.addr.is_none() || read.error.is_none());
    match stop {
        // A mount that never reached its target: the network, though not
        // a path the probe checks.
        Some(Stop::Volume) if volume::unreached(&read) => {
            return Explanation {
                cause: Cause::Network,
                kind: Some(Kind::Other(Stop::Volume)),
                diagnosis: volume::paragraph(&read),
                ..base
            };
        }
        Some(stop) => {
            return Explanation {
                kind: Some(Kind::Other(stop)),
                diagnosis: other::line(stop).to_owned(),
                ..base
            };
        }
        // An error class that says what failed but not how (the rest cut
        // off): the network and an answer are both open.
        None if !network_words && read::undecided_class(&read) => {
            return undecided::undecided(&read, network_words, base);
        }
        None if !network_words => {
            return Explanation {
                kind: Some(Kind::Other(Stop::Unrecognised)),
                diagnosis: other::line(Stop::Unrecognised).to_owned(),
                ..base
            };
        }
        None => {}
    }
    network::failure(&read, network, ranges_given, base)
}
