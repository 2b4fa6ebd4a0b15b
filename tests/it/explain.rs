//! `explain` against stopped reasons as tasks report them. Each case names
//! where its text comes from: the seed article, the issue trackers and
//! guides where users posted them. Account IDs are replaced.

use crate::support;

use tokio::io::AsyncWriteExt;
use vpce_probe::diagnose::Finding;
use vpce_probe::probe::FailureKind;
use vpce_probe::stopped::explain;

struct Case {
    source: &'static str,
    text: &'static str,
    service: Option<&'static str>,
    error: Option<FailureKind>,
    finding: Option<Finding>,
    /// Words the paragraph must hold.
    says: &'static [&'static str],
}

const CASES: [Case; 11] = [
    Case {
        source: "issue 11 (the layer download through a missing S3 route or prefix-list rule)",
        text: "CannotPullContainerError: ref pull has been retried 1 time(s): failed to copy: httpReadSeeker: failed open: failed to do request: Get \"https://prod-ap-northeast-1-starport-layer-bucket.s3.ap-northeast-1.amazonaws.com/a1b2c3\": dial tcp 52.219.41.3:443: i/o timeout",
        service: Some("s3"),
        error: Some(FailureKind::Timeout),
        finding: Some(Finding::S3ConnectTimeout),
        says: &["prefix list", "route table"],
    },
    Case {
        source: "aws/containers-roadmap#2287 (ECR auth to a public address)",
        text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post \"https://api.ecr.eu-west-3.amazonaws.com/\": dial tcp 35.180.244.40:443: i/o timeout",
        service: Some("ecr.api"),
        error: Some(FailureKind::Timeout),
        finding: Some(Finding::PublicConnectTimeout),
        says: &["com.amazonaws.eu-west-3.ecr.api", "private DNS"],
    },
    Case {
        source: "devopsaitoolkit.com, CannotPullContainerError guide (the manifest from a private ENI)",
        text: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref \"123456789012.dkr.ecr.us-east-1.amazonaws.com/api:v42\": failed to do request: Head \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/api/manifests/v42\": dial tcp 10.0.3.17:443: i/o timeout",
        service: Some("ecr.dkr"),
        error: Some(FailureKind::Timeout),
        finding: Some(Finding::PrivateConnectTimeout),
        says: &["security group", "10.0.3.17"],
    },
    Case {
        source: "openillumi.com, Fargate Docker Hub pull (a registry without an endpoint)",
        text: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to resolve ref docker.io/username/repo: failed to do request: Head \"https://registry-1.docker.io/v2/username/repo/manifests/latest\": dial tcp 44.205.64.79:443: i/o timeout",
        service: Some("registry"),
        error: Some(FailureKind::Timeout),
        finding: Some(Finding::RegistryNeedsInternet),
        says: &["NAT", "pull-through cache"],
    },
    Case {
        source: "civiform/civiform#7648 (log group not reachable)",
        text: "ResourceInitializationError: failed to validate logger args: The task cannot find the Amazon CloudWatch log group defined in the task definition. There is a connection issue between the task and Amazon CloudWatch. Check your network configuration. : signal: killed",
        service: Some("logs"),
        error: None,
        finding: None,
        says: &["com.amazonaws.REGION.logs", "private DNS"],
    },
    Case {
        source: "the Go error shape of TechToSpeech/terraform-aws-serverless-static-wordpress#74, with the address a blocked logs ENI gives",
        text: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: RequestError: send request failed caused by: Post \"https://logs.us-east-1.amazonaws.com/\": dial tcp 10.0.2.15:443: i/o timeout",
        service: Some("logs"),
        error: Some(FailureKind::Timeout),
        finding: Some(Finding::PrivateConnectTimeout),
        says: &["egress TCP 443"],
    },
    Case {
        source: "Go's resolver error as the ECS agent reports it (no private DNS record, no public answer)",
        text: "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to do request: Head \"https://123456789012.dkr.ecr.us-east-1.amazonaws.com/v2/app/manifests/1.0\": dial tcp: lookup 123456789012.dkr.ecr.us-east-1.amazonaws.com on 10.0.0.2:53: no such host",
        service: Some("ecr.dkr"),
        error: Some(FailureKind::NxDomain),
        finding: Some(Finding::DnsNxdomain),
        says: &["Amazon-provided resolver"],
    },
    Case {
        source: "doctorray117/minecraft-ondemand#12 (permissions, not the network)",
        text: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: AccessDeniedException: User: arn:aws:sts::111122223333:assumed-role/ecs.task.minecraft-server/123456a999ee4b919 is not authorized to perform: logs:CreateLogStream",
        service: Some("logs"),
        error: None,
        finding: None,
        says: &["the network path works", "execution role"],
    },
    Case {
        source: "Parameter Store secrets through an endpoint that never answers (the agent's context deadline)",
        text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve secrets from ssm: service call has been retried 5 time(s): RequestCanceled: request context canceled caused by: context deadline exceeded",
        service: Some("ssm"),
        error: Some(FailureKind::Timeout),
        finding: None,
        says: &["com.amazonaws.REGION.ssm", "private_connect_timeout"],
    },
    Case {
        source: "aws/containers-roadmap#2287 and #2792 (IPv6-only Fargate tasks timing out on the ECR API), with the address as DNS64 gives it: constructed, not quoted",
        text: "ResourceInitializationError: unable to pull secrets or registry auth: execution resource retrieval failed: unable to retrieve ecr registry auth: service call has been retried 3 time(s): RequestError: send request failed caused by: Post \"https://api.ecr.eu-west-3.amazonaws.com/\": dial tcp [64:ff9b::23b4:f428]:443: i/o timeout",
        service: Some("ecr.api"),
        error: Some(FailureKind::Timeout),
        finding: Some(Finding::PublicConnectTimeout),
        says: &[
            "DNS64",
            "NAT64",
            "35.180.244.40",
            "64:ff9b::/96",
            "dualstack or ipv6",
        ],
    },
    Case {
        source: "an IPv6 endpoint ENI whose security group lacks the IPv6 rule: constructed, not quoted",
        text: "ResourceInitializationError: failed to validate logger args: create stream has been retried 1 times: failed to create Cloudwatch log stream: RequestError: send request failed caused by: Post \"https://logs.us-east-1.amazonaws.com/\": dial tcp [2600:1f18:619e:f9a0::10]:443: i/o timeout",
        service: Some("logs"),
        error: Some(FailureKind::Timeout),
        finding: Some(Finding::PublicConnectTimeout),
        says: &[
            "cannot tell whether 2600:1f18:619e:f9a0::10 is inside the VPC",
            "--vpc-cidr",
        ],
    },
];

