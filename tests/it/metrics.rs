//! `watch --metrics-listen` end to end: the real binary in the simulated
//! VPC, scraped by us (and checked by `promtool`) and by a real Prometheus
//! started by the test, queried through its HTTP API before and after an
//! endpoint breaks; and side by side with Debian's `blackbox_exporter`
//! 0.23 on the same two endpoints (TLS 1.3 and TLS 1.2), whose shared
//! series must have the same names, label sets and non-timing values.
//! Without the flag, no socket listens. The `CloudFormation` examples use
//! the metric names and dimensions the EMF renderer writes.
//!
//! The tests that need Debian's `prometheus` package (`prometheus`,
//! `promtool`) or `prometheus-blackbox-exporter` are ignored by default; CI
//! installs them and runs them.

use std::fmt::Write as _;
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

/// The test's own chain: a root, an intermediate that expires in 30 days
/// (before the leaf: the chain's earliest expiry is not the leaf's), and
/// per name a leaf whose subject Go writes in its own order, with an
/// attribute it knows no name for and characters it escapes.
struct Chain {
    root: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    intermediate: rcgen::CertifiedIssuer<'static, rcgen::KeyPair>,
    intermediate_expiry: i64,
}

fn ca(cn: &str, days: i64) -> rcgen::CertificateParams {
    use rcgen::{BasicConstraints, DnType, IsCa, KeyUsagePurpose};
    let mut p = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CountryName, "US");
    p.distinguished_name
        .push(DnType::OrganizationName, "Amazon");
    p.distinguished_name.push(DnType::CommonName, cn);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = time::OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::days(1);
    p.not_after = now + time::Duration::days(days);
    p
}

impl Chain {
    fn new() -> Self {
        let root = rcgen::CertifiedIssuer::self_signed(
            ca("Test Root", 3650),
            rcgen::KeyPair::generate().unwrap(),
        )
        .unwrap();
        let params = ca("Amazon RSA 2048 M01 (test), expiring", 30);
        let intermediate_expiry = params.not_after.unix_timestamp();
        let intermediate =
            rcgen::CertifiedIssuer::signed_by(params, rcgen::KeyPair::generate().unwrap(), &root)
                .unwrap();
        Self {
            root,
            intermediate,
            intermediate_expiry,
        }
    }

