//! The remedies as AWS CLI commands: placeholders first, then one command
//! (or a commented alternative) per remedy.

use std::fmt::Write as _;
use std::io::{self, Write};

use super::{Unknown, header, ident, unknowns};
use crate::remedy::{Action, Remedy};
use crate::report::Report;

/// AWS CLI commands, placeholders first.
pub fn cli(report: &Report, remedies: &[Remedy], out: &mut impl Write) -> io::Result<()> {
    let (unknowns, prefix_lists) = unknowns(remedies);
    let mut s = header(report, ". Fill in the placeholders, then run what applies.");
    let _ = writeln!(s, "REGION={}", report.region);
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
                    report.context.vpc_id.as_deref().unwrap_or("vpc-REPLACE-ME")
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
            "PL_{var}=$(aws ec2 describe-managed-prefix-lists --region \"$REGION\" --filters Name=prefix-list-name,Values={pl} --query 'PrefixLists[0].PrefixListId' --output text)",
            var = ident(pl.service.name()).to_ascii_uppercase()
        );
    }
    for r in remedies {
        let _ = writeln!(s, "\n# {}: {}", r.service, r.finding.code());
        match &r.action {
            Action::TaskEgressToAddress { cidr, port } => {
                let ranges = if cidr.addr().is_ipv4() {
                    format!("IpRanges=[{{CidrIp={cidr}}}]")
                } else {
                    format!("Ipv6Ranges=[{{CidrIpv6={cidr}}}]")
                };
                let _ = writeln!(
                    s,
                    "aws ec2 authorize-security-group-egress --region \"$REGION\" --group-id \"$TASK_SG\" --ip-permissions 'IpProtocol=tcp,FromPort={port},ToPort={port},{ranges}'"
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
                ..
            } => {
                let ipv6 = dns_record_ip_type
                    .map(|t| t.as_str())
                    .map_or_else(String::new, |t| {
                        format!(" --ip-address-type {t} --dns-options DnsRecordIpType={t}")
                    });
                let _ = writeln!(
                    s,
                    "aws ec2 create-vpc-endpoint --region \"$REGION\" --vpc-id \"$VPC_ID\" --vpc-endpoint-type Interface --service-name {endpoint_service} --subnet-ids $SUBNET_IDS --security-group-ids \"$ENDPOINT_SG\" --private-dns-enabled{ipv6}\n\
                     # or, when it exists with private DNS off (find its ID with aws ec2 describe-vpc-endpoints):\n\
                     # aws ec2 modify-vpc-endpoint --region \"$REGION\" --vpc-endpoint-id vpce-REPLACE-ME --private-dns-enabled"
                );
            }
            Action::GatewayEndpoint {
                endpoint_service, ..
            } => {
                let _ = writeln!(
                    s,
                    "# Only if the route table has no route to an S3 gateway endpoint yet.\n\
                     aws ec2 create-vpc-endpoint --region \"$REGION\" --vpc-id \"$VPC_ID\" --vpc-endpoint-type Gateway --service-name {endpoint_service} --route-table-ids $ROUTE_TABLE_IDS"
                );
            }
            Action::DnsSettings { change } => {
                let _ = writeln!(s, "# Not a command: {change}");
            }
        }
    }
    out.write_all(s.as_bytes())
}
