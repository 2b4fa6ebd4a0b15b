//! The real binary, end to end: exit codes, both report formats, the JSON
//! Schema contract, stdout carrying nothing but the report, and one-line
//! usage errors.

use crate::support;

use support::{Behavior, Side, VpcBuilder, host, run_binary};

fn validate_report(stdout: &str) -> serde_json::Value {
    let report: serde_json::Value = serde_json::from_str(stdout)
        .unwrap_or_else(|e| panic!("stdout is one JSON document ({e}):\n{stdout}"));
    let errors = support::schema_errors(&report);
    assert!(
        errors.is_empty(),
        "report violates the schema: {errors:#?}\n{stdout}"
    );
    report
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn passing_run_exits_0_with_a_text_report() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 2)
        .endpoint("ssm", 1)
        .start()
        .await;
    let (code, stdout, stderr) = vpc.run_binary(&["--services", "logs,ssm"]).await;
    assert_eq!(code, 0, "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(stdout.starts_with("vpce-probe "), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "OK    logs            {}:{}",
            host("logs"),
            vpc.port
        )),
        "{stdout}"
    );
    assert!(stdout.contains("path     interface-endpoint"), "{stdout}");
    assert!(stdout.contains("TLSv1.3"), "{stdout}");
    assert!(
        stdout
            .trim_end()
            .ends_with("verdict: PASS  (2 ok, 0 warn, 0 fail)"),
        "{stdout}"
    );
    assert!(
        !stdout.contains('\x1b'),
        "no colour when stdout is not a terminal"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failing_run_exits_1_and_its_json_matches_the_schema() {
    let vpc = VpcBuilder::new()
        .endpoint("ecr.api", 2)
        .name(
            &host("secretsmanager"),
            &[(Side::Public, Behavior::Blackhole)],
        )
        .name(
            &host("logs"),
            &[
                (Side::Private, Behavior::tls()),
                (Side::Private, Behavior::Closed),
            ],
        )
        .name(&host("ssm"), &[(Side::Private, Behavior::Silent)])
        .start()
        .await;
    // Debug logs must stay on stderr: stdout is parsed as one document.
    let (code, stdout, stderr) = vpc
        .run_binary(&[
            "--services",
            "ecr.api,secretsmanager,logs,ssm,kms",
            "--format",
            "json",
            "--log",
            "debug",
        ])
        .await;
    assert_eq!(code, 1, "stderr:\n{stderr}");
    assert!(!stderr.is_empty(), "debug logs went to stderr");
    let report = validate_report(&stdout);
    assert_eq!(report["schema_version"], 1);
    assert_eq!(report["verdict"], "fail");
    assert_eq!(report["region"], support::REGION);
    assert_eq!(report["context"], serde_json::json!({}));
    let by_service = |s: &str| {
        report["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["service"] == s)
            .unwrap()
            .clone()
    };
    assert_eq!(by_service("ecr.api")["status"], "ok");
    assert_eq!(by_service("ecr.api")["diagnosis"], serde_json::Value::Null);
    assert_eq!(
        by_service("secretsmanager")["finding"],
        "public_connect_timeout"
    );
    assert_eq!(
        by_service("secretsmanager")["dns"]["addresses"][0]["class"],
        "public"
    );
    assert_eq!(
        by_service("secretsmanager")["addresses"][0]["tcp"]["error"]["kind"],
        "timeout"
    );
    assert_eq!(by_service("logs")["status"], "warn");
    assert_eq!(by_service("logs")["finding"], "connect_refused");
    assert_eq!(by_service("ssm")["finding"], "tls_handshake_timeout");
    assert_eq!(by_service("kms")["finding"], "dns_nxdomain");
    assert_eq!(
        report["summary"],
        serde_json::json!({"ok": 1, "warn": 1, "fail": 3})
    );

    // The schema is strict enough to catch a broken contract.
    let v = support::schema_validator();
    let mutations: [(&str, serde_json::Value); 4] = [
        ("/endpoints/0/status", serde_json::json!("great")),
        ("/endpoints/0/finding", serde_json::json!("dns_nxdomain")),
        (
            "/endpoints/1/dns/addresses/0/ip",
            serde_json::json!("not an ip"),
        ),
        ("/verdict", serde_json::json!(true)),
    ];
    for (pointer, value) in mutations {
        let mut broken = report.clone();
        *broken.pointer_mut(pointer).unwrap() = value;
        assert!(!v.is_valid(&broken), "schema accepted a broken {pointer}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_scenario_report_matches_the_schema() {
    let vpc = VpcBuilder::new()
        .endpoint("ecr.api", 1)
        .name(&host("s3"), &[(Side::Public, Behavior::tls())])
        .name(
            &host("sts"),
            &[(Side::Private, Behavior::tls_by(support::Issuer::Proxy))],
        )
        .name(
            &host("kms"),
            &[(Side::Private, Behavior::tls_by(support::Issuer::Rogue))],
        )
        .cname(
            &host("logs"),
            "vpce-1.logs.ap-northeast-1.vpce.amazonaws.com",
            &[(Side::Private, Behavior::tls())],
        )
        .start()
        .await;
    let target = format!("127.0.0.1:{}", vpc.port);
    let (code, stdout, _) = vpc
        .run_binary(&[
            "--services",
            "ecr.api,s3,sts,kms,logs",
            "--target",
            &target,
            "--format",
            "json",
        ])
        .await;
    assert_eq!(code, 1);
    let report = validate_report(&stdout);
    assert_eq!(
        report["endpoints"][4]["dns"]["cname_chain"][0],
        "vpce-1.logs.ap-northeast-1.vpce.amazonaws.com"
    );
    assert_eq!(report["endpoints"][5]["dns"]["source"], "ip_literal");
}

#[tokio::test]
async fn usage_errors_exit_2_with_one_line_naming_the_input() {
    let dir = tempfile::tempdir().unwrap();
    let not_pem = dir.path().join("not.pem");
    std::fs::write(&not_pem, "hello\n").unwrap();
    let not_pem = not_pem.to_str().unwrap();
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (vec!["--region", "us-east-1", "--bogus"], "'--bogus'"),
        (vec!["--region", "tokyo"], "invalid --region 'tokyo'"),
        (vec![], "no region"),
        (
            vec!["--region", "us-east-1", "--services", "ecr,lgos"],
            "'lgos'",
        ),
        (
            vec!["--region", "us-east-1", "--vpc-cidr", "10.0.0.0/40"],
            "invalid --vpc-cidr '10.0.0.0/40': expected a CIDR",
        ),
        (
            vec!["--region", "us-east-1", "--timeout", "fast"],
            "invalid --timeout 'fast': expected a duration like 500ms",
        ),
        (
            vec!["--region", "us-east-1", "--ca-file", "/nonexistent/ca.pem"],
            "'/nonexistent/ca.pem'",
        ),
        (vec!["--region", "us-east-1", "--ca-file", not_pem], not_pem),
        (
            vec![
                "--region",
                "us-east-1",
                "--resolv-conf",
                "/nonexistent/resolv.conf",
            ],
            "'/nonexistent/resolv.conf'",
        ),
        (vec!["--region", "us-east-1", "--format", "yaml"], "'yaml'"),
        (
            vec!["--region", "us-east-1", "--expect", "public"],
            "'public'",
        ),
        (
            vec!["--region", "us-east-1", "--log", "[[["],
            "invalid --log '[[[': expected a filter like warn, info or vpce_probe=debug",
        ),
        (
            vec!["--region", "us-east-1", "--dns-server", "resolver"],
            "'resolver'",
        ),
        (vec!["--region", "us-east-1", "--target", "a b"], "'a b'"),
        (
            vec!["endpoints", "--region", "us-east-1", "--port", "0"],
            "invalid --port '0'",
        ),
        // First-run papercuts: each names the flag and says what was wrong.
        (
            vec!["--region", "us-east-1", "--services", "none"],
            "nothing to probe",
        ),
        (
            vec!["--region", "us-east-1", "--services", ""],
            "invalid --services ''",
        ),
        (
            vec!["--region", "us-east-1", "--target", ""],
            "invalid --target ''",
        ),
        (
            vec!["--region", "us-east-1", "--deadline", "-1s"],
            "invalid --deadline '-1s'",
        ),
        (
            vec!["--region", "us-east-1", "--format", "xml"],
            "(possible values: text, json, emf, terraform, cli)",
        ),
    ];
    assert_usage_errors(cases).await;
}

#[tokio::test]
async fn refused_values_exit_2_with_one_line_naming_the_flag() {
    let cases: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--region", "us-east-1", "--port", "70000"],
            "invalid --port '70000': expected a port from 1 to 65535",
        ),
        (
            vec!["--region", "us-east-1", "--ca-file", "/tmp/"],
            "invalid --ca-file '/tmp/': expected a file path",
        ),
        (
            vec!["watch", "--region", "us-east-1", "--status-file", ""],
            "invalid --status-file '': expected a file path",
        ),
        (
            vec!["watch", "--region", "us-east-1", "--interval", "500ms"],
            "invalid --interval '500ms': expected at least 1s",
        ),
        (
            vec!["watch", "--metrics-listen", "localhost:9115"],
            "invalid --metrics-listen 'localhost:9115'",
        ),
        // The app's SDK settings, read by the parsers of their variables.
        (
            vec![
                "--region",
                "us-east-1",
                "--endpoint-url",
                "http://x.example",
            ],
            "invalid --endpoint-url 'http://x.example': expected https://HOST[:PORT] (the probe",
        ),
        (
            vec![
                "--region",
                "us-east-1",
                "--endpoint-url",
                "s3=https://x.example,kms=https://u:s3cret@y.example",
            ],
            "invalid --endpoint-url 'kms=https://...@y.example': expected https://HOST[:PORT] without credentials",
        ),
        (
            vec![
                "--region",
                "us-east-1",
                "--sts-regional-endpoints",
                "global",
            ],
            "invalid --sts-regional-endpoints 'global': expected legacy or regional",
        ),
        (
            vec!["--region", "us-east-1", "--aws-config-file", "/tmp/"],
            "invalid --aws-config-file '/tmp/': expected a file path",
        ),
        (
            vec!["--region", "us-east-1", "--aws-profile", ""],
            "invalid --aws-profile '': expected a profile name; an empty value is not one",
        ),
    ];
    assert_usage_errors(cases).await;
}

/// Each command line exits 2 (1 for `health`) with one line on stderr that
/// contains its `names`.
async fn assert_usage_errors(cases: Vec<(Vec<&str>, &str)>) {
    for (args, names) in cases {
        let (code, stdout, stderr) = run_binary(&args).await;
        // health never exits 2 (Docker reserves it): its usage errors are 1.
        let want = if args.first() == Some(&"health") {
            1
        } else {
            2
        };
        assert_eq!(code, want, "{args:?}: {stderr}");
        assert_eq!(stdout, "", "{args:?}");
        assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr:?}");
        assert!(stderr.starts_with("vpce-probe: "), "{args:?}: {stderr}");
        assert!(
            stderr.contains(names),
            "{args:?}: {stderr:?} should name {names}"
        );
        assert!(!stderr.contains("panicked"), "{args:?}: {stderr}");
    }
}

