//! The remedies of `vpce-probe fix`, written three ways: a "To fix" block
//! for people, Terraform for the AWS provider, and AWS CLI commands. What
//! the probe cannot know from inside the task (security-group, subnet and
//! route-table IDs) is a Terraform variable or a shell placeholder, declared
//! once at the top; what it knows (the region, the VPC ID on EC2) is filled
//! in. Every output says it is a proposal: nothing is ever applied.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::remedy::{Action, PrefixList, Remedy};
use crate::report::Report;

mod cli;
pub use cli::cli;

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
    let mut last: Option<(&str, String)> = None;
    for r in remedies {
        let head = (r.service, r.finding.code().to_owned());
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
                ..
            } => format!(
                "create the interface endpoint {endpoint_service} with private DNS enabled{ipv6}, \
                 or enable private DNS on the one that exists",
                ipv6 = dns_record_ip_type.map_or_else(String::new, |t| format!(
                    ", IP address type {t} and DNS record IP type {t} (its subnets need IPv6 \
                     CIDRs), so the name gets an AAAA record inside the VPC",
                    t = t.as_str()
                ))
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

/// The two comment lines both code formats start with.
fn header(report: &Report, tail: &str) -> String {
    format!(
        "# vpce-probe fix: {PROPOSAL}.\n# From a check in {} at {}{tail}\n",
        report.region, report.started_at
    )
}

/// Terraform for the AWS provider (5.x and later).
pub fn terraform(report: &Report, remedies: &[Remedy], out: &mut impl Write) -> io::Result<()> {
    let (unknowns, prefix_lists) = unknowns(remedies);
    let mut s = header(
        report,
        &format!(
            ": {} endpoint(s) failed, {} warned.",
            report.summary.fail, report.summary.warn
        ),
    );
    let _ = writeln!(
        s,
        "# What the probe cannot see from inside the task is a variable below.\n"
    );
    for u in unknowns {
        let (name, ty, description) = match u {
            Unknown::TaskSecurityGroup => (
                "task_security_group_id",
                "string",
                "The security group of the task's ENI",
            ),
            Unknown::EndpointSecurityGroup => (
                "endpoint_security_group_id",
                "string",
                "The security group of the interface endpoints",
            ),
            Unknown::Vpc => ("vpc_id", "string", "The task's VPC"),
            Unknown::Subnets => (
                "subnet_ids",
                "list(string)",
                "Subnets for the interface endpoints' ENIs (one per AZ the tasks use)",
            ),
            Unknown::RouteTables => (
                "route_table_ids",
                "list(string)",
                "Route tables of the task's subnets",
            ),
        };
        let _ = writeln!(
            s,
            "variable \"{name}\" {{\n  description = \"{description}\"\n  type        = {ty}"
        );
        if let (Unknown::Vpc, Some(vpc)) = (u, &report.context.vpc_id) {
            let _ = writeln!(s, "  default     = \"{vpc}\"");
        }
        let _ = writeln!(s, "}}\n");
    }
    for pl in &prefix_lists {
        let _ = writeln!(
            s,
            "data \"aws_ec2_managed_prefix_list\" \"{}\" {{\n  name = \"{pl}\"\n}}\n",
            ident(pl.service.name())
        );
    }
    for r in remedies {
        let _ = writeln!(s, "# {}: {}", r.service, r.finding.code());
        s.push_str(&terraform_block(r));
        s.push('\n');
    }
    out.write_all(s.as_bytes())
}

/// The resources of one remedy.
fn terraform_block(r: &Remedy) -> String {
    match &r.action {
        Action::TaskEgressToAddress { cidr, port } => {
            let family = if cidr.addr().is_ipv4() {
                "cidr_ipv4"
            } else {
                "cidr_ipv6"
            };
            format!(
                "resource \"aws_vpc_security_group_egress_rule\" \"{name}\" {{\n  \
                 security_group_id = var.task_security_group_id\n  \
                 description       = \"vpce-probe: {service} endpoint ENI\"\n  \
                 ip_protocol       = \"tcp\"\n  \
                 from_port         = {port}\n  \
                 to_port           = {port}\n  \
                 {family:<17} = \"{cidr}\"\n}}\n",
                name = ident(&format!("{}_{}", r.service, cidr.addr())),
                service = r.service,
            )
        }
        Action::EndpointIngressFromTask {
            endpoint_service,
            port,
        } => {
            format!(
                "# Check first: the timeout cannot tell the task's egress from the endpoint's ingress.\n\
                 resource \"aws_vpc_security_group_ingress_rule\" \"{name}\" {{\n  \
                 security_group_id            = var.endpoint_security_group_id\n  \
                 description                  = \"vpce-probe: tasks to {endpoint_service}\"\n  \
                 ip_protocol                  = \"tcp\"\n  \
                 from_port                    = {port}\n  \
                 to_port                      = {port}\n  \
                 referenced_security_group_id = var.task_security_group_id\n}}\n",
                name = ident(&format!("{}_from_task", endpoint_service.service)),
            )
        }
        Action::TaskEgressToPrefixList { prefix_list, port } => {
            let pl = ident(prefix_list.service.name());
            format!(
                "resource \"aws_vpc_security_group_egress_rule\" \"{pl}_prefix_list\" {{\n  \
                 security_group_id = var.task_security_group_id\n  \
                 description       = \"vpce-probe: {prefix_list}\"\n  \
                 ip_protocol       = \"tcp\"\n  \
                 from_port         = {port}\n  \
                 to_port           = {port}\n  \
                 prefix_list_id    = data.aws_ec2_managed_prefix_list.{pl}.id\n}}\n"
            )
        }
        Action::InterfaceEndpoint {
            endpoint_service,
            dns_record_ip_type,
            ..
        } => {
            format!(
                "# If the endpoint exists with private DNS off, import it and apply this instead of creating a second.\n\
                 resource \"aws_vpc_endpoint\" \"{name}\" {{\n  \
                 vpc_id              = var.vpc_id\n  \
                 service_name        = \"{endpoint_service}\"\n  \
                 vpc_endpoint_type   = \"Interface\"\n  \
                 private_dns_enabled = true\n  \
                 subnet_ids          = var.subnet_ids\n  \
                 security_group_ids  = [var.endpoint_security_group_id]\n{ipv6}}}\n",
                name = ident(endpoint_service.service.name()),
                ipv6 = dns_record_ip_type.map(|t| t.as_str()).map_or_else(String::new, |t| format!(
                    "  ip_address_type     = \"{t}\"\n  dns_options {{\n    dns_record_ip_type = \"{t}\"\n  }}\n"
                )),
            )
        }
        Action::GatewayEndpoint {
            endpoint_service, ..
        } => {
            let name = ident(endpoint_service.service.name());
            format!(
                "# Only if the route table has no route to an S3 gateway endpoint yet.\n\
                 resource \"aws_vpc_endpoint\" \"{name}_gateway\" {{\n  \
                 vpc_id            = var.vpc_id\n  \
                 service_name      = \"{endpoint_service}\"\n  \
                 vpc_endpoint_type = \"Gateway\"\n}}\n\n\
                 resource \"aws_vpc_endpoint_route_table_association\" \"{name}_gateway\" {{\n  \
                 for_each        = toset(var.route_table_ids)\n  \
                 route_table_id  = each.value\n  \
                 vpc_endpoint_id = aws_vpc_endpoint.{name}_gateway.id\n}}\n"
            )
        }
        Action::DnsSettings { change } => {
            format!("# Not a resource: {change}\n")
        }
    }
}
