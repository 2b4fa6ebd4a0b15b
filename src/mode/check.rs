//! `check`: probe the plan once, print the report, exit 0 when every
//! endpoint passes and 1 when any fails. The mode for init containers and
//! one-shot `aws ecs run-task` diagnostics.

use std::io::Write;

use crate::config::Config;
use crate::error::{AppError, Exit};
use crate::render;
use crate::report::Verdict;
use crate::session::Session;

/// Probes, prints, and maps the verdict to the exit status. `color` says
/// whether a text report is coloured (the caller knows what `out` is).
pub async fn run(config: Config, out: &mut impl Write, color: bool) -> Result<Exit, AppError> {
    let session = Session::start(config).await?;
    let report = session.round().await;
    render::write(&report, &session.config.output, false, color, out)?;
    Ok(match report.verdict {
        Verdict::Pass => Exit::Pass,
        Verdict::Fail => Exit::Fail,
    })
}
