//! A simulated VPC on loopback, built in-process from real servers:
//! hickory-server answers DNS, rustls serves TLS with rcgen certificates,
//! and distinct `127.A.B.x` addresses stand in for endpoint ENIs (x < 128,
//! "inside the VPC" via `--vpc-cidr 127.A.B.0/25`) and public addresses
//! (x >= 128). Every server binds port 0 or a port the OS handed out; each
//! VPC picks its own random `127.A.B.0/24`, so tests running in parallel
//! never share an address. Dropping the `Vpc` stops every server.

#![allow(dead_code, reason = "bench/sim_vpc.rs uses part of the support code")]

pub mod netns;

use std::collections::{BTreeMap, HashMap};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hickory_server::Server;
use hickory_server::proto::rr::rdata::{A, AAAA, CNAME, SOA};
use hickory_server::proto::rr::{LowerName, Name, RData, Record};
use hickory_server::store::in_memory::InMemoryZoneHandler;
use hickory_server::zone_handler::{AxfrPolicy, Catalog, ZoneType};
use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
};
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use time::OffsetDateTime;
use tokio::net::{TcpListener, TcpSocket, TcpStream, UdpSocket};
use tokio::task::JoinSet;

pub const REGION: &str = "ap-northeast-1";

/// The hostname a service is probed at in [`REGION`].
pub fn host(service: &str) -> String {
    match service {
        "ecr.api" => format!("api.ecr.{REGION}.amazonaws.com"),
        "ecr.dkr" => format!("000000000000.dkr.ecr.{REGION}.amazonaws.com"),
        "s3" => format!("prod-{REGION}-starport-layer-bucket.s3.{REGION}.amazonaws.com"),
        other => format!("{other}.{REGION}.amazonaws.com"),
    }
}

/// Who signed a server's certificate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Issuer {
    /// A test CA named like Amazon's (`O=Amazon`), trusted through `--ca-file`.
    Amazon,
    /// A TLS-inspection CA (`O=Corp Proxy Inc`), also trusted through `--ca-file`.
    Proxy,
    /// A CA the probe does not trust.
    Rogue,
}

/// A certificate's validity window relative to now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Validity {
    Good,
    Expired,
    NotYetValid,
    ExpiresInDays(i64),
}

/// What listens at one address.
#[derive(Debug, Clone)]
pub enum Behavior {
    /// A TLS server; `names` defaults to the DNS name the address serves.
    Tls {
        issuer: Issuer,
        names: Option<Vec<String>>,
        validity: Validity,
    },
    /// Accepts TCP and never says a word.
    Silent,
    /// Nothing listens: connections are refused.
    Closed,
    /// A listener whose accept queue is full: SYNs are dropped, connects time out.
    Blackhole,
    /// Reads the `ClientHello`, sends half a TLS record, then stalls.
    StallMidHandshake,
    /// Answers the `ClientHello` with plain-text HTTP.
    Garbage,
    /// A TLS server whose certificate chain is about 100 KB.
    HugeChain,
    /// A TLS server with a good chain for the name whose leaf's subject
    /// (CN) is this text: what a server puts there is its own.
    Subject(String),
    /// A TLS 1.0-only server: answers a TLS 1.2+ `ClientHello` with a
    /// `protocol_version` alert, as OpenSSL does.
    Tls10Only,
    /// Sends a real `ServerHello`, then resets the connection.
    ResetAfterServerHello,
    /// Presents the name's good chain, byte for byte the one
    /// [`Behavior::tls`] serves, without its private key: it signs the
    /// handshake with a key of its own, as a server that copied a public
    /// certificate would.
    Impostor,
}

impl Behavior {
    pub fn tls() -> Self {
        Self::Tls {
            issuer: Issuer::Amazon,
            names: None,
            validity: Validity::Good,
        }
    }

    pub fn tls_by(issuer: Issuer) -> Self {
        Self::Tls {
            issuer,
            names: None,
            validity: Validity::Good,
        }
    }

    pub fn tls_for(names: &[&str]) -> Self {
        Self::Tls {
            issuer: Issuer::Amazon,
            names: Some(names.iter().map(|s| (*s).to_owned()).collect()),
            validity: Validity::Good,
        }
    }

    pub fn tls_valid(validity: Validity) -> Self {
        Self::Tls {
            issuer: Issuer::Amazon,
            names: None,
            validity,
        }
    }
}

/// Where an address sits: inside the VPC (an endpoint ENI) or outside.
/// The IPv6 sides exist only inside a network namespace of the test's own
/// ([`netns::enter`]), where they are added to its loopback.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    Private,
    Public,
    /// An IPv6 endpoint ENI: in [`netns::ENI_SUBNET6`], inside the VPC's /56.
    Private6,
    /// A public IPv6 address, outside the VPC.
    Public6,
    /// A DNS64-synthesised address: `64:ff9b::` + a public IPv4 address.
    Nat64,
    /// An endpoint ENI in another private network (`10.100.1.N`, a hub VPC
    /// reached over a Transit Gateway): outside the VPC's `--vpc-cidr`.
    Hub,
}

#[derive(Debug, Clone)]
struct AddrSpec {
    side: Side,
    behavior: Behavior,
}

#[derive(Debug, Clone)]
struct NameSpec {
    name: String,
    cname_via: Option<String>,
    addrs: Vec<AddrSpec>,
}

/// Connections accepted at one address: a count, and a wake-up for a test
/// that waits for the first one.
#[derive(Debug, Default)]
pub struct Hits {
    count: AtomicUsize,
    accepted: tokio::sync::Notify,
}

