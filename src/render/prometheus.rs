//! The Prometheus exposition of a finished round, for `watch
//! --metrics-listen`: first the names `blackbox_exporter` 0.23's TCP prober
//! with TLS exports, with its label values (`probe_success`,
//! `probe_tls_version_info{version="TLS 1.3"}`,
//! `probe_ssl_earliest_cert_expiry` over the whole chain,
//! `probe_ssl_last_chain_info`, ...), so its dashboards and alerts carry
//! over; then the probe's own under `vpce_probe_`. Every value is read from
//! [`metrics::Round`], the numbers EMF publishes too; this module only
//! decides names and labels. Written through the `prometheus-client`
//! crate, which owns the text formats and their escaping.
//!
//! Every series carries `service`, `host` and `port`; the series that need
//! more add `path`, `finding`, `version`, the leaf certificate's
//! `fingerprint_sha256`, `issuer`, `subject` and `subjectalternative`, or
//! `family`, `class` and `route`. Cardinality stays bounded, and stable
//! from round to round: no label names an address (S3 rotates them), and
//! every label takes a value from a closed set (status paths, findings, TLS
//! versions, families, classes, routes), from the plan, or from the
//! certificate the endpoint serves.

use std::fmt;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{EncodeLabelSet, prometheus_text, text};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::classify::Family as IpFamily;
use crate::metrics::{self, TlsVersion};

/// The two text formats: Prometheus 0.0.4 (`promtool`, curl) and
/// `OpenMetrics` 1.0 (what Prometheus itself asks for first).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exposition {
    Prometheus,
    OpenMetrics,
}

impl Exposition {
    /// The `Content-Type` of a response in this format.
    pub fn content_type(self) -> &'static str {
        match self {
            Self::Prometheus => prometheus_text::CONTENT_TYPE,
            Self::OpenMetrics => "application/openmetrics-text; version=1.0.0; charset=utf-8",
        }
    }
}

/// The labels every series carries.
#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct Endpoint {
    service: &'static str,
    host: String,
    port: u16,
}