/// shared/seeds/002: the article's secretsmanager endpoint had private DNS
/// off, but the text it quotes ends at "failed to fetch secret ARN", before
/// the error: the same words a missing secret or a denial would have. The
/// tool says it cannot tell, names both, and gives the network's causes in
/// order (what the article found among them).
#[test]
fn a_secret_fetch_that_names_no_error_is_undecided() {
    let text = "ResourceInitializationError: unable to pull secrets or registry auth: execution \
        resource retrieval failed: unable to retrieve secret from asm: service call has been \
        retried 1 time(s): failed to fetch secret \
        arn:aws:secretsmanager:ap-northeast-1:111122223333:secret:prod/db-AbCdEf";
    let e = explain(text);
    assert_eq!(
        e.cause,
        vpce_probe::stopped::Cause::Undecided,
        "{}",
        e.diagnosis
    );
    assert_eq!(
        e.candidates,
        [
            vpce_probe::stopped::Cause::Network,
            vpce_probe::stopped::Cause::Answer
        ]
    );
    assert!(!e.recognised());
    for word in [
        "cannot tell",
        "a missing secret",
        "private DNS",
        "com.amazonaws.ap-northeast-1.secretsmanager",
    ] {
        assert!(e.diagnosis.contains(word), "{word}: {}", e.diagnosis);
    }
}