#[tokio::test]
async fn health_names_a_negative_max_age_and_still_never_exits_2() {
    let (code, stdout, _) = run_binary(&["health", "--max-age", "-3m"]).await;
    assert_eq!(code, 1);
    assert!(
        stdout.starts_with("unhealthy: invalid --max-age '-3m'"),
        "{stdout}"
    );
}

#[tokio::test]
async fn endpoints_prints_the_plan_without_the_network() {
    let (code, stdout, _) = run_binary(&[
        "endpoints",
        "--region",
        "cn-north-1",
        "--services",
        "ecr",
        "--ecr-registry",
        "123456789012",
        "--format",
        "json",
        // A resolver that does not exist proves nothing is resolved.
        "--resolv-conf",
        "/nonexistent",
    ])
    .await;
    assert_eq!(code, 0);
    let plan: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let hosts = support::plan_hosts(&stdout);
    assert_eq!(
        hosts,
        vec![
            "api.ecr.cn-north-1.amazonaws.com.cn",
            "123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn",
            "prod-cn-north-1-starport-layer-bucket.s3.cn-north-1.amazonaws.com.cn",
        ]
    );
    assert_eq!(
        plan["endpoints"][0]["endpoint_service"],
        "cn.com.amazonaws.cn-north-1.ecr.api"
    );
}