/// The endpoint's labels and more.
type Extra = (Endpoint, Vec<(&'static str, String)>);

type Value = Gauge<f64, AtomicU64>;

/// The families `blackbox_exporter` has too, registered in the order they print.
struct Shared {
    success: Family<Endpoint, Value>,
    duration: Family<Endpoint, Value>,
    dns: Family<Endpoint, Value>,
    ip_protocol: Family<Endpoint, Value>,
    cert_expiry: Family<Endpoint, Value>,
    chain_expiry: Family<Endpoint, Value>,
    chain_info: Family<Extra, Value>,
    tls_version: Family<Extra, Value>,
}

/// The probe's own families, printed after the shared ones.
struct Own {
    status: Family<Extra, Value>,
    finding: Family<Extra, Value>,
    reachable: Family<Endpoint, Value>,
    private_path: Family<Endpoint, Value>,
    addresses: Family<Extra, Value>,
    failing: Family<Endpoint, Value>,
    connect: Family<Extra, Value>,
    handshake: Family<Extra, Value>,
}

/// A new family, registered as `name` (plus `_seconds` with `seconds`).
fn add<L>(registry: &mut Registry, name: &str, help: &str, seconds: bool) -> Family<L, Value>
where
    L: Clone + std::hash::Hash + Eq + EncodeLabelSet + fmt::Debug + Send + Sync + 'static,
{
    let family = Family::<L, Value>::default();
    if seconds {
        registry.register_with_unit(name, help, Unit::Seconds, family.clone());
    } else {
        registry.register(name, help, family.clone());
    }
    family
}

impl Shared {
    fn register(r: &mut Registry) -> Self {
        Self {
            success: add(
                r,
                "probe_success",
                "1 unless the endpoint failed this round (status ok or warn)",
                false,
            ),
            duration: add(
                r,
                "probe_duration",
                "The endpoint's DNS lookup plus its slowest address's connect and handshake",
                true,
            ),
            dns: add(
                r,
                "probe_dns_lookup_time_seconds",
                "The DNS lookup (absent when it failed)",
                false,
            ),
            ip_protocol: add(
                r,
                "probe_ip_protocol",
                "IP version of the address that answered (4 or 6)",
                false,
            ),
            cert_expiry: add(
                r,
                "probe_ssl_earliest_cert_expiry",
                "Earliest expiry of any certificate the endpoint's addresses presented (leaf or intermediate), in unixtime",
                false,
            ),
            chain_expiry: add(
                r,
                "probe_ssl_last_chain_expiry_timestamp_seconds",
                "Earliest expiry on the verified path from leaf to trusted root (the root's own not counted), in unixtime",
                false,
            ),
            chain_info: add(
                r,
                "probe_ssl_last_chain_info",
                "The leaf certificate of a verified handshake (1 for each)",
                false,
            ),
            tls_version: add(
                r,
                "probe_tls_version_info",
                "TLS versions negotiated by the endpoint's addresses (1 for each)",
                false,
            ),
        }
    }
}

impl Own {
    fn register(r: &mut Registry) -> Self {
        Self {
            status: add(
                r,
                "vpce_probe_status",
                "The endpoint's status: 0 ok, 1 warn, 2 fail; path names how it was reached",
                false,
            ),
            finding: add(
                r,
                "vpce_probe_finding_info",
                "The named finding for an endpoint that is not ok (1 while it holds)",
                false,
            ),
            reachable: add(
                r,
                "vpce_probe_reachable",
                "1 when at least one address completed a verified handshake",
                false,
            ),
            private_path: add(
                r,
                "vpce_probe_private_path",
                "1 when reached over an interface endpoint or a private target, 0 over public addresses or not at all; absent for S3's gateway-or-nat, which the probe cannot tell",
                false,
            ),
            addresses: add(
                r,
                "vpce_probe_addresses",
                "Addresses resolved for the endpoint, by family and class",
                false,
            ),
            failing: add(
                r,
                "vpce_probe_addresses_failing",
                "Resolved addresses that failed",
                false,
            ),
            connect: add(
                r,
                "vpce_probe_connect",
                "Slowest successful TCP connect of the route's addresses of one family and class (route proxy: to the proxy)",
                true,
            ),
            handshake: add(
                r,
                "vpce_probe_handshake",
                "Slowest verified TLS handshake of the route's addresses of one family and class",
                true,
            ),
        }
    }
}

fn set(family: &Family<Endpoint, Value>, labels: &Endpoint, value: f64) {
    family.get_or_create(labels).set(value);
}

fn set_with(
    family: &Family<Extra, Value>,
    labels: &Endpoint,
    extra: Vec<(&'static str, String)>,
    value: f64,
) {
    family.get_or_create(&(labels.clone(), extra)).set(value);
}

fn seconds(ms: f64) -> f64 {
    ms / 1000.0
}

#[expect(
    clippy::cast_precision_loss,
    reason = "address counts and unix seconds fit f64 exactly"
)]
fn float<T: TryInto<i64>>(n: T) -> f64 {
    n.try_into().map_or(f64::NAN, |n: i64| n as f64)
}

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

/// `blackbox_exporter`'s names for the versions (Go's `tls.VersionName`).
fn version_label(version: TlsVersion) -> &'static str {
    match version {
        TlsVersion::Tls12 => "TLS 1.2",
        TlsVersion::Tls13 => "TLS 1.3",
    }
}

fn family_label(family: IpFamily) -> String {
    serde_variant::to_variant_name(&family)
        .unwrap_or_default()
        .to_owned()
}

/// The series `blackbox_exporter` has too, with its meaning.
fn shared(f: &Shared, labels: &Endpoint, m: &metrics::Endpoint) {
    set(&f.success, labels, flag(m.success()));
    set(&f.duration, labels, seconds(m.duration_ms));
    if let Some(ms) = m.dns_ms {
        set(&f.dns, labels, seconds(ms));
    }
    if let Some(family) = m.ip_protocol {
        let v = match family {
            IpFamily::Ipv4 => 4.0,
            IpFamily::Ipv6 => 6.0,
        };
        set(&f.ip_protocol, labels, v);
    }
    if let Some(c) = &m.certificates {
        set(&f.cert_expiry, labels, float(c.earliest_expiry));
        if let Some(t) = c.verified_path_expiry {
            set(&f.chain_expiry, labels, float(t));
        }
        for leaf in &c.leaves {
            let extra = vec![
                ("fingerprint_sha256", leaf.fingerprint_sha256.clone()),
                ("issuer", leaf.issuer.clone()),
                ("subject", leaf.subject.clone()),
                ("subjectalternative", leaf.dns_names.clone()),
            ];
            set_with(&f.chain_info, labels, extra, 1.0);
        }
    }
    for v in &m.tls_versions {
        let extra = vec![("version", version_label(*v).to_owned())];
        set_with(&f.tls_version, labels, extra, 1.0);
    }
}

