//! One round, assessed once: each planned endpoint with what the probe met,
//! every address classified once, the endpoint judged once. Every answer is
//! read from it: the report (and through it the text, JSON, EMF and
//! Prometheus renderings) is a projection of it, and the remedies `fix`
//! proposes are read from the same typed facts the paragraph was written
//! from.

use std::time::Duration;

use time::OffsetDateTime;

use crate::catalog::Region;
use crate::classify::Network;
use crate::context::Context;
use crate::diagnose::{self, Attempt, Classes, Facts, Judgement, Lookup, Policy};
use crate::plan::{Caller, Endpoint, Kind, Plan};
use crate::probe::EndpointProbe;

/// What one round learned, typed.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub policy: Policy,
    /// The task's region: an interface endpoint or a prefix list in this
    /// VPC serves only its names.
    pub task_region: Region,
    /// What is known about the task (empty outside ECS).
    pub context: Context,
    pub started: OffsetDateTime,
    pub elapsed: Duration,
    /// In plan order.
    pub endpoints: Vec<Assessed>,
}

/// One endpoint, assessed.
#[derive(Debug, Clone)]
pub struct Assessed {
    /// What was planned: the service or target, its region, host, port,
    /// why, and whose calls go there.
    pub endpoint: Endpoint,
    /// What the probe met (with `classes`, set together here only, so
    /// every address the probe met has its class).
    probe: EndpointProbe,
    /// Every address the probe met, classified once.
    classes: Classes,
    /// The judge's verdict, its paragraph framed by whose calls these are.
    pub judgement: Judgement,
}

impl Assessed {
    /// The addresses tried directly, in DNS order, each with its class.
    pub fn attempts(&self) -> Vec<Attempt<'_>> {
        self.classes.attempts(self.probe.direct_addresses())
    }

    /// What the probe met.
    pub fn probe(&self) -> &EndpointProbe {
        &self.probe
    }

    /// Every address the probe met, classified once.
    pub fn classes(&self) -> &Classes {
        &self.classes
    }
}

/// Assesses one round: `probes` are the plan's endpoints' results, in plan order.
pub fn assess(
    policy: Policy,
    network: &Network,
    plan: &Plan,
    probes: Vec<EndpointProbe>,
    started: OffsetDateTime,
    elapsed: Duration,
    context: &Context,
) -> Assessment {
    let endpoints = plan
        .endpoints
        .iter()
        .zip(probes)
        .map(|(endpoint, probe)| endpoint_assessed(policy, network, &plan.region, endpoint, probe))
        .collect();
    Assessment {
        policy,
        task_region: plan.region.clone(),
        context: context.clone(),
        started,
        elapsed,
        endpoints,
    }
}

fn endpoint_assessed(
    policy: Policy,
    network: &Network,
    task_region: &Region,
    endpoint: &Endpoint,
    probe: EndpointProbe,
) -> Assessed {
    let classes = Classes::of_probe(network, &probe.dns, probe.direct_addresses());
    let host = endpoint.host.to_string();
    let attempts = classes.attempts(probe.direct_addresses());
    let mut judgement = diagnose::judge(
        &Facts {
            service: endpoint.kind.service(),
            registry: endpoint.kind == Kind::Registry,
            proxy: probe.proxy(),
            region: &endpoint.region,
            task_region,
            host: &host,
            port: endpoint.port,
            lookup: Lookup::probed(&probe.dns),
            classes: &classes,
            addresses: &attempts,
        },
        policy,
    );
    judgement.diagnosis = judgement.diagnosis.map(|d| whose(endpoint.route) + &d);
    Assessed {
        endpoint: endpoint.clone(),
        probe,
        classes,
        judgement,
    }
}

/// Whose calls a paragraph is about, where the app's SDK and ECS differ.
fn whose(route: Caller) -> String {
    match route {
        Caller::Both => String::new(),
        Caller::Platform => "ECS itself (image pulls, secrets injection, awslogs) calls this \
            name, whatever the app's SDK settings say; the app's SDK is configured to call \
            another, planned beside it. "
            .to_owned(),
        Caller::App => "Only the app's AWS SDK calls this name (its endpoint settings; ECS \
            itself calls the standard name). "
            .to_owned(),
    }
}
