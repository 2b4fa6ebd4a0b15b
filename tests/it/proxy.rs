//! The app's route through an HTTPS proxy, against a real proxy (Debian's
//! tinyproxy, started by the test on a loopback address of its own, in a
//! mount namespace whose /etc/hosts points the endpoint names at the
//! simulated VPC, since a proxy resolves names itself), a proxy that is
//! down, and one that answers `403` to `CONNECT`. The tinyproxy test needs
//! root (the mount namespace) and is `#[ignore]`d; `.ci/run` runs it as root
//! with `--include-ignored`.

use crate::support;

use std::fmt::Write as _;
use std::io::BufRead;
use std::net::SocketAddr;

use support::VpcBuilder;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// tinyproxy on 127.0.0.1, allowed to CONNECT to the VPC's port, resolving
/// the VPC's names through its own /etc/hosts. Killed on drop.
struct Tinyproxy {
    child: std::process::Child,
    addr: SocketAddr,
    _dir: tempfile::TempDir,
}

impl Drop for Tinyproxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn tinyproxy(vpc: &support::Vpc) -> Tinyproxy {
    tinyproxy_with(vpc, "")
}

/// [`tinyproxy`] with more configuration lines (`BasicAuth USER PASSWORD`).
fn tinyproxy_with(vpc: &support::Vpc, more: &str) -> Tinyproxy {
    let dir = tempfile::tempdir().unwrap();
    let port = support::free_port();
    let conf = dir.path().join("tinyproxy.conf");
    std::fs::write(
        &conf,
        format!(
            "Port {port}\nListen 127.0.0.1\nTimeout 10\nMaxClients 50\nAllow 127.0.0.0/8\n\
             ConnectPort {}\nLogLevel Info\n{more}",
            vpc.port
        ),
    )
    .unwrap();
    let hosts = dir.path().join("hosts");
    let mut lines = String::from("127.0.0.1 localhost\n");
    for (name, _, ips) in &vpc.records {
        for ip in ips {
            let _ = writeln!(lines, "{ip} {name}");
        }
    }
    std::fs::write(&hosts, lines).unwrap();
    let script = format!(
        "mount --bind {} /etc/hosts && exec tinyproxy -d -c {}",
        hosts.display(),
        conf.display()
    );
    let mut child = std::process::Command::new("unshare")
        .args(["--mount", "--propagation", "private", "sh", "-c", &script])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("tinyproxy and unshare are installed (.ci/run installs tinyproxy)");
    // Ready when it says it listens.
    let stdout = child.stdout.take().unwrap();
    let mut reader = std::io::BufReader::new(stdout);
    let mut line = String::new();
    loop {
        line.clear();
        let n = reader.read_line(&mut line).unwrap();
        assert!(n > 0, "tinyproxy exited before listening");
        if line.contains("listening on fd") {
            break;
        }
    }
    // Keep draining its log so it never blocks on a full pipe.
    std::thread::spawn(move || for _ in reader.lines() {});
    Tinyproxy {
        child,
        addr: SocketAddr::from(([127, 0, 0, 1], port)),
        _dir: dir,
    }
}

/// A proxy that answers every `CONNECT` with `403 Forbidden`.
async fn forbidding_proxy() -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = [0u8; 4096];
                let mut seen = Vec::new();
                while !seen.windows(4).any(|w| w == b"\r\n\r\n") {
                    match stream.read(&mut buf).await {
                        Ok(0) | Err(_) => return,
                        Ok(n) => seen.extend_from_slice(&buf[..n]),
                    }
                }
                let _ = stream
                    .write_all(b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
                    .await;
            });
        }
    });
    addr
}

async fn vpc() -> support::Vpc {
    VpcBuilder::new()
        .endpoint("logs", 2)
        .endpoint("ssm", 1)
        .start()
        .await
}

/// Runs `check --format json` with these proxy variables; returns the exit
/// code, the report and stderr.
async fn check(
    vpc: &support::Vpc,
    env: &[(&str, String)],
    extra: &[&str],
) -> (i32, serde_json::Value, String) {
    let mut args = vpc.args(&["--services", "logs,ssm", "--format", "json"]);
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let mut command = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"));
    command
        .args(&args[1..])
        .env_remove("HTTPS_PROXY")
        .env_remove("https_proxy")
        .env_remove("NO_PROXY")
        .env_remove("no_proxy");
    for (k, v) in env {
        command.env(k, v);
    }
    let out = command.output().await.unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let report = serde_json::from_str(&stdout).unwrap_or(serde_json::Value::Null);
    (out.status.code().unwrap_or(-1), report, stderr)
}

