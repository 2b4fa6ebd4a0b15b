//! Hostnames read back: which service and region an AWS name is, whatever
//! setting built it (a configured URL, a `--target`, a stopped reason's
//! host), and whether a host is AWS's at all. The other half of
//! [`super::names`], which builds them.

use super::names::{ECR_DUALSTACK_REGISTRY_SUFFIXES, is_global_sts};
use super::{Partition, Region, Service};

/// The account and region of an ECR registry host, standard
/// (`ACCOUNT.dkr.ecr.REGION.SUFFIX`, also `dkr.ecr-fips`) or dual-stack
/// (`ACCOUNT.dkr-ecr.REGION.on.aws`).
pub fn ecr_registry(host: &str) -> Option<(&str, Region)> {
    let labels: Vec<&str> = host.split('.').collect();
    let (account, rest) = labels.split_first()?;
    let (region, suffix, dualstack) = match rest {
        ["dkr", "ecr" | "ecr-fips", region, suffix @ ..] => (region, suffix.join("."), false),
        ["dkr-ecr" | "dkr-ecr-fips", region, suffix @ ..] => (region, suffix.join("."), true),
        _ => return None,
    };
    let region: Region = region.parse().ok()?;
    let known = if dualstack {
        ECR_DUALSTACK_REGISTRY_SUFFIXES.contains(&suffix.as_str())
    } else {
        suffix == region.partition().dns_suffix()
    };
    known.then_some((*account, region))
}

/// The service and region of an endpoint-specific DNS name:
/// `vpce-0abc-xyz.secretsmanager.us-east-1.vpce.amazonaws.com` (regional)
/// or `vpce-0abc-xyz-us-east-1a.ecr.api.us-east-1.vpce.amazonaws.com`
/// (zonal). The region is the service's (a cross-Region endpoint's names
/// carry the remote region).
pub fn vpce_name(host: &str) -> Option<(Service, Region)> {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let rest = Partition::all().find_map(|p| {
        host.strip_suffix(p.dns_suffix())?
            .strip_suffix(".vpce.")
            .map(str::to_owned)
    })?;
    // The endpoint's label (`vpce-...`) may follow a bucket's (S3).
    let at = rest
        .split('.')
        .position(|label| label.starts_with("vpce-"))?;
    let after: Vec<&str> = rest.split('.').skip(at + 1).collect();
    let (region, service) = after.split_last()?;
    let region: Region = region.parse().ok()?;
    // ECR's names put the part first (`api.ecr`, `dkr.ecr`).
    let service = match service.join(".").as_str() {
        "api.ecr" => "ecr.api".to_owned(),
        "dkr.ecr" => "ecr.dkr".to_owned(),
        other => other.to_owned(),
    };
    Service::named(&service).map(|s| (*s, region))
}

/// The service (and region, where the name carries one) of an AWS
/// hostname, whichever setting built it: standard, FIPS or dual-stack
/// names, ECR's registry and API names, S3's virtual-hosted and path-style
/// names, the ECS agent's, STS's global name and endpoint-specific names.
/// `None` for a host outside AWS's domains or a service outside the
/// catalog.
pub fn service_of_host(host: &str) -> Option<(Service, Option<Region>)> {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    if let Some((s, r)) = vpce_name(&host) {
        return Some((s, Some(r)));
    }
    if let Some((_, r)) = ecr_registry(&host) {
        return Some((Service::EcrDkr, Some(r)));
    }
    if is_global_sts(&host) {
        return Some((Service::Sts, None));
    }
    if !is_aws_host(&host) {
        return None;
    }
    let labels: Vec<&str> = host.split('.').collect();
    let region_at = |i: usize| labels.get(i).and_then(|l| l.parse::<Region>().ok());
    // S3: `[BUCKET.]s3[-fips][.dualstack].REGION...`.
    if let Some(i) = labels.iter().position(|l| *l == "s3" || *l == "s3-fips") {
        let after = if labels.get(i + 1) == Some(&"dualstack") {
            i + 2
        } else {
            i + 1
        };
        return Some((Service::S3, region_at(after)));
    }
    let first = labels.first()?.trim_end_matches("-fips");
    let service = match (first, labels.get(1).copied()) {
        ("api", Some("ecr" | "ecr-fips")) => return Some((Service::EcrApi, region_at(2))),
        // ECR's dual-stack API name: `ecr[-fips].REGION.api.aws`.
        ("ecr", _) => Service::EcrApi,
        (f, _) if f.starts_with("ecs-a-") => Service::EcsAgent,
        (f, _) if f.starts_with("ecs-t-") => Service::EcsTelemetry,
        (f, _) => *Service::named(f)?,
    };
    Some((service, region_at(1)))
}

/// Whether `host` is under one of AWS's own domains (a partition's DNS or
/// dual-stack suffix, ECR's dual-stack registry suffixes): a name AWS
/// answers, and not a corporate gateway or an emulator a configured
/// endpoint URL points at.
pub fn is_aws_host(host: &str) -> bool {
    let under = |suffix: &str| host.strip_suffix(suffix).is_some_and(|h| h.ends_with('.'));
    Partition::all().any(|p| under(p.dns_suffix()) || under(p.dualstack_suffix()))
        || ECR_DUALSTACK_REGISTRY_SUFFIXES.iter().any(|s| under(s))
}
