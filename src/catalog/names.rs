//! The one owner of AWS's names: for a service, a region and the app's SDK
//! settings, which hostname each caller uses (ECS itself calls the standard
//! names; the app's SDK follows its FIPS, dual-stack and STS settings),
//! which endpoint service answers a name, and whether an endpoint in this
//! VPC can serve it at all (same region, cross-Region, or none).
//!
//! The SDK's names come from AWS's own data ([`super::data`]); the facts
//! the SDKs do not carry are here with their sources: the registry's and
//! the ECS agent's names, the endpoint services, which services take a
//! cross-Region interface endpoint.

use serde::Serialize;

use super::data::{ServiceData, data};
use super::{Partition, Region, Service};

/// The app's SDK settings that change the hostname it calls
/// (`AWS_USE_FIPS_ENDPOINT`, `AWS_USE_DUALSTACK_ENDPOINT`,
/// `AWS_STS_REGIONAL_ENDPOINTS=legacy`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SdkVariant {
    pub fips: bool,
    pub dualstack: bool,
    pub sts_legacy: bool,
}

impl SdkVariant {
    /// The setting's key in the data.
    fn key(self, service: Service) -> &'static str {
        let legacy = self.sts_legacy && service == Service::Sts;
        match (legacy, self.fips, self.dualstack) {
            (false, false, false) => "default",
            (false, true, false) => "fips",
            (false, false, true) => "dualstack",
            (false, true, true) => "fips_dualstack",
            (true, false, false) => "legacy",
            (true, true, false) => "legacy_fips",
            (true, false, true) => "legacy_dualstack",
            (true, true, true) => "legacy_fips_dualstack",
        }
    }
}

/// The name the app's SDK calls for a service.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdkName {
    Host(String),
    /// The SDK's rules refuse to build one (a partition without FIPS
    /// names, say): the SDK fails before any packet leaves.
    Refused,
    /// AWS's data has no SDK rules for the service (`ssmmessages`,
    /// `ec2messages`, the registry and the ECS agent's names).
    NoData,
}

/// The registry's dual-stack suffixes: `ACCOUNT.dkr-ecr.REGION.on.aws`,
/// and China's (Amazon ECR user guide, "Dual-stack endpoints").
pub(super) const ECR_DUALSTACK_REGISTRY_SUFFIXES: [&str; 2] =
    ["on.aws", "on.amazonwebservices.com.cn"];

/// The services whose AWS endpoint service can be reached from an interface
/// endpoint in another region of the partition (cross-Region `PrivateLink`
/// for AWS services, November 2025: the `PrivateLink` guide's "Cross-region
/// enabled AWS services"). Not Logs, SSM, Secrets Manager, STS, the ECS
/// agent's endpoints or `CloudWatch`.
const CROSS_REGION: [Service; 5] = [
    Service::S3,
    Service::EcrApi,
    Service::EcrDkr,
    Service::Kms,
    Service::Ecs,
];

