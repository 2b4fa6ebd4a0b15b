//! The static binary as a Lambda bootstrap, driven by a fake Lambda Runtime
//! API (a small hyper server speaking the real paths and headers): a valid
//! event is answered with the report, a bad event with an invocation error
//! naming the bad value, an invocation whose deadline is shorter than the
//! probe's own gets its report before that deadline, and SIGTERM ends it.

use crate::support;

use std::collections::VecDeque;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::{Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use support::{Behavior, Side, VpcBuilder, host};
use tokio::sync::mpsc;

const FUNCTION_ARN: &str = "arn:aws:lambda:ap-northeast-1:123456789012:function:vpce-probe";

/// One invocation: its id, its deadline (ms since the epoch) and the event.
struct Invocation {
    id: String,
    deadline_ms: u64,
    event: serde_json::Value,
}

/// What the function posted: the request id, `response` or `error`, the body
/// and when it arrived (ms since the epoch).
type Posted = (String, String, serde_json::Value, u64);

fn now_ms() -> u64 {
    u64::try_from(
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .unwrap()
            .as_millis(),
    )
    .unwrap()
}

/// Serves `/2018-06-01/runtime/invocation/next` from `queue` (and then
/// never answers, as Lambda does between invocations), and records every
/// `/response` and `/error`.
async fn runtime_api(
    queue: VecDeque<Invocation>,
) -> (std::net::SocketAddr, mpsc::UnboundedReceiver<Posted>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let queue = Arc::new(Mutex::new(queue));
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        loop {
            let Ok((stream, _)) = listener.accept().await else {
                return;
            };
            let queue = Arc::clone(&queue);
            let tx = tx.clone();
            tokio::spawn(async move {
                let service = hyper::service::service_fn(
                    move |req: Request<hyper::body::Incoming>| {
                        let queue = Arc::clone(&queue);
                        let tx = tx.clone();
                        async move {
                            let path = req.uri().path().to_owned();
                            if path == "/2018-06-01/runtime/invocation/next" {
                                let next = queue.lock().unwrap().pop_front();
                                let Some(inv) = next else {
                                    std::future::pending::<()>().await;
                                    unreachable!()
                                };
                                let body = serde_json::to_vec(&inv.event).unwrap();
                                return Ok::<_, Infallible>(
                                Response::builder()
                                    .header("Lambda-Runtime-Aws-Request-Id", &inv.id)
                                    .header("Lambda-Runtime-Deadline-Ms", inv.deadline_ms.to_string())
                                    .header("Lambda-Runtime-Invoked-Function-Arn", FUNCTION_ARN)
                                    .header("Lambda-Runtime-Trace-Id", "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1")
                                    .header("Content-Type", "application/json")
                                    .body(Full::new(Bytes::from(body)))
                                    .unwrap(),
                            );
                            }
                            let parts: Vec<&str> =
                                path.trim_start_matches('/').split('/').collect();
                            if let ["2018-06-01", "runtime", "invocation", id, kind] = parts[..] {
                                let body = req.into_body().collect().await.unwrap().to_bytes();
                                let value = serde_json::from_slice(&body)
                                    .unwrap_or(serde_json::Value::Null);
                                let _ = tx.send((id.to_owned(), kind.to_owned(), value, now_ms()));
                                return Ok(Response::builder()
                                    .status(StatusCode::ACCEPTED)
                                    .body(Full::new(Bytes::from_static(b"{\"status\":\"OK\"}")))
                                    .unwrap());
                            }
                            Ok(Response::builder()
                                .status(StatusCode::NOT_FOUND)
                                .body(Full::new(Bytes::new()))
                                .unwrap())
                        }
                    },
                );
                let _ = hyper::server::conn::http1::Builder::new()
                    .serve_connection(TokioIo::new(stream), service)
                    .await;
            });
        }
    });
    (addr, rx)
}

/// The binary as Lambda starts a function's bootstrap: no arguments, the
/// Runtime API's address and the function's settings in the environment.
fn function(api: std::net::SocketAddr, vpc: &support::Vpc) -> tokio::process::Child {
    tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", api.to_string())
        .env("AWS_LAMBDA_FUNCTION_NAME", "vpce-probe")
        .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
        .env("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        .env("AWS_REGION", "ap-northeast-1")
        // The function's environment sets defaults exactly as for the container.
        .env("VPCE_PROBE_DNS_SERVER", vpc.dns.to_string())
        .env("VPCE_PROBE_PORT", vpc.port.to_string())
        .env("VPCE_PROBE_VPC_CIDRS", vpc.cidr())
        .env("VPCE_PROBE_CA_FILE", &vpc.ca_file)
        .env("VPCE_PROBE_HOSTS_FILE", "none")
        .env("VPCE_PROBE_TIMEOUT", "300ms")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::inherit())
        .spawn()
        .unwrap()
}