#[test]
fn common_stopped_reasons_are_explained() {
    for case in &CASES {
        let e = explain(case.text);
        assert!(e.recognised(), "{}", case.source);
        assert_eq!(
            e.service.map(vpce_probe::stopped::Subject::name),
            case.service,
            "{}",
            case.source
        );
        assert_eq!(e.error, case.error, "{}", case.source);
        assert_eq!(e.finding, case.finding, "{}: {}", case.source, e.diagnosis);
        for word in case.says {
            assert!(
                e.diagnosis.contains(word),
                "{}: '{word}' missing from: {}",
                case.source,
                e.diagnosis
            );
        }
    }
}

#[tokio::test]
async fn the_vpc_ipv6_cidr_tells_an_endpoint_eni_from_a_public_address() {
    let text = CASES[10].text;
    let (code, stdout, err) = support::run_binary(&[
        "explain",
        "--format",
        "json",
        "--vpc-cidr",
        "10.0.0.0/16,2600:1f18:619e:f900::/56",
        text,
    ])
    .await;
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["finding"], "private_connect_timeout");
    let d = v["diagnosis"].as_str().unwrap();
    assert!(!d.contains("cannot tell"), "{d}");
    let (code, _, err) = support::run_binary(&["explain", "--vpc-cidr", "2600::/129", text]).await;
    assert_eq!(code, 2);
    assert!(
        err.contains("--vpc-cidr") && err.contains("2600::/129"),
        "{err}"
    );
}

#[tokio::test]
async fn the_binary_reads_arguments_or_standard_input_and_exits_by_recognition() {
    let (code, stdout, _) =
        support::run_binary(&["explain", "--format", "json", CASES[0].text]).await;
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["finding"], "s3_connect_timeout");
    assert_eq!(v["ip"], "52.219.41.3");
    assert_eq!(v["port"], 443);
    assert_eq!(
        v["confirm"],
        "vpce-probe check --region ap-northeast-1 --services s3"
    );
    assert!(
        v["confirm_lambda"]
            .as_str()
            .unwrap()
            .starts_with("aws lambda invoke")
    );

    let mut child = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .arg("explain")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    stdin.write_all(CASES[0].text.as_bytes()).await.unwrap();
    drop(stdin);
    let out = child.wait_with_output().await.unwrap();
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("error class  CannotPullContainerError\nservice      s3\n"),
        "{text}"
    );

    let (code, stdout, _) = support::run_binary(&["explain", "the", "weather", "is", "fine"]).await;
    assert_eq!(code, 1, "{stdout}");
    let (code, _, stderr) = support::run_binary(&["explain", "--format", "emf", "x"]).await;
    assert_eq!(
        (code, stderr.as_str()),
        (
            2,
            "vpce-probe: invalid value 'emf' for '--format <FORMAT>' (possible values: text, json)\n"
        )
    );
}

