//! The AWS side of the world: partitions, regions, the services an ECS task
//! talks to, their hostnames, and the use-case bundles (`ecr`, `exec`, ...).
//!
//! Everything here is pure data and string building; nothing touches the
//! network. Services are named the way AWS names VPC endpoints
//! (`com.amazonaws.<region>.<name>`), because that is what a user creates to
//! fix a failure and what the diagnoses tell them to create.

use std::fmt;
use std::str::FromStr;

use serde::Serialize;

/// An AWS partition: decides the DNS suffix of every hostname.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Partition {
    Aws,
    AwsCn,
    AwsUsGov,
    AwsEusc,
}

impl Partition {
    /// The partition a region belongs to; unknown but well-formed regions
    /// belong to `aws`, where new regions appear.
    fn of_region(region: &str) -> Self {
        if region.starts_with("cn-") {
            Self::AwsCn
        } else if region.starts_with("us-gov-") {
            Self::AwsUsGov
        } else if region.starts_with("eusc-") {
            Self::AwsEusc
        } else {
            Self::Aws
        }
    }

    /// The partition's name (`aws`, `aws-cn`, ...): its serde name.
    pub fn name(self) -> &'static str {
        serde_variant::to_variant_name(&self).expect("Partition is a unit enum")
    }

    pub fn dns_suffix(self) -> &'static str {
        match self {
            Self::Aws | Self::AwsUsGov => "amazonaws.com",
            Self::AwsCn => "amazonaws.com.cn",
            Self::AwsEusc => "amazonaws.eu",
        }
    }

    /// The suffix of the SDKs' dual-stack names (`dualStackDnsSuffix` in
    /// botocore's partitions.json), where known.
    pub fn dualstack_suffix(self) -> Option<&'static str> {
        match self {
            Self::Aws | Self::AwsUsGov => Some("api.aws"),
            Self::AwsCn => Some("api.amazonwebservices.com.cn"),
            Self::AwsEusc => None,
        }
    }
}

/// A well-formed region code such as `ap-northeast-1` or `us-gov-west-1`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Region {
    code: String,
    partition: Partition,
}

/// The region text is not shaped like an AWS region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid region '{0}': expected a region code like ap-northeast-1")]
pub struct InvalidRegion(pub String);

impl FromStr for Region {
    type Err = InvalidRegion;

    /// Accepts `<2-4 letters>(-<letters>)+-<digits>`: every region AWS has
    /// published, and the ones it will publish, but not typos such as
    /// `ap-northeast`, `AP-NORTHEAST-1` or `ap_northeast_1`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('-').collect();
        let lower = |p: &&str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase());
        // Real codes are under 20 characters; 32 keeps every hostname built
        // from one a valid DNS name (found by fuzz/run: a 70-letter label).
        let well_formed = s.len() <= 32
            && parts.len() >= 3
            && (2..=4).contains(&parts[0].len())
            && lower(&parts[0])
            && parts[1..parts.len() - 1].iter().all(lower)
            && parts[parts.len() - 1].len() <= 2
            && parts[parts.len() - 1].bytes().all(|b| b.is_ascii_digit())
            && !parts[parts.len() - 1].is_empty();
        if well_formed {
            Ok(Self {
                code: s.to_owned(),
                partition: Partition::of_region(s),
            })
        } else {
            Err(InvalidRegion(crate::printable::printable(s)))
        }
    }
}

impl Region {
    pub fn code(&self) -> &str {
        &self.code
    }

    pub fn partition(&self) -> Partition {
        self.partition
    }
}

