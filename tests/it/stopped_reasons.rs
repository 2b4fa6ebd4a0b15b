//! `explain` against the corpus in `tests/fixtures/stopped-reasons/`:
//! stopped reasons and container errors copied verbatim from public issue
//! threads, AWS documentation and re:Post, each with its source and the
//! cause the source established. Every entry must be judged right: the
//! cause (network, answer, other), the service, what answered, and the
//! words its paragraph must hold. Where the text alone cannot decide what
//! the source found, the entry's `explain_says` states what the text does
//! support, and why.

use std::collections::BTreeMap;

use serde_json::Value;
use vpce_probe::stopped::{Cause, explain};

fn corpus() -> Vec<Value> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/stopped-reasons/corpus.json"
    );
    let text = std::fs::read_to_string(path).expect("the corpus is readable");
    serde_json::from_str(&text).expect("the corpus is JSON")
}

/// A field of the entry, overridden by `explain_says` when it has one.
fn expected<'a>(entry: &'a Value, field: &str) -> &'a Value {
    entry
        .get("explain_says")
        .and_then(|x| x.get(field))
        .unwrap_or(&entry[field])
}

#[test]
fn every_entry_is_judged_right() {
    let corpus = corpus();
    assert!(corpus.len() >= 40, "{} entries", corpus.len());
    let mut wrong = Vec::new();
    let mut causes: BTreeMap<String, usize> = BTreeMap::new();
    for entry in &corpus {
        let id = entry["id"].as_str().unwrap();
        let source = entry["source"].as_str().unwrap();
        assert!(
            source.starts_with("https://"),
            "{id}: every entry names its source"
        );
        assert!(
            entry["explain_says"].is_null() || entry["explain_says"]["why"].is_string(),
            "{id}: an override says why"
        );
        let e = explain(entry["text"].as_str().unwrap());
        let json = serde_json::to_value(&e).unwrap();
        let cause = expected(entry, "cause");
        *causes.entry(cause.to_string()).or_default() += 1;
        // A network cause has no kind, but a volume's mount that never
        // reached its target keeps `volume`.
        let kind = match expected(entry, "kind") {
            k if cause == "network" && k == "volume" => k,
            _ if cause == "network" || cause == "undecided" => &Value::Null,
            k => k,
        };
        let mut problems = Vec::new();
        for (field, want) in [
            ("cause", cause),
            ("service", expected(entry, "service")),
            ("kind", kind),
        ] {
            if &json[field] != want {
                problems.push(format!("{field} {} (want {want})", json[field]));
            }
        }
        for word in entry["says"].as_array().unwrap() {
            let word = word.as_str().unwrap();
            if !e.diagnosis.contains(word) {
                problems.push(format!("paragraph lacks '{word}'"));
            }
        }
        // Only a network cause has a probe run that confirms it, and only
        // network causes and answers are things the probe can judge.
        // An undecided text keeps its confirming command: the probe tells
        // the network from an answer from inside the VPC.
        let probed = matches!(e.cause, Cause::Network | Cause::Undecided);
        if !probed && (e.confirm.is_some() || e.finding.is_some()) {
            problems.push("a probe command or finding for a cause that is not the network".into());
        }
        // A string literal continued without its backslash keeps the
        // next line's indentation.
        if e.diagnosis.contains("  ") {
            problems.push("a run of spaces in the paragraph".into());
        }
        if e.recognised() != matches!(e.cause, Cause::Network | Cause::Answer) {
            problems.push("exit status disagrees with the cause".into());
        }
        if !problems.is_empty() {
            wrong.push(format!(
                "{id}: {}\n    {}",
                problems.join("; "),
                e.diagnosis
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
    for cause in ["\"network\"", "\"answer\"", "\"other\""] {
        assert!(causes.get(cause).copied().unwrap_or(0) >= 8, "{causes:?}");
    }
}

/// The three messages that used to be read as outages: each names what
/// answered and blames no network.
#[test]
fn answers_blame_no_network() {
    let cases = [
        (
            "CannotStartContainerError: Error response from daemon: failed to initialize logging \
             driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The \
             specified log group does not exist.",
            "log group",
        ),
        (
            "Fetching secret data from SSM Parameter Store in us-west-2: AccessDeniedException: \
             User: arn:aws:sts::111122223333:assumed-role/ecsTaskExecutionRole/ab31 is not \
             authorized to perform: ssm:GetParameters on resource: \
             arn:aws:ssm:us-west-2:111122223333:parameter/db because no VPC endpoint policy \
             allows the ssm:GetParameters action status code: 400",
            "com.amazonaws.us-west-2.ssm",
        ),
        (
            "CannotPullContainerError: inspect image has been retried 5 time(s): \
             httpReaderSeeker: failed open: unexpected status code \
             https://registry-1.docker.io/v2/library/nginx/manifests/sha256:ab: 429 Too Many \
             Requests - Server message: toomanyrequests: You have reached your pull rate limit.",
            "pull rate limit",
        ),
    ];
    for (text, names) in cases {
        let e = explain(text);
        assert_eq!(e.cause, Cause::Answer, "{text}");
        assert!(e.diagnosis.contains(names), "{}", e.diagnosis);
        assert!(e.diagnosis.contains("network"), "{}", e.diagnosis);
        for blame in [
            "private DNS",
            "could not reach",
            "security group",
            "isolated subnet",
        ] {
            assert!(!e.diagnosis.contains(blame), "{blame}: {}", e.diagnosis);
        }
        assert_eq!(e.finding, None);
    }
}

/// Pasted text is cut anywhere: every prefix of every corpus message, and
/// the messages with their case changed, are read without a panic, and
/// an answer never comes with a probe command.
#[test]
fn any_cut_of_any_message_is_read() {
    for entry in corpus() {
        let text = entry["text"].as_str().unwrap();
        let cuts = text.char_indices().map(|(i, _)| &text[..i]).chain([text]);
        for cut in cuts {
            let e = explain(cut);
            assert!(e.cause != Cause::Answer || e.confirm.is_none(), "{cut}");
        }
        for changed in [text.to_uppercase(), text.to_lowercase()] {
            let e = explain(&changed);
            assert_eq!(
                e.cause,
                explain(text).cause,
                "case changed the cause of: {text}"
            );
        }
    }
}

/// Texts that once got a confident wrong answer: a Java DNS failure read as
/// an answer, a container's own "not found" as a missing image, AWS
/// throttling as Docker Hub's limit, a KMS endpoint policy without its
/// endpoint, a deployment word over a failed connection, a TLS handshake
/// timeout blamed on private DNS. (Constructed in the shapes these tools
/// print, not quoted.)
/// A text, its cause, service and kind, and words its paragraph holds.
type Misled = (
    &'static str,
    &'static str,
    Option<&'static str>,
    Option<&'static str>,
    &'static str,
);

#[test]
fn shapes_that_once_misled() {
    let cases: [Misled; 10] = [
        (
            "com.amazonaws.SdkClientException: Unable to execute HTTP request: \
             secretsmanager.us-east-1.amazonaws.com: Name or service not known",
            "network",
            Some("secretsmanager"),
            None,
            "does not exist",
        ),
        (
            "Essential container in task exited: /bin/sh: 1: curl: not found",
            "other",
            None,
            Some("exited"),
            "exited",
        ),
        (
            "ThrottlingException: Rate exceeded status code: 400",
            "answer",
            None,
            Some("rate_limit"),
            "throttled",
        ),
        (
            "User: arn:aws:sts::111122223333:assumed-role/app/x is not authorized to perform: \
             kms:Decrypt on resource: arn:aws:kms:us-east-1:111122223333:key/k because no VPC \
             endpoint policy allows the kms:Decrypt action",
            "answer",
            Some("kms"),
            Some("endpoint_policy"),
            "com.amazonaws.us-east-1.kms",
        ),
        (
            "Task failed to start: deployment circuit breaker; dial tcp 52.1.1.1:443: i/o \
             timeout secretsmanager.us-east-1.amazonaws.com",
            "network",
            Some("secretsmanager"),
            None,
            "timed out",
        ),
        (
            "Get \"https://api.ecr.us-east-1.amazonaws.com/\": net/http: TLS handshake timeout",
            "network",
            Some("ecr.api"),
            None,
            "TLS handshake did not finish",
        ),
        // An address but no region: the address is not said to be missing,
        // and a private one puts the security groups before private DNS.
        (
            "unable to retrieve secret from asm: service call has been retried 5 time(s): \
             RequestError: send request failed caused by: Post \"https://secretsmanager.amazonaws.com/\": \
             dial tcp 10.0.1.5:443: i/o timeout",
            "network",
            Some("secretsmanager"),
            None,
            "10.0.1.5:443: a private address",
        ),
        (
            "dial tcp 10.0.5.9:443: i/o timeout",
            "network",
            None,
            None,
            "a call to 10.0.5.9:443 got no answer",
        ),
        // The region is named and the error cut off: the text lacks the
        // error, not the region.
        (
            "Post \"https://secretsmanager.us-east-1.amazonaws.com/\": dial tcp 10.0.1.5:443: \
             connect: ...",
            "network",
            Some("secretsmanager"),
            None,
            "does not say how the call failed",
        ),
        // A private address that refused: not private DNS, not a dropped packet.
        (
            "unable to retrieve secret from asm: RequestError: send request failed caused by: \
             Post \"https://secretsmanager.amazonaws.com/\": dial tcp 10.0.1.5:443: connect: \
             connection refused",
            "network",
            Some("secretsmanager"),
            None,
            "the address is not the endpoint's",
        ),
    ];
    for (text, cause, service, kind, says) in cases {
        let json = serde_json::to_value(explain(text)).unwrap();
        assert_eq!(
            (&json["cause"], &json["service"], &json["kind"]),
            (
                &Value::from(cause),
                &service.map_or(Value::Null, Value::from),
                &kind.map_or(Value::Null, Value::from)
            ),
            "{text}"
        );
        let d = json["diagnosis"].as_str().unwrap();
        assert!(d.contains(says), "{says}: {d}");
        assert!(!d.contains("Docker Hub") || text.contains("docker"), "{d}");
    }
}

/// Issue 27's shapes, each once a confident wrong answer: a registry's or
/// a service's reply, a client-side URL error, the container runtime's own
/// timeout, a role's trust policy, a text cut before its error. (Constructed
/// in the shapes the agent and containerd print.)
#[test]
fn replies_and_local_errors_are_not_read_as_the_network() {
    for (text, cause, kind, says) in issue_27_shapes() {
        let e = explain(text);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(json["cause"], cause, "{text}\n{}", e.diagnosis);
        if !kind.is_empty() {
            assert_eq!(json["kind"], kind, "{text}\n{}", e.diagnosis);
        }
        assert!(e.diagnosis.contains(says), "{says}: {}", e.diagnosis);
        for blame in ["has no VPC endpoint", "could not reach", "private DNS"] {
            assert!(
                matches!(cause, "undecided" | "network") || !e.diagnosis.contains(blame),
                "{blame}: {}",
                e.diagnosis
            );
        }
        if cause == "undecided" {
            assert_eq!(json["candidates"], serde_json::json!(["network", "answer"]));
            assert!(!e.recognised());
        }
    }
}

/// A text, the cause and kind it is, and words its paragraph holds.
fn issue_27_shapes() -> [(&'static str, &'static str, &'static str, &'static str); 12] {
    [
        (
            "CannotPullContainerError: failed to resolve ref \"docker.io/library/nginx:1.99\": \
             docker.io/library/nginx:1.99: not found: manifest unknown",
            "answer",
            "missing_image",
            "tag",
        ),
        (
            "CannotPullContainerError: failed to copy: httpReadSeeker: failed open: unexpected \
             status code https://registry-1.docker.io/v2/library/nginx/blobs/sha256:ab: 404 Not \
             Found",
            "answer",
            "missing_image",
            "The network path works",
        ),
        (
            "CannotPullContainerError: failed to resolve ref quay.io/org/app:1: unexpected status \
             from HEAD request to https://quay.io/v2/org/app/manifests/1: 401 UNAUTHORIZED",
            "answer",
            "registry_auth",
            "credentials",
        ),
        (
            "CannotPullContainerError: httpReaderSeeker: failed open: unexpected status code \
             https://ghcr.io/v2/org/app/manifests/1: 429 Too Many Requests",
            "answer",
            "rate_limit",
            "rate limit",
        ),
        (
            "CannotPullContainerError: failed to resolve ref quay.io/org/app:1: unexpected status \
             from HEAD request to https://quay.io/v2/org/app/manifests/1: 504 Gateway Timeout",
            "answer",
            "service_error",
            "HTTP 504",
        ),
        (
            "CannotPullContainerError: failed to copy: httpReadSeeker: failed open: content at \
             https://registry.example.com/v2/app/blobs/sha256:ab not found: unknown blob",
            "answer",
            "missing_image",
            "tag",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution \
             resource retrieval failed: unable to retrieve secret from asm: service call has \
             been retried 1 time(s): retrieved secret from Secrets Manager did not contain json \
             key password",
            "answer",
            "missing_secret_key",
            "'password'",
        ),
        (
            "ResourceInitializationError: failed to validate logger args: create stream has been \
             retried 1 times: failed to create Cloudwatch log group: AccessDeniedException: \
             status code: 400",
            "answer",
            "access_denied",
            "logs:CreateLogGroup",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution \
             resource retrieval failed: unable to retrieve ecr registry auth: Post \
             \"htps://api.ecr.us-east-1.amazonaws.com/\": unsupported protocol scheme \"htps\"",
            "other",
            "malformed_url",
            "No packet left the task",
        ),
        (
            "DockerTimeoutError: Could not transition to inspecting; timed out after waiting 30s",
            "other",
            "runtime_timeout",
            "Docker daemon",
        ),
        (
            "ECS was unable to assume the role arn:aws:iam::123456789012:role/ecsTaskExecutionRole \
             that was provided for this task. Please verify that the role being passed has the \
             proper trust relationship and permissions and that your IAM user has permissions to \
             pass this role.",
            "answer",
            "role_trust",
            "ecs-tasks.amazonaws.com",
        ),
        (
            "ResourceInitializationError: unable to pull secrets or registry auth: execution \
             resource retrieval failed: unable to retrieve secrets from ssm: service call has \
             been retried 1 time...",
            "undecided",
            "",
            "cannot tell",
        ),
    ]
}

/// A private address with no route to it: nothing answered there, so the
/// causes are the routes and the network ACLs, never "something answered".
#[test]
fn an_unreachable_private_address_is_the_routes() {
    let e = explain(
        "ResourceInitializationError: unable to pull secrets or registry auth: execution \
         resource retrieval failed: unable to retrieve secret from asm: RequestError: send \
         request failed caused by: Post \"https://secretsmanager.amazonaws.com/\": dial tcp \
         10.0.1.5:443: connect: no route to host",
    );
    assert_eq!(e.cause, Cause::Network, "{}", e.diagnosis);
    assert!(
        e.diagnosis.contains("no route to that address"),
        "{}",
        e.diagnosis
    );
    assert!(!e.diagnosis.contains("answered"), "{}", e.diagnosis);
}

/// ECS's own refusals and stops that are not the network: a placement
/// without capacity, an image name that does not parse, a Spot
/// interruption, the stop code of an exited container, a task definition
/// Fargate refuses. (Constructed in the shapes ECS's documentation gives.)
#[test]
fn ecs_refusals_and_placements_are_not_the_network() {
    for (text, cause, kind, says) in [
        (
            "service web was unable to place a task because no container instance met all of \
             its requirements.",
            "other",
            "capacity",
            "could not place the task",
        ),
        ("RESOURCE:ENI", "other", "capacity", "ENIs"),
        (
            "CannotPullContainerError: invalid reference format",
            "other",
            "image_reference",
            "no request was sent",
        ),
        (
            "Stopped by ECS: Your Spot Task was interrupted.",
            "other",
            "stopped",
            "Spot interruption",
        ),
        ("EssentialContainerExited", "other", "exited", "exit code"),
        (
            "Fargate requires task definition to have execution role ARN to support log driver \
             awslogs.",
            "answer",
            "service_error",
            "The error's own words",
        ),
    ] {
        let e = explain(text);
        let json = serde_json::to_value(&e).unwrap();
        assert_eq!(
            (&json["cause"], &json["kind"]),
            (&cause.into(), &kind.into()),
            "{text}"
        );
        assert!(e.diagnosis.contains(says), "{says}: {}", e.diagnosis);
        assert!(e.confirm.is_none() && e.finding.is_none(), "{text}");
    }
}
