//! `check`: probe the plan once, print the report, exit 0 when every
//! endpoint passes and 1 when any fails. The mode for init containers and
//! one-shot `aws ecs run-task` diagnostics.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use time::OffsetDateTime;
use tokio::time::Instant;

use crate::config::{Color, Config, Format};
use crate::error::{AppError, Exit};
use crate::plan;
use crate::probe::Prober;
use crate::render;
use crate::report::{self, Report, Verdict};

/// Probes the plan once and builds the report.
pub async fn probe(config: &Config) -> Result<Report, AppError> {
    let plan = plan::build(config);
    let prober = Arc::new(Prober::new(config)?);
    let started = OffsetDateTime::now_utc();
    let start = Instant::now();
    let results = prober.probe_all(&plan, start + config.deadline).await;
    Ok(report::build(
        config,
        &plan,
        &results,
        started,
        start.elapsed(),
    ))
}

/// Whether the text report should carry colour.
pub fn use_color(choice: Color, stdout_is_terminal: bool, no_color_set: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout_is_terminal && !no_color_set,
    }
}

/// Writes a report in the configured format.
pub fn write_report(
    config: &Config,
    report: &Report,
    out: &mut impl Write,
) -> Result<(), AppError> {
    match config.format {
        Format::Json => render::json::render(report, out)?,
        Format::Text => {
            let color = use_color(
                config.color,
                std::io::stdout().is_terminal(),
                std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()),
            );
            render::text::render(report, out, color)?;
        }
    }
    out.flush()?;
    Ok(())
}

/// The `check` mode: probe, print, and map the verdict to the exit status.
pub async fn run(config: &Config, out: &mut impl Write) -> Result<Exit, AppError> {
    let report = probe(config).await?;
    write_report(config, &report, out)?;
    Ok(match report.verdict {
        Verdict::Pass => Exit::Pass,
        Verdict::Fail => Exit::Fail,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        let cases = [
            (Color::Auto, true, false, true),
            (Color::Auto, false, false, false),
            (Color::Auto, true, true, false),
            (Color::Always, false, true, true),
            (Color::Never, true, false, false),
        ];
        for (choice, tty, no_color, want) in cases {
            assert_eq!(
                use_color(choice, tty, no_color),
                want,
                "{choice:?} {tty} {no_color}"
            );
        }
    }
}