impl Hits {
    fn hit(&self) {
        self.count.fetch_add(1, Ordering::SeqCst);
        self.accepted.notify_one();
    }
}

/// Describes a VPC; [`VpcBuilder::start`] brings it up.
#[derive(Debug, Default)]
pub struct VpcBuilder {
    names: Vec<NameSpec>,
    /// Extra names resolving to the addresses of an earlier name.
    aliases: Vec<(String, String)>,
    /// The DNS server's port (0: any free port).
    dns_port: u16,
    /// The DNS server's address (default `127.A.B.53`).
    dns_ip: Option<IpAddr>,
    /// Addresses outside any DNS name (for `--target` tests).
    extra: Vec<AddrSpec>,
}

impl VpcBuilder {
    pub fn new() -> Self {
        Self::default()
    }

    /// `name` resolves (A records) to one address per entry.
    pub fn name(mut self, name: &str, addrs: &[(Side, Behavior)]) -> Self {
        self.names.push(NameSpec {
            name: name.to_owned(),
            cname_via: None,
            addrs: addrs
                .iter()
                .map(|(side, behavior)| AddrSpec {
                    side: *side,
                    behavior: behavior.clone(),
                })
                .collect(),
        });
        self
    }

    /// Like [`Self::name`], but `name` is a CNAME to `target`, which holds the addresses.
    pub fn cname(mut self, name: &str, target: &str, addrs: &[(Side, Behavior)]) -> Self {
        self = self.name(name, addrs);
        self.names.last_mut().unwrap().cname_via = Some(target.to_owned());
        self
    }

    /// A healthy interface endpoint: `n` private ENIs with good certificates.
    pub fn endpoint(self, service: &str, n: usize) -> Self {
        let addrs: Vec<(Side, Behavior)> =
            (0..n).map(|_| (Side::Private, Behavior::tls())).collect();
        self.name(&host(service), &addrs)
    }

    /// `name` resolves to the same addresses as the earlier name `of`.
    pub fn alias(mut self, name: &str, of: &str) -> Self {
        self.aliases.push((name.to_owned(), of.to_owned()));
        self
    }

    /// Serve DNS at this address (an IPv6 one inside a test's own namespace).
    pub fn dns_ip(mut self, ip: IpAddr) -> Self {
        self.dns_ip = Some(ip);
        self
    }

    /// Serve DNS on this port (53 lets a resolv.conf point at it).
    pub fn dns_port(mut self, port: u16) -> Self {
        self.dns_port = port;
        self
    }

    /// An address not in DNS, returned by [`Vpc::extra`] in order.
    pub fn extra(mut self, side: Side, behavior: Behavior) -> Self {
        self.extra.push(AddrSpec { side, behavior });
        self
    }

    pub async fn start(self) -> Vpc {
        let pki = Pki::new();
        for _ in 0..32 {
            if let Some(vpc) = self.try_start(&pki).await {
                return vpc;
            }
        }
        panic!("could not find a free loopback block for the simulated VPC");
    }

    /// One attempt on a random 127.A.B.0/24; `None` when an address:port is taken.
    async fn try_start(&self, pki: &Pki) -> Option<Vpc> {
        let block = random_block();
        let mut next = [1u8, 128, 1, 1, 1, 10];
        let mut alloc = |side: Side| {
            let n = &mut next[side as usize];
            let ip = match side {
                Side::Private | Side::Public => {
                    IpAddr::V4(Ipv4Addr::new(127, block.0, block.1, *n))
                }
                Side::Private6 => netns::eni6(*n),
                Side::Public6 => netns::public6(*n),
                Side::Nat64 => netns::nat64(*n),
                Side::Hub => netns::hub(*n),
            };
            *n += 1;
            ip
        };

        // Lay out addresses first, then bind them all on one port.
        let mut layout: Vec<(IpAddr, Behavior, String)> = Vec::new();
        let mut records: Vec<(String, Option<String>, Vec<IpAddr>)> = Vec::new();
        for spec in &self.names {
            let ips: Vec<IpAddr> = spec.addrs.iter().map(|a| alloc(a.side)).collect();
            for (ip, a) in ips.iter().zip(&spec.addrs) {
                layout.push((*ip, a.behavior.clone(), spec.name.clone()));
            }
            records.push((spec.name.clone(), spec.cname_via.clone(), ips));
        }
        for (name, of) in &self.aliases {
            let ips = records
                .iter()
                .find(|r| &r.0 == of)
                .map(|r| r.2.clone())
                .expect("alias of a known name");
            records.push((name.clone(), None, ips));
        }
        let mut extra_ips = Vec::new();
        for a in &self.extra {
            let ip = alloc(a.side);
            extra_ips.push(ip);
            layout.push((ip, a.behavior.clone(), ip.to_string()));
        }

        let mut tasks = JoinSet::new();
        let mut port = 0u16;
        let mut hits = HashMap::new();
        let mut servers = HashMap::new();
        let mut held: Vec<TcpStream> = Vec::new();
        for (ip, behavior, name) in &layout {
            if ip.is_ipv6() || !ip.is_loopback() {
                netns::add_address(*ip);
            }
            if matches!(behavior, Behavior::Closed) {
                continue;
            }
            // One task set per address, so [`Vpc::stop`] can end it alone.
            let mut own = JoinSet::new();
            let (bound, counter) =
                serve(*ip, port, behavior, name, pki, &mut own, &mut held).await?;
            port = bound;
            hits.insert(*ip, counter);
            let server = tasks.spawn(async move { while own.join_next().await.is_some() {} });
            servers.insert(*ip, server);
        }
        if port == 0 {
            // Every address is closed: any free port will do; take one from the OS.
            port = bind(
                SocketAddr::new(IpAddr::V4(Ipv4Addr::new(127, block.0, block.1, 254)), 0),
                1,
            )
            .ok()?
            .local_addr()
            .ok()?
            .port();
        }

        let dns_ip = self
            .dns_ip
            .unwrap_or(IpAddr::V4(Ipv4Addr::new(127, block.0, block.1, 53)));
        if dns_ip.is_ipv6() {
            netns::add_address(dns_ip);
        }
        let dns_at = SocketAddr::new(dns_ip, self.dns_port);
        let dns = start_dns(&records, dns_at, &mut tasks).await.ok()?;
        let dir = tempfile::tempdir().unwrap();
        let ca_file = dir.path().join("ca.pem");
        std::fs::write(&ca_file, pki.trusted_pem()).unwrap();
        Some(Vpc {
            block,
            port,
            dns,
            ca_file: ca_file.to_str().unwrap().to_owned(),
            records,
            hits,
            servers,
            extra: extra_ips,
            _dir: dir,
            _held: held,
            _tasks: tasks,
        })
    }
}

