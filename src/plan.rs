//! The plan: which endpoints one run probes, and why each is there.
//!
//! Built from the configuration and, inside ECS, the task metadata: without
//! `--services`, the plan follows the task (the ECR registries of its images,
//! in their own regions; the awslogs region of every container) and adds the
//! default set. Building it never touches the network, so `vpce-probe
//! endpoints` can print it.

use serde::Serialize;

use crate::catalog::{Region, Service};
use crate::config::{Config, ConfigError, Host, ServicesSource};
use crate::metadata::TaskInfo;

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
    /// The region of the service (may differ from the task's, e.g. an ECR
    /// registry in another region).
    pub region: Region,
    /// Why the endpoint is in the plan, in words.
    pub reason: String,
}

/// The run's plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The task's region.
    pub region: Region,
    /// Where the region came from (`--region`, `task ARN`, ...).
    pub region_source: &'static str,
    pub endpoints: Vec<Endpoint>,
}

/// One row of `vpce-probe endpoints`.
#[derive(Debug, Serialize)]
pub struct PlanRow<'a> {
    pub service: &'static str,
    pub host: String,
    pub port: u16,
    pub region: &'a str,
    pub reason: &'a str,
    /// The VPC endpoint service to create, for AWS services.
    pub endpoint_service: Option<String>,
}

const DEFAULT_REASON: &str = "default set (ECR pull, awslogs, ssm, secretsmanager)";

/// Builds the plan. Fails only when no region can be found.
pub fn build(config: &Config, task: Option<&TaskInfo>) -> Result<Plan, ConfigError> {
    let (region, region_source) = match (&config.region, task.and_then(TaskInfo::region)) {
        (Some(r), _) => (r.clone(), "configuration"),
        (None, Some((r, source))) => (r, source),
        (None, None) => return Err(ConfigError::MissingRegion),
    };
    let mut plan = Plan {
        region: region.clone(),
        region_source,
        endpoints: Vec::new(),
    };
    let images = task.map(TaskInfo::ecr_images).unwrap_or_default();
    // ecr.dkr names a registry: the one asked for, else the task's own
    // registry in this region, else the task's account, else a placeholder.
    let account = config
        .ecr_account
        .clone()
        .or_else(|| {
            images
                .iter()
                .find(|i| i.region == region)
                .map(|i| i.account.clone())
        })
        .or_else(|| task.and_then(TaskInfo::account).map(str::to_owned));

    if let (ServicesSource::Default, Some(task)) = (config.services_source, task) {
        for image in &images {
            let elsewhere = if image.region == region {
                String::new()
            } else {
                format!(
                    "; the registry is in {}, not the task's region {region}: an interface \
                     endpoint in this VPC serves only its own region",
                    image.region
                )
            };
            let reason = format!(
                "container '{}' pulls its image from ECR account {} in {}{elsewhere}",
                image.container, image.account, image.region
            );
            for service in [Service::EcrApi, Service::EcrDkr, Service::S3] {
                plan.push(
                    config,
                    service,
                    &image.region,
                    Some(&image.account),
                    &reason,
                );
            }
        }
        for c in &task.containers {
            if c.log_driver.as_deref() != Some("awslogs") {
                continue;
            }
            let logs_region = c
                .awslogs_region
                .as_deref()
                .and_then(|r| r.parse::<Region>().ok())
                .unwrap_or_else(|| region.clone());
            let reason = format!("container '{}' logs with awslogs to {logs_region}", c.name);
            plan.push(config, Service::Logs, &logs_region, None, &reason);
        }
    }
    let reason = match config.services_source {
        ServicesSource::Flag => "requested with --services",
        ServicesSource::Default => DEFAULT_REASON,
    };
    for &service in &config.services {
        plan.push(config, service, &region, account.as_deref(), reason);
    }
    for t in &config.targets {
        plan.endpoints.push(Endpoint {
            kind: Kind::Target,
            host: t.host.clone(),
            port: t.port,
            region: region.clone(),
            reason: "requested with --target".to_owned(),
        });
    }
    Ok(plan)
}

