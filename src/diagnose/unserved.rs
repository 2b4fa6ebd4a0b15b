//! The shared paragraph of names no endpoint in this VPC can serve, by why
//! ([`Unserved`]), with the ways out that remain.

use super::cause::Unserved;

/// What a group of endpoints no endpoint serves is told.
pub(super) fn not_served(why: Unserved) -> String {
    let (because, ways) = match why {
        Unserved::EcrDualstack => (
            "they are ECR's dual-stack names, which PrivateLink does not carry",
            "pull by the IPv4 names (api.ecr.REGION.amazonaws.com, \
             ACCOUNT.dkr.ecr.REGION.amazonaws.com), which the ecr.api and ecr.dkr interface \
             endpoints serve, with the S3 gateway endpoint for the layers",
        ),
        Unserved::GlobalSts => (
            "STS's global name has no interface endpoint",
            "set the app's STS setting to regional (AWS_STS_REGIONAL_ENDPOINTS), so that it \
             calls the name the STS interface endpoint serves",
        ),
        Unserved::OtherRegion => (
            "they are another region's names, of services that take no cross-Region endpoint",
            "move what the task calls into its own region, or give the subnet a route to a NAT \
             gateway",
        ),
        Unserved::OtherPartition => (
            "they are another partition's names",
            "move what the task calls into its own partition, or give the subnet a route to a \
             NAT gateway",
        ),
        Unserved::FipsUnknown => (
            "they are FIPS names no endpoint service is known to answer, and the tool cannot \
             tell whether one exists",
            "aws ec2 describe-vpc-endpoint-services lists the endpoint services offered (FIPS \
             ones with -fips in the name); without one, turn FIPS off for these services or \
             give the subnet a route to a NAT gateway",
        ),
        Unserved::Registry => (
            "they are container registries outside AWS",
            "route the subnet's 0.0.0.0/0 to a NAT gateway; or create an ECR pull-through cache \
             rule for each (ECR caches ECR Public, Docker Hub, Quay, registry.k8s.io, GitHub, \
             GitLab, Azure and Chainguard registries) and reference the images through the \
             task's own registry, which the ecr.api, ecr.dkr and S3 endpoints serve (the first \
             pull of each image still needs a way out); or copy the images into ECR",
        ),
        Unserved::NotAws => (
            "they are not AWS services",
            "reach them through their providers' PrivateLink endpoint services (an interface \
             endpoint with a private DNS name or a private hosted zone), run them inside the \
             VPC, or give the subnet a route to a NAT gateway",
        ),
    };
    format!(
        "no VPC endpoint in this VPC serves these names ({because}): they are reached through a \
         NAT or internet gateway or not at all. Ways out: {ways}."
    )
}
