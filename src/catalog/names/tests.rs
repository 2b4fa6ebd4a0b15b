use super::*;

fn region(s: &str) -> Region {
    s.parse().unwrap()
}

/// `SERVICE REGION [ACCOUNT] NAME` per line.
const STANDARD: &str = "
    ecr.api ap-northeast-1 - api.ecr.ap-northeast-1.amazonaws.com
    ecr.dkr ap-northeast-1 123456789012 123456789012.dkr.ecr.ap-northeast-1.amazonaws.com
    ecr.dkr us-east-1 - 000000000000.dkr.ecr.us-east-1.amazonaws.com
    s3 ap-northeast-1 - prod-ap-northeast-1-starport-layer-bucket.s3.ap-northeast-1.amazonaws.com
    logs cn-north-1 - logs.cn-north-1.amazonaws.com.cn
    secretsmanager us-gov-west-1 - secretsmanager.us-gov-west-1.amazonaws.com
    ecs-agent eu-west-1 - ecs-a-1.eu-west-1.amazonaws.com
    ecs-telemetry eu-west-1 - ecs-t-1.eu-west-1.amazonaws.com
    sts eusc-de-east-1 - sts.eusc-de-east-1.amazonaws.eu
    ssm us-iso-east-1 - ssm.us-iso-east-1.c2s.ic.gov
    ssmmessages us-isob-east-1 - ssmmessages.us-isob-east-1.sc2s.sgov.gov
    logs xx-newplace-7 - logs.xx-newplace-7.amazonaws.com
";

#[test]
fn standard_names_follow_the_partition() {
    for line in STANDARD.lines().filter(|l| !l.trim().is_empty()) {
        let [service, r, account, want] = line.split_whitespace().collect::<Vec<_>>()[..] else {
            panic!("{line}");
        };
        let service = *Service::named(service).unwrap();
        let account = (account != "-").then_some(account);
        assert_eq!(service.host(&region(r), account), want, "{line}");
    }
}

/// `SERVICE REGION SETTINGS NAME` per line: the cases issue 25 found
/// wrong, as botocore 1.44.8 resolves them (`refused`: the rules give no
/// name; `nodata`: no rules).
const SDK: &str = "
    logs ap-northeast-1 fips logs-fips.ap-northeast-1.amazonaws.com
    xray us-east-1 fips xray-fips.us-east-1.amazonaws.com
    ecr.api ca-central-1 fips api.ecr-fips.ca-central-1.amazonaws.com
    logs us-gov-west-1 fips logs.us-gov-west-1.amazonaws.com
    ssm us-gov-west-1 fips ssm.us-gov-west-1.amazonaws.com
    sts us-gov-west-1 fips sts.us-gov-west-1.amazonaws.com
    secretsmanager us-east-1 dualstack secretsmanager.us-east-1.amazonaws.com
    xray us-east-1 dualstack xray.us-east-1.api.aws
    monitoring eu-west-1 dualstack monitoring.eu-west-1.api.aws
    sts us-east-1 legacy sts.amazonaws.com
    sts ap-northeast-1 legacy sts.amazonaws.com
    sts ap-east-1 legacy sts.ap-east-1.amazonaws.com
    sts us-east-1 legacy+dualstack sts.us-east-1.api.aws
    logs us-east-1 legacy logs.us-east-1.amazonaws.com
    s3 cn-north-1 fips refused
    ssmmessages us-east-1 fips nodata
    logs us-iso-east-1 fips logs-fips.us-iso-east-1.c2s.ic.gov
    kms eu-isoe-west-1 fips+dualstack kms-fips.eu-isoe-west-1.api.cloud-aws.adc-e.uk
";

#[test]
fn the_sdk_names_are_the_rules_names() {
    for line in SDK.lines().filter(|l| !l.trim().is_empty()) {
        let [service, r, settings, want] = line.split_whitespace().collect::<Vec<_>>()[..] else {
            panic!("{line}");
        };
        let service = *Service::named(service).unwrap();
        let has = |s: &str| settings.split('+').any(|x| x == s);
        let variant = SdkVariant {
            fips: has("fips"),
            dualstack: has("dualstack"),
            sts_legacy: has("legacy"),
        };
        let want = match want {
            "refused" => SdkName::Refused,
            "nodata" => SdkName::NoData,
            host => SdkName::Host(host.to_owned()),
        };
        assert_eq!(service.sdk_host(&region(r), variant), want, "{line}");
    }
}

