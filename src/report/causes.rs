//! The report's shared causes: endpoints grouped by the cause the judge
//! put first, ordered by how many endpoints each explains, so that a
//! resolver that fails every AWS name is said once. A cause of one
//! endpoint stays that endpoint's (its paragraph is the group's).

use serde::Serialize;

use super::EndpointReport;
use crate::diagnose::{Cause, Finding, shared};

/// One cause and the endpoints it explains.
#[derive(Debug, Clone, Serialize)]
pub struct SharedCause {
    /// The cause's code (`resolver_does_not_forward`, ...).
    pub cause: String,
    pub finding: Finding,
    /// The endpoints it explains: the service, or the host where the
    /// service label is not unique (targets, two routes of one service).
    pub endpoints: Vec<String>,
    /// Said once for all of them.
    pub diagnosis: String,
    /// The endpoints' indices in the report.
    #[serde(skip)]
    pub members: Vec<usize>,
}

impl SharedCause {
    /// Whether more than one endpoint shares it (a cause of one stays in
    /// its endpoint's block).
    pub fn is_shared(&self) -> bool {
        self.members.len() > 1
    }
}

/// The name a group lists an endpoint by.
fn name(e: &EndpointReport, all: &[EndpointReport]) -> String {
    let unique = all.iter().filter(|o| o.service == e.service).count() == 1;
    if unique && e.endpoint_service.is_some() {
        e.service.to_owned()
    } else {
        e.host.clone()
    }
}

/// Whether two endpoints' causes are one list of causes: the same length,
/// each pair one cause ([`Cause::shares`]).
fn same_causes(a: &EndpointReport, b: &EndpointReport) -> bool {
    a.causes.len() == b.causes.len() && a.causes.iter().zip(&b.causes).all(|(x, y)| x.shares(y))
}

/// Whether an endpoint's paragraph says more than its causes: a hosts-file
/// pin, or a partial failure (`warn`), which only its own block tells.
fn framed(e: &EndpointReport) -> bool {
    e.dns.hosts_file.is_some() || e.status != crate::diagnose::Status::Fail
}

/// The endpoints with a finding and a cause, grouped where their whole
/// lists of causes are one (a framed endpoint keeps its own group).
pub fn group(endpoints: &[EndpointReport]) -> Vec<SharedCause> {
    let mut groups: Vec<(Finding, Vec<(usize, &EndpointReport)>)> = Vec::new();
    for (i, e) in endpoints.iter().enumerate() {
        let Some(finding) = e.finding else {
            continue;
        };
        if e.causes.is_empty() {
            continue;
        }
        let existing = groups.iter_mut().find(|(f, members)| {
            let first = members[0].1;
            *f == finding && !framed(e) && !framed(first) && same_causes(first, e)
        });
        match existing {
            Some((_, members)) => members.push((i, e)),
            None => groups.push((finding, vec![(i, e)])),
        }
    }
    // Most endpoints first; plan order among equals.
    groups.sort_by_key(|(_, members)| std::cmp::Reverse(members.len()));
    groups
        .into_iter()
        .map(|(finding, members)| {
            let names: Vec<String> = members.iter().map(|(_, e)| name(e, endpoints)).collect();
            let lists: Vec<&[Cause]> = members.iter().map(|(_, e)| &e.causes[..]).collect();
            let firsts: Vec<&Cause> = lists.iter().filter_map(|l| l.first()).collect();
            let diagnosis = if members.len() == 1 {
                members[0].1.diagnosis.clone().unwrap_or_default()
            } else {
                shared::paragraph(finding, &lists, &names)
            };
            SharedCause {
                cause: firsts[0].code(),
                finding,
                endpoints: names,
                diagnosis,
                members: members.iter().map(|(i, _)| *i).collect(),
            }
        })
        .collect()
}
