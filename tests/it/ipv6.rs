//! IPv6 the way AWS does it, in network namespaces the tests create
//! (`unshare(CLONE_NEWNET)`, root as in CI): a dual-stack VPC whose task
//! metadata gives the IPv6 subnet, an IPv6-only subnet whose resolver is
//! `fd00:ec2::253` and answers DNS64 for names without endpoints, and IPv6
//! ENIs whose security-group rule is missing. Each test runs on a
//! current-thread runtime in its own namespace, so its IPv6 ENI, NAT64 and
//! resolver addresses sit on a loopback no other test sees. The tests that
//! need a namespace are `#[ignore]`d; `.ci/run` runs them as root with
//! `--include-ignored`.

use crate::support;

use std::net::IpAddr;

use serde_json::json;
use support::netns::{self, AMAZON_DNS6, ENI_SUBNET6, TASK_SUBNET6, VPC6};
use support::{Behavior, Metadata, MetadataServer, REGION, Side, VpcBuilder, endpoint, host};
use vpce_probe::classify::{AddressClass, Family, Path};
use vpce_probe::diagnose::{Finding, Status};
use vpce_probe::report::{EndpointReport, Verdict};

const SERVICES: [&str; 6] = ["ecr.api", "ecr.dkr", "s3", "logs", "ssm", "secretsmanager"];

/// Task metadata for a task in this test's VPC: `network` is its awsvpc
/// network object (dual-stack or IPv6-only).
fn metadata(network: &serde_json::Value) -> Metadata {
    let task_arn = format!("arn:aws:ecs:{REGION}:123456789012:task/c/0123456789abcdef");
    let container = json!({
        "Name": "app",
        "Image": "nginx",
        "Networks": [network],
    });
    let task = json!({
        "Cluster": "c",
        "TaskARN": task_arn,
        "LaunchType": "FARGATE",
        "AvailabilityZone": format!("{REGION}a"),
        "Containers": [container],
    });
    Metadata::Serve {
        task: task.to_string(),
        container: container.to_string(),
    }
}

/// `check` arguments for the default services with no `--vpc-cidr` and no
/// region: task metadata supplies both.
fn args(dns: &[&str], extra: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = ["vpce-probe", "check"].map(String::from).to_vec();
    args.extend(dns.iter().map(|s| (*s).to_owned()));
    for a in [
        "--services",
        &SERVICES.join(","),
        "--ecr-registry",
        "000000000000",
        "--hosts-file",
        "none",
        // Nothing here is meant to time out: a loaded machine must not make it.
        "--timeout",
        "5s",
        "--deadline",
        "20s",
    ] {
        args.push(a.to_owned());
    }
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    args
}

fn families(e: &EndpointReport) -> Vec<Family> {
    let mut f: Vec<Family> = e.addresses.iter().map(|a| a.family).collect();
    f.dedup();
    f
}

/// Runs `test` in a fresh network namespace on a current-thread runtime.
fn in_namespace<F: std::future::Future<Output = ()>>(test: impl FnOnce() -> F) {
    netns::enter();
    netns::runtime().block_on(test());
}