/// The probe's own series.
fn own(f: &Own, labels: &Endpoint, m: &metrics::Endpoint) {
    let status = match m.status {
        crate::diagnose::Status::Ok => 0.0,
        crate::diagnose::Status::Warn => 1.0,
        crate::diagnose::Status::Fail => 2.0,
    };
    set_with(
        &f.status,
        labels,
        vec![("path", m.path.as_str().to_owned())],
        status,
    );
    if let Some(finding) = m.finding {
        let mut extra = vec![("finding", finding.code().to_owned())];
        if let Some(cause) = &m.cause {
            extra.push(("cause", cause.clone()));
        }
        set_with(&f.finding, labels, extra, 1.0);
    }
    set(&f.reachable, labels, flag(m.reachable));
    if let Some(v) = m.private_path.value() {
        set(&f.private_path, labels, v);
    }
    set(&f.failing, labels, float(m.failing));
    for g in &m.groups {
        let group = vec![
            ("family", family_label(g.family)),
            ("class", g.class.as_str().to_owned()),
        ];
        set_with(&f.addresses, labels, group.clone(), float(g.resolved));
        let mut route = group;
        route.push(("route", "direct".to_owned()));
        if let Some(ms) = g.connect_ms {
            set_with(&f.connect, labels, route.clone(), seconds(ms));
        }
        if let Some(ms) = g.handshake_ms {
            set_with(&f.handshake, labels, route, seconds(ms));
        }
    }
    if let Some(p) = &m.proxy {
        let route = vec![("route", "proxy".to_owned())];
        if let Some(ms) = p.connect_ms {
            set_with(&f.connect, labels, route.clone(), seconds(ms));
        }
        if let Some(ms) = p.handshake_ms {
            set_with(&f.handshake, labels, route, seconds(ms));
        }
    }
}

/// Writes the last finished round (`round`, the `rounds`th) in `format`.
pub fn render(
    round: &metrics::Round,
    rounds: u64,
    format: Exposition,
    out: &mut impl fmt::Write,
) -> fmt::Result {
    let mut registry = Registry::default();
    let shared_families = Shared::register(&mut registry);
    let own_families = Own::register(&mut registry);
    for m in &round.endpoints {
        let labels = Endpoint {
            service: m.service,
            host: m.host.clone(),
            port: m.port,
        };
        shared(&shared_families, &labels, m);
        own(&own_families, &labels, m);
    }
    let rounds_run: Counter = Counter::default();
    rounds_run.inc_by(rounds);
    registry.register(
        "vpce_probe_rounds",
        "Probe rounds finished since the sidecar started",
        rounds_run,
    );
    let started: Value = Gauge::default();
    started.set(float(round.started_unix_ms) / 1000.0);
    registry.register(
        "vpce_probe_last_round_start_timestamp_seconds",
        "When the last finished round started, in unixtime",
        started,
    );
    let duration: Value = Gauge::default();
    duration.set(seconds(round.duration_ms));
    registry.register_with_unit(
        "vpce_probe_last_round_duration",
        "How long the last finished round took",
        Unit::Seconds,
        duration,
    );
    match format {
        Exposition::Prometheus => prometheus_text::encode(out, &registry),
        Exposition::OpenMetrics => text::encode(out, &registry),
    }
}

#[cfg(test)]
mod tests {
    use std::net::IpAddr;

    use super::*;
    use crate::choices::Expect;
    use crate::classify::{AddressClass, AddressNetwork, Path};
    use crate::context::Context;
    use crate::diagnose::{Finding, Status};
    use crate::plan::Reason;
    use crate::probe::ChainInfo;
    use crate::report::{
        AddressReport, CertReport, DnsReport, EndpointReport, ProxyReport, Report, SCHEMA_VERSION,
        Summary, TcpReport, TlsReport, Tool, Verdict,
    };

