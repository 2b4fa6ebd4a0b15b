//! Running inside ECS: region, context and plan from a fake task metadata
//! endpoint serving the AWS documentation's Fargate examples; a broken
//! metadata endpoint changes nothing but the context.

use crate::support;

use support::{Behavior, Metadata, MetadataServer, Side, VpcBuilder};
use vpce_probe::classify::AddressClass;
use vpce_probe::diagnose::Status;
use vpce_probe::report::Verdict;

/// The plan the doc examples imply: the task is in us-east-1 (task ARN),
/// the container root's image is in ECR in us-west-2 and logs to us-west-2.
const FARGATE_PLAN: [(&str, &str); 11] = [
    ("ecr.api", "api.ecr.us-west-2.amazonaws.com"),
    ("ecr.dkr", "111122223333.dkr.ecr.us-west-2.amazonaws.com"),
    (
        "s3",
        "prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com",
    ),
    ("logs", "logs.us-west-2.amazonaws.com"),
    // The task's other images: curlimages/curl (Docker Hub) and ECR Public.
    ("registry", "registry-1.docker.io"),
    ("registry", "public.ecr.aws"),
    ("ecr.api", "api.ecr.us-east-1.amazonaws.com"),
    ("ecr.dkr", "123456789012.dkr.ecr.us-east-1.amazonaws.com"),
    (
        "s3",
        "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com",
    ),
    ("logs", "logs.us-east-1.amazonaws.com"),
    ("ssm", "ssm.us-east-1.amazonaws.com"),
];

fn fargate_vpc() -> VpcBuilder {
    let mut vpc = VpcBuilder::new();
    for (_, host) in FARGATE_PLAN {
        vpc = vpc.name(host, &[(Side::Private, Behavior::tls())]);
    }
    vpc.name(
        "secretsmanager.us-east-1.amazonaws.com",
        &[(Side::Private, Behavior::tls())],
    )
}

