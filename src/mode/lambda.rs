//! The same probe as a VPC Lambda function, for tasks that cannot start at
//! all: the static binary, shipped as `bootstrap` for `provided.al2023`,
//! serves invocations when it starts with no subcommand and
//! `AWS_LAMBDA_RUNTIME_API` is set. The official runtime crate
//! (`lambda_runtime`) talks to the Runtime API.
//!
//! An event is a JSON object whose keys mirror `check`'s flags in
//! `snake_case` (`region`, `services`, `targets`, `vpc_cidrs`, ...): a string,
//! a number, a boolean for a switch, or an array for a list. It is
//! deserialised straight into `check`'s typed arguments
//! ([`crate::cli::event`]); the function's `VPCE_PROBE_*` environment sets
//! defaults exactly as for the container, and the event wins. The answer is
//! the JSON report; an event that fails validation is an invocation error
//! whose message is the one line a bad flag gets (or, for a key that is not
//! a flag, the line naming the key). The run ends before the invocation's
//! own deadline. An `EventBridge` "ECS Task State Change" event is
//! explained instead ([`super::task_events`]), with a probe of the services
//! a network cause names.

use std::time::{Duration, SystemTime};

use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::cli::event;
use crate::config::Config;
use crate::context::Source;
use crate::error::{AppError, Exit};
use crate::report::Report;
use crate::session::Session;

/// Kept between the run's deadline and the invocation's, for the report to
/// be written and sent before Lambda ends the invocation.
pub const MARGIN: Duration = Duration::from_millis(300);

/// The environment the Lambda service sets; `lambda_runtime` needs them all.
const REQUIRED_ENV: [&str; 4] = [
    "AWS_LAMBDA_RUNTIME_API",
    "AWS_LAMBDA_FUNCTION_NAME",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE",
    "AWS_LAMBDA_FUNCTION_VERSION",
];

/// Whether the process was started as a Lambda bootstrap: no arguments, and
/// the Runtime API's address in the environment.
pub fn invoked_as_bootstrap(arg_count: usize) -> bool {
    arg_count <= 1 && std::env::var_os("AWS_LAMBDA_RUNTIME_API").is_some()
}

/// Validates an event into a configuration, as the command line would be
/// validated: the same one-line errors.
pub fn config_of(event: Value, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
    let args = event::probe_args(event)?;
    Config::from_args(&args, env).map_err(|e| e.to_string())
}

fn usage(message: String) -> Diagnostic {
    Diagnostic {
        error_type: "UsageError".to_owned(),
        error_message: message,
    }
}

/// Answers one invocation: a task state change event's explanation, or
/// the report of the probe the event asks for; a usage error as the
/// message.
async fn invocation(event: LambdaEvent<Value>) -> Result<Value, Diagnostic> {
    if super::task_events::is_event(&event.payload) {
        return super::task_events::answer(event).await.map_err(usage);
    }
    let env = |key: &str| std::env::var(key).ok();
    let config = config_of(event.payload.clone(), &env).map_err(usage)?;
    let report = probe(config, &event.context).await.map_err(usage)?;
    serde_json::to_value(report).map_err(|e| usage(e.to_string()))
}

/// One probe round from the function's subnets, ended before the
/// invocation's deadline.
pub async fn probe(
    mut config: Config,
    context: &lambda_runtime::Context,
) -> Result<Report, String> {
    // Lambda has no task metadata; the function's region is the default.
    config.metadata = None;
    let left = context
        .deadline()
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
        .saturating_sub(MARGIN);
    config.probe.deadline = config
        .probe
        .deadline
        .min(left.max(Duration::from_millis(1)));
    let mut session = Session::start(config).await.map_err(|e| e.to_string())?;
    session.context.source = Some(Source::Lambda);
    session.context.function_arn = Some(context.invoked_function_arn.clone());
    Ok(session.round().await)
}

/// Serves invocations until `shutdown` resolves (SIGTERM at Lambda's
/// shutdown); exits 0.
pub async fn run(shutdown: impl std::future::Future<Output = ()>) -> Result<Exit, AppError> {
    if let Some(missing) = REQUIRED_ENV.iter().find(|k| std::env::var_os(k).is_none()) {
        return Err(AppError::Lambda(format!(
            "{missing} is not set: the Lambda service sets it for a function's bootstrap"
        )));
    }
    tokio::select! {
        result = lambda_runtime::run(service_fn(invocation)) => {
            result.map_err(|e| AppError::Lambda(e.to_string()))?;
        }
        () = shutdown => tracing::info!("shutting down"),
    }
    Ok(Exit::Pass)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_sdk_settings_are_event_keys_too() {
        let event = json!({
            "region": "us-east-1",
            "services": "secretsmanager,sts",
            "endpoint_urls": ["secretsmanager=https://vpce-0a-b.secretsmanager.us-east-1.vpce.amazonaws.com"],
            "sts_regional_endpoints": "legacy",
            "use_fips_endpoint": true,
        });
        let c = config_of(event, &|_| None).unwrap();
        let sdk = &c.plan.sdk;
        assert_eq!(
            sdk.endpoint_url(crate::catalog::Service::Secretsmanager)
                .unwrap()
                .host
                .to_string(),
            "vpce-0a-b.secretsmanager.us-east-1.vpce.amazonaws.com"
        );
        assert!(sdk.sts_global.is_some() && sdk.fips.is_some());
        let err = config_of(
            json!({"region": "us-east-1", "endpoint_urls": "vpce.example"}),
            &|_| None,
        )
        .unwrap_err();
        assert!(
            err.starts_with("invalid --endpoint-url 'vpce.example'"),
            "{err}"
        );
    }

    #[test]
    fn validation_after_the_edge_answers_in_one_line_too() {
        let env = |_: &str| None;
        let cases = [
            (json!({"region": "tokyo"}), "invalid --region 'tokyo'"),
            (
                json!({"region": "us-east-1", "services": "none"}),
                "nothing to probe: --services none needs at least one --target",
            ),
            (
                json!({"region": "us-east-1", "ca_file": "/nonexistent/ca.pem"}),
                "cannot use --ca-file '/nonexistent/ca.pem'",
            ),
        ];
        for (event, want) in cases {
            let err = config_of(event.clone(), &env).unwrap_err();
            assert!(err.starts_with(want), "{event}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn the_environment_sets_defaults_and_the_event_wins() {
        let env = |k: &str| (k == "AWS_REGION").then(|| "eu-west-1".to_owned());
        let c = config_of(json!({}), &env).unwrap();
        assert_eq!(c.plan.region.unwrap().code(), "eu-west-1");
        let c = config_of(json!({"region": "us-east-2"}), &env).unwrap();
        assert_eq!(c.plan.region.unwrap().code(), "us-east-2");
    }
}
