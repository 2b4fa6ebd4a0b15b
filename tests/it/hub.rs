//! Centralised interface endpoints: the endpoints live in a shared-services
//! (hub) VPC reached over a Transit Gateway, and private hosted zones send
//! the AWS names of every spoke VPC to the hub's ENIs. From the spoke, with
//! `--vpc-cidr` stated precisely, those ENIs are private addresses outside
//! the VPC: another private network, never a public path. The hub's ENIs
//! are `10.100.1.N` on the loopback of a network namespace of the test's
//! own (root, as in CI).

use crate::support::{self, Behavior, Side, VpcBuilder, host, netns};
use vpce_probe::classify::{AddressClass, AddressNetwork, Path};
use vpce_probe::diagnose::{Finding, Status};
use vpce_probe::remedy::Action;
use vpce_probe::report::Verdict;

const HUB_SERVICES: [&str; 5] = ["ecr.api", "ecr.dkr", "logs", "ssm", "secretsmanager"];

fn text(report: &vpce_probe::report::Report) -> String {
    let mut out = Vec::new();
    vpce_probe::render::text::render(report, &mut out, false).unwrap();
    String::from_utf8(out).unwrap()
}

#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn endpoints_in_a_hub_vpc_pass_expect_private() {
    netns::enter();
    netns::runtime().block_on(async {
        let mut vpc = VpcBuilder::new().name(&host("s3"), &[(Side::Public, Behavior::tls())]);
        for service in HUB_SERVICES {
            let enis = [(Side::Hub, Behavior::tls()), (Side::Hub, Behavior::tls())];
            vpc = vpc.name(&host(service), &enis);
        }
        let vpc = vpc.start().await;
        // Every handshake must pass: a timeout long enough for a loaded machine.
        let assessment = vpc
            .assess(&["--expect", "private", "--timeout", "5s"])
            .await;
        let report = vpce_probe::report::build(&assessment);

        assert_eq!(report.verdict, Verdict::Pass, "{}", text(&report));
        for e in report.endpoints.iter().filter(|e| e.service != "s3") {
            assert_eq!((e.status, e.path), (Status::Ok, Path::InterfaceEndpoint));
            for a in &e.addresses {
                assert_eq!(
                    (a.class, a.network),
                    (AddressClass::Private, AddressNetwork::OtherPrivate),
                    "{}",
                    a.ip
                );
                assert_eq!(vpc.hits(a.ip), 1, "{} was really probed", a.ip);
            }
        }
        let json = serde_json::to_value(&report).unwrap();
        let logs = json["endpoints"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["service"] == "logs")
            .unwrap();
        assert_eq!(logs["addresses"][0]["network"], "other_private", "{logs}");
        assert_eq!(logs["dns"]["addresses"][0]["network"], "other_private");
        assert!(support::schema_errors(&report).is_empty());
        let text = text(&report);
        assert!(text.contains("other private network"), "{text}");
        assert!(text.contains("Transit Gateway"), "{text}");
        for never in ["NAT", "internet gateway"] {
            assert!(!text.contains(never), "{never}: {text}");
        }
        assert!(vpce_probe::remedy::remedies(&assessment).is_empty());
    });
}

#[test]
#[ignore = "needs root (unshare CLONE_NEWNET) and iproute2's ip; .ci/run runs it"]
fn a_hub_eni_that_drops_connections_points_at_routes_and_security_groups() {
    netns::enter();
    netns::runtime().block_on(async {
        let vpc = VpcBuilder::new()
            .name(
                &host("secretsmanager"),
                &[
                    (Side::Hub, Behavior::Blackhole),
                    (Side::Hub, Behavior::Blackhole),
                ],
            )
            .start()
            .await;
        let assessment = vpc
            .assess(&["--services", "secretsmanager", "--expect", "private"])
            .await;
        let report = vpce_probe::report::build(&assessment);
        let e = &report.endpoints[0];
        assert_eq!(
            (e.status, e.finding),
            (Status::Fail, Some(Finding::PrivateConnectTimeout))
        );
        let d = e.diagnosis.as_deref().unwrap();
        for says in ["security group", "Transit Gateway", "route back"] {
            assert!(d.contains(says), "{says}: {d}");
        }
        for never in ["NAT", "internet gateway", "private DNS turned off"] {
            assert!(!d.contains(never), "{never}: {d}");
        }
        // The fix is rules, never a new endpoint in this VPC.
        let remedies = vpce_probe::remedy::remedies(&assessment);
        assert!(!remedies.is_empty());
        for r in &remedies {
            assert!(
                matches!(
                    r.action,
                    Action::TaskEgressToAddress { .. } | Action::EndpointIngressFromTask { .. }
                ),
                "{r:?}"
            );
        }
    });
}