impl Service {
    fn data(self) -> Option<&'static ServiceData> {
        data().services.iter().find(|s| s.service == self.name())
    }

    /// Whether AWS's data has SDK rules for the service (a client in the
    /// SDKs), so that its FIPS and dual-stack names are known.
    pub fn has_sdk_data(self) -> bool {
        self.data().is_some()
    }

    /// The standard hostname: the one ECS itself (image pulls, secrets,
    /// awslogs, the agent) connects to, and the app's SDK without settings.
    pub fn host(self, region: &Region, ecr_account: Option<&str>) -> String {
        if let SdkName::Host(host) = self.sdk_host(region, SdkVariant::default()) {
            return host;
        }
        let r = region.code();
        let suffix = region.partition().dns_suffix();
        match self {
            Self::EcrDkr => {
                let account = ecr_account.unwrap_or(super::PLACEHOLDER_ECR_ACCOUNT);
                format!("{account}.dkr.ecr.{r}.{suffix}")
            }
            // The endpoint's private DNS names are wildcards (ecs-a-*, ecs-t-*);
            // the agent is told a numbered host by DiscoverPollEndpoint.
            Self::EcsAgent => format!("ecs-a-1.{r}.{suffix}"),
            Self::EcsTelemetry => format!("ecs-t-1.{r}.{suffix}"),
            other => format!("{}.{r}.{suffix}", other.name()),
        }
    }

    /// The hostname the app's SDK calls under `variant`, from AWS's rules.
    pub fn sdk_host(self, region: &Region, variant: SdkVariant) -> SdkName {
        let Some(data) = self.data() else {
            return SdkName::NoData;
        };
        let names = data
            .names
            .get(region.partition().name())
            .and_then(|p| p.get(variant.key(self)));
        match names.map(|n| n.host(region.code())) {
            Some(Some(host)) => SdkName::Host(host),
            Some(None) => SdkName::Refused,
            None => SdkName::NoData,
        }
    }

    /// The regions of `partition` where AWS's endpoint table lists a FIPS
    /// endpoint of the service; `None` without data.
    pub fn fips_regions(self, partition: Partition) -> Option<&'static [String]> {
        self.data()?
            .fips_regions
            .get(partition.name())
            .map(Vec::as_slice)
    }

    /// Whether the service has a FIPS endpoint in `region`; `None` without
    /// data.
    pub fn has_fips_endpoint(self, region: &Region) -> Option<bool> {
        let regions = self.fips_regions(region.partition())?;
        Some(regions.iter().any(|r| r == region.code()))
    }

    /// Whether ECS itself calls the service for a task (image pulls, layer
    /// downloads, awslogs, secrets injection, ECS Exec, the EC2 agent): its
    /// standard name stays in the plan whatever the app's SDK settings say.
    pub fn called_by_ecs(self) -> bool {
        !matches!(self, Self::Kms | Self::Sts | Self::Xray | Self::Monitoring)
    }

    /// Whether an interface endpoint in one region can serve the service
    /// of another region of the partition (cross-Region `PrivateLink`).
    pub fn cross_region(self) -> bool {
        CROSS_REGION.contains(&self)
    }

    /// The VPC endpoint service name to create for the standard name, as
    /// the console and the CLI spell it. Some services in the China regions
    /// carry a `cn.` prefix.
    pub fn endpoint_service_name(self, region: &Region) -> String {
        self.endpoint_service_named(region, self.name())
    }

    fn endpoint_service_named(self, region: &Region, name: &str) -> String {
        let cn_prefixed = matches!(
            self,
            Self::EcrApi | Self::EcrDkr | Self::S3 | Self::Sts | Self::Monitoring | Self::Xray
        );
        let prefix = if region.partition().name() == "aws-cn" && cn_prefixed {
            "cn.com.amazonaws"
        } else {
            "com.amazonaws"
        };
        format!("{prefix}.{}.{name}", region.code())
    }

    /// The endpoint service whose private DNS answers `host`, a name of the
    /// service in `region`: the standard one, KMS's FIPS endpoint service
    /// for KMS's FIPS names (the KMS developer guide, "Create a VPC endpoint
    /// for AWS KMS"); `None` for a name no endpoint service is known to
    /// answer (another FIPS name, ECR's dual-stack names, STS's global
    /// name).
    pub fn endpoint_service(self, region: &Region, host: &str) -> Option<String> {
        if ecr_dualstack_name(Some(self), host) || is_global_sts(host) {
            return None;
        }
        if !fips_name(host) {
            return Some(self.endpoint_service_name(region));
        }
        (self == Self::Kms).then(|| self.endpoint_service_named(region, "kms-fips"))
    }
}

/// Whether `host` is a FIPS name (`logs-fips.REGION...`,
/// `api.ecr-fips.REGION...`, `BUCKET.s3-fips.REGION...`).
pub fn fips_name(host: &str) -> bool {
    host.split('.').any(|label| label.ends_with("-fips"))
}

