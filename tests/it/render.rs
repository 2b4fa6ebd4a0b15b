//! Each renderer against a whole expected rendering of one fixture report:
//! a task from the AWS documentation's Fargate metadata, its auto-plan, a
//! `--target`, and a hand-made probe result per endpoint covering the
//! common outcomes (private, private DNS off, blocked ENIs, S3 gateway, one
//! dead ENI of three, interception, NXDOMAIN, a public path under
//! `--expect private`). Nothing here touches the network or the clock, so
//! the text, JSON and EMF bytes are fixed; `UPDATE_GOLDEN=1 cargo test
//! --test it render::` rewrites `tests/fixtures/render/` after a deliberate change.

use std::net::IpAddr;
use std::time::Duration;

use vpce_probe::classify::Network;
use vpce_probe::context::Context;
use vpce_probe::probe::dns::{CnameHop, ResolvedAddress};
use vpce_probe::probe::{
    AddressProbe, AnswerSource, CertInfo, ChainInfo, DnsOutcome, EndpointProbe, Failure,
    FailureKind, Resolution, Timed, TlsSession,
};
use vpce_probe::report::{self, Report};
use vpce_probe::{cli, config, metadata, plan, render};

fn fixture(name: &str) -> serde_json::Value {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn ms(n: u64) -> Duration {
    Duration::from_micros(n * 1000 + 250)
}

fn ok<T>(n: u64, v: T) -> Timed<T> {
    Timed {
        elapsed: ms(n),
        result: Ok(v),
    }
}

fn err<T>(n: u64, kind: FailureKind, detail: &str) -> Timed<T> {
    Timed {
        elapsed: ms(n),
        result: Err(Failure::new(kind, detail)),
    }
}

/// 2027-09-17T10:12:21Z, 299 days after the report's start.
const NOT_AFTER: i64 = 1_821_175_941;

fn cert(host: &str, issuer_org: &str) -> CertInfo {
    CertInfo {
        subject: format!("CN={host}").into(),
        issuer: format!("C=US, O={issuer_org}, CN={issuer_org} Issuing CA").into(),
        issuer_org: Some(issuer_org.into()),
        not_before: NOT_AFTER - 300 * 86_400,
        not_after: NOT_AFTER,
        days_left: 299,
        sans: vec![host.into()],
        chain_len: 2,
        // The intermediate outlives the leaf, as Amazon's do.
        chain: ChainInfo {
            not_after: vec![NOT_AFTER, NOT_AFTER + 3 * 365 * 86_400],
            verified_path_expiry: Some(NOT_AFTER),
            leaf_sha256: "0f".repeat(32),
            leaf_subject_go: format!("CN={host}"),
            leaf_issuer_go: format!("CN={issuer_org} Issuing CA,O={issuer_org},C=US"),
            leaf_dns_names: vec![host.to_owned()],
        },
    }
}

enum At {
    Pass(&'static str),
    Intercepted,
    TcpTimeout,
    Refused,
    Untrusted,
}

fn address(ip: &str, host: &str, at: &At) -> AddressProbe {
    let ip: IpAddr = ip.parse().unwrap();
    let session = TlsSession {
        version: "TLSv1.3".into(),
        cipher: "TLS13_AES_256_GCM_SHA384".into(),
    };
    let (tcp, tls, cert) = match at {
        At::Pass(org) => (ok(1, ()), Some(ok(3, session)), Some(cert(host, org))),
        At::Intercepted => (
            ok(1, ()),
            Some(ok(3, session)),
            Some(cert(host, "Corp Proxy Inc")),
        ),
        At::TcpTimeout => (
            err(3000, FailureKind::Timeout, "no answer within 3s"),
            None,
            None,
        ),
        At::Refused => (
            err(1, FailureKind::Refused, "Connection refused (os error 111)"),
            None,
            None,
        ),
        At::Untrusted => (
            ok(1, ()),
            Some(err(
                2,
                FailureKind::UnknownIssuer,
                "invalid peer certificate: UnknownIssuer",
            )),
            Some(cert(host, "Rogue Networks")),
        ),
    };
    AddressProbe { ip, tcp, tls, cert }
}

fn resolved(host: &str, answers: &[(&str, At)], cname: Option<&str>) -> EndpointProbe {
    EndpointProbe::direct(
        DnsOutcome {
            nameservers: vec!["10.0.0.2:53".parse().unwrap()],
            answer: ok(
                2,
                Resolution {
                    source: AnswerSource::Dns,
                    addresses: answers
                        .iter()
                        .map(|(ip, _)| ResolvedAddress {
                            ip: ip.parse().unwrap(),
                            ttl: Some(60),
                        })
                        .collect(),
                    cname_chain: cname
                        .map(|c| CnameHop {
                            target: c.to_owned(),
                            ttl: 300,
                        })
                        .into_iter()
                        .collect(),
                },
            ),
            hosts_pin: None,
        },
        answers
            .iter()
            .map(|(ip, at)| address(ip, host, at))
            .collect(),
    )
}

/// What each planned endpoint met, by service label.
fn outcome(service: &str, host: &str) -> EndpointProbe {
    match service {
        "ecr.api" => resolved(
            host,
            &[
                ("10.0.1.10", At::Pass("Amazon")),
                ("10.0.2.10", At::Pass("Amazon")),
            ],
            None,
        ),
        "ecr.dkr" => resolved(host, &[("10.0.1.11", At::Pass("Amazon"))], None),
        "s3" => resolved(host, &[("52.219.41.3", At::Pass("Amazon"))], None),
        "logs" => resolved(
            host,
            &[
                ("10.0.1.12", At::Pass("Amazon")),
                ("10.0.2.12", At::Refused),
                ("10.0.3.12", At::Pass("Amazon")),
            ],
            Some("vpce-0a1b.logs.us-east-1.vpce.amazonaws.com"),
        ),
        "ssm" => resolved(
            host,
            &[("10.0.1.13", At::TcpTimeout), ("10.0.2.13", At::TcpTimeout)],
            None,
        ),
        "secretsmanager" => resolved(host, &[("54.239.1.9", At::TcpTimeout)], None),
        "sts" => resolved(host, &[("10.0.1.14", At::Intercepted)], None),
        "kms" => EndpointProbe::direct(
            DnsOutcome {
                nameservers: vec!["10.0.0.2:53".parse().unwrap()],
                answer: err(
                    2,
                    FailureKind::NxDomain,
                    "NXDOMAIN: the name does not exist",
                ),
                hosts_pin: None,
            },
            vec![],
        ),
        "xray" => resolved(host, &[("10.0.1.15", At::Untrusted)], None),
        // Docker Hub and ECR Public from an isolated subnet.
        "registry" => resolved(host, &[("44.205.64.79", At::TcpTimeout)], None),
        _ => resolved(host, &[("203.0.113.7", At::Pass("Example CA"))], None),
    }
}

fn fixture_report() -> Report {
    report::build(&fixture_assessment())
}

fn fixture_assessment() -> vpce_probe::assess::Assessment {
    let command_line = [
        "vpce-probe",
        "check",
        "--expect",
        "private",
        "--vpc-cidr",
        "10.0.0.0/16",
        "--target",
        "api.example.com:8443",
    ];
    let parsed = cli::parse(command_line).unwrap();
    let cli::Command::Check(args) = parsed.command else {
        unreachable!()
    };
    let mut config = config::Config::from_args(&args, &|_| None).unwrap();
    // The default set plus three more, for findings the default set lacks.
    config
        .plan
        .services
        .extend(vpce_probe::catalog::parse_services(&["sts", "kms", "xray"]).unwrap());
    let task = metadata::parse(
        &fixture("fargate-task.json"),
        Some(&fixture("fargate-container.json")),
    );
    let plan = plan::build(&config.plan, Some(&task)).unwrap();
    let probes: Vec<EndpointProbe> = plan
        .endpoints
        .iter()
        .map(|e| outcome(e.kind.label(), &e.host.to_string()))
        .collect();
    let discovery = metadata::Discovery {
        task: Some(task),
        note: None,
    };
    let context = Context::new(&discovery, &plan, &["10.0.0.2:53".parse().unwrap()]);
    let network = Network::new(
        config.vpc_cidrs.clone(),
        discovery.task.as_ref().and_then(|t| t.subnet_cidr),
    );
    let started = time::OffsetDateTime::from_unix_timestamp(NOT_AFTER - 299 * 86_400).unwrap();
    vpce_probe::assess::assess(
        config.policy,
        &network,
        &plan,
        probes,
        started,
        Duration::from_millis(3012),
        &context,
    )
}

fn golden(name: &str, got: &[u8]) {
    let path = format!(
        "{}/tests/fixtures/render/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, got).unwrap();
    }
    let want = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let (got, want) = (String::from_utf8_lossy(got), String::from_utf8_lossy(&want));
    if got != want {
        let line = got
            .lines()
            .zip(want.lines())
            .position(|(g, w)| g != w)
            .unwrap_or_else(|| got.lines().count().min(want.lines().count()));
        panic!(
            "{name} differs from {path} at line {}:\n  got:  {:?}\n  want: {:?}",
            line + 1,
            got.lines().nth(line),
            want.lines().nth(line)
        );
    }
}

#[test]
fn text_report() {
    let mut out = Vec::new();
    render::text::render(&fixture_report(), &mut out, false).unwrap();
    golden("report.txt", &out);
}

#[test]
fn text_report_in_colour() {
    let mut out = Vec::new();
    render::text::render(&fixture_report(), &mut out, true).unwrap();
    golden("report.color.txt", &out);
}

#[test]
fn json_report() {
    let mut out = Vec::new();
    render::json::render(&fixture_report(), &mut out).unwrap();
    golden("report.json", &out);
}

#[test]
fn json_line() {
    let mut out = Vec::new();
    render::json::render_line(&fixture_report(), &mut out).unwrap();
    golden("report.jsonl", &out);
}

#[test]
fn emf_lines() {
    let mut out = Vec::new();
    render::emf::render(&fixture_report(), "VpceProbe", &mut out).unwrap();
    golden("report.emf", &out);
}

#[test]
fn fix_outputs() {
    let assessment = fixture_assessment();
    let report = report::build(&assessment);
    let remedies = vpce_probe::remedy::remedies(&assessment);
    let mut text = Vec::new();
    render::fix::text(&remedies, &mut text).unwrap();
    golden("report.fix.txt", &text);
    let mut terraform = Vec::new();
    render::fix::terraform(&(&report).into(), &remedies, &mut terraform).unwrap();
    golden("report.fix.tf", &terraform);
    hcl::parse(std::str::from_utf8(&terraform).unwrap()).expect("the Terraform parses");
    let mut cli = Vec::new();
    render::fix::cli(&(&report).into(), &remedies, &mut cli).unwrap();
    golden("report.fix.sh", &cli);
}
