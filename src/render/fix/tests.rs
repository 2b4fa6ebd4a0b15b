//! The code formats with every kind of remedy, and with hostile values from
//! task metadata: each output parsed back (HCL by hcl-rs, shell by bash
//! itself) yields the values unchanged and nothing else, and shows no
//! control character but its own line ends.

use crate::assess::Assessment;
use crate::catalog::Service;
use crate::plan::Kind;
use crate::remedy::world::{Outcome, TASK_REGION, World};
use crate::remedy::{Remedy, remedies};
use crate::report::Origin;

/// One report whose remedies cover every action: a dead ENI (egress and
/// ingress), S3 without its route or rule (prefix list, gateway endpoint),
/// private DNS off (interface endpoint), S3 and logs over a dead NAT64
/// (dual-stack interface endpoints), IPv6 rules missing, NXDOMAIN.
fn every_action() -> Assessment {
    let aws = |s| World::new(Kind::Aws(s), TASK_REGION);
    let worlds = [
        aws(Service::Ssm).answer(&[("10.0.1.13", Outcome::TcpTimeout)]),
        aws(Service::S3).answer(&[("52.219.41.3", Outcome::TcpTimeout)]),
        aws(Service::Secretsmanager).answer(&[("54.239.1.9", Outcome::TcpTimeout)]),
        aws(Service::EcrDkr).answer(&[("64:ff9b::34db:2903", Outcome::TcpTimeout)]),
        aws(Service::Logs).answer(&[
            ("10.0.1.20", Outcome::Pass),
            ("fd00:ec2::20", Outcome::TcpTimeout),
        ]),
        {
            let mut w = aws(Service::Kms);
            w.answer = Err(crate::probe::FailureKind::NxDomain);
            w
        },
    ];
    let mut assessment = worlds[0].assessment();
    for w in &worlds[1..] {
        assessment.endpoints.extend(w.assessment().endpoints);
    }
    assessment
}

type Writer = fn(&Origin, &[Remedy], &mut Vec<u8>) -> std::io::Result<()>;