/// A running simulated VPC.
pub struct Vpc {
    block: (u8, u8),
    /// The one port every endpoint listens on (`--port`).
    pub port: u16,
    /// The DNS server (`--dns-server`).
    pub dns: SocketAddr,
    /// PEM with the test Amazon and proxy CAs (`--ca-file`).
    pub ca_file: String,
    /// Every DNS name, its CNAME target if any, and its addresses.
    pub records: Vec<(String, Option<String>, Vec<IpAddr>)>,
    hits: HashMap<IpAddr, Arc<Hits>>,
    servers: HashMap<IpAddr, tokio::task::AbortHandle>,
    extra: Vec<IpAddr>,
    _dir: tempfile::TempDir,
    _held: Vec<TcpStream>,
    _tasks: JoinSet<()>,
}

impl Vpc {
    /// The private range of this VPC (`--vpc-cidr`).
    pub fn cidr(&self) -> String {
        format!("127.{}.{}.0/25", self.block.0, self.block.1)
    }

    /// The `n`th address added with [`VpcBuilder::extra`].
    pub fn extra(&self, n: usize) -> IpAddr {
        self.extra[n]
    }

    /// Stops the server at `ip` (the endpoint breaks): from the next
    /// connection on, `ip` refuses.
    pub fn stop(&self, ip: IpAddr) {
        self.servers[&ip].abort();
    }

    /// Connections accepted at `ip` so far.
    pub fn hits(&self, ip: IpAddr) -> usize {
        self.hits
            .get(&ip)
            .map_or(0, |c| c.count.load(Ordering::SeqCst))
    }

    /// Resolves once `ip` has accepted a connection.
    pub fn accepted(&self, ip: IpAddr) -> impl std::future::Future<Output = ()> + Send + 'static {
        let hits = Arc::clone(&self.hits[&ip]);
        async move {
            if hits.count.load(Ordering::SeqCst) == 0 {
                hits.accepted.notified().await;
            }
        }
    }

    /// Command-line arguments that point the probe at this VPC.
    pub fn args(&self, extra: &[&str]) -> Vec<String> {
        let mut args = self.args_without_region(&["--region", REGION]);
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    }

    /// Like [`Self::args`] with no region, for a region from task metadata.
    pub fn args_without_region(&self, extra: &[&str]) -> Vec<String> {
        let mut args: Vec<String> = [
            "vpce-probe",
            "check",
            "--dns-server",
            &self.dns.to_string(),
            "--port",
            &self.port.to_string(),
            "--vpc-cidr",
            &self.cidr(),
            "--ca-file",
            &self.ca_file,
            "--hosts-file",
            "none",
            "--timeout",
            "300ms",
            "--deadline",
            "20s",
        ]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
        args.extend(extra.iter().map(|s| (*s).to_owned()));
        args
    }

    /// Runs `check` in-process and returns the report.
    pub async fn probe(&self, extra: &[&str]) -> vpce_probe::report::Report {
        probe_with(self.args(extra), None).await
    }

    /// Like [`Self::probe`], the round's assessment (what `fix` reads).
    pub async fn assess(&self, extra: &[&str]) -> vpce_probe::assess::Assessment {
        assess_with(self.args(extra), None).await
    }

    /// Runs `check` in-process as a task would, with no region and
    /// `ECS_CONTAINER_METADATA_URI_V4` set to `metadata`.
    pub async fn probe_in_task(
        &self,
        extra: &[&str],
        metadata: &str,
    ) -> vpce_probe::report::Report {
        probe_with(self.args_without_region(extra), Some(metadata)).await
    }

    /// Runs the real binary with these arguments; returns (exit code, stdout, stderr).
    pub async fn run_binary(&self, extra: &[&str]) -> (i32, String, String) {
        run_binary(&self.args(extra)[1..]).await
    }
}

/// Runs `check` in-process with these arguments and, optionally, a metadata URI.
pub async fn probe_with(args: Vec<String>, metadata: Option<&str>) -> vpce_probe::report::Report {
    vpce_probe::report::build(&assess_with(args, metadata).await)
}

