//! The plan as a table (`vpce-probe endpoints`): a pure writer.

use std::io::{self, Write};

use crate::catalog::names::{NotServed, Serving};
use crate::plan::PlanRow;
use crate::printable::printable;

/// Writes the plan as a table (`vpce-probe endpoints`): each name, whose
/// calls go to it, the endpoint service that answers it (`cross-Region` for
/// one of another region's), and why it is planned.
pub fn render_plan(
    region: &str,
    rows: &[PlanRow<'_>],
    notes: &[String],
    source: &str,
    out: &mut impl Write,
) -> io::Result<()> {
    writeln!(
        out,
        "region {region}: {} endpoint(s); AWS's names from {source}",
        rows.len()
    )?;
    writeln!(
        out,
        "{:<15} {:<63} {:>5}  {:<8}  VPC ENDPOINT SERVICE",
        "SERVICE", "HOST", "PORT", "ROUTE"
    )?;
    for r in rows {
        let vpc_endpoint = match &r.vpc_endpoint {
            None => "-".to_owned(),
            Some(Serving::SameRegion { endpoint_service }) => endpoint_service.clone(),
            Some(Serving::CrossRegion { endpoint_service }) => {
                format!("{endpoint_service} (cross-Region, from {region})")
            }
            Some(Serving::None { why }) => format!("none: {}", not_served(*why)),
            Some(Serving::Unknown) => "unknown: no endpoint service known for this name".to_owned(),
        };
        let route = serde_variant::to_variant_name(&r.route).unwrap_or("both");
        let host = printable(&r.host);
        writeln!(
            out,
            "{:<15} {host:<63} {:>5}  {route:<8}  {vpc_endpoint}",
            r.service, r.port
        )?;
        writeln!(out, "{:<15} why: {}", "", printable(&r.reason.to_string()))?;
    }
    for note in notes {
        writeln!(out, "note: {note}")?;
    }
    Ok(())
}

/// Why no endpoint in this VPC serves a name, in words.
fn not_served(why: NotServed) -> &'static str {
    match why {
        NotServed::EcrDualstack => "ECR's dual-stack names are not carried by PrivateLink",
        NotServed::GlobalSts => "STS's global name",
        NotServed::OtherRegion => {
            "another region's, and the service takes no cross-Region endpoint"
        }
        NotServed::OtherPartition => "a region of another partition",
    }
}
