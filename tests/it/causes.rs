//! One cause, said once: endpoints that fail for the same reason are
//! grouped under one cause in the JSON (`causes`) and the text, and `fix`
//! proposes the change once.

use crate::support;

use support::{Behavior, Side, VpcBuilder};
use vpce_probe::diagnose::{Cause, Finding};

const SERVICES: &str = "logs,ssm,secretsmanager,ssmmessages,kms,ecr";

/// A resolver that answers NXDOMAIN for every AWS name (a custom DNS
/// server that does not forward them): one cause covering every endpoint.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_resolver_that_fails_every_aws_name_is_one_cause() {
    let vpc = VpcBuilder::new().start().await;
    let assessment = vpc.assess(&["--services", SERVICES]).await;
    let report = vpce_probe::report::build(&assessment);
    assert!(report.endpoints.len() >= 6, "{}", report.endpoints.len());
    for e in &report.endpoints {
        assert_eq!(e.finding, Some(Finding::DnsNxdomain), "{}", e.host);
        assert!(
            matches!(e.causes.first(), Some(Cause::ResolverDoesNotForward { .. })),
            "{}: {:?}",
            e.host,
            e.causes
        );
    }
    assert_eq!(report.causes.len(), 1, "{:#?}", report.causes);
    let cause = &report.causes[0];
    assert_eq!(cause.cause, "resolver_does_not_forward");
    assert_eq!(cause.endpoints.len(), report.endpoints.len());
    let json = serde_json::to_value(&report).unwrap();
    assert_eq!(support::schema_errors(&json), Vec::<String>::new());
    assert_eq!(
        json["causes"][0]["endpoints"].as_array().unwrap().len(),
        report.endpoints.len()
    );

    // `fix` proposes the resolver change once.
    let remedies = vpce_probe::remedy::remedies(&assessment);
    assert_eq!(remedies.len(), 1, "{remedies:#?}");

    // The text says the cause once, before the endpoints, which name it.
    let (code, stdout, _) = vpc
        .run_binary(&["--services", SERVICES, "--color", "never"])
        .await;
    assert_eq!(code, 1, "{stdout}");
    // Paragraphs are wrapped where the addresses' lengths put the breaks:
    // their words are read with the wrapping undone.
    let flat = stdout.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(
        flat.matches("answered NXDOMAIN for every one of").count(),
        1,
        "{stdout}"
    );
    assert!(!flat.contains("does not exist (NXDOMAIN"), "{stdout}");
    assert_eq!(
        stdout.matches("CAUSE  resolver_does_not_forward").count(),
        1,
        "{stdout}"
    );
    let said = stdout.find("CAUSE").unwrap();
    let first_endpoint = stdout.find("FAIL ").unwrap();
    assert!(said < first_endpoint, "{stdout}");
    assert_eq!(
        stdout.matches("cause    resolver_does_not_forward").count(),
        report.endpoints.len(),
        "{stdout}"
    );
}

/// Endpoint ENIs that all time out (the endpoints' security group, or the
/// task's egress): one cause listing every address; an endpoint failing
/// another way keeps its own paragraph.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_endpoint_eni_timing_out_is_one_cause() {
    let vpc = VpcBuilder::new()
        .name(
            &support::host("logs"),
            &[(Side::Private, Behavior::Blackhole)],
        )
        .name(
            &support::host("ssm"),
            &[(Side::Private, Behavior::Blackhole)],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "logs,ssm,kms"]).await;
    let shared: Vec<_> = report.causes.iter().filter(|c| c.is_shared()).collect();
    assert_eq!(shared.len(), 1, "{:#?}", report.causes);
    assert_eq!(shared[0].cause, "task_egress");
    assert_eq!(shared[0].endpoints, ["logs", "ssm"]);
    for e in report.endpoints.iter().filter(|e| e.service != "kms") {
        for a in &e.addresses {
            assert!(
                shared[0].diagnosis.contains(&a.ip.to_string()),
                "{}",
                shared[0].diagnosis
            );
        }
    }
    // kms: NXDOMAIN, a cause of its own, said in its own block.
    let own = report
        .causes
        .iter()
        .find(|c| c.endpoints == ["kms"])
        .unwrap();
    assert_eq!(own.finding, Finding::DnsNxdomain);
    assert!(!own.is_shared());
}

/// The same failure met by `check` and read by `explain` from a stopped
/// reason: the same finding, the same causes (values), and the same
/// paragraph (but for how long the probe waited, which a stopped reason
/// does not say).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn check_and_explain_say_the_same_of_the_same_failure() {
    let vpc = VpcBuilder::new()
        .name(
            &support::host("logs"),
            &[(Side::Public, Behavior::Blackhole)],
        )
        .name(
            &support::host("ssm"),
            &[(Side::Private, Behavior::Blackhole)],
        )
        .start()
        .await;
    let report = vpc.probe(&["--services", "logs,ssm,kms"]).await;
    let network = vpce_probe::classify::Network::new(vec![vpc.cidr().parse().unwrap()], None);
    let mut checked = Vec::new();
    for e in &report.endpoints {
        let text = match (e.finding, e.addresses.first()) {
            (Some(Finding::DnsNxdomain), _) => format!(
                "ResourceInitializationError: failed to validate logger args: RequestError: \
                 send request failed caused by: Post \"https://{host}/\": dial tcp: lookup \
                 {host} on {dns}: no such host",
                host = e.host,
                dns = e.dns.nameservers[0]
            ),
            (Some(_), Some(a)) => format!(
                "ResourceInitializationError: unable to pull secrets or registry auth: \
                 RequestError: send request failed caused by: Post \"https://{host}/\": dial \
                 tcp {ip}:{port}: i/o timeout",
                host = e.host,
                ip = a.ip,
                port = e.port
            ),
            _ => panic!("{}: {:?}", e.host, e.finding),
        };
        let x = vpce_probe::stopped::explain_in(&text, &network, true);
        assert_eq!(x.finding, e.finding, "{text}\n{}", x.diagnosis);
        assert_eq!(x.causes, e.causes, "{text}");
        let checked_paragraph = e.diagnosis.as_deref().unwrap().replace(" after 300ms", "");
        assert!(
            x.diagnosis.contains(&checked_paragraph),
            "check:   {checked_paragraph}\nexplain: {}",
            x.diagnosis
        );
        checked.push(e.finding.unwrap());
    }
    assert_eq!(
        checked,
        [
            Finding::PublicConnectTimeout,
            Finding::PrivateConnectTimeout,
            Finding::DnsNxdomain
        ]
    );
}