/// The assessed round of `check` with these arguments and, optionally, a metadata URI.
pub async fn assess_with(
    args: Vec<String>,
    metadata: Option<&str>,
) -> vpce_probe::assess::Assessment {
    let cli = vpce_probe::cli::parse(args).expect("test arguments parse");
    let args = vpce_probe::probe_args(&cli).expect("a probing mode");
    let env = |key: &str| match (key, metadata) {
        (vpce_probe::metadata::ENV_URI, Some(uri)) => Some(uri.to_owned()),
        _ => None,
    };
    let config = vpce_probe::config::Config::from_args(args, &env).expect("valid config");
    vpce_probe::session::assess_once(&config)
        .await
        .expect("probe runs")
}

/// How a fake ECS metadata endpoint answers.
#[derive(Debug, Clone)]
pub enum Metadata {
    /// `/task` and the container root return these documents.
    Serve { task: String, container: String },
    /// Every request gets HTTP 500.
    Error500,
    /// 200 with a body that is not JSON.
    Garbage,
    /// Accepts and never answers.
    Hang,
    /// 200 with a 10 MB body.
    Huge,
}

/// The doc's Fargate examples, verbatim.
pub fn fargate_examples() -> Metadata {
    Metadata::Serve {
        task: include_str!("../../fixtures/fargate-task.json").to_owned(),
        container: include_str!("../../fixtures/fargate-container.json").to_owned(),
    }
}

/// A fake task metadata endpoint (hyper) on loopback; dropping it stops it.
pub struct MetadataServer {
    /// The value for `ECS_CONTAINER_METADATA_URI_V4`.
    pub uri: String,
    pub requests: Arc<AtomicUsize>,
    task: tokio::task::JoinHandle<()>,
}

impl MetadataServer {
    pub async fn start(behavior: Metadata) -> Self {
        let block = random_block();
        let ip = IpAddr::V4(Ipv4Addr::new(127, block.0, block.1, 2));
        let listener = TcpListener::bind(SocketAddr::new(ip, 0)).await.unwrap();
        let addr = listener.local_addr().unwrap();
        let requests = Arc::new(AtomicUsize::new(0));
        let task = tokio::spawn(serve_metadata(listener, behavior, Arc::clone(&requests)));
        Self {
            uri: format!("http://{addr}/v4/bfa2636268144d039771334145e490c5-1117626119"),
            requests,
            task,
        }
    }
}