#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn dual_stack_vpc_passes_expect_private_from_task_metadata_alone() {
    in_namespace(|| async {
        // Each interface endpoint has an IPv4 and an IPv6 ENI; S3 answers
        // on public addresses of both families (the gateway endpoint).
        let mut vpc = VpcBuilder::new();
        for service in SERVICES {
            let addrs = if service == "s3" {
                [
                    (Side::Public, Behavior::tls()),
                    (Side::Public6, Behavior::tls()),
                ]
            } else {
                [
                    (Side::Private, Behavior::tls()),
                    (Side::Private6, Behavior::tls()),
                ]
            };
            vpc = vpc.name(&host(service), &addrs);
        }
        let vpc = vpc.start().await;
        let meta = MetadataServer::start(metadata(&json!({
            "NetworkMode": "awsvpc",
            "IPv4Addresses": [vpc.cidr().replace(".0/25", ".100")],
            "IPv4SubnetCIDRBlock": vpc.cidr(),
            "IPv6Addresses": ["2600:1f18:619e:f901::1234"],
            "IPv6SubnetCIDRBlock": TASK_SUBNET6,
        })))
        .await;
        let dns = vpc.dns.to_string();
        let port = vpc.port.to_string();
        let report = support::probe_with(
            args(
                &["--dns-server", &dns, "--ca-file", &vpc.ca_file],
                &["--port", &port, "--expect", "private"],
            ),
            Some(&meta.uri),
        )
        .await;
        assert_eq!(report.verdict, Verdict::Pass, "{report:#?}");
        assert_eq!(support::schema_errors(&report), Vec::<String>::new());
        for e in &report.endpoints {
            assert_eq!(e.status, Status::Ok, "{}: {:?}", e.host, e.diagnosis);
            assert_eq!(families(e), [Family::Ipv4, Family::Ipv6], "{}", e.host);
            assert!(e.addresses.iter().all(|a| a.ok), "{}", e.host);
            for a in &e.addresses {
                assert!(vpc.hits(a.ip) >= 1, "{} was really handshaken", a.ip);
            }
            let want = if e.service == "s3" {
                Path::GatewayOrNat
            } else {
                Path::InterfaceEndpoint
            };
            assert_eq!(e.path, want, "{}", e.host);
        }
        // The IPv6 ENI is private because the VPC's /56 was taken from the
        // task's subnet, and the context says so.
        let logs = endpoint(&report, "logs");
        assert!(logs.addresses.iter().any(|a| a.family == Family::Ipv6
            && a.class == AddressClass::Private
            && !a.in_task_subnet));
        let notes = report.context.notes.clone().unwrap_or_default();
        assert!(
            notes.iter().any(|n| n.contains(&format!(
                "IPv6 VPC range taken as {VPC6} from the task's subnet {TASK_SUBNET6}; --vpc-cidr overrides"
            ))),
            "{notes:?}"
        );
        assert_eq!(
            report.context.ipv6_subnet_cidr,
            Some(TASK_SUBNET6.parse().unwrap())
        );

        // An explicit --vpc-cidr wins: without the IPv6 range, the IPv6
        // ENIs are public and --expect private fails.
        let report = support::probe_with(
            args(
                &["--dns-server", &dns, "--ca-file", &vpc.ca_file],
                &[
                    "--port",
                    &port,
                    "--expect",
                    "private",
                    "--vpc-cidr",
                    &vpc.cidr(),
                ],
            ),
            Some(&meta.uri),
        )
        .await;
        let logs = endpoint(&report, "logs");
        assert_eq!(
            (logs.status, logs.finding),
            (Status::Fail, Some(Finding::PublicPath))
        );
    });
}

