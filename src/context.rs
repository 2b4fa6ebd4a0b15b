//! The report's `context`: what the run knows about where it runs (the
//! task, from ECS task metadata) and notes about how it ran. Typed, so that
//! renderers read fields, never keys; the metadata's texts stay
//! [`Untrusted`].

use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;
use serde::Serialize;

use crate::metadata::{Discovery, TaskInfo};
use crate::plan::Plan;
use crate::printable::Untrusted;

/// Where the context came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The task metadata endpoint answered.
    EcsMetadata,
    /// Task metadata was expected but could not be read (the notes say why).
    None,
    /// A Lambda function in the task's subnets answered (no task metadata there).
    Lambda,
}

/// The report's `context`. Outside ECS it is empty (`{}`). Fields appear in
/// alphabetical order, as the report has always listed them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Context {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub availability_zone: Option<Untrusted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cluster: Option<Untrusted>,
    /// The DNS servers task metadata lists for the task's network.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub dns_servers: Option<Vec<Untrusted>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub family: Option<Untrusted>,
    /// The Lambda function that ran the probe.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub function_arn: Option<String>,
    /// The task's IPv6 addresses (dual-stack and IPv6-only tasks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_addresses: Option<Vec<Ipv6Addr>>,
    /// The task's IPv6 subnet.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ipv6_subnet_cidr: Option<IpNet>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub launch_type: Option<Untrusted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notes: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub private_ipv4: Option<Ipv4Addr>,
    /// The nameservers the probe asked, `ip:port`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub resolver_nameservers: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<Untrusted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<Source>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_cidr: Option<IpNet>,
    /// The IPv6 subnet's gateway (`gw/len`), which ECS reports for IPv6-only tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subnet_gateway_ipv6: Option<Untrusted>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task_arn: Option<Untrusted>,
    /// On EC2 container instances only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vpc_id: Option<Untrusted>,
}

impl Context {
    /// Builds the context from what metadata discovery found and the
    /// nameservers the probe asks.
    pub fn new(discovery: &Discovery, plan: &Plan, nameservers: &[SocketAddr]) -> Self {
        let mut notes: Vec<String> = discovery.note.iter().cloned().collect();
        notes.extend(plan.notes.iter().cloned());
        let Some(task) = &discovery.task else {
            return Self {
                source: discovery.note.is_some().then_some(Source::None),
                notes: (!notes.is_empty()).then_some(notes),
                ..Self::default()
            };
        };
        if plan.region_source != crate::catalog::RegionSource::Configuration {
            notes.push(format!(
                "region {} from the {}",
                plan.region, plan.region_source
            ));
        }
        notes.extend(dns_note(task, nameservers));
        Self {
            account: task.account().map(|a| a.to_string()),
            availability_zone: task.availability_zone.clone(),
            cluster: task.cluster.clone(),
            dns_servers: Some(task.dns_servers.clone()),
            family: task.family.clone(),
            function_arn: None,
            ipv6_addresses: (!task.ipv6_addresses.is_empty()).then(|| task.ipv6_addresses.clone()),
            ipv6_subnet_cidr: task.ipv6_subnet_cidr,
            launch_type: task.launch_type.clone(),
            notes: Some(notes),
            private_ipv4: task.private_ipv4,
            resolver_nameservers: Some(nameservers.iter().map(ToString::to_string).collect()),
            revision: task.revision.clone(),
            source: Some(Source::EcsMetadata),
            subnet_cidr: task.subnet_cidr,
            subnet_gateway_ipv6: task.subnet_gateway_ipv6.clone(),
            task_arn: task.task_arn.clone(),
            vpc_id: task.vpc_id.clone(),
        }
    }

    /// The cluster's short name (`arn:...:cluster/NAME` → `NAME`).
    pub fn cluster_name(&self) -> Option<Untrusted> {
        let c = self.cluster.as_ref()?.raw();
        Some(c.rsplit('/').next().unwrap_or(c).into())
    }
}

/// Says when the probe asks other nameservers than the VPC gives the task.
fn dns_note(task: &TaskInfo, nameservers: &[SocketAddr]) -> Option<String> {
    let asked: Vec<String> = nameservers.iter().map(|a| a.ip().to_string()).collect();
    let differ = !task.dns_servers.is_empty()
        && !asked.is_empty()
        && !task
            .dns_servers
            .iter()
            .all(|s| asked.iter().any(|a| a == s.raw()));
    differ.then(|| {
        format!(
            "task metadata lists DNS servers {} but the probe asks {}",
            Untrusted::join(&task.dns_servers, ", "),
            asked.join(", ")
        )
    })
}