#[tokio::test]
async fn flags_read_environment_variables() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .arg("endpoints")
        .env("VPCE_PROBE_REGION", "eu-west-1")
        .env("VPCE_PROBE_SERVICES", "exec,logs")
        .env("VPCE_PROBE_PORT", "8443")
        .output()
        .await
        .unwrap();
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(out.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains("ssmmessages.eu-west-1.amazonaws.com"),
        "{stdout}"
    );
    assert!(stdout.contains("logs.eu-west-1.amazonaws.com"), "{stdout}");
    assert!(stdout.contains("8443"), "{stdout}");

    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["endpoints"])
        .env_remove("VPCE_PROBE_REGION")
        .env("AWS_REGION", "us-west-2")
        .output()
        .await
        .unwrap();
    assert!(
        String::from_utf8(out.stdout)
            .unwrap()
            .contains("logs.us-west-2.amazonaws.com")
    );
}

#[tokio::test]
async fn help_and_version_exit_0() {
    for args in [vec!["--help"], vec!["check", "--help"], vec!["--version"]] {
        let (code, stdout, _) = run_binary(&args).await;
        assert_eq!(code, 0, "{args:?}");
        assert!(!stdout.is_empty());
    }
    let (_, top, _) = run_binary(&["--help"]).await;
    assert!(
        top.contains("Options of check, the default command") && top.contains("--services <LIST>"),
        "{top}"
    );
}

