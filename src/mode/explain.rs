//! `explain`: a task's stopped reason or a container error (the argument,
//! or standard input), read offline and explained with the probe's own
//! findings. Exits 0 when the text shows a network failure or a service's
//! answer, 1 when it says nothing the probe can judge. `describe-tasks`
//! output (or one task object) is recognised by its shape: every task's
//! reasons are explained, and the exit code is the worst over the tasks.

use std::io::{Read, Write};

use crate::choices::Format;
use crate::cli::ExplainArgs;
use crate::config::{ConfigError, require_format};
use crate::error::{AppError, Exit};
use crate::stopped::tasks::TaskExplanation;
use crate::stopped::{self, Cause, Explanation};

/// The text to explain: the arguments (one argument naming a file: the
/// file, such as saved `describe-tasks` output), else standard input
/// (capped; also for `-`).
fn text_of(args: &ExplainArgs) -> Result<String, AppError> {
    if let [one] = args.text.as_slice() {
        let path = std::path::Path::new(one);
        if one != "-" && path.is_file() {
            let bytes = crate::files::read_capped(path).map_err(|e| AppError::SavedReport {
                path: crate::printable::printable_path(path),
                reason: e.to_string(),
            })?;
            return Ok(String::from_utf8_lossy(&bytes).into_owned());
        }
    }
    if !args.text.is_empty() && args.text != ["-"] {
        return Ok(args.text.join(" "));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(crate::files::MAX_FILE)
        .read_to_end(&mut bytes)
        .map_err(AppError::Output)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub fn run(args: &ExplainArgs, pretty: bool, out: &mut impl Write) -> Result<Exit, AppError> {
    let format = Format::from(args.format);
    require_format(format, "explain", &[Format::Text, Format::Json])?;
    let text = text_of(args)?;
    if text.trim().is_empty() {
        return Err(AppError::Config(ConfigError::NothingToExplain));
    }
    let vpc = crate::config::vpc_cidrs(&args.vpc_cidrs);
    let network = crate::classify::Network::new(vpc, None);
    let ranges_given = !args.vpc_cidrs.is_empty();
    if let Some(tasks) = stopped::tasks::tasks_in(&text) {
        let explained: Vec<TaskExplanation> = tasks
            .iter()
            .map(|t| stopped::tasks::explain_task(t, &network, ranges_given))
            .collect();
        match format {
            Format::Json => {
                let doc = serde_json::json!({ "tasks": explained });
                crate::render::json_document(&doc, pretty, out)?;
            }
            _ => write_tasks(&explained, out)?,
        }
        out.flush()?;
        let all = !explained.is_empty() && explained.iter().all(TaskExplanation::recognised);
        return Ok(if all { Exit::Pass } else { Exit::Fail });
    }
    let e = stopped::explain_in(&text, &network, ranges_given);
    match format {
        Format::Json => crate::render::json_document(&e, pretty, out)?,
        _ => write_text(&e, out)?,
    }
    out.flush()?;
    Ok(if e.recognised() {
        Exit::Pass
    } else {
        Exit::Fail
    })
}

fn write_text(e: &Explanation, out: &mut impl Write) -> std::io::Result<()> {
    let or_dash = |v: Option<String>| v.unwrap_or_else(|| "-".to_owned());
    let kind = e.kind.and_then(|k| {
        serde_json::to_value(k)
            .ok()
            .and_then(|v| v.as_str().map(|s| format!(" ({s})")))
    });
    writeln!(out, "error class  {}", or_dash(e.error_class.clone()))?;
    writeln!(
        out,
        "service      {}",
        or_dash(e.service.map(|s| s.name().to_owned()))
    )?;
    writeln!(
        out,
        "host         {}",
        or_dash(e.host.as_ref().map(ToString::to_string))
    )?;
    let address = e.ip.map(|ip| match e.port {
        Some(p) => std::net::SocketAddr::new(ip, p).to_string(),
        None => ip.to_string(),
    });
    writeln!(out, "address      {}", or_dash(address))?;
    writeln!(
        out,
        "error        {}",
        or_dash(
            e.error
                .and_then(|k| serde_json::to_value(k).ok())
                .and_then(|v| v.as_str().map(str::to_owned))
        )
    )?;
    writeln!(
        out,
        "cause        {}{}",
        cause_name(e.cause),
        kind.unwrap_or_default()
    )?;
    if !e.candidates.is_empty() {
        let names: Vec<&str> = e
            .candidates
            .iter()
            .map(|c| match c {
                Cause::Network => "network",
                Cause::Answer => "answer",
                Cause::Other => "other",
                Cause::Undecided => "undecided",
            })
            .collect();
        writeln!(out, "candidates   {}", names.join(", "))?;
    }
    if e.cause == Cause::Network {
        writeln!(
            out,
            "finding      {}",
            e.finding
                .map_or("(not decidable from the text)", |f| f.code())
        )?;
        if !e.causes.is_empty() {
            let codes: Vec<String> = e.causes.iter().map(crate::diagnose::Cause::code).collect();
            writeln!(out, "causes       {}", codes.join(", "))?;
        }
    }
    writeln!(out)?;
    for line in crate::render::text::wrap(&e.diagnosis, 90) {
        writeln!(out, "{line}")?;
    }
    if let (Some(probe), Some(lambda)) = (&e.confirm, &e.confirm_lambda) {
        writeln!(
            out,
            "\nconfirm from inside the VPC, in the failing service's subnets:"
        )?;
        writeln!(out, "  {probe}")?;
        writeln!(out, "  {lambda}")?;
    }
    if let Some(why) = &e.no_confirm {
        writeln!(out, "\n{why}")?;
    }
    Ok(())
}

/// Each task, its stop code and its reasons, the most informative first.
fn write_tasks(tasks: &[TaskExplanation], out: &mut impl Write) -> std::io::Result<()> {
    if tasks.is_empty() {
        return writeln!(out, "no task in the input: nothing to explain");
    }
    for (i, task) in tasks.iter().enumerate() {
        if i > 0 {
            writeln!(out)?;
        }
        writeln!(
            out,
            "task {}  (stop code {})",
            task.task_arn
                .as_deref()
                .map_or("-".into(), crate::printable::printable),
            task.stop_code
                .as_deref()
                .map_or("-".into(), crate::printable::printable)
        )?;
        if task.explanations.is_empty() {
            writeln!(out, "  no stopped reason in the task")?;
        }
        for sourced in &task.explanations {
            writeln!(out, "\n── {}", crate::printable::printable(&sourced.source))?;
            write_text(&sourced.explanation, out)?;
        }
    }
    Ok(())
}

/// What the cause line says.
fn cause_name(cause: Cause) -> &'static str {
    match cause {
        Cause::Network => "network: the service was never reached",
        Cause::Answer => "answer: the service answered; the network works",
        Cause::Other => "other: not about reaching a service",
        Cause::Undecided => "undecided: the text does not tell the network from an answer",
    }
}
