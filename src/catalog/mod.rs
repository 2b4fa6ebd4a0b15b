//! The AWS side of the world: partitions, regions, the services an ECS task
//! talks to, their hostnames, and the use-case bundles (`ecr`, `exec`, ...).
//!
//! Everything here is pure data and string building; nothing touches the
//! network. Services are named the way AWS names VPC endpoints
//! (`com.amazonaws.<region>.<name>`), because that is what a user creates to
//! fix a failure and what the diagnoses tell them to create.

use std::fmt;
use std::str::FromStr;

mod data;
mod hosts;

pub use data::source as data_source;
pub mod names;
mod region;

pub use names::{SdkName, SdkVariant, Serving};
pub use region::{InvalidRegion, Partition, Region, RegionSource};

/// The registry account used for `ecr.dkr` when none is given: every
/// `<account>.dkr.ecr.<region>` name is matched by the same wildcard DNS
/// record (public and the endpoint's private zone) and the same wildcard
/// certificate, so any account exercises the same path.
pub const PLACEHOLDER_ECR_ACCOUNT: &str = "000000000000";

/// An AWS service reached through a VPC endpoint, by its endpoint name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Service {
    EcrApi,
    EcrDkr,
    S3,
    Logs,
    Ssm,
    Ssmmessages,
    Ec2messages,
    Secretsmanager,
    Kms,
    Sts,
    Ecs,
    EcsAgent,
    EcsTelemetry,
    Xray,
    Monitoring,
}

impl Service {
    pub const ALL: [Service; 15] = [
        Self::EcrApi,
        Self::EcrDkr,
        Self::S3,
        Self::Logs,
        Self::Ssm,
        Self::Ssmmessages,
        Self::Ec2messages,
        Self::Secretsmanager,
        Self::Kms,
        Self::Sts,
        Self::Ecs,
        Self::EcsAgent,
        Self::EcsTelemetry,
        Self::Xray,
        Self::Monitoring,
    ];

    /// The set probed when `--services` is absent: what a Fargate task on
    /// platform 1.4.0 needs to pull from ECR, ship awslogs and read secrets.
    pub const DEFAULT: [Service; 6] = [
        Self::EcrApi,
        Self::EcrDkr,
        Self::S3,
        Self::Logs,
        Self::Ssm,
        Self::Secretsmanager,
    ];

