//! The plan: which endpoints one run probes, and why each is there.
//!
//! Built from the configuration and, inside ECS, the task metadata: without
//! `--services`, the plan follows the task (the ECR registries of its images,
//! in their own regions; the awslogs region of every container) and adds the
//! default set. Building it never touches the network, so `vpce-probe
//! endpoints` can print it.

use std::fmt;

use serde::Serialize;

use crate::catalog::names as aws_names;
use crate::catalog::{Region, Service};
use crate::metadata::TaskInfo;
use crate::names::{AccountId, Host, Target};
use crate::printable::Untrusted;
use crate::sdk::SdkSettings;

mod app_route;
mod rows;

pub use rows::PlanRow;

/// What the user asked to probe: validated by `config`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    /// From `--region`, `AWS_REGION` or `AWS_DEFAULT_REGION`; `None` leaves it to task metadata.
    pub region: Option<Region>,
    pub services: Vec<Service>,
    pub services_source: ServicesSource,
    pub ecr_account: Option<AccountId>,
    pub targets: Vec<Target>,
    /// The port of every AWS endpoint.
    pub port: u16,
    /// Plan the dual-stack hostnames (`--dualstack`).
    pub dualstack: bool,
    /// The endpoint settings the app's AWS SDK reads.
    pub sdk: SdkSettings,
}

/// Where the service list came from; it becomes each endpoint's `reason`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ServicesSource {
    Flag,
    Default,
}

/// No region from the configuration or the task (exit code 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("no region: pass --region or set VPCE_PROBE_REGION, AWS_REGION or AWS_DEFAULT_REGION")]
pub struct MissingRegion;

/// What an endpoint is: an AWS service from the catalog, or a `--target`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Aws(Service),
    Target,
    /// A container registry with no VPC endpoint (Docker Hub, ECR Public, ...).
    Registry,
    /// A host that is not AWS's, configured as the endpoint URL of this
    /// service for the app's SDK (a corporate gateway, an emulator): the
    /// app's own target, judged as one.
    Configured(Service),
}

impl Kind {
    /// The `service` field of the report: the endpoint name, or `target`.
    pub fn label(self) -> &'static str {
        match self {
            Self::Aws(s) | Self::Configured(s) => s.name(),
            Self::Target => "target",
            Self::Registry => "registry",
        }
    }

    pub fn service(self) -> Option<Service> {
        match self {
            Self::Aws(s) => Some(s),
            Self::Target | Self::Registry | Self::Configured(_) => None,
        }
    }
}

/// Whose calls go to an endpoint: ECS's own (image pulls, secrets for
/// injection, awslogs) use the standard names; the app's AWS SDK follows
/// its endpoint settings. Where the two differ, both names are planned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Caller {
    /// The standard name, which ECS and an SDK without settings both call.
    Both,
    /// The standard name, while the app's SDK is configured elsewhere.
    Platform,
    /// A name only the app's SDK calls (a configured URL, FIPS, global STS).
    App,
}

impl Caller {
    pub fn is_both(&self) -> bool {
        *self == Self::Both
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
    /// Why the endpoint is in the plan.
    pub reason: Reason,
    pub route: Caller,
}

/// Why an endpoint is in the plan; shown in words (the report's `reason`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// Named with `--services`.
    Requested,
    /// The default set, used when `--services` is absent.
    DefaultSet,
    /// A `--target`.
    Target,
    /// A container of the task pulls its image from this ECR registry.
    Image {
        container: Untrusted,
        account: AccountId,
        /// The registry's region.
        region: Region,
        /// The task's region, when the registry is elsewhere.
        task_region: Option<Region>,
    },
    /// A container of the task ships its logs with awslogs to this region.
    Logs {
        container: Untrusted,
        region: Region,
    },
    /// A container of the task pulls its image from this registry, which has
    /// no VPC endpoint.
    Registry {
        container: Untrusted,
        image: Untrusted,
    },
    /// The app's AWS SDK calls this name: the setting that says so (a
    /// variable's or the config file's text).
    Sdk { setting: Untrusted },
}

impl Reason {
    /// Whether task metadata put the endpoint in the plan.
    pub fn from_task(&self) -> bool {
        matches!(
            self,
            Self::Image { .. } | Self::Logs { .. } | Self::Registry { .. }
        )
    }
}

