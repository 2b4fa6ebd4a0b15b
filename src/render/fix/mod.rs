//! The remedies of `vpce-probe fix`, written three ways: a "To fix" block
//! for people, Terraform for the AWS provider, and AWS CLI commands. What
//! the probe cannot know from inside the task (security-group, subnet and
//! route-table IDs) is a Terraform variable or a shell placeholder, declared
//! once at the top; what it knows (the region, the VPC ID on EC2) is filled
//! in. Every output says it is a proposal: nothing is ever applied.

use std::io::{self, Write};

use crate::catalog::Region;
use crate::remedy::{Action, EndpointService, IpAddressType, PrefixList, Remedy};
use crate::report::Origin;

mod cli;
mod terraform;
pub use cli::cli;
pub use terraform::terraform;

const PROPOSAL: &str = "a proposal for a person to review; vpce-probe applies nothing";

/// The "To fix" block that follows the text report.
pub fn text(remedies: &[Remedy], out: &mut impl Write) -> io::Result<()> {
    if remedies.is_empty() {
        return writeln!(
            out,
            "\nTo fix: nothing; every endpoint passed or has no change to propose."
        );
    }
    writeln!(out, "\nTo fix ({PROPOSAL}):")?;
    let mut last: Option<(String, String)> = None;
    for r in remedies {
        let head = (
            crate::printable::printable(&r.label()),
            r.finding.code().to_owned(),
        );
        if last.as_ref() != Some(&head) {
            writeln!(out, "  {} ({})", head.0, head.1)?;
            last = Some(head);
        }
        let line = match &r.action {
            Action::TaskEgressToAddress { cidr, port } => {
                format!("task security group: allow egress TCP {port} to {cidr}")
            }
            Action::EndpointIngressFromTask {
                endpoint_service,
                port,
            } => format!(
                "security group of the endpoint {endpoint_service}: check that it allows ingress \
                 TCP {port} from the task's security group"
            ),
            Action::TaskEgressToPrefixList { prefix_list, port } => format!(
                "task security group: allow egress TCP {port} to the managed prefix list {prefix_list}"
            ),
            Action::InterfaceEndpoint {
                endpoint_service,
                dns_record_ip_type,
                service_region,
                ..
            } => interface_endpoint(
                endpoint_service,
                *dns_record_ip_type,
                service_region.as_ref(),
            ),
            Action::GatewayEndpoint {
                endpoint_service, ..
            } => format!(
                "if the subnet's route table has no route to an S3 gateway endpoint: create the \
                 gateway endpoint {endpoint_service} and associate it with that route table"
            ),
            Action::DnsSettings { change } => change.text().to_owned(),
        };
        for (i, part) in super::text::wrap(&line, 88).iter().enumerate() {
            writeln!(out, "    {} {part}", if i == 0 { "-" } else { " " })?;
        }
    }
    writeln!(
        out,
        "  (--format terraform or --format cli prints these changes as code)"
    )
}

/// The line of an interface endpoint to create: cross-Region, with its
/// service region, for another region's service.
fn interface_endpoint(
    endpoint_service: &EndpointService,
    ip_type: Option<IpAddressType>,
    service_region: Option<&Region>,
) -> String {
    let ipv6 = ip_type.map_or_else(String::new, |t| {
        format!(
            ", IP address type {t} and DNS record IP type {t} (its subnets need IPv6 CIDRs), so \
             the name gets an AAAA record inside the VPC",
            t = t.as_str()
        )
    });
    match service_region {
        None => format!(
            "create the interface endpoint {endpoint_service} with private DNS enabled{ipv6}, or \
             enable private DNS on the one that exists"
        ),
        Some(r) => format!(
            "create the cross-Region interface endpoint {endpoint_service} in this VPC, with \
             service region {r}, with private DNS enabled{ipv6}, or enable private DNS on the \
             one that exists (creating a cross-Region endpoint needs the permission \
             vpce:AllowMultiRegion)"
        ),
    }
}

/// What a remedy needs that the probe cannot see from inside the task.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Unknown {
    TaskSecurityGroup,
    EndpointSecurityGroup,
    Vpc,
    Subnets,
    RouteTables,
}

/// The unknowns the remedies need, in declaration order, and the managed
/// prefix lists they look up by name.
fn unknowns(remedies: &[Remedy]) -> (Vec<Unknown>, Vec<&PrefixList>) {
    use Unknown::{EndpointSecurityGroup, RouteTables, Subnets, TaskSecurityGroup, Vpc};
    let mut needed = Vec::new();
    let mut prefix_lists: Vec<&PrefixList> = Vec::new();
    for r in remedies {
        needed.extend_from_slice(match &r.action {
            Action::TaskEgressToAddress { .. } => &[TaskSecurityGroup][..],
            Action::EndpointIngressFromTask { .. } => &[TaskSecurityGroup, EndpointSecurityGroup],
            Action::TaskEgressToPrefixList { prefix_list, .. } => {
                if !prefix_lists.contains(&prefix_list) {
                    prefix_lists.push(prefix_list);
                }
                &[TaskSecurityGroup]
            }
            Action::InterfaceEndpoint { .. } => &[Vpc, Subnets, EndpointSecurityGroup],
            Action::GatewayEndpoint { .. } => &[Vpc, RouteTables],
            Action::DnsSettings { .. } => &[],
        });
    }
    needed.sort();
    needed.dedup();
    (needed, prefix_lists)
}

/// A Terraform identifier from free text: letters, digits and underscores.
fn ident(s: &str) -> String {
    let mut id: String = s
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !id.starts_with(|c: char| c.is_ascii_alphabetic()) {
        id.insert(0, 'x');
    }
    id
}

/// Line comments (`#`, in HCL and in shell) holding `text`: one per line,
/// control characters escaped, so no value in it can end the comment.
fn comment(text: &str) -> String {
    text.split('\n').fold(String::new(), |mut out, line| {
        out.push_str("# ");
        out.push_str(&crate::printable::printable(line));
        out.push('\n');
        out
    })
}

/// The two comment lines both code formats start with.
fn header(origin: &Origin, tail: &str) -> String {
    comment(&format!(
        "vpce-probe fix: {PROPOSAL}.\nFrom a check in {} at {}{tail}",
        origin.region, origin.started_at
    ))
}

#[cfg(test)]
mod tests;
