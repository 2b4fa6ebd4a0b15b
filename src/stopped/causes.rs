//! The causes in order for a service the text names, where it lacks the
//! region, the error or the address for the probe's own judgement. What
//! can serve the name is asked of the catalog as the probe's paragraphs
//! ask it: a name of another region than the task's (when the text names
//! the task's, in an ECS ARN) gets the cross-Region interface endpoint
//! where the service takes one, and no endpoint where it does not.

use super::read::Read;
use crate::catalog::names::NotServed;
use crate::catalog::{Region, Service, Serving};
use crate::diagnose::Classes;
use crate::probe::FailureKind;

/// The causes for a service the text names, in order.
pub(super) fn service_causes(read: &Read, service: Service, classes: &Classes) -> String {
    if let (Some(region), Some(task), Some(served)) =
        (&read.region, &read.task_region, read.serving(service))
    {
        let elsewhere = matches!(
            served,
            Serving::CrossRegion { .. }
                | Serving::None {
                    why: NotServed::OtherRegion | NotServed::OtherPartition
                }
        );
        if elsewhere {
            return other_region(read, service, (region, task), &served);
        }
    }
    let endpoint = read.endpoint_service(service);
    if service.is_gateway() {
        return format!(
            "ECS could not reach S3 ({endpoint}). In order: the subnet's route table has no route \
             to the S3 gateway endpoint (and no NAT); the task's security group egress lacks TCP 443 \
             to the S3 managed prefix list; DNS."
        );
    }
    // What the text lacks for the probe's own judgement.
    let lacks = lacks(read);
    // The address the text names, when it is inside the private ranges: the
    // name resolved inside the VPC, so private DNS is not the first cause.
    let private = read.addr.filter(|a| {
        classes
            .get(a.ip())
            .is_some_and(|c| c.class == crate::classify::AddressClass::Private)
    });
    if let Some(addr) = private {
        let causes = match read.error {
            None | Some(FailureKind::Timeout) => {
                "the task's security group egress or the endpoint's ingress lacks TCP 443 \
                 (private_connect_timeout); the network ACLs of the task's or the endpoint's \
                 subnets; for an address outside this VPC (a hub VPC over a Transit Gateway or \
                 peering), the routes both ways"
            }
            // Nothing answered: the route to the address is missing.
            Some(FailureKind::Unreachable) => {
                "the subnet's route table has no route to that address (for an address outside \
                 this VPC, a hub VPC over a Transit Gateway or peering: the routes both ways, \
                 and a blackholed route); the network ACLs of the task's or the endpoint's \
                 subnets"
            }
            Some(_) => {
                "something at that address answered and would not take the connection, where \
                 an interface endpoint's ENI accepts TCP 443: the address is not the endpoint's \
                 (a private hosted zone record, a hosts-file entry or a custom resolver that \
                 points the name elsewhere); a firewall or proxy on the path that rejects it; \
                 the wrong port"
            }
        };
        return format!(
            "ECS could not reach {name} before the task started, at {addr}: a private address, \
             so the name resolved inside the VPC (an interface endpoint with private DNS, or a \
             private zone); {lacks}. In order of likelihood: {causes}. The probe tells them \
             apart from inside the VPC.",
            name = service.name()
        );
    }
    format!(
        "ECS could not reach {name} before the task started; {address}. In order \
         of likelihood: the interface endpoint {endpoint} has private DNS turned off or does not \
         exist, so the name resolves to public addresses that time out (public_connect_timeout); \
         the task's security group egress or the endpoint's ingress lacks TCP 443 \
         (private_connect_timeout); the VPC's DNS (enableDnsSupport, a custom resolver) does not \
         answer the name (dns_*). If the task is meant to go out through NAT instead, the \
         subnet's route table lacks its 0.0.0.0/0 route to a NAT gateway (or, for a task with a \
         public IP, to an internet gateway). The probe tells them apart from inside the VPC.",
        name = service.name(),
        address = address(read),
    )
}

/// What the text lacks for the probe's own judgement.
fn lacks(read: &Read) -> &'static str {
    if read.region.is_none() {
        "the text does not name the region, so the probe's own judgement cannot be given"
    } else {
        "the text does not say how the call failed, so the probe's own judgement cannot be given"
    }
}

/// "the text names ADDR, but ...", or that it holds none.
fn address(read: &Read) -> String {
    match read.addr {
        Some(addr) => format!("the text names {addr}, but {}", lacks(read)),
        None => "the text holds no address".to_owned(),
    }
}

/// A service of another region (the name's, the task's) than the task's:
/// the cross-Region interface endpoint first where one serves it, else no
/// endpoint, only a way out or a move into the task's region.
fn other_region(
    read: &Read,
    service: Service,
    (region, task): (&Region, &Region),
    served: &Serving,
) -> String {
    let name = service.name();
    let moved = match service {
        Service::EcrApi | Service::EcrDkr | Service::S3 => format!(
            "the image into {task} (an ECR registry in {task}, with replication from {region})"
        ),
        Service::Logs => format!("the logs into {task} (the container's awslogs-region)"),
        _ => format!("what the task calls into {task}"),
    };
    let opening = format!(
        "ECS could not reach {name} in {region} from a task in {task}; {}.",
        address(read)
    );
    match served {
        Serving::CrossRegion {
            endpoint_service: endpoint,
        } => format!(
            "{opening} {name} takes cross-Region interface endpoints. In order of likelihood: \
             the cross-Region interface endpoint {endpoint} (in this VPC, with service region \
             {region}) does not exist or has private DNS turned off, so the name resolves to \
             public addresses that time out (public_connect_timeout; creating it needs the \
             permission vpce:AllowMultiRegion); the task's security group egress or the \
             endpoint's ingress lacks TCP 443 (private_connect_timeout); the VPC's DNS does not \
             answer the name (dns_*). Without such an endpoint, the subnet needs a 0.0.0.0/0 \
             route to a NAT gateway, or move {moved}. The probe tells them apart from inside \
             the VPC."
        ),
        _ => format!(
            "{opening} {why}, so no endpoint in this VPC serves it: the task reaches it only \
             through a NAT or internet gateway. In order of likelihood: the subnet's route \
             table lacks a 0.0.0.0/0 route to a NAT gateway (or, for a task with a public IP, \
             to an internet gateway); the task's security group egress lacks TCP 443; DNS. Or \
             move {moved}.",
            why = if matches!(
                served,
                Serving::None {
                    why: NotServed::OtherPartition
                }
            ) {
                format!(
                    "{region} is in the {} partition, the task in {}",
                    region.partition().name(),
                    task.partition().name()
                )
            } else {
                format!("{name} takes no cross-Region interface endpoint")
            }
        ),
    }
}
