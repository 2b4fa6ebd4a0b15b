//! A FIPS name that does not exist: the app's SDK asks for FIPS endpoints
//! (`AWS_USE_FIPS_ENDPOINT`) in a region where AWS lists none for the
//! service, so its rules build a name that no one answers. The finding
//! names the setting, the regions that have one, and the fix; it is the
//! setting, not the network.

use super::prose::Explainer;
use super::{Facts, Finding};
use crate::catalog::names::fips_name;
use crate::probe::FailureKind;

/// Whether a failed lookup of this endpoint is a FIPS name AWS lists no
/// endpoint for in its region.
pub(super) fn missing(facts: &Facts<'_>, kind: FailureKind) -> bool {
    matches!(kind, FailureKind::NxDomain | FailureKind::NoRecords)
        && fips_name(facts.host)
        && facts
            .service
            .and_then(|s| s.has_fips_endpoint(facts.region))
            == Some(false)
}

impl Explainer<'_> {
    /// The paragraph of `fips_endpoint_missing`.
    pub(super) fn fips_missing(&self, detail: &str) -> String {
        let host = self.facts.host;
        let region = self.facts.region;
        let service = self.facts.service.map_or("the service", |s| s.name());
        let regions = self
            .facts
            .service
            .and_then(|s| s.fips_regions(region.partition()))
            .unwrap_or_default();
        let elsewhere = if regions.is_empty() {
            format!(
                "AWS lists no FIPS endpoint of {service} anywhere in the {} partition",
                region.partition().name()
            )
        } else {
            format!(
                "AWS lists FIPS endpoints of {service} only in {}",
                regions.join(", ")
            )
        };
        format!(
            "{host} does not exist{detail}: it is a FIPS name, which an AWS SDK (or the ECS agent) \
             builds when FIPS endpoints are turned on (AWS_USE_FIPS_ENDPOINT=true, use_fips_endpoint in the \
             config file, or --use-fips-endpoint), and {elsewhere}, not in {region}. No VPC \
             endpoint or route makes this name exist. Turn the FIPS setting off for this region \
             (or for this service), or set the service's endpoint URL \
             (AWS_ENDPOINT_URL_<SERVICE>) to an endpoint that exists, such as its standard name \
             {standard}.",
            standard = self
                .facts
                .service
                .map_or_else(String::new, |s| s.host(region, None))
        )
    }
}

impl Explainer<'_> {
    /// A FIPS name no endpoint service is known to answer, reached over
    /// public or NAT64 addresses or timed out there: what the tool cannot
    /// tell, and the ways that work either way.
    pub(super) fn fips_unknown(
        &self,
        finding: Finding,
        ips: &str,
        nat64: &[String],
        after: &str,
    ) -> String {
        let host = self.facts.host;
        let port = self.facts.port;
        let region = self.facts.region;
        let service = self.facts.service.map_or("the service", |s| s.name());
        let reached = super::prose::reached_over(ips, nat64);
        let unknown = format!(
            "{host} is the FIPS name of {service} that the app's AWS SDK calls with FIPS \
             endpoints on, and vpce-probe knows no VPC endpoint service that answers it (the \
             {service} endpoint's private DNS answers the standard name), so it cannot tell \
             whether one exists in {region}: aws ec2 describe-vpc-endpoint-services --region \
             {task}{across} lists the endpoint services offered, FIPS ones with -fips in the \
             name.",
            task = self.facts.task_region,
            across = if region == self.facts.task_region {
                String::new()
            } else {
                format!(" --service-region {region}")
            }
        );
        if finding == Finding::PublicPath {
            return format!(
                "{host} was reached over {reached}: the traffic leaves the VPC, and --expect \
                 private forbids that. {unknown} If none is offered, this name leaves the VPC \
                 whatever is created in it; turn FIPS off for {service} to call a name an \
                 endpoint serves."
            );
        }
        let way_out = if nat64.is_empty() {
            "a 0.0.0.0/0 route to a NAT gateway in the subnet's route table"
        } else {
            "a route for 64:ff9b::/96 to a NAT gateway in a public subnet (NAT64)"
        };
        format!(
            "{host} resolved to {reached} and TCP connections to port {port} timed out{after}. \
             {unknown} Without such an endpoint the name needs a way out of the VPC: \
             {way_out}, and the security group's egress to it."
        )
    }
}