#[test]
fn fips_endpoints_are_listed_by_region() {
    assert_eq!(
        Service::Logs.has_fips_endpoint(&region("ap-northeast-1")),
        Some(false)
    );
    assert_eq!(
        Service::Logs.has_fips_endpoint(&region("us-east-1")),
        Some(true)
    );
    assert_eq!(
        Service::Ssmmessages.has_fips_endpoint(&region("us-east-1")),
        None
    );
    let regions = Service::Xray.fips_regions(Partition::aws()).unwrap();
    assert!(regions.iter().any(|r| r == "us-west-2"), "{regions:?}");
}

#[test]
fn what_can_serve_a_name() {
    let task = region("ap-northeast-1");
    let east = region("us-east-1");
    let same = |s: &str| Serving::SameRegion {
        endpoint_service: s.to_owned(),
    };
    let cross = |s: &str| Serving::CrossRegion {
        endpoint_service: s.to_owned(),
    };
    let none = |why| Serving::None { why };
    let cases = [
        (
            Service::Logs,
            &task,
            "logs.ap-northeast-1.amazonaws.com",
            same("com.amazonaws.ap-northeast-1.logs"),
        ),
        (
            Service::EcrApi,
            &east,
            "api.ecr.us-east-1.amazonaws.com",
            cross("com.amazonaws.us-east-1.ecr.api"),
        ),
        (
            Service::EcrDkr,
            &east,
            "1.dkr.ecr.us-east-1.amazonaws.com",
            cross("com.amazonaws.us-east-1.ecr.dkr"),
        ),
        (
            Service::S3,
            &east,
            "b.s3.us-east-1.amazonaws.com",
            cross("com.amazonaws.us-east-1.s3"),
        ),
        (
            Service::Logs,
            &east,
            "logs.us-east-1.amazonaws.com",
            none(NotServed::OtherRegion),
        ),
        (
            Service::Secretsmanager,
            &east,
            "secretsmanager.us-east-1.amazonaws.com",
            none(NotServed::OtherRegion),
        ),
        (
            Service::Kms,
            &task,
            "kms-fips.ap-northeast-1.amazonaws.com",
            same("com.amazonaws.ap-northeast-1.kms-fips"),
        ),
        (
            Service::Kms,
            &east,
            "kms-fips.us-east-1.amazonaws.com",
            cross("com.amazonaws.us-east-1.kms-fips"),
        ),
        (
            Service::Logs,
            &task,
            "logs-fips.ap-northeast-1.amazonaws.com",
            Serving::Unknown,
        ),
        // Another region's FIPS names: Logs takes no cross-Region endpoint
        // whatever the name; S3's FIPS endpoint service is not known.
        (
            Service::Logs,
            &east,
            "logs-fips.us-east-1.amazonaws.com",
            none(NotServed::OtherRegion),
        ),
        (
            Service::S3,
            &east,
            "b.s3-fips.us-east-1.amazonaws.com",
            Serving::Unknown,
        ),
        (
            Service::EcrApi,
            &task,
            "ecr.ap-northeast-1.api.aws",
            none(NotServed::EcrDualstack),
        ),
        (
            Service::EcrDkr,
            &task,
            "1.dkr-ecr.ap-northeast-1.on.aws",
            none(NotServed::EcrDualstack),
        ),
        (
            Service::Sts,
            &task,
            "sts.amazonaws.com",
            none(NotServed::GlobalSts),
        ),
    ];
    for (service, r, host, want) in cases {
        assert_eq!(serving(service, r, &task, host), want, "{host}");
    }
}

#[test]
fn other_partitions_and_china_names() {
    let task = region("ap-northeast-1");
    let cn = region("cn-north-1");
    assert_eq!(
        serving(
            Service::EcrApi,
            &cn,
            &task,
            "api.ecr.cn-north-1.amazonaws.com.cn"
        ),
        Serving::None {
            why: NotServed::OtherPartition
        }
    );
    assert_eq!(
        Service::EcrDkr.endpoint_service_name(&cn),
        "cn.com.amazonaws.cn-north-1.ecr.dkr"
    );
    assert_eq!(
        Service::Logs.endpoint_service_name(&cn),
        "com.amazonaws.cn-north-1.logs"
    );
}

