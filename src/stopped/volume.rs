//! A volume's mount that never reached its target (EFS's mount target, an
//! NFS server): a network cause the probe does not check (NFS on TCP
//! 2049, not an HTTPS endpoint), with its causes in order by how the mount
//! failed. A mount the server answered and refused is an answer; one that
//! failed for another reason is a stop ([`super::other`]).

use super::read::Read;
use crate::probe::FailureKind;

/// Whether the text says the mount's target was never reached: a network
/// error, a failed call, or a name the mount could not resolve.
pub(super) fn unreached(read: &Read) -> bool {
    read.error.is_some() || read.unanswered || resolve_failed(read)
}

fn resolve_failed(read: &Read) -> bool {
    read.lower.contains("failed to resolve") || read.error == Some(FailureKind::NxDomain)
}

/// The paragraph: the causes in order for how the mount failed.
pub(super) fn paragraph(read: &Read) -> String {
    let tail = "The probe checks HTTPS endpoints, not NFS: it cannot test this mount's path.";
    if resolve_failed(read) {
        return format!(
            "The volume's mount never reached its target: the file system's DNS name did not \
             resolve. In order of likelihood: the file system has no mount target in the \
             task's Availability Zone (its name resolves only where one exists; mount by the \
             mount target's IP address, or add one); the VPC's DNS settings (enableDnsSupport \
             and enableDnsHostnames must both be on); a custom resolver that does not forward \
             the name to the VPC's Resolver. {tail}"
        );
    }
    format!(
        "The volume's mount never reached its target: the NFS connection (TCP 2049) {how}. In \
         order of likelihood: the mount target's security group lacks inbound TCP 2049 from the \
         task's security group; the task's security group egress lacks TCP 2049 to it; the \
         network ACLs of the task's or the mount target's subnets; the file system has no \
         mount target in the task's Availability Zone. If the mount reached the server and it \
         refused, the text would say access denied: then the access point and IAM \
         authorization settings. {tail}",
        how = match read.error {
            Some(FailureKind::Reset) => "was reset",
            Some(FailureKind::Refused) => "was refused",
            Some(FailureKind::Unreachable) => "had no route",
            _ => "got no answer in time",
        }
    )
}
