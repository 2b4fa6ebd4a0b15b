//! The remedies as Terraform for the AWS provider (5.x and later). Every
//! block is built with hcl-rs's syntax tree (`hcl::edit`, the lighter half
//! of the crate: no parser, no serde glue) and written by its encoder, which quotes and
//! escapes each value (quotes, backslashes, newlines, `${` and `%{`), so a
//! value from task metadata stays a string; this file only lays the blocks
//! out as `terraform fmt` does (two-space indents, the `=` of consecutive
//! attributes aligned) and puts comments between them.

use std::io::{self, Write};

use hcl::edit::expr::{Expression, FuncArgs, FuncCall, Traversal, TraversalOperator};
use hcl::edit::structure::{Attribute, Block, BlockBuilder, Body};
use hcl::edit::{Decorate, Decorated, Ident};

use super::{Unknown, comment, header, ident, unknowns};
use crate::remedy::{Action, EndpointService, Remedy};
use crate::report::Origin;

/// Terraform for the AWS provider (5.x and later).
pub fn terraform(origin: &Origin, remedies: &[Remedy], out: &mut impl Write) -> io::Result<()> {
    let (unknowns, prefix_lists) = unknowns(remedies);
    let mut s = header(
        origin,
        &format!(
            ": {} endpoint(s) failed, {} warned.",
            origin.summary.fail, origin.summary.warn
        ),
    );
    s.push_str(&comment(
        "What the probe cannot see from inside the task is a variable below.",
    ));
    s.push('\n');
    for u in unknowns {
        let string = || Expression::from(Ident::new("string"));
        let (name, ty, description) = match u {
            Unknown::TaskSecurityGroup => (
                "task_security_group_id",
                string(),
                "The security group of the task's ENI",
            ),
            Unknown::EndpointSecurityGroup => (
                "endpoint_security_group_id",
                string(),
                "The security group of the interface endpoints",
            ),
            Unknown::Vpc => ("vpc_id", string(), "The task's VPC"),
            Unknown::Subnets => (
                "subnet_ids",
                FuncCall::new(Ident::new("list"), FuncArgs::from(vec![string()])).into(),
                "Subnets for the interface endpoints' ENIs (one per AZ the tasks use)",
            ),
            Unknown::RouteTables => (
                "route_table_ids",
                FuncCall::new(Ident::new("list"), FuncArgs::from(vec![string()])).into(),
                "Route tables of the task's subnets",
            ),
        };
        let mut variable = Block::builder(Ident::new("variable"))
            .label(name)
            .attribute(attr("description", description))
            .attribute(attr("type", ty));
        if let (Unknown::Vpc, Some(vpc)) = (u, &origin.vpc_id) {
            variable = variable.attribute(attr("default", vpc.as_str()));
        }
        s.push_str(&encode(variable.build()));
        s.push('\n');
    }
    for pl in &prefix_lists {
        let data = Block::builder(Ident::new("data"))
            .label("aws_ec2_managed_prefix_list")
            .label(ident(pl.service.name()))
            .attribute(attr("name", pl.to_string()));
        s.push_str(&encode(data.build()));
        s.push('\n');
    }
    for r in remedies {
        s.push_str(&comment(&format!("{}: {}", r.label(), r.finding.code())));
        s.push_str(&resources(r));
        s.push('\n');
    }
    out.write_all(s.as_bytes())
}

/// A reference such as `var.vpc_id` or `data.x.y.id`: an expression, not a string.
fn reference(root: &str, attrs: &[&str]) -> Expression {
    let operators = attrs
        .iter()
        .map(|a| Decorated::new(TraversalOperator::GetAttr(Ident::new(*a).into())))
        .collect();
    Traversal::new(Ident::new(root), operators).into()
}

/// An attribute; keys are this file's own identifiers.
fn attr(key: &str, value: impl Into<Expression>) -> Attribute {
    Attribute::new(Ident::new(key), value)
}

fn var(name: &str) -> Expression {
    reference("var", &[name])
}

fn resource(kind: &str, name: &str) -> BlockBuilder {
    Block::builder(Ident::new("resource"))
        .label(kind)
        .label(name)
}