impl fmt::Display for Region {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.code)
    }
}

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

    /// The hostname a task (or the Fargate agent on its behalf) connects to.
    pub fn host(self, region: &Region, ecr_account: Option<&str>) -> String {
        let r = region.code();
        let suffix = region.partition().dns_suffix();
        match self {
            Self::EcrApi => format!("api.ecr.{r}.{suffix}"),
            Self::EcrDkr => {
                let account = ecr_account.unwrap_or(PLACEHOLDER_ECR_ACCOUNT);
                format!("{account}.dkr.ecr.{r}.{suffix}")
            }
            Self::S3 => format!("prod-{r}-starport-layer-bucket.s3.{r}.{suffix}"),
            // The endpoint's private DNS names are wildcards (ecs-a-*, ecs-t-*);
            // the agent is told a numbered host by DiscoverPollEndpoint.
            Self::EcsAgent => format!("ecs-a-1.{r}.{suffix}"),
            Self::EcsTelemetry => format!("ecs-t-1.{r}.{suffix}"),
            other => format!("{}.{r}.{suffix}", other.name()),
        }
    }

    /// The hostname the AWS SDKs use in dual-stack mode
    /// (`AWS_USE_DUALSTACK_ENDPOINT=true`), from botocore's endpoint rules
    /// and the ECR and S3 guides; `None` where no dual-stack name is known
    /// (`ssmmessages`, `ec2messages`, the ECS agent's names, ...).
    pub fn dualstack_host(self, region: &Region, ecr_account: Option<&str>) -> Option<String> {
        let r = region.code();
        let partition = region.partition();
        let suffix = partition.dns_suffix();
        let api = partition.dualstack_suffix();
        match self {
            Self::EcrApi => api.map(|api| format!("ecr.{r}.{api}")),
            Self::EcrDkr if partition == Partition::Aws => {
                let account = ecr_account.unwrap_or(PLACEHOLDER_ECR_ACCOUNT);
                Some(format!("{account}.dkr-ecr.{r}.on.aws"))
            }
            Self::S3 => Some(format!(
                "prod-{r}-starport-layer-bucket.s3.dualstack.{r}.{suffix}"
            )),
            // Secrets Manager's rules return the same name in dual-stack mode.
            Self::Secretsmanager => Some(self.host(region, ecr_account)),
            Self::Logs | Self::Ssm | Self::Sts | Self::Kms | Self::Ecs => {
                api.map(|api| format!("{}.{r}.{api}", self.name()))
            }
            _ => None,
        }
    }

    /// The VPC endpoint service name to create, as the console and the CLI
    /// spell it. Some services in the China regions carry a `cn.` prefix.
    pub fn endpoint_service_name(self, region: &Region) -> String {
        let cn_prefixed = matches!(
            self,
            Self::EcrApi | Self::EcrDkr | Self::S3 | Self::Sts | Self::Monitoring | Self::Xray
        );
        let prefix = match region.partition() {
            Partition::AwsCn if cn_prefixed => "cn.com.amazonaws",
            _ => "com.amazonaws",
        };
        format!("{prefix}.{}.{}", region.code(), self.name())
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

    fn region(s: &str) -> Region {
        s.parse().unwrap()
    }

    #[test]
    fn regions_are_validated_by_shape() {
        let cases = [
            ("ap-northeast-1", Some(Partition::Aws)),
            ("us-east-1", Some(Partition::Aws)),
            ("il-central-1", Some(Partition::Aws)),
            ("cn-north-1", Some(Partition::AwsCn)),
            ("cn-northwest-1", Some(Partition::AwsCn)),
            ("us-gov-west-1", Some(Partition::AwsUsGov)),
            ("eusc-de-east-1", Some(Partition::AwsEusc)),
            ("xx-newplace-7", Some(Partition::Aws)),
            ("ap-northeast", None),
            ("AP-NORTHEAST-1", None),
            ("ap_northeast_1", None),
            ("ap-northeast-1 ", None),
            ("", None),
            ("ap--1", None),
            ("-northeast-1", None),
            ("apnortheast1", None),
            ("ap-northeast-123", None),
            (
                "us-gggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggggwest-2",
                None,
            ),
        ];
        for (input, want) in cases {
            let got = input.parse::<Region>().ok().map(|r| r.partition());
            assert_eq!(got, want, "region {input:?}");
        }
    }

    #[test]
    fn hostnames_follow_the_partition() {
        let cases = [
            (
                Service::EcrApi,
                "ap-northeast-1",
                None,
                "api.ecr.ap-northeast-1.amazonaws.com",
            ),
            (
                Service::EcrDkr,
                "ap-northeast-1",
                Some("123456789012"),
                "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com",
            ),
            (
                Service::EcrDkr,
                "us-east-1",
                None,
                "000000000000.dkr.ecr.us-east-1.amazonaws.com",
            ),
            (
                Service::S3,
                "ap-northeast-1",
                None,
                "prod-ap-northeast-1-starport-layer-bucket.s3.ap-northeast-1.amazonaws.com",
            ),
            (
                Service::Logs,
                "cn-north-1",
                None,
                "logs.cn-north-1.amazonaws.com.cn",
            ),
            (
                Service::Secretsmanager,
                "us-gov-west-1",
                None,
                "secretsmanager.us-gov-west-1.amazonaws.com",
            ),
            (
                Service::EcsAgent,
                "eu-west-1",
                None,
                "ecs-a-1.eu-west-1.amazonaws.com",
            ),
            (
                Service::EcsTelemetry,
                "eu-west-1",
                None,
                "ecs-t-1.eu-west-1.amazonaws.com",
            ),
            (
                Service::Sts,
                "eusc-de-east-1",
                None,
                "sts.eusc-de-east-1.amazonaws.eu",
            ),
        ];
        for (service, r, account, want) in cases {
            assert_eq!(service.host(&region(r), account), want, "{service} in {r}");
        }
    }

    #[test]
    fn endpoint_service_names() {
        let cases = [
            (
                Service::Logs,
                "ap-northeast-1",
                "com.amazonaws.ap-northeast-1.logs",
            ),
            (
                Service::EcrDkr,
                "cn-north-1",
                "cn.com.amazonaws.cn-north-1.ecr.dkr",
            ),
            (Service::Logs, "cn-north-1", "com.amazonaws.cn-north-1.logs"),
        ];
        for (service, r, want) in cases {
            assert_eq!(service.endpoint_service_name(&region(r)), want);
        }
    }

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
