//! A report read back from its JSON: what `fix --report` needs of the
//! report a one-shot task or the Lambda wrote (the check's region, time,
//! counts and VPC, and each endpoint's finding and causes), parsed at the
//! edge into the same typed causes the judge returns.

use serde::Deserialize;

use super::{Report, Summary};
use crate::diagnose::{Cause, Finding};
use crate::plan::Caller;

/// Where remedies come from: the check's region, time, counts and VPC.
#[derive(Debug, Clone)]
pub struct Origin {
    pub region: String,
    pub started_at: String,
    pub summary: Summary,
    pub vpc_id: Option<String>,
}

impl From<&Report> for Origin {
    fn from(report: &Report) -> Self {
        Self {
            region: report.region.clone(),
            started_at: report.started_at.clone(),
            summary: report.summary,
            vpc_id: report.context.vpc_id.as_ref().map(|v| v.raw().to_owned()),
        }
    }
}

/// The parts of a saved report `fix` reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Saved {
    pub schema_version: u32,
    pub region: String,
    pub started_at: String,
    pub summary: Summary,
    #[serde(default)]
    context: SavedContext,
    pub endpoints: Vec<SavedEndpoint>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct SavedContext {
    #[serde(default)]
    vpc_id: Option<String>,
}

/// One endpoint of a saved report.
#[derive(Debug, Clone, Deserialize)]
pub struct SavedEndpoint {
    pub service: String,
    pub host: String,
    #[serde(default = "both")]
    pub route: Caller,
    pub finding: Option<Finding>,
    /// Absent in reports written before causes were typed.
    #[serde(default)]
    pub causes: Option<Vec<Cause>>,
}

fn both() -> Caller {
    Caller::Both
}

impl Saved {
    pub fn origin(&self) -> Origin {
        Origin {
            region: self.region.clone(),
            started_at: self.started_at.clone(),
            summary: self.summary,
            vpc_id: self.context.vpc_id.clone(),
        }
    }

    /// Endpoints with a finding whose report carries no causes (written by
    /// a vpce-probe from before causes were typed): `fix` cannot read what
    /// to change from them.
    pub fn without_causes(&self) -> Vec<&str> {
        self.endpoints
            .iter()
            .filter(|e| e.finding.is_some() && e.causes.is_none())
            .map(|e| e.host.as_str())
            .collect()
    }
}
