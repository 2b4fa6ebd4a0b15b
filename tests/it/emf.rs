//! `CloudWatch` Embedded Metric Format: every line is one document that
//! validates against the EMF specification's JSON schema, stays under
//! 16 KB, and references only root members of the right types.

use crate::support;

use support::{Behavior, MetadataServer, Side, VpcBuilder, host};

fn emf_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../fixtures/emf.schema.json"))
            .expect("the spec's schema is JSON");
    // The spec's schema is draft-07 (fragment $ids); validate it as such.
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft7)
        .build(&schema)
        .expect("the spec's schema compiles")
}

/// Validates one EMF line beyond the schema: what the spec says in words.
fn check_line(validator: &jsonschema::Validator, line: &str) -> serde_json::Value {
    assert!(
        line.len() < 16 * 1024,
        "EMF line of {} bytes would be split by Docker",
        line.len()
    );
    let doc: serde_json::Value = serde_json::from_str(line).expect("each line is pure JSON");
    let errors: Vec<String> = validator.iter_errors(&doc).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}\n{line}");
    let aws = &doc["_aws"];
    let now_ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis();
    let ts = u128::from(aws["Timestamp"].as_u64().unwrap());
    assert!(
        ts <= now_ms && now_ms - ts < 600_000,
        "timestamp in ms, recent: {ts}"
    );
    for directive in aws["CloudWatchMetrics"].as_array().unwrap() {
        for set in directive["Dimensions"].as_array().unwrap() {
            for key in set.as_array().unwrap() {
                let value = &doc[key.as_str().unwrap()];
                assert!(
                    value.is_string(),
                    "dimension {key} must be a string root member: {line}"
                );
            }
        }
        for metric in directive["Metrics"].as_array().unwrap() {
            let name = metric["Name"].as_str().unwrap();
            assert!(
                doc[name].is_number(),
                "metric {name} must be a numeric root member: {line}"
            );
        }
    }
    doc
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_emf_line_validates_against_the_spec_schema() {
    let many: Vec<(Side, Behavior)> = (0..100).map(|_| (Side::Private, Behavior::tls())).collect();
    let vpc = VpcBuilder::new()
        .endpoint("logs", 2)
        .name(&host("ssm"), &many)
        .name(
            &host("secretsmanager"),
            &[(Side::Public, Behavior::Blackhole)],
        )
        .name(
            &host("sts"),
            &[(Side::Private, Behavior::tls_by(support::Issuer::Rogue))],
        )
        .start()
        .await;
    let (code, stdout, stderr) = vpc
        .run_binary(&[
            "--services",
            "logs,ssm,secretsmanager,sts,kms",
            "--format",
            "emf",
            "--namespace",
            "Test/Probe",
        ])
        .await;
    assert_eq!(code, 1, "{stderr}");
    let validator = emf_validator();
    let docs: Vec<serde_json::Value> = stdout.lines().map(|l| check_line(&validator, l)).collect();
    assert_eq!(docs.len(), 5, "one document per endpoint");
    let by = |s: &str| docs.iter().find(|d| d["Service"] == s).unwrap();
    assert_eq!(by("logs")["Reachable"], 1.0);
    assert_eq!(by("logs")["PrivatePath"], 1.0);
    assert_eq!(
        by("logs")["_aws"]["CloudWatchMetrics"][0]["Namespace"],
        "Test/Probe"
    );
    assert_eq!(
        by("logs")["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        serde_json::json!([["Service"]])
    );
    assert_eq!(by("ssm")["AddressesNotListed"], 100 - 16);
    assert_eq!(by("secretsmanager")["Reachable"], 0.0);
    assert_eq!(by("secretsmanager")["Finding"], "public_connect_timeout");
    assert!(
        by("secretsmanager").get("TlsLatency").is_none(),
        "no handshake, no TLS metric"
    );
    assert_eq!(by("sts")["Finding"], "tls_untrusted");
    assert_eq!(by("kms")["Finding"], "dns_nxdomain");
    assert!(by("kms").get("DnsLatency").is_none());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inside_ecs_the_cluster_is_a_second_dimension() {
    let metadata = MetadataServer::start(support::fargate_examples()).await;
    let vpc = VpcBuilder::new()
        .name(
            "logs.us-east-1.amazonaws.com",
            &[(Side::Private, Behavior::tls())],
        )
        .start()
        .await;
    let report = vpc
        .probe_in_task(&["--services", "logs"], &metadata.uri)
        .await;
    let mut out = Vec::new();
    vpce_probe::render::emf::render(&report, "VpceProbe", &mut out).unwrap();
    let line = String::from_utf8(out).unwrap();
    let doc = check_line(&emf_validator(), line.trim_end());
    assert_eq!(doc["Cluster"], "MyEmptyCluster");
    assert_eq!(
        doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"],
        serde_json::json!([["Service"], ["Service", "Cluster"]])
    );
    assert!(
        doc["TaskArn"]
            .as_str()
            .unwrap()
            .contains(":task/MyEmptyCluster/")
    );
}