/// The report's context as the JSON contract shows it.
fn context_json(report: &vpce_probe::report::Report) -> serde_json::Value {
    serde_json::to_value(&report.context).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn region_context_and_plan_come_from_the_fargate_examples() {
    let metadata = MetadataServer::start(support::fargate_examples()).await;
    let vpc = fargate_vpc().start().await;
    let report = vpc.probe_in_task(&[], &metadata.uri).await;

    assert_eq!(report.region, "us-east-1", "from the task ARN");
    let ctx = &context_json(&report);
    assert_eq!(ctx["source"], "ecs-metadata");
    assert_eq!(
        ctx["cluster"],
        "arn:aws:ecs:us-east-1:123456789012:cluster/MyEmptyCluster"
    );
    assert_eq!(
        ctx["task_arn"],
        "arn:aws:ecs:us-east-1:123456789012:task/MyEmptyCluster/bfa2636268144d039771334145e490c5"
    );
    assert_eq!(ctx["family"], "sample-fargate");
    assert_eq!(ctx["revision"], "5");
    assert_eq!(ctx["availability_zone"], "us-east-1d");
    assert_eq!(ctx["launch_type"], "FARGATE");
    assert_eq!(ctx["account"], "123456789012");
    // The container root answers first for the network: this container's view.
    assert_eq!(ctx["subnet_cidr"], "192.0.2.0/24");
    assert_eq!(ctx["private_ipv4"], "192.0.2.3");
    assert_eq!(ctx["dns_servers"], serde_json::json!(["192.0.2.2"]));
    assert_eq!(
        ctx["resolver_nameservers"],
        serde_json::json!([vpc.dns.to_string()])
    );
    let notes = ctx["notes"].to_string();
    assert!(
        notes.contains("region us-east-1 from the task ARN"),
        "{notes}"
    );
    assert!(notes.contains("lists DNS servers 192.0.2.2"), "{notes}");

    let planned: Vec<(&str, &str)> = report
        .endpoints
        .iter()
        .map(|e| (e.service, e.host.as_str()))
        .collect();
    let mut expected = FARGATE_PLAN.to_vec();
    expected.push(("secretsmanager", "secretsmanager.us-east-1.amazonaws.com"));
    assert_eq!(planned, expected);
    let ecr_west = &report.endpoints[0];
    assert_eq!(ecr_west.region, "us-west-2");
    assert_eq!(
        ecr_west.endpoint_service.as_deref(),
        Some("com.amazonaws.us-west-2.ecr.api")
    );
    assert!(
        ecr_west.reason.to_string().contains(
            "container 'curl' pulls its image from ECR account 111122223333 in us-west-2"
        )
    );
    assert!(
        ecr_west
            .reason
            .to_string()
            .contains("not the task's region us-east-1"),
        "{}",
        ecr_west.reason.to_string()
    );
    assert!(
        report.endpoints[3]
            .reason
            .to_string()
            .contains("logs with awslogs to us-west-2")
    );
    assert!(
        report.endpoints[10]
            .reason
            .to_string()
            .starts_with("default set")
    );
    assert!(
        report.endpoints.iter().all(|e| e.status == Status::Ok),
        "{report:#?}"
    );
    assert_eq!(report.verdict, Verdict::Pass);
    assert!(
        metadata.requests.load(std::sync::atomic::Ordering::SeqCst) >= 2,
        "read /task and the container root"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registries_without_endpoints_need_a_way_out() {
    // An isolated subnet: the task's ECR endpoints work; Docker Hub, ECR
    // Public and ghcr.io resolve to public addresses that drop packets.
    let task = include_str!("../fixtures/fargate-task.json")
        .replace("\"Image\": \"curlimages/curl\"", "\"Image\": \"redis:7\"")
        .replacen(
            "\"Containers\": [",
            "\"Containers\": [{\"Name\": \"tool\", \"Image\": \"ghcr.io/curl/curl-container/curl:8.11.1\"},",
            1,
        );
    assert!(task.contains("redis:7") && task.contains("ghcr.io"));
    let metadata = MetadataServer::start(Metadata::Serve {
        container: include_str!("../fixtures/fargate-container.json").to_owned(),
        task,
    })
    .await;
    let mut vpc = VpcBuilder::new();
    for (service, host) in FARGATE_PLAN {
        if service != "registry" {
            vpc = vpc.name(host, &[(Side::Private, Behavior::tls())]);
        }
    }
    for registry in ["registry-1.docker.io", "public.ecr.aws", "ghcr.io"] {
        vpc = vpc.name(registry, &[(Side::Public, Behavior::Blackhole)]);
    }
    let vpc = vpc
        .name(
            "secretsmanager.us-east-1.amazonaws.com",
            &[(Side::Private, Behavior::tls())],
        )
        .start()
        .await;
    let report = vpc.probe_in_task(&[], &metadata.uri).await;
    let registries: Vec<&vpce_probe::report::EndpointReport> = report
        .endpoints
        .iter()
        .filter(|e| e.service == "registry")
        .collect();
    let hosts: Vec<&str> = registries.iter().map(|e| e.host.as_str()).collect();
    assert_eq!(hosts, ["ghcr.io", "registry-1.docker.io", "public.ecr.aws"]);
    for e in &registries {
        assert_eq!(e.status, Status::Fail, "{}", e.host);
        assert_eq!(
            e.finding,
            Some(vpce_probe::diagnose::Finding::RegistryNeedsInternet),
            "{}",
            e.host
        );
        let reason = e.reason.to_string();
        assert!(reason.starts_with("container '"), "{reason}");
        assert!(
            reason.contains("from a registry with no VPC endpoint"),
            "{reason}"
        );
        let d = e.diagnosis.as_deref().unwrap();
        assert!(
            d.contains("NAT gateway") && d.contains("pull-through cache"),
            "{d}"
        );
    }
    assert!(
        registries[1].reason.to_string().contains("redis:7"),
        "{}",
        registries[1].reason
    );
    // The task's own ECR path is unaffected.
    for e in report.endpoints.iter().filter(|e| e.service != "registry") {
        assert_eq!(e.status, Status::Ok, "{}: {:?}", e.host, e.diagnosis);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_task_subnet_counts_as_inside_the_vpc() {
    let vpc = VpcBuilder::new()
        .name(
            "logs.eu-west-1.amazonaws.com",
            &[(Side::Public, Behavior::tls())],
        )
        .start()
        .await;
    // Put the task's subnet around the "public" half of the test block.
    let ip = vpc.cidr().replace(".0/25", ".128/25");
    let task = include_str!("../fixtures/fargate-task.json")
        .replace("us-east-1", "eu-west-1")
        .replace("172.31.32.0/20", &ip);
    let metadata = MetadataServer::start(Metadata::Serve {
        container: task.clone(),
        task,
    })
    .await;
    let report = vpc
        .probe_in_task(&["--services", "logs"], &metadata.uri)
        .await;
    let e = &report.endpoints[0];
    assert_eq!(e.addresses[0].class, AddressClass::Private);
    assert!(e.addresses[0].in_task_subnet);
    assert!(e.dns.addresses[0].in_task_subnet);
    assert_eq!(context_json(&report)["subnet_cidr"], ip.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn broken_metadata_changes_nothing_but_the_context() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 2)
        .endpoint("ssm", 1)
        .start()
        .await;
    let args = ["--services", "logs,ssm", "--metadata-timeout", "300ms"];
    let baseline = vpc.probe(&args).await;
    assert!(
        context_json(&baseline).as_object().unwrap().is_empty(),
        "outside ECS the context is empty"
    );

    for behavior in [
        Metadata::Error500,
        Metadata::Garbage,
        Metadata::Hang,
        Metadata::Huge,
    ] {
        let metadata = MetadataServer::start(behavior.clone()).await;
        let mut with_region = vec!["--region", support::REGION];
        with_region.extend(args);
        let report = vpc.probe_in_task(&with_region, &metadata.uri).await;
        let summary = |r: &vpce_probe::report::Report| -> Vec<(String, Status)> {
            r.endpoints
                .iter()
                .map(|e| (e.host.clone(), e.status))
                .collect()
        };
        assert_eq!(summary(&report), summary(&baseline), "{behavior:?}");
        assert_eq!(report.verdict, Verdict::Pass, "{behavior:?}");
        assert_eq!(context_json(&report)["source"], "none", "{behavior:?}");
        let context = context_json(&report);
        let note = context["notes"][0].as_str().unwrap();
        assert!(
            note.starts_with("ECS task metadata unavailable"),
            "{behavior:?}: {note}"
        );
    }

    // Nothing listening at all.
    let gone = MetadataServer::start(Metadata::Error500).await;
    let uri = gone.uri.clone();
    drop(gone);
    let report = vpc
        .probe_in_task(&["--region", support::REGION, "--services", "logs"], &uri)
        .await;
    assert_eq!(report.endpoints[0].status, Status::Ok);
    assert_eq!(context_json(&report)["source"], "none");
}

#[tokio::test]
async fn without_region_or_metadata_it_is_a_usage_error() {
    let metadata = MetadataServer::start(Metadata::Error500).await;
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["check", "--services", "logs"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env(vpce_probe::metadata::ENV_URI, &metadata.uri)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("no region"), "{stderr}");
}

/// A task in us-east-1 pulling from ECR in us-west-2 (issue 25's central
/// registry): through cross-Region interface endpoints (the names resolve
/// to addresses in this VPC) it passes `--expect private`; with those names
/// on public addresses that drop packets, the cross-Region interface
/// endpoint is the first fix for ECR and S3, and the awslogs-region in
/// us-west-2 is offered no endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_registry_in_another_region_through_cross_region_endpoints() {
    for private in [true, false] {
        let metadata = MetadataServer::start(support::fargate_examples()).await;
        let mut vpc = VpcBuilder::new();
        for (service, host) in FARGATE_PLAN {
            let side = if host.contains("us-west-2") && !private {
                (Side::Public, Behavior::Blackhole)
            } else if service == "registry" {
                (Side::Public, Behavior::tls())
            } else {
                (Side::Private, Behavior::tls())
            };
            vpc = vpc.name(host, &[side]);
        }
        let vpc = vpc
            .name(
                "secretsmanager.us-east-1.amazonaws.com",
                &[(Side::Private, Behavior::tls())],
            )
            .start()
            .await;
        let report = vpc.probe_in_task(&[], &metadata.uri).await;
        let west: Vec<_> = report
            .endpoints
            .iter()
            .filter(|e| e.region == "us-west-2")
            .collect();
        assert_eq!(west.len(), 4, "{:?}", report.endpoints);
        if private {
            let report = vpc
                .probe_in_task(&["--expect", "private"], &metadata.uri)
                .await;
            for e in report.endpoints.iter().filter(|e| e.region == "us-west-2") {
                assert_eq!(e.status, Status::Ok, "{}: {:?}", e.host, e.diagnosis);
                assert_eq!(
                    e.path,
                    vpce_probe::classify::Path::InterfaceEndpoint,
                    "{}",
                    e.host
                );
            }
            continue;
        }
        for e in west {
            assert_eq!(e.status, Status::Fail, "{}", e.host);
            let d = e.diagnosis.as_deref().unwrap();
            if e.service == "logs" {
                assert!(
                    d.contains("takes no cross-Region interface endpoint"),
                    "{d}"
                );
                assert!(!d.contains("com.amazonaws.us-west-2.logs"), "{d}");
            } else {
                let svc = format!(
                    "cross-Region interface endpoint com.amazonaws.us-west-2.{}",
                    e.service
                );
                assert!(d.contains(&svc), "{d}");
                assert!(
                    d.contains("service region us-west-2") && d.contains("NAT gateway"),
                    "{d}"
                );
                assert_eq!(
                    e.endpoint_service.as_deref(),
                    Some(&svc["cross-Region interface endpoint ".len()..])
                );
            }
        }
    }
}
