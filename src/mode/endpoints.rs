//! `endpoints`: print the plan. Reads task metadata when in ECS (the plan
//! follows the task) but never resolves or connects to an endpoint.

use std::io::Write;

use crate::choices::Format;
use crate::config::Config;
use crate::error::{AppError, Exit};
use crate::{metadata, plan, render};

pub async fn run(config: &Config, out: &mut impl Write) -> Result<Exit, AppError> {
    let discovery = metadata::discover(config.metadata.as_ref()).await;
    let plan = plan::build(&config.plan, discovery.task.as_ref())?;
    let rows = plan.rows();
    match config.output.format {
        Format::Json | Format::Emf | Format::Terraform | Format::Cli => {
            let mut doc = serde_json::json!({
                "region": plan.region.code(),
                "region_source": plan.region_source,
                "names_from": crate::catalog::data_source(),
                "endpoints": rows,
            });
            if !plan.notes.is_empty() {
                doc["notes"] = serde_json::json!(plan.notes);
            }
            render::json_document(&doc, config.output.pretty, out)?;
        }
        Format::Text => render::plan::render_plan(
            plan.region.code(),
            &rows,
            &plan.notes,
            &crate::catalog::data_source(),
            out,
        )?,
    }
    out.flush()?;
    Ok(Exit::Pass)
}
