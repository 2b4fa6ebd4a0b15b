//! `CloudWatch` Embedded Metric Format: one JSON document per endpoint per
//! line, for the awslogs driver to carry to `CloudWatch` Logs, which extracts
//! the metrics.
//!
//! Dimensions keep cardinality low: `[Service]` and, inside ECS,
//! `[Service, Cluster]` (never addresses or task IDs). Everything else
//! rides along as plain properties for Logs Insights. Every line stays
//! under 16 KB, since Docker splits longer log lines and awslogs would
//! then ship broken JSON.

use std::io::{self, Write};

use serde_json::{Map, Value, json};

use crate::diagnose::Status;
use crate::metrics;
use crate::printable::Untrusted;
use crate::report::{EndpointReport, Report};

/// Docker splits log lines at 16 KiB; stay well below.
pub const MAX_LINE: usize = 16 * 1024 - 512;

/// At most this many addresses are listed per document.
const MAX_ADDRESSES: usize = 16;

/// Writes one EMF document per endpoint.
pub fn render(report: &Report, namespace: &str, out: &mut impl Write) -> io::Result<()> {
    let cluster = report.context.cluster_name();
    let numbers = metrics::Round::of(report);
    for (endpoint, numbers) in report.endpoints.iter().zip(&numbers.endpoints) {
        let doc = document(report, endpoint, numbers, namespace, cluster.as_ref());
        let mut line = json_line(&doc)?;
        if line.len() > MAX_LINE {
            line = json_line(&shrink(doc))?;
        }
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// One document as one line, with DEL, C1 and bidirectional characters
/// (from task metadata) escaped as the JSON report escapes them.
fn json_line(doc: &Value) -> io::Result<String> {
    let line = serde_json::to_string(doc).map_err(io::Error::from)?;
    Ok(crate::printable::escape_in_document(&line).into_owned())
}

fn document(
    report: &Report,
    e: &EndpointReport,
    numbers: &metrics::Endpoint,
    namespace: &str,
    cluster: Option<&Untrusted>,
) -> Value {
    let mut root = Map::new();
    let metrics = add_metrics(&mut root, numbers);
    let mut dimensions = vec![json!(["Service"])];
    root.insert("Service".into(), json!(e.service));
    if let Some(cluster) = cluster {
        root.insert("Cluster".into(), json!(cluster));
        dimensions.push(json!(["Service", "Cluster"]));
    }
    root.insert(
        "_aws".into(),
        json!({
            "Timestamp": report.started_unix_ms,
            "CloudWatchMetrics": [{
                "Namespace": namespace,
                "Dimensions": dimensions,
                "Metrics": metrics,
            }],
        }),
    );
    add_properties(&mut root, report, e);
    Value::Object(root)
}

/// The metrics of one endpoint: `CloudWatch` name, unit and this round's
/// value, `None` when there is nothing to measure (no handshake, no
/// certificate, a path that cannot be told private or not).
#[expect(
    clippy::cast_precision_loss,
    reason = "day counts and address counts fit f64 exactly"
)]
fn metrics_of(m: &metrics::Endpoint) -> [(&'static str, &'static str, Option<f64>); 7] {
    let count = |b: bool| Some(f64::from(u8::from(b)));
    [
        ("Reachable", "Count", count(m.reachable)),
        ("PrivatePath", "Count", m.private_path.value()),
        ("AddressesFailing", "Count", Some(m.failing as f64)),
        ("DnsLatency", "Milliseconds", m.dns_ms),
        ("ConnectLatency", "Milliseconds", m.connect_ms),
        ("TlsLatency", "Milliseconds", m.handshake_ms),
        (
            "CertDaysLeft",
            "None",
            m.certificates.as_ref().map(|c| c.days_left as f64),
        ),
    ]
}

/// Puts the metric values at the root; returns their definitions. A metric
/// with no value this round is left out.
fn add_metrics(root: &mut Map<String, Value>, m: &metrics::Endpoint) -> Vec<Value> {
    metrics_of(m)
        .into_iter()
        .filter_map(|(name, unit, value)| {
            root.insert(name.to_owned(), json!(value?));
            Some(json!({ "Name": name, "Unit": unit }))
        })
        .collect()
}

/// The endpoint's details as plain properties, for Logs Insights.
fn add_properties(root: &mut Map<String, Value>, report: &Report, e: &EndpointReport) {
    root.insert("Host".into(), json!(e.host));
    root.insert("Port".into(), json!(e.port));
    root.insert("Region".into(), json!(e.region));
    root.insert("Status".into(), json!(e.status));
    root.insert("Path".into(), json!(e.path));
    root.insert("Finding".into(), json!(e.finding));
    if let Some(cause) = e.causes.first() {
        root.insert("Cause".into(), json!(cause.code()));
    }
    root.insert("Diagnosis".into(), json!(e.diagnosis));
    root.insert("Verdict".into(), json!(report.verdict));
    if let Some(task) = &report.context.task_arn {
        root.insert("TaskArn".into(), json!(task));
    }
    let listed: Vec<Value> = e
        .addresses
        .iter()
        .take(MAX_ADDRESSES)
        .map(|a| {
            let error = a
                .tls
                .as_ref()
                .and_then(|t| t.error.as_ref())
                .or(a.tcp.error.as_ref());
            json!({ "ip": a.ip, "class": a.class, "ok": a.ok, "error": error.map(|x| x.kind) })
        })
        .collect();
    root.insert("Addresses".into(), Value::Array(listed));
    if e.addresses.len() > MAX_ADDRESSES {
        root.insert(
            "AddressesNotListed".into(),
            json!(e.addresses.len() - MAX_ADDRESSES),
        );
    }
    if e.status != Status::Ok {
        root.insert("Nameservers".into(), json!(e.dns.nameservers));
    }
}

/// The last resort for an oversized document: drop the long properties.
fn shrink(mut doc: Value) -> Value {
    if let Some(root) = doc.as_object_mut() {
        root.remove("Addresses");
        root.remove("Nameservers");
        if let Some(Value::String(d)) = root.get_mut("Diagnosis") {
            let cut = d.char_indices().nth(1024).map_or(d.len(), |(i, _)| i);
            d.truncate(cut);
        }
    }
    doc
}