impl Drop for MetadataServer {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_metadata(listener: TcpListener, behavior: Metadata, count: Arc<AtomicUsize>) {
    use http_body_util::Full;
    use hyper::service::service_fn;
    let mut conns = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        let behavior = behavior.clone();
        let count = Arc::clone(&count);
        conns.spawn(async move {
            let service = service_fn(move |req: hyper::Request<hyper::body::Incoming>| {
                count.fetch_add(1, Ordering::SeqCst);
                let behavior = behavior.clone();
                async move {
                    let (status, body) = match behavior {
                        Metadata::Serve { task, .. } if req.uri().path().ends_with("/task") => {
                            (200, task)
                        }
                        Metadata::Serve { container, .. } => (200, container),
                        Metadata::Error500 => (500, "internal error".to_owned()),
                        Metadata::Garbage => (200, "<html>not json".to_owned()),
                        Metadata::Huge => (
                            200,
                            format!("{{\"Cluster\": \"{}\"}}", "x".repeat(10 * 1024 * 1024)),
                        ),
                        Metadata::Hang => std::future::pending().await,
                    };
                    hyper::Response::builder()
                        .status(status)
                        .header("content-type", "application/json")
                        .body(Full::new(bytes::Bytes::from(body)))
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
        while conns.try_join_next().is_some() {}
    }
}

/// The report's endpoint for `service` (the first, when several share it).
pub fn endpoint<'a>(
    report: &'a vpce_probe::report::Report,
    service: &str,
) -> &'a vpce_probe::report::EndpointReport {
    report
        .endpoints
        .iter()
        .find(|e| e.service == service)
        .unwrap_or_else(|| panic!("{service} not in report"))
}

/// The hosts of `vpce-probe endpoints --format json` output, in plan order.
pub fn plan_hosts(stdout: &str) -> Vec<String> {
    let plan: serde_json::Value = serde_json::from_str(stdout).expect("the plan is JSON");
    plan["endpoints"]
        .as_array()
        .expect("an endpoints list")
        .iter()
        .map(|e| e["host"].as_str().expect("a host").to_owned())
        .collect()
}

/// The report's JSON Schema, compiled with format checks.
pub fn schema_validator() -> jsonschema::Validator {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../../schema/report.schema.json"))
            .expect("schema is JSON");
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .expect("schema compiles")
}

/// Where `value` breaks the report schema (empty when it does not).
pub fn schema_errors(value: &impl serde::Serialize) -> Vec<String> {
    let value = serde_json::to_value(value).expect("serialisable");
    schema_validator()
        .iter_errors(&value)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// A free loopback port, bound, read and released: for a server that must
/// be told its port (tinyproxy, Prometheus take no `:0`).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Runs the built `vpce-probe` binary; returns (exit code, stdout, stderr).
pub async fn run_binary<S: AsRef<std::ffi::OsStr>>(args: &[S]) -> (i32, String, String) {
    run_binary_env(args, &[]).await
}

/// Like [`run_binary`], with these environment variables set.
pub async fn run_binary_env<S: AsRef<std::ffi::OsStr>>(
    args: &[S],
    env: &[(&str, &str)],
) -> (i32, String, String) {
    // Integration tests know the binary; the bench helpers never call this
    // and fall back to the one on PATH.
    let binary = option_env!("CARGO_BIN_EXE_vpce-probe").unwrap_or("vpce-probe");
    let mut command = tokio::process::Command::new(binary);
    // The machine's SDK settings must not reach the plan.
    for (key, _) in std::env::vars_os() {
        let key = key.to_string_lossy();
        if key.starts_with("AWS_ENDPOINT_URL")
            || [
                "AWS_CONFIG_FILE",
                "AWS_PROFILE",
                "AWS_STS_REGIONAL_ENDPOINTS",
                "AWS_USE_FIPS_ENDPOINT",
                "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS",
                "AWS_USE_DUALSTACK_ENDPOINT",
            ]
            .contains(&key.as_ref())
        {
            command.env_remove(key.as_ref());
        }
    }
    let out = command
        .args(args)
        .envs(env.iter().copied())
        .env_remove("AWS_REGION")
        .env_remove("AWS_DEFAULT_REGION")
        .env("NO_COLOR", "1")
        .output()
        .await
        .expect("the binary runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Binds `ip:port` (0 = any) and serves `behavior` there; returns the port
/// and the connection counter, or `None` when the address is taken.
async fn serve(
    ip: IpAddr,
    port: u16,
    behavior: &Behavior,
    name: &str,
    pki: &Pki,
    tasks: &mut JoinSet<()>,
    held: &mut Vec<TcpStream>,
) -> Option<(u16, Arc<Hits>)> {
    let backlog = if matches!(behavior, Behavior::Blackhole) {
        0
    } else {
        128
    };
    let listener = bind(SocketAddr::new(ip, port), backlog).ok()?;
    let port = listener.local_addr().ok()?.port();
    let counter = Arc::new(Hits::default());
    match behavior {
        Behavior::Tls {
            issuer,
            names,
            validity,
        } => {
            let names = names.clone().unwrap_or_else(|| vec![name.to_owned()]);
            let config = pki.server_config(*issuer, &names, *validity);
            tasks.spawn(serve_tls(listener, config, Arc::clone(&counter)));
        }
        Behavior::Silent => {
            tasks.spawn(serve_silent(listener, Arc::clone(&counter)));
        }
        Behavior::Blackhole => {
            // Fill the accept queue (backlog 0 holds one connection); the
            // loopback handshake completes inside connect(), so the queue is
            // full before any probe runs.
            held.push(TcpStream::connect(listener.local_addr().ok()?).await.ok()?);
            tasks.spawn(async move {
                let _listener = listener;
                std::future::pending::<()>().await;
            });
        }
        Behavior::StallMidHandshake | Behavior::Garbage | Behavior::Tls10Only => {
            let reply: &'static [u8] = match behavior {
                // A handshake record announcing 64 bytes, of which 6 arrive.
                Behavior::StallMidHandshake => &[
                    0x16, 0x03, 0x03, 0x00, 0x40, 0x02, 0x00, 0x00, 0x3c, 0x03, 0x03,
                ],
                Behavior::Garbage => b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n",
                _ => &[0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46],
            };
            let keep_open = matches!(behavior, Behavior::StallMidHandshake);
            tasks.spawn(serve_scripted(
                listener,
                reply,
                keep_open,
                Arc::clone(&counter),
            ));
        }
        Behavior::HugeChain => {
            let config = pki.huge_chain_config(name);
            tasks.spawn(serve_tls(listener, config, Arc::clone(&counter)));
        }
        Behavior::Subject(cn) => {
            let config = pki.subject_config(name, cn);
            tasks.spawn(serve_tls(listener, config, Arc::clone(&counter)));
        }
        Behavior::Impostor => {
            let config = pki.impostor_config(name);
            tasks.spawn(serve_tls(listener, config, Arc::clone(&counter)));
        }
        Behavior::ResetAfterServerHello => {
            let config = pki.server_config(Issuer::Amazon, &[name.to_owned()], Validity::Good);
            tasks.spawn(serve_reset_after_hello(
                listener,
                config,
                Arc::clone(&counter),
            ));
        }
        Behavior::Closed => return None,
    }
    Some((port, counter))
}

/// Reads the first bytes a client sends, writes `reply`, then holds the
/// connection open (`keep_open`) or closes it.
async fn serve_scripted(
    listener: TcpListener,
    reply: &'static [u8],
    keep_open: bool,
    hits: Arc<Hits>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut open = Vec::new();
    while let Ok((mut stream, _)) = listener.accept().await {
        hits.hit();
        let mut buf = [0u8; 4096];
        let _ = stream.read(&mut buf).await;
        let _ = stream.write_all(reply).await;
        if keep_open {
            open.push(stream);
        }
    }
}

/// Runs a real rustls server far enough to produce its first flight, sends
/// only the `ServerHello` record, then resets the connection (RST).
async fn serve_reset_after_hello(
    listener: TcpListener,
    config: Arc<rustls::ServerConfig>,
    hits: Arc<Hits>,
) {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    while let Ok((mut stream, _)) = listener.accept().await {
        hits.hit();
        let mut conn = rustls::ServerConnection::new(Arc::clone(&config)).unwrap();
        let mut buf = vec![0u8; 16 * 1024];
        let Ok(n) = stream.read(&mut buf).await else {
            continue;
        };
        let mut input = &buf[..n];
        if conn.read_tls(&mut input).is_err() || conn.process_new_packets().is_err() {
            continue;
        }
        let mut flight = Vec::new();
        while conn.wants_write() {
            if conn.write_tls(&mut flight).is_err() {
                break;
            }
        }
        // The first record of the flight is the ServerHello.
        if flight.len() >= 5 {
            let len = 5 + usize::from(u16::from_be_bytes([flight[3], flight[4]]));
            let _ = stream.write_all(&flight[..len.min(flight.len())]).await;
        }
        let _ = stream.set_zero_linger();
        drop(stream);
    }
}

fn bind(addr: SocketAddr, backlog: u32) -> std::io::Result<TcpListener> {
    let socket = if addr.is_ipv6() {
        TcpSocket::new_v6()?
    } else {
        TcpSocket::new_v4()?
    };
    socket.bind(addr)?;
    socket.listen(backlog)
}

fn random_block() -> (u8, u8) {
    use std::hash::{BuildHasher, RandomState};
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let h =
        RandomState::new().hash_one((std::process::id(), COUNTER.fetch_add(1, Ordering::SeqCst)));
    let [a, b, ..] = h.to_le_bytes();
    // Avoid 127.0.0.0/16, where the machine's own services live.
    (a.max(1), b)
}

async fn serve_tls(listener: TcpListener, config: Arc<rustls::ServerConfig>, hits: Arc<Hits>) {
    let acceptor = tokio_rustls::TlsAcceptor::from(config);
    let mut conns = JoinSet::new();
    while let Ok((stream, _)) = listener.accept().await {
        hits.hit();
        let acceptor = acceptor.clone();
        conns.spawn(async move {
            if let Ok(mut tls) = acceptor.accept(stream).await {
                use tokio::io::AsyncReadExt;
                let mut buf = [0u8; 64];
                let _ = tls.read(&mut buf).await;
            }
        });
        while conns.try_join_next().is_some() {}
    }
}

async fn serve_silent(listener: TcpListener, hits: Arc<Hits>) {
    let mut held = Vec::new();
    while let Ok((stream, _)) = listener.accept().await {
        hits.hit();
        held.push(stream);
    }
}

/// The zone a test name belongs to: `amazonaws.com.`, or the last two
/// labels of anything else (`docker.io.`, `ecr.aws.`, `ghcr.io.`).
fn zone_of(name: &str) -> String {
    if name == "amazonaws.com" || name.ends_with(".amazonaws.com") {
        return "amazonaws.com.".to_owned();
    }
    let labels: Vec<&str> = name.rsplit('.').take(2).collect();
    format!("{}.{}.", labels[1], labels[0])
}

fn empty_zone(origin: &Name) -> InMemoryZoneHandler {
    let mut zone = InMemoryZoneHandler::empty(origin.clone(), ZoneType::Primary, AxfrPolicy::Deny);
    let soa = SOA::new(
        Name::from_str(&format!("ns.{origin}")).unwrap(),
        Name::from_str(&format!("admin.{origin}")).unwrap(),
        1,
        3600,
        600,
        86400,
        30,
    );
    zone.upsert_mut(Record::from_rdata(origin.clone(), 300, RData::SOA(soa)), 1);
    zone
}

/// An authoritative hickory-server for `amazonaws.com.` (and the zones of
/// any registry names) on `ip:0` (UDP and TCP, same port).
async fn start_dns(
    records: &[(String, Option<String>, Vec<IpAddr>)],
    at: SocketAddr,
    tasks: &mut JoinSet<()>,
) -> std::io::Result<SocketAddr> {
    let mut zones: BTreeMap<String, InMemoryZoneHandler> = BTreeMap::new();
    zones.insert(
        "amazonaws.com.".to_owned(),
        empty_zone(&Name::from_str("amazonaws.com.").unwrap()),
    );
    for (name, cname_via, ips) in records {
        let mut upsert = |owner: &str, record: Record| {
            zones
                .entry(zone_of(owner))
                .or_insert_with(|| empty_zone(&Name::from_str(&zone_of(owner)).unwrap()))
                .upsert_mut(record, 1);
        };
        let fqdn = Name::from_str(&format!("{name}.")).unwrap();
        let holder = match cname_via {
            Some(target) => {
                let target_name = Name::from_str(&format!("{target}.")).unwrap();
                upsert(
                    name,
                    Record::from_rdata(fqdn.clone(), 120, RData::CNAME(CNAME(target_name.clone()))),
                );
                (target.clone(), target_name)
            }
            None => (name.clone(), fqdn),
        };
        for ip in ips {
            let data = match ip {
                IpAddr::V4(v4) => RData::A(A(*v4)),
                IpAddr::V6(v6) => RData::AAAA(AAAA(*v6)),
            };
            upsert(&holder.0, Record::from_rdata(holder.1.clone(), 60, data));
        }
    }
    let mut catalog = Catalog::new();
    for (origin, zone) in zones {
        catalog.upsert(
            LowerName::from(Name::from_str(&origin).unwrap()),
            vec![Arc::new(zone)],
        );
    }
    let udp = UdpSocket::bind(at).await?;
    let addr = udp.local_addr()?;
    let tcp = TcpListener::bind(addr).await?;
    let mut server = Server::new(catalog);
    server.register_socket(udp);
    server.register_listener(tcp, Duration::from_secs(5), 32);
    tasks.spawn(async move {
        let _ = server.block_until_done().await;
    });
    Ok(addr)
}

/// The certificate a server presents is issued once per issuer, names and
/// validity, and shared.
type Issued = (
    (Issuer, Vec<String>, Validity),
    Vec<CertificateDer<'static>>,
    Arc<rustls::ServerConfig>,
);

/// The test certificate authorities.
pub struct Pki {
    amazon_root: CertifiedIssuer<'static, KeyPair>,
    amazon_intermediate: CertifiedIssuer<'static, KeyPair>,
    proxy_root: CertifiedIssuer<'static, KeyPair>,
    rogue_root: CertifiedIssuer<'static, KeyPair>,
    /// Every server certificate issued so far: the ENIs of one name present
    /// the same chain byte for byte, as an AWS service's do.
    issued: std::sync::Mutex<Vec<Issued>>,
}

fn ca_params(cn: &str, org: &str) -> CertificateParams {
    let mut p = CertificateParams::new(Vec::<String>::new()).unwrap();
    p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    p.distinguished_name.push(DnType::CommonName, cn);
    p.distinguished_name.push(DnType::OrganizationName, org);
    p.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let now = OffsetDateTime::now_utc();
    p.not_before = now - time::Duration::days(365);
    p.not_after = now + time::Duration::days(3650);
    p
}

impl Pki {
    pub fn new() -> Self {
        let amazon_root = CertifiedIssuer::self_signed(
            ca_params("Test Amazon Root CA 1", "Amazon"),
            KeyPair::generate().unwrap(),
        )
        .unwrap();
        let amazon_intermediate = CertifiedIssuer::signed_by(
            ca_params("Amazon RSA 2048 M01 (test)", "Amazon"),
            KeyPair::generate().unwrap(),
            &amazon_root,
        )
        .unwrap();
        let proxy_root = CertifiedIssuer::self_signed(
            ca_params("Corp Inspection CA", "Corp Proxy Inc"),
            KeyPair::generate().unwrap(),
        )
        .unwrap();
        let rogue_root = CertifiedIssuer::self_signed(
            ca_params("Rogue CA", "Rogue Networks"),
            KeyPair::generate().unwrap(),
        )
        .unwrap();
        Self {
            amazon_root,
            amazon_intermediate,
            proxy_root,
            rogue_root,
            issued: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// The CAs a probe is told to trust (`--ca-file`).
    pub fn trusted_pem(&self) -> String {
        format!("{}{}", self.amazon_root.pem(), self.proxy_root.pem())
    }

    /// A good leaf for `name`, plus an unrelated certificate padded with
    /// thousands of names: a chain of about 100 KB.
    pub fn huge_chain_config(&self, name: &str) -> Arc<rustls::ServerConfig> {
        let names: Vec<String> = (0..4000)
            .map(|i| format!("padding-{i:05}.example.test"))
            .collect();
        let mut pad = CertificateParams::new(names).unwrap();
        pad.distinguished_name.push(DnType::CommonName, "padding");
        let pad_key = KeyPair::generate().unwrap();
        let pad = pad.signed_by(&pad_key, &self.amazon_intermediate).unwrap();
        let mut p = CertificateParams::new(vec![name.to_owned()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, name);
        let key = KeyPair::generate().unwrap();
        let leaf = p.signed_by(&key, &self.amazon_intermediate).unwrap();
        let chain = vec![
            leaf.der().clone(),
            self.amazon_intermediate.der().clone(),
            pad.der().clone(),
        ];
        assert!(chain.iter().map(|c| c.len()).sum::<usize>() > 100_000);
        tls_server_config(chain, &key)
    }

    /// A good leaf for `name` (its one subject alternative name) from the
    /// Amazon-like intermediate, whose subject's CN is `cn`.
    pub fn subject_config(&self, name: &str, cn: &str) -> Arc<rustls::ServerConfig> {
        let mut p = CertificateParams::new(vec![name.to_owned()]).unwrap();
        p.distinguished_name.push(DnType::CommonName, cn);
        let now = OffsetDateTime::now_utc();
        (p.not_before, p.not_after) = (
            now - time::Duration::days(1),
            now + time::Duration::days(300),
        );
        let key = KeyPair::generate().unwrap();
        let leaf = p.signed_by(&key, &self.amazon_intermediate).unwrap();
        let chain = vec![leaf.der().clone(), self.amazon_intermediate.der().clone()];
        tls_server_config(chain, &key)
    }

    /// A server config presenting a leaf for `names`, with its chain: the
    /// same one (key and certificate) for every server asking for the same
    /// issuer, names and validity.
    pub fn server_config(
        &self,
        issuer: Issuer,
        names: &[String],
        validity: Validity,
    ) -> Arc<rustls::ServerConfig> {
        self.issued(issuer, names, validity).1
    }

    /// A server config presenting the chain of [`Self::server_config`] for
    /// `name`, signing with another key.
    pub fn impostor_config(&self, name: &str) -> Arc<rustls::ServerConfig> {
        let (chain, _) = self.issued(Issuer::Amazon, &[name.to_owned()], Validity::Good);
        let other = KeyPair::generate().unwrap();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let signer = provider
            .key_provider
            .load_private_key(PrivateKeyDer::Pkcs8(other.serialize_der().into()))
            .unwrap();
        let certified = rustls::sign::CertifiedKey::new(chain, signer);
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(rustls::sign::SingleCertAndKey::from(certified)));
        Arc::new(config)
    }

    /// The chain and config issued for `(issuer, names, validity)`, issued
    /// on first use.
    fn issued(
        &self,
        issuer: Issuer,
        names: &[String],
        validity: Validity,
    ) -> (Vec<CertificateDer<'static>>, Arc<rustls::ServerConfig>) {
        let wanted = (issuer, names.to_vec(), validity);
        let mut so_far = self.issued.lock().unwrap();
        if let Some((_, chain, config)) = so_far.iter().find(|(k, _, _)| *k == wanted) {
            return (chain.clone(), Arc::clone(config));
        }
        let (chain, key) = self.issue(issuer, names, validity);
        let config = tls_server_config(chain.clone(), &key);
        so_far.push((wanted, chain.clone(), Arc::clone(&config)));
        (chain, config)
    }

    fn issue(
        &self,
        issuer: Issuer,
        names: &[String],
        validity: Validity,
    ) -> (Vec<CertificateDer<'static>>, KeyPair) {
        let mut p = CertificateParams::new(names.to_vec()).unwrap();
        p.distinguished_name.push(
            DnType::CommonName,
            names.first().map_or("server", String::as_str),
        );
        let now = OffsetDateTime::now_utc();
        let day = time::Duration::days(1);
        (p.not_before, p.not_after) = match validity {
            Validity::Good => (now - day, now + day * 300),
            Validity::Expired => (now - day * 60, now - day),
            Validity::NotYetValid => (now + day * 10, now + day * 300),
            Validity::ExpiresInDays(d) => (
                now - day,
                now + time::Duration::days(d) + time::Duration::hours(12),
            ),
        };
        let key = KeyPair::generate().unwrap();
        let (signer, chain_tail): (
            &CertifiedIssuer<'static, KeyPair>,
            Vec<CertificateDer<'static>>,
        ) = match issuer {
            Issuer::Amazon => (
                &self.amazon_intermediate,
                vec![self.amazon_intermediate.der().clone()],
            ),
            Issuer::Proxy => (&self.proxy_root, vec![]),
            Issuer::Rogue => (&self.rogue_root, vec![]),
        };
        let leaf = p.signed_by(&key, signer).unwrap();
        let mut chain = vec![leaf.der().clone()];
        chain.extend(chain_tail);
        (chain, key)
    }
}

/// How the hostile resolver treats its one bad name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DnsMischief {
    /// SERVFAIL.
    ServFail,
    /// A truncated (TC) UDP answer, and nothing listens on TCP.
    TruncatedNoTcp,
    /// `bad CNAME loop-a`, `loop-a CNAME bad`: a loop with no address.
    CnameLoop,
    /// Never answers.
    Silent,
}

/// A resolver on UDP only that misbehaves for `bad` and relays every other
/// question to `upstream` (the simulated VPC's DNS), so the other endpoints
/// of the same run show whether the mischief spilled over.
pub async fn hostile_dns(
    bad: &str,
    mischief: DnsMischief,
    upstream: SocketAddr,
) -> (tokio::task::JoinHandle<()>, SocketAddr) {
    use hickory_server::proto::op::{Message, ResponseCode};
    let block = random_block();
    let socket = UdpSocket::bind(SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(127, block.0, block.1, 54)),
        0,
    ))
    .await
    .unwrap();
    let addr = socket.local_addr().unwrap();
    let bad = Name::from_str(&format!("{bad}.")).unwrap();
    let task = tokio::spawn(async move {
        let socket = Arc::new(socket);
        let mut buf = vec![0u8; 4096];
        while let Ok((n, peer)) = socket.recv_from(&mut buf).await {
            let packet = buf[..n].to_vec();
            let Ok(request) = Message::from_vec(&packet) else {
                continue;
            };
            let Some(query) = request.queries.first().cloned() else {
                continue;
            };
            if query.name() != &bad {
                // Relay to the VPC's DNS.
                let socket = Arc::clone(&socket);
                tokio::spawn(async move {
                    let relay = UdpSocket::bind("127.0.0.1:0").await.unwrap();
                    let _ = relay.send_to(&packet, upstream).await;
                    let mut answer = vec![0u8; 4096];
                    if let Ok(Ok((m, _))) =
                        tokio::time::timeout(Duration::from_secs(5), relay.recv_from(&mut answer))
                            .await
                    {
                        let _ = socket.send_to(&answer[..m], peer).await;
                    }
                });
                continue;
            }
            let mut response = Message::response(request.metadata.id, request.metadata.op_code);
            response.metadata.recursion_desired = request.metadata.recursion_desired;
            response.metadata.recursion_available = true;
            response.add_query(query.clone());
            match mischief {
                DnsMischief::Silent => continue,
                DnsMischief::ServFail => response.metadata.response_code = ResponseCode::ServFail,
                DnsMischief::TruncatedNoTcp => response.metadata.truncation = true,
                DnsMischief::CnameLoop => {
                    let other = Name::from_str("loop-a.amazonaws.com.").unwrap();
                    response.add_answer(Record::from_rdata(
                        bad.clone(),
                        60,
                        RData::CNAME(CNAME(other.clone())),
                    ));
                    response.add_answer(Record::from_rdata(
                        other,
                        60,
                        RData::CNAME(CNAME(bad.clone())),
                    ));
                }
            }
            if let Ok(bytes) = response.to_vec() {
                let _ = socket.send_to(&bytes, peer).await;
            }
        }
    });
    (task, addr)
}

/// A rustls server (ring, TLS 1.2 and 1.3) presenting `chain` with `key`.
fn tls_server_config(
    chain: Vec<CertificateDer<'static>>,
    key: &KeyPair,
) -> Arc<rustls::ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(chain, PrivateKeyDer::Pkcs8(key.serialize_der().into()))
        .unwrap();
    Arc::new(config)
}

/// Holds a UDP socket that never answers: a resolver that is not there.
pub async fn silent_dns() -> (UdpSocket, SocketAddr) {
    let block = random_block();
    let socket = UdpSocket::bind(SocketAddr::new(
        IpAddr::V4(Ipv4Addr::new(127, block.0, block.1, 53)),
        0,
    ))
    .await
    .unwrap();
    let addr = socket.local_addr().unwrap();
    (socket, addr)
}