/// The resources of one remedy, with the comments that go before them.
fn resources(r: &Remedy) -> String {
    match &r.action {
        Action::TaskEgressToAddress { cidr, port } => {
            let family = if cidr.addr().is_ipv4() {
                "cidr_ipv4"
            } else {
                "cidr_ipv6"
            };
            let name = ident(&format!("{}_{}", r.service, cidr.addr()));
            let description = format!("vpce-probe: {} endpoint ENI", r.service);
            encode(
                egress_rule(&name, &description, *port)
                    .attribute(attr(family, cidr.to_string()))
                    .build(),
            )
        }
        Action::EndpointIngressFromTask {
            endpoint_service,
            port,
        } => {
            let name = ident(&format!("{}_from_task", endpoint_service.service));
            let rule = resource("aws_vpc_security_group_ingress_rule", &name)
                .attribute(attr("security_group_id", var("endpoint_security_group_id")))
                .attribute(attr(
                    "description",
                    format!("vpce-probe: tasks to {endpoint_service}"),
                ))
                .attribute(attr("ip_protocol", "tcp"))
                .attribute(attr("from_port", *port))
                .attribute(attr("to_port", *port))
                .attribute(attr(
                    "referenced_security_group_id",
                    var("task_security_group_id"),
                ));
            comment(
                "Check first: the timeout cannot tell the task's egress from the endpoint's ingress.",
            ) + &encode(rule.build())
        }
        Action::TaskEgressToPrefixList { prefix_list, port } => {
            let pl = ident(prefix_list.service.name());
            let description = format!("vpce-probe: {prefix_list}");
            encode(
                egress_rule(&format!("{pl}_prefix_list"), &description, *port)
                    .attribute(attr(
                        "prefix_list_id",
                        reference("data", &["aws_ec2_managed_prefix_list", &pl, "id"]),
                    ))
                    .build(),
            )
        }
        Action::InterfaceEndpoint {
            endpoint_service,
            private_dns_enabled,
            dns_record_ip_type,
            service_region,
        } => {
            let name = match service_region {
                Some(r) => ident(&format!("{}_{}", endpoint_service.service.name(), r.code())),
                None => ident(endpoint_service.service.name()),
            };
            let mut endpoint = resource("aws_vpc_endpoint", &name)
                .attribute(attr("vpc_id", var("vpc_id")))
                .attribute(attr("service_name", endpoint_service.to_string()));
            if let Some(r) = service_region {
                // Cross-Region PrivateLink: created here, in the task's
                // region, for the service of another.
                endpoint = endpoint.attribute(attr("service_region", r.code()));
            }
            let mut endpoint = endpoint
                .attribute(attr("vpc_endpoint_type", "Interface"))
                .attribute(attr("private_dns_enabled", *private_dns_enabled))
                .attribute(attr("subnet_ids", var("subnet_ids")))
                .attribute(attr(
                    "security_group_ids",
                    Expression::from(vec![var("endpoint_security_group_id")]),
                ));
            if let Some(t) = dns_record_ip_type {
                endpoint = endpoint
                    .attribute(attr("ip_address_type", t.as_str()))
                    .block(
                        Block::builder(Ident::new("dns_options"))
                            .attribute(attr("dns_record_ip_type", t.as_str()))
                            .build(),
                    );
            }
            comment(
                "If the endpoint exists with private DNS off, import it and apply this instead of creating a second.",
            ) + &encode(endpoint.build())
        }
        Action::GatewayEndpoint {
            endpoint_service, ..
        } => gateway_endpoint(endpoint_service),
        Action::DnsSettings { change } => comment(&format!("Not a resource: {change}")),
    }
}

/// An egress rule from the task's security group; the destination follows.
fn egress_rule(name: &str, description: &str, port: u16) -> BlockBuilder {
    resource("aws_vpc_security_group_egress_rule", name)
        .attribute(attr("security_group_id", var("task_security_group_id")))
        .attribute(attr("description", description))
        .attribute(attr("ip_protocol", "tcp"))
        .attribute(attr("from_port", port))
        .attribute(attr("to_port", port))
}

/// The gateway endpoint and its association with every route table.
fn gateway_endpoint(endpoint_service: &EndpointService) -> String {
    let name = format!("{}_gateway", ident(endpoint_service.service.name()));
    let endpoint = resource("aws_vpc_endpoint", &name)
        .attribute(attr("vpc_id", var("vpc_id")))
        .attribute(attr("service_name", endpoint_service.to_string()))
        .attribute(attr("vpc_endpoint_type", "Gateway"));
    let association = resource("aws_vpc_endpoint_route_table_association", &name)
        .attribute(attr(
            "for_each",
            FuncCall::new(
                Ident::new("toset"),
                FuncArgs::from(vec![var("route_table_ids")]),
            ),
        ))
        .attribute(attr("route_table_id", reference("each", &["value"])))
        .attribute(attr(
            "vpc_endpoint_id",
            reference("aws_vpc_endpoint", &[&name, "id"]),
        ));
    comment("Only if the route table has no route to an S3 gateway endpoint yet.")
        + &encode(endpoint.build())
        + "\n"
        + &encode(association.build())
}

/// One block, written by hcl-rs's encoder and laid out as `terraform fmt`
/// would, with a newline after its closing brace.
fn encode(mut block: Block) -> String {
    layout(&mut block.body, 1);
    let mut body = Body::new();
    body.push(block);
    // hcl-rs escapes C0 in strings; DEL, C1 and bidirectional characters
    // from metadata become `\uXXXX` too.
    crate::printable::escape_in_document(&body.to_string()).into_owned()
}

/// Indents a block's body `depth` levels and aligns the `=` of each run of
/// consecutive attributes; nested blocks' closing braces line up with them.
fn layout(body: &mut Body, depth: usize) {
    let indent = "  ".repeat(depth);
    let keys: Vec<Option<usize>> = body
        .iter()
        .map(|s| s.as_attribute().map(|a| a.key.as_str().len()))
        .collect();
    let mut width = vec![0; keys.len()];
    let mut start = 0;
    while start < keys.len() {
        let end = (start..keys.len())
            .find(|&i| keys[i].is_none())
            .unwrap_or(keys.len());
        let run = keys[start..end]
            .iter()
            .flatten()
            .max()
            .copied()
            .unwrap_or(0);
        width[start..end].fill(run);
        start = end + 1;
    }
    for (i, mut structure) in body.iter_mut().enumerate() {
        structure.decor_mut().set_prefix(indent.clone());
        if let Some(mut a) = structure.as_attribute_mut() {
            let pad = width[i] - a.get().key.as_str().len() + 1;
            a.key_decor_mut().set_suffix(" ".repeat(pad));
        } else if let Some(b) = structure.as_block_mut() {
            b.body.decor_mut().set_suffix(indent.clone());
            layout(&mut b.body, depth + 1);
        }
    }
}
