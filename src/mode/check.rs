//! `check`: probe the plan once, print the report, exit 0 when every
//! endpoint passes and 1 when any fails. The mode for init containers and
//! one-shot `aws ecs run-task` diagnostics. Its [`Session`] is shared with
//! `watch`, which runs many rounds of it.

use std::io::{IsTerminal, Write};
use std::sync::Arc;

use time::OffsetDateTime;
use tokio::time::Instant;

use crate::config::{Color, Config, Format};
use crate::error::{AppError, Exit};
use crate::metadata;
use crate::plan::{self, Plan};
use crate::probe::Prober;
use crate::render;
use crate::report::{self, Report, RunContext, Verdict};

/// Everything a round needs, prepared once: the task context, the plan,
/// the resolver and the TLS configuration.
pub struct Session {
    pub config: Config,
    pub plan: Plan,
    pub run: RunContext,
    prober: Arc<Prober>,
}

impl Session {
    /// Reads task metadata (when in ECS), builds the plan and the prober.
    pub async fn start(config: Config) -> Result<Self, AppError> {
        let discovery = metadata::discover(config.metadata.as_ref()).await;
        let plan = plan::build(&config, discovery.task.as_ref())?;
        let prober = Arc::new(Prober::new(&config)?);
        let run = RunContext::new(&discovery, &plan, prober.nameservers());
        Ok(Self {
            config,
            plan,
            run,
            prober,
        })
    }

    /// Probes the plan once and builds the report.
    pub async fn round(&self) -> Report {
        let started = OffsetDateTime::now_utc();
        let start = Instant::now();
        let results = self
            .prober
            .probe_all(&self.plan.endpoints, start + self.config.deadline)
            .await;
        report::build(
            &self.config,
            &self.plan,
            &results,
            started,
            start.elapsed(),
            &self.run,
        )
    }
}

/// Probes once: the report of a fresh session.
pub async fn probe(config: &Config) -> Result<Report, AppError> {
    Ok(Session::start(config.clone()).await?.round().await)
}

/// Whether the text report should carry colour.
pub fn use_color(choice: Color, stdout_is_terminal: bool, no_color_set: bool) -> bool {
    match choice {
        Color::Always => true,
        Color::Never => false,
        Color::Auto => stdout_is_terminal && !no_color_set,
    }
}

/// Writes a report in the configured format. `compact` puts a JSON report
/// on one line (watch mode's JSON lines).
pub fn write_report(
    config: &Config,
    report: &Report,
    compact: bool,
    out: &mut impl Write,
) -> Result<(), AppError> {
    match config.format {
        Format::Json if compact => render::json::render_line(report, out)?,
        Format::Json => render::json::render(report, out)?,
        Format::Emf => render::emf::render(report, &config.namespace, out)?,
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
pub async fn run(config: Config, out: &mut impl Write) -> Result<Exit, AppError> {
    let session = Session::start(config).await?;
    let report = session.round().await;
    write_report(&session.config, &report, false, out)?;
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
