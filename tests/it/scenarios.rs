//! Every diagnosis against a simulated VPC: real DNS (hickory-server), real
//! TLS (rustls + rcgen), distinct loopback addresses for ENIs and public
//! addresses. Each test checks status, address classes, path and finding,
//! and (through hit counters) that the probe really reached the servers.

use crate::support;

use support::{Behavior, Issuer, Side, Validity, VpcBuilder, endpoint, host};
use vpce_probe::classify::{AddressClass, Path};
use vpce_probe::diagnose::{Finding, Status};
use vpce_probe::probe::FailureKind;
use vpce_probe::report::{EndpointReport, Verdict};

fn assert_judged(e: &EndpointReport, status: Status, path: Path, finding: Option<Finding>) {
    assert_eq!(
        (e.status, e.path, e.finding),
        (status, path, finding),
        "{}: {:?}",
        e.service,
        e.diagnosis
    );
    assert_eq!(e.diagnosis.is_some(), finding.is_some());
}

fn classes(e: &EndpointReport) -> Vec<AddressClass> {
    e.addresses.iter().map(|a| a.class).collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn all_private_endpoints_pass_even_when_private_is_expected() {
    let vpc = VpcBuilder::new()
        .endpoint("ecr.api", 2)
        .endpoint("ecr.dkr", 2)
        .name(
            &host("s3"),
            &[
                (Side::Public, Behavior::tls()),
                (Side::Public, Behavior::tls()),
            ],
        )
        .endpoint("logs", 2)
        .endpoint("ssm", 2)
        .cname(
            &host("secretsmanager"),
            "vpce-0abc-xyz.secretsmanager.ap-northeast-1.vpce.amazonaws.com",
            &[
                (Side::Private, Behavior::tls()),
                (Side::Private, Behavior::tls()),
            ],
        )
        .start()
        .await;
    let report = vpc.probe(&["--expect", "private"]).await;

    assert_eq!(report.verdict, Verdict::Pass);
    assert_eq!(report.endpoints.len(), 6, "the default set");
    for e in &report.endpoints {
        if e.service == "s3" {
            assert_judged(e, Status::Ok, Path::GatewayOrNat, None);
            assert_eq!(classes(e), vec![AddressClass::Public; 2]);
        } else {
            assert_judged(e, Status::Ok, Path::InterfaceEndpoint, None);
            assert_eq!(classes(e), vec![AddressClass::Private; 2]);
        }
        for a in &e.addresses {
            assert_eq!(vpc.hits(a.ip), 1, "{} was really probed once", a.ip);
            let tls = a.tls.as_ref().unwrap();
            assert!(tls.version.as_deref().unwrap().starts_with("TLSv1."));
            let cert = tls.certificate.as_ref().unwrap();
            assert!(cert.amazon_issuer, "{}", cert.issuer);
            assert!(cert.sans.iter().any(|s| s.raw() == e.host));
        }
    }
    let sm = endpoint(&report, "secretsmanager");
    assert_eq!(
        sm.dns.cname_chain,
        vec!["vpce-0abc-xyz.secretsmanager.ap-northeast-1.vpce.amazonaws.com"]
    );
    assert_eq!(sm.dns.cname_ttls, vec![120]);
    assert_eq!(sm.dns.addresses[0].ttl, Some(60));
    assert_eq!(sm.dns.nameservers, vec![vpc.dns.to_string()]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_dns_off_resolves_public_and_times_out() {
    let vpc = VpcBuilder::new()
        .name(
            &host("secretsmanager"),
            &[
                (Side::Public, Behavior::Blackhole),
                (Side::Public, Behavior::Blackhole),
            ],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "secretsmanager"]).await;
    let e = endpoint(&report, "secretsmanager");
    assert_judged(
        e,
        Status::Fail,
        Path::None,
        Some(Finding::PublicConnectTimeout),
    );
    assert_eq!(classes(e), vec![AddressClass::Public; 2]);
    let diagnosis = e.diagnosis.as_deref().unwrap();
    assert!(diagnosis.contains("private DNS"), "{diagnosis}");
    assert!(
        diagnosis.contains("com.amazonaws.ap-northeast-1.secretsmanager"),
        "{diagnosis}"
    );
    assert_eq!(report.verdict, Verdict::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn private_dns_off_with_a_refusing_public_address() {
    let vpc = VpcBuilder::new()
        .name(&host("ssm"), &[(Side::Public, Behavior::Closed)])
        .start()
        .await;
    let report = vpc.probe(&["--services", "ssm"]).await;
    let e = endpoint(&report, "ssm");
    assert_judged(e, Status::Fail, Path::None, Some(Finding::ConnectRefused));
    assert_eq!(classes(e), vec![AddressClass::Public]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn blocked_eni_is_a_security_group_problem() {
    let vpc = VpcBuilder::new()
        .name(
            &host("logs"),
            &[
                (Side::Private, Behavior::Blackhole),
                (Side::Private, Behavior::Blackhole),
            ],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "logs"]).await;
    let e = endpoint(&report, "logs");
    assert_judged(
        e,
        Status::Fail,
        Path::None,
        Some(Finding::PrivateConnectTimeout),
    );
    assert_eq!(classes(e), vec![AddressClass::Private; 2]);
    assert!(e.diagnosis.as_deref().unwrap().contains("security group"));
    for a in &e.addresses {
        assert_eq!(
            a.tcp.error.as_ref().map(|x| x.kind),
            Some(vpce_probe::probe::FailureKind::Timeout)
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_timeout_points_at_the_gateway_route_or_prefix_list() {
    let vpc = VpcBuilder::new()
        .name(&host("s3"), &[(Side::Public, Behavior::Blackhole)])
        .start()
        .await;
    let report = vpc.probe(&["--services", "s3"]).await;
    let e = endpoint(&report, "s3");
    assert_judged(e, Status::Fail, Path::None, Some(Finding::S3ConnectTimeout));
    assert!(e.diagnosis.as_deref().unwrap().contains("prefix list"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn nxdomain() {
    let vpc = VpcBuilder::new().endpoint("logs", 1).start().await;
    let report = vpc.probe(&["--services", "logs,kms"]).await;
    assert_judged(
        endpoint(&report, "logs"),
        Status::Ok,
        Path::InterfaceEndpoint,
        None,
    );
    let kms = endpoint(&report, "kms");
    assert_judged(kms, Status::Fail, Path::None, Some(Finding::DnsNxdomain));
    assert!(!kms.dns.ok);
    assert!(kms.addresses.is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn resolver_not_answering() {
    let (_socket, dns) = support::silent_dns().await;
    let vpc = VpcBuilder::new().endpoint("logs", 1).start().await;
    let dns = dns.to_string();
    let report = vpc
        .probe(&["--services", "logs", "--dns-server", &dns])
        .await;
    let e = endpoint(&report, "logs");
    assert_judged(
        e,
        Status::Fail,
        Path::None,
        Some(Finding::DnsResolverUnreachable),
    );
    assert!(e.diagnosis.as_deref().unwrap().contains(&dns));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hostname_mismatch() {
    let vpc = VpcBuilder::new()
        .name(
            &host("kms"),
            &[(
                Side::Private,
                Behavior::tls_for(&["sts.ap-northeast-1.amazonaws.com"]),
            )],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "kms"]).await;
    let e = endpoint(&report, "kms");
    assert_judged(
        e,
        Status::Fail,
        Path::None,
        Some(Finding::TlsHostnameMismatch),
    );
    let diagnosis = e.diagnosis.as_deref().unwrap();
    assert!(
        diagnosis.contains("sts.ap-northeast-1.amazonaws.com"),
        "names what was presented: {diagnosis}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn untrusted_ca() {
    let vpc = VpcBuilder::new()
        .name(
            &host("sts"),
            &[(Side::Private, Behavior::tls_by(Issuer::Rogue))],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "sts"]).await;
    let e = endpoint(&report, "sts");
    assert_judged(e, Status::Fail, Path::None, Some(Finding::TlsUntrusted));
    let cert = e.addresses[0]
        .tls
        .as_ref()
        .unwrap()
        .certificate
        .as_ref()
        .unwrap();
    assert_eq!(
        cert.issuer_org
            .as_ref()
            .map(vpce_probe::printable::Untrusted::raw),
        Some("Rogue Networks"),
        "the rejected certificate is still reported"
    );
    assert!(e.diagnosis.as_deref().unwrap().contains("Rogue CA"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn interception_by_a_trusted_non_amazon_ca_warns() {
    let vpc = VpcBuilder::new()
        .name(
            &host("ecr.api"),
            &[(Side::Private, Behavior::tls_by(Issuer::Proxy))],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "ecr.api"]).await;
    let e = endpoint(&report, "ecr.api");
    assert_judged(
        e,
        Status::Warn,
        Path::InterfaceEndpoint,
        Some(Finding::TlsInterception),
    );
    assert!(e.diagnosis.as_deref().unwrap().contains("Corp Proxy Inc"));
    assert_eq!(
        report.verdict,
        Verdict::Pass,
        "a warning does not fail the run"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_that_never_answers_the_client_hello() {
    let vpc = VpcBuilder::new()
        .name(&host("ssmmessages"), &[(Side::Private, Behavior::Silent)])
        .start()
        .await;
    let report = vpc.probe(&["--services", "exec"]).await;
    let e = endpoint(&report, "ssmmessages");
    assert_judged(
        e,
        Status::Fail,
        Path::None,
        Some(Finding::TlsHandshakeTimeout),
    );
    assert!(e.addresses[0].tcp.ok);
    assert_eq!(vpc.hits(e.addresses[0].ip), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn public_path_passes_by_default_and_fails_when_private_is_expected() {
    let vpc = VpcBuilder::new()
        .name(&host("logs"), &[(Side::Public, Behavior::tls())])
        .name(&host("s3"), &[(Side::Public, Behavior::tls())])
        .start()
        .await;
    let relaxed = vpc.probe(&["--services", "logs,s3"]).await;
    assert_judged(endpoint(&relaxed, "logs"), Status::Ok, Path::Public, None);
    assert_eq!(relaxed.verdict, Verdict::Pass);

    let strict = vpc
        .probe(&["--services", "logs,s3", "--expect", "private"])
        .await;
    let logs = endpoint(&strict, "logs");
    assert_judged(logs, Status::Fail, Path::Public, Some(Finding::PublicPath));
    assert!(
        logs.diagnosis
            .as_deref()
            .unwrap()
            .contains("leaves the VPC")
    );
    assert_judged(
        endpoint(&strict, "s3"),
        Status::Ok,
        Path::GatewayOrNat,
        None,
    );
    assert_eq!(strict.verdict, Verdict::Fail);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_of_three_enis_dead_warns() {
    let vpc = VpcBuilder::new()
        .name(
            &host("secretsmanager"),
            &[
                (Side::Private, Behavior::tls()),
                (Side::Private, Behavior::Blackhole),
                (Side::Private, Behavior::tls()),
            ],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "secretsmanager"]).await;
    let e = endpoint(&report, "secretsmanager");
    assert_judged(
        e,
        Status::Warn,
        Path::InterfaceEndpoint,
        Some(Finding::PrivateConnectTimeout),
    );
    assert_eq!(e.addresses.iter().filter(|a| a.ok).count(), 2);
    assert!(
        e.diagnosis
            .as_deref()
            .unwrap()
            .starts_with("1 of 3 addresses failed")
    );
    assert_eq!(report.verdict, Verdict::Pass);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn certificate_validity() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .name(
            &host("kms"),
            &[(Side::Private, Behavior::tls_valid(Validity::Expired))],
        )
        .name(
            &host("sts"),
            &[(Side::Private, Behavior::tls_valid(Validity::NotYetValid))],
        )
        .name(
            &host("xray"),
            &[(
                Side::Private,
                Behavior::tls_valid(Validity::ExpiresInDays(5)),
            )],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "logs,kms,sts,xray"]).await;
    assert_judged(
        endpoint(&report, "kms"),
        Status::Fail,
        Path::None,
        Some(Finding::TlsCertExpired),
    );
    assert_judged(
        endpoint(&report, "sts"),
        Status::Fail,
        Path::None,
        Some(Finding::TlsCertNotYetValid),
    );
    // Bad certificates elsewhere leave a good endpoint alone.
    assert_judged(
        endpoint(&report, "logs"),
        Status::Ok,
        Path::InterfaceEndpoint,
        None,
    );
    let xray = endpoint(&report, "xray");
    assert_judged(
        xray,
        Status::Warn,
        Path::InterfaceEndpoint,
        Some(Finding::CertExpiringSoon),
    );
    let days = xray.addresses[0]
        .tls
        .as_ref()
        .unwrap()
        .certificate
        .as_ref()
        .unwrap()
        .days_left;
    assert_eq!(days, 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn targets_and_hosts_file() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .extra(Side::Private, Behavior::tls_for(&["api.internal.example"]))
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    std::fs::write(&hosts, format!("{} api.internal.example\n", vpc.extra(0))).unwrap();
    let target = format!("api.internal.example:{}", vpc.port);
    let report = vpc
        .probe(&[
            "--services",
            "logs",
            "--target",
            &target,
            "--hosts-file",
            hosts.to_str().unwrap(),
        ])
        .await;
    let t = endpoint(&report, "target");
    assert_judged(t, Status::Ok, Path::Private, None);
    assert_eq!(
        t.dns.source,
        Some(vpce_probe::probe::AnswerSource::HostsFile)
    );
    assert!(t.dns.nameservers.is_empty());
    assert_eq!(
        endpoint(&report, "logs").dns.source,
        Some(vpce_probe::probe::AnswerSource::Dns)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_hosts_file_entry_to_a_dead_address_is_named_with_what_dns_says() {
    // DNS serves the endpoint's ENI; a stale hosts-file entry pins the
    // name to an address where nothing answers.
    let vpc = VpcBuilder::new()
        .endpoint("secretsmanager", 1)
        .extra(Side::Private, Behavior::Blackhole)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let hosts = dir.path().join("hosts");
    let name = host("secretsmanager");
    let entry = format!("{}   {name}  # left from a migration", vpc.extra(0));
    std::fs::write(&hosts, format!("127.0.0.1 localhost\n{entry}\n")).unwrap();
    let report = vpc
        .probe(&[
            "--services",
            "secretsmanager",
            "--hosts-file",
            hosts.to_str().unwrap(),
        ])
        .await;
    let e = endpoint(&report, "secretsmanager");
    assert_judged(
        e,
        Status::Fail,
        Path::None,
        Some(Finding::PrivateConnectTimeout),
    );
    assert_eq!(
        e.dns.source,
        Some(vpce_probe::probe::AnswerSource::HostsFile)
    );
    let pin = e
        .dns
        .hosts_file
        .as_ref()
        .expect("the hosts-file pin is reported");
    let eni = vpc.records[0].2[0];
    assert_eq!(pin.path, hosts.display().to_string());
    assert_eq!(pin.entries, [format!("{} {name}", vpc.extra(0))]);
    assert!(pin.dns.ok);
    assert_eq!(pin.dns.addresses[0].ip, eni);
    assert_eq!(pin.dns.nameservers, [vpc.dns.to_string()]);
    let d = e.diagnosis.as_deref().unwrap();
    assert!(
        d.starts_with(&format!(
            "The hosts file {} pins {name} ('{} {name}')",
            hosts.display(),
            vpc.extra(0)
        )),
        "{d}"
    );
    assert!(
        d.contains(&format!("DNS would have returned {eni} (private)")),
        "{d}"
    );
    // The ENI that DNS names is never connected to: the hosts file wins.
    assert_eq!(vpc.hits(eni), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_deadline_bounds_the_run() {
    // Phase timeouts of a minute would hang the test; the deadline cuts them short.
    let vpc = VpcBuilder::new()
        .name(&host("logs"), &[(Side::Private, Behavior::Blackhole)])
        .name(&host("ssm"), &[(Side::Private, Behavior::Silent)])
        .start()
        .await;
    let report = vpc
        .probe(&[
            "--services",
            "logs,ssm",
            "--timeout",
            "60s",
            "--deadline",
            "400ms",
        ])
        .await;
    assert_judged(
        endpoint(&report, "logs"),
        Status::Fail,
        Path::None,
        Some(Finding::DeadlineExceeded),
    );
    assert_judged(
        endpoint(&report, "ssm"),
        Status::Fail,
        Path::None,
        Some(Finding::DeadlineExceeded),
    );
    assert!(report.duration_ms < 60_000.0);
}

/// The TLS failures of each address, in DNS order (`None` where it passed).
fn tls_failures(e: &EndpointReport) -> Vec<Option<FailureKind>> {
    e.addresses
        .iter()
        .map(|a| {
            a.tls
                .as_ref()
                .and_then(|t| t.error.as_ref())
                .map(|err| err.kind)
        })
        .collect()
}

/// The good ENIs of a name present one chain, byte for byte, and the probe
/// verifies it once a round (`probe::tls::ChainMemo`): a different chain on
/// one ENI among them is still judged on its own, whichever arrives first,
/// and a server that presents the good chain without its key still fails.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_bad_chain_among_an_endpoints_good_ones_is_still_found() {
    let one_bad = |bad: Behavior| {
        [
            (Side::Private, Behavior::tls()),
            (Side::Private, bad),
            (Side::Private, Behavior::tls()),
        ]
    };
    let vpc = VpcBuilder::new()
        .name(&host("sts"), &one_bad(Behavior::tls_by(Issuer::Rogue)))
        .name(&host("ecr.api"), &one_bad(Behavior::tls_by(Issuer::Proxy)))
        .name(
            &host("kms"),
            &one_bad(Behavior::tls_valid(Validity::Expired)),
        )
        .name(&host("logs"), &one_bad(Behavior::Impostor))
        .start()
        .await;
    let session = session(&vpc, &["--services", "sts,ecr.api,kms,logs"]).await;
    // Two rounds of one session, as a sidecar runs them.
    for round in 1..=2 {
        let report = session.round().await;
        let judged = |service: &str, finding: Finding, failures: [Option<FailureKind>; 3]| {
            let e = endpoint(&report, service);
            assert_judged(e, Status::Warn, Path::InterfaceEndpoint, Some(finding));
            assert_eq!(tls_failures(e), failures, "{service}, round {round}");
            for a in &e.addresses {
                assert_eq!(vpc.hits(a.ip), round, "{} probed every round", a.ip);
            }
            e
        };
        let alone = |kind| [None, Some(kind), None];
        judged(
            "sts",
            Finding::TlsUntrusted,
            alone(FailureKind::UnknownIssuer),
        );
        judged(
            "kms",
            Finding::TlsCertExpired,
            alone(FailureKind::CertExpired),
        );
        judged(
            "logs",
            Finding::TlsHandshakeFailed,
            alone(FailureKind::CertInvalid),
        );
        let proxied = judged("ecr.api", Finding::TlsInterception, [None; 3]);
        let orgs: Vec<_> = proxied
            .addresses
            .iter()
            .map(|a| {
                a.tls
                    .as_ref()
                    .unwrap()
                    .certificate
                    .as_ref()
                    .unwrap()
                    .issuer_org
                    .as_ref()
                    .map(|o| o.raw().to_owned())
            })
            .collect();
        assert_eq!(
            orgs,
            [Some("Amazon"), Some("Corp Proxy Inc"), Some("Amazon")].map(|o| o.map(str::to_owned))
        );
    }
}

/// Every ENI of a name presents the same chain: every one passes, round
/// after round, each with the certificate reported.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_chain_on_every_eni_passes_every_round() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 3)
        .endpoint("ssm", 3)
        .start()
        .await;
    let session = session(&vpc, &["--services", "logs,ssm"]).await;
    for round in 1..=3 {
        let report = session.round().await;
        assert_eq!(report.verdict, Verdict::Pass);
        for e in &report.endpoints {
            assert_judged(e, Status::Ok, Path::InterfaceEndpoint, None);
            let certs: Vec<_> = e
                .addresses
                .iter()
                .map(|a| {
                    assert_eq!(vpc.hits(a.ip), round);
                    let cert = a.tls.as_ref().unwrap().certificate.as_ref().unwrap();
                    assert!(cert.sans.iter().any(|s| s.raw() == e.host));
                    serde_json::to_value(cert).unwrap()
                })
                .collect();
            assert_eq!(certs.len(), 3);
            assert!(certs.iter().all(|c| *c == certs[0]), "one certificate");
        }
    }
}

/// A session on `vpc` with these arguments, for several rounds.
async fn session(vpc: &support::Vpc, extra: &[&str]) -> vpce_probe::session::Session {
    let cli = vpce_probe::cli::parse(vpc.args(extra)).unwrap();
    let args = vpce_probe::probe_args(&cli).unwrap();
    let config = vpce_probe::config::Config::from_args(args, &|_| None).unwrap();
    vpce_probe::session::Session::start(config).await.unwrap()
}
