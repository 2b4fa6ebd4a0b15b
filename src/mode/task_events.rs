//! `EventBridge` "ECS Task State Change" events in the Lambda: a function in
//! the service's subnets and security groups, subscribed to its cluster's
//! stopped tasks, explains each stopped task's reasons and, for a network
//! cause, probes the services they name from the same network position, in
//! the event's region, seconds after the task stopped. Other states and
//! other detail types are skipped with a short answer, never an error. One
//! EMF line per explained reason counts stopped tasks by cause and service.

use std::fmt::Write as _;
use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use lambda_runtime::LambdaEvent;
use serde_json::{Value, json};

use crate::classify::Network;
use crate::stopped::tasks::{self, StoppedTask, TaskExplanation};
use crate::stopped::{Cause, Subject};

/// The detail type ECS sends for task state changes.
pub const DETAIL_TYPE: &str = "ECS Task State Change";

/// Whether the payload is an `EventBridge` event rather than a probe event.
pub fn is_event(payload: &Value) -> bool {
    ["detail-type", "source", "detail"]
        .iter()
        .all(|k| payload.get(k).is_some())
}

/// A short answer for an event that is not a stopped task.
fn skipped(why: &str) -> Value {
    json!({ "skipped": why })
}

/// The explanation of a stopped task, with a probe of the services its
/// network causes name; or why the event is skipped.
pub async fn answer(event: LambdaEvent<Value>) -> Result<Value, String> {
    let payload = &event.payload;
    let detail_type = payload["detail-type"].as_str().unwrap_or_default();
    if detail_type != DETAIL_TYPE {
        return Ok(skipped(&format!(
            "detail-type '{}': only '{DETAIL_TYPE}' events are explained",
            crate::printable::printable(detail_type)
        )));
    }
    let task: StoppedTask = serde_json::from_value(payload["detail"].clone())
        .map_err(|e| format!("the event's detail is not an ECS task: {e}"))?;
    let status = task.last_status.as_deref().unwrap_or("?");
    if status != "STOPPED" {
        return Ok(skipped(&format!(
            "lastStatus {}: only stopped tasks are explained",
            crate::printable::printable(status)
        )));
    }
    let env = |key: &str| std::env::var(key).ok();
    let vpc_cidrs = vpc_cidrs(&env)?;
    let ranges_given = !vpc_cidrs.is_empty();
    let network = Network::new(crate::config::vpc_cidrs(&vpc_cidrs), None);
    let explained = tasks::explain_task(&task, &network, ranges_given);
    emf(&explained, &env);
    let event_region = payload["region"].as_str();
    let (services, elsewhere) = network_services(&explained, event_region);
    let report = if services.is_empty() {
        Value::Null
    } else {
        let mut probe = json!({ "services": services.join(",") });
        if let Some(region) = payload["region"].as_str() {
            probe["region"] = json!(region);
        }
        let config = super::lambda::config_of(probe, &env)?;
        let report = super::lambda::probe(config, &event.context).await?;
        serde_json::to_value(report).map_err(|e| e.to_string())?
    };
    Ok(json!({
        "task_arn": explained.task_arn,
        "stop_code": explained.stop_code,
        "explanations": explained.explanations,
        "report": report,
        "not_probed": elsewhere,
    }))
}

/// `VPCE_PROBE_VPC_CIDRS`, each read by `--vpc-cidr`'s own parser.
fn vpc_cidrs(env: &dyn Fn(&str) -> Option<String>) -> Result<Vec<ipnet::IpNet>, String> {
    env("VPCE_PROBE_VPC_CIDRS")
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            crate::cli::values::cidr(s)
                .map_err(|r| format!("invalid VPCE_PROBE_VPC_CIDRS '{}': {}", r.shown, r.why))
        })
        .collect()
}

