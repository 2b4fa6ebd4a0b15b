//! What `endpoints` shows of a planned endpoint: whose calls go to its
//! name, why it is planned, and what in this VPC can serve it (asked of
//! [`crate::catalog::names`]).

use serde::Serialize;

use super::{Caller, Endpoint, Plan, Reason};
use crate::catalog::names as aws_names;
use crate::catalog::{Region, Serving};

/// One row of `vpce-probe endpoints`.
#[derive(Debug, Serialize)]
pub struct PlanRow<'a> {
    pub service: &'static str,
    pub host: String,
    pub port: u16,
    pub region: &'a str,
    pub reason: &'a Reason,
    /// Whose calls go to the name.
    pub route: Caller,
    /// The VPC endpoint service that answers the name, for AWS services
    /// an endpoint in this VPC can serve.
    pub endpoint_service: Option<String>,
    /// What in this VPC can serve the name; absent for targets, registries
    /// and configured hosts that are not AWS's.
    pub vpc_endpoint: Option<Serving>,
}

impl Endpoint {
    /// What in this VPC can serve the endpoint's name, for a task in
    /// `task_region`; `None` for what is not an AWS service.
    pub fn serving(&self, task_region: &Region) -> Option<Serving> {
        let service = self.kind.service()?;
        Some(aws_names::serving(
            service,
            &self.region,
            task_region,
            &self.host.to_string(),
        ))
    }

    /// The endpoint service that answers the name, where one in this VPC
    /// can (same region or cross-Region).
    pub fn endpoint_service(&self, task_region: &Region) -> Option<String> {
        match self.serving(task_region)? {
            Serving::SameRegion { endpoint_service }
            | Serving::CrossRegion { endpoint_service } => Some(endpoint_service),
            Serving::None { .. } | Serving::Unknown => None,
        }
    }
}

impl Plan {
    /// The rows `endpoints` prints, one per planned endpoint.
    pub fn rows(&self) -> Vec<PlanRow<'_>> {
        self.endpoints
            .iter()
            .map(|e| PlanRow {
                service: e.kind.label(),
                host: e.host.to_string(),
                port: e.port,
                region: e.region.code(),
                reason: &e.reason,
                route: e.route,
                endpoint_service: e.endpoint_service(&self.region),
                vpc_endpoint: e.serving(&self.region),
            })
            .collect()
    }
}
