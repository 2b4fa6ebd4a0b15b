//! The Prometheus exposition of a finished round, for `watch
//! --metrics-listen`: the names a `blackbox_exporter` user already has
//! dashboards and alerts for (`probe_success`, `probe_duration_seconds`,
//! ...), then the probe's own under `vpce_probe_`. Written through the
//! `prometheus-client` crate, which owns the text formats and their
//! escaping; this module only decides names, labels and values.
//!
//! Every series carries `service`, `host` and `port`; the series that need
//! more add `path`, `finding`, `version`, `class`, or for one address
//! `address`, `family`, `class` and `route`. Cardinality stays bounded: at
//! most [`MAX_ADDRESSES`] addresses per endpoint get their own series (as
//! EMF lists at most 16), the rest are counted in
//! `vpce_probe_addresses_unlisted`; every other label takes a value from a
//! closed set (status, path, finding, TLS version, class) or from the plan.

use std::fmt;
use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::{EncodeLabelSet, prometheus_text, text};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::registry::{Registry, Unit};

use crate::classify::{AddressClass, Family as IpFamily};
use crate::diagnose::Status;
use crate::metrics;
use crate::report::{AddressReport, EndpointReport, Report};

/// At most this many addresses per endpoint get per-address series.
pub const MAX_ADDRESSES: usize = 16;

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

/// The endpoint's labels and one more.
type With = (Endpoint, [(&'static str, &'static str); 1]);