    /// The name AWS gives the VPC endpoint service (`com.amazonaws.R.<name>`).
    pub fn name(self) -> &'static str {
        match self {
            Self::EcrApi => "ecr.api",
            Self::EcrDkr => "ecr.dkr",
            Self::S3 => "s3",
            Self::Logs => "logs",
            Self::Ssm => "ssm",
            Self::Ssmmessages => "ssmmessages",
            Self::Ec2messages => "ec2messages",
            Self::Secretsmanager => "secretsmanager",
            Self::Kms => "kms",
            Self::Sts => "sts",
            Self::Ecs => "ecs",
            Self::EcsAgent => "ecs-agent",
            Self::EcsTelemetry => "ecs-telemetry",
            Self::Xray => "xray",
            Self::Monitoring => "monitoring",
        }
    }

    /// The service with this endpoint name (`ecr.api`, `logs`, ...).
    pub fn named(name: &str) -> Option<&'static Self> {
        let all: &'static [Self] = &Self::ALL;
        all.iter().find(|s| s.name() == name)
    }

    /// S3 is the one service reached through a *gateway* endpoint: its names
    /// resolve to public addresses by design.
    pub fn is_gateway(self) -> bool {
        self == Self::S3
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Use-case bundles accepted by `--services` besides single service names.
pub const BUNDLES: [(&str, &[Service], &str); 6] = [
    (
        "default",
        &Service::DEFAULT,
        "ECR pull, awslogs, ssm and secretsmanager (Fargate platform 1.4.0)",
    ),
    (
        "ecr",
        &[Service::EcrApi, Service::EcrDkr, Service::S3],
        "image pull: ecr.api + ecr.dkr + the S3 layer bucket",
    ),
    (
        "exec",
        &[Service::Ssmmessages],
        "ECS Exec: ssmmessages (add kms, logs or s3 if Exec encrypts or logs sessions)",
    ),
    (
        "ecs-ec2",
        &[Service::Ecs, Service::EcsAgent, Service::EcsTelemetry],
        "the ECS agent on EC2 container instances",
    ),
    ("all", &Service::ALL, "every service in the catalog"),
    (
        "none",
        &[],
        "no AWS service: probe only the --target endpoints",
    ),
];

/// `--services` named something that is neither a service nor a bundle.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown service '{0}': expected one of {list}", list = known_names())]
pub struct UnknownService(pub String);

/// Every name `--services` accepts: the services, then the bundles.
pub fn known_names() -> String {
    let mut names: Vec<&str> = Service::ALL.iter().map(|s| s.name()).collect();
    names.extend(BUNDLES.iter().map(|(name, _, _)| *name));
    names.join(", ")
}

/// One word of a `--services` list: a service, or a bundle of them (`none`
/// is the empty bundle).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Selection(&'static [Service]);

impl FromStr for Selection {
    type Err = UnknownService;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let name = s.trim();
        if let Some(service) = Service::named(name) {
            return Ok(Self(std::slice::from_ref(service)));
        }
        BUNDLES
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, members, _)| Self(members))
            .ok_or_else(|| UnknownService(crate::printable::printable(name)))
    }
}

impl Selection {
    /// The services it stands for (none for the `none` bundle).
    pub fn services(self) -> &'static [Service] {
        self.0
    }
}

/// Parses service and bundle names and expands them (see [`expand`]).
pub fn parse_services<S: AsRef<str>>(names: &[S]) -> Result<Vec<Service>, UnknownService> {
    let selections = names
        .iter()
        .map(|n| n.as_ref().parse())
        .collect::<Result<Vec<Selection>, _>>()?;
    Ok(expand(&selections))
}

/// Expands a `--services` list into services, in the order given and
/// without repeats.
pub fn expand(selections: &[Selection]) -> Vec<Service> {
    let mut out: Vec<Service> = Vec::new();
    for s in selections.iter().flat_map(|s| s.services()) {
        if !out.contains(s) {
            out.push(*s);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_and_bundles_expand_in_order_without_repeats() {
        use Service::{EcrApi, EcrDkr, Kms, Logs, S3, Ssmmessages};
        type Case = (
            &'static [&'static str],
            Result<Vec<Service>, UnknownService>,
        );
        let cases: [Case; 7] = [
            (&["ecr"], Ok(vec![EcrApi, EcrDkr, S3])),
            (
                &["logs", "ecr", "ecr.api"],
                Ok(vec![Logs, EcrApi, EcrDkr, S3]),
            ),
            (&["exec"], Ok(vec![Ssmmessages])),
            (&["default"], Ok(Service::DEFAULT.to_vec())),
            (&["s3", " kms ", "none"], Ok(vec![S3, Kms])),
            (&["none"], Ok(vec![])),
            (
                &["logs", "ecr.apii"],
                Err(UnknownService("ecr.apii".into())),
            ),
        ];
        for (input, want) in cases {
            assert_eq!(parse_services(input), want, "{input:?}");
        }
        assert_eq!(parse_services(&["all"]).unwrap().len(), Service::ALL.len());
        assert!("".parse::<Selection>().is_err());
    }

    #[test]
    fn unknown_service_message_lists_the_choices() {
        let msg = UnknownService("nope".into()).to_string();
        assert!(msg.starts_with("unknown service 'nope'"), "{msg}");
        assert!(
            msg.contains("secretsmanager") && msg.contains("exec"),
            "{msg}"
        );
    }
}
