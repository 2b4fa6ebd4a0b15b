//! Names an SDK calls besides the standard regional ones: FIPS names, STS's
//! global name, and the endpoint-specific names of interface endpoints
//! (`vpce-ID[-AZ].SERVICE.REGION.vpce.amazonaws.com`), recognised so that a
//! configured URL or a `--target` on one is reported as that service.

use crate::catalog::{Partition, Region, Service};

/// Regions where AWS publishes FIPS endpoints for the commercial partition
/// (US East and West, Canada Central) and `GovCloud` (US).
const FIPS_REGIONS: [&str; 7] = [
    "us-east-1",
    "us-east-2",
    "us-west-1",
    "us-west-2",
    "ca-central-1",
    "us-gov-east-1",
    "us-gov-west-1",
];

/// The FIPS hostname the SDK calls with `AWS_USE_FIPS_ENDPOINT=true`, for
/// the services known to have one there; `None` where none is known (the
/// plan says so in a note). ECR's API is `ecr-fips`; the others are
/// `SERVICE-fips.REGION`. ECR's FIPS name is published for the US regions
/// only.
pub fn fips_host(service: Service, region: &Region) -> Option<String> {
    let code = region.code();
    if !FIPS_REGIONS.contains(&code) {
        return None;
    }
    let suffix = region.partition().dns_suffix();
    let prefix = match service {
        Service::EcrApi if code != "ca-central-1" => "ecr-fips",
        Service::Secretsmanager => "secretsmanager-fips",
        Service::Ssm => "ssm-fips",
        Service::Logs => "logs-fips",
        Service::Kms => "kms-fips",
        Service::Sts => "sts-fips",
        Service::Ecs => "ecs-fips",
        Service::Monitoring => "monitoring-fips",
        Service::S3 => "s3-fips",
        _ => return None,
    };
    Some(format!("{prefix}.{code}.{suffix}"))
}

/// STS's global name in the partition that has one (`sts.amazonaws.com`):
/// what `AWS_STS_REGIONAL_ENDPOINTS=legacy` sends older SDKs to. No
/// interface endpoint serves it.
pub fn global_sts_host(region: &Region) -> Option<String> {
    (region.partition() == Partition::Aws).then(|| format!("sts.{}", Partition::Aws.dns_suffix()))
}

/// Whether `host` is STS's global name.
pub fn is_global_sts(host: &str) -> bool {
    host == "sts.amazonaws.com"
}

/// The service and region of an endpoint-specific DNS name:
/// `vpce-0abc-xyz.secretsmanager.us-east-1.vpce.amazonaws.com` (regional)
/// or `vpce-0abc-xyz-us-east-1a.ecr.api.us-east-1.vpce.amazonaws.com`
/// (zonal).
pub fn vpce_name(host: &str) -> Option<(Service, Region)> {
    let host = host.strip_suffix('.').unwrap_or(host).to_ascii_lowercase();
    let rest = ["vpce.amazonaws.com", "vpce.amazonaws.com.cn"]
        .iter()
        .find_map(|suffix| host.strip_suffix(suffix)?.strip_suffix('.'))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_specific_names_are_recognised() {
        for (host, want) in [
            (
                "vpce-0abc123-xyz.secretsmanager.us-east-1.vpce.amazonaws.com",
                Some(("secretsmanager", "us-east-1")),
            ),
            (
                "vpce-0abc123-xyz-us-east-1a.ecr.api.us-east-1.vpce.amazonaws.com",
                Some(("ecr.api", "us-east-1")),
            ),
            (
                "VPCE-1.logs.cn-north-1.vpce.amazonaws.com.cn.",
                Some(("logs", "cn-north-1")),
            ),
            (
                "vpce-0abc123-xyz.api.ecr.us-east-1.vpce.amazonaws.com",
                Some(("ecr.api", "us-east-1")),
            ),
            (
                "vpce-0abc123-xyz.dkr.ecr.us-east-1.vpce.amazonaws.com",
                Some(("ecr.dkr", "us-east-1")),
            ),
            (
                "bucket.vpce-0abc123-xyz.s3.us-east-1.vpce.amazonaws.com",
                Some(("s3", "us-east-1")),
            ),
            ("secretsmanager.us-east-1.amazonaws.com", None),
            ("vpce-1.nosuch.us-east-1.vpce.amazonaws.com", None),
            ("x.secretsmanager.us-east-1.vpce.amazonaws.com", None),
        ] {
            let got = vpce_name(host).map(|(s, r)| (s.name(), r.code().to_owned()));
            let want = want.map(|(s, r)| (s, r.to_owned()));
            assert_eq!(got, want, "{host}");
        }
    }

    #[test]
    fn fips_names_where_known() {
        let r = |c: &str| c.parse::<Region>().unwrap();
        assert_eq!(
            fips_host(Service::Secretsmanager, &r("us-east-1")).as_deref(),
            Some("secretsmanager-fips.us-east-1.amazonaws.com")
        );
        assert_eq!(
            fips_host(Service::EcrApi, &r("us-west-2")).as_deref(),
            Some("ecr-fips.us-west-2.amazonaws.com")
        );
        assert_eq!(fips_host(Service::EcrApi, &r("ca-central-1")), None);
        assert_eq!(fips_host(Service::Secretsmanager, &r("eu-west-1")), None);
        assert_eq!(fips_host(Service::EcrDkr, &r("us-east-1")), None);
        assert_eq!(
            global_sts_host(&r("ap-northeast-1")).as_deref(),
            Some("sts.amazonaws.com")
        );
        assert_eq!(global_sts_host(&r("cn-north-1")), None);
    }
}
