//! The floor: what the handshakes alone cost on this machine. The same
//! eighteen TLS handshakes vpce-probe performs for the default set (rustls,
//! ring, full handshakes, the test CA as the only root), all concurrent, with no DNS, no classification and
//! no report. Prints the median wall time of a round and the CPU per round.
//!
//! With `memo`, the handshakes verify chains through vpce-probe's own
//! round memo (`probe::tls::ChainMemo`, a fresh one each round), as `check`
//! does: a chain seen again for the same name in the round is not verified
//! again. That is the floor to hold `check` against once it memoises.
//!
//! Usage: `bench-floor LAYOUT.json ROUNDS [memo]`
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
    let memo = args.get(3).is_some_and(|a| a == "memo");
    let port = layout["port"].as_u64().unwrap() as u16;
    let mut roots = rustls::RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(layout["ca_file"].as_str().unwrap()).unwrap() {
        roots.add(cert.unwrap()).unwrap();
    }
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let verifier = rustls::client::WebPkiServerVerifier::builder_with_provider(
        Arc::new(roots),
        Arc::clone(&provider),
    )
    .build()
    .unwrap();
    let mut config = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(verifier.clone())
        .with_no_client_auth();
    config.resumption = rustls::client::Resumption::disabled();
    // A connector for the round: with `memo`, one that verifies through a fresh memo.
    let connector_for_round = || {
        let mut config = config.clone();
        if memo {
            let memo = vpce_probe::probe::tls::ChainMemo::new(verifier.clone());
            config.dangerous().set_certificate_verifier(Arc::new(memo));
        }
        tokio_rustls::TlsConnector::from(Arc::new(config))
    };
    // One task per address; with `memo`, one task per name whose addresses'
    // handshakes run concurrently within it, as `check` runs them (so the
    // second ENI's chain is looked up after the first's was verified).
    let mut tasks: Vec<(ServerName<'static>, Vec<std::net::IpAddr>)> = Vec::new();
    for e in layout["endpoints"].as_array().unwrap() {
        let name = ServerName::try_from(e["name"].as_str().unwrap().to_owned()).unwrap();
        let ips: Vec<std::net::IpAddr> = e["ips"]
            .as_array()
            .unwrap()
            .iter()
            .map(|ip| ip.as_str().unwrap().parse().unwrap())
            .collect();
        if memo {
            tasks.push((name, ips));
        } else {
            tasks.extend(ips.into_iter().map(|ip| (name.clone(), vec![ip])));
        }
    }
    let handshakes: usize = tasks.iter().map(|(_, ips)| ips.len()).sum();
    let mut walls = Vec::new();
    let cpu_start = cpu_seconds();
    for _ in 0..rounds {
        let start = Instant::now();
        let connector = connector_for_round();
        let spawned = tasks.iter().map(|(name, ips)| {
            let connector = connector.clone();
            let name = name.clone();
            let ips = ips.clone();
            tokio::spawn(async move {
                futures::future::join_all(ips.into_iter().map(|ip| {
                    let connector = connector.clone();
                    let name = name.clone();
                    async move {
                        let tcp = tokio::net::TcpStream::connect((ip, port)).await.unwrap();
                        connector.connect(name, tcp).await.unwrap();
                    }
                }))
                .await;
            })
        });
        for h in futures::future::join_all(spawned).await {
            h.unwrap();
        }
        walls.push(start.elapsed().as_secs_f64() * 1000.0);
    }
    let cpu = (cpu_seconds() - cpu_start) / rounds as f64 * 1000.0;
    walls.sort_by(f64::total_cmp);
    println!(
        "{{\"handshakes\": {handshakes}, \"memo\": {memo}, \"rounds\": {rounds}, \"median_ms\": {:.2}, \"cpu_ms_per_round\": {:.2}}}",
        walls[walls.len() / 2],
        cpu
    );
}