    fn address(ip: &str, ok: bool) -> AddressReport {
        let ip: IpAddr = ip.parse().unwrap();
        AddressReport {
            ip,
            family: IpFamily::of(ip),
            class: AddressClass::Private,
            network: AddressNetwork::Vpc,
            nat64: false,
            nat64_ipv4: None,
            in_task_subnet: false,
            ok,
            tcp: TcpReport {
                ok: true,
                connect_ms: 1.5,
                error: None,
            },
            tls: Some(TlsReport {
                ok,
                handshake_ms: 4.25,
                version: ok.then(|| "TLSv1.3".to_owned()),
                cipher: None,
                certificate: Some(CertReport {
                    subject: "CN=x".into(),
                    issuer: "O=Amazon".into(),
                    issuer_org: Some("Amazon".into()),
                    amazon_issuer: true,
                    not_before: "2026-01-01T00:00:00Z".into(),
                    not_after: "2027-09-17T10:12:21Z".into(),
                    not_after_unix: 1_821_175_941,
                    days_left: 299,
                    sans: vec![],
                    chain_len: 2,
                    chain: ChainInfo {
                        // The intermediate expires first.
                        not_after: vec![1_821_175_941, 1_800_000_000],
                        verified_path_expiry: ok.then_some(1_800_000_000),
                        leaf_sha256: "ab".repeat(32),
                        leaf_subject_go: "CN=x".into(),
                        leaf_issuer_go: "CN=Amazon RSA 2048 M01,O=Amazon,C=US".into(),
                        leaf_dns_names: vec!["x".into(), "*.x".into()],
                    },
                }),
                error: None,
            }),
        }
    }

    fn endpoint(
        service: &'static str,
        host: &str,
        addresses: Vec<AddressReport>,
    ) -> EndpointReport {
        EndpointReport {
            service,
            host: host.to_owned(),
            port: 443,
            region: "ap-northeast-1".into(),
            reason: Reason::Requested,
            route: crate::plan::Caller::Both,
            endpoint_service: None,
            status: Status::Ok,
            path: Path::InterfaceEndpoint,
            finding: None,
            causes: Vec::new(),
            diagnosis: None,
            dns: DnsReport {
                ok: true,
                source: None,
                nameservers: vec![],
                lookup_ms: 0.5,
                addresses: vec![],
                cname_chain: vec![],
                cname_ttls: vec![],
                error: None,
                hosts_file: None,
            },
            addresses,
            proxy: None,
        }
    }

    fn report(endpoints: Vec<EndpointReport>) -> Report {
        Report {
            schema_version: SCHEMA_VERSION,
            tool: Tool {
                name: "vpce-probe",
                version: "0.1.0",
            },
            started_at: "2026-11-23T15:00:45Z".into(),
            started_unix_ms: 1_795_446_045_250,
            duration_ms: 12.5,
            verdict: Verdict::Pass,
            region: "ap-northeast-1".into(),
            partition: "aws",
            expect: Expect::Any,
            context: Context::default(),
            summary: Summary::default(),
            causes: Vec::new(),
            endpoints,
        }
    }

    fn rendered(report: &Report, format: Exposition) -> String {
        let mut out = String::new();
        let round = metrics::Round::of(report);
        render(&round, report.endpoints.len() as u64 + 2, format, &mut out).unwrap();
        out
    }

    const LOGS: &str = "logs.ap-northeast-1.amazonaws.com";