/// Stopped reasons naming another region's host, with the task's region in
/// an ECS ARN (as `describe-tasks` output and task state change events hold
/// them): constructed, not quoted. What can serve the name is asked as the
/// probe asks it: ECR and S3 get the cross-Region interface endpoint,
/// never this region's endpoint or a gateway route; Logs gets no endpoint;
/// without the task's region the name is judged as its own region's.
#[test]
fn another_regions_names_are_explained_by_what_serves_them() {
    let task = "arn:aws:ecs:ap-northeast-1:111122223333:task/prod/0123456789abcdef0123456789abcdef";
    let ecr = format!(
        "{task} STOPPED: ResourceInitializationError: unable to pull secrets or registry auth: \
         execution resource retrieval failed: unable to retrieve ecr registry auth: service call \
         has been retried 3 time(s): RequestError: send request failed caused by: Post \
         \"https://api.ecr.us-east-1.amazonaws.com/\": dial tcp 52.46.1.2:443: i/o timeout"
    );
    let e = explain(&ecr);
    assert_eq!(
        e.finding,
        Some(Finding::PublicConnectTimeout),
        "{}",
        e.diagnosis
    );
    for word in [
        "cross-Region interface endpoint com.amazonaws.us-east-1.ecr.api",
        "service region us-east-1",
        "vpce:AllowMultiRegion",
        "NAT gateway",
        "replication from us-east-1",
    ] {
        assert!(e.diagnosis.contains(word), "{word}: {}", e.diagnosis);
    }
    assert!(
        !e.diagnosis.contains("ap-northeast-1.ecr.api"),
        "{}",
        e.diagnosis
    );
    // The confirming check probes the name the task called.
    let confirm = e.confirm.unwrap_or_default();
    assert!(confirm.contains("--region us-east-1"), "{confirm}");

    let layers = format!(
        "{task} CannotPullContainerError: failed to copy: httpReadSeeker: failed open: failed \
         to do request: Get \"https://prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com/a1\": \
         dial tcp 52.217.1.2:443: i/o timeout"
    );
    let e = explain(&layers);
    assert_eq!(
        e.finding,
        Some(Finding::PublicConnectTimeout),
        "{}",
        e.diagnosis
    );
    assert!(
        e.diagnosis
            .contains("cross-Region interface endpoint com.amazonaws.us-east-1.s3"),
        "{}",
        e.diagnosis
    );
    assert!(
        !e.diagnosis.contains("managed prefix list"),
        "{}",
        e.diagnosis
    );

    let logs = format!(
        "{task} ResourceInitializationError: failed to validate logger args: create stream has \
         been retried 1 times: failed to create Cloudwatch log stream: RequestError: send \
         request failed caused by: Post \"https://logs.us-east-1.amazonaws.com/\": context \
         deadline exceeded"
    );
    let e = explain(&logs);
    assert_eq!(e.finding, None, "{}", e.diagnosis);
    assert!(
        e.diagnosis
            .contains("takes no cross-Region interface endpoint")
            && e.diagnosis.contains("awslogs-region"),
        "{}",
        e.diagnosis
    );
    assert!(!e.diagnosis.contains("com.amazonaws."), "{}", e.diagnosis);
    let with_address = logs.replace(
        "context deadline exceeded",
        "dial tcp 52.94.1.1:443: i/o timeout",
    );
    let e = explain(&with_address);
    assert_eq!(
        e.finding,
        Some(Finding::PublicConnectTimeout),
        "{}",
        e.diagnosis
    );
    assert!(
        e.diagnosis
            .contains("takes no cross-Region interface endpoint")
            && !e.diagnosis.contains("com.amazonaws."),
        "{}",
        e.diagnosis
    );

    // Without the task's region, the name is judged as its own region's.
    let e = explain(ecr.trim_start_matches(task));
    assert!(
        e.diagnosis.contains("com.amazonaws.us-east-1.ecr.api")
            && !e.diagnosis.contains("cross-Region"),
        "{}",
        e.diagnosis
    );
}

/// A FIPS name that does not exist (the setting in a region where AWS
/// lists no FIPS endpoint of the service) is the setting, not the network:
/// `fips_endpoint_missing`, and the confirming check probes the FIPS name.
/// The text is shaped like the awslogs driver's, with a FIPS host.
#[test]
fn a_fips_name_that_does_not_exist_is_the_setting() {
    let text = "ResourceInitializationError: failed to validate logger args: create stream has \
        been retried 1 times: failed to create Cloudwatch log stream: RequestError: send request \
        failed caused by: Post \"https://logs-fips.ap-northeast-1.amazonaws.com/\": dial tcp: \
        lookup logs-fips.ap-northeast-1.amazonaws.com on 10.0.0.2:53: no such host";
    let e = explain(text);
    assert_eq!(
        e.finding,
        Some(Finding::FipsEndpointMissing),
        "{}",
        e.diagnosis
    );
    for word in [
        "AWS_USE_FIPS_ENDPOINT",
        "only in ca-central-1",
        "not in ap-northeast-1",
    ] {
        assert!(e.diagnosis.contains(word), "{word}: {}", e.diagnosis);
    }
    let confirm = e.confirm.unwrap_or_default();
    assert!(
        confirm.contains("--services logs --use-fips-endpoint"),
        "{confirm}"
    );
}

