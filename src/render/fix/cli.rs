//! The remedies as AWS CLI commands: placeholders first, then one command
//! (or a commented alternative) per remedy. Every value that is not this
//! file's own text (the region, the VPC ID from task metadata, names and
//! addresses) is one shell word quoted by [`crate::shell::quote`], so none can end
//! its word or expand; the placeholders' own `"$VAR"`s are left to expand.

use std::fmt::Write as _;
use std::io::{self, Write};

use crate::shell::quote;

use super::{Unknown, comment, header, ident, unknowns};
use crate::remedy::{Action, Remedy};
use crate::report::Origin;

/// AWS CLI commands, placeholders first.
pub fn cli(origin: &Origin, remedies: &[Remedy], out: &mut impl Write) -> io::Result<()> {
    let (unknowns, prefix_lists) = unknowns(remedies);
    let mut s = header(origin, ". Fill in the placeholders, then run what applies.");
    let _ = writeln!(s, "REGION={}", quote(&origin.region));
    for u in unknowns {
        let _ = writeln!(
            s,
            "{}",
            match u {
                Unknown::TaskSecurityGroup => {
                    "TASK_SG=sg-REPLACE-ME          # the security group of the task's ENI"
                        .to_owned()
                }
                Unknown::EndpointSecurityGroup => {
                    "ENDPOINT_SG=sg-REPLACE-ME      # the security group of the interface endpoints"
                        .to_owned()
                }
                Unknown::Vpc => format!(
                    "VPC_ID={}",
                    quote(origin.vpc_id.as_deref().unwrap_or("vpc-REPLACE-ME"))
                ),
                Unknown::Subnets => {
                    "SUBNET_IDS=\"subnet-REPLACE-ME\"  # one per AZ the tasks use, space-separated"
                        .to_owned()
                }
                Unknown::RouteTables => {
                    "ROUTE_TABLE_IDS=\"rtb-REPLACE-ME\"  # the task subnets' route tables, space-separated"
                        .to_owned()
                }
            }
        );
    }
    for pl in &prefix_lists {
        let _ = writeln!(
            s,
            "PL_{var}=$(aws ec2 describe-managed-prefix-lists --region \"$REGION\" --filters Name=prefix-list-name,Values={name} --query 'PrefixLists[0].PrefixListId' --output text)",
            var = ident(pl.service.name()).to_ascii_uppercase(),
            name = quote(&pl.to_string()),
        );
    }
    for r in remedies {
        s.push('\n');
        s.push_str(&comment(&format!("{}: {}", r.label(), r.finding.code())));
        command(r, &mut s);
    }
    out.write_all(s.as_bytes())
}

/// The command (or comment) of one remedy.
fn command(r: &Remedy, s: &mut String) {
    match &r.action {
        Action::TaskEgressToAddress { cidr, port } => {
            let ranges = if cidr.addr().is_ipv4() {
                format!("IpRanges=[{{CidrIp={cidr}}}]")
            } else {
                format!("Ipv6Ranges=[{{CidrIpv6={cidr}}}]")
            };
            let permissions = format!("IpProtocol=tcp,FromPort={port},ToPort={port},{ranges}");
            let _ = writeln!(
                s,
                "aws ec2 authorize-security-group-egress --region \"$REGION\" --group-id \"$TASK_SG\" --ip-permissions {}",
                quote(&permissions)
            );
        }
        Action::EndpointIngressFromTask { port, .. } => {
            let _ = writeln!(
                s,
                "# Check first: the timeout cannot tell the task's egress from the endpoint's ingress.\n\
                 aws ec2 authorize-security-group-ingress --region \"$REGION\" --group-id \"$ENDPOINT_SG\" --ip-permissions \"IpProtocol=tcp,FromPort={port},ToPort={port},UserIdGroupPairs=[{{GroupId=$TASK_SG}}]\""
            );
        }
        Action::TaskEgressToPrefixList { prefix_list, port } => {
            let _ = writeln!(
                s,
                "aws ec2 authorize-security-group-egress --region \"$REGION\" --group-id \"$TASK_SG\" --ip-permissions \"IpProtocol=tcp,FromPort={port},ToPort={port},PrefixListIds=[{{PrefixListId=$PL_{var}}}]\"",
                var = ident(prefix_list.service.name()).to_ascii_uppercase()
            );
        }
        Action::InterfaceEndpoint {
            endpoint_service,
            dns_record_ip_type,
            service_region,
            ..
        } => {
            let ipv6 = dns_record_ip_type.map_or_else(String::new, |t| {
                let t = quote(t.as_str());
                format!(" --ip-address-type {t} --dns-options DnsRecordIpType={t}")
            });
            // Cross-Region PrivateLink: created here, in the task's region,
            // for the service of another.
            let service_region = service_region.as_ref().map_or_else(String::new, |r| {
                format!(" --service-region {}", quote(r.code()))
            });
            let service = quote(&endpoint_service.to_string()).into_owned();
            let _ = writeln!(
                s,
                "aws ec2 create-vpc-endpoint --region \"$REGION\" --vpc-id \"$VPC_ID\" --vpc-endpoint-type Interface --service-name {service}{service_region} --subnet-ids $SUBNET_IDS --security-group-ids \"$ENDPOINT_SG\" --private-dns-enabled{ipv6}\n\
                 # or, when it exists with private DNS off (find its ID with aws ec2 describe-vpc-endpoints):\n\
                 # aws ec2 modify-vpc-endpoint --region \"$REGION\" --vpc-endpoint-id vpce-REPLACE-ME --private-dns-enabled"
            );
        }
        Action::GatewayEndpoint {
            endpoint_service, ..
        } => {
            let service = quote(&endpoint_service.to_string()).into_owned();
            let _ = writeln!(
                s,
                "# Only if the route table has no route to an S3 gateway endpoint yet.\n\
                 aws ec2 create-vpc-endpoint --region \"$REGION\" --vpc-id \"$VPC_ID\" --vpc-endpoint-type Gateway --service-name {service} --route-table-ids $ROUTE_TABLE_IDS"
            );
        }
        Action::DnsSettings { change } => {
            s.push_str(&comment(&format!("Not a command: {change}")));
        }
    }
}
