//! `vpce-probe fix`, end to end: in a VPC where the task's security group
//! lacks the `logs` ENI and the S3 prefix list, and the `secretsmanager`
//! endpoint has private DNS off, the real binary proposes exactly the
//! changes that fix it, as Terraform that parses as HCL, as AWS CLI commands
//! with the documented flags, and as JSON that matches the report schema.

use crate::support;

use std::collections::BTreeMap;

use support::{Behavior, Side, VpcBuilder, host};

const REGION: &str = "ap-northeast-1";

/// The acceptance scenario: ecr.api and ssm work; logs' ENI drops packets;
/// S3's public addresses time out; secretsmanager resolves public and times out.
async fn broken_vpc() -> support::Vpc {
    VpcBuilder::new()
        .endpoint("ecr.api", 2)
        .endpoint("ssm", 1)
        .name(&host("logs"), &[(Side::Private, Behavior::Blackhole)])
        .name(&host("s3"), &[(Side::Public, Behavior::Blackhole)])
        .name(
            &host("secretsmanager"),
            &[(Side::Public, Behavior::Blackhole)],
        )
        .start()
        .await
}

async fn fix(vpc: &support::Vpc, format: &str) -> (i32, String, String) {
    let mut args = vpc.args(&[
        "--services",
        "ecr.api,ssm,logs,s3,secretsmanager",
        "--timeout",
        "300ms",
        "--format",
        format,
    ]);
    "fix".clone_into(&mut args[1]);
    support::run_binary(&args[1..]).await
}

/// The address a name resolves to in the report.
fn address_of(report: &serde_json::Value, service: &str) -> String {
    report["endpoints"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["service"] == service)
        .unwrap()["addresses"][0]["ip"]
        .as_str()
        .unwrap()
        .to_owned()
}

