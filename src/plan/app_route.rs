//! The app's route: where the SDK settings of the app send a planned
//! service of the task's region to another name (a configured URL; the
//! FIPS, dual-stack or STS global name AWS's rules give for its settings),
//! that name is planned. For a service ECS itself calls, the standard name
//! stays beside it and then serves ECS alone; for one only the app calls,
//! the app's name replaces it.

use super::{Caller, Endpoint, Kind, Plan, Reason, Request};
use crate::catalog::names::{self as aws_names, SdkName, SdkVariant};
use crate::catalog::{Region, Service};
use crate::names::Host;
use crate::sdk::{EndpointUrl, service_id};

impl Plan {
    /// The app's route where its SDK settings send a planned service of the
    /// task's region elsewhere: the configured URL, else the name AWS's
    /// rules give for the FIPS, dual-stack and STS settings.
    pub(super) fn add_sdk_routes(&mut self, config: &Request) {
        let sdk = &config.sdk;
        self.notes.extend(sdk.notes.iter().cloned());
        let variant = SdkVariant {
            fips: sdk.fips.is_some(),
            dualstack: config.dualstack,
            sts_legacy: sdk.sts_global.is_some(),
        };
        let planned: Vec<(Service, Host, u16)> = self
            .endpoints
            .iter()
            .filter(|e| e.region == self.region && e.route == Caller::Both)
            .filter_map(|e| Some((e.kind.service()?, e.host.clone(), e.port)))
            .filter(|(s, _, _)| service_id(*s).is_some())
            .collect();
        for (service, host, port) in planned {
            let app = match sdk.endpoint_url(service) {
                Some(url) => Some(self.configured(service, url)),
                None => self.by_settings(service, variant, config),
            };
            let refused = app.is_none()
                && sdk.endpoint_url(service).is_none()
                && service.sdk_host(&self.region, variant) == SdkName::Refused;
            if refused && service.called_by_ecs() {
                // The app's SDK calls nothing (a note says so); ECS still
                // calls the standard name.
                for e in self.endpoints.iter_mut().filter(|e| e.host == host) {
                    e.route = Caller::Platform;
                }
            }
            let Some(app) = app.filter(|a| (&a.host, a.port) != (&host, port)) else {
                continue;
            };
            let standard = self
                .endpoints
                .iter()
                .position(|e| e.host == host && e.port == port);
            match standard {
                // ECS itself still calls the standard name.
                Some(i) if service.called_by_ecs() => self.endpoints[i].route = Caller::Platform,
                // No one calls it now: the app's name takes its place.
                Some(i) => {
                    self.endpoints.remove(i);
                }
                None => {}
            }
            self.add(app);
        }
    }

    /// The endpoint a configured URL names: the service's own when it is
    /// AWS's (an endpoint-specific name carries its region), else the app's
    /// own target.
    fn configured(&self, service: Service, url: &EndpointUrl) -> Endpoint {
        let host = url.host.to_string();
        let named = aws_names::vpce_name(&host);
        let kind = match &named {
            Some((s, _)) => Kind::Aws(*s),
            None if aws_names::is_aws_host(&host) => Kind::Aws(service),
            None => Kind::Configured(service),
        };
        Endpoint {
            kind,
            host: url.host.clone(),
            port: url.port,
            region: named.map_or_else(|| self.region.clone(), |(_, r)| r),
            reason: Reason::Sdk {
                setting: url.source.clone(),
            },
            route: Caller::App,
        }
    }

    /// The name AWS's rules give for the app's FIPS, dual-stack and STS
    /// settings; a note where they give none.
    fn by_settings(
        &mut self,
        service: Service,
        variant: SdkVariant,
        config: &Request,
    ) -> Option<Endpoint> {
        if variant == SdkVariant::default() {
            return None;
        }
        // Where it was set: a variable's name, or the config file's text.
        let setting = crate::printable::Untrusted::from(settings_named(service, variant, config));
        let region = self.region.clone();
        let host = match service.sdk_host(&region, variant) {
            SdkName::Host(host) => host,
            SdkName::Refused => {
                self.notes.push(format!(
                    "{setting}: the AWS SDKs' rules give {service} no name in {region} \
                     ({partition}); the app's SDK fails before it connects, so nothing is \
                     probed for it",
                    partition = region.partition().name()
                ));
                return None;
            }
            SdkName::NoData => {
                self.notes.push(format!(
                    "{setting}: AWS's endpoint data has no SDK rules for {service}; its \
                     standard name is probed"
                ));
                return None;
            }
        };
        let host = Host::parse(&host)?;
        let why = fips_note(service, &region, variant);
        Some(Endpoint {
            kind: Kind::Aws(service),
            host,
            port: config.port,
            region,
            reason: Reason::Sdk {
                setting: format!("{setting}{why}").into(),
            },
            route: Caller::App,
        })
    }
}

/// The settings that gave the app's name, where they were set.
fn settings_named(service: Service, variant: SdkVariant, config: &Request) -> String {
    let sdk = &config.sdk;
    let mut parts: Vec<String> = Vec::new();
    if let (true, Some(source)) = (variant.fips, &sdk.fips) {
        parts.push(format!("{source} (FIPS endpoints)"));
    }
    if variant.dualstack {
        parts.push("--dualstack or AWS_USE_DUALSTACK_ENDPOINT (dual-stack endpoints)".to_owned());
    }
    if let (true, Service::Sts, Some(source)) = (variant.sts_legacy, service, &sdk.sts_global) {
        parts.push(format!(
            "{source} (STS's global name where the SDKs keep it)"
        ));
    }
    parts.join(" and ")
}

/// Where FIPS is asked for in a region where AWS lists no FIPS endpoint of
/// the service: the regions that have one.
fn fips_note(service: Service, region: &Region, variant: SdkVariant) -> String {
    if !variant.fips || service.has_fips_endpoint(region) != Some(false) {
        return String::new();
    }
    let regions = service.fips_regions(region.partition()).unwrap_or_default();
    if regions.is_empty() {
        format!(
            "; AWS lists no FIPS endpoint of {service} in the {} partition",
            region.partition().name()
        )
    } else {
        format!(
            "; AWS lists FIPS endpoints of {service} only in {}",
            regions.join(", ")
        )
    }
}