/// STS's global name in `partition`, where the SDKs under `legacy` call
/// one (the names of the data's `legacy` setting without a region).
pub fn global_sts_host(partition: Partition) -> Option<&'static str> {
    let sts = Service::Sts.data()?;
    sts.names
        .get(partition.name())?
        .get("legacy")?
        .exceptions()
        .next()
}

/// Whether `host` is STS's global name (`sts.amazonaws.com`).
pub fn is_global_sts(host: &str) -> bool {
    Partition::all().any(|p| global_sts_host(p) == Some(host))
}

/// Whether `host` is one of ECR's dual-stack names (`ecr.REGION.api.aws`,
/// `ACCOUNT.dkr-ecr.REGION.on.aws`, and their FIPS and China forms).
/// Amazon ECR's user guide says `PrivateLink` does not carry them: the
/// `ecr.api` and `ecr.dkr` interface endpoints answer only the IPv4 names,
/// so no endpoint keeps these inside the VPC.
pub fn ecr_dualstack_name(service: Option<Service>, host: &str) -> bool {
    let registry = ECR_DUALSTACK_REGISTRY_SUFFIXES
        .iter()
        .any(|s| host.strip_suffix(s).is_some_and(|h| h.ends_with('.')));
    let api = Partition::all().any(|p| {
        host.strip_suffix(p.dualstack_suffix())
            .is_some_and(|h| h.ends_with('.'))
    });
    matches!(service, Some(Service::EcrApi | Service::EcrDkr)) && (registry || api)
}

/// What in this VPC can serve a name of an AWS service (`endpoints`'s
/// `vpc_endpoint`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "via", rename_all = "snake_case")]
pub enum Serving {
    /// An endpoint of the task's region: this interface endpoint service
    /// (for S3, also the gateway endpoint).
    SameRegion { endpoint_service: String },
    /// An interface endpoint in this VPC for another region's service,
    /// created with the service's name and its region as the service
    /// region (cross-Region `PrivateLink`).
    CrossRegion { endpoint_service: String },
    /// No endpoint in this VPC can serve it, for this reason.
    None { why: NotServed },
    /// A FIPS name no endpoint service is known to answer: the tool cannot
    /// tell whether one exists.
    Unknown,
}

/// Why no endpoint in this VPC serves a name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum NotServed {
    /// ECR's dual-stack names, which `PrivateLink` does not carry.
    EcrDualstack,
    /// STS's global name.
    GlobalSts,
    /// A service of another region that takes no cross-Region endpoint.
    OtherRegion,
    /// A region of another partition.
    OtherPartition,
}

/// What in this VPC can serve `host`, a name of `service` in `region`, for
/// a task in `task_region`.
pub fn serving(service: Service, region: &Region, task_region: &Region, host: &str) -> Serving {
    let none = |why| Serving::None { why };
    if ecr_dualstack_name(Some(service), host) {
        return none(NotServed::EcrDualstack);
    }
    if is_global_sts(host) {
        return none(NotServed::GlobalSts);
    }
    // Another region's name: what the region rules out is known whatever
    // the name (a FIPS one too).
    if region != task_region {
        if region.partition() != task_region.partition() {
            return none(NotServed::OtherPartition);
        }
        if !service.cross_region() {
            return none(NotServed::OtherRegion);
        }
    }
    let Some(endpoint_service) = service.endpoint_service(region, host) else {
        return Serving::Unknown;
    };
    if region == task_region {
        Serving::SameRegion { endpoint_service }
    } else {
        Serving::CrossRegion { endpoint_service }
    }
}

/// Whether an endpoint of the task's region in this VPC would serve `host`:
/// an AWS service of the task's region, not one of ECR's dual-stack names,
/// STS's global name or a FIPS name without a known endpoint service.
pub fn served_here(
    service: Option<Service>,
    region: &Region,
    task_region: &Region,
    host: &str,
) -> bool {
    service.is_some_and(|s| {
        matches!(
            serving(s, region, task_region, host),
            Serving::SameRegion { .. }
        )
    })
}

pub use super::hosts::{ecr_registry, is_aws_host, service_of_host, vpce_name};

#[cfg(test)]
mod tests;