/// Every block as (type, labels) → attributes rendered as HCL.
fn blocks(body: &hcl::Body) -> Vec<(String, Vec<String>, BTreeMap<String, String>)> {
    body.blocks()
        .map(|b| {
            let labels = b.labels.iter().map(|l| l.as_str().to_owned()).collect();
            let attrs = b
                .body
                .attributes()
                .map(|a| (a.key.to_string(), a.expr.to_string()))
                .collect();
            (b.identifier.to_string(), labels, attrs)
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn terraform_holds_exactly_the_fixes() {
    let vpc = broken_vpc().await;
    let (code, json, _) = fix(&vpc, "json").await;
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let logs_ip = address_of(&report, "logs");

    let (code, hcl_text, stderr) = fix(&vpc, "terraform").await;
    assert_eq!(code, 1, "{stderr}");
    let body = hcl::parse(&hcl_text).unwrap_or_else(|e| panic!("not HCL ({e}):\n{hcl_text}"));
    let blocks = blocks(&body);
    let port = vpc.port.to_string();

    let egress: Vec<&BTreeMap<String, String>> = blocks
        .iter()
        .filter(|(t, l, _)| t == "resource" && l[0] == "aws_vpc_security_group_egress_rule")
        .map(|(_, _, a)| a)
        .collect();
    assert!(
        egress
            .iter()
            .any(|a| a.get("cidr_ipv4") == Some(&format!("\"{logs_ip}/32\""))
                && a["from_port"] == port
                && a["to_port"] == port
                && a["ip_protocol"] == "\"tcp\""
                && a["security_group_id"] == "var.task_security_group_id"),
        "no egress rule to the logs ENI:\n{hcl_text}"
    );
    let prefix_list = blocks
        .iter()
        .find(|(t, l, _)| t == "data" && l[0] == "aws_ec2_managed_prefix_list")
        .unwrap_or_else(|| panic!("no prefix list data source:\n{hcl_text}"));
    assert_eq!(
        prefix_list.2["name"],
        format!("\"com.amazonaws.{REGION}.s3\"")
    );
    let pl_ref = format!("data.aws_ec2_managed_prefix_list.{}.id", prefix_list.1[1]);
    assert!(
        egress
            .iter()
            .any(|a| a.get("prefix_list_id") == Some(&pl_ref)),
        "no egress rule to the S3 prefix list:\n{hcl_text}"
    );

    let endpoints: Vec<&BTreeMap<String, String>> = blocks
        .iter()
        .filter(|(t, l, _)| t == "resource" && l[0] == "aws_vpc_endpoint")
        .map(|(_, _, a)| a)
        .collect();
    let sm = endpoints
        .iter()
        .find(|a| a["service_name"] == format!("\"com.amazonaws.{REGION}.secretsmanager\""))
        .unwrap_or_else(|| panic!("no secretsmanager endpoint:\n{hcl_text}"));
    assert_eq!(sm["vpc_endpoint_type"], "\"Interface\"");
    assert_eq!(sm["private_dns_enabled"], "true");
    for working in ["ecr.api", "ssm", "logs"] {
        assert!(
            !endpoints
                .iter()
                .any(|a| a["service_name"] == format!("\"com.amazonaws.{REGION}.{working}\"")),
            "an endpoint for {working}, which has one:\n{hcl_text}"
        );
    }
    // Every variable used is declared once.
    let declared: Vec<&str> = blocks
        .iter()
        .filter(|(t, _, _)| t == "variable")
        .map(|(_, l, _)| l[0].as_str())
        .collect();
    for used in hcl_text.split("var.").skip(1) {
        let name: String = used
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        assert!(
            declared.contains(&name.as_str()),
            "var.{name} is not declared"
        );
    }
    let mut unique = declared.clone();
    unique.dedup();
    assert_eq!(unique.len(), declared.len());
    assert!(hcl_text.contains("vpce-probe applies nothing"));
}

/// The AWS CLI's documented syntax for the commands `fix` writes: the
/// required options and every option allowed
/// (docs.aws.amazon.com/cli/latest/reference/ec2/).
const CLI_TABLE: [(&str, &[&str], &[&str]); 5] = [
    (
        "authorize-security-group-egress",
        &["--group-id", "--ip-permissions"],
        &["--region"],
    ),
    (
        "authorize-security-group-ingress",
        &["--group-id", "--ip-permissions"],
        &["--region"],
    ),
    (
        "create-vpc-endpoint",
        &["--vpc-id", "--service-name", "--vpc-endpoint-type"],
        &[
            "--region",
            "--service-region",
            "--subnet-ids",
            "--security-group-ids",
            "--route-table-ids",
            "--private-dns-enabled",
            "--ip-address-type",
            "--dns-options",
        ],
    ),
    (
        "modify-vpc-endpoint",
        &["--vpc-endpoint-id"],
        &["--region", "--private-dns-enabled"],
    ),
    (
        "describe-managed-prefix-lists",
        &["--filters"],
        &["--region", "--query", "--output"],
    ),
];

/// Checks one `aws ec2 ...` command against the table; returns its subcommand.
fn check_aws_command(line: &str) -> String {
    let words = shell_words::split(line).unwrap_or_else(|e| panic!("{line}: {e}"));
    assert_eq!(&words[..2], ["aws", "ec2"], "{line}");
    let (_, required, optional) = CLI_TABLE
        .iter()
        .find(|(sub, _, _)| *sub == words[2])
        .unwrap_or_else(|| panic!("unknown subcommand in {line}"));
    let mut seen = Vec::new();
    let mut i = 3;
    while i < words.len() {
        let flag = words[i].as_str();
        assert!(
            required.contains(&flag) || optional.contains(&flag),
            "{flag} is not an option of {}: {line}",
            words[2]
        );
        seen.push(flag);
        // Boolean flags take no value; the rest take one (or, for lists, several).
        if flag != "--private-dns-enabled" {
            i += 1;
            assert!(
                i < words.len() && !words[i].starts_with("--"),
                "{flag} needs a value: {line}"
            );
            while i + 1 < words.len() && !words[i + 1].starts_with("--") {
                i += 1;
            }
        }
        i += 1;
    }
    for r in *required {
        assert!(seen.contains(r), "{} needs {r}: {line}", words[2]);
    }
    words[2].clone()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cli_commands_are_well_formed() {
    let vpc = broken_vpc().await;
    let (code, text, stderr) = fix(&vpc, "cli").await;
    assert_eq!(code, 1, "{stderr}");
    // The whole output is valid shell.
    let dir = tempfile::tempdir().unwrap();
    let script = dir.path().join("fix.sh");
    std::fs::write(&script, &text).unwrap();
    let syntax = std::process::Command::new("bash")
        .arg("-n")
        .arg(&script)
        .output()
        .unwrap();
    assert!(syntax.status.success(), "{text}");

    let mut subcommands = Vec::new();
    for line in text.lines() {
        let line = line.trim_start_matches("# ");
        let command = match line.split_once("=$(") {
            Some((_, rest)) => rest.strip_suffix(')').unwrap(),
            None => line,
        };
        if command.starts_with("aws ") {
            subcommands.push(check_aws_command(command));
        }
    }
    let count = |s: &str| subcommands.iter().filter(|x| *x == s).count();
    // The logs ENI and the S3 prefix list; the reminder for the logs endpoint's
    // own group; the secretsmanager interface endpoint (or the switch of its
    // private DNS) and the S3 gateway endpoint; the prefix list looked up by name.
    assert_eq!(count("authorize-security-group-egress"), 2, "{text}");
    assert_eq!(count("authorize-security-group-ingress"), 1, "{text}");
    assert_eq!(count("create-vpc-endpoint"), 2, "{text}");
    assert_eq!(count("modify-vpc-endpoint"), 1, "{text}");
    assert_eq!(count("describe-managed-prefix-lists"), 1, "{text}");
    assert!(text.contains(&format!(
        "--service-name com.amazonaws.{REGION}.secretsmanager"
    )));
    assert!(text.contains(&format!("Values=com.amazonaws.{REGION}.s3")));
    assert!(text.contains(&format!("REGION={REGION}\n")), "{text}");
    assert!(
        !text.contains(&format!("com.amazonaws.{REGION}.ssm ")),
        "{text}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn json_and_text_carry_the_remedies() {
    let vpc = broken_vpc().await;
    let (code, json, _) = fix(&vpc, "json").await;
    assert_eq!(code, 1);
    let report: serde_json::Value = serde_json::from_str(&json).unwrap();
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&report)
        .map(|e| e.to_string())
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let remedies: Vec<(String, String, String)> = report["remedies"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["service"].as_str().unwrap().to_owned(),
                r["finding"].as_str().unwrap().to_owned(),
                r["kind"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want = [
        ("logs", "private_connect_timeout", "task_egress_to_address"),
        (
            "logs",
            "private_connect_timeout",
            "endpoint_ingress_from_task",
        ),
        ("s3", "s3_connect_timeout", "task_egress_to_prefix_list"),
        ("s3", "s3_connect_timeout", "gateway_endpoint"),
        (
            "secretsmanager",
            "public_connect_timeout",
            "interface_endpoint",
        ),
    ];
    let want: Vec<(String, String, String)> = want
        .iter()
        .map(|(a, b, c)| ((*a).to_owned(), (*b).to_owned(), (*c).to_owned()))
        .collect();
    assert_eq!(remedies, want);

    let (code, text, _) = fix(&vpc, "text").await;
    assert_eq!(code, 1);
    let block = text
        .split("\nTo fix (")
        .nth(1)
        .unwrap_or_else(|| panic!("{text}"));
    // The block is wrapped for a terminal; compare its words.
    let block = block.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        block.contains(&format!(
            "allow egress TCP {} to {}/32",
            vpc.port,
            address_of(&report, "logs")
        )),
        "{block}"
    );
    assert!(
        block.contains(&format!("com.amazonaws.{REGION}.s3")),
        "{block}"
    );
    assert!(
        block.contains(&format!(
            "interface endpoint com.amazonaws.{REGION}.secretsmanager with private DNS enabled"
        )),
        "{block}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_passing_vpc_needs_nothing_and_formats_stay_with_their_modes() {
    let vpc = VpcBuilder::new().endpoint("logs", 2).start().await;
    let mut args = vpc.args(&["--services", "logs", "--format", "terraform"]);
    "fix".clone_into(&mut args[1]);
    let (code, text, _) = support::run_binary(&args[1..]).await;
    assert_eq!(code, 0);
    assert!(!text.contains("resource "), "{text}");
    assert!(hcl::parse(&text).is_ok());

    let (code, _, stderr) =
        support::run_binary(&["check", "--region", REGION, "--format", "terraform"]).await;
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "vpce-probe: invalid --format 'terraform': check writes text, json, emf\n"
    );
    let (code, _, stderr) =
        support::run_binary(&["fix", "--region", REGION, "--format", "emf"]).await;
    assert_eq!(code, 2);
    assert_eq!(
        stderr,
        "vpce-probe: invalid --format 'emf': fix writes text, json, terraform, cli\n"
    );
}

/// `fix --report`: the JSON report a one-shot task or the Lambda saved
/// becomes the same remedies offline (from a file or standard input), as
/// Terraform too; a file that is not a report, or one without causes, is a
/// one-line error and exit 2.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_saved_report_becomes_the_same_remedies_offline() {
    let vpc = broken_vpc().await;
    let (code, live, _) = fix(&vpc, "json").await;
    assert_eq!(code, 1);
    let live: serde_json::Value = serde_json::from_str(&live).unwrap();
    let args = vpc.args(&[
        "--services",
        "ecr.api,ssm,logs,s3,secretsmanager",
        "--timeout",
        "300ms",
        "--format",
        "json",
    ]);
    let (code, saved, _) = support::run_binary(&args[1..]).await;
    assert_eq!(code, 1);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.json");
    std::fs::write(&path, &saved).unwrap();
    let file = path.to_str().unwrap();

    let (code, offline, stderr) =
        support::run_binary(&["fix", "--report", file, "--format", "json"]).await;
    assert_eq!(code, 1, "{stderr}");
    let offline: serde_json::Value = serde_json::from_str(&offline).unwrap();
    assert!(!live["remedies"].as_array().unwrap().is_empty());
    // The same addresses in both runs: the same VPC.
    let strip = |v: &serde_json::Value| -> Vec<(String, String)> {
        v["remedies"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| (r["service"].to_string(), r["kind"].to_string()))
            .collect()
    };
    assert_eq!(strip(&offline), strip(&live));

    let output = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["fix", "--report", "-", "--format", "terraform"])
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .await
        .unwrap();
    let tf = String::from_utf8(output.stdout).unwrap();
    assert_eq!(output.status.code(), Some(1), "{tf}");
    hcl::parse(&tf).expect("the Terraform parses");
    assert!(tf.contains("aws_vpc_endpoint"), "{tf}");

    // Not a report; a report from before causes.
    std::fs::write(&path, "{\"verdict\": \"fail\"}").unwrap();
    let (code, out, stderr) = support::run_binary(&["fix", "--report", file]).await;
    assert_eq!((code, out.as_str()), (2, ""), "{stderr}");
    assert!(stderr.contains("not a vpce-probe JSON report"), "{stderr}");
    assert_eq!(stderr.trim().lines().count(), 1, "{stderr}");
    let mut old: serde_json::Value = serde_json::from_str(&saved).unwrap();
    for e in old["endpoints"].as_array_mut().unwrap() {
        e.as_object_mut().unwrap().remove("causes");
    }
    std::fs::write(&path, old.to_string()).unwrap();
    let (code, _, stderr) = support::run_binary(&["fix", "--report", file]).await;
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("carry no causes"), "{stderr}");
}
