//! The deployable examples stay valid: each is JSON with the fields ECS (or
//! `CloudWatch`) requires, and every vpce-probe command line in them parses
//! and validates with the real CLI, so the examples cannot drift from the flags.

use serde_json::Value;
use vpce_probe::cli;

fn load(name: &str) -> Value {
    let path = format!("{}/examples/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path} is not JSON: {e}"))
}

/// The container's environment as the probe would read it.
fn env_of(container: &Value) -> Vec<(String, String)> {
    container["environment"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|kv| {
                    (
                        kv["name"].as_str().unwrap().to_owned(),
                        kv["value"].as_str().unwrap().to_owned(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Parses and validates a vpce-probe command line (without the program name).
fn validate_command(words: &[&str], env: &[(String, String)]) {
    let mut argv = vec!["vpce-probe"];
    argv.extend_from_slice(words);
    let parsed = cli::parse(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let lookup = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    match &parsed.command {
        cli::Command::Check(a) | cli::Command::Endpoints(a) => {
            vpce_probe::config::Config::from_args(a, &lookup)
                .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        }
        cli::Command::Fix(f) => {
            vpce_probe::config::Config::from_args(&f.probe, &lookup)
                .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        }
        cli::Command::Watch(w) => {
            vpce_probe::config::WatchConfig::from_cmd(w, &lookup)
                .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
        }
        // Parsing checked every value `health` takes.
        cli::Command::Health(h) => drop(vpce_probe::config::HealthConfig::from(h)),
        cli::Command::Explain(_) | cli::Command::Generate(_) => {
            panic!("{argv:?}: no example runs explain or generate")
        }
    }
    for (name, _) in env {
        assert!(
            name.starts_with("VPCE_PROBE_"),
            "unexpected variable {name}"
        );
    }
}

fn words(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|w| w.as_str().unwrap())
        .collect()
}

/// What ECS requires of a Fargate task definition.
fn check_task_definition(td: &Value) -> Vec<&Value> {
    assert!(td["family"].as_str().is_some_and(|f| !f.is_empty()));
    assert_eq!(td["networkMode"], "awsvpc");
    assert!(
        td["requiresCompatibilities"]
            .as_array()
            .unwrap()
            .contains(&Value::from("FARGATE"))
    );
    assert!(
        td["cpu"].is_string() && td["memory"].is_string(),
        "Fargate needs task-level cpu and memory"
    );
    let containers: Vec<&Value> = td["containerDefinitions"]
        .as_array()
        .unwrap()
        .iter()
        .collect();
    assert!(!containers.is_empty());
    assert!(
        containers.iter().any(|c| c["essential"] == true),
        "a task needs an essential container"
    );
    for c in &containers {
        assert!(c["name"].as_str().is_some_and(|n| !n.is_empty()));
        assert!(c["image"].as_str().is_some_and(|n| !n.is_empty()));
        for dep in c["dependsOn"].as_array().into_iter().flatten() {
            let target = containers
                .iter()
                .find(|x| x["name"] == dep["containerName"])
                .expect("dependsOn names a container");
            let condition = dep["condition"].as_str().unwrap();
            assert!(["START", "COMPLETE", "SUCCESS", "HEALTHY"].contains(&condition));
            if condition == "SUCCESS" || condition == "COMPLETE" {
                assert_eq!(
                    target["essential"], false,
                    "{condition} cannot be set on an essential container"
                );
            }
            if condition == "HEALTHY" {
                assert!(target["healthCheck"].is_object());
            }
        }
        let log = &c["logConfiguration"];
        if log["logDriver"] == "awslogs" {
            // Without it the first run-task stops with ResourceInitializationError
            // (the log group does not exist), the very error the probe explains.
            assert_eq!(
                log["options"]["awslogs-create-group"], "true",
                "{}: awslogs must create its log group",
                c["name"]
            );
        }
        for m in c["mountPoints"].as_array().into_iter().flatten() {
            let volumes = td["volumes"].as_array().unwrap();
            assert!(
                volumes.iter().any(|v| v["name"] == m["sourceVolume"]),
                "mount of an undeclared volume"
            );
        }
    }
    containers
}

fn probe_container<'a>(containers: &[&'a Value]) -> &'a Value {
    containers
        .iter()
        .find(|c| c["name"] == "vpce-probe")
        .unwrap()
}

#[test]
fn sidecar_with_health_check() {
    let td = load("sidecar-task-definition.json");
    let containers = check_task_definition(&td);
    let probe = probe_container(&containers);
    let env = env_of(probe);
    let command = words(&probe["command"]);
    assert_eq!(command[0], "watch");
    validate_command(&command, &env);
    let hc = &probe["healthCheck"];
    let hc_command = words(&hc["command"]);
    assert_eq!(
        &hc_command[..3],
        ["CMD", "/vpce-probe", "health"],
        "CMD form: a scratch image has no shell"
    );
    validate_command(&hc_command[2..], &env);
    let interval = hc["interval"].as_u64().unwrap();
    let timeout = hc["timeout"].as_u64().unwrap();
    assert!((5..=300).contains(&interval) && (2..=60).contains(&timeout));
    assert!((1..=10).contains(&hc["retries"].as_u64().unwrap()));
    assert!(hc["startPeriod"].as_u64().unwrap() <= 300);
    assert_eq!(probe["readonlyRootFilesystem"], true);
    assert!(
        probe["mountPoints"][0]["containerPath"] == "/tmp",
        "the status file lives under /tmp"
    );
}

#[test]
fn init_container_gates_the_app() {
    let td = load("init-container-task-definition.json");
    let containers = check_task_definition(&td);
    let probe = probe_container(&containers);
    assert_eq!(probe["essential"], false);
    validate_command(&words(&probe["command"]), &env_of(probe));
    let app = containers.iter().find(|c| c["name"] == "app").unwrap();
    assert_eq!(
        app["dependsOn"][0],
        serde_json::json!({"containerName": "vpce-probe", "condition": "SUCCESS"})
    );
}

#[test]
fn run_task_diagnostic() {
    let td = load("run-task-definition.json");
    let containers = check_task_definition(&td);
    let probe = probe_container(&containers);
    validate_command(&words(&probe["command"]), &env_of(probe));
    let overrides = load("run-task-overrides.json");
    let o = &overrides["containerOverrides"][0];
    assert_eq!(o["name"], "vpce-probe", "overrides name the container");
    validate_command(&words(&o["command"]), &[]);
}

#[test]
fn iam_notes_cover_the_log_group_the_examples_create() {
    let path = format!("{}/examples/IAM.md", env!("CARGO_MANIFEST_DIR"));
    let iam = std::fs::read_to_string(&path).unwrap();
    assert!(iam.contains("awslogs-create-group"), "{path}");
    assert!(iam.contains("logs:CreateLogGroup"), "{path}");
}

#[test]
fn alarm_on_an_emf_metric() {
    let alarm = load("cloudwatch-alarm.json");
    for field in [
        "AlarmName",
        "Namespace",
        "MetricName",
        "Statistic",
        "ComparisonOperator",
    ] {
        assert!(alarm[field].is_string(), "{field}");
    }
    for field in ["Period", "EvaluationPeriods", "Threshold"] {
        assert!(alarm[field].is_number(), "{field}");
    }
    assert_eq!(alarm["Namespace"], "VpceProbe", "the default --namespace");
    let metrics = [
        "Reachable",
        "PrivatePath",
        "AddressesFailing",
        "DnsLatency",
        "ConnectLatency",
        "TlsLatency",
        "CertDaysLeft",
    ];
    assert!(metrics.contains(&alarm["MetricName"].as_str().unwrap()));
    let dims: Vec<&str> = alarm["Dimensions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["Name"].as_str().unwrap())
        .collect();
    assert!(
        dims == ["Service"] || dims == ["Service", "Cluster"],
        "a dimension set vpce-probe emits: {dims:?}"
    );
}

#[test]
fn lambda_template_event_and_commands() {
    let template = load("lambda/template.json");
    let resources = template["Resources"].as_object().unwrap();
    let function = resources
        .values()
        .find(|r| r["Type"] == "AWS::Lambda::Function")
        .expect("a Lambda function");
    let p = &function["Properties"];
    assert_eq!(p["Runtime"], "provided.al2023");
    assert_eq!(p["Handler"], "bootstrap");
    assert_eq!(p["Architectures"], serde_json::json!(["x86_64"]));
    assert!(
        p["Timeout"].as_u64().unwrap() > 20,
        "above the example event's deadline"
    );
    assert!(p["Code"]["S3Bucket"].is_object() && p["Code"]["S3Key"].is_object());
    for key in ["SubnetIds", "SecurityGroupIds"] {
        let param = p["VpcConfig"][key]["Ref"].as_str().unwrap();
        assert!(
            template["Parameters"][param]["Type"]
                .as_str()
                .unwrap()
                .starts_with("List<AWS::EC2::"),
            "{key}"
        );
    }
    // The role: Lambda's VPC access and nothing else.
    let role_name = p["Role"]["Fn::GetAtt"][0].as_str().unwrap();
    let role = &resources[role_name]["Properties"];
    assert_eq!(resources[role_name]["Type"], "AWS::IAM::Role");
    let policies = role["ManagedPolicyArns"].as_array().unwrap();
    assert_eq!(policies.len(), 1);
    assert!(
        policies[0]["Fn::Sub"]
            .as_str()
            .unwrap()
            .ends_with(":iam::aws:policy/service-role/AWSLambdaVPCAccessExecutionRole")
    );
    assert!(role.get("Policies").is_none());
    assert_eq!(
        role["AssumeRolePolicyDocument"],
        load("lambda/trust-policy.json")
    );
    // The function's environment is the probe's.
    let env: Vec<(String, String)> = p["Environment"]["Variables"]
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let value = v.as_str().map_or_else(
                || {
                    let param = v["Ref"].as_str().unwrap();
                    template["Parameters"][param]["Default"]
                        .as_str()
                        .unwrap()
                        .to_owned()
                },
                str::to_owned,
            );
            (k.clone(), value)
        })
        .collect();
    validate_command(&["check", "--region", "ap-northeast-1"], &env);

    // The example event is valid, over that environment.
    let lookup = |k: &str| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone());
    let config = vpce_probe::mode::lambda::config_of(load("lambda/event.json"), &lookup)
        .unwrap_or_else(|e| panic!("event.json: {e}"));
    assert_eq!(config.plan.services.len(), 5);

    // The README's commands: the function in the service's subnets and groups.
    let readme = std::fs::read_to_string(format!(
        "{}/examples/lambda/README.md",
        env!("CARGO_MANIFEST_DIR")
    ))
    .unwrap();
    for needed in [
        "aws lambda create-function",
        "--runtime provided.al2023",
        "--handler bootstrap",
        "--vpc-config SubnetIds=",
        "SecurityGroupIds=",
        "aws lambda invoke",
        "--payload file://examples/lambda/event.json",
        "AWSLambdaVPCAccessExecutionRole",
    ] {
        assert!(readme.contains(needed), "{needed}");
    }
}