#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn ipv6_only_subnet_with_dns64_fails_what_leaves_through_nat64() {
    in_namespace(|| async {
        // logs, ssm and secretsmanager have endpoints with IPv6 ENIs; ECR
        // and S3 have none, so Route 53 Resolver's DNS64 synthesises
        // 64:ff9b:: addresses and NAT64 on a NAT gateway serves them.
        let mut vpc = VpcBuilder::new()
            .dns_ip(IpAddr::V6(AMAZON_DNS6))
            .dns_port(53);
        for service in SERVICES {
            let side = match service {
                "logs" | "ssm" | "secretsmanager" => Side::Private6,
                _ => Side::Nat64,
            };
            vpc = vpc.name(&host(service), &[(side, Behavior::tls())]);
        }
        let vpc = vpc.start().await;
        let dir = tempfile::tempdir().unwrap();
        let resolv = dir.path().join("resolv.conf");
        std::fs::write(
            &resolv,
            format!("nameserver {AMAZON_DNS6}\noptions edns0\n"),
        )
        .unwrap();
        let meta = MetadataServer::start(metadata(&json!({
            "NetworkMode": "awsvpc",
            "IPv6Addresses": ["2600:1f18:619e:f901::1234"],
            "IPv6SubnetCIDRBlock": TASK_SUBNET6,
            "SubnetGatewayIPV6Address": "2600:1f18:619e:f901::1/64",
        })))
        .await;
        let port = vpc.port.to_string();
        let argv = args(
            &[
                "--resolv-conf",
                resolv.to_str().unwrap(),
                "--ca-file",
                &vpc.ca_file,
            ],
            &["--port", &port, "--expect", "private"],
        );
        let report = support::probe_with(argv.clone(), Some(&meta.uri)).await;
        assert_eq!(report.verdict, Verdict::Fail);
        assert_eq!(support::schema_errors(&report), Vec::<String>::new());
        for service in ["logs", "ssm", "secretsmanager"] {
            let e = endpoint(&report, service);
            assert_eq!(
                (e.status, e.path),
                (Status::Ok, Path::InterfaceEndpoint),
                "{service}: {:?}",
                e.diagnosis
            );
            assert_eq!(e.dns.nameservers, [format!("[{AMAZON_DNS6}]:53")]);
        }
        for service in ["ecr.api", "ecr.dkr", "s3"] {
            let e = endpoint(&report, service);
            assert_eq!(
                (e.status, e.path, e.finding),
                (Status::Fail, Path::Public, Some(Finding::PublicPath)),
                "{service}"
            );
            let a = &e.addresses[0];
            assert!(a.ok && a.nat64 && a.class == AddressClass::Public, "{a:?}");
            let v4 = a.nat64_ipv4.expect("the embedded IPv4 address");
            assert_eq!(v4.octets()[..3], [198, 51, 100]);
            assert!(e.dns.addresses[0].nat64);
            let d = e.diagnosis.as_deref().unwrap();
            assert!(d.contains("DNS64") && d.contains("NAT64"), "{d}");
            assert!(d.contains("dualstack or ipv6"), "{d}");
        }
        assert!(
            endpoint(&report, "s3")
                .diagnosis
                .as_deref()
                .unwrap()
                .contains("never through the S3 gateway endpoint")
        );
        // An IPv6-only task is a normal case: its fields, no IPv4 ones.
        let c = &report.context;
        assert_eq!(c.private_ipv4, None);
        assert_eq!(
            c.ipv6_addresses.as_deref(),
            Some(&["2600:1f18:619e:f901::1234".parse().unwrap()][..])
        );
        assert_eq!(
            c.subnet_gateway_ipv6
                .as_ref()
                .map(vpce_probe::printable::Untrusted::raw),
            Some("2600:1f18:619e:f901::1/64")
        );

        binary_reports_ipv6_only(&argv, &meta.uri).await;
    });
}

/// The IPv6-only scenario through the real binary: text columns fit IPv6
/// addresses and name NAT64; `fix` proposes dual-stack interface endpoints.
async fn binary_reports_ipv6_only(argv: &[String], metadata_uri: &str) {
    // The real binary: text columns fit IPv6 addresses and name NAT64.
    let mut text = argv[1..].to_vec();
    text.extend(["--format", "text", "--color", "never"].map(String::from));
    let meta_env = [(vpce_probe::metadata::ENV_URI, metadata_uri)];
    let (code, out, err) = support::run_binary_env(&text, &meta_env).await;
    assert_eq!(code, 1, "{err}");
    assert!(
        out.contains(", ipv6 subnet 2600:1f18:619e:f901::/64, ipv6 2600:1f18:619e:f901::1234"),
        "{out}"
    );
    assert!(!out.contains("subnet ?"), "{out}");
    let eni = netns::eni6(1).to_string();
    let line = out
        .lines()
        .find(|l| l.trim_start().starts_with(&eni))
        .expect(&out);
    let words: Vec<&str> = line.split_whitespace().take(3).collect();
    assert_eq!(words, [eni.as_str(), "private", "tcp"], "{line}");
    assert!(out.contains("  NAT64 to 198.51.100."), "{out}");

    // fix: interface endpoints whose DNS serves IPv6, S3's included.
    let mut fix = argv[1..].to_vec();
    "fix".clone_into(&mut fix[0]);
    fix.extend(["--format", "cli"].map(String::from));
    let (code, out, err) = support::run_binary_env(&fix, &meta_env).await;
    assert_eq!(code, 1, "{err}");
    for service in ["ecr.api", "ecr.dkr", "s3"] {
        let line = out
            .lines()
            .find(|l| l.contains(&format!("--service-name com.amazonaws.{REGION}.{service} ")))
            .unwrap_or_else(|| panic!("{service}: {out}"));
        assert!(
            line.contains("--vpc-endpoint-type Interface")
                && line.ends_with(
                    "--ip-address-type dualstack --dns-options DnsRecordIpType=dualstack"
                ),
            "{line}"
        );
    }
    let tf = fix.len() - 1;
    "terraform".clone_into(&mut fix[tf]);
    let (code, out, err) = support::run_binary_env(&fix, &meta_env).await;
    assert_eq!(code, 1, "{err}");
    let body: hcl::Body = hcl::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
    let dualstack = body
        .blocks()
        .filter(|b| b.identifier() == "resource")
        .filter(|b| {
            b.body().blocks().any(|d| {
                d.identifier() == "dns_options"
                    && d.body().attributes().any(|a| {
                        a.key() == "dns_record_ip_type"
                            && a.expr() == &hcl::Expression::from("dualstack")
                    })
            })
        })
        .count();
    assert_eq!(dualstack, 3, "{out}");
}

