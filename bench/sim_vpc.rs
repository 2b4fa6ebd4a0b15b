//! The benchmark's simulated VPC: the test support's servers, kept running.
//! The default service set with three ENIs per name (one per AZ: six names,
//! eighteen handshakes), plus `--targets N` names under `bench.amazonaws.com`
//! served by a pool of four ENIs. Prints the layout as one JSON line, then
//! runs until its stdin closes.
//!
//! Usage: `sim-vpc [--targets N] [--dns-port P]`

#[path = "../tests/it/support/mod.rs"]
mod support;

use std::io::Read;

use support::{Behavior, Side, VpcBuilder, host};

const SERVICES: [&str; 6] = ["ecr.api", "ecr.dkr", "s3", "logs", "ssm", "secretsmanager"];
const POOL: &str = "pool.bench.amazonaws.com";

fn arg(name: &str, default: u16) -> u16 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let targets = arg("--targets", 1000);
    let mut vpc = VpcBuilder::new().dns_port(arg("--dns-port", 0));
    for service in SERVICES {
        let side = if service == "s3" {
            Side::Public
        } else {
            Side::Private
        };
        vpc = vpc.name(
            &host(service),
            &[
                (side, Behavior::tls()),
                (side, Behavior::tls()),
                (side, Behavior::tls()),
            ],
        );
    }
    let pool: Vec<(Side, Behavior)> = (0..4)
        .map(|_| (Side::Private, Behavior::tls_for(&["*.bench.amazonaws.com"])))
        .collect();
    vpc = vpc.name(POOL, &pool);
    let names: Vec<String> = (0..targets)
        .map(|i| format!("t{i:04}.bench.amazonaws.com"))
        .collect();
    for name in &names {
        vpc = vpc.alias(name, POOL);
    }
    let vpc = vpc.start().await;
    let endpoints: Vec<serde_json::Value> = vpc
        .records
        .iter()
        .filter(|(name, _, _)| SERVICES.iter().any(|s| host(s) == *name))
        .map(|(name, _, ips)| serde_json::json!({ "name": name, "ips": ips }))
        .collect();
    let layout = serde_json::json!({
        "region": support::REGION,
        "dns": vpc.dns,
        "port": vpc.port,
        "cidr": vpc.cidr(),
        "ca_file": vpc.ca_file,
        "endpoints": endpoints,
        "targets": names,
    });
    println!("{layout}");
    // Serve until the driver closes our stdin.
    tokio::task::spawn_blocking(|| {
        let mut sink = Vec::new();
        let _ = std::io::stdin().read_to_end(&mut sink);
    })
    .await
    .unwrap();
    drop(vpc);
}