/// One address on one route: the direct addresses have a family and a
/// class; the route through an HTTPS proxy has the proxy as its address.
type Address = (Endpoint, Vec<(&'static str, String)>);

type Value = Gauge<f64, AtomicU64>;

/// The families of one exposition, registered in the order they print.
struct Families {
    success: Family<Endpoint, Value>,
    duration: Family<Endpoint, Value>,
    dns: Family<Endpoint, Value>,
    ip_protocol: Family<Endpoint, Value>,
    cert_expiry: Family<Endpoint, Value>,
    tls_version: Family<With, Value>,
    status: Family<With, Value>,
    finding: Family<With, Value>,
    reachable: Family<Endpoint, Value>,
    private_path: Family<Endpoint, Value>,
    addresses: Family<With, Value>,
    failing: Family<Endpoint, Value>,
    unlisted: Family<Endpoint, Value>,
    connect: Family<Address, Value>,
    handshake: Family<Address, Value>,
}

impl Families {
    fn register(registry: &mut Registry) -> Self {
        let families = Self {
            success: Family::default(),
            duration: Family::default(),
            dns: Family::default(),
            ip_protocol: Family::default(),
            cert_expiry: Family::default(),
            tls_version: Family::default(),
            status: Family::default(),
            finding: Family::default(),
            reachable: Family::default(),
            private_path: Family::default(),
            addresses: Family::default(),
            failing: Family::default(),
            unlisted: Family::default(),
            connect: Family::default(),
            handshake: Family::default(),
        };
        let f = &families;
        registry.register(
            "probe_success",
            "1 unless the endpoint failed this round (status ok or warn)",
            f.success.clone(),
        );
        registry.register_with_unit(
            "probe_duration",
            "The endpoint's DNS lookup plus its slowest address's connect and handshake",
            Unit::Seconds,
            f.duration.clone(),
        );
        registry.register(
            "probe_dns_lookup_time_seconds",
            "The DNS lookup (absent when it failed)",
            f.dns.clone(),
        );
        registry.register(
            "probe_ip_protocol",
            "IP version of the address that answered (4 or 6)",
            f.ip_protocol.clone(),
        );
        registry.register(
            "probe_ssl_earliest_cert_expiry",
            "Earliest certificate expiry among the endpoint's addresses, in unixtime",
            f.cert_expiry.clone(),
        );
        registry.register(
            "probe_tls_version_info",
            "TLS versions negotiated by the endpoint's addresses (1 for each)",
            f.tls_version.clone(),
        );
        registry.register(
            "vpce_probe_status",
            "The endpoint's status: 0 ok, 1 warn, 2 fail; path names how it was reached",
            f.status.clone(),
        );
        registry.register(
            "vpce_probe_finding_info",
            "The named finding for an endpoint that is not ok (1 while it holds)",
            f.finding.clone(),
        );
        registry.register(
            "vpce_probe_reachable",
            "1 when at least one address completed a verified handshake",
            f.reachable.clone(),
        );
        registry.register(
            "vpce_probe_private_path",
            "1 when reachable over an interface endpoint, a private target, or S3's gateway path",
            f.private_path.clone(),
        );
        registry.register(
            "vpce_probe_addresses",
            "Addresses resolved for the endpoint, by class (private or public)",
            f.addresses.clone(),
        );
        registry.register(
            "vpce_probe_addresses_failing",
            "Resolved addresses that failed",
            f.failing.clone(),
        );
        registry.register(
            "vpce_probe_addresses_unlisted",
            "Addresses beyond the first 16, which have no per-address series",
            f.unlisted.clone(),
        );
        registry.register_with_unit(
            "vpce_probe_connect",
            "TCP connect time of one address (successful connects only)",
            Unit::Seconds,
            f.connect.clone(),
        );
        registry.register_with_unit(
            "vpce_probe_handshake",
            "Verified TLS handshake time of one address (successful handshakes only)",
            Unit::Seconds,
            f.handshake.clone(),
        );
        families
    }
}

fn set(family: &Family<Endpoint, Value>, labels: &Endpoint, value: f64) {
    family.get_or_create(labels).set(value);
}

fn set_with(
    family: &Family<With, Value>,
    labels: &Endpoint,
    extra: (&'static str, &'static str),
    value: f64,
) {
    family.get_or_create(&(labels.clone(), [extra])).set(value);
}

fn seconds(ms: f64) -> f64 {
    ms / 1000.0
}

fn status_value(status: Status) -> f64 {
    match status {
        Status::Ok => 0.0,
        Status::Warn => 1.0,
        Status::Fail => 2.0,
    }
}

fn ip_protocol(family: IpFamily) -> f64 {
    match family {
        IpFamily::Ipv4 => 4.0,
        IpFamily::Ipv6 => 6.0,
    }
}

fn address_labels(labels: &Endpoint, a: &AddressReport) -> Address {
    let extra = vec![
        ("address", a.ip.to_string()),
        (
            "family",
            serde_variant::to_variant_name(&a.family)
                .unwrap_or("")
                .to_owned(),
        ),
        ("class", a.class.as_str().to_owned()),
        ("route", "direct".to_owned()),
    ];
    (labels.clone(), extra)
}

fn endpoint(f: &Families, e: &EndpointReport) {
    let labels = Endpoint {
        service: e.service,
        host: e.host.clone(),
        port: e.port,
    };
    let [reachable, private_path, failing, dns, ..] = metrics::of(e);
    set(
        &f.success,
        &labels,
        f64::from(u8::from(e.status != Status::Fail)),
    );
    set_with(
        &f.status,
        &labels,
        ("path", e.path.as_str()),
        status_value(e.status),
    );
    if let Some(finding) = e.finding {
        set_with(&f.finding, &labels, ("finding", finding.code()), 1.0);
    }
    for (metric, family) in [
        (reachable, &f.reachable),
        (private_path, &f.private_path),
        (failing, &f.failing),
    ] {
        if let Some(v) = metric.value {
            set(family, &labels, v);
        }
    }
    if let Some(ms) = dns.value {
        set(&f.dns, &labels, seconds(ms));
    }
    let slowest = e
        .addresses
        .iter()
        .map(|a| a.tcp.connect_ms + a.tls.as_ref().map_or(0.0, |t| t.handshake_ms))
        .fold(0.0, f64::max);
    set(&f.duration, &labels, seconds(e.dns.lookup_ms + slowest));
    let answered = e.addresses.iter().find(|a| a.ok).or(e.addresses.first());
    if let Some(a) = answered {
        set(&f.ip_protocol, &labels, ip_protocol(a.family));
    }
    let earliest = e
        .addresses
        .iter()
        .filter_map(|a| a.tls.as_ref()?.certificate.as_ref())
        .map(|c| c.not_after_unix)
        .min();
    if let Some(t) = earliest {
        #[expect(
            clippy::cast_precision_loss,
            reason = "unix seconds fit f64 exactly for millions of years"
        )]
        set(&f.cert_expiry, &labels, t as f64);
    }
    for class in [AddressClass::Private, AddressClass::Public] {
        let n = e.addresses.iter().filter(|a| a.class == class).count();
        set_with(&f.addresses, &labels, ("class", class.as_str()), count(n));
    }
    if e.addresses.len() > MAX_ADDRESSES {
        set(
            &f.unlisted,
            &labels,
            count(e.addresses.len() - MAX_ADDRESSES),
        );
    }
    for a in e.addresses.iter().take(MAX_ADDRESSES) {
        let tls = a.tls.as_ref().filter(|t| t.ok);
        if let Some(version) = tls.and_then(|t| tls_version(t.version.as_deref())) {
            set_with(&f.tls_version, &labels, ("version", version), 1.0);
        }
        if !a.tcp.ok {
            continue;
        }
        let address = address_labels(&labels, a);
        f.connect
            .get_or_create(&address)
            .set(seconds(a.tcp.connect_ms));
        if let Some(t) = tls {
            f.handshake
                .get_or_create(&address)
                .set(seconds(t.handshake_ms));
        }
    }
    if let Some(p) = e.proxy.as_ref().filter(|p| p.used) {
        let route = (
            labels.clone(),
            vec![("address", p.url.clone()), ("route", "proxy".to_owned())],
        );
        if let Some(ms) = p.connect_ms {
            f.connect.get_or_create(&route).set(seconds(ms));
        }
        if let Some(t) = p.tls.as_ref().filter(|t| t.ok) {
            f.handshake
                .get_or_create(&route)
                .set(seconds(t.handshake_ms));
        }
    }
}

