//! The names no endpoint of the task's region serves, walked through the
//! remedy table's worlds ([`super::table`]): ECR's dual-stack names get no
//! endpoint from anyone; another region's names get the cross-Region
//! interface endpoint where the service takes one, with its service region,
//! and nothing where it does not; neither ever gets a gateway endpoint or a
//! prefix list.

use super::table::worlds;
use super::world::TASK_REGION;
use super::{Action, remedies};
use crate::diagnose::Finding;

/// ECR's dual-stack names: every paragraph says once that no VPC endpoint
/// serves them (unless the name resolved to private addresses, which
/// something inside the VPC answers), and `fix` never proposes one.
#[test]
fn ecr_dual_stack_names_say_once_that_no_endpoint_serves_them() {
    let mut checked = 0;
    for w in worlds()
        .into_iter()
        .filter(|w| w.host.ends_with(".api.aws"))
    {
        let assessment = w.assessment();
        let Some(d) = assessment.endpoints[0].judgement.diagnosis.as_deref() else {
            continue;
        };
        let private = assessment.endpoints[0]
            .attempts()
            .iter()
            .any(|a| a.class.class == crate::classify::AddressClass::Private);
        let said = d.matches("PrivateLink does not carry").count();
        assert!(said == 1 || (said == 0 && private), "{w:?}\n{d}");
        let endpoints = remedies(&assessment)
            .into_iter()
            .filter(|r| matches!(r.action, crate::remedy::Action::InterfaceEndpoint { .. }))
            .count();
        assert_eq!(endpoints, 0, "{w:?}\n{d}");
        checked += 1;
    }
    assert!(checked > 100, "{checked}");
}

/// Another region's (or partition's) names: every interface endpoint a
/// remedy proposes is cross-Region, for the name's region, and only for the
/// services the catalog says take one; the paragraph of each timeout says
/// which, and names the permission a cross-Region endpoint needs.
#[test]
fn another_regions_names_get_a_cross_region_endpoint_or_none() {
    let (mut cross_region, mut none) = (0, 0);
    for w in worlds()
        .into_iter()
        .filter(|w| w.region != TASK_REGION && !w.host.ends_with(".api.aws"))
    {
        let assessment = w.assessment();
        let endpoint = &assessment.endpoints[0];
        let takes_one = matches!(
            endpoint.endpoint.serving(&assessment.task_region),
            Some(crate::catalog::Serving::CrossRegion { .. })
        );
        let d = endpoint.judgement.diagnosis.as_deref().unwrap_or("");
        for r in remedies(&assessment) {
            match &r.action {
                Action::InterfaceEndpoint { service_region, .. } => {
                    assert!(takes_one, "{w:?}\n{d}");
                    let code = service_region.as_ref().map(crate::catalog::Region::code);
                    assert_eq!(code, Some(w.region), "{w:?}\n{d}");
                    cross_region += 1;
                }
                Action::GatewayEndpoint { .. } | Action::TaskEgressToPrefixList { .. } => {
                    panic!("{w:?}\n{d}")
                }
                _ => {}
            }
        }
        if endpoint.judgement.finding == Some(Finding::PublicConnectTimeout) {
            if takes_one {
                assert!(d.contains("vpce:AllowMultiRegion"), "{w:?}\n{d}");
            } else {
                assert!(
                    !d.contains("interface endpoint com.amazonaws"),
                    "{w:?}\n{d}"
                );
                none += 1;
            }
        }
    }
    assert!(cross_region > 1000 && none > 100, "{cross_region} {none}");
}