/// Runs the binary with stdout a pipe whose reader is already gone (as in
/// `vpce-probe --help | head -1` once head has exited).
fn run_into_closed_pipe(args: &[&str]) -> (Option<i32>, String) {
    let (reader, writer) = std::io::pipe().unwrap();
    drop(reader);
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(args)
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .stdout(writer)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_closed_pipe_ends_quietly() {
    for args in [
        &["--help"][..],
        &["-h"],
        &["check", "--help"],
        &["help", "check"],
        &["watch", "-h"],
        &["--version"],
    ] {
        let (code, stderr) = run_into_closed_pipe(args);
        assert_eq!(code, Some(0), "{args:?}: {stderr}");
        assert_eq!(stderr, "", "{args:?}");
    }
    // A report whose reader went away: no panic, no message, exit 3 (the
    // tool could not deliver its output).
    let (code, stderr) = run_into_closed_pipe(&["endpoints", "--region", "us-east-1"]);
    assert_eq!(code, Some(3), "{stderr}");
    assert_eq!(stderr, "");
}

#[tokio::test]
async fn an_empty_environment_value_is_an_empty_value() {
    // `{"name": "VPCE_PROBE_SERVICES", "value": ""}` in a task definition is
    // the same mistake as `--services ""`, not a request for the default set.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["endpoints", "--region", "us-east-1"])
        .env("VPCE_PROBE_SERVICES", "")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "vpce-probe: invalid --services '': expected a service or bundle name; an empty value is not one\n"
    );
}

#[tokio::test]
async fn a_bad_log_filter_is_refused_at_the_edge_naming_the_flag() {
    // From the variable too, and before anything else is read: --region's
    // absence is not the complaint.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["endpoints", "--log", "vpce probe=info"])
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "vpce-probe: invalid --log 'vpce probe=info': expected a filter like warn, info or vpce_probe=debug\n"
    );
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["endpoints", "--region", "us-east-1"])
        .env("VPCE_PROBE_LOG", "bogus")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("vpce-probe: invalid --log 'bogus': expected a filter"),
        "{stderr}"
    );
}

#[tokio::test]
async fn a_bad_environment_value_names_its_flag() {
    // The variable's value goes through the flag's own parser.
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["endpoints", "--region", "us-east-1"])
        .env("VPCE_PROBE_TIMEOUT", "5x")
        .env("VPCE_PROBE_HOSTS_FILE", "none")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(
        stderr,
        "vpce-probe: invalid --timeout '5x': expected a duration like 500ms, 2s or 1m (more than 0, at most 1h)\n"
    );
}
