//! The plan: which endpoints one run probes, and why each is there.
//! Built from the configuration alone, so `vpce-probe endpoints` can print
//! it without touching the network.

use serde::Serialize;

use crate::catalog::Service;
use crate::config::{Config, Host, ServicesSource};

/// What an endpoint is: an AWS service from the catalog, or a `--target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Aws(Service),
    Target,
}

impl Kind {
    /// The `service` field of the report: the endpoint name, or `target`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Aws(s) => s.name(),
            Self::Target => "target",
        }
    }

    pub fn service(self) -> Option<Service> {
        match self {
            Self::Aws(s) => Some(s),
            Self::Target => None,
        }
    }
}

/// One endpoint to probe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoint {
    pub kind: Kind,
    pub host: Host,
    pub port: u16,
    /// Why the endpoint is in the plan, in words.
    pub reason: String,
}

/// The plan as `vpce-probe endpoints --format json` prints it.
#[derive(Debug, Serialize)]
pub struct PlanRow<'a> {
    pub service: &'static str,
    pub host: String,
    pub port: u16,
    pub reason: &'a str,
    /// The VPC endpoint service to create, for AWS services.
    pub endpoint_service: Option<String>,
}

/// Builds the plan: the configured services in order, then the targets.
pub fn build(config: &Config) -> Vec<Endpoint> {
    let reason = match config.services_source {
        ServicesSource::Flag => "requested with --services",
        ServicesSource::Default => "default set (ECR pull, awslogs, ssm, secretsmanager)",
    };
    let services = config.services.iter().map(|&service| {
        let host = service.host(&config.region, config.ecr_account.as_deref());
        Endpoint {
            kind: Kind::Aws(service),
            host: Host::Name(
                rustls_pki_types::DnsName::try_from(host)
                    .expect("catalog hostnames are valid DNS names"),
            ),
            port: config.port,
            reason: reason.to_owned(),
        }
    });
    let targets = config.targets.iter().map(|t| Endpoint {
        kind: Kind::Target,
        host: t.host.clone(),
        port: t.port,
        reason: "requested with --target".to_owned(),
    });
    services.chain(targets).collect()
}

/// The rows `endpoints` prints, one per planned endpoint.
pub fn rows<'a>(config: &Config, plan: &'a [Endpoint]) -> Vec<PlanRow<'a>> {
    plan.iter()
        .map(|e| PlanRow {
            service: e.kind.label(),
            host: e.host.to_string(),
            port: e.port,
            reason: &e.reason,
            endpoint_service: e
                .kind
                .service()
                .map(|s| s.endpoint_service_name(&config.region)),
        })
        .collect()
}
