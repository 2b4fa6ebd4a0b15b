//! A task in ap-northeast-1 whose image comes from ECR in us-east-1, read
//! from a fake task metadata endpoint, against the simulated VPC on
//! loopback (no root: the us-east-1 names are just more names in its DNS,
//! on ENI or public addresses of its own block). Through cross-Region
//! interface endpoints (the us-east-1 names resolve to endpoint ENIs in the
//! VPC) `check --expect private` passes on interface-endpoint paths; with
//! those names on public addresses that drop packets, `fix` proposes the
//! cross-Region interface endpoints of ecr.api, ecr.dkr and S3 (an
//! interface endpoint, service region us-east-1) in text, Terraform, CLI
//! and JSON, and nothing for what works; an awslogs-region in us-east-1
//! failing the same way is offered no endpoint.

use crate::support;

use support::{Behavior, Metadata, MetadataServer, Side, VpcBuilder};
use vpce_probe::classify::Path;
use vpce_probe::diagnose::Status;

const TASK_REGION: &str = "ap-northeast-1";
const IMAGE: &str = "111122223333.dkr.ecr.us-east-1.amazonaws.com/app:1";
/// The names ECS calls to pull the image, in the registry's region.
const REGISTRY: [(&str, &str); 3] = [
    ("ecr.api", "api.ecr.us-east-1.amazonaws.com"),
    ("ecr.dkr", "111122223333.dkr.ecr.us-east-1.amazonaws.com"),
    (
        "s3",
        "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com",
    ),
];
/// The default set in the task's region, which works throughout.
const HERE: [&str; 6] = [
    "api.ecr.ap-northeast-1.amazonaws.com",
    "111122223333.dkr.ecr.ap-northeast-1.amazonaws.com",
    "prod-ap-northeast-1-starport-layer-bucket.s3.ap-northeast-1.amazonaws.com",
    "logs.ap-northeast-1.amazonaws.com",
    "ssm.ap-northeast-1.amazonaws.com",
    "secretsmanager.ap-northeast-1.amazonaws.com",
];

/// Task metadata for one container running `IMAGE` and logging with
/// awslogs to `logs_region`, in a task in ap-northeast-1.
fn metadata(logs_region: &str) -> Metadata {
    let container = serde_json::json!({
        "DockerId": "0123456789abcdef0123456789abcdef-1",
        "Name": "app",
        "Image": IMAGE,
        "Labels": {
            "com.amazonaws.ecs.task-arn": format!(
                "arn:aws:ecs:{TASK_REGION}:111122223333:task/prod/0123456789abcdef0123456789abcdef"
            ),
        },
        "Networks": [{
            "NetworkMode": "awsvpc",
            "IPv4Addresses": ["10.0.1.25"],
            "IPv4SubnetCIDRBlock": "10.0.1.0/24",
        }],
        "LogDriver": "awslogs",
        "LogOptions": {
            "awslogs-group": "/ecs/app",
            "awslogs-region": logs_region,
            "awslogs-stream": "ecs/app/0123456789abcdef0123456789abcdef",
        },
    });
    let task = serde_json::json!({
        "Cluster": format!("arn:aws:ecs:{TASK_REGION}:111122223333:cluster/prod"),
        "TaskARN": format!(
            "arn:aws:ecs:{TASK_REGION}:111122223333:task/prod/0123456789abcdef0123456789abcdef"
        ),
        "Family": "app",
        "Revision": "1",
        "AvailabilityZone": "ap-northeast-1a",
        "LaunchType": "FARGATE",
        "Containers": [container.clone()],
    });
    Metadata::Serve {
        task: task.to_string(),
        container: container.to_string(),
    }
}

/// The VPC: the task's region's names on endpoint ENIs; the registry's
/// us-east-1 names on ENIs (cross-Region endpoints, `through_endpoints`)
/// or on public addresses that drop packets; logs.us-east-1 on public
/// addresses that drop packets.
async fn vpc(through_endpoints: bool) -> support::Vpc {
    let mut vpc = VpcBuilder::new();
    for host in HERE {
        vpc = vpc.name(host, &[(Side::Private, Behavior::tls())]);
    }
    for (_, host) in REGISTRY {
        let at = if through_endpoints {
            vec![
                (Side::Private, Behavior::tls()),
                (Side::Private, Behavior::tls()),
            ]
        } else {
            vec![(Side::Public, Behavior::Blackhole)]
        };
        vpc = vpc.name(host, &at);
    }
    vpc.name(
        "logs.us-east-1.amazonaws.com",
        &[(Side::Public, Behavior::Blackhole)],
    )
    .start()
    .await
}

