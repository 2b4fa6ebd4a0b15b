//! `fix`: probe like `check`, then propose the changes that would fix what
//! failed (security-group rules, endpoints, DNS settings), as text, JSON,
//! Terraform or AWS CLI commands. Exits like `check`: 0 when everything
//! passed, 1 when something needs fixing. It proposes; it never applies.
//! With `--report FILE` it probes nothing: the causes a one-shot task or
//! the Lambda saved in its JSON report become the same remedies offline.

use std::io::{Read, Write};
use std::path::Path;

use serde::Serialize;

use crate::choices::Format;
use crate::config::Config;
use crate::error::{AppError, Exit};
use crate::printable::printable;
use crate::remedy::{self, Remedy};
use crate::render;
use crate::report::{self, Report, Saved, Verdict};
use crate::session::Session;

/// `--format json`: the report with its remedies beside it.
#[derive(Serialize)]
struct FixReport<'a> {
    #[serde(flatten)]
    report: &'a Report,
    remedies: &'a [Remedy],
}

pub async fn run(config: Config, out: &mut impl Write, color: bool) -> Result<Exit, AppError> {
    let session = Session::start(config).await?;
    let assessment = session.assess().await;
    let report = report::build(&assessment);
    let remedies = remedy::remedies(&assessment);
    match session.config.output.format {
        Format::Json => render::json_document(
            &FixReport {
                report: &report,
                remedies: &remedies,
            },
            session.config.output.pretty,
            out,
        )?,
        Format::Terraform => render::fix::terraform(&(&report).into(), &remedies, out)?,
        Format::Cli => render::fix::cli(&(&report).into(), &remedies, out)?,
        Format::Text | Format::Emf => {
            render::text::render(&report, out, color)?;
            render::fix::text(&remedies, out)?;
        }
    }
    out.flush()?;
    Ok(match report.verdict {
        Verdict::Pass => Exit::Pass,
        Verdict::Fail => Exit::Fail,
    })
}

/// `fix --report FILE`: the remedies of a saved report, offline.
pub fn from_report(
    path: &Path,
    format: Format,
    pretty: bool,
    out: &mut impl Write,
) -> Result<Exit, AppError> {
    let saved = read_saved(path)?;
    let missing = saved.without_causes();
    if !missing.is_empty() {
        return Err(saved_error(
            path,
            &format!(
                "{} endpoint(s) with a finding carry no causes ({}): the report was written by \
                 a vpce-probe older than its causes; run fix where the probe runs, or save a \
                 report from a newer one",
                missing.len(),
                crate::printable::printable(&missing.join(", "))
            ),
        ));
    }
    let remedies = remedy::collect(saved.endpoints.iter().filter_map(|e| {
        Some(remedy::Judged {
            finding: e.finding?,
            service: &e.service,
            route: e.route,
            causes: e.causes.as_deref().unwrap_or_default(),
        })
    }));
    let origin = saved.origin();
    match format {
        Format::Json => render::json_document(
            &SavedFix {
                region: &origin.region,
                started_at: &origin.started_at,
                remedies: &remedies,
            },
            pretty,
            out,
        )?,
        Format::Terraform => render::fix::terraform(&origin, &remedies, out)?,
        Format::Cli => render::fix::cli(&origin, &remedies, out)?,
        Format::Text | Format::Emf => {
            writeln!(
                out,
                "vpce-probe fix from a saved report · region {} · checked at {} · {} ok, {} warn, {} fail",
                printable(&origin.region),
                printable(&origin.started_at),
                origin.summary.ok,
                origin.summary.warn,
                origin.summary.fail
            )?;
            render::fix::text(&remedies, out)?;
        }
    }
    out.flush()?;
    Ok(if origin.summary.fail == 0 {
        Exit::Pass
    } else {
        Exit::Fail
    })
}

/// `fix --report --format json`: where the remedies come from, and them.
#[derive(Serialize)]
struct SavedFix<'a> {
    region: &'a str,
    started_at: &'a str,
    remedies: &'a [Remedy],
}

fn saved_error(path: &Path, reason: &str) -> AppError {
    AppError::SavedReport {
        path: crate::printable::printable_path(path),
        reason: reason.to_owned(),
    }
}

/// The saved report at `path` (`-`: standard input), parsed.
fn read_saved(path: &Path) -> Result<Saved, AppError> {
    let mut text = String::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_string(&mut text).map(|_| ())
    } else {
        std::fs::read_to_string(path).map(|t| text = t)
    };
    read.map_err(|e| saved_error(path, &e.to_string()))?;
    let saved: Saved = serde_json::from_str(&text).map_err(|e| {
        saved_error(
            path,
            &format!("not a vpce-probe JSON report ({e}); save one with --format json"),
        )
    })?;
    if saved.schema_version != report::SCHEMA_VERSION {
        return Err(saved_error(
            path,
            &format!(
                "schema_version {} (this vpce-probe reads {})",
                saved.schema_version,
                report::SCHEMA_VERSION
            ),
        ));
    }
    Ok(saved)
}