impl fmt::Display for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Requested => f.write_str("requested with --services"),
            Self::DefaultSet => f.write_str("default set (ECR pull, awslogs, ssm, secretsmanager)"),
            Self::Target => f.write_str("requested with --target"),
            Self::Image {
                container,
                account,
                region,
                task_region,
            } => {
                write!(
                    f,
                    "container '{container}' pulls its image from ECR account {account} in {region}"
                )?;
                if let Some(task_region) = task_region {
                    write!(
                        f,
                        "; the registry is in {region}, not the task's region {task_region}: {}",
                        registry_elsewhere(region, task_region)
                    )?;
                }
                Ok(())
            }
            Self::Logs { container, region } => {
                write!(f, "container '{container}' logs with awslogs to {region}")
            }
            Self::Registry { container, image } => write!(
                f,
                "container '{container}' pulls its image {image} from a registry with no VPC endpoint"
            ),
            Self::Sdk { setting } => write!(f, "the app's AWS SDK calls this name: {setting}"),
        }
    }
}

/// What in the task's VPC can serve an ECR registry of another region (its
/// `ecr.api`, `ecr.dkr` and S3 names), as the catalog says.
fn registry_elsewhere(region: &Region, task_region: &Region) -> &'static str {
    let cross_region = [Service::EcrApi, Service::EcrDkr, Service::S3]
        .into_iter()
        .all(|s| {
            let host = s.host(region, None);
            matches!(
                aws_names::serving(s, region, task_region, &host),
                aws_names::Serving::CrossRegion { .. }
            )
        });
    if cross_region {
        "cross-Region interface endpoints in this VPC can serve it (ecr.api, ecr.dkr and s3, \
         with the registry's region as their service region)"
    } else {
        "no endpoint in this VPC serves it"
    }
}

