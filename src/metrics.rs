//! The numbers a sidecar publishes about each endpoint (the EMF metrics):
//! reachability, whether the path stays private, failing addresses, and
//! the latencies and certificate horizon. Computed here from the report;
//! `render::emf` only lays them out.

use crate::classify::Path;
use crate::report::EndpointReport;

/// A metric's `CloudWatch` name, unit and this round's value; `None` when
/// there is nothing to measure (no handshake, no certificate).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Metric {
    pub name: &'static str,
    pub unit: &'static str,
    pub value: Option<f64>,
}

/// Whether the path keeps the traffic where it should be: an interface
/// endpoint, a private target, or S3 reached on its gateway path.
fn private_path(path: Path) -> bool {
    match path {
        Path::InterfaceEndpoint | Path::Private | Path::GatewayOrNat => true,
        Path::Public | Path::None => false,
    }
}

fn max(values: impl Iterator<Item = f64>) -> Option<f64> {
    values.fold(None, |m, v| Some(m.map_or(v, |m: f64| m.max(v))))
}

/// The seven metrics of one endpoint, in the order they are published.
pub fn of(e: &EndpointReport) -> [Metric; 7] {
    let reachable = e.addresses.iter().any(|a| a.ok);
    let failing = e.addresses.iter().filter(|a| !a.ok).count();
    let connect = max(e
        .addresses
        .iter()
        .filter(|a| a.tcp.ok)
        .map(|a| a.tcp.connect_ms));
    let tls = max(e
        .addresses
        .iter()
        .filter_map(|a| a.tls.as_ref().filter(|t| t.ok))
        .map(|t| t.handshake_ms));
    let days_left = e
        .addresses
        .iter()
        .filter_map(|a| a.tls.as_ref()?.certificate.as_ref())
        .map(|c| c.days_left)
        .min();
    let count = |b: bool| Some(f64::from(u8::from(b)));
    #[expect(
        clippy::cast_precision_loss,
        reason = "day counts and address counts fit f64 exactly"
    )]
    [
        Metric {
            name: "Reachable",
            unit: "Count",
            value: count(reachable),
        },
        Metric {
            name: "PrivatePath",
            unit: "Count",
            value: count(reachable && private_path(e.path)),
        },
        Metric {
            name: "AddressesFailing",
            unit: "Count",
            value: Some(failing as f64),
        },
        Metric {
            name: "DnsLatency",
            unit: "Milliseconds",
            value: e.dns.ok.then_some(e.dns.lookup_ms),
        },
        Metric {
            name: "ConnectLatency",
            unit: "Milliseconds",
            value: connect,
        },
        Metric {
            name: "TlsLatency",
            unit: "Milliseconds",
            value: tls,
        },
        Metric {
            name: "CertDaysLeft",
            unit: "None",
            value: days_left.map(|d| d as f64),
        },
    ]
}