    /// A server config for `name`, offering only `versions`.
    fn server(
        &self,
        name: &str,
        versions: &[&'static rustls::SupportedProtocolVersion],
    ) -> std::sync::Arc<rustls::ServerConfig> {
        use rcgen::{DnType, DnValue};
        let names = vec![name.to_owned(), format!("alt.{name}"), "127.0.0.1".into()];
        let mut p = rcgen::CertificateParams::new(names).unwrap();
        let dn = &mut p.distinguished_name;
        dn.push(DnType::CommonName, name);
        dn.push(DnType::OrganizationName, "Example, Inc.");
        dn.push(DnType::OrganizationalUnitName, "Ops + Infra");
        dn.push(DnType::CountryName, "JP");
        // businessCategory, which Go writes as its OID and DER.
        dn.push(
            DnType::CustomDnType(vec![2, 5, 4, 15]),
            DnValue::Utf8String("Private Organization".into()),
        );
        let now = time::OffsetDateTime::now_utc();
        p.not_before = now - time::Duration::days(1);
        p.not_after = now + time::Duration::days(300);
        let key = rcgen::KeyPair::generate().unwrap();
        let leaf = p.signed_by(&key, &self.intermediate).unwrap();
        let chain = vec![leaf.der().clone(), self.intermediate.der().clone()];
        let provider = std::sync::Arc::new(rustls::crypto::ring::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(
                chain,
                rustls::pki_types::PrivateKeyDer::Pkcs8(key.serialize_der().into()),
            )
            .unwrap();
        std::sync::Arc::new(config)
    }
}

/// Serves TLS with `config` on `at` until the task is dropped.
async fn serve_tls(
    at: SocketAddr,
    config: std::sync::Arc<rustls::ServerConfig>,
) -> tokio::task::JoinHandle<()> {
    let listener = tokio::net::TcpListener::bind(at).await.unwrap();
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    tokio::spawn(async move {
        let mut connections = tokio::task::JoinSet::new();
        while let Ok((stream, _)) = listener.accept().await {
            let acceptor = acceptor.clone();
            connections.spawn(async move {
                if let Ok(mut tls) = acceptor.accept(stream).await {
                    use tokio::io::AsyncReadExt;
                    let _ = tls.read(&mut [0u8; 64]).await;
                }
            });
            while connections.try_join_next().is_some() {}
        }
    })
}

/// Starts Debian's `blackbox_exporter` with `config` on a loopback port
/// of its own choosing (`:0`), read from its log.
async fn start_blackbox(config: &Path) -> (Child, SocketAddr) {
    let mut child = Command::new("prometheus-blackbox-exporter")
        .arg(format!("--config.file={}", config.display()))
        .arg("--web.listen-address=127.0.0.1:0")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .expect("blackbox_exporter runs (apt-get install prometheus-blackbox-exporter)");
    let mut stderr = BufReader::new(child.stderr.take().unwrap()).lines();
    let at = tokio::time::timeout(PATIENCE, async {
        loop {
            let line = stderr
                .next_line()
                .await
                .unwrap()
                .expect("blackbox_exporter logs where it listens before it exits");
            if line.contains("msg=\"Listening on\"")
                && let Some(at) = line.split("address=").nth(1)
            {
                break at.trim().parse::<SocketAddr>().unwrap();
            }
        }
    })
    .await
    .expect("blackbox_exporter listening");
    tokio::spawn(async move { while let Ok(Some(_)) = stderr.next_line().await {} });
    (child, at)
}

/// One sample: name, labels, value.
type Sample = (String, std::collections::BTreeMap<String, String>, f64);

/// The samples of a Prometheus text exposition (label values unescaped).
fn samples(text: &str) -> Vec<Sample> {
    let mut out = Vec::new();
    for line in text
        .lines()
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
    {
        let name_end = line.find(['{', ' ']).unwrap();
        let name = line[..name_end].to_owned();
        let mut labels = std::collections::BTreeMap::new();
        let mut rest = &line[name_end..];
        if let Some(inside) = rest.strip_prefix('{') {
            let mut chars = inside.char_indices();
            let (mut key, mut value, mut in_value, mut escaped) =
                (String::new(), String::new(), false, false);
            loop {
                let (i, c) = chars.next().expect("a closed label set");
                match (in_value, escaped, c) {
                    (false, _, '}') => {
                        rest = &inside[i + 1..];
                        break;
                    }
                    (false, _, '=' | ',') => {}
                    (false, _, '"') => in_value = true,
                    (false, _, c) => key.push(c),
                    (true, true, c) => {
                        value.push(if c == 'n' { '\n' } else { c });
                        escaped = false;
                    }
                    (true, false, '\\') => escaped = true,
                    (true, false, '"') => {
                        labels.insert(std::mem::take(&mut key), std::mem::take(&mut value));
                        in_value = false;
                    }
                    (true, false, c) => value.push(c),
                }
            }
        }
        let value = rest.split_whitespace().next().unwrap().parse().unwrap();
        out.push((name, labels, value));
    }
    out
}

/// The metric names `blackbox_exporter` 0.23's TCP prober with TLS exports
/// and the sidecar does not claim: `probe_ip_addr_hash` hashes the one
/// address it probed, and `probe_failed_due_to_regex` is about
/// `query_response`, which the probe has not.
const BLACKBOX_ONLY: [&str; 2] = ["probe_failed_due_to_regex", "probe_ip_addr_hash"];

/// The shared names whose values are durations (compared by presence only).
const TIMINGS: [&str; 2] = ["probe_duration_seconds", "probe_dns_lookup_time_seconds"];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Debian's prometheus-blackbox-exporter (CI installs it)"]
async fn blackbox_exporter_and_the_sidecar_agree_on_the_shared_series() {
    // Two endpoints whose addresses the test serves itself: logs with TLS
    // 1.3, ssm with TLS 1.2 only, both with the test's chain.
    let vpc = VpcBuilder::new()
        .name(
            &host("logs"),
            &[(support::Side::Private, support::Behavior::Closed)],
        )
        .name(
            &host("ssm"),
            &[(support::Side::Private, support::Behavior::Closed)],
        )
        .start()
        .await;
    let chain = Chain::new();
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root.pem");
    std::fs::write(&root, chain.root.pem()).unwrap();
    let endpoints = [
        ("logs", &rustls::version::TLS13, "TLS 1.3"),
        ("ssm", &rustls::version::TLS12, "TLS 1.2"),
    ];
    let mut servers = Vec::new();
    let mut modules = String::from("modules:\n");
    for (service, version, _) in endpoints {
        let name = host(service);
        let ip = vpc.records.iter().find(|r| r.0 == name).unwrap().2[0];
        let at = SocketAddr::new(ip, vpc.port);
        servers.push(serve_tls(at, chain.server(&name, &[version])).await);
        let _ = write!(
            modules,
            "  {service}:\n    prober: tcp\n    timeout: 5s\n    tcp:\n      preferred_ip_protocol: ip4\n      tls: true\n      tls_config:\n        ca_file: {}\n        server_name: {name}\n",
            root.display()
        );
    }
    let config = dir.path().join("blackbox.yml");
    std::fs::write(&config, modules).unwrap();
    let (_blackbox, blackbox) = start_blackbox(&config).await;
    let args = [
        "--services",
        "logs,ssm",
        "--interval",
        "1h",
        "--metrics-listen",
        "127.0.0.1:0",
        "--ca-file",
        root.to_str().unwrap(),
    ];
    let (_sidecar, listening) = start_watch(&vpc, dir.path(), &args).await;
    let (status, _, sidecar) = get_metrics(listening.expect("the metrics address"), None).await;
    assert_eq!(status, 200, "{sidecar}");
    let sidecar = samples(&sidecar);

    for (service, _, version) in endpoints {
        let name = host(service);
        let ip = vpc.records.iter().find(|r| r.0 == name).unwrap().2[0];
        let target = SocketAddr::new(ip, vpc.port);
        let path = format!(
            "/probe?module={service}&target={}",
            encode(&target.to_string())
        );
        let (status, _, text) = get(blackbox, &path, None).await;
        assert_eq!(status, 200, "{text}");
        let theirs = samples(&text);
        let ours: Vec<Sample> = sidecar
            .iter()
            .filter(|(_, l, _)| l.get("service").map(String::as_str) == Some(service))
            .map(|(n, l, v)| {
                let mut l = l.clone();
                assert_eq!(l.remove("host").as_deref(), Some(name.as_str()));
                assert_eq!(l.remove("port"), Some(vpc.port.to_string()));
                l.remove("service");
                (n.clone(), l, *v)
            })
            .collect();
        compare(service, &theirs, &ours);
        // The TLS version as blackbox_exporter names it; the earliest
        // expiry is the intermediate's, not the leaf's.
        let value = |name: &str| {
            ours.iter()
                .find(|s| s.0 == name)
                .map(|s| (s.1.clone(), s.2))
        };
        assert_eq!(
            value("probe_tls_version_info").unwrap().0["version"],
            version
        );
        #[expect(clippy::cast_precision_loss, reason = "unix seconds fit f64")]
        let intermediate = chain.intermediate_expiry as f64;
        for expiry in [
            "probe_ssl_earliest_cert_expiry",
            "probe_ssl_last_chain_expiry_timestamp_seconds",
        ] {
            let got = value(expiry).unwrap().1;
            assert!((got - intermediate).abs() < 0.5, "{expiry} {got}");
        }
    }
    drop(servers);
}

/// Every name `blackbox_exporter` exports is shared but for
/// [`BLACKBOX_ONLY`]; each shared name has the same label sets, and the
/// same values but for durations.
fn compare(service: &str, theirs: &[Sample], ours: &[Sample]) {
    let names = |s: &[Sample]| {
        s.iter()
            .map(|(n, _, _)| n.clone())
            .collect::<std::collections::BTreeSet<String>>()
    };
    let (their_names, our_names) = (names(theirs), names(ours));
    let shared: Vec<&String> = their_names.intersection(&our_names).collect();
    let only_theirs: Vec<&String> = their_names.difference(&our_names).collect();
    assert_eq!(only_theirs, BLACKBOX_ONLY, "{service}: {shared:?}");
    assert_eq!(
        shared,
        [
            "probe_dns_lookup_time_seconds",
            "probe_duration_seconds",
            "probe_ip_protocol",
            "probe_ssl_earliest_cert_expiry",
            "probe_ssl_last_chain_expiry_timestamp_seconds",
            "probe_ssl_last_chain_info",
            "probe_success",
            "probe_tls_version_info",
        ],
        "{service}"
    );
    for name in shared {
        let series = |s: &[Sample]| {
            let mut v: Vec<(std::collections::BTreeMap<String, String>, f64)> = s
                .iter()
                .filter(|(n, _, _)| n == name)
                .map(|(_, l, v)| (l.clone(), *v))
                .collect();
            v.sort_by(|a, b| a.0.cmp(&b.0));
            v
        };
        let (t, o) = (series(theirs), series(ours));
        let labels = |v: &[(std::collections::BTreeMap<String, String>, f64)]| {
            v.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>()
        };
        assert_eq!(labels(&o), labels(&t), "{service}: {name}'s labels");
        if TIMINGS.contains(&name.as_str()) {
            assert!(o.iter().all(|(_, v)| *v >= 0.0), "{service}: {name} {o:?}");
        } else {
            assert_eq!(o, t, "{service}: {name}'s values");
        }
    }
}