impl Serialize for Reason {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

/// The run's plan.
#[derive(Debug, Clone)]
pub struct Plan {
    /// The task's region.
    pub region: Region,
    /// Where the region came from (`--region`, `task ARN`, ...).
    pub region_source: crate::catalog::RegionSource,
    pub endpoints: Vec<Endpoint>,
    /// What the plan could not do as asked (a service with no dual-stack name).
    pub notes: Vec<String>,
}

/// Builds the plan. Fails only when no region can be found.
pub fn build(config: &Request, task: Option<&TaskInfo>) -> Result<Plan, MissingRegion> {
    let (region, region_source) = match (&config.region, task.and_then(TaskInfo::region)) {
        (Some(r), _) => (r.clone(), crate::catalog::RegionSource::Configuration),
        (None, Some((r, source))) => (r, source),
        (None, None) => return Err(MissingRegion),
    };
    let mut plan = Plan {
        region: region.clone(),
        region_source,
        endpoints: Vec::new(),
        notes: Vec::new(),
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
        .or_else(|| task.and_then(TaskInfo::account));

    if let (ServicesSource::Default, Some(task)) = (config.services_source, task) {
        for image in &images {
            let reason = Reason::Image {
                container: image.container.clone(),
                account: image.account.clone(),
                region: image.region.clone(),
                task_region: (image.region != region).then(|| region.clone()),
            };
            for service in [Service::EcrApi, Service::EcrDkr, Service::S3] {
                // The runtime pulls from the registry host the image names.
                let host = (service == Service::EcrDkr).then_some(image.host.as_str());
                plan.push_host(
                    config,
                    service,
                    &image.region,
                    Some(&image.account),
                    host,
                    &reason,
                );
            }
        }
        for c in &task.containers {
            if c.log_driver.as_ref().map(Untrusted::raw) != Some("awslogs") {
                continue;
            }
            let logs_region = c
                .awslogs_region
                .as_ref()
                .and_then(|r| r.raw().parse::<Region>().ok())
                .unwrap_or_else(|| region.clone());
            let reason = Reason::Logs {
                container: c.name.clone(),
                region: logs_region.clone(),
            };
            plan.push(config, Service::Logs, &logs_region, None, &reason);
        }
        for image in task.registry_images() {
            let Some(host) = Host::parse(&image.registry.host) else {
                continue;
            };
            plan.add(Endpoint {
                kind: Kind::Registry,
                host,
                port: image.registry.port.unwrap_or(config.port),
                region: region.clone(),
                reason: Reason::Registry {
                    container: image.container,
                    image: image.image,
                },
                route: Caller::Both,
            });
        }
    }
    let reason = match config.services_source {
        ServicesSource::Flag => Reason::Requested,
        ServicesSource::Default => Reason::DefaultSet,
    };
    for &service in &config.services {
        plan.push(config, service, &region, account.as_ref(), &reason);
    }
    plan.add_sdk_routes(config);
    for t in &config.targets {
        // An endpoint-specific name is that service's interface endpoint.
        let named = aws_names::vpce_name(&t.host.to_string());
        plan.endpoints.push(Endpoint {
            kind: named.as_ref().map_or(Kind::Target, |(s, _)| Kind::Aws(*s)),
            host: t.host.clone(),
            port: t.port,
            region: named.map_or_else(|| region.clone(), |(_, r)| r),
            reason: Reason::Target,
            route: Caller::Both,
        });
    }
    Ok(plan)
}

impl Plan {
    /// Adds an AWS endpoint unless the same host is already planned.
    fn push(
        &mut self,
        config: &Request,
        service: Service,
        region: &Region,
        account: Option<&AccountId>,
        reason: &Reason,
    ) {
        self.push_host(config, service, region, account, None, reason);
    }

    /// [`Self::push`] with a host other than the standard one (an image's
    /// dual-stack registry).
    fn push_host(
        &mut self,
        config: &Request,
        service: Service,
        region: &Region,
        account: Option<&AccountId>,
        host: Option<&str>,
        reason: &Reason,
    ) {
        let account = account.map(AccountId::as_str);
        let name = host.map_or_else(|| service.host(region, account), str::to_owned);
        // Regions and accounts are validated, so this holds; a bad name is
        // skipped rather than trusted.
        let Ok(dns_name) = rustls_pki_types::DnsName::try_from(name.clone()) else {
            tracing::warn!(host = %name, "not a valid hostname; left out of the plan");
            return;
        };
        self.add(Endpoint {
            kind: Kind::Aws(service),
            host: Host::Name(dns_name),
            port: config.port,
            region: region.clone(),
            reason: reason.clone(),
            route: Caller::Both,
        });
    }

    /// Adds an endpoint unless the same host is already planned (the first
    /// reason to need a host is the one reported).
    pub(super) fn add(&mut self, endpoint: Endpoint) {
        // One row per service even where a URL for every service (or a
        // shared gateway) gives several the same host.
        let planned = |e: &Endpoint| {
            e.host == endpoint.host && e.port == endpoint.port && e.kind == endpoint.kind
        };
        if !self.endpoints.iter().any(planned) {
            self.endpoints.push(endpoint);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metadata::Container;

    fn config(argv: &[&str]) -> Request {
        let mut full = vec!["vpce-probe", "check"];
        full.extend_from_slice(argv);
        let cli = crate::cli::parse(full).unwrap();
        crate::config::Config::from_args(crate::probe_args(&cli).unwrap(), &|_| None)
            .unwrap()
            .plan
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
        assert!(matches!(build(&config(&[]), None), Err(MissingRegion)));
    }

    #[test]
    fn metadata_drives_region_and_plan() {
        let plan = build(&config(&[]), Some(&task())).unwrap();
        assert_eq!(plan.region.code(), "us-east-1");
        assert_eq!(plan.region_source, crate::catalog::RegionSource::TaskArn);
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
                .to_string()
                .contains("not the task's region us-east-1")
        );
        assert!(
            plan.endpoints[6]
                .reason
                .to_string()
                .contains("container 'app' logs with awslogs")
        );
        assert_eq!(plan.endpoints[8].reason, Reason::DefaultSet);
    }

    #[test]
    fn the_app_route_beside_the_platform_route() {
        // FIPS names where known; a note where not.
        let plan = build(
            &config(&[
                "--region",
                "us-east-1",
                "--services",
                "secretsmanager,ecr.dkr,xray",
                "--use-fips-endpoint",
            ]),
            None,
        )
        .unwrap();
        let rows: Vec<(String, Caller)> = plan
            .endpoints
            .iter()
            .map(|e| (e.host.to_string(), e.route))
            .collect();
        assert_eq!(
            rows,
            vec![
                (
                    "secretsmanager.us-east-1.amazonaws.com".into(),
                    Caller::Platform
                ),
                (
                    "000000000000.dkr.ecr.us-east-1.amazonaws.com".into(),
                    Caller::Both
                ),
                (
                    "secretsmanager-fips.us-east-1.amazonaws.com".into(),
                    Caller::App
                ),
                // Only the app calls X-Ray: its FIPS name replaces the
                // standard one.
                ("xray-fips.us-east-1.amazonaws.com".into(), Caller::App),
            ]
        );
        assert!(plan.notes.is_empty(), "{:?}", plan.notes);
    }

    #[test]
    fn fips_and_dual_stack_names_by_aws_rules() {
        // FIPS where AWS lists none: planned, with the regions that have one.
        let plan = build(
            &config(&[
                "--region",
                "ap-northeast-1",
                "--services",
                "logs",
                "--use-fips-endpoint",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(
            hosts(&plan),
            vec![
                "logs.ap-northeast-1.amazonaws.com",
                "logs-fips.ap-northeast-1.amazonaws.com"
            ]
        );
        let why = plan.endpoints[1].reason.to_string();
        assert!(
            why.contains("only in ca-central-1, ca-west-1, us-east-1"),
            "{why}"
        );

        // Dual-stack for the app only (with legacy too, STS's rules give
        // the dual-stack regional name).
        let plan = build(
            &config(&[
                "--region",
                "us-east-1",
                "--services",
                "ecr.api,sts",
                "--dualstack",
                "--sts-regional-endpoints",
                "legacy",
            ]),
            None,
        )
        .unwrap();
        let rows: Vec<(String, Caller)> = plan
            .endpoints
            .iter()
            .map(|e| (e.host.to_string(), e.route))
            .collect();
        assert_eq!(
            rows,
            vec![
                ("api.ecr.us-east-1.amazonaws.com".into(), Caller::Platform),
                ("ecr.us-east-1.api.aws".into(), Caller::App),
                ("sts.us-east-1.api.aws".into(), Caller::App),
            ]
        );
    }

    #[test]
    fn where_the_rules_refuse_the_app_calls_nothing() {
        // S3's rules give no FIPS name in aws-cn: ECS alone calls S3 there.
        let plan = build(
            &config(&[
                "--region",
                "cn-north-1",
                "--services",
                "s3",
                "--use-fips-endpoint",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(plan.endpoints.len(), 1);
        assert_eq!(plan.endpoints[0].route, Caller::Platform);
        assert!(
            plan.notes[0].contains("fails before it connects"),
            "{:?}",
            plan.notes
        );
    }

    #[test]
    fn configured_urls_in_the_app_route() {
        // A configured endpoint-specific name is that service's, in its region.
        let plan = build(
            &config(&[
                "--region",
                "us-east-1",
                "--services",
                "logs",
                "--endpoint-url",
                "logs=https://vpce-0a-b.logs.us-east-1.vpce.amazonaws.com",
                "--target",
                "vpce-0c-d-us-east-1a.ssm.us-east-1.vpce.amazonaws.com",
            ]),
            None,
        )
        .unwrap();
        let app = &plan.endpoints[1];
        assert_eq!(
            (app.kind, app.route),
            (Kind::Aws(Service::Logs), Caller::App)
        );
        assert_eq!(
            app.reason.to_string(),
            "the app's AWS SDK calls this name: --endpoint-url \
             logs=https://vpce-0a-b.logs.us-east-1.vpce.amazonaws.com"
        );
        assert_eq!(plan.endpoints[2].kind, Kind::Aws(Service::Ssm));
        // A URL on the standard name changes nothing.
        let plan = build(
            &config(&[
                "--region",
                "us-east-1",
                "--services",
                "logs",
                "--endpoint-url",
                "https://logs.us-east-1.amazonaws.com",
            ]),
            None,
        )
        .unwrap();
        assert_eq!(plan.endpoints.len(), 1);
        assert_eq!(plan.endpoints[0].route, Caller::Both);
    }

    #[test]
    fn explicit_services_and_region_win_over_metadata() {
        let plan = build(
            &config(&["--region", "eu-west-1", "--services", "ecr.dkr"]),
            Some(&task()),
        )
        .unwrap();
        assert_eq!(
            plan.region_source,
            crate::catalog::RegionSource::Configuration
        );
        // The task's account still names the registry.
        assert_eq!(
            hosts(&plan),
            vec!["123456789012.dkr.ecr.eu-west-1.amazonaws.com"]
        );
    }
}