#[test]
fn registries_and_endpoint_specific_names() {
    for (host, want) in [
        (
            "111122223333.dkr.ecr.us-west-2.amazonaws.com",
            Some(("111122223333", "us-west-2")),
        ),
        (
            "111122223333.dkr-ecr.us-west-2.on.aws",
            Some(("111122223333", "us-west-2")),
        ),
        (
            "111122223333.dkr.ecr.us-iso-east-1.c2s.ic.gov",
            Some(("111122223333", "us-iso-east-1")),
        ),
        ("111122223333.dkr.ecr.us-west-2.on.aws", None),
        ("111122223333.dkr-ecr.us-west-2.amazonaws.com", None),
    ] {
        let got = ecr_registry(host).map(|(a, r)| (a.to_owned(), r.code().to_owned()));
        assert_eq!(
            got,
            want.map(|(a, r)| (a.to_owned(), r.to_owned())),
            "{host}"
        );
    }
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
        (
            "vpce-1.ssm.us-iso-east-1.vpce.c2s.ic.gov",
            Some(("ssm", "us-iso-east-1")),
        ),
        ("secretsmanager.us-east-1.amazonaws.com", None),
        ("vpce-1.nosuch.us-east-1.vpce.amazonaws.com", None),
        ("x.secretsmanager.us-east-1.vpce.amazonaws.com", None),
    ] {
        let got = vpce_name(host).map(|(s, r)| (s.name(), r.code().to_owned()));
        assert_eq!(got, want.map(|(s, r)| (s, r.to_owned())), "{host}");
    }
    assert!(is_aws_host("logs.us-east-1.amazonaws.com"));
    assert!(is_aws_host("1.dkr-ecr.us-east-1.on.aws"));
    assert!(!is_aws_host("secrets.corp.example.internal"));
    assert!(!is_aws_host("amazonaws.com.evil.example"));
    assert!(is_global_sts("sts.amazonaws.com"));
    assert!(!is_global_sts("sts.us-east-1.amazonaws.com"));
}

#[test]
fn hostnames_are_read_back_into_their_service_and_region() {
    let cases = [
        (
            "logs.ap-northeast-1.amazonaws.com",
            Some(("logs", Some("ap-northeast-1"))),
        ),
        (
            "logs-fips.us-east-1.amazonaws.com",
            Some(("logs", Some("us-east-1"))),
        ),
        ("logs.us-east-1.api.aws", Some(("logs", Some("us-east-1")))),
        (
            "api.ecr.us-east-1.amazonaws.com",
            Some(("ecr.api", Some("us-east-1"))),
        ),
        (
            "api.ecr-fips.us-east-1.amazonaws.com",
            Some(("ecr.api", Some("us-east-1"))),
        ),
        (
            "ecr.us-east-1.api.aws",
            Some(("ecr.api", Some("us-east-1"))),
        ),
        (
            "111122223333.dkr-ecr.us-east-1.on.aws",
            Some(("ecr.dkr", Some("us-east-1"))),
        ),
        (
            "111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn",
            Some(("ecr.dkr", Some("cn-north-1"))),
        ),
        (
            "b.s3.dualstack.eu-west-1.amazonaws.com",
            Some(("s3", Some("eu-west-1"))),
        ),
        (
            "b.s3-fips.us-east-1.amazonaws.com",
            Some(("s3", Some("us-east-1"))),
        ),
        (
            "s3.us-iso-east-1.c2s.ic.gov",
            Some(("s3", Some("us-iso-east-1"))),
        ),
        (
            "ecs-a-3.eu-west-1.amazonaws.com",
            Some(("ecs-agent", Some("eu-west-1"))),
        ),
        ("sts.amazonaws.com", Some(("sts", None))),
        (
            "monitoring.us-gov-west-1.amazonaws.com",
            Some(("monitoring", Some("us-gov-west-1"))),
        ),
        (
            "vpce-1-a.ssm.us-east-1.vpce.amazonaws.com",
            Some(("ssm", Some("us-east-1"))),
        ),
        ("logs.corp.example.internal", None),
        ("nosuch.us-east-1.amazonaws.com", None),
    ];
    for (host, want) in cases {
        let got = service_of_host(host).map(|(s, r)| (s.name(), r.map(|r| r.code().to_owned())));
        let want = want.map(|(s, r)| (s, r.map(str::to_owned)));
        assert_eq!(got, want, "{host}");
    }
}