/// An image pulled by ECR's dual-stack registry name is ECR's, not a
/// third-party registry's: no VPC endpoint serves the name, and the
/// paragraph says so and names the IPv4 names.
#[test]
fn an_ecr_dual_stack_registry_is_ecr() {
    let text = "CannotPullContainerError: pull image manifest has been retried 1 time(s): failed \
        to resolve ref 111122223333.dkr-ecr.ap-northeast-1.on.aws/app:1: failed to do request: \
        Head \"https://111122223333.dkr-ecr.ap-northeast-1.on.aws/v2/app/manifests/1\": dial tcp \
        3.112.1.2:443: i/o timeout";
    let e = explain(text);
    assert_eq!(
        e.service.map(vpce_probe::stopped::Subject::name),
        Some("ecr.dkr")
    );
    assert_eq!(
        e.finding,
        Some(Finding::PublicConnectTimeout),
        "{}",
        e.diagnosis
    );
    assert!(
        e.diagnosis.contains("no VPC endpoint serves this name"),
        "{}",
        e.diagnosis
    );
    assert!(
        !e.diagnosis.contains("pull-through cache"),
        "{}",
        e.diagnosis
    );
}

/// `describe-tasks` output with three stopped tasks: a network failure,
/// an out-of-memory container under "Essential container in task exited",
/// a Docker Hub rate limit. Every task is explained, the container's real
/// error first; the exit is the worst over the tasks.
#[tokio::test]
async fn describe_tasks_output_explains_every_task() {
    let file = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/describe-tasks/three-stopped.json"
    );
    let (code, json, stderr) = support::run_binary(&["explain", "--format", "json", file]).await;
    let doc: serde_json::Value =
        serde_json::from_str(&json).unwrap_or_else(|e| panic!("{e}: {json}{stderr}"));
    let tasks = doc["tasks"].as_array().unwrap();
    assert_eq!(tasks.len(), 3, "{json}");
    let first = |t: &serde_json::Value| t["explanations"][0].clone();
    assert_eq!(first(&tasks[0])["cause"], "network", "{json}");
    assert_eq!(first(&tasks[0])["source"], "stoppedReason");
    assert_eq!(first(&tasks[0])["service"], "ecr.api");
    assert_eq!(first(&tasks[1])["cause"], "other", "{json}");
    assert_eq!(first(&tasks[1])["source"], "container app");
    assert_eq!(first(&tasks[1])["kind"], "out_of_memory", "{json}");
    assert_eq!(tasks[1]["stop_code"], "EssentialContainerExited");
    assert_eq!(first(&tasks[2])["cause"], "answer", "{json}");
    // The out-of-memory task says nothing the probe can judge: exit 1.
    assert_eq!(code, 1, "{stderr}");

    // The same from standard input, as text grouped by task.
    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["explain", "-"])
        .stdin(std::fs::File::open(file).unwrap())
        .output()
        .await
        .unwrap();
    let text = String::from_utf8(output.stdout).unwrap();
    assert_eq!(
        text.matches("\ntask arn:aws:ecs").count() + usize::from(text.starts_with("task arn")),
        3,
        "{text}"
    );
    let app = text.find("── container app").unwrap();
    let exited = text
        .find("Essential container in task exited")
        .unwrap_or(usize::MAX);
    assert!(app < exited, "{text}");
}
