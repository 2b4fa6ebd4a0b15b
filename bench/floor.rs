//! The floor: what the handshakes alone cost on this machine. The same
//! eighteen TLS handshakes vpce-probe performs for the default set (rustls,
//! ring, full handshakes, the test CA as the only root), all concurrent, with no DNS, no classification and
//! no report. Prints the median wall time of a round and the CPU per round.
//!
//! Usage: `bench-floor LAYOUT.json ROUNDS`
#![allow(
    clippy::cast_precision_loss,
    clippy::cast_possible_truncation,
    reason = "measurement arithmetic on small counts"
)]

#[path = "measure.rs"]
mod measure;

use measure::cpu_seconds;

use std::sync::Arc;
use std::time::Instant;

use rustls::pki_types::{CertificateDer, ServerName, pem::PemObject};

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    let layout: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&args[1]).unwrap()).unwrap();
    let rounds: usize = args[2].parse().unwrap();
    let port = layout["port"].as_u64().unwrap() as u16;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(layout["ca_file"].as_str().unwrap()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_root_certificates(roots)
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    let connector = tokio_rustls::TlsConnector::from(Arc::new(config));
    let mut jobs = Vec::new();
    for e in layout["endpoints"].as_array().unwrap() {
        for ip in e["ips"].as_array().unwrap() {
            let ip: std::net::IpAddr = ip.as_str().unwrap().parse().unwrap();
            jobs.push((
                ip,
                ServerName::try_from(e["name"].as_str().unwrap().to_owned()).unwrap(),
            ));
        }
    }
    let mut walls = Vec::new();
    let cpu_start = cpu_seconds();
    for _ in 0..rounds {
        let start = Instant::now();
        let handshakes = jobs.iter().map(|(ip, name)| {
            let connector = connector.clone();
            let name = name.clone();
            let ip = *ip;
            tokio::spawn(async move {
                let tcp = tokio::net::TcpStream::connect((ip, port)).await.unwrap();
                connector.connect(name, tcp).await.unwrap();
            })
        });
        for h in futures::future::join_all(handshakes).await {
            h.unwrap();
        }
        walls.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let cpu = (cpu_seconds() - cpu_start) / rounds as f64 * 1000.0;
    walls.sort_by(f64::total_cmp);
    println!(
        "{{\"handshakes\": {}, \"rounds\": {rounds}, \"median_ms\": {:.2}, \"cpu_ms_per_round\": {:.2}}}",
        jobs.len(),
        walls[walls.len() / 2],
        cpu
    );
}
