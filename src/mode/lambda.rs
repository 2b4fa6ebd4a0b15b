//! The same probe as a VPC Lambda function, for tasks that cannot start at
//! all: the static binary, shipped as `bootstrap` for `provided.al2023`,
//! serves invocations when it starts with no subcommand and
//! `AWS_LAMBDA_RUNTIME_API` is set. The official runtime crate
//! (`lambda_runtime`) talks to the Runtime API.
//!
//! An event is a JSON object whose keys mirror `check`'s flags in
//! `snake_case` (`region`, `services`, `targets`, `vpc_cidrs`, ...): a string,
//! a number, a boolean for a switch, or an array for a list. The function's
//! `VPCE_PROBE_*` environment sets defaults exactly as for the container;
//! the event wins. The answer is the JSON report; an event that fails
//! validation is an invocation error whose message is the one line a bad flag
//! gets. The run ends before the invocation's own deadline.

use std::time::{Duration, SystemTime};

use clap::CommandFactory;
use lambda_runtime::{Diagnostic, LambdaEvent, service_fn};
use serde_json::Value;

use crate::cli::{self, Cli, Command};
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

/// Flags that make no sense in an event: the answer is always the JSON
/// report, and logs go to the function's log group.
const NOT_IN_EVENTS: [&str; 4] = ["format", "color", "log", "namespace"];

/// The command line an event stands for: `vpce-probe check --flag value ...`.
/// The message of an error names the event key.
pub fn command_line(event: &Value) -> Result<Vec<String>, String> {
    let Value::Object(keys) = event else {
        return Err(format!(
            "the event must be a JSON object of check's flags in snake_case, not {}",
            crate::printable::printable(&event.to_string())
        ));
    };
    let command = Cli::command();
    let check = command
        .find_subcommand("check")
        .expect("check is a subcommand");
    let mut argv = vec!["vpce-probe".to_owned(), "check".to_owned()];
    for (key, value) in keys {
        let shown = crate::printable::printable(key);
        let arg = check
            .get_arguments()
            .find(|a| a.get_id() == key.as_str() && a.get_long().is_some())
            .filter(|_| !NOT_IN_EVENTS.contains(&key.as_str()))
            .ok_or_else(|| format!("unknown event key '{shown}'"))?;
        let flag = format!("--{}", arg.get_long().expect("filtered on a long name"));
        let text = |v: &Value| match v {
            Value::String(s) => Ok(s.clone()),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(format!(
                "invalid event key '{shown}': expected a string, a number or a list, not {}",
                crate::printable::printable(&other.to_string())
            )),
        };
        match value {
            // A switch (`--dualstack`): no value to give it.
            Value::Bool(true) if !arg.get_action().takes_values() => argv.push(flag),
            Value::Bool(false) if !arg.get_action().takes_values() => {}
            Value::Array(items) => {
                let items: Vec<String> = items.iter().map(text).collect::<Result<_, _>>()?;
                argv.push(flag);
                argv.push(items.join(","));
            }
            v => {
                argv.push(flag);
                argv.push(text(v)?);
            }
        }
    }
    Ok(argv)
}

/// Validates an event into a configuration, as the command line would be
/// validated: the same one-line errors.
pub fn config_of(event: &Value, env: &dyn Fn(&str) -> Option<String>) -> Result<Config, String> {
    let words = command_line(event)?;
    let parsed = cli::parse(&words).map_err(|e| cli::usage_line(&e))?;
    let Command::Check(probe_args) = &parsed.command else {
        unreachable!("command_line always builds check")
    };
    Config::from_args(probe_args, env).map_err(|e| e.to_string())
}

/// Answers one invocation: the report, or the usage error as the message.
async fn invocation(event: LambdaEvent<Value>) -> Result<Report, Diagnostic> {
    let usage = |message: String| Diagnostic {
        error_type: "UsageError".to_owned(),
        error_message: message,
    };
    let env = |key: &str| std::env::var(key).ok();
    let mut config = config_of(&event.payload, &env).map_err(usage)?;
    // Lambda has no task metadata; the function's region is the default.
    config.metadata = None;
    let left = event
        .context
        .deadline()
        .duration_since(SystemTime::now())
        .unwrap_or(Duration::ZERO)
        .saturating_sub(MARGIN);
    config.probe.deadline = config
        .probe
        .deadline
        .min(left.max(Duration::from_millis(1)));
    let mut session = Session::start(config)
        .await
        .map_err(|e| usage(e.to_string()))?;
    session.context.source = Some(Source::Lambda);
    session.context.function_arn = Some(event.context.invoked_function_arn.clone());
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
    fn events_become_command_lines() {
        let argv = command_line(&json!({
            "region": "ap-northeast-1",
            "services": ["ecr", "logs"],
            "targets": "api.example.com:8443",
            "vpc_cidrs": ["10.0.0.0/16", "10.1.0.0/16"],
            "port": 8443,
            "timeout": "2s",
            "dualstack": true,
            "https_proxy": "none",
        }))
        .unwrap();
        assert_eq!(
            argv[2..],
            [
                "--dualstack",
                "--https-proxy",
                "none",
                "--port",
                "8443",
                "--region",
                "ap-northeast-1",
                "--services",
                "ecr,logs",
                "--target",
                "api.example.com:8443",
                "--timeout",
                "2s",
                "--vpc-cidr",
                "10.0.0.0/16,10.1.0.0/16",
            ]
        );
    }

    #[test]
    fn the_sdk_settings_are_event_keys_too() {
        let event = json!({
            "region": "us-east-1",
            "services": "secretsmanager,sts",
            "endpoint_urls": ["secretsmanager=https://vpce-0a-b.secretsmanager.us-east-1.vpce.amazonaws.com"],
            "sts_regional_endpoints": "legacy",
            "use_fips_endpoint": true,
        });
        let c = config_of(&event, &|_| None).unwrap();
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
            &json!({"region": "us-east-1", "endpoint_urls": "vpce.example"}),
            &|_| None,
        )
        .unwrap_err();
        assert!(
            err.starts_with("invalid --endpoint-url 'vpce.example'"),
            "{err}"
        );
    }

    #[test]
    fn bad_events_are_one_line_naming_the_key() {
        let env = |_: &str| None;
        let cases = [
            (json!({"region": "tokyo"}), "invalid --region 'tokyo'"),
            (json!({"regoin": "us-east-1"}), "unknown event key 'regoin'"),
            (json!({"format": "text"}), "unknown event key 'format'"),
            (
                json!({"region": "us-east-1", "vpc_cidrs": ["10.0.0.0/33"]}),
                "invalid --vpc-cidr '10.0.0.0/33'",
            ),
            (
                json!({"region": "us-east-1", "port": {"n": 1}}),
                "invalid event key 'port': expected a string, a number or a list",
            ),
            (json!(["region"]), "the event must be a JSON object"),
        ];
        for (event, want) in cases {
            let err = config_of(&event, &env).unwrap_err();
            assert!(err.starts_with(want), "{event}: {err}");
            assert!(!err.contains('\n'), "{err}");
        }
    }

    #[test]
    fn the_environment_sets_defaults_and_the_event_wins() {
        let env = |k: &str| (k == "AWS_REGION").then(|| "eu-west-1".to_owned());
        let c = config_of(&json!({}), &env).unwrap();
        assert_eq!(c.plan.region.unwrap().code(), "eu-west-1");
        let c = config_of(&json!({"region": "us-east-2"}), &env).unwrap();
        assert_eq!(c.plan.region.unwrap().code(), "us-east-2");
    }
}