fn endpoints(report: &serde_json::Value) -> &Vec<serde_json::Value> {
    report["endpoints"].as_array().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root (a mount namespace) and tinyproxy; .ci/run runs it"]
async fn a_working_proxy_bypasses_the_endpoints() {
    let vpc = vpc().await;
    let proxy = tinyproxy(&vpc);
    let url = format!("http://{}", proxy.addr);
    let env = [
        ("HTTPS_PROXY", url.clone()),
        ("NO_PROXY", "169.254.169.254,169.254.170.2".to_owned()),
    ];
    let (code, report, stderr) = check(&vpc, &env, &[]).await;
    assert_eq!(code, 0, "{stderr}\n{report}");
    for e in endpoints(&report) {
        assert_eq!(e["status"], "warn", "{e}");
        assert_eq!(e["finding"], "proxy_bypasses_endpoint", "{e}");
        assert_eq!(e["path"], "interface-endpoint");
        let p = &e["proxy"];
        assert_eq!(
            (&p["used"], &p["ok"], &p["status_code"]),
            (&true.into(), &true.into(), &200.into()),
            "{p}"
        );
        assert_eq!(p["url"], url);
        assert_eq!(p["tls"]["version"], "TLSv1.3");
        assert!(
            e["diagnosis"]
                .as_str()
                .unwrap()
                .contains("Add .amazonaws.com to NO_PROXY"),
            "{e}"
        );
    }
    let notes = report["context"]["notes"].to_string();
    assert!(!notes.contains("169.254.170.2"), "{notes}");

    // Under --expect private, traffic through the proxy is not provably private.
    let (code, report, _) = check(&vpc, &env, &["--expect", "private"]).await;
    assert_eq!(code, 1);
    assert!(
        endpoints(&report)
            .iter()
            .all(|e| e["finding"] == "proxy_path")
    );

    // NO_PROXY covering AWS names: the SDK goes direct, which works.
    let env = [
        ("https_proxy", url.clone()),
        ("no_proxy", ".amazonaws.com,169.254.170.2".to_owned()),
    ];
    let (code, report, _) = check(&vpc, &env, &[]).await;
    assert_eq!(code, 0);
    for e in endpoints(&report) {
        assert_eq!(
            (&e["status"], &e["proxy"]["used"]),
            (&"ok".into(), &false.into()),
            "{e}"
        );
        assert_eq!(e["proxy"]["no_proxy_match"]["entry"], ".amazonaws.com");
    }

    // The text report shows the route under the endpoint.
    let mut args = vpc.args(&["--services", "logs"]);
    args.retain(|a| a != "json");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(&args[1..])
        .env("HTTPS_PROXY", &url)
        .env("NO_PROXY", "169.254.170.2")
        .env("NO_COLOR", "1")
        .output()
        .await
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.contains(&format!("      proxy    {url}  CONNECT 200 in ")),
        "{text}"
    );
    assert!(text.contains("finding  proxy_bypasses_endpoint"), "{text}");
    if std::env::var_os("SHOW_REPORT").is_some() {
        eprintln!("{text}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_proxy_that_is_down_or_forbids_fails_the_app_route() {
    let vpc = vpc().await;
    let down = format!("http://127.0.0.1:{}", support::free_port());
    let (code, report, _) = check(&vpc, &[("HTTPS_PROXY", down)], &[]).await;
    assert_eq!(code, 1);
    for e in endpoints(&report) {
        assert_eq!(
            (&e["status"], &e["finding"]),
            (&"fail".into(), &"proxy_unreachable".into()),
            "{e}"
        );
        assert_eq!(e["proxy"]["ok"], false);
        assert_eq!(e["proxy"]["error"]["kind"], "refused");
    }
    // No NO_PROXY at all: the credentials note.
    let notes = report["context"]["notes"].to_string();
    assert!(notes.contains("NO_PROXY lacks 169.254.170.2"), "{notes}");

    let forbidding = format!("http://{}", forbidding_proxy().await);
    let (code, report, _) = check(&vpc, &[("HTTPS_PROXY", forbidding)], &[]).await;
    assert_eq!(code, 1);
    for e in endpoints(&report) {
        assert_eq!(e["finding"], "proxy_denied", "{e}");
        assert_eq!(e["proxy"]["status_code"], 403);
        assert!(
            e["diagnosis"]
                .as_str()
                .unwrap()
                .contains("CONNECT answered HTTP 403"),
            "{e}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs root (a mount namespace) and tinyproxy; .ci/run runs it"]
async fn a_proxy_that_wants_credentials_is_named_and_the_password_never_shown() {
    let vpc = vpc().await;
    let proxy = tinyproxy_with(&vpc, "BasicAuth probe-user s3cr3t-pw\n");
    let no_proxy = ("NO_PROXY", "169.254.169.254,169.254.170.2".to_owned());

    let bare = format!("http://{}", proxy.addr);
    let (code, report, _) = check(&vpc, &[("HTTPS_PROXY", bare), no_proxy.clone()], &[]).await;
    assert_eq!(code, 1);
    for e in endpoints(&report) {
        assert_eq!(
            (&e["status"], &e["finding"], &e["proxy"]["status_code"]),
            (&"fail".into(), &"proxy_auth_required".into(), &407.into()),
            "{e}"
        );
        let d = e["diagnosis"].as_str().unwrap();
        assert!(d.contains("wants credentials"), "{d}");
        assert!(d.contains("http://USER:PASSWORD@HOST:PORT"), "{d}");
        assert!(!d.contains("allow-list"), "{d}");
    }

    // With them in the URL the route works, and no output holds them: not
    // the report, not the text, not the most verbose log.
    let with = format!("http://probe-user:s3cr3t-pw@{}", proxy.addr);
    let env = [("HTTPS_PROXY", with), no_proxy];
    let (code, report, stderr) = check(&vpc, &env, &["--log", "trace"]).await;
    assert_eq!(code, 0, "{stderr}\n{report}");
    for e in endpoints(&report) {
        assert_eq!(e["finding"], "proxy_bypasses_endpoint", "{e}");
        assert_eq!(
            (&e["proxy"]["ok"], &e["proxy"]["status_code"]),
            (&true.into(), &200.into())
        );
        assert_eq!(e["proxy"]["url"], format!("http://{}", proxy.addr));
    }
    let mut args = vpc.args(&["--services", "logs,ssm", "--log", "trace"]);
    args.retain(|a| a != "json");
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(&args[1..])
        .envs(env.iter().map(|(k, v)| (k, v)))
        .output()
        .await
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(text.contains("CONNECT 200"), "{text}");
    // The Basic credentials as sent, base64 of "probe-user:s3cr3t-pw".
    let basic = "cHJvYmUtdXNlcjpzM2NyM3QtcHc=";
    for output in [
        report.to_string(),
        stderr,
        text.into_owned(),
        log.into_owned(),
    ] {
        assert!(!output.contains("s3cr3t-pw"), "{output}");
        assert!(!output.contains(basic), "{output}");
    }
}

#[tokio::test]
async fn proxy_settings_are_validated_and_credentials_never_shown() {
    let (code, _, stderr) =
        support::run_binary(&["--region", "us-east-1", "--https-proxy", "proxy.corp:3128"]).await;
    assert_eq!(code, 2);
    assert!(
        stderr.starts_with("vpce-probe: invalid --https-proxy 'proxy.corp:3128': expected http://"),
        "{stderr}"
    );
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .args(["endpoints", "--region", "us-east-1"])
        .env("HTTPS_PROXY", "https://user:s3cret@proxy.corp")
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr.starts_with("vpce-probe: invalid HTTPS_PROXY 'proxy.corp'"),
        "{stderr}"
    );
    assert!(!stderr.contains("s3cret"));
    // `none` turns an inherited proxy off.
    let (code, _, _) = support::run_binary(&[
        "endpoints",
        "--region",
        "us-east-1",
        "--https-proxy",
        "none",
    ])
    .await;
    assert_eq!(code, 0);
}
