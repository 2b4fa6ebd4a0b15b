//! `explain`: a task's stopped reason or a container error (the argument,
//! or standard input), read offline and explained with the probe's own
//! findings. Exits 0 when the text shows a network failure or a service's
//! answer, 1 when it says nothing the probe can judge.

use std::io::{Read, Write};

use crate::choices::Format;
use crate::cli::ExplainArgs;
use crate::config::{ConfigError, require_format};
use crate::error::{AppError, Exit};
use crate::stopped::{self, Cause, Explanation};

/// The text to explain: the arguments, else standard input (capped).
fn text_of(args: &ExplainArgs) -> Result<String, AppError> {
    if !args.text.is_empty() {
        return Ok(args.text.join(" "));
    }
    let mut bytes = Vec::new();
    std::io::stdin()
        .take(crate::files::MAX_FILE)
        .read_to_end(&mut bytes)
        .map_err(AppError::Output)?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

pub fn run(args: &ExplainArgs, out: &mut impl Write) -> Result<Exit, AppError> {
    require_format(args.format, "explain", &[Format::Text, Format::Json])?;
    let text = text_of(args)?;
    if text.trim().is_empty() {
        return Err(AppError::Config(ConfigError::NothingToExplain));
    }
    let vpc = crate::config::vpc_cidrs(&args.vpc_cidrs);
    let network = crate::classify::Network::new(vpc, None);
    let e = stopped::explain_in(&text, &network, !args.vpc_cidrs.is_empty());
    match args.format {
        Format::Json => crate::render::json::render(&e, out)?,
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
    if e.cause == Cause::Network {
        writeln!(
            out,
            "finding      {}",
            e.finding
                .map_or("(not decidable from the text)", |f| f.code())
        )?;
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

/// What the cause line says.
fn cause_name(cause: Cause) -> &'static str {
    match cause {
        Cause::Network => "network: the service was never reached",
        Cause::Answer => "answer: the service answered; the network works",
        Cause::Other => "other: not about reaching a service",
    }
}