impl Plan {
    /// Adds an AWS endpoint unless the same host is already planned.
    fn push(
        &mut self,
        config: &Config,
        service: Service,
        region: &Region,
        account: Option<&str>,
        reason: &str,
    ) {
        let name = service.host(region, account);
        // Regions and accounts are validated, so this holds; a bad name is
        // skipped rather than trusted.
        let Ok(dns_name) = rustls_pki_types::DnsName::try_from(name.clone()) else {
            tracing::warn!(host = %name, "not a valid hostname; left out of the plan");
            return;
        };
        let host = Host::Name(dns_name);
        if self.endpoints.iter().any(|e| e.host == host) {
            return;
        }
        self.endpoints.push(Endpoint {
            kind: Kind::Aws(service),
            host,
            port: config.port,
            region: region.clone(),
            reason: reason.to_owned(),
        });
    }

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
                endpoint_service: e.kind.service().map(|s| s.endpoint_service_name(&e.region)),
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Container;

    fn config(argv: &[&str]) -> Config {
        let mut full = vec!["vpce-probe", "check"];
        full.extend_from_slice(argv);
        let cli = crate::cli::parse(full).unwrap();
        Config::from_args(crate::probe_args(&cli).unwrap(), &|_| None).unwrap()
    }

    fn task() -> TaskInfo {
        TaskInfo {
            task_arn: Some("arn:aws:ecs:us-east-1:123456789012:task/c/abc".into()),
            containers: vec![
                Container {
                    name: "app".into(),
                    image: Some("111122223333.dkr.ecr.us-west-2.amazonaws.com/app:1".into()),
                    log_driver: Some("awslogs".into()),
                    awslogs_region: Some("us-west-2".into()),
                },
                Container {
                    name: "proxy".into(),
                    image: Some("123456789012.dkr.ecr.us-east-1.amazonaws.com/envoy:1".into()),
                    log_driver: Some("awslogs".into()),
                    awslogs_region: None,
                },
            ],
            ..TaskInfo::default()
        }
    }

    fn hosts(plan: &Plan) -> Vec<String> {
        plan.endpoints.iter().map(|e| e.host.to_string()).collect()
    }

    #[test]
    fn without_metadata_the_plan_is_the_configuration() {
        let plan = build(
            &config(&["--region", "eu-west-1", "--services", "logs"]),
            None,
        )
        .unwrap();
        assert_eq!(hosts(&plan), vec!["logs.eu-west-1.amazonaws.com"]);
        assert!(matches!(
            build(&config(&[]), None),
            Err(ConfigError::MissingRegion)
        ));
    }

    #[test]
    fn metadata_drives_region_and_plan() {
        let plan = build(&config(&[]), Some(&task())).unwrap();
        assert_eq!(plan.region.code(), "us-east-1");
        assert_eq!(plan.region_source, "task ARN");
        assert_eq!(
            hosts(&plan),
            vec![
                "api.ecr.us-west-2.amazonaws.com",
                "111122223333.dkr.ecr.us-west-2.amazonaws.com",
                "prod-us-west-2-starport-layer-bucket.s3.us-west-2.amazonaws.com",
                "api.ecr.us-east-1.amazonaws.com",
                "123456789012.dkr.ecr.us-east-1.amazonaws.com",
                "prod-us-east-1-starport-layer-bucket.s3.us-east-1.amazonaws.com",
                "logs.us-west-2.amazonaws.com",
                "logs.us-east-1.amazonaws.com",
                "ssm.us-east-1.amazonaws.com",
                "secretsmanager.us-east-1.amazonaws.com",
            ]
        );
        assert!(
            plan.endpoints[0]
                .reason
                .contains("not the task's region us-east-1")
        );
        assert!(
            plan.endpoints[6]
                .reason
                .contains("container 'app' logs with awslogs")
        );
        assert_eq!(plan.endpoints[8].reason, DEFAULT_REASON);
    }

    #[test]
    fn explicit_services_and_region_win_over_metadata() {
        let plan = build(
            &config(&["--region", "eu-west-1", "--services", "ecr.dkr"]),
            Some(&task()),
        )
        .unwrap();
        assert_eq!(plan.region_source, "configuration");
        // The task's account still names the registry.
        assert_eq!(
            hosts(&plan),
            vec!["123456789012.dkr.ecr.eu-west-1.amazonaws.com"]
        );
    }
}