/// Runs the real binary as in the task (no region: it comes from the
/// metadata) with `mode` and `extra`.
async fn run(
    vpc: &support::Vpc,
    metadata: &MetadataServer,
    mode: &str,
    extra: &[&str],
) -> (i32, String, String) {
    let mut args = vpc.args_without_region(extra);
    mode.clone_into(&mut args[1]);
    support::run_binary_env(
        &args[1..],
        &[(vpce_probe::metadata::ENV_URI, metadata.uri.as_str())],
    )
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn through_cross_region_endpoints_the_pull_stays_private() {
    let metadata = MetadataServer::start(metadata(TASK_REGION)).await;
    let vpc = vpc(true).await;
    let report = vpc
        .probe_in_task(&["--expect", "private"], &metadata.uri)
        .await;
    assert_eq!(report.region, TASK_REGION);
    for (service, host) in REGISTRY {
        let e = report
            .endpoints
            .iter()
            .find(|e| e.host == host)
            .unwrap_or_else(|| panic!("{host} not planned: {:?}", report.endpoints));
        assert_eq!(e.service, service);
        assert_eq!(e.region, "us-east-1");
        assert_eq!(e.status, Status::Ok, "{host}: {:?}", e.diagnosis);
        assert_eq!(e.path, Path::InterfaceEndpoint, "{host}");
        assert_eq!(
            e.endpoint_service.as_deref(),
            Some(format!("com.amazonaws.us-east-1.{service}").as_str())
        );
        // Every ENI was really handshaken.
        let (_, _, ips) = vpc.records.iter().find(|r| r.0 == host).unwrap();
        for ip in ips {
            assert!(vpc.hits(*ip) > 0, "{host} {ip}");
        }
    }
    let (code, stdout, stderr) = run(&vpc, &metadata, "check", &["--expect", "private"]).await;
    assert_eq!(code, 0, "{stdout}{stderr}");
    let (code, stdout, _) = run(&vpc, &metadata, "fix", &["--format", "terraform"]).await;
    assert_eq!(code, 0, "{stdout}");
    assert!(!stdout.contains("resource "), "{stdout}");
}

/// The `fix` outputs of the broken VPC, by format.
async fn fix_outputs(logs_region: &str) -> (support::Vpc, Vec<(&'static str, String)>) {
    let metadata = MetadataServer::start(metadata(logs_region)).await;
    let vpc = vpc(false).await;
    let (code, stdout, stderr) = run(&vpc, &metadata, "check", &["--expect", "private"]).await;
    assert_eq!(code, 1, "{stdout}{stderr}");
    let mut out = Vec::new();
    for format in ["text", "terraform", "cli", "json"] {
        let (code, stdout, stderr) = run(&vpc, &metadata, "fix", &["--format", format]).await;
        assert_eq!(code, 1, "{format}: {stdout}{stderr}");
        out.push((format, stdout));
    }
    (vpc, out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_them_fix_proposes_the_cross_region_endpoints_first() {
    let (_vpc, outputs) = fix_outputs(TASK_REGION).await;
    let get = |f: &str| outputs.iter().find(|(k, _)| *k == f).unwrap().1.clone();
    json_proposes_them(&get("json"));
    text_proposes_them(&get("text"));
    terraform_proposes_them(&get("terraform"));
    cli_proposes_them(&get("cli"));
}

/// JSON: the report's paragraphs and the remedies, schema-valid.
fn json_proposes_them(json: &str) {
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    let errors = support::schema_errors(&report);
    assert!(errors.is_empty(), "{errors:#?}");
    let remedies: Vec<(String, String, String, String)> = report["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let s = |k: &str| r[k].as_str().unwrap_or("-").to_owned();
            (
                s("service"),
                s("kind"),
                s("endpoint_service"),
                s("service_region"),
            )
        })
        .collect();
    let want: Vec<(String, String, String, String)> = REGISTRY
        .iter()
        .map(|(service, _)| {
            (
                (*service).to_owned(),
                "interface_endpoint".to_owned(),
                format!("com.amazonaws.us-east-1.{service}"),
                "us-east-1".to_owned(),
            )
        })
        .collect();
    assert_eq!(remedies, want);
    for (service, host) in REGISTRY {
        let e = report["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["host"] == host)
            .unwrap();
        assert_eq!(e["status"], "fail", "{host}");
        assert_eq!(e["finding"], "public_connect_timeout", "{host}");
        let d = e["diagnosis"].as_str().unwrap();
        // The endpoint first, then the alternatives.
        let endpoint = d
            .find(&format!(
                "create the cross-Region interface endpoint com.amazonaws.us-east-1.{service}"
            ))
            .unwrap_or_else(|| panic!("{d}"));
        let nat = d.find("NAT gateway").unwrap_or_else(|| panic!("{d}"));
        assert!(endpoint < nat, "{d}");
        for word in [
            "service region us-east-1",
            "vpce:AllowMultiRegion",
            "replication from us-east-1",
        ] {
            assert!(d.contains(word), "{word}: {d}");
        }
        assert!(!d.contains(&format!("ap-northeast-1.{service}")), "{d}");
    }
}

/// Text: the "To fix" block, wrapped for a terminal; compare its words.
fn text_proposes_them(text: &str) {
    let block = text
        .split("\nTo fix (")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    let block = block.split_whitespace().collect::<Vec<_>>().join(" ");
    for (service, _) in REGISTRY {
        assert!(
            block.contains(&format!(
                "create the cross-Region interface endpoint com.amazonaws.us-east-1.{service} in \
                 this VPC, with service region us-east-1, with private DNS enabled"
            )),
            "{block}"
        );
    }
    assert_eq!(block.matches("create the").count(), 3, "{block}");
}

/// Terraform: parses as HCL; the three endpoints, nothing else.
fn terraform_proposes_them(tf: &str) {
    let body = hcl::parse(tf).unwrap_or_else(|e| panic!("not HCL ({e}):\n{tf}"));
    let endpoints: Vec<(String, std::collections::BTreeMap<String, String>)> = body
        .blocks()
        .filter(|b| b.identifier() == "resource")
        .map(|b| {
            assert_eq!(b.labels()[0].as_str(), "aws_vpc_endpoint", "{tf}");
            let attrs = b
                .body()
                .attributes()
                .map(|a| (a.key().to_owned(), a.expr().to_string()))
                .collect();
            (b.labels()[1].as_str().to_owned(), attrs)
        })
        .collect();
    assert_eq!(endpoints.len(), 3, "{tf}");
    for ((service, _), (_, attrs)) in REGISTRY.iter().zip(&endpoints) {
        assert_eq!(
            attrs["service_name"],
            format!("\"com.amazonaws.us-east-1.{service}\""),
            "{tf}"
        );
        assert_eq!(attrs["service_region"], "\"us-east-1\"", "{tf}");
        assert_eq!(attrs["vpc_endpoint_type"], "\"Interface\"", "{tf}");
        assert_eq!(attrs["private_dns_enabled"], "true", "{tf}");
        assert_eq!(attrs["subnet_ids"], "var.subnet_ids", "{tf}");
        assert_eq!(attrs["vpc_id"], "var.vpc_id", "{tf}");
    }
}

/// CLI: valid shell; one create-vpc-endpoint each, in the task's region.
fn cli_proposes_them(sh: &str) {
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("fix.sh");
    std::fs::write(&script, sh).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{sh}");
    assert!(sh.contains(&format!("REGION={TASK_REGION}\n")), "{sh}");
    let creates: Vec<Vec<String>> = sh
        .lines()
        .filter(|l| l.starts_with("aws ec2 create-vpc-endpoint"))
        .map(|l| shell_words::split(l).unwrap())
        .collect();
    assert_eq!(creates.len(), 3, "{sh}");
    for ((service, _), words) in REGISTRY.iter().zip(&creates) {
        let value = |flag: &str| {
            let at = words.iter().position(|w| w == flag).unwrap();
            words[at + 1].clone()
        };
        assert_eq!(value("--region"), "$REGION", "{sh}");
        assert_eq!(value("--vpc-endpoint-type"), "Interface", "{sh}");
        assert_eq!(
            value("--service-name"),
            format!("com.amazonaws.us-east-1.{service}")
        );
        assert_eq!(value("--service-region"), "us-east-1");
        assert!(words.iter().any(|w| w == "--private-dns-enabled"), "{sh}");
    }
    assert!(!sh.contains("Gateway"), "{sh}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn logs_in_another_region_are_offered_no_endpoint() {
    let (_vpc, outputs) = fix_outputs("us-east-1").await;
    let json = &outputs.iter().find(|(k, _)| *k == "json").unwrap().1;
    let report: serde_json::Value = serde_json::from_str(json).unwrap();
    let logs = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["host"] == "logs.us-east-1.amazonaws.com")
        .unwrap_or_else(|| panic!("logs.us-east-1 not planned: {report}"));
    assert_eq!(logs["status"], "fail");
    assert_eq!(logs["endpoint_service"], serde_json::Value::Null);
    let d = logs["diagnosis"].as_str().unwrap();
    for word in [
        "logs takes no cross-Region interface endpoint",
        "NAT gateway",
        "awslogs-region",
    ] {
        assert!(d.contains(word), "{word}: {d}");
    }
    assert!(!d.contains("com.amazonaws.us-east-1.logs"), "{d}");
    let remedies = report["remedies"].as_array().unwrap();
    assert!(!remedies.iter().any(|r| r["service"] == "logs"), "{json}");
    assert_eq!(remedies.len(), 3, "{json}");
    for (format, out) in &outputs {
        assert!(
            !out.contains("com.amazonaws.us-east-1.logs"),
            "{format}: {out}"
        );
    }
}

/// The same pull in a network namespace of the test's own, as issue 25's
/// acceptance asks, with addresses a real VPC has: dual-stack cross-Region
/// endpoints, the us-east-1 names on an IPv4 and an IPv6 endpoint ENI (in
/// the VPC's IPv6 block), pass `--expect private` over both families; on
/// public addresses of both families that drop packets, `fix` proposes the
/// same cross-Region interface endpoints, in every format.
#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn in_a_namespace_over_both_families() {
    support::netns::enter();
    support::netns::runtime().block_on(async {
        for through in [true, false] {
            let mut vpc = VpcBuilder::new();
            for host in HERE {
                vpc = vpc.name(host, &[(Side::Private, Behavior::tls())]);
            }
            let at = if through {
                [
                    (Side::Private, Behavior::tls()),
                    (Side::Private6, Behavior::tls()),
                ]
            } else {
                [
                    (Side::Public, Behavior::Blackhole),
                    (Side::Public6, Behavior::Blackhole),
                ]
            };
            for (_, host) in REGISTRY {
                vpc = vpc.name(host, &at);
            }
            let vpc = vpc.start().await;
            let metadata = MetadataServer::start(metadata(TASK_REGION)).await;
            let extra = ["--vpc-cidr", support::netns::VPC6, "--expect", "private"];
            let report = vpc.probe_in_task(&extra, &metadata.uri).await;
            for (service, host) in REGISTRY {
                let e = report.endpoints.iter().find(|e| e.host == host).unwrap();
                assert_eq!(e.region, "us-east-1", "{host}");
                let families: Vec<_> = e.addresses.iter().map(|a| a.family).collect();
                assert_eq!(families.len(), 2, "{host}: {families:?}");
                if through {
                    assert_eq!(
                        (e.status, e.path),
                        (Status::Ok, Path::InterfaceEndpoint),
                        "{host}"
                    );
                    for a in &e.addresses {
                        assert!(vpc.hits(a.ip) > 0, "{host} {} was really handshaken", a.ip);
                    }
                } else {
                    assert_eq!(e.status, Status::Fail, "{host}");
                    let d = e.diagnosis.as_deref().unwrap();
                    let svc = format!(
                        "cross-Region interface endpoint com.amazonaws.us-east-1.{service}"
                    );
                    assert!(d.contains(&svc), "{d}");
                }
            }
            let (code, stdout, stderr) = run(&vpc, &metadata, "check", &extra).await;
            assert_eq!(code, i32::from(!through), "{stdout}{stderr}");
            if !through {
                let (_, cli, _) = run(
                    &vpc,
                    &metadata,
                    "fix",
                    &["--vpc-cidr", support::netns::VPC6, "--format", "cli"],
                )
                .await;
                cli_proposes_them(&cli);
                let (_, tf, _) = run(
                    &vpc,
                    &metadata,
                    "fix",
                    &["--vpc-cidr", support::netns::VPC6, "--format", "terraform"],
                )
                .await;
                terraform_proposes_them(&tf);
            }
        }
    });
}