#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn ipv6_enis_dropped_while_ipv4_enis_answer() {
    in_namespace(|| async {
        let vpc = VpcBuilder::new()
            .name(
                &host("secretsmanager"),
                &[
                    (Side::Private, Behavior::tls()),
                    (Side::Private6, Behavior::Blackhole),
                    (Side::Private6, Behavior::Blackhole),
                ],
            )
            .name(
                &host("ssm"),
                &[
                    (Side::Private, Behavior::Blackhole),
                    (Side::Private6, Behavior::tls()),
                ],
            )
            .start()
            .await;
        let assessment = vpc
            .assess(&[
                "--services",
                "secretsmanager,ssm",
                "--vpc-cidr",
                ENI_SUBNET6,
                "--expect",
                "private",
                // Long enough for a loaded machine's handshakes, short for the dropped SYNs.
                "--timeout",
                "3s",
            ])
            .await;
        let report = vpce_probe::report::build(&assessment);
        assert_eq!(support::schema_errors(&report), Vec::<String>::new());
        let sm = endpoint(&report, "secretsmanager");
        assert_eq!(
            (sm.status, sm.path, sm.finding),
            (
                Status::Warn,
                Path::InterfaceEndpoint,
                Some(Finding::Ipv6EgressBlocked)
            ),
            "{:?}",
            sm.diagnosis
        );
        let d = sm.diagnosis.as_deref().unwrap();
        assert!(
            d.contains("::/0") && d.contains(&netns::eni6(1).to_string()),
            "{d}"
        );
        let ssm = endpoint(&report, "ssm");
        assert_eq!(
            (ssm.status, ssm.finding),
            (Status::Warn, Some(Finding::Ipv4EgressBlocked))
        );
        assert!(ssm.diagnosis.as_deref().unwrap().contains("0.0.0.0/0"));

        // fix: egress to each address of the family that timed out.
        let cidrs: Vec<String> = vpce_probe::remedy::remedies(&assessment)
            .iter()
            .filter_map(|r| match &r.action {
                vpce_probe::remedy::Action::TaskEgressToAddress { cidr, .. } => {
                    Some(format!("{} {cidr}", r.finding.code()))
                }
                _ => None,
            })
            .collect();
        let v4 = vpc.records[1].2[0];
        assert_eq!(
            cidrs,
            [
                format!("ipv6_egress_blocked {}/128", netns::eni6(1)),
                format!("ipv6_egress_blocked {}/128", netns::eni6(2)),
                format!("ipv4_egress_blocked {v4}/32"),
            ]
        );
    });
}

