//! `watch --metrics-listen` end to end: the real binary in the simulated
//! VPC, scraped by us (and checked by `promtool`) and by a real Prometheus
//! started by the test, queried through its HTTP API before and after an
//! endpoint breaks. Without the flag, no socket listens. The `CloudFormation`
//! examples use the metric names and dimensions the EMF renderer writes.
//!
//! The tests that need Debian's `prometheus` package (`prometheus`,
//! `promtool`) are ignored by default; CI installs it and runs them.

use std::net::SocketAddr;
use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{self, VpcBuilder, host};
use http_body_util::{BodyExt, Empty};
use hyper::body::Bytes;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// How long any wait in these tests may take before it fails.
const PATIENCE: Duration = Duration::from_secs(30);

/// Starts `watch` against `vpc`; returns the child and, with
/// `--metrics-listen`, the address it serves (read from its log).
async fn start_watch(
    vpc: &support::Vpc,
    dir: &Path,
    extra: &[&str],
) -> (Child, Option<SocketAddr>) {
    let status = dir.join("status.json");
    let mut args = vpc.args(&[
        "--format",
        "json",
        "--log",
        "info",
        "--status-file",
        status.to_str().unwrap(),
    ]);
    "watch".clone_into(&mut args[1]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let mut child = Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(&args[1..])
        .env("NO_COLOR", "1")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut stdout = BufReader::new(child.stdout.take().unwrap()).lines();
    // The first record means the first round is done; the log line that
    // names the metrics address comes before it.
    let mut listening = None;
    let first = tokio::time::timeout(PATIENCE, async {
        loop {
            tokio::select! {
                line = stderr.next_line() => {
                    let line = line.unwrap().expect("watch logs before it exits");
                    if let Some(at) = line.split("address=").nth(1) {
                        listening = Some(at.trim().parse::<SocketAddr>().unwrap());
                    }
                }
                line = stdout.next_line() => break line.unwrap().expect("a first record"),
            }
        }
    })
    .await
    .expect("a first round");
    let record: Value = serde_json::from_str(&first).unwrap();
    assert_eq!(record["verdict"], "pass", "{first}");
    // Keep draining both pipes so the child never blocks on a full one.
    tokio::spawn(async move { while let Ok(Some(_)) = stdout.next_line().await {} });
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
    (child, listening)
}

/// `GET http://{at}{path}` with an optional `Accept`; returns status,
/// content type and body.
async fn get(at: SocketAddr, path: &str, accept: Option<&str>) -> (u16, String, String) {
    let stream = tokio::net::TcpStream::connect(at).await.unwrap();
    let (mut sender, connection) =
        hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .unwrap();
    let driver = tokio::spawn(connection);
    let mut request = hyper::Request::get(path).header("host", at.to_string());
    if let Some(accept) = accept {
        request = request.header("accept", accept);
    }
    let response = sender
        .send_request(request.body(Empty::<Bytes>::new()).unwrap())
        .await
        .unwrap();
    let status = response.status().as_u16();
    let content_type = response
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    drop(sender);
    let _ = driver.await;
    (
        status,
        content_type,
        String::from_utf8(body.to_vec()).unwrap(),
    )
}

/// `GET /metrics` once the first round is published (the record on stdout
/// can come a moment before).
async fn get_metrics(at: SocketAddr, accept: Option<&str>) -> (u16, String, String) {
    let started = Instant::now();
    loop {
        let answer = get(at, "/metrics", accept).await;
        if answer.0 != 503 || started.elapsed() > PATIENCE {
            return answer;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The TCP sockets `pid` is listening on, from `/proc`: its socket inodes
/// matched against the kernel's tables of listening sockets.
fn listening_sockets(pid: u32) -> usize {
    let inodes: Vec<String> = std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .filter_map(|e| std::fs::read_link(e.ok()?.path()).ok())
        .filter_map(|l| {
            let l = l.to_str()?.to_owned();
            Some(l.strip_prefix("socket:[")?.strip_suffix(']')?.to_owned())
        })
        .collect();
    ["tcp", "tcp6"]
        .iter()
        .filter_map(|t| std::fs::read_to_string(format!("/proc/{pid}/net/{t}")).ok())
        .flat_map(|table| {
            table
                .lines()
                .skip(1)
                .map(|row| {
                    let cols: Vec<&str> = row.split_whitespace().collect();
                    // st 0A is LISTEN; column 9 is the inode.
                    usize::from(cols[3] == "0A" && inodes.iter().any(|i| i == cols[9]))
                })
                .collect::<Vec<_>>()
        })
        .sum()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn no_socket_listens_without_metrics_listen() {
    let vpc = VpcBuilder::new().endpoint("logs", 1).start().await;
    let dir = tempfile::tempdir().unwrap();
    let quiet = ["--services", "logs", "--interval", "1h"];
    let (child, listening) = start_watch(&vpc, dir.path(), &quiet).await;
    assert_eq!(listening, None);
    assert_eq!(listening_sockets(child.id().unwrap()), 0);
    drop(child);

    // The same run with the flag: exactly one socket, serving /metrics only.
    let mut with = quiet.to_vec();
    with.extend(["--metrics-listen", "127.0.0.1:0"]);
    let (child, listening) = start_watch(&vpc, dir.path(), &with).await;
    assert_eq!(listening_sockets(child.id().unwrap()), 1);
    let at = listening.expect("the metrics address in the log");
    let (status, content_type, body) = get_metrics(at, None).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(content_type, "text/plain; version=0.0.4; charset=utf-8");
    assert!(body.contains("probe_success{service=\"logs\""), "{body}");
    assert!(body.contains("vpce_probe_rounds_total 1\n"), "{body}");
    let (status, content_type, body) =
        get(at, "/metrics", Some("application/openmetrics-text")).await;
    assert_eq!(status, 200);
    assert!(content_type.starts_with("application/openmetrics-text"));
    assert!(body.ends_with("# EOF\n"), "{body}");
    assert_eq!(get(at, "/", None).await.0, 404);
    assert_eq!(get(at, "/metrics/x", None).await.0, 404);
}

#[tokio::test]
async fn an_address_that_cannot_be_bound_is_a_usage_error() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let at = taken.local_addr().unwrap().to_string();
    // A status file of its own: the default in /tmp may belong to another user.
    let dir = tempfile::tempdir().unwrap();
    let status = dir.path().join("status.json");
    let status = status.to_str().unwrap();
    for (value, says) in [
        (at.as_str(), "an address this task can listen on"),
        ("localhost:9115", "expected ADDR:PORT with an IP address"),
    ] {
        let (code, stdout, stderr) = support::run_binary(&[
            "watch",
            "--region",
            "us-east-1",
            "--status-file",
            status,
            "--metrics-listen",
            value,
        ])
        .await;
        assert_eq!(code, 2, "{stdout}{stderr}");
        assert!(
            stderr.contains("--metrics-listen") && stderr.contains(says),
            "{stderr}"
        );
    }
}

/// Percent-encodes a query string value (everything but unreserved bytes).
fn encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// Asks Prometheus for `query` until `accept` takes the answer's values
/// (one string per series), or fails after [`PATIENCE`].
async fn query_until(
    prometheus: SocketAddr,
    query: &str,
    accept: impl Fn(&[String]) -> bool,
) -> Vec<String> {
    let started = Instant::now();
    let mut last = Vec::new();
    while started.elapsed() < PATIENCE {
        let path = format!("/api/v1/query?query={}", encode(query));
        let (status, _, body) = get(prometheus, &path, None).await;
        if status == 200 {
            let answer: Value = serde_json::from_str(&body).unwrap();
            last = answer["data"]["result"]
                .as_array()
                .unwrap()
                .iter()
                .map(|series| series["value"][1].as_str().unwrap().to_owned())
                .collect();
            if accept(&last) {
                return last;
            }
        }
        // Poll, not sleep-and-hope: the condition is checked every turn.
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{query}: still {last:?} after {PATIENCE:?}");
}

/// Waits until Prometheus's HTTP API answers at all.
async fn wait_ready(prometheus: SocketAddr) {
    let started = Instant::now();
    while started.elapsed() < PATIENCE {
        if tokio::net::TcpStream::connect(prometheus).await.is_ok()
            && get(prometheus, "/-/ready", None).await.0 == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("prometheus at {prometheus} never became ready");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's prometheus (CI installs it)"]
async fn prometheus_scrapes_the_sidecar_and_sees_an_endpoint_break() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 1)
        .endpoint("ssm", 1)
        .start()
        .await;
    let dir = tempfile::tempdir().unwrap();
    let args = [
        "--services",
        "logs,ssm",
        "--interval",
        "1s",
        "--metrics-listen",
        "127.0.0.1:0",
    ];
    let (_sidecar, listening) = start_watch(&vpc, dir.path(), &args).await;
    let sidecar = listening.expect("the metrics address in the log");

    // promtool lints a real scrape.
    let (_, _, scrape) = get_metrics(sidecar, None).await;
    let scrape_file = dir.path().join("scrape.prom");
    std::fs::write(&scrape_file, &scrape).unwrap();
    let lint = std::process::Command::new("promtool")
        .args(["check", "metrics"])
        .stdin(std::fs::File::open(&scrape_file).unwrap())
        .output()
        .expect("promtool runs (apt-get install prometheus)");
    assert!(
        lint.status.success() && lint.stdout.is_empty() && lint.stderr.is_empty(),
        "promtool: {}{}\n{scrape}",
        String::from_utf8_lossy(&lint.stdout),
        String::from_utf8_lossy(&lint.stderr)
    );

    // A Prometheus of the test's own, scraping the sidecar every second.
    let config = dir.path().join("prometheus.yml");
    std::fs::write(
        &config,
        format!(
            "global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\n\
             scrape_configs:\n  - job_name: vpce-probe\n    static_configs:\n      - targets: ['{sidecar}']\n"
        ),
    )
    .unwrap();
    let web = SocketAddr::from(([127, 0, 0, 1], support::free_port()));
    let _prometheus = Command::new("prometheus")
        .arg(format!("--config.file={}", config.display()))
        .arg(format!(
            "--storage.tsdb.path={}",
            dir.path().join("data").display()
        ))
        .arg(format!("--web.listen-address={web}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .expect("prometheus runs (apt-get install prometheus)");
    wait_ready(web).await;

    let one = |v: &[String]| v == ["1"];
    query_until(web, r#"up{job="vpce-probe"}"#, one).await;
    query_until(web, r#"probe_success{service="logs"}"#, one).await;
    query_until(web, r#"probe_success{service="ssm"}"#, one).await;
    query_until(
        web,
        r#"vpce_probe_status{service="logs",path="interface-endpoint"}"#,
        |v| v == ["0"],
    )
    .await;
    // Both name families are stored: blackbox_exporter's and the probe's own.
    for family in ["probe_.+", "vpce_probe_.+"] {
        let query = format!(r#"count({{job="vpce-probe",__name__=~"{family}"}})"#);
        query_until(web, &query, |v| {
            v.first().is_some_and(|n| n.parse::<u32>().unwrap() >= 5)
        })
        .await;
    }

    // The logs ENI goes away: within about one interval and one scrape,
    // Prometheus sees probe_success 0 for logs, and ssm stays up.
    let logs_eni = vpc.records.iter().find(|r| r.0 == host("logs")).unwrap().2[0];
    let broke = Instant::now();
    vpc.stop(logs_eni);
    query_until(web, r#"probe_success{service="logs"}"#, |v| v == ["0"]).await;
    let seen = broke.elapsed();
    eprintln!("probe_success 0 seen by Prometheus {seen:?} after the endpoint broke");
    assert!(seen < Duration::from_secs(5), "{seen:?}");
    query_until(web, r#"vpce_probe_finding_info{service="logs"}"#, one).await;
    query_until(web, r#"probe_success{service="ssm"}"#, one).await;
}

/// Every `MetricName` and dimension name the `CloudFormation` examples use.
fn cloudwatch_names(value: &Value, names: &mut Vec<(String, String)>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                match (k.as_str(), v) {
                    ("MetricName", Value::String(s)) => names.push(("metric".into(), s.clone())),
                    ("Dimensions", Value::Array(dims)) => {
                        for d in dims {
                            names.push(("dimension".into(), d["Name"].as_str().unwrap().into()));
                        }
                    }
                    ("DashboardBody", body) => {
                        // A Fn::Sub string of JSON: SEARCH('{Ns,Dim,..} MetricName="X"', ..).
                        let text = body["Fn::Sub"].as_str().unwrap();
                        for search in text.split("SEARCH('{").skip(1) {
                            let (schema, rest) = search.split_once("} MetricName=\\\"").unwrap();
                            for dim in schema.split(',').skip(1) {
                                names.push(("dimension".into(), dim.trim().into()));
                            }
                            let metric = rest.split('\\').next().unwrap();
                            names.push(("metric".into(), metric.into()));
                        }
                    }
                    _ => cloudwatch_names(v, names),
                }
            }
        }
        Value::Array(items) => items.iter().for_each(|v| cloudwatch_names(v, names)),
        _ => {}
    }
}

#[test]
fn cloudformation_examples_use_the_emf_names() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/cloudformation");
    let mut templates = 0;
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let template: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        let mut names = Vec::new();
        cloudwatch_names(&template, &mut names);
        assert!(!names.is_empty(), "{}", path.display());
        // What the EMF renderer writes: its metric names and its dimensions.
        let (emf_metrics, emf_dimensions) = emf_names();
        for (kind, name) in &names {
            let known = if kind == "metric" {
                &emf_metrics
            } else {
                &emf_dimensions
            };
            assert!(
                known.contains(name),
                "{}: {kind} {name} not in {known:?}",
                path.display()
            );
        }
        templates += 1;
    }
    assert!(templates >= 2);
}

/// The metric and dimension names in the EMF renderer's golden output
/// (`tests/render.rs` keeps it equal to what the renderer writes).
fn emf_names() -> (Vec<String>, Vec<String>) {
    let line = std::fs::read_to_string(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/render/report.emf"),
    )
    .unwrap();
    let (mut names, mut dimensions) = (Vec::new(), Vec::new());
    for doc in line.lines() {
        let doc: Value = serde_json::from_str(doc).unwrap();
        for m in doc["_aws"]["CloudWatchMetrics"][0]["Metrics"]
            .as_array()
            .unwrap()
        {
            let name = m["Name"].as_str().unwrap().to_owned();
            if !names.contains(&name) {
                names.push(name);
            }
        }
        for set in doc["_aws"]["CloudWatchMetrics"][0]["Dimensions"]
            .as_array()
            .unwrap()
        {
            for d in set.as_array().unwrap() {
                let d = d.as_str().unwrap().to_owned();
                if !dimensions.contains(&d) {
                    dimensions.push(d);
                }
            }
        }
    }
    (names, dimensions)
}

#[test]
fn the_prometheus_task_definition_serves_where_its_labels_say() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/prometheus-sidecar-task-definition.json");
    let task: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let probe = &task["containerDefinitions"][1];
    let mut argv = vec!["vpce-probe".to_owned()];
    argv.extend(
        probe["command"]
            .as_array()
            .unwrap()
            .iter()
            .map(|w| w.as_str().unwrap().to_owned()),
    );
    let cli = vpce_probe::cli::parse(&argv).unwrap();
    let vpce_probe::cli::Command::Watch(cmd) = &cli.command else {
        panic!("{argv:?} is not watch");
    };
    let config = vpce_probe::config::WatchConfig::from_cmd(cmd, &|_| None).unwrap();
    let listen = config.metrics_listen.expect("--metrics-listen");
    let labels = &probe["dockerLabels"];
    assert_eq!(
        labels["ECS_PROMETHEUS_EXPORTER_PORT"],
        listen.port().to_string()
    );
    assert_eq!(labels["ECS_PROMETHEUS_METRICS_PATH"], "/metrics");
    assert_eq!(labels["ECS_PROMETHEUS_JOB_NAME"], "vpce-probe");
    assert_eq!(probe["portMappings"][0]["containerPort"], listen.port());
    // The collector and the agent read the same labels.
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let adot = std::fs::read_to_string(dir.join("ecs-observer-collector.yaml")).unwrap();
    let agent = std::fs::read_to_string(dir.join("cloudwatch-agent-prometheus.json")).unwrap();
    for label in labels.as_object().unwrap().keys() {
        assert!(adot.contains(label.as_str()), "{label} in the ADOT config");
        assert!(
            agent.contains(label.as_str()),
            "{label} in the agent config"
        );
    }
}
