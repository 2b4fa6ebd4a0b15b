//! The app's route: where the SDK settings of the app send a planned
//! service of the task's region to another name (a configured URL, a FIPS
//! name), that name is planned beside the standard one, which then serves
//! ECS alone; under `legacy`, STS's global name is planned beside the
//! regional one.

use super::{Caller, Endpoint, Kind, Plan, Reason, Request};
use crate::catalog::Service;
use crate::names::Host;
use crate::sdk::{names as sdk_names, service_id};

impl Plan {
    /// The app's route where its SDK settings send a planned service of the
    /// task's region elsewhere: the configured URL, else the FIPS name; and
    /// STS's global name under `legacy`. The standard name then serves ECS
    /// alone.
    pub(super) fn add_sdk_routes(&mut self, config: &Request) {
        let sdk = &config.sdk;
        self.notes.extend(sdk.notes.iter().cloned());
        let planned: Vec<(Service, Host, u16)> = self
            .endpoints
            .iter()
            .filter(|e| e.region == self.region)
            .filter_map(|e| Some((e.kind.service()?, e.host.clone(), e.port)))
            .filter(|(s, _, _)| service_id(*s).is_some())
            .collect();
        for (service, host, port) in planned {
            let app = if let Some(url) = sdk.endpoint_url(service) {
                let named = sdk_names::vpce_name(&url.host.to_string());
                Some(Endpoint {
                    kind: Kind::Aws(named.as_ref().map_or(service, |(s, _)| *s)),
                    host: url.host.clone(),
                    port: url.port,
                    region: named.map_or_else(|| self.region.clone(), |(_, r)| r),
                    reason: Reason::Sdk {
                        setting: url.source.clone(),
                    },
                    route: Caller::App,
                })
            } else if let Some(source) = &sdk.fips {
                let fips =
                    sdk_names::fips_host(service, &self.region).and_then(|h| Host::parse(&h));
                if fips.is_none() {
                    self.notes.push(format!(
                        "{source}: {service} has no known FIPS name in {region}; the app's SDK \
                         would fail to resolve one, and its standard name is probed",
                        region = self.region
                    ));
                }
                fips.map(|host| Endpoint {
                    kind: Kind::Aws(service),
                    host,
                    port: config.port,
                    region: self.region.clone(),
                    reason: Reason::Sdk {
                        setting: format!("{source} (FIPS endpoints)"),
                    },
                    route: Caller::App,
                })
            } else {
                None
            };
            if let Some(app) = app.filter(|a| (&a.host, a.port) != (&host, port)) {
                // ECS itself calls these; another service's standard name
                // is no one's once the app's SDK is configured elsewhere,
                // and its row makes no claim about whose it is.
                let ecs_calls = matches!(
                    service,
                    Service::EcrApi
                        | Service::S3
                        | Service::Logs
                        | Service::Ssm
                        | Service::Secretsmanager
                        | Service::Ssmmessages
                        | Service::Ec2messages
                        | Service::Ecs
                );
                for e in self
                    .endpoints
                    .iter_mut()
                    .filter(|e| e.host == host && ecs_calls)
                {
                    e.route = Caller::Platform;
                }
                self.add(app);
            }
        }
        let sts_planned = self
            .endpoints
            .iter()
            .any(|e| e.kind == Kind::Aws(Service::Sts));
        let global = sdk_names::global_sts_host(&self.region).and_then(|h| Host::parse(&h));
        if let (Some(source), true, Some(host)) = (&sdk.sts_global, sts_planned, global) {
            self.add(Endpoint {
                kind: Kind::Aws(Service::Sts),
                host,
                port: config.port,
                region: self.region.clone(),
                reason: Reason::Sdk {
                    setting: format!("{source} (STS's global name)"),
                },
                route: Caller::App,
            });
        }
    }
}
