//! `fix`: probe like `check`, then propose the changes that would fix what
//! failed (security-group rules, endpoints, DNS settings), as text, JSON,
//! Terraform or AWS CLI commands. Exits like `check`: 0 when everything
//! passed, 1 when something needs fixing. It proposes; it never applies.

use std::io::Write;

use serde::Serialize;

use crate::choices::Format;
use crate::config::Config;
use crate::error::{AppError, Exit};
use crate::remedy::{self, Remedy};
use crate::render;
use crate::report::{self, Report, Verdict};
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
        Format::Json => render::json::render(
            &FixReport {
                report: &report,
                remedies: &remedies,
            },
            out,
        )?,
        Format::Terraform => render::fix::terraform(&report, &remedies, out)?,
        Format::Cli => render::fix::cli(&report, &remedies, out)?,
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