/// The services the task's network causes name in the event's region,
/// without repeats; and the calls to another region's names, which a probe
/// of this region's names would not reproduce (each explanation's confirm
/// command probes them).
fn network_services(
    explained: &TaskExplanation,
    event_region: Option<&str>,
) -> (Vec<&'static str>, Vec<Value>) {
    let mut out: Vec<&'static str> = Vec::new();
    let mut elsewhere = Vec::new();
    for s in &explained.explanations {
        let e = &s.explanation;
        if e.cause != Cause::Network {
            continue;
        }
        let Some(service) = e.service.and_then(Subject::service) else {
            continue;
        };
        match (&e.call_region, event_region) {
            (Some(call), Some(event)) if call.code() != event => elsewhere.push(json!({
                "service": service.name(),
                "region": call.code(),
                "why": "the call went to another region than the task's: probe it with the \
                        explanation's confirm command",
            })),
            _ if !out.contains(&service.name()) => out.push(service.name()),
            _ => {}
        }
    }
    (out, elsewhere)
}

/// One EMF line per explained reason: `StoppedTasks` by `Cause` and
/// `Service`, with the task and the finding as properties.
fn emf(explained: &TaskExplanation, env: &dyn Fn(&str) -> Option<String>) {
    let namespace = env("VPCE_PROBE_NAMESPACE").unwrap_or_else(|| "VpceProbe".to_owned());
    let lines = emf_lines(explained, &namespace);
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(lines.as_bytes());
    let _ = out.flush();
}

fn emf_lines(explained: &TaskExplanation, namespace: &str) -> String {
    let millis = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis());
    let mut lines = String::new();
    for s in &explained.explanations {
        let e = &s.explanation;
        let doc = json!({
            "_aws": {
                "Timestamp": millis,
                "CloudWatchMetrics": [{
                    "Namespace": namespace,
                    "Dimensions": [["Cause", "Service"]],
                    "Metrics": [{ "Name": "StoppedTasks", "Unit": "Count" }],
                }],
            },
            "Cause": e.cause,
            "Service": e.service.map_or("none", Subject::name),
            "StoppedTasks": 1,
            "TaskArn": explained.task_arn,
            "Source": s.source,
            "Finding": e.finding,
        });
        let _ = writeln!(lines, "{doc}");
    }
    lines
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::default_vpc_cidrs;

    #[test]
    fn vpc_cidrs_are_read_as_the_flag_reads_them() {
        let env = |v: &'static str| move |k: &str| (k == "VPCE_PROBE_VPC_CIDRS").then(|| v.into());
        assert_eq!(
            vpc_cidrs(&env(" 10.1.0.5/16 , fd00::/8")).unwrap(),
            vec!["10.1.0.0/16".parse().unwrap(), "fd00::/8".parse().unwrap()]
        );
        assert_eq!(
            vpc_cidrs(&env("10.0.0.0/33")).unwrap_err(),
            "invalid VPCE_PROBE_VPC_CIDRS '10.0.0.0/33': expected a CIDR like 10.0.0.0/16 or \
             fd00::/8"
        );
        assert!(vpc_cidrs(&|_: &str| None).unwrap().is_empty());
    }

    #[test]
    fn each_reason_is_one_emf_line_by_cause_and_service() {
        let task: StoppedTask = serde_json::from_value(json!({
            "taskArn": "arn:aws:ecs:us-east-1:1:task/c/1",
            "lastStatus": "STOPPED",
            "stoppedReason": "Essential container in task exited",
            "containers": [{"name": "app", "reason": "ResourceInitializationError: failed to \
                validate logger args: RequestError: send request failed caused by: Post \
                \"https://logs.us-east-1.amazonaws.com/\": dial tcp 52.119.160.72:443: i/o timeout"}]
        }))
        .unwrap();
        let explained = tasks::explain_task(&task, &Network::new(default_vpc_cidrs(), None), false);
        assert_eq!(network_services(&explained, Some("us-east-1")).0, ["logs"]);
        let (here, elsewhere) = network_services(&explained, Some("eu-west-1"));
        assert!(here.is_empty());
        assert_eq!(elsewhere[0]["region"], "us-east-1");
        let lines = emf_lines(&explained, "VpceProbe");
        let docs: Vec<Value> = lines
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(docs.len(), 2, "{lines}");
        assert_eq!(docs[0]["Cause"], "network");
        assert_eq!(docs[0]["Service"], "logs");
        assert_eq!(docs[0]["StoppedTasks"], 1);
        assert_eq!(
            docs[0]["_aws"]["CloudWatchMetrics"][0]["Dimensions"][0],
            json!(["Cause", "Service"])
        );
        assert_eq!(docs[1]["Source"], "stoppedReason");
    }
}