/// A family blocked away from endpoint ENIs: S3's public IPv6 addresses
/// dropped while its IPv4 ones answer, and a NAT64 address dropped beside
/// a working IPv4 ENI. The paragraphs name the route out (S3: whether its
/// gateway endpoint carries IPv6) and the dual-stack endpoint, never an
/// endpoint security group; `fix` proposes no rule to a public address and
/// the dual-stack interface endpoint for the NAT64 one.
#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn a_family_blocked_at_public_and_nat64_addresses() {
    in_namespace(|| async {
        let vpc = VpcBuilder::new()
            .name(
                &host("s3"),
                &[
                    (Side::Public, Behavior::tls()),
                    (Side::Public6, Behavior::Blackhole),
                ],
            )
            .name(
                &host("logs"),
                &[
                    (Side::Private, Behavior::tls()),
                    (Side::Nat64, Behavior::Blackhole),
                ],
            )
            .start()
            .await;
        let assessment = vpc
            .assess(&[
                "--services",
                "s3,logs",
                "--vpc-cidr",
                ENI_SUBNET6,
                "--timeout",
                "3s",
            ])
            .await;
        let report = vpce_probe::report::build(&assessment);
        assert_eq!(support::schema_errors(&report), Vec::<String>::new());
        for (service, says) in [
            ("s3", "S3 gateway endpoint does not carry IPv6"),
            ("logs", "dualstack"),
        ] {
            let e = endpoint(&report, service);
            assert_eq!(
                (e.status, e.finding),
                (Status::Warn, Some(Finding::Ipv6EgressBlocked)),
                "{service}: {:?}",
                e.diagnosis
            );
            let d = e.diagnosis.as_deref().unwrap();
            assert!(d.contains(says), "{service}: {d}");
            assert!(!d.contains("endpoint's security group"), "{service}: {d}");
        }
        let remedies = vpce_probe::remedy::remedies(&assessment);
        let kinds: Vec<String> = remedies
            .iter()
            .map(|r| format!("{} {}", r.service, serde_json::to_value(r).unwrap()["kind"]))
            .collect();
        assert_eq!(kinds, ["logs \"interface_endpoint\""], "{remedies:?}");
    });
}
#[test]
fn dualstack_plans_the_sdk_names() {
    let rt = tokio::runtime::Runtime::new().unwrap();
    let (code, out, err) = rt.block_on(support::run_binary(&[
        "endpoints",
        "--region",
        REGION,
        "--services",
        "ecr,logs,ssm,secretsmanager,sts,kms,ecs,ssmmessages",
        "--ecr-registry",
        "111122223333",
        "--dualstack",
        "--format",
        "json",
    ]));
    assert_eq!(code, 0, "{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).unwrap();
    let rows: Vec<(String, String)> = plan["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["host"].as_str().unwrap().to_owned(),
                e["route"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let r = REGION;
    let row = |host: String, route: &str| (host, route.to_owned());
    // ECS's own names stay; the app's SDK's dual-stack names (AWS's rules:
    // Secrets Manager keeps its name) beside them, or in place of them for
    // what only the app calls (STS, KMS). The registry is no SDK's.
    assert_eq!(
        rows,
        [
            row(format!("api.ecr.{r}.amazonaws.com"), "platform"),
            row(format!("111122223333.dkr.ecr.{r}.amazonaws.com"), "both"),
            row(
                format!("prod-{r}-starport-layer-bucket.s3.{r}.amazonaws.com"),
                "platform"
            ),
            row(format!("logs.{r}.amazonaws.com"), "platform"),
            row(format!("ssm.{r}.amazonaws.com"), "platform"),
            row(format!("secretsmanager.{r}.amazonaws.com"), "both"),
            row(format!("ecs.{r}.amazonaws.com"), "platform"),
            row(format!("ssmmessages.{r}.amazonaws.com"), "both"),
            row(format!("ecr.{r}.api.aws"), "app"),
            row(
                format!("prod-{r}-starport-layer-bucket.s3.dualstack.{r}.amazonaws.com"),
                "app"
            ),
            row(format!("logs.{r}.api.aws"), "app"),
            row(format!("ssm.{r}.api.aws"), "app"),
            row(format!("sts.{r}.api.aws"), "app"),
            row(format!("kms.{r}.api.aws"), "app"),
            row(format!("ecs.{r}.api.aws"), "app"),
        ]
    );
    let notes = plan["notes"].to_string();
    assert!(notes.contains("no SDK rules for ssmmessages"), "{notes}");

    // The SDKs' own switch plans the same names; a value they would not
    // accept is a usage error naming the variable.
    let env = [("AWS_USE_DUALSTACK_ENDPOINT", "TRUE")];
    let args = ["endpoints", "--region", REGION, "--services", "logs"];
    let (code, out, _) = rt.block_on(support::run_binary_env(&args, &env));
    assert_eq!(code, 0);
    assert!(out.contains(&format!("logs.{r}.api.aws")), "{out}");
    let env = [("AWS_USE_DUALSTACK_ENDPOINT", "yes")];
    let (code, _, err) = rt.block_on(support::run_binary_env(&args, &env));
    assert_eq!(code, 2);
    assert!(
        err.contains("AWS_USE_DUALSTACK_ENDPOINT") && err.contains("'yes'"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
}

/// A resolver that relays every question to `upstream`, except that it
/// answers AAAA questions only once `gate` resolves.
async fn aaaa_after(
    upstream: std::net::SocketAddr,
    gate: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::net::SocketAddr {
    use hickory_server::proto::op::Message;
    use hickory_server::proto::rr::RecordType;
    use std::sync::Arc;
    use tokio::net::UdpSocket;
    let socket = Arc::new(UdpSocket::bind("127.0.0.1:0").await.unwrap());
    let addr = socket.local_addr().unwrap();
    let gate = futures::future::FutureExt::shared(Box::pin(gate));
    tokio::spawn(async move {
        let mut buf = vec![0u8; 4096];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            let packet = buf[..n].to_vec();
            let aaaa = Message::from_vec(&packet).is_ok_and(|m| {
                m.queries
                    .first()
                    .is_some_and(|q| q.query_type() == RecordType::AAAA)
            });
            let socket = Arc::clone(&socket);
            let gate = gate.clone();
            tokio::spawn(async move {
                if aaaa {
                    gate.await;
                }
                let relay = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                relay.send_to(&packet, upstream).await.unwrap();
                let mut answer = vec![0u8; 4096];
                let (m, _) = relay.recv_from(&mut answer).await.unwrap();
                let _ = socket.send_to(&answer[..m], peer).await;
            });
        }
    });
    addr
}

#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn handshakes_start_as_each_family_answers() {
    in_namespace(|| async {
        // The AAAA answer is held until the IPv4 ENI has accepted a
        // connection: a probe that waited for both answers before
        // connecting would see the AAAA question time out and probe only
        // IPv4; a pipelined one handshakes the IPv4 ENI first, which
        // releases the AAAA answer, then the IPv6 ENI.
        let vpc = VpcBuilder::new()
            .name(
                &host("logs"),
                &[
                    (Side::Private, Behavior::tls()),
                    (Side::Private6, Behavior::tls()),
                ],
            )
            .start()
            .await;
        let v4 = vpc.records[0].2[0];
        let resolver = aaaa_after(vpc.dns, vpc.accepted(v4)).await.to_string();
        let dns = vpc.dns.to_string();
        let mut argv = vpc.args(&["--services", "logs", "--vpc-cidr", ENI_SUBNET6]);
        let at = argv.iter().position(|a| *a == dns).unwrap();
        argv[at] = resolver;
        // Longer phases than the other tests: an unpipelined probe fails
        // here by a timeout, so make it one no loaded machine hits.
        argv.extend(["--timeout", "5s"].map(String::from));
        let report = support::probe_with(argv, None).await;
        let logs = endpoint(&report, "logs");
        assert!(logs.dns.ok, "{:?}", logs.dns);
        assert_eq!(families(logs), [Family::Ipv4, Family::Ipv6]);
        assert!(logs.addresses.iter().all(|a| a.ok), "{logs:#?}");
        assert_eq!(logs.status, Status::Ok);
    });
}