/// The next thing the function posted.
async fn next(posted: &mut mpsc::UnboundedReceiver<Posted>) -> Posted {
    tokio::time::timeout(Duration::from_secs(30), posted.recv())
        .await
        .expect("the function answers")
        .unwrap()
}

/// The next post is invocation `id`'s usage error: its one-line message.
async fn usage_error(posted: &mut mpsc::UnboundedReceiver<Posted>, id: &str) -> String {
    let (got, kind, error, _) = next(posted).await;
    assert_eq!((got.as_str(), kind.as_str()), (id, "error"), "{error}");
    if std::env::var_os("SHOW_REPORT").is_some() {
        eprintln!("{error}");
    }
    assert_eq!(error["errorType"], "UsageError");
    error["errorMessage"].as_str().unwrap().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_serves_lambda_invocations() {
    let vpc = VpcBuilder::new()
        .endpoint("logs", 2)
        .name(&host("ssm"), &[(Side::Private, Behavior::Blackhole)])
        .start()
        .await;
    let far = now_ms() + 60_000;
    let queue = VecDeque::from([
        Invocation {
            id: "good".into(),
            deadline_ms: far,
            event: serde_json::json!({"services": ["logs"], "expect": "private"}),
        },
        Invocation {
            id: "bad".into(),
            deadline_ms: far,
            event: serde_json::json!({"services": "logs", "vpc_cidrs": ["10.0.0.0/33"]}),
        },
        Invocation {
            id: "unknown".into(),
            deadline_ms: far,
            event: serde_json::json!({"services": "logs", "regoin": "us-east-1"}),
        },
        Invocation {
            id: "short".into(),
            // Set when it is handed out below; the probe's own limits are longer.
            deadline_ms: 0,
            event: serde_json::json!({"services": "logs,ssm", "timeout": "10s", "deadline": "30s"}),
        },
    ]);
    // The short invocation's deadline: 1.5 s from now, far below the
    // probe's own 10 s timeout and 30 s deadline.
    let mut queue = queue;
    let short_deadline = now_ms() + 1_500;
    queue[3].deadline_ms = short_deadline;
    let (api, mut posted) = runtime_api(queue).await;

    let mut child = function(api, &vpc);

    let (id, kind, report, _) = next(&mut posted).await;
    assert_eq!(
        (id.as_str(), kind.as_str()),
        ("good", "response"),
        "{report}"
    );
    if std::env::var_os("SHOW_REPORT").is_some() {
        // The README's sample: `SHOW_REPORT=1 cargo test --test it lambda:: -- --nocapture`.
        eprintln!("{}", serde_json::to_string_pretty(&report).unwrap());
    }
    assert_eq!(report["verdict"], "pass", "{report}");
    assert_eq!(report["expect"], "private");
    assert_eq!(report["region"], "ap-northeast-1");
    assert_eq!(report["context"]["source"], "lambda");
    assert_eq!(report["context"]["function_arn"], FUNCTION_ARN);
    assert_eq!(report["endpoints"][0]["service"], "logs");
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    assert!(validator.is_valid(&report), "{report}");

    let message = usage_error(&mut posted, "bad").await;
    assert_eq!(
        message,
        "invalid --vpc-cidr '10.0.0.0/33': expected a CIDR like 10.0.0.0/16 or fd00::/8"
    );
    let message = usage_error(&mut posted, "unknown").await;
    assert_eq!(
        message,
        "unknown event key 'regoin': the keys are check's flags in snake_case"
    );

    let (id, kind, report, at) = next(&mut posted).await;
    assert_eq!(
        (id.as_str(), kind.as_str()),
        ("short", "response"),
        "{report}"
    );
    assert!(
        at < short_deadline,
        "answered {} ms after the deadline",
        at - short_deadline
    );
    let ssm = &report["endpoints"][1];
    assert_eq!(ssm["service"], "ssm");
    assert_eq!(ssm["finding"], "deadline_exceeded", "{ssm}");
    assert_eq!(report["endpoints"][0]["status"], "ok", "{report}");

    // Lambda sends SIGTERM at shutdown: the function ends at once, exit 0.
    let pid = child.id().unwrap();
    let killed = std::process::Command::new("kill")
        .args(["-TERM", &pid.to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = tokio::time::timeout(Duration::from_secs(10), child.wait())
        .await
        .expect("exits on SIGTERM")
        .unwrap();
    assert_eq!(status.code(), Some(0));
}

#[tokio::test]
async fn a_bootstrap_without_the_lambda_environment_says_what_is_missing() {
    let out = tokio::process::Command::new(env!("CARGO_BIN_EXE_vpce-probe"))
        .env_clear()
        .env("AWS_LAMBDA_RUNTIME_API", "127.0.0.1:9")
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert_eq!(
        stderr,
        "vpce-probe: cannot serve Lambda invocations: AWS_LAMBDA_FUNCTION_NAME is not set: the Lambda service sets it for a function's bootstrap\n"
    );
}

/// An `EventBridge` "ECS Task State Change" event, as ECS sends it.
fn task_state_change(last_status: &str, stopped_reason: &str) -> serde_json::Value {
    serde_json::json!({
        "version": "0",
        "id": "3317b2af-7005-947d-b652-f55e762e571a",
        "detail-type": "ECS Task State Change",
        "source": "aws.ecs",
        "account": "123456789012",
        "time": "2026-12-03T07:01:16Z",
        "region": "ap-northeast-1",
        "resources": ["arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0a1b2c3d4e5f40718293a4b5c6d7e8f9"],
        "detail": {
            "attachments": [{
                "id": "1789bcae-ddfb-4d10-8ebe-8ac87ddba5b8",
                "type": "eni",
                "status": "DELETED",
                "details": [
                    {"name": "subnetId", "value": "subnet-0a1b2c3d"},
                    {"name": "networkInterfaceId", "value": "eni-0a1b2c3d4e5f"},
                    {"name": "privateIPv4Address", "value": "10.0.1.25"}
                ]
            }],
            "availabilityZone": "ap-northeast-1a",
            "clusterArn": "arn:aws:ecs:ap-northeast-1:123456789012:cluster/prod",
            "containers": [{
                "containerArn": "arn:aws:ecs:ap-northeast-1:123456789012:container/prod/0a1b2c3d4e5f40718293a4b5c6d7e8f9/6f8e7d6c-1111-2222-3333-444455556666",
                "lastStatus": last_status,
                "name": "app",
                "image": "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/app:1.4.2",
                "taskArn": "arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0a1b2c3d4e5f40718293a4b5c6d7e8f9"
            }],
            "desiredStatus": "STOPPED",
            "lastStatus": last_status,
            "launchType": "FARGATE",
            "platformVersion": "1.4.0",
            "stopCode": "TaskFailedToStart",
            "stoppedReason": stopped_reason,
            "taskArn": "arn:aws:ecs:ap-northeast-1:123456789012:task/prod/0a1b2c3d4e5f40718293a4b5c6d7e8f9",
            "version": 3
        }
    })
}

/// The Lambda subscribed to stopped tasks: a task stopped on a Logs timeout
/// gets its explanation and a probe of `logs` from the function's subnets;
/// a RUNNING event and another detail type are skipped; a plain probe event
/// still gets its report.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn stopped_task_events_are_explained_and_probed() {
    let vpc = VpcBuilder::new().endpoint("logs", 2).start().await;
    let far = now_ms() + 60_000;
    let logs_timeout = "ResourceInitializationError: failed to validate logger args: create \
        stream has been retried 1 times: failed to create Cloudwatch log stream: RequestError: \
        send request failed caused by: Post \"https://logs.ap-northeast-1.amazonaws.com/\": \
        dial tcp 52.119.160.72:443: i/o timeout : exit status 1";
    let mut other = task_state_change("STOPPED", logs_timeout);
    other["detail-type"] = serde_json::json!("ECS Container Instance State Change");
    let invocation = |id: &str, event| Invocation {
        id: id.into(),
        deadline_ms: far,
        event,
    };
    let queue = VecDeque::from([
        invocation("stopped", task_state_change("STOPPED", logs_timeout)),
        invocation("running", task_state_change("RUNNING", "")),
        invocation("other", other),
        invocation("plain", serde_json::json!({"services": "logs"})),
    ]);
    let (api, mut posted) = runtime_api(queue).await;
    let mut child = function(api, &vpc);

    let (id, kind, answer, _) = next(&mut posted).await;
    assert_eq!(
        (id.as_str(), kind.as_str()),
        ("stopped", "response"),
        "{answer}"
    );
    let explanation = &answer["explanations"][0];
    assert_eq!(explanation["source"], "stoppedReason", "{answer}");
    assert_eq!(explanation["cause"], "network", "{answer}");
    assert_eq!(explanation["service"], "logs", "{answer}");
    let report = &answer["report"];
    assert_eq!(report["context"]["source"], "lambda", "{answer}");
    assert_eq!(report["region"], "ap-northeast-1");
    assert_eq!(report["endpoints"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["endpoints"][0]["service"], "logs");
    assert_eq!(report["endpoints"][0]["status"], "ok", "{report}");

    for id in ["running", "other"] {
        let (got, kind, answer, _) = next(&mut posted).await;
        assert_eq!((got.as_str(), kind.as_str()), (id, "response"), "{answer}");
        assert!(answer["skipped"].is_string(), "{answer}");
    }
    let (id, kind, report, _) = next(&mut posted).await;
    assert_eq!(
        (id.as_str(), kind.as_str()),
        ("plain", "response"),
        "{report}"
    );
    assert_eq!(report["endpoints"][0]["service"], "logs", "{report}");
    child.kill().await.unwrap();
}