/// The closed set of TLS versions a label may carry (rustls names them
/// `TLSv1_3`; the report says `TLSv1.3`); anything else is left out.
fn tls_version(version: Option<&str>) -> Option<&'static str> {
    ["TLSv1.3", "TLSv1.2", "TLSv1.1", "TLSv1.0"]
        .into_iter()
        .find(|v| Some(*v) == version)
}

#[expect(clippy::cast_precision_loss, reason = "address counts fit f64 exactly")]
fn count(n: usize) -> f64 {
    n as f64
}

/// Writes the last finished round (`report`, the `rounds`th) in `format`.
pub fn render(
    report: &Report,
    rounds: u64,
    format: Exposition,
    out: &mut impl fmt::Write,
) -> fmt::Result {
    let mut registry = Registry::default();
    let families = Families::register(&mut registry);
    for e in &report.endpoints {
        endpoint(&families, e);
    }
    let rounds_run: Counter = Counter::default();
    rounds_run.inc_by(rounds);
    registry.register(
        "vpce_probe_rounds",
        "Probe rounds finished since the sidecar started",
        rounds_run,
    );
    let started: Value = Gauge::default();
    #[expect(
        clippy::cast_precision_loss,
        reason = "milliseconds since 1970 fit f64's 53 bits"
    )]
    started.set(report.started_unix_ms as f64 / 1000.0);
    registry.register(
        "vpce_probe_last_round_start_timestamp_seconds",
        "When the last finished round started, in unixtime",
        started,
    );
    let duration: Value = Gauge::default();
    duration.set(seconds(report.duration_ms));
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
    use crate::classify::{AddressNetwork, Path};
    use crate::context::Context;
    use crate::diagnose::Finding;
    use crate::plan::Reason;
    use crate::report::{
        CertReport, DnsReport, SCHEMA_VERSION, Summary, TcpReport, TlsReport, Tool, Verdict,
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
                    chain: crate::probe::ChainInfo::default(),
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
            endpoints,
        }
    }

    fn rendered(report: &Report, format: Exposition) -> String {
        let mut out = String::new();
        render(report, report.endpoints.len() as u64 + 2, format, &mut out).unwrap();
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
# HELP probe_ssl_earliest_cert_expiry Earliest certificate expiry among the endpoint's addresses, in unixtime.
# TYPE probe_ssl_earliest_cert_expiry gauge
probe_ssl_earliest_cert_expiry{{{l}}} 1821175941.0
# HELP probe_tls_version_info TLS versions negotiated by the endpoint's addresses (1 for each).
# TYPE probe_tls_version_info gauge
probe_tls_version_info{{{l},version=\"TLSv1.3\"}} 1.0
# HELP vpce_probe_status The endpoint's status: 0 ok, 1 warn, 2 fail; path names how it was reached.
# TYPE vpce_probe_status gauge
vpce_probe_status{{{l},path=\"interface-endpoint\"}} 0.0
# HELP vpce_probe_reachable 1 when at least one address completed a verified handshake.
# TYPE vpce_probe_reachable gauge
vpce_probe_reachable{{{l}}} 1.0
# HELP vpce_probe_private_path 1 when reachable over an interface endpoint, a private target, or S3's gateway path.
# TYPE vpce_probe_private_path gauge
vpce_probe_private_path{{{l}}} 1.0
# HELP vpce_probe_addresses Addresses resolved for the endpoint, by class (private or public).
# TYPE vpce_probe_addresses gauge
vpce_probe_addresses{{{l},class=\"private\"}} 2.0
vpce_probe_addresses{{{l},class=\"public\"}} 0.0
# HELP vpce_probe_addresses_failing Resolved addresses that failed.
# TYPE vpce_probe_addresses_failing gauge
vpce_probe_addresses_failing{{{l}}} 1.0
# HELP vpce_probe_connect_seconds TCP connect time of one address (successful connects only).
# TYPE vpce_probe_connect_seconds gauge
vpce_probe_connect_seconds{{{l},address=\"10.0.1.5\",family=\"ipv4\",class=\"private\",route=\"direct\"}} 0.0015
vpce_probe_connect_seconds{{{l},address=\"10.0.2.5\",family=\"ipv4\",class=\"private\",route=\"direct\"}} 0.0015
# HELP vpce_probe_handshake_seconds Verified TLS handshake time of one address (successful handshakes only).
# TYPE vpce_probe_handshake_seconds gauge
vpce_probe_handshake_seconds{{{l},address=\"10.0.1.5\",family=\"ipv4\",class=\"private\",route=\"direct\"}} 0.00425
# HELP vpce_probe_rounds_total Probe rounds finished since the sidecar started.
# TYPE vpce_probe_rounds_total counter
vpce_probe_rounds_total 3
# HELP vpce_probe_last_round_start_timestamp_seconds When the last finished round started, in unixtime.
# TYPE vpce_probe_last_round_start_timestamp_seconds gauge
vpce_probe_last_round_start_timestamp_seconds 1795446045.25
# HELP vpce_probe_last_round_duration_seconds How long the last finished round took.
# TYPE vpce_probe_last_round_duration_seconds gauge
vpce_probe_last_round_duration_seconds 0.0125
"
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

    #[test]
    fn addresses_are_capped_per_endpoint() {
        let addresses = (1..=20)
            .map(|i| address(&format!("10.0.0.{i}"), true))
            .collect();
        let got = rendered(
            &report(vec![endpoint("s3", "s3.example", addresses)]),
            Exposition::Prometheus,
        );
        let series = |name: &str| got.lines().filter(|l| l.starts_with(name)).count();
        assert_eq!(series("vpce_probe_connect_seconds{"), MAX_ADDRESSES);
        assert_eq!(series("vpce_probe_handshake_seconds{"), MAX_ADDRESSES);
        assert!(
            got.contains(
                "vpce_probe_addresses_unlisted{service=\"s3\",host=\"s3.example\",port=\"443\"} 4.0"
            ),
            "{got}"
        );
        assert!(got.contains("class=\"private\"} 20.0"), "{got}");
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
