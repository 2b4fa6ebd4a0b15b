//! Hostile networks: misbehaving DNS and TLS servers, a broken metadata
//! endpoint and broken files. Each case must end in a clear per-endpoint
//! result with the right finding, inside the deadline, without a panic, and
//! without touching the other endpoints of the same run (each test keeps a
//! healthy `logs` endpoint beside the hostile one). Expired and not-yet-valid
//! certificates are in `scenarios` (`certificate_validity`), the metadata
//! endpoint's failures in `metadata`, an unwritable status file in `watch`.
//! Text from outside (a certificate's names, task metadata's, a pasted
//! stopped reason's host) reaches no terminal and no command raw: the last
//! section.

use crate::support;

use std::time::Duration;

use support::{
    Behavior, DnsMischief, Metadata, MetadataServer, Side, VpcBuilder, endpoint, host, run_binary,
};
use vpce_probe::diagnose::{Finding, Status};
use vpce_probe::report::Report;

/// An outer bound: a hang fails the test instead of stalling CI.
const BOUND: Duration = Duration::from_secs(30);

async fn bounded<F: std::future::Future>(f: F) -> F::Output {
    tokio::time::timeout(BOUND, f)
        .await
        .expect("the probe finished inside its deadline")
}

/// The TLS error of the endpoint's first address.
fn tls_error<'a>(report: &'a Report, service: &str) -> &'a vpce_probe::report::ErrorReport {
    let tls = endpoint(report, service).addresses[0]
        .tls
        .as_ref()
        .expect("TCP connected");
    tls.error.as_ref().expect("the handshake failed")
}

fn assert_healthy_neighbour(report: &Report) {
    let logs = endpoint(report, "logs");
    assert_eq!(
        (logs.status, logs.finding),
        (Status::Ok, None),
        "the healthy endpoint is untouched"
    );
}

fn assert_finding(report: &Report, service: &str, status: Status, finding: Finding) {
    let e = endpoint(report, service);
    assert_eq!(
        (e.status, e.finding),
        (status, Some(finding)),
        "{service}: {:?}",
        e.diagnosis
    );
    assert!(e.diagnosis.as_deref().is_some_and(|d| !d.is_empty()));
}

// ---- DNS ---------------------------------------------------------------------

