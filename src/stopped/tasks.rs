//! Stopped tasks as AWS writes them: `aws ecs describe-tasks` output (every
//! task; `--query 'tasks[0]'` gives one task object) and the `detail` of an
//! `EventBridge` "ECS Task State Change" event, which has the same shape.
//! Each task's `stoppedReason` and each container's `reason` is explained;
//! a container's real error comes before the task's "Essential container
//! in task exited".

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{Cause, Explanation, explain_in};
use crate::classify::Network;

/// A stopped task, as `describe-tasks` and `EventBridge` spell it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct StoppedTask {
    pub task_arn: Option<String>,
    pub stop_code: Option<String>,
    pub stopped_reason: Option<String>,
    pub last_status: Option<String>,
    #[serde(default)]
    pub containers: Vec<Container>,
}

/// One container of a stopped task.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Container {
    pub name: Option<String>,
    pub reason: Option<String>,
    pub exit_code: Option<i64>,
}

/// Where an explained text came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Sourced {
    /// `stoppedReason`, or `container NAME`.
    pub source: String,
    #[serde(flatten)]
    pub explanation: Explanation,
}

/// One task and its explained reasons, the most informative first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TaskExplanation {
    pub task_arn: Option<String>,
    pub stop_code: Option<String>,
    pub explanations: Vec<Sourced>,
}

impl TaskExplanation {
    /// Whether any of the task's reasons says something the probe can
    /// judge (a network failure, or a service's answer).
    pub fn recognised(&self) -> bool {
        self.explanations.iter().any(|s| s.explanation.recognised())
    }
}

/// The tasks in `text`, when it is `describe-tasks` output (`{"tasks":
/// [...]}`) or one task object; `None` for any other text.
pub fn tasks_in(text: &str) -> Option<Vec<StoppedTask>> {
    let value: Value = serde_json::from_str(text.trim()).ok()?;
    let list = match value.get("tasks") {
        Some(Value::Array(tasks)) => tasks.clone(),
        None if looks_like_a_task(&value) => vec![value],
        Some(_) | None => return None,
    };
    list.into_iter()
        .map(serde_json::from_value)
        .collect::<Result<Vec<StoppedTask>, _>>()
        .ok()
}

/// A task object: one of the fields only a task has.
pub fn looks_like_a_task(value: &Value) -> bool {
    ["taskArn", "stoppedReason", "stopCode", "containers"]
        .iter()
        .any(|k| value.get(k).is_some())
}

/// How much an explanation tells: a network failure or an answer first,
/// then a stop the tool names (out of memory, an exit), then the rest.
fn rank(e: &Explanation) -> u8 {
    match (e.cause, e.kind) {
        (Cause::Network | Cause::Answer, _) => 0,
        (Cause::Other, Some(_)) => 1,
        (Cause::Undecided, _) => 2,
        (Cause::Other, None) => 3,
    }
}

/// Every reason of `task` explained, the most informative first (the
/// containers' before the task's where they tell more).
pub fn explain_task(task: &StoppedTask, network: &Network, ranges_given: bool) -> TaskExplanation {
    let mut explanations: Vec<Sourced> = Vec::new();
    let reasons = task
        .containers
        .iter()
        .filter_map(|c| {
            let name = c.name.as_deref().unwrap_or("?");
            Some((format!("container {name}"), c.reason.as_deref()?))
        })
        .chain(
            task.stopped_reason
                .as_deref()
                .map(|r| ("stoppedReason".to_owned(), r)),
        );
    for (source, reason) in reasons {
        if reason.trim().is_empty() {
            continue;
        }
        explanations.push(Sourced {
            source,
            explanation: explain_in(reason, network, ranges_given),
        });
    }
    // Stable: among equals, the containers' order, then the task's.
    explanations.sort_by_key(|s| rank(&s.explanation));
    TaskExplanation {
        task_arn: task.task_arn.clone(),
        stop_code: task.stop_code.clone(),
        explanations,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::classify::default_vpc_cidrs;

    fn network() -> Network {
        Network::new(default_vpc_cidrs(), None)
    }

    #[test]
    fn describe_tasks_and_one_task_are_recognised_by_shape() {
        let many = r#"{"tasks": [{"taskArn": "a", "stoppedReason": "x"}], "failures": []}"#;
        assert_eq!(tasks_in(many).unwrap().len(), 1);
        let one = r#"{"taskArn": "a", "containers": [{"name": "app", "reason": "y"}]}"#;
        assert_eq!(tasks_in(one).unwrap()[0].containers.len(), 1);
        assert!(tasks_in("CannotPullContainerError: ...").is_none());
        assert!(tasks_in(r#"{"message": "x"}"#).is_none());
        assert!(tasks_in(r#"{"tasks": "x"}"#).is_none());
    }

    #[test]
    fn a_containers_error_comes_before_essential_container_exited() {
        let task = StoppedTask {
            task_arn: Some("arn:aws:ecs:us-east-1:1:task/c/1".to_owned()),
            stop_code: Some("EssentialContainerExited".to_owned()),
            stopped_reason: Some("Essential container in task exited".to_owned()),
            containers: vec![
                Container {
                    name: Some("sidecar".to_owned()),
                    ..Container::default()
                },
                Container {
                    name: Some("app".to_owned()),
                    reason: Some(
                        "CannotPullContainerError: pull image manifest has been retried 1 \
                         time(s): failed to resolve ref registry-1.docker.io/library/x:1: \
                         unexpected status from HEAD request: 429 Too Many Requests"
                            .to_owned(),
                    ),
                    exit_code: None,
                },
            ],
            ..StoppedTask::default()
        };
        let e = explain_task(&task, &network(), false);
        let sources: Vec<&str> = e.explanations.iter().map(|s| s.source.as_str()).collect();
        assert_eq!(sources, ["container app", "stoppedReason"]);
        assert!(e.recognised());
    }
}