    /// The whole exposition of one healthy endpoint with two ENIs, one of
    /// which failed its handshake.
    #[test]
    fn one_endpoint_in_the_prometheus_text_format() {
        let r = report(vec![endpoint(
            "logs",
            LOGS,
            vec![address("10.0.1.5", true), address("10.0.2.5", false)],
        )]);
        let l = format!("service=\"logs\",host=\"{LOGS}\",port=\"443\"");
        let expected = format!(
            "\
# HELP probe_success 1 unless the endpoint failed this round (status ok or warn).
# TYPE probe_success gauge
probe_success{{{l}}} 1.0
# HELP probe_duration_seconds The endpoint's DNS lookup plus its slowest address's connect and handshake.
# TYPE probe_duration_seconds gauge
probe_duration_seconds{{{l}}} 0.00625
# HELP probe_dns_lookup_time_seconds The DNS lookup (absent when it failed).
# TYPE probe_dns_lookup_time_seconds gauge
probe_dns_lookup_time_seconds{{{l}}} 0.0005
# HELP probe_ip_protocol IP version of the address that answered (4 or 6).
# TYPE probe_ip_protocol gauge
probe_ip_protocol{{{l}}} 4.0
# HELP probe_ssl_earliest_cert_expiry Earliest expiry of any certificate the endpoint's addresses presented (leaf or intermediate), in unixtime.
# TYPE probe_ssl_earliest_cert_expiry gauge
probe_ssl_earliest_cert_expiry{{{l}}} 1800000000.0
# HELP probe_ssl_last_chain_expiry_timestamp_seconds Earliest expiry on the verified path from leaf to trusted root (the root's own not counted), in unixtime.
# TYPE probe_ssl_last_chain_expiry_timestamp_seconds gauge
probe_ssl_last_chain_expiry_timestamp_seconds{{{l}}} 1800000000.0
# HELP probe_ssl_last_chain_info The leaf certificate of a verified handshake (1 for each).
# TYPE probe_ssl_last_chain_info gauge
probe_ssl_last_chain_info{{{l},fingerprint_sha256=\"{fp}\",issuer=\"CN=Amazon RSA 2048 M01,O=Amazon,C=US\",subject=\"CN=x\",subjectalternative=\"x,*.x\"}} 1.0
# HELP probe_tls_version_info TLS versions negotiated by the endpoint's addresses (1 for each).
# TYPE probe_tls_version_info gauge
probe_tls_version_info{{{l},version=\"TLS 1.3\"}} 1.0
# HELP vpce_probe_status The endpoint's status: 0 ok, 1 warn, 2 fail; path names how it was reached.
# TYPE vpce_probe_status gauge
vpce_probe_status{{{l},path=\"interface-endpoint\"}} 0.0
# HELP vpce_probe_reachable 1 when at least one address completed a verified handshake.
# TYPE vpce_probe_reachable gauge
vpce_probe_reachable{{{l}}} 1.0
# HELP vpce_probe_private_path 1 when reached over an interface endpoint or a private target, 0 over public addresses or not at all; absent for S3's gateway-or-nat, which the probe cannot tell.
# TYPE vpce_probe_private_path gauge
vpce_probe_private_path{{{l}}} 1.0
# HELP vpce_probe_addresses Addresses resolved for the endpoint, by family and class.
# TYPE vpce_probe_addresses gauge
vpce_probe_addresses{{{l},family=\"ipv4\",class=\"private\"}} 2.0
vpce_probe_addresses{{{l},family=\"ipv4\",class=\"public\"}} 0.0
vpce_probe_addresses{{{l},family=\"ipv6\",class=\"private\"}} 0.0
vpce_probe_addresses{{{l},family=\"ipv6\",class=\"public\"}} 0.0
# HELP vpce_probe_addresses_failing Resolved addresses that failed.
# TYPE vpce_probe_addresses_failing gauge
vpce_probe_addresses_failing{{{l}}} 1.0
# HELP vpce_probe_connect_seconds Slowest successful TCP connect of the route's addresses of one family and class (route proxy: to the proxy).
# TYPE vpce_probe_connect_seconds gauge
vpce_probe_connect_seconds{{{l},family=\"ipv4\",class=\"private\",route=\"direct\"}} 0.0015
# HELP vpce_probe_handshake_seconds Slowest verified TLS handshake of the route's addresses of one family and class.
# TYPE vpce_probe_handshake_seconds gauge
vpce_probe_handshake_seconds{{{l},family=\"ipv4\",class=\"private\",route=\"direct\"}} 0.00425
# HELP vpce_probe_rounds_total Probe rounds finished since the sidecar started.
# TYPE vpce_probe_rounds_total counter
vpce_probe_rounds_total 3
# HELP vpce_probe_last_round_start_timestamp_seconds When the last finished round started, in unixtime.
# TYPE vpce_probe_last_round_start_timestamp_seconds gauge
vpce_probe_last_round_start_timestamp_seconds 1795446045.25
# HELP vpce_probe_last_round_duration_seconds How long the last finished round took.
# TYPE vpce_probe_last_round_duration_seconds gauge
vpce_probe_last_round_duration_seconds 0.0125
",
            fp = "ab".repeat(32)
        );
        let got = rendered(&r, Exposition::Prometheus);
        assert_eq!(sorted_samples(&got), sorted_samples(&expected), "\n{got}");
    }

    /// The exposition with the samples of each family sorted: a family
    /// keeps its series in a hash map, so their order varies by process.
    fn sorted_samples(text: &str) -> Vec<&str> {
        let mut lines: Vec<&str> = Vec::new();
        let mut run: Vec<&str> = Vec::new();
        for line in text.lines().chain([""]) {
            if line.starts_with('#') || line.is_empty() {
                run.sort_unstable();
                lines.append(&mut run);
                lines.push(line);
            } else {
                run.push(line);
            }
        }
        lines
    }

    /// Every finding of the schema, one endpoint each.
    fn every_finding() -> Vec<Finding> {
        let schema: serde_json::Value =
            serde_json::from_str(include_str!("../../schema/report.schema.json")).unwrap();
        let codes = &schema["$defs"]["endpoint"]["properties"]["finding"]["oneOf"][1]["enum"];
        let codes = codes
            .as_array()
            .unwrap_or_else(|| panic!("finding codes at {codes}"));
        codes
            .iter()
            .map(|c| serde_json::from_value(c.clone()).unwrap())
            .collect()
    }

    #[test]
    fn every_finding_is_an_info_series_and_a_failing_status() {
        let findings = every_finding();
        assert!(findings.len() > 30, "{findings:?}");
        let endpoints = findings
            .iter()
            .map(|f| {
                let mut e = endpoint("ssm", &format!("{}.example", f.code()), vec![]);
                e.status = Status::Fail;
                e.path = Path::None;
                e.finding = Some(*f);
                e
            })
            .collect();
        let got = rendered(&report(endpoints), Exposition::Prometheus);
        for f in &findings {
            let host = format!("host=\"{}.example\"", f.code());
            let info = format!(
                "vpce_probe_finding_info{{service=\"ssm\",{host},port=\"443\",finding=\"{}\"}} 1.0",
                f.code()
            );
            assert!(got.contains(&info), "{info} in\n{got}");
            let success = format!("probe_success{{service=\"ssm\",{host},port=\"443\"}} 0.0");
            assert!(got.contains(&success), "{success}");
            let status = format!(
                "vpce_probe_status{{service=\"ssm\",{host},port=\"443\",path=\"none\"}} 2.0"
            );
            assert!(got.contains(&status), "{status}");
        }
        // No address: no per-address series, no protocol, no certificate.
        for absent in [
            "probe_ip_protocol{",
            "vpce_probe_connect_seconds{",
            "probe_ssl_earliest_cert_expiry{",
        ] {
            assert!(!got.contains(absent), "{absent}");
        }
    }

    #[test]
    fn hostile_label_values_are_escaped() {
        let e = endpoint("logs", "a\"b\\c\nd} x=\"1", vec![]);
        let got = rendered(&report(vec![e]), Exposition::Prometheus);
        let want = r#"probe_success{service="logs",host="a\"b\\c\nd} x=\"1",port="443"} 1.0"#;
        assert!(got.contains(want), "{want} in\n{got}");
        assert!(got.lines().all(|l| !l.starts_with("d}")), "{got}");
    }

    /// The series of an exposition: each sample's name and labels.
    fn series(text: &str) -> Vec<&str> {
        let mut series: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .filter_map(|l| l.rsplit_once(' ').map(|(s, _)| s))
            .collect();
        series.sort_unstable();
        series
    }

    /// S3 answers with other addresses every round: the series stay the
    /// same ones, however many addresses and whichever.
    #[test]
    fn rotating_addresses_make_no_new_series() {
        let round = |first: u8, n: u8| {
            let addresses = (first..first + n)
                .map(|i| {
                    let mut a = address(&format!("52.219.{i}.3"), true);
                    a.class = AddressClass::Public;
                    a
                })
                .collect();
            let mut e = endpoint("s3", "s3.example", addresses);
            e.path = Path::GatewayOrNat;
            rendered(&report(vec![e]), Exposition::Prometheus)
        };
        let (one, other) = (round(1, 8), round(100, 20));
        assert_eq!(series(&one), series(&other), "\n{one}\n{other}");
        assert!(!one.contains("52.219."), "{one}");
        assert!(
            other.contains(
                "vpce_probe_addresses{service=\"s3\",host=\"s3.example\",port=\"443\",family=\"ipv4\",class=\"public\"} 20.0"
            ),
            "{other}"
        );
        // Reached over gateway-or-nat: not 1, not 0, no value.
        assert!(!one.contains("vpce_probe_private_path{"), "{one}");
        assert!(
            one.contains(
                "vpce_probe_reachable{service=\"s3\",host=\"s3.example\",port=\"443\"} 1.0"
            )
        );
    }

    #[test]
    fn the_proxy_route_is_timed_on_its_own() {
        let mut e = endpoint("logs", LOGS, vec![address("10.0.1.5", true)]);
        e.proxy = Some(ProxyReport {
            url: "http://proxy.internal:3128".into(),
            used: true,
            no_proxy_match: None,
            ok: true,
            connect_ms: Some(2.0),
            status_code: Some(200),
            tls: address("10.0.1.5", true).tls,
            error: None,
        });
        let got = rendered(&report(vec![e]), Exposition::Prometheus);
        let l = format!("service=\"logs\",host=\"{LOGS}\",port=\"443\"");
        for want in [
            format!("vpce_probe_connect_seconds{{{l},route=\"proxy\"}} 0.002"),
            format!("vpce_probe_handshake_seconds{{{l},route=\"proxy\"}} 0.00425"),
        ] {
            assert!(got.contains(&want), "{want} in\n{got}");
        }
        assert!(!got.contains("proxy.internal"), "{got}");
    }

    #[test]
    fn a_hostile_certificate_name_is_escaped_in_its_label() {
        let mut a = address("10.0.1.5", true);
        let cert = a.tls.as_mut().unwrap().certificate.as_mut().unwrap();
        cert.chain.leaf_subject_go = "CN=\u{1b}[2J\u{1b}]0;owned\u{7}\"} x".into();
        let got = rendered(
            &report(vec![endpoint("logs", LOGS, vec![a])]),
            Exposition::Prometheus,
        );
        assert!(!got.contains('\u{1b}') && !got.contains('\u{7}'), "{got:?}");
        let want = r#"subject="CN=\\u{1b}[2J\\u{1b}]0;owned\\u{7}\"} x""#;
        assert!(got.contains(want), "{want} in\n{got}");
    }

    #[test]
    fn openmetrics_has_units_the_counter_family_and_eof() {
        let r = report(vec![endpoint(
            "logs",
            LOGS,
            vec![address("10.0.1.5", true)],
        )]);
        let got = rendered(&r, Exposition::OpenMetrics);
        assert!(got.ends_with("# EOF\n"), "{got}");
        assert!(got.contains("# TYPE vpce_probe_rounds counter\n"), "{got}");
        assert!(got.contains("\nvpce_probe_rounds_total 3\n"), "{got}");
        assert!(
            got.contains("# UNIT probe_duration_seconds seconds\n"),
            "{got}"
        );
        assert!(got.contains("# TYPE probe_success gauge\n"), "{got}");
        let prometheus = rendered(&r, Exposition::Prometheus);
        assert!(!prometheus.contains("# EOF") && !prometheus.contains("# UNIT"));
        // Every sample has a HELP and a TYPE, in both formats.
        for text in [&got, &prometheus] {
            for line in text.lines().filter(|l| !l.starts_with('#')) {
                let name = line.split(['{', ' ']).next().unwrap();
                let family = name
                    .strip_suffix("_total")
                    .filter(|_| text == &got)
                    .unwrap_or(name);
                assert!(text.contains(&format!("# HELP {family} ")), "{family}");
                assert!(text.contains(&format!("# TYPE {family} ")), "{family}");
            }
        }
    }

    #[test]
    fn content_types() {
        assert_eq!(
            Exposition::OpenMetrics.content_type(),
            "application/openmetrics-text; version=1.0.0; charset=utf-8"
        );
        assert_eq!(
            Exposition::Prometheus.content_type(),
            "text/plain; version=0.0.4; charset=utf-8"
        );
    }
}
