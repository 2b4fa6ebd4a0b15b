//! `examples/probe-service.sh` against a stand-in `aws` first on `PATH`
//! (`tests/fixtures/probe-service/aws`): it records every call's arguments
//! and answers with the AWS CLI v2's JSON for the call (the fixtures beside
//! it; the log events are the golden JSON report's lines). Each test runs the
//! script once or twice and checks the calls, their order and arguments,
//! what it prints and its exit code: the probe's own when it ran, 4 for
//! usage, 5 when an AWS call failed or was refused, 6 when the probe's task
//! never started. No network and no sleeps: the stub's waiter returns at
//! once. The script needs bash and jq; without them the tests say so and
//! pass (CI has both).

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{Value, json};

const IMAGE: &str = "123456789012.dkr.ecr.us-east-1.amazonaws.com/vpce-probe:0.1.0";
const TASK_ARN: &str =
    "arn:aws:ecs:us-east-1:123456789012:task/prod/8f0d5a3b2c1e4f6a9b7c0d1e2f3a4b5c";
const STREAM: &str = "diag/vpce-probe/8f0d5a3b2c1e4f6a9b7c0d1e2f3a4b5c";
const REGISTERED: &str = "arn:aws:ecs:us-east-1:123456789012:task-definition/vpce-probe:1";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(name: &str) -> String {
    let path = root().join("tests/fixtures/probe-service").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn json_fixture(name: &str) -> Value {
    serde_json::from_str(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// The golden JSON report (`tests/fixtures/render/report.json`), as the
/// probe prints it: pretty, one log event per line.
fn golden_report() -> String {
    std::fs::read_to_string(root().join("tests/fixtures/render/report.json")).unwrap()
}

/// One `get-log-events` page holding these messages, then the stream's end
/// (the same forward token comes back with no events).
fn log_pages(messages: &[&str]) -> (Value, Value) {
    let events: Vec<Value> = messages
        .iter()
        .enumerate()
        .map(|(i, m)| {
            json!({"timestamp": 1_795_000_000_000_u64 + i as u64, "message": m,
                   "ingestionTime": 1_795_000_000_500_u64 + i as u64})
        })
        .collect();
    let token = format!(
        "f/3920361484952385727845170063612785091734{:014}",
        events.len()
    );
    let first = json!({"events": events, "nextForwardToken": token,
                       "nextBackwardToken": "b/39203614849523857278451700636127850917340000000000"});
    let end = json!({"events": [], "nextForwardToken": token, "nextBackwardToken": token.replace("f/", "b/")});
    (first, end)
}

/// Whether bash and jq are here to run the script; says why not when not.
fn tools() -> bool {
    for (tool, arg) in [("bash", "--version"), ("jq", "--version")] {
        if Command::new(tool).arg(arg).output().is_err() {
            eprintln!(
                "skipped: {tool} is not installed; examples/probe-service.sh needs bash and jq"
            );
            return false;
        }
    }
    true
}

/// The stub's directory: `bin/aws`, `calls/NNN`, `responses/OP.{json,rc,stderr,payload}`.
struct Stub {
    dir: tempfile::TempDir,
}

impl Stub {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        for sub in ["bin", "calls", "responses"] {
            std::fs::create_dir(dir.path().join(sub)).unwrap();
        }
        let aws = dir.path().join("bin/aws");
        std::fs::write(&aws, fixture("aws")).unwrap();
        let mut perms = std::fs::metadata(&aws).unwrap().permissions();
        std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
        std::fs::set_permissions(&aws, perms).unwrap();
        Self { dir }
    }

    /// A stub with the answers of a run that goes through: the service, no
    /// task definition yet, a task that exits 1 and logs the golden report.
    fn happy() -> Self {
        let stub = Self::new();
        stub.answer(
            "ecs.describe-services",
            &json_fixture("describe-services.json"),
        );
        stub.fail(
            "ecs.describe-task-definition",
            254,
            &fixture("describe-task-definition-missing.stderr"),
        );
        stub.answer(
            "ecs.register-task-definition",
            &json_fixture("register-task-definition.json"),
        );
        stub.answer("ecs.run-task", &json_fixture("run-task.json"));
        stub.write("ecs.wait.tasks-stopped.rc", "0");
        stub.answer(
            "ecs.describe-tasks",
            &json_fixture("describe-tasks-stopped.json"),
        );
        stub.logs(&golden_report().lines().collect::<Vec<_>>());
        stub
    }

    fn write(&self, name: &str, text: &str) {
        std::fs::write(self.dir.path().join("responses").join(name), text).unwrap();
    }

    fn answer(&self, op: &str, json: &Value) {
        self.write(
            &format!("{op}.json"),
            &serde_json::to_string_pretty(json).unwrap(),
        );
    }

    fn fail(&self, op: &str, rc: i32, stderr: &str) {
        self.write(&format!("{op}.rc"), &rc.to_string());
        self.write(&format!("{op}.stderr"), stderr);
    }

    fn logs(&self, messages: &[&str]) {
        let (first, end) = log_pages(messages);
        self.answer("logs.get-log-events", &first);
        self.answer("logs.get-log-events.next", &end);
    }

    fn run(&self, args: &[&str]) -> Output {
        let path = format!(
            "{}:{}",
            self.dir.path().join("bin").display(),
            std::env::var("PATH").unwrap_or_default()
        );
        Command::new("bash")
            .arg(root().join("examples/probe-service.sh"))
            .args(args)
            .env("PATH", path)
            .env("AWS_STUB", self.dir.path())
            .output()
            .unwrap()
    }

    /// Every call's arguments, in the order they were made.
    fn calls(&self) -> Vec<Vec<String>> {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.path().join("calls"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        files
            .iter()
            .map(|f| {
                let bytes = std::fs::read(f).unwrap();
                let text = String::from_utf8(bytes).unwrap();
                let mut args: Vec<String> = text.split('\0').map(str::to_owned).collect();
                assert_eq!(args.pop().as_deref(), Some(""), "NUL-terminated");
                args
            })
            .collect()
    }
}

/// The calls' operations, `ecs run-task` or `ecs wait tasks-stopped`.
fn ops(calls: &[Vec<String>]) -> Vec<String> {
    calls
        .iter()
        .map(|c| {
            let n = if c[1] == "wait" { 3 } else { 2 };
            c[..n].join(" ")
        })
        .collect()
}

/// The value after `flag` in one call.
fn arg<'a>(call: &'a [String], flag: &str) -> Option<&'a str> {
    call.iter()
        .position(|a| a == flag)
        .map(|i| call[i + 1].as_str())
}

fn json_arg(call: &[String], flag: &str) -> Value {
    let text = arg(call, flag).unwrap_or_else(|| panic!("no {flag} in {call:?}"));
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{flag}: {e}: {text}"))
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The script's own lines on stderr, without the `+ aws ...` echo of each call.
fn said(out: &Output) -> Vec<String> {
    text(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("probe-service.sh: "))
        .map(str::to_owned)
        .collect()
}

const TASK_ROUTE: [&str; 8] = [
    "ecs describe-services",
    "ecs describe-task-definition",
    "ecs register-task-definition",
    "ecs run-task",
    "ecs wait tasks-stopped",
    "ecs describe-tasks",
    "logs get-log-events",
    "logs get-log-events",
];

/// The probe's command line, as the overrides give it, parses and validates
/// with the real CLI.
fn validate_probe_command(words: &[String]) {
    let mut argv = vec!["vpce-probe"];
    argv.extend(words.iter().map(String::as_str));
    let parsed = vpce_probe::cli::parse(&argv).unwrap_or_else(|e| panic!("{argv:?}: {e}"));
    let vpce_probe::cli::Command::Check(check) = &parsed.command else {
        panic!("{argv:?} is not check");
    };
    vpce_probe::config::Config::from_args(check, &|_| None)
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"));
}

#[test]
fn the_task_route_runs_the_probe_where_the_service_runs() {
    if !tools() {
        return;
    }
    let stub = Stub::happy();
    let out = stub.run(&[
        "--cluster",
        "prod",
        "--service",
        "web",
        "--image",
        IMAGE,
        "--services",
        "default,kms",
        "--expect",
        "private",
    ]);
    assert_eq!(out.status.code(), Some(1), "the probe's exit code: {out:?}");
    let calls = stub.calls();
    assert_eq!(ops(&calls), TASK_ROUTE);

    // The region: the CLI's own for the service, then the service's for the rest.
    assert_eq!(arg(&calls[0], "--region"), None);
    assert_eq!(arg(&calls[0], "--cluster"), Some("prod"));
    assert_eq!(arg(&calls[0], "--services"), Some("web"));
    for call in &calls[1..] {
        assert_eq!(arg(call, "--region"), Some("us-east-1"), "{call:?}");
    }

    // The task definition is the example's, with this image and region.
    let mut expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/run-task-definition.json")).unwrap(),
    )
    .unwrap();
    expected["containerDefinitions"][0]["image"] = json!(IMAGE);
    expected["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"] =
        json!("us-east-1");
    assert_eq!(json_arg(&calls[2], "--cli-input-json"), expected);

    // The task: the registered revision, in the service's network position.
    let run = &calls[3];
    assert_eq!(arg(run, "--cluster"), Some("prod"));
    assert_eq!(arg(run, "--task-definition"), Some(REGISTERED));
    assert_eq!(arg(run, "--launch-type"), Some("FARGATE"));
    assert_eq!(arg(run, "--platform-version"), Some("1.4.0"));
    let service = &json_fixture("describe-services.json")["services"][0];
    assert_eq!(
        json_arg(run, "--network-configuration"),
        service["networkConfiguration"],
        "the service's subnets, security groups and public-IP setting"
    );
    let overrides = json_arg(run, "--overrides");
    let command: Vec<String> =
        serde_json::from_value(overrides["containerOverrides"][0]["command"].clone()).unwrap();
    assert_eq!(overrides["containerOverrides"][0]["name"], "vpce-probe");
    assert_eq!(
        command,
        [
            "check",
            "--format",
            "json",
            "--services",
            "default,kms",
            "--expect",
            "private"
        ]
    );
    validate_probe_command(&command);

    // Waited for, described, read from its stream to the end.
    assert_eq!(arg(&calls[4], "--tasks"), Some(TASK_ARN));
    assert_eq!(arg(&calls[5], "--tasks"), Some(TASK_ARN));
    for logs in &calls[6..] {
        assert_eq!(arg(logs, "--log-group-name"), Some("/ecs/vpce-probe"));
        assert_eq!(arg(logs, "--log-stream-name"), Some(STREAM));
        assert!(logs.contains(&"--start-from-head".to_owned()));
    }
    assert_eq!(arg(&calls[6], "--next-token"), None);
    let (first, _) = log_pages(&golden_report().lines().collect::<Vec<_>>());
    assert_eq!(
        arg(&calls[7], "--next-token"),
        first["nextForwardToken"].as_str()
    );

    // stdout is the report as the probe wrote it; stderr says the verdict
    // and what failed.
    assert_eq!(text(&out.stdout), golden_report());
    let said = said(&out);
    assert!(
        said.contains(&"probe-service.sh: vpce-probe exited 1: verdict fail (8 fail, 3 warn, 5 ok) in us-east-1".to_owned()),
        "{said:#?}"
    );
    assert!(
        said.contains(
            &"probe-service.sh:   FAIL  kms  kms.us-east-1.amazonaws.com: dns_nxdomain".to_owned()
        ),
        "{said:#?}"
    );
    // Every call was shown as it was made.
    let shown = text(&out.stderr)
        .lines()
        .filter(|l| l.starts_with("+ aws "))
        .count();
    assert_eq!(shown, calls.len());
}

#[test]
fn the_same_task_definition_is_reused_and_a_split_report_is_joined() {
    if !tools() {
        return;
    }
    // The family's latest revision is what --image asks for, or no --image
    // is given: no new revision either way.
    for args in [
        &["--cluster", "prod", "--service", "web", "--image", IMAGE][..],
        &["--cluster", "prod", "--service", "web"][..],
    ] {
        let stub = Stub::happy();
        stub.answer(
            "ecs.describe-task-definition",
            &json_fixture("describe-task-definition.json"),
        );
        std::fs::remove_file(
            stub.dir
                .path()
                .join("responses/ecs.describe-task-definition.rc"),
        )
        .unwrap();
        // One compact line, split by the log driver into three events, with a
        // line of the probe's stderr before it.
        let line =
            std::fs::read_to_string(root().join("tests/fixtures/render/report.jsonl")).unwrap();
        let line = line.trim_end();
        let (a, rest) = line.split_at(line.len() / 3);
        let (b, c) = rest.split_at(rest.len() / 2);
        stub.logs(&[
            "WARN vpce-probe: task metadata lists DNS servers 192.0.2.2",
            a,
            b,
            c,
        ]);

        let out = stub.run(args);
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        let calls = stub.calls();
        let expected: Vec<&str> = TASK_ROUTE
            .iter()
            .copied()
            .filter(|op| *op != "ecs register-task-definition")
            .collect();
        assert_eq!(ops(&calls), expected, "{args:?}");
        assert_eq!(arg(&calls[2], "--task-definition"), Some(REGISTERED));
        assert_eq!(text(&out.stdout), format!("{line}\n"));
        assert!(
            said(&out).contains(&"probe-service.sh: probe: WARN vpce-probe: task metadata lists DNS servers 192.0.2.2".to_owned()),
            "{:#?}",
            said(&out)
        );
    }

    // Another image: a new revision.
    let stub = Stub::happy();
    stub.answer(
        "ecs.describe-task-definition",
        &json_fixture("describe-task-definition.json"),
    );
    std::fs::remove_file(
        stub.dir
            .path()
            .join("responses/ecs.describe-task-definition.rc"),
    )
    .unwrap();
    let newer = IMAGE.replace("0.1.0", "0.2.0");
    let out = stub.run(&["--cluster", "prod", "--service", "web", "--image", &newer]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    let calls = stub.calls();
    assert_eq!(ops(&calls), TASK_ROUTE);
    assert_eq!(
        json_arg(&calls[2], "--cli-input-json")["containerDefinitions"][0]["image"],
        json!(newer)
    );
}

#[test]
fn the_probes_exit_code_and_lines_pass_through_when_the_log_is_not_a_report() {
    if !tools() {
        return;
    }
    let stub = Stub::happy();
    let mut stopped = json_fixture("describe-tasks-stopped.json");
    stopped["tasks"][0]["containers"][0]["exitCode"] = json!(2);
    stub.answer("ecs.describe-tasks", &stopped);
    let usage = "invalid --services 'lgos': expected one of ecr.api, ecr.dkr, s3, logs";
    stub.logs(&[usage]);
    let out = stub.run(&[
        "--cluster",
        "prod",
        "--service",
        "web",
        "--image",
        IMAGE,
        "--services",
        "lgos",
    ]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the probe's usage error: {out:?}"
    );
    assert_eq!(text(&out.stdout), format!("{usage}\n"));
    assert_eq!(
        said(&out).last().unwrap(),
        "probe-service.sh: vpce-probe exited 2"
    );
}

#[test]
fn a_refused_run_task_is_exit_5() {
    if !tools() {
        return;
    }
    // ECS answers, exit 0, with a failure and no task.
    let stub = Stub::happy();
    stub.answer("ecs.run-task", &json_fixture("run-task-failures.json"));
    let out = stub.run(&["--cluster", "prod", "--service", "web", "--image", IMAGE]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    assert_eq!(ops(&stub.calls()), TASK_ROUTE[..4]);
    assert_eq!(
        said(&out).last().unwrap(),
        "probe-service.sh: run-task in cluster 'prod' started no task: Capacity is unavailable at this time. \
         Please try again later or in a different availability zone"
    );
    assert!(out.stdout.is_empty());

    // The CLI itself fails (254: the service returned an error).
    let stub = Stub::happy();
    stub.fail("ecs.run-task", 254, &fixture("run-task-invalid.stderr"));
    let out = stub.run(&["--cluster", "prod", "--service", "web", "--image", IMAGE]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    assert_eq!(ops(&stub.calls()), TASK_ROUTE[..4]);
    let stderr = text(&out.stderr);
    assert!(
        stderr.contains(
            "An error occurred (InvalidParameterException) when calling the RunTask operation"
        ),
        "the CLI's own message: {stderr}"
    );
    assert_eq!(
        said(&out).last().unwrap(),
        "probe-service.sh: run-task in cluster 'prod' failed (aws exited 254)"
    );
}

#[test]
fn a_probe_task_that_never_started_is_exit_6_with_its_reason() {
    if !tools() {
        return;
    }
    let stub = Stub::happy();
    stub.answer(
        "ecs.describe-tasks",
        &json_fixture("describe-tasks-not-started.json"),
    );
    let out = stub.run(&["--cluster", "prod", "--service", "web", "--image", IMAGE]);
    assert_eq!(out.status.code(), Some(6), "{out:?}");
    assert_eq!(ops(&stub.calls()), TASK_ROUTE[..6], "no log stream to read");
    let said = said(&out);
    assert!(
        said.iter().any(|l| l.starts_with(
            "probe-service.sh: stopped: TaskFailedToStart: ResourceInitializationError: unable to pull secrets or registry auth"
        )),
        "{said:#?}"
    );
    assert!(said.last().unwrap().contains("try --lambda"), "{said:#?}");
}

#[test]
fn a_missing_service_is_exit_5_naming_it() {
    if !tools() {
        return;
    }
    let stub = Stub::new();
    stub.answer(
        "ecs.describe-services",
        &json_fixture("describe-services-missing.json"),
    );
    let out = stub.run(&[
        "--cluster",
        "prod",
        "--service",
        "wbe",
        "--region",
        "us-east-1",
    ]);
    assert_eq!(out.status.code(), Some(5), "{out:?}");
    let calls = stub.calls();
    assert_eq!(ops(&calls), ["ecs describe-services"]);
    assert_eq!(arg(&calls[0], "--region"), Some("us-east-1"));
    assert_eq!(
        said(&out),
        ["probe-service.sh: service 'wbe' in cluster 'prod': MISSING"]
    );
}

#[test]
fn a_dry_run_prints_every_call_and_makes_only_the_reads() {
    if !tools() {
        return;
    }
    let stub = Stub::happy();
    let out = stub.run(&[
        "--cluster",
        "prod",
        "--service",
        "web",
        "--image",
        IMAGE,
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        ops(&stub.calls()),
        ["ecs describe-services", "ecs describe-task-definition"],
        "only the read-only calls were made"
    );
    let printed = text(&out.stdout);
    let lines: Vec<&str> = printed.lines().collect();
    let printed_ops: Vec<String> = lines
        .iter()
        .map(|l| {
            let words: Vec<&str> = l.split(' ').collect();
            assert_eq!(words[0], "aws", "{l}");
            let n = if words[2] == "wait" { 4 } else { 3 };
            words[1..n].join(" ")
        })
        .collect();
    assert_eq!(printed_ops, TASK_ROUTE[..7]);
    assert!(
        lines[3].contains("--task-definition vpce-probe "),
        "{}",
        lines[3]
    );
    assert!(lines[4].contains("--tasks TASK_ARN "), "{}", lines[4]);
    assert!(
        lines[6].contains("--log-stream-name diag/vpce-probe/TASK_ID "),
        "{}",
        lines[6]
    );

    // The printed lines are shell: run through bash, they make the same calls.
    let again = Stub::happy();
    for line in &lines[..4] {
        let status = Command::new("bash")
            .args(["-c", line])
            .env(
                "PATH",
                format!(
                    "{}:{}",
                    again.dir.path().join("bin").display(),
                    std::env::var("PATH").unwrap()
                ),
            )
            .env("AWS_STUB", again.dir.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .status()
            .unwrap();
        assert!(status.code().is_some(), "{line}");
    }
    let calls = again.calls();
    assert_eq!(ops(&calls), TASK_ROUTE[..4]);
    let mut expected: Value = serde_json::from_str(
        &std::fs::read_to_string(root().join("examples/run-task-definition.json")).unwrap(),
    )
    .unwrap();
    expected["containerDefinitions"][0]["image"] = json!(IMAGE);
    expected["containerDefinitions"][0]["logConfiguration"]["options"]["awslogs-region"] =
        json!("us-east-1");
    assert_eq!(json_arg(&calls[2], "--cli-input-json"), expected);
    let service = &json_fixture("describe-services.json")["services"][0];
    assert_eq!(
        json_arg(&calls[3], "--network-configuration"),
        service["networkConfiguration"]
    );
}

/// A stub for the Lambda route: the service, its function in the same
/// subnets and security groups, and an invocation answering the golden report.
fn lambda_stub() -> Stub {
    let stub = Stub::new();
    stub.answer(
        "ecs.describe-services",
        &json_fixture("describe-services.json"),
    );
    stub.answer(
        "lambda.get-function-configuration",
        &json_fixture("get-function-configuration.json"),
    );
    stub.answer("lambda.invoke", &json_fixture("lambda-invoke.json"));
    stub.write("lambda.invoke.payload", &golden_report());
    stub
}

#[test]
fn the_lambda_route_invokes_the_function() {
    if !tools() {
        return;
    }
    let stub = lambda_stub();
    let out = stub.run(&[
        "--cluster",
        "prod",
        "--service",
        "web",
        "--lambda",
        "--services",
        "default,kms",
    ]);
    assert_eq!(out.status.code(), Some(1), "the report's verdict: {out:?}");
    let calls = stub.calls();
    assert_eq!(
        ops(&calls),
        [
            "ecs describe-services",
            "lambda get-function-configuration",
            "lambda invoke"
        ]
    );
    assert_eq!(arg(&calls[1], "--function-name"), Some("vpce-probe"));
    let invoke = &calls[2];
    assert_eq!(arg(invoke, "--function-name"), Some("vpce-probe"));
    assert_eq!(
        arg(invoke, "--cli-binary-format"),
        Some("raw-in-base64-out")
    );
    assert_eq!(arg(invoke, "--region"), Some("us-east-1"));
    assert_eq!(
        json_arg(invoke, "--payload"),
        json!({"services": "default,kms"})
    );
    assert_eq!(text(&out.stdout), golden_report());
    assert!(
        said(&out).contains(&"probe-service.sh: function 'vpce-probe' answered: verdict fail (8 fail, 3 warn, 5 ok) in us-east-1".to_owned()),
        "{:#?}",
        said(&out)
    );
    // The function's subnets are the service's (in another order): no warning.
    assert!(
        !said(&out).iter().any(|l| l.contains("warning")),
        "{:#?}",
        said(&out)
    );

    // A function in one of the two subnets: said, and invoked all the same.
    let stub = lambda_stub();
    let mut config = json_fixture("get-function-configuration.json");
    config["VpcConfig"]["SubnetIds"] = json!(["subnet-0a1b2c3d4e5f60718"]);
    stub.answer("lambda.get-function-configuration", &config);
    let out = stub.run(&["--cluster", "prod", "--service", "web", "--lambda"]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(
        said(&out).iter().any(|l| l.starts_with(
            "probe-service.sh: warning: function 'vpce-probe' runs in subnets subnet-0a1b2c3d4e5f60718 and"
        )),
        "{:#?}",
        said(&out)
    );
    assert_eq!(json_arg(&stub.calls()[2], "--payload"), json!({}));
}

#[test]
fn the_lambda_routes_refusal_is_the_probes_usage_code_and_a_dry_run_invokes_nothing() {
    if !tools() {
        return;
    }
    // The probe in the function refuses its configuration: its usage code.
    let stub = lambda_stub();
    stub.answer("lambda.invoke", &json_fixture("lambda-invoke-error.json"));
    stub.write(
        "lambda.invoke.payload",
        &fixture("lambda-usage-error.payload"),
    );
    let out = stub.run(&["--cluster", "prod", "--service", "web", "--lambda"]);
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(out.stdout.is_empty());
    assert_eq!(
        said(&out).last().unwrap(),
        "probe-service.sh: the probe in function 'vpce-probe' refused its configuration (its event or its \
         VPCE_PROBE_* variables): invalid --vpc-cidr '10.0.0.0/33': expected a CIDR like 10.0.0.0/16 or fd00::/8"
    );

    // A dry run makes the reads and prints the invocation.
    let stub = lambda_stub();
    let out = stub.run(&[
        "--cluster",
        "prod",
        "--service",
        "web",
        "--lambda",
        "--dry-run",
    ]);
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(
        ops(&stub.calls()),
        ["ecs describe-services", "lambda get-function-configuration"]
    );
    assert!(
        text(&out.stdout)
            .lines()
            .last()
            .unwrap()
            .starts_with("aws lambda invoke --function-name vpce-probe ")
    );
}

#[test]
fn usage_errors_are_exit_4_and_call_nothing() {
    if !tools() {
        return;
    }
    for (args, message) in [
        (
            &["--service", "web"][..],
            "--cluster is required (see --help)",
        ),
        (
            &["--cluster", "prod", "--service"][..],
            "--service needs a value (see --help)",
        ),
        (
            &["--cluster", "prod", "--service", "web", "--regoin", "x"][..],
            "unknown argument '--regoin' (see --help)",
        ),
        (
            &[
                "--cluster",
                "prod",
                "--service",
                "web",
                "--expect",
                "public",
            ][..],
            "invalid --expect 'public': expected any or private",
        ),
        (
            &["--cluster", "prod", "--service", "web", "--region", "tokyo"][..],
            "invalid --region 'tokyo': expected a region like ap-northeast-1",
        ),
        (
            &[
                "--cluster",
                "prod",
                "--service",
                "web",
                "--function-name",
                "f",
            ][..],
            "--function-name is for the Lambda route: add --lambda",
        ),
        (
            &[
                "--cluster",
                "prod",
                "--service",
                "web",
                "--lambda",
                "--image",
                IMAGE,
            ][..],
            "--image and --execution-role-arn are for the task route, not --lambda",
        ),
    ] {
        let stub = Stub::new();
        let out = stub.run(args);
        assert_eq!(out.status.code(), Some(4), "{args:?}: {out:?}");
        assert!(stub.calls().is_empty(), "{args:?}");
        assert_eq!(
            text(&out.stderr),
            format!("probe-service.sh: {message}\n"),
            "{args:?}"
        );
    }
    let out = Stub::new().run(&["--help"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout)
            .starts_with("usage: probe-service.sh --cluster CLUSTER --service SERVICE")
    );
}

#[test]
fn the_scripts_pass_shellcheck() {
    let scripts = [
        root().join("examples/probe-service.sh"),
        root().join("tests/fixtures/probe-service/aws"),
    ];
    match Command::new("shellcheck").args(&scripts).output() {
        Err(_) => eprintln!("skipped: shellcheck is not installed (CI runs it: .ci/run)"),
        Ok(out) => assert!(out.status.success(), "{}", text(&out.stdout)),
    }
}
