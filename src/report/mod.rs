//! The report: what one run learned, as the stable JSON contract
//! (`schema/report.schema.json`, `schema_version` 1): a projection of the
//! round's [`Assessment`], which classified every address and judged every
//! endpoint once; renderers only read it.

mod causes;
mod dns;
mod saved;

use std::net::{IpAddr, Ipv4Addr};
use std::time::Duration;

use serde::Serialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::assess::{Assessed, Assessment};
use crate::catalog::Region;
use crate::choices::Expect;
use crate::classify::{AddressClass, AddressNetwork, Classification, Family, Path};
use crate::context::Context;
use crate::diagnose::{self, Finding, Status};
use crate::plan::{Caller, Reason};
use crate::printable::Untrusted;
use crate::probe::{AddressProbe, CertInfo, ChainInfo, Failure, FailureKind, Timed};

pub use causes::SharedCause;
pub use dns::{DnsAddress, DnsReport, HostsFileReport};
pub use saved::{Origin, Saved, SavedEndpoint};

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    Pass,
    Fail,
}

#[derive(Debug, Clone, Serialize)]
pub struct Report {
    pub schema_version: u32,
    pub tool: Tool,
    /// When the run started, RFC 3339 UTC.
    pub started_at: String,
    /// The same instant in milliseconds since the epoch (for EMF).
    #[serde(skip)]
    pub started_unix_ms: i64,
    pub duration_ms: f64,
    pub verdict: Verdict,
    pub region: String,
    pub partition: &'static str,
    pub expect: Expect,
    /// What is known about the task (empty outside ECS).
    pub context: Context,
    pub summary: Summary,
    /// The endpoints with a finding grouped by the cause the judge put
    /// first, the cause that explains most endpoints first.
    pub causes: Vec<SharedCause>,
    pub endpoints: Vec<EndpointReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Tool {
    pub name: &'static str,
    pub version: &'static str,
}

#[derive(Debug, Clone, Copy, Default, Serialize, serde::Deserialize)]
pub struct Summary {
    pub ok: usize,
    pub warn: usize,
    pub fail: usize,
}

#[derive(Debug, Clone, Serialize)]
pub struct EndpointReport {
    pub service: &'static str,
    pub host: String,
    pub port: u16,
    /// The service's region (an ECR registry or log group may be in another region than the task).
    pub region: String,
    pub reason: Reason,
    /// Whose calls go here: `both` (ECS and an SDK without endpoint
    /// settings), `platform` (ECS alone: the app's SDK is configured
    /// elsewhere) or `app` (only the app's SDK, by its settings).
    pub route: Caller,
    /// The VPC endpoint service to create for this service (null for targets).
    pub endpoint_service: Option<String>,
    pub status: Status,
    pub path: Path,
    pub finding: Option<Finding>,
    /// The finding's causes, most likely first, as values.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub causes: Vec<diagnose::Cause>,
    pub diagnosis: Option<String>,
    pub dns: DnsReport,
    pub addresses: Vec<AddressReport>,
    /// The route through the app's HTTPS proxy; absent when none is set.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub proxy: Option<ProxyReport>,
}

/// The route through the HTTPS proxy the app's SDK would use.
#[derive(Debug, Clone, Serialize)]
pub struct ProxyReport {
    /// `http://host:port`, never with credentials.
    pub url: String,
    /// Whether the SDK would send this endpoint to the proxy.
    pub used: bool,
    /// The `NO_PROXY` entry that exempts the host, and the SDK families
    /// that would not honour it.
    pub no_proxy_match: Option<crate::sdk::https_proxy::NoProxyMatch>,
    /// A verified handshake completed through the tunnel.
    pub ok: bool,
    /// Connecting to the proxy and its answer to `CONNECT`.
    pub connect_ms: Option<f64>,
    pub status_code: Option<u16>,
    pub tls: Option<TlsReport>,
    pub error: Option<ErrorReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct ErrorReport {
    pub kind: FailureKind,
    pub message: Untrusted,
}

#[derive(Debug, Clone, Serialize)]
pub struct AddressReport {
    pub ip: IpAddr,
    pub family: Family,
    pub class: AddressClass,
    /// Why the address has its class: the task's subnet, the VPC, another
    /// private network, public, or NAT64.
    pub network: AddressNetwork,
    /// DNS64 synthesised the address: the traffic goes out through NAT64.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub nat64: bool,
    /// The IPv4 address a NAT64 address carries.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub nat64_ipv4: Option<Ipv4Addr>,
    pub in_task_subnet: bool,
    pub ok: bool,
    pub tcp: TcpReport,
    /// Absent when TCP did not connect.
    pub tls: Option<TlsReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TcpReport {
    pub ok: bool,
    pub connect_ms: f64,
    pub error: Option<ErrorReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct TlsReport {
    pub ok: bool,
    pub handshake_ms: f64,
    pub version: Option<String>,
    pub cipher: Option<String>,
    /// The certificate the server presented, even when it was rejected.
    pub certificate: Option<CertReport>,
    pub error: Option<ErrorReport>,
}

#[derive(Debug, Clone, Serialize)]
pub struct CertReport {
    pub subject: Untrusted,
    pub issuer: Untrusted,
    pub issuer_org: Option<Untrusted>,
    pub amazon_issuer: bool,
    pub not_before: String,
    pub not_after: String,
    /// The same instant in seconds since the epoch (for the Prometheus exposition).
    #[serde(skip)]
    pub not_after_unix: i64,
    pub days_left: i64,
    pub sans: Vec<Untrusted>,
    pub chain_len: usize,
    /// The whole chain, for the metrics (not part of the JSON contract).
    #[serde(skip)]
    pub chain: ChainInfo,
}

/// Milliseconds with two decimals: enough for loopback, readable for people.
pub fn millis(d: Duration) -> f64 {
    (d.as_secs_f64() * 100_000.0).round() / 100.0
}

fn rfc3339(unix: i64) -> String {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .and_then(|t| t.format(&Rfc3339).ok())
        .unwrap_or_else(|| unix.to_string())
}

fn error_report(f: &Failure) -> ErrorReport {
    ErrorReport {
        kind: f.kind,
        message: f.detail.clone(),
    }
}

fn cert_report(c: &CertInfo) -> CertReport {
    CertReport {
        subject: c.subject.clone(),
        issuer: c.issuer.clone(),
        issuer_org: c.issuer_org.clone(),
        amazon_issuer: diagnose::issued_by_amazon(c),
        not_before: rfc3339(c.not_before),
        not_after: rfc3339(c.not_after),
        not_after_unix: c.not_after,
        days_left: c.days_left,
        sans: c.sans.clone(),
        chain_len: c.chain_len,
        chain: c.chain.clone(),
    }
}

fn tls_report(t: &Timed<crate::probe::TlsSession>, cert: Option<&CertInfo>) -> TlsReport {
    TlsReport {
        ok: t.result.is_ok(),
        handshake_ms: millis(t.elapsed),
        version: t.result.as_ref().ok().map(|s| s.version.clone()),
        cipher: t.result.as_ref().ok().map(|s| s.cipher.clone()),
        certificate: cert.map(cert_report),
        error: t.result.as_ref().err().map(error_report),
    }
}

fn proxy_report(p: &crate::probe::proxy::ProxyProbe) -> ProxyReport {
    ProxyReport {
        url: p.shown.clone(),
        used: p.used,
        no_proxy_match: p.no_proxy_match.clone(),
        ok: p.passed(),
        connect_ms: p.connect.as_ref().map(|c| millis(c.elapsed)),
        status_code: p.status_code,
        tls: p.tls.as_ref().map(|t| tls_report(t, p.cert.as_ref())),
        error: p.failure().map(error_report),
    }
}

fn address_report(c: &Classification, a: &AddressProbe) -> AddressReport {
    AddressReport {
        ip: a.ip,
        family: c.family,
        class: c.class,
        network: c.why.network(),
        nat64: c.nat64().is_some(),
        nat64_ipv4: c.nat64(),
        in_task_subnet: c.in_task_subnet,
        ok: a.passed(),
        tcp: TcpReport {
            ok: a.tcp.result.is_ok(),
            connect_ms: millis(a.tcp.elapsed),
            error: a.tcp.result.as_ref().err().map(error_report),
        },
        tls: a.tls.as_ref().map(|t| tls_report(t, a.cert.as_ref())),
    }
}

/// The report of an assessed round: its projection as the JSON contract.
pub fn build(assessment: &Assessment) -> Report {
    let endpoints: Vec<EndpointReport> = assessment
        .endpoints
        .iter()
        .map(|a| endpoint_report(a, &assessment.task_region))
        .collect();
    let mut summary = Summary::default();
    for e in &endpoints {
        match e.status {
            Status::Ok => summary.ok += 1,
            Status::Warn => summary.warn += 1,
            Status::Fail => summary.fail += 1,
        }
    }
    let started = assessment.started;
    Report {
        schema_version: SCHEMA_VERSION,
        tool: Tool {
            name: env!("CARGO_PKG_NAME"),
            version: env!("CARGO_PKG_VERSION"),
        },
        started_at: started
            .format(&Rfc3339)
            .unwrap_or_else(|_| started.unix_timestamp().to_string()),
        started_unix_ms: i64::try_from(started.unix_timestamp_nanos() / 1_000_000).unwrap_or(0),
        duration_ms: millis(assessment.elapsed),
        verdict: if summary.fail == 0 {
            Verdict::Pass
        } else {
            Verdict::Fail
        },
        region: assessment.task_region.code().to_owned(),
        partition: assessment.task_region.partition().name(),
        expect: assessment.policy.expect,
        context: assessment.context.clone(),
        summary,
        causes: causes::group(&endpoints),
        endpoints,
    }
}

fn endpoint_report(assessed: &Assessed, task_region: &Region) -> EndpointReport {
    let endpoint = &assessed.endpoint;
    let probe = assessed.probe();
    let judgement = &assessed.judgement;
    EndpointReport {
        service: endpoint.kind.label(),
        host: endpoint.host.to_string(),
        port: endpoint.port,
        region: endpoint.region.code().to_owned(),
        reason: endpoint.reason.clone(),
        route: endpoint.route,
        endpoint_service: endpoint.endpoint_service(task_region),
        status: judgement.status,
        path: judgement.path,
        finding: judgement.finding,
        causes: judgement.causes.clone(),
        diagnosis: judgement.diagnosis.clone(),
        dns: dns::report(assessed.classes(), &probe.dns),
        addresses: probe
            .direct_addresses()
            .iter()
            .zip(assessed.attempts())
            .map(|(a, attempt)| address_report(&attempt.class, a))
            .collect(),
        proxy: probe.proxy().map(proxy_report),
    }
}
