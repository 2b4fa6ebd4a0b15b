//! `endpoints`: print the plan without touching the network.

use std::io::Write;

use crate::config::{Config, Format};
use crate::error::{AppError, Exit};
use crate::{plan, render};

pub fn run(config: &Config, out: &mut impl Write) -> Result<Exit, AppError> {
    let plan = plan::build(config);
    let rows = plan::rows(config, &plan);
    match config.format {
        Format::Json => render::json::render(
            &serde_json::json!({ "region": config.region.code(), "endpoints": rows }),
            out,
        )?,
        Format::Text => render::text::render_plan(config.region.code(), &rows, out)?,
    }
    out.flush()?;
    Ok(Exit::Pass)
}