/// `write` on `report`'s remedies, with task metadata made hostile after
/// the remedies were chosen (a region that does not parse serves none).
fn render(assessment: &Assessment, hostile: bool, write: Writer) -> String {
    let remedies = remedies(assessment);
    let mut report = crate::report::build(assessment);
    if hostile {
        report.context.vpc_id = Some(HOSTILE.into());
        report.region = HOSTILE.to_owned();
    }
    let mut out = Vec::new();
    write(&(&report).into(), &remedies, &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

fn terraform(assessment: &Assessment, hostile: bool) -> String {
    render(assessment, hostile, super::terraform)
}

fn cli(assessment: &Assessment, hostile: bool) -> String {
    render(assessment, hostile, super::cli)
}

/// The blocks `terraform fmt` would leave as they are: two-space indents,
/// aligned `=`, a nested block's brace under its attributes.
#[test]
fn terraform_is_laid_out_as_terraform_fmt_does() {
    let tf = terraform(&every_action(), false);
    for want in [
        "resource \"aws_vpc_endpoint\" \"ecr_dkr\" {\n  \
         vpc_id              = var.vpc_id\n  \
         service_name        = \"com.amazonaws.ap-northeast-1.ecr.dkr\"\n  \
         vpc_endpoint_type   = \"Interface\"\n  \
         private_dns_enabled = true\n  \
         subnet_ids          = var.subnet_ids\n  \
         security_group_ids  = [var.endpoint_security_group_id]\n  \
         ip_address_type     = \"dualstack\"\n  \
         dns_options {\n    \
         dns_record_ip_type = \"dualstack\"\n  \
         }\n}\n",
        "# s3: s3_connect_timeout\n\
         # Only if the route table has no route to an S3 gateway endpoint yet.\n\
         resource \"aws_vpc_endpoint\" \"s3_gateway\" {\n  \
         vpc_id            = var.vpc_id\n  \
         service_name      = \"com.amazonaws.ap-northeast-1.s3\"\n  \
         vpc_endpoint_type = \"Gateway\"\n}\n\n\
         resource \"aws_vpc_endpoint_route_table_association\" \"s3_gateway\" {\n  \
         for_each        = toset(var.route_table_ids)\n  \
         route_table_id  = each.value\n  \
         vpc_endpoint_id = aws_vpc_endpoint.s3_gateway.id\n}\n\n",
        "data \"aws_ec2_managed_prefix_list\" \"s3\" {\n  \
         name = \"com.amazonaws.ap-northeast-1.s3\"\n}\n\n",
        "  prefix_list_id    = data.aws_ec2_managed_prefix_list.s3.id\n}\n",
        "  cidr_ipv6         = \"fd00:ec2::20/128\"\n}\n",
        "variable \"route_table_ids\" {\n  \
         description = \"Route tables of the task's subnets\"\n  \
         type        = list(string)\n}\n",
    ] {
        assert!(tf.contains(want), "{want}\nnot in:\n{tf}");
    }
    hcl::parse(&tf).unwrap_or_else(|e| panic!("{e}:\n{tf}"));
}

/// Quotes, backslashes, `${`, `%{`, `$(`, backquotes, newlines, brace and
/// history expansion, a tilde, terminal sequences (ESC, BEL, a C1 CSI, DEL)
/// and a bidirectional override.
const HOSTILE: &str = "vpc-1\" }\nresource \"x\" \"y\" {}\n# ${var.z} %{if true}x%{endif} \
                       $(touch PWNED) `touch PWNED` '; touch PWNED; '\\\r\u{7} {a,b} !! ~ \
                       \u{1b}[2J\u{1b}]0;t\u{7}\u{9b}1m\u{7f}\u{202e}";

/// Whether `text` shows no control or bidirectional character but its
/// own newlines.
fn inert(text: &str) -> bool {
    text.chars()
        .all(|c| c == '\n' || !crate::printable::hazardous(c))
}

#[test]
fn hostile_metadata_stays_a_value_in_terraform() {
    let tf = terraform(&every_action(), true);
    let body = hcl::parse(&tf).unwrap_or_else(|e| panic!("{e}:\n{tf}"));
    let variable = body
        .blocks()
        .find(|b| b.identifier() == "variable" && b.labels()[0].as_str() == "vpc_id")
        .unwrap();
    let default = variable
        .body()
        .attributes()
        .find(|a| a.key() == "default")
        .unwrap();
    assert_eq!(default.expr(), &hcl::Expression::from(HOSTILE), "{tf}");
    assert!(inert(&tf), "{tf:?}");
    // Nothing but what the remedies call for: no block named x.
    assert!(
        body.blocks()
            .all(|b| b.labels().iter().all(|l| l.as_str() != "x"))
    );
    // The region sits in the header comment, escaped onto its lines.
    assert!(tf.starts_with("# vpce-probe fix: "), "{tf}");
}

#[test]
fn hostile_metadata_stays_a_value_in_shell() {
    let sh = cli(&every_action(), true);
    // Each assignment is one line, and the script shows no control byte
    // (they are `$'\ooo'` segments).
    assert!(inert(&sh), "{sh:?}");
    for var in ["VPC_ID=", "REGION="] {
        assert_eq!(sh.lines().filter(|l| l.starts_with(var)).count(), 1, "{sh}");
    }
    // And bash agrees: with `aws` a function that prints its arguments, the
    // script sets the values verbatim and runs nothing else.
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let script = format!(
        "aws() {{ :; }}\n{sh}\nprintf '%s' \"$VPC_ID\" > vpc\nprintf '%s' \"$REGION\" > region\n"
    );
    let status = std::process::Command::new("bash")
        .arg("-c")
        .arg(&script)
        .current_dir(dir)
        .status()
        .unwrap();
    assert!(status.success(), "{sh}");
    assert_eq!(std::fs::read_to_string(dir.join("vpc")).unwrap(), HOSTILE);
    assert_eq!(
        std::fs::read_to_string(dir.join("region")).unwrap(),
        HOSTILE
    );
    assert!(!dir.join("PWNED").exists(), "{sh}");
}

/// A task in ap-northeast-1 whose ECR registry and layers are in eu-west-1
/// (public addresses that time out), and a KMS FIPS name of its own region
/// with private DNS off: the cross-Region interface endpoints carry the
/// remote service name and its service region in every format (S3's an
/// interface endpoint, never a gateway one), and KMS's FIPS name gets
/// `kms-fips`.
fn cross_region() -> (Assessment, Vec<Remedy>) {
    use crate::remedy::world::OTHER_REGION;
    let elsewhere =
        |s| World::new(Kind::Aws(s), OTHER_REGION).answer(&[("54.239.1.9", Outcome::TcpTimeout)]);
    let mut kms_fips = World::new(Kind::Aws(Service::Kms), TASK_REGION)
        .answer(&[("54.239.2.9", Outcome::TcpTimeout)]);
    kms_fips.host = format!("kms-fips.{TASK_REGION}.amazonaws.com");
    let worlds = [
        elsewhere(Service::EcrApi),
        elsewhere(Service::S3),
        elsewhere(Service::Logs),
        kms_fips,
    ];
    let mut assessment = worlds[0].assessment();
    for w in &worlds[1..] {
        assessment.endpoints.extend(w.assessment().endpoints);
    }
    let remedies = remedies(&assessment);
    (assessment, remedies)
}

#[test]
fn cross_region_endpoints_carry_their_service_region_in_every_format() {
    let (assessment, remedies) = cross_region();
    let tf = terraform(&assessment, false);
    for want in [
        "# ecr.api: public_connect_timeout\n\
         # If the endpoint exists with private DNS off, import it and apply this instead of creating a second.\n\
         resource \"aws_vpc_endpoint\" \"ecr_api_eu_west_1\" {\n  \
         vpc_id              = var.vpc_id\n  \
         service_name        = \"com.amazonaws.eu-west-1.ecr.api\"\n  \
         service_region      = \"eu-west-1\"\n  \
         vpc_endpoint_type   = \"Interface\"\n  \
         private_dns_enabled = true\n  \
         subnet_ids          = var.subnet_ids\n  \
         security_group_ids  = [var.endpoint_security_group_id]\n}\n",
        "resource \"aws_vpc_endpoint\" \"s3_eu_west_1\" {\n  \
         vpc_id              = var.vpc_id\n  \
         service_name        = \"com.amazonaws.eu-west-1.s3\"\n  \
         service_region      = \"eu-west-1\"\n  \
         vpc_endpoint_type   = \"Interface\"\n",
        "resource \"aws_vpc_endpoint\" \"kms\" {\n  \
         vpc_id              = var.vpc_id\n  \
         service_name        = \"com.amazonaws.ap-northeast-1.kms-fips\"\n  \
         vpc_endpoint_type   = \"Interface\"\n",
    ] {
        assert!(tf.contains(want), "{want}\nnot in:\n{tf}");
    }
    // Another region's S3 and Logs: no gateway endpoint, prefix list or
    // logs endpoint; the task's region's KMS endpoint has no service region.
    assert!(
        !tf.contains("Gateway") && !tf.contains("prefix_list"),
        "{tf}"
    );
    assert!(!tf.contains(".logs\""), "{tf}");
    assert_eq!(tf.matches("service_region").count(), 2, "{tf}");
    hcl::parse(&tf).unwrap_or_else(|e| panic!("{e}:\n{tf}"));

    let sh = cli(&assessment, false);
    assert!(
        sh.contains(
            "aws ec2 create-vpc-endpoint --region \"$REGION\" --vpc-id \"$VPC_ID\" \
             --vpc-endpoint-type Interface --service-name com.amazonaws.eu-west-1.ecr.api \
             --service-region eu-west-1 --subnet-ids $SUBNET_IDS --security-group-ids \
             \"$ENDPOINT_SG\" --private-dns-enabled\n"
        ),
        "{sh}"
    );
    assert!(
        sh.contains("--service-name com.amazonaws.eu-west-1.s3 --service-region eu-west-1 "),
        "{sh}"
    );
    assert!(
        sh.contains("--service-name com.amazonaws.ap-northeast-1.kms-fips --subnet-ids"),
        "{sh}"
    );
    assert!(sh.contains("REGION=ap-northeast-1\n"), "{sh}");
    assert!(!sh.contains("Gateway") && !sh.contains(".logs"), "{sh}");

    let mut text = Vec::new();
    super::text(&remedies, &mut text).unwrap();
    let text = String::from_utf8(text).unwrap();
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        text.contains(
            "create the cross-Region interface endpoint com.amazonaws.eu-west-1.ecr.api in this \
             VPC, with service region eu-west-1, with private DNS enabled, or enable private DNS \
             on the one that exists (creating a cross-Region endpoint needs the permission \
             vpce:AllowMultiRegion)"
        ),
        "{text}"
    );
    assert!(!text.contains("logs"), "{text}");

    let json = serde_json::to_value(&remedies).unwrap();
    let endpoints: Vec<(&str, Option<&str>)> = json
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["kind"], "interface_endpoint", "{r}");
            (
                r["endpoint_service"].as_str().unwrap(),
                r["service_region"].as_str(),
            )
        })
        .collect();
    assert_eq!(
        endpoints,
        [
            ("com.amazonaws.eu-west-1.ecr.api", Some("eu-west-1")),
            ("com.amazonaws.eu-west-1.s3", Some("eu-west-1")),
            ("com.amazonaws.ap-northeast-1.kms-fips", None),
        ]
    );
}