async fn with_hostile_dns(mischief: DnsMischief) -> Report {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .endpoint("ssm", 1)
        .start()
        .await;
    let (_server, dns) = support::hostile_dns(&host("ssm"), mischief, vpc.dns).await;
    let dns = dns.to_string();
    let report = bounded(vpc.probe(&["--services", "logs,ssm", "--dns-server", &dns])).await;
    assert_healthy_neighbour(&report);
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_that_never_answers() {
    let report = with_hostile_dns(DnsMischief::Silent).await;
    assert_finding(
        &report,
        "ssm",
        Status::Fail,
        Finding::DnsResolverUnreachable,
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_servfail() {
    let report = with_hostile_dns(DnsMischief::ServFail).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::DnsServfail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_truncated_then_tcp_refused() {
    let report = with_hostile_dns(DnsMischief::TruncatedNoTcp).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::DnsTcpBlocked);
    let e = endpoint(&report, "ssm");
    assert_eq!(
        e.dns.error.as_ref().map(|x| x.kind),
        Some(vpce_probe::probe::FailureKind::Truncated)
    );
    assert!(e.diagnosis.as_deref().unwrap().contains("TCP 53"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_cname_loop() {
    let report = with_hostile_dns(DnsMischief::CnameLoop).await;
    let e = endpoint(&report, "ssm");
    assert_finding(&report, "ssm", Status::Fail, Finding::DnsNoAddresses);
    assert!(e.addresses.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dns_with_a_hundred_addresses() {
    // One live ENI among a hundred: the answer is too big for UDP, so the
    // resolver retries over TCP; every address is probed.
    let mut addrs = vec![(Side::Private, Behavior::tls())];
    addrs.extend((0..99).map(|_| (Side::Private, Behavior::Closed)));
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .name(&host("ssm"), &addrs)
        .start()
        .await;
    let report = bounded(vpc.probe(&["--services", "logs,ssm"])).await;
    assert_healthy_neighbour(&report);
    let e = endpoint(&report, "ssm");
    assert_eq!(e.addresses.len(), 100);
    assert_eq!(e.addresses.iter().filter(|a| a.ok).count(), 1);
    assert_finding(&report, "ssm", Status::Warn, Finding::ConnectRefused);
    assert!(
        e.diagnosis
            .as_deref()
            .unwrap()
            .starts_with("99 of 100 addresses failed")
    );
}

// ---- TCP and TLS -------------------------------------------------------------

async fn with_hostile_server(behavior: Behavior) -> Report {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .name(&host("ssm"), &[(Side::Private, behavior)])
        .start()
        .await;
    let report = bounded(vpc.probe(&["--services", "logs,ssm"])).await;
    assert_healthy_neighbour(&report);
    let e = endpoint(&report, "ssm");
    assert_eq!(
        vpc.hits(e.addresses[0].ip),
        1,
        "the probe reached the hostile server"
    );
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tcp_that_accepts_and_never_reads() {
    let report = with_hostile_server(Behavior::Silent).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::TlsHandshakeTimeout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_that_stalls_mid_handshake() {
    let report = with_hostile_server(Behavior::StallMidHandshake).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::TlsHandshakeTimeout);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_that_sends_garbage() {
    let report = with_hostile_server(Behavior::Garbage).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::TlsHandshakeFailed);
    let error = tls_error(&report, "ssm");
    assert_eq!(error.kind, vpce_probe::probe::FailureKind::Protocol);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_with_a_100_kb_certificate_chain() {
    let report = with_hostile_server(Behavior::HugeChain).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::TlsHandshakeFailed);
    let error = tls_error(&report, "ssm");
    assert!(
        error.message.raw().contains("HandshakePayloadTooLarge"),
        "{}",
        error.message
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_1_0_only() {
    let report = with_hostile_server(Behavior::Tls10Only).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::TlsHandshakeFailed);
    let error = tls_error(&report, "ssm");
    assert_eq!(error.kind, vpce_probe::probe::FailureKind::Incompatible);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn tls_reset_after_the_server_hello() {
    let report = with_hostile_server(Behavior::ResetAfterServerHello).await;
    assert_finding(&report, "ssm", Status::Fail, Finding::ConnectionReset);
}

// ---- files -------------------------------------------------------------------

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolv_conf_missing_empty_or_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing");
    let empty = dir.path().join("empty");
    std::fs::write(&empty, "").unwrap();
    let garbage = dir.path().join("garbage");
    std::fs::write(
        &garbage,
        "\u{0}\u{1}binary\nnameserver not-an-ip\noptions ndots:banana\n",
    )
    .unwrap();
    for path in [&missing, &empty, &garbage] {
        let p = path.to_str().unwrap();
        let (code, stdout, stderr) =
            run_binary(&["--region", "us-east-1", "--resolv-conf", p]).await;
        assert_eq!(code, 2, "{p}: {stderr}");
        assert_eq!(stdout, "");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
        assert!(stderr.contains(p), "{stderr}");
    }

    // Garbage lines around a good nameserver are skipped, as libc does.
    let vpc = VpcBuilder::new().endpoint("logs", 1).start().await;
    let mixed = dir.path().join("mixed");
    std::fs::write(
        &mixed,
        format!(
            "garbage line\n\u{7f}\nnameserver {}\nsearch x\n",
            vpc.dns.ip()
        ),
    )
    .unwrap();
    let mut args = vpc.args(&[
        "--services",
        "logs",
        "--resolv-conf",
        mixed.to_str().unwrap(),
    ]);
    // resolv.conf has no port syntax: drop --dns-server and keep the VPC's port 53? The
    // simulated DNS is on a random port, so only the parse is checked here.
    let at = args.iter().position(|a| a == "--dns-server").unwrap();
    args.drain(at..at + 2);
    let report = bounded(support::probe_with(args, None)).await;
    let logs = endpoint(&report, "logs");
    assert_eq!(
        logs.dns.nameservers,
        vec![format!("{}:53", vpc.dns.ip())],
        "the good line was used"
    );
}

// ---- Text from outside -------------------------------------------------------

/// Whether `out` holds no control or bidirectional character but its line
/// ends: no byte below 0x20 but `\n`, no DEL, no C1 control (U+009B is a
/// CSI), no override.
fn inert(out: &str) -> bool {
    out.chars()
        .all(|c| c == '\n' || !vpce_probe::printable::hazardous(c))
}

/// A clear-screen, a terminal title (OSC ... BEL), a C1 CSI and a
/// right-to-left override, in a certificate's subject.
const SUBJECT: &str = "evil\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}gnp";

/// A server whose certificate's subject carries terminal sequences, and one
/// whose only name does (rustls' hostname-mismatch message quotes it): the
/// text report (`--color never`) shows them escaped and writes no control
/// byte; the JSON report carries the subject as JSON escapes, and reads
/// back as the server sent it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminal_sequences_in_a_certificate_reach_no_terminal() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .name(
            &host("ssm"),
            &[(Side::Private, Behavior::Subject(SUBJECT.to_owned()))],
        )
        .name(
            &host("secretsmanager"),
            &[(
                Side::Private,
                Behavior::tls_for(&["x\u{1b}]0;t\u{7}.example"]),
            )],
        )
        .start()
        .await;
    let services = ["--services", "logs,ssm,secretsmanager"];
    let (_, text, _) =
        bounded(vpc.run_binary(&[&services[..], &["--color", "never"]].concat())).await;
    assert!(inert(&text), "{text:?}");
    assert!(
        text.contains(r"cert     CN=evil\u{1b}[2J\u{1b}]0;owned\u{7}\u{9b}31m\u{202e}gnp"),
        "{text}"
    );
    assert!(text.contains(r"x\u{1b}]0;t\u{7}.example"), "{text}");

    let (_, json, _) =
        bounded(vpc.run_binary(&[&services[..], &["--format", "json"]].concat())).await;
    assert!(inert(&json), "{json:?}");
    assert!(json.contains(r"evil\u001b[2J\u001b]0;owned\u0007\u009b31m\u202egnp"));
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let ssm = report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["service"] == "ssm")
        .unwrap();
    assert_eq!(ssm["status"], "ok");
    assert_eq!(
        ssm["addresses"][0]["tls"]["certificate"]["subject"],
        format!("CN={SUBJECT}")
    );
}

/// `explain` with a registry host that is not a hostname (shell
/// metacharacters, expansions, terminal sequences) suggests no
/// command, says why in one line, and shows the host escaped; a registry
/// that is a hostname gets `--target` and the Lambda payload, each one
/// shell word.
#[tokio::test]
async fn explain_puts_no_hostile_host_into_a_command() {
    let text = |host: &str| {
        format!(
            "CannotPullContainerError: pull image manifest has been retried 5 time(s): failed to \
             resolve ref {host}/app:latest: failed to do request: Head \"https://{host}/v2/app/\
             manifests/latest\": dial tcp 52.1.2.3:443: i/o timeout \
             (arn:aws:ecs:us-east-1:111122223333:task/c/0a)"
        )
    };
    for host in [
        "a;id;",
        "$id",
        "a|b&c",
        "x{a..c}",
        "!!",
        "a\u{1b}]0;t\u{7}b\u{9b}",
    ] {
        let (code, out, _) = run_binary(&["explain", &text(host)]).await;
        assert_eq!(code, 0, "{out}");
        assert!(inert(&out), "{out:?}");
        assert!(!out.contains("vpce-probe check"), "{out}");
        assert!(!out.contains("aws lambda"), "{out}");
        let why: Vec<&str> = out
            .lines()
            .filter(|l| l.starts_with("No confirming command"))
            .collect();
        assert_eq!(why.len(), 1, "{out}");
        let (_, json, _) = run_binary(&["explain", "--format", "json", &text(host)]).await;
        assert!(inert(&json), "{json:?}");
        let v: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(v["host"], host.to_ascii_lowercase());
        assert!(
            v["confirm"].is_null() && v["confirm_lambda"].is_null(),
            "{v}"
        );
        assert!(v["no_confirm"].as_str().unwrap().contains("not a hostname"));
    }
    let (_, out, _) = run_binary(&["explain", &text("registry.example.com")]).await;
    let commands: Vec<&str> = out.lines().filter(|l| l.starts_with("  ")).collect();
    assert_eq!(
        commands,
        [
            "  vpce-probe check --region us-east-1 --services none --target registry.example.com",
            "  aws lambda invoke --function-name vpce-probe --cli-binary-format \
             raw-in-base64-out --payload \
             '{\"region\":\"us-east-1\",\"services\":\"none\",\"targets\":\"registry.example.com\"}' \
             report.json",
        ],
        "{out}"
    );
    let payload = shell_words::split(commands[1]).unwrap();
    assert_eq!(
        payload[payload.len() - 2],
        r#"{"region":"us-east-1","services":"none","targets":"registry.example.com"}"#
    );
}

/// Task metadata whose every text carries terminal sequences (the task
/// ARN, cluster, family, launch type, zone, VPC ID, a container's name and
/// image, its DNS servers): the text report, the JSON and EMF show them
/// escaped and write no control byte; the JSON keeps the values.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terminal_sequences_in_task_metadata_reach_no_terminal() {
    let arn = "arn:aws:ecs:us-east-1:123456789012:task/c/\u{1b}[2J";
    let container = serde_json::json!({
        "Name": "app\u{1b}]0;owned\u{7}",
        "Image": "registry.example.com/x\u{1b}[31m\u{9b}1m:1",
        "LogDriver": "awslogs",
        "LogOptions": { "awslogs-region": "us-east-1" },
        "Networks": [{
            "IPv4SubnetCIDRBlock": "10.0.1.0/24",
            "IPv4Addresses": ["10.0.1.7"],
            "DomainNameServers": ["10.0.0.2\u{1b}[2J"]
        }]
    });
    let task = serde_json::json!({
        "Cluster": "arn:aws:ecs:us-east-1:123456789012:cluster/c\u{202e}x",
        "TaskARN": arn,
        "Family": "f\u{1b}]0;t\u{7}",
        "Revision": "1\u{7f}",
        "AvailabilityZone": "us-east-1d\u{9b}",
        "LaunchType": "FARGATE\u{1b}[2J",
        "VPCID": "vpc-!!{a,b}\u{1b}[2J",
        "Containers": [container]
    });
    let metadata = MetadataServer::start(Metadata::Serve {
        task: task.to_string(),
        container: container.to_string(),
    })
    .await;
    let vpc = VpcBuilder::new().endpoint("logs", 1).start().await;
    let env = [(vpce_probe::metadata::ENV_URI, metadata.uri.as_str())];
    let args = |extra: &[&str]| {
        // The default plan: the task's registry and its container's logs.
        let mut a = vpc.args_without_region(&[])[1..].to_vec();
        a.extend(extra.iter().map(|s| (*s).to_owned()));
        a
    };
    let (_, text, err) = support::run_binary_env(&args(&["--color", "never"]), &env).await;
    assert!(inert(&text), "{text:?}");
    assert!(
        text.contains(r"task/c/\u{1b}[2J (FARGATE\u{1b}[2J, us-east-1d\u{9b})"),
        "{text}\n{err}"
    );
    assert!(
        text.contains(r"container 'app\u{1b}]0;owned\u{7}'"),
        "{text}"
    );
    assert!(text.contains(r"x\u{1b}[31m\u{9b}1m:1"), "{text}");
    for format in ["json", "emf"] {
        let (_, out, _) = support::run_binary_env(&args(&["--format", format]), &env).await;
        assert!(inert(&out), "{format}: {out:?}");
        assert!(out.contains(r"task/c/\u001b[2J"), "{format}: {out}");
    }
    let (_, json, _) = support::run_binary_env(&args(&["--format", "json"]), &env).await;
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    assert_eq!(report["context"]["task_arn"], arn);
    assert_eq!(report["context"]["vpc_id"], "vpc-!!{a,b}\u{1b}[2J");
}
