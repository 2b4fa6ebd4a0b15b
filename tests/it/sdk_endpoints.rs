//! The names the app's AWS SDK calls, by its endpoint settings, beside the
//! ones ECS itself calls: an endpoint-specific name in
//! `AWS_ENDPOINT_URL_SECRETS_MANAGER` while the standard name resolves
//! public and times out, STS's global name under
//! `AWS_STS_REGIONAL_ENDPOINTS=legacy`, and settings that do not parse.

use crate::support::{Behavior, Issuer, REGION, Side, Vpc, VpcBuilder, host, run_binary_env};

const VPCE: &str = "vpce-0abc123-xyz.secretsmanager.ap-northeast-1.vpce.amazonaws.com";

fn endpoint<'a>(report: &'a serde_json::Value, host: &str) -> &'a serde_json::Value {
    report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["host"] == host)
        .unwrap_or_else(|| panic!("{host} is planned: {report}"))
}

/// The endpoint-specific name on two private ENIs; the standard name on a
/// public address that drops connections (private DNS off, no NAT).
async fn vpce_world() -> Vpc {
    VpcBuilder::new()
        .name(
            VPCE,
            &[
                (Side::Private, Behavior::tls()),
                (Side::Private, Behavior::tls()),
            ],
        )
        .name(
            &host("secretsmanager"),
            &[(Side::Public, Behavior::Blackhole)],
        )
        .start()
        .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_endpoint_specific_name_for_the_app_and_the_standard_name_for_ecs() {
    let vpc = vpce_world().await;
    let url = format!("https://{VPCE}:{}", vpc.port);
    let args = vpc.args(&["--services", "secretsmanager", "--format", "json"]);
    let (code, stdout, stderr) = run_binary_env(
        &args[1..],
        &[("AWS_ENDPOINT_URL_SECRETS_MANAGER", url.as_str())],
    )
    .await;
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["endpoints"].as_array().unwrap().len(), 2, "{report}");

    let app = endpoint(&report, VPCE);
    assert_eq!(
        (&app["service"], &app["status"], &app["path"], &app["route"]),
        (
            &"secretsmanager".into(),
            &"ok".into(),
            &"interface-endpoint".into(),
            &"app".into()
        ),
        "{app}"
    );
    assert_eq!(app["region"], REGION);
    assert_eq!(
        app["reason"],
        format!("the app's AWS SDK calls this name: AWS_ENDPOINT_URL_SECRETS_MANAGER={url}")
    );
    for a in app["addresses"].as_array().unwrap() {
        assert_eq!(vpc.hits(a["ip"].as_str().unwrap().parse().unwrap()), 1);
    }

    let ecs = endpoint(&report, &host("secretsmanager"));
    assert_eq!(
        (&ecs["status"], &ecs["finding"], &ecs["route"]),
        (
            &"fail".into(),
            &"public_connect_timeout".into(),
            &"platform".into()
        ),
        "{ecs}"
    );
    let d = ecs["diagnosis"].as_str().unwrap();
    assert!(
        d.starts_with("ECS itself (image pulls, secrets injection"),
        "{d}"
    );
    assert!(
        d.contains("com.amazonaws.ap-northeast-1.secretsmanager"),
        "{d}"
    );

    // The text report says whose route each name is.
    let mut text_args = vpc.args(&["--services", "secretsmanager"]);
    text_args.retain(|a| a != "json" && a != "--format");
    let (_, text, _) = run_binary_env(
        &text_args[1..],
        &[("AWS_ENDPOINT_URL_SECRETS_MANAGER", url.as_str())],
    )
    .await;
    assert!(
        text.contains("why      the app's AWS SDK calls this name"),
        "{text}"
    );
    assert!(text.contains("why      ECS itself"), "{text}");
    if std::env::var_os("SHOW_REPORT").is_some() {
        eprintln!("{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_shared_config_file_is_read_as_the_sdk_reads_it() {
    let vpc = vpce_world().await;
    let url = format!("https://{VPCE}:{}", vpc.port);
    let args = vpc.args(&["--services", "secretsmanager", "--format", "json"]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    std::fs::write(
        &file,
        format!("[profile app]\nservices = vpce\n\n[services vpce]\nsecrets_manager =\n  endpoint_url = {url}\n"),
    )
    .unwrap();
    let file = file.display().to_string();
    let (_, stdout, _) = run_binary_env(
        &args[1..],
        &[("AWS_CONFIG_FILE", file.as_str()), ("AWS_PROFILE", "app")],
    )
    .await;
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let app = endpoint(&report, VPCE);
    assert_eq!(
        (&app["route"], &app["status"]),
        (&"app".into(), &"ok".into())
    );
    assert!(
        app["reason"]
            .as_str()
            .unwrap()
            .ends_with("[services vpce] secrets_manager.endpoint_url"),
        "{app}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn legacy_sts_plans_the_global_name_in_its_place_and_points_at_the_regional_one() {
    let vpc = VpcBuilder::new()
        .endpoint("sts", 1)
        .name("sts.amazonaws.com", &[(Side::Public, Behavior::Blackhole)])
        .start()
        .await;
    let args = vpc.args(&["--services", "sts", "--format", "json"]);
    let (code, stdout, stderr) =
        run_binary_env(&args[1..], &[("AWS_STS_REGIONAL_ENDPOINTS", "legacy")]).await;
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    // Only the app calls STS, and under legacy in this region its SDK
    // calls the global name alone.
    assert_eq!(report["endpoints"].as_array().unwrap().len(), 1, "{report}");
    let global = endpoint(&report, "sts.amazonaws.com");
    assert_eq!(
        (&global["route"], &global["finding"]),
        (&"app".into(), &"sts_global_endpoint".into()),
        "{global}"
    );
    let d = global["diagnosis"].as_str().unwrap();
    for says in [
        "no interface endpoint serves",
        "regional",
        "sts.ap-northeast-1.amazonaws.com",
    ] {
        assert!(d.contains(says), "{says}: {d}");
    }

    // Without the setting, only the regional name.
    let (code, stdout, _) = run_binary_env(&args[1..], &[]).await;
    assert_eq!(code, 0);
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(report["endpoints"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn malformed_settings_are_one_line_usage_errors() {
    for (env, says) in [
        (
            ("AWS_ENDPOINT_URL_SECRETS_MANAGER", "vpce-1.example"),
            "vpce-probe: invalid AWS_ENDPOINT_URL_SECRETS_MANAGER 'vpce-1.example': expected https://",
        ),
        (
            ("AWS_ENDPOINT_URL", "https://user:pw@proxy.example"),
            "vpce-probe: invalid AWS_ENDPOINT_URL 'https://...@proxy.example': expected https://HOST[:PORT] without credentials",
        ),
        (
            ("AWS_STS_REGIONAL_ENDPOINTS", "global"),
            "vpce-probe: invalid AWS_STS_REGIONAL_ENDPOINTS 'global': expected legacy or regional",
        ),
    ] {
        let (code, _, stderr) =
            run_binary_env(&["endpoints", "--region", "us-east-1"], &[env]).await;
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.starts_with(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
    let (code, _, stderr) = run_binary_env(
        &[
            "endpoints",
            "--region",
            "us-east-1",
            "--endpoint-url",
            "nosuch=https://x.example",
        ],
        &[],
    )
    .await;
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("vpce-probe: invalid --endpoint-url 'nosuch=https://x.example'"),
        "{stderr}"
    );
    // A flag's value, from the command line or its own variable, goes
    // through the parser of the SDK's variable: the same words after the name.
    for (args, env, says) in [
        (
            &["--endpoint-url", "secretsmanager=vpce-1.example"][..],
            &[][..],
            "vpce-probe: invalid --endpoint-url 'secretsmanager=vpce-1.example': expected https://",
        ),
        (
            &["--sts-regional-endpoints", "global"],
            &[],
            "vpce-probe: invalid --sts-regional-endpoints 'global': expected legacy or regional",
        ),
        (
            &[],
            &[("VPCE_PROBE_STS_REGIONAL_ENDPOINTS", "global")],
            "vpce-probe: invalid --sts-regional-endpoints 'global': expected legacy or regional",
        ),
    ] {
        let mut all = vec!["endpoints", "--region", "us-east-1"];
        all.extend_from_slice(args);
        let (code, _, stderr) = run_binary_env(&all, env).await;
        assert_eq!(code, 2, "{stderr}");
        assert!(stderr.starts_with(says), "{stderr}");
        assert_eq!(stderr.lines().count(), 1, "{stderr}");
    }
}

/// The plan of `endpoints --format json` without the reasons (which name
/// where each setting came from).
async fn planned(args: &[&str], env: &[(&str, &str)]) -> Vec<serde_json::Value> {
    let mut all = vec!["endpoints", "--region", "us-east-1", "--format", "json"];
    all.extend_from_slice(args);
    let (code, stdout, stderr) = run_binary_env(&all, env).await;
    assert_eq!(code, 0, "{args:?}: {stderr}");
    let mut report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let endpoints = report["endpoints"].as_array_mut().unwrap();
    for e in endpoints.iter_mut() {
        e.as_object_mut().unwrap().remove("reason");
    }
    endpoints.clone()
}

#[tokio::test]
async fn the_flags_plan_what_their_variables_plan() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("config");
    std::fs::write(
        &file,
        "[profile app]\nendpoint_url = https://file-all.example\nsts_regional_endpoints = legacy\n",
    )
    .unwrap();
    let file = file.display().to_string();
    let services = ["--services", "secretsmanager,sts,kms,logs"];
    let by_flags = planned(
        &[
            services[0],
            services[1],
            "--endpoint-url",
            "secretsmanager=https://vpce-1.example:8443,https://all.example",
            "--endpoint-url",
            "kms=https://kms-vpce.example",
            "--sts-regional-endpoints",
            "LEGACY",
        ],
        &[],
    )
    .await;
    let by_variables = planned(
        &services,
        &[
            (
                "AWS_ENDPOINT_URL_SECRETS_MANAGER",
                "https://vpce-1.example:8443",
            ),
            ("AWS_ENDPOINT_URL_KMS", "https://kms-vpce.example"),
            ("AWS_ENDPOINT_URL", "https://all.example"),
            ("AWS_STS_REGIONAL_ENDPOINTS", "legacy"),
        ],
    )
    .await;
    assert_eq!(by_flags, by_variables);
    // ECS's standard names of secretsmanager and logs; one row per service
    // for the URLs (all.example twice); KMS's and STS's standard names go,
    // as only the app calls them.
    assert_eq!(by_flags.len(), 6, "{by_flags:?}");

    let by_file_flags = planned(
        &[
            services[0],
            services[1],
            "--aws-config-file",
            &file,
            "--aws-profile",
            "app",
        ],
        &[],
    )
    .await;
    let by_file_variables = planned(
        &services,
        &[("AWS_CONFIG_FILE", file.as_str()), ("AWS_PROFILE", "app")],
    )
    .await;
    assert_eq!(by_file_flags, by_file_variables);
    // A configured URL wins over the STS setting, as in the SDKs.
    assert!(
        by_file_flags
            .iter()
            .any(|e| e["host"] == "file-all.example" && e["service"] == "sts"),
        "{by_file_flags:?}"
    );
    assert!(
        !by_file_flags
            .iter()
            .any(|e| e["host"] == "sts.amazonaws.com"),
        "{by_file_flags:?}"
    );
}

/// A configured URL on a host that is not AWS's (a corporate gateway) is
/// the app's own target: verified against the trust store with its own CA
/// and no `tls_interception`; when it fails, no endpoint advice.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_corporate_gateway_url_is_the_apps_own_target() {
    const GATEWAY: &str = "secrets.corp.example.internal";
    for (side, behavior, code) in [
        (Side::Private, Behavior::tls_by(Issuer::Proxy), 0),
        (Side::Public, Behavior::Blackhole, 1),
    ] {
        let vpc = VpcBuilder::new()
            .endpoint("secretsmanager", 1)
            .name(GATEWAY, &[(side, behavior)])
            .start()
            .await;
        let url = format!("https://{GATEWAY}:{}", vpc.port);
        let args = vpc.args(&["--services", "secretsmanager", "--format", "json"]);
        let (got, stdout, stderr) = run_binary_env(
            &args[1..],
            &[("AWS_ENDPOINT_URL_SECRETS_MANAGER", url.as_str())],
        )
        .await;
        assert_eq!(got, code, "{stderr}{stdout}");
        let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
        let app = endpoint(&report, GATEWAY);
        assert_eq!(
            (&app["service"], &app["route"], &app["endpoint_service"]),
            (
                &"secretsmanager".into(),
                &"app".into(),
                &serde_json::Value::Null
            ),
            "{app}"
        );
        let diagnosis = app["diagnosis"].as_str().unwrap_or_default();
        if code == 0 {
            assert_eq!(app["finding"], serde_json::Value::Null, "{app}");
        } else {
            assert_eq!(app["finding"], "public_connect_timeout", "{app}");
            assert!(!diagnosis.contains("com.amazonaws"), "{diagnosis}");
            assert!(!diagnosis.contains("interface endpoint"), "{diagnosis}");
        }
        // ECS's own name of the service is still probed.
        assert_eq!(
            endpoint(&report, &host("secretsmanager"))["route"],
            "platform"
        );
    }
}

/// FIPS in a region where AWS lists no FIPS endpoint of the service: the
/// app's SDK calls the FIPS name anyway; it fails, and the finding names
/// the setting and the regions that have one.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn fips_where_aws_lists_none_fails_and_says_why() {
    let vpc = VpcBuilder::new().endpoint("logs", 1).start().await;
    let args = vpc.args(&[
        "--services",
        "logs",
        "--use-fips-endpoint",
        "--format",
        "json",
    ]);
    let (code, stdout, stderr) = run_binary_env(&args[1..], &[]).await;
    assert_eq!(code, 1, "{stderr}");
    let report: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let fips = endpoint(&report, &format!("logs-fips.{REGION}.amazonaws.com"));
    assert_eq!(
        (&fips["route"], &fips["finding"]),
        (&"app".into(), &"fips_endpoint_missing".into()),
        "{fips}"
    );
    let d = fips["diagnosis"].as_str().unwrap();
    for says in [
        "AWS_USE_FIPS_ENDPOINT",
        "only in ca-central-1",
        "us-west-2",
        "Turn the FIPS setting off",
    ] {
        assert!(d.contains(says), "{says}: {d}");
    }
    let standard = endpoint(&report, &host("logs"));
    assert_eq!(
        (&standard["route"], &standard["status"]),
        (&"platform".into(), &"ok".into())
    );
}
