//! The probe: DNS, then TCP and TLS to every resolved address.
//!
//! One phase per file (`dns`, `tcp`, `tls`), one timeout helper
//! ([`Budget`]) that every wait goes through, and one fan-out point
//! ([`Prober::probe_all`]). A failing endpoint is data ([`Failure`]), never an
//! `Err`: errors are for when the tool itself cannot run.
//!
//! Every wait is bounded by `min(now + timeout, deadline)`, so a run cannot
//! outlive its deadline by more than the time to write the report, whatever
//! the network does.

pub mod dns;
pub mod proxy;
pub mod tcp;
pub mod tls;

use std::future::Future;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::plan::Endpoint;

pub use dns::{AnswerSource, DnsOutcome, Resolution};
pub use tls::{CertInfo, TlsSession};

/// Why a phase did not succeed. Classified from `io::ErrorKind`,
/// hickory's `NetError` and `rustls::Error`, never from error text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FailureKind {
    /// The phase's `--timeout` ran out.
    Timeout,
    /// The run's `--deadline` ran out first.
    Deadline,
    /// TCP RST in answer to the SYN, or ICMP port unreachable.
    Refused,
    /// The peer reset or aborted an established connection.
    Reset,
    /// No route to the address or network.
    Unreachable,
    /// The peer closed the connection in the middle of the handshake.
    Closed,
    /// The name does not exist (NXDOMAIN).
    NxDomain,
    /// The name exists but has no A or AAAA records.
    NoRecords,
    /// The resolver answered SERVFAIL.
    ServFail,
    /// The resolver answered REFUSED.
    DnsRefused,
    /// The answer was truncated (TC) and DNS over TCP did not work.
    Truncated,
    /// Another DNS failure (bad response, other response code).
    DnsError,
    /// The certificate does not chain to a trusted root.
    UnknownIssuer,
    /// The certificate is not valid for the hostname.
    HostnameMismatch,
    CertExpired,
    CertNotYetValid,
    /// Another certificate problem (bad signature, unsupported, revoked...).
    CertInvalid,
    /// No TLS version or cipher suite in common (e.g. a TLS 1.0-only server).
    Incompatible,
    /// The peer sent something that is not valid TLS, or a fatal alert.
    Protocol,
    /// Any other local I/O error.
    Io,
}

/// The phases of a probe, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    Dns,
    Tcp,
    Tls,
}

/// A failed phase: its kind and a human detail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub kind: FailureKind,
    pub detail: String,
}

impl Failure {
    pub fn new(kind: FailureKind, detail: impl Into<String>) -> Self {
        Self {
            kind,
            detail: detail.into(),
        }
    }

    /// Classifies an I/O error by its kind.
    pub fn from_io(err: &std::io::Error) -> Self {
        use std::io::ErrorKind as K;
        let kind = match err.kind() {
            K::ConnectionRefused => FailureKind::Refused,
            K::ConnectionReset | K::ConnectionAborted | K::BrokenPipe => FailureKind::Reset,
            K::HostUnreachable | K::NetworkUnreachable | K::AddrNotAvailable => {
                FailureKind::Unreachable
            }
            K::UnexpectedEof => FailureKind::Closed,
            K::TimedOut => FailureKind::Timeout,
            _ => FailureKind::Io,
        };
        Self::new(kind, err.to_string())
    }
}

/// The outcome of one phase and how long it took.
#[derive(Debug, Clone)]
pub struct Timed<T> {
    pub elapsed: Duration,
    pub result: Result<T, Failure>,
}

impl<T> Timed<T> {
    /// An outcome known without waiting (an IP literal, a hosts-file
    /// answer, a deadline already past).
    pub fn instant(result: Result<T, Failure>) -> Self {
        Self {
            elapsed: Duration::ZERO,
            result,
        }
    }
}

/// The limits every wait of a run goes through.
#[derive(Debug, Clone, Copy)]
pub struct Budget {
    pub timeout: Duration,
    pub deadline: Instant,
}

impl Budget {
    pub fn new(timeout: Duration, deadline: Instant) -> Self {
        Self { timeout, deadline }
    }

    /// Runs `fut` until it finishes, the phase timeout passes or the run's
    /// deadline passes, whichever comes first; times the attempt.
    pub async fn run<F, T>(&self, fut: F) -> Timed<T>
    where
        F: Future<Output = Result<T, Failure>>,
    {
        let start = Instant::now();
        let phase_end = start + self.timeout;
        let (limit, kind) = if phase_end <= self.deadline {
            (phase_end, FailureKind::Timeout)
        } else {
            (self.deadline, FailureKind::Deadline)
        };
        let result = match tokio::time::timeout_at(limit, fut).await {
            Ok(r) => r,
            Err(_) => Err(Failure::new(
                kind,
                match kind {
                    FailureKind::Timeout => format!("no answer within {:?}", self.timeout),
                    _ => "the run's deadline passed".to_owned(),
                },
            )),
        };
        Timed {
            elapsed: start.elapsed(),
            result,
        }
    }
}

/// What happened at one resolved address.
#[derive(Debug, Clone)]
pub struct AddressProbe {
    pub ip: IpAddr,
    pub tcp: Timed<()>,
    /// Absent when TCP did not connect.
    pub tls: Option<Timed<TlsSession>>,
    /// The certificate the server presented, even when verification failed.
    pub cert: Option<CertInfo>,
}

impl AddressProbe {
    /// The first phase that failed, if any.
    pub fn failure(&self) -> Option<(Phase, &Failure)> {
        match (&self.tcp.result, &self.tls) {
            (Err(f), _) => Some((Phase::Tcp, f)),
            (Ok(()), Some(Timed { result: Err(f), .. })) => Some((Phase::Tls, f)),
            _ => None,
        }
    }

    pub fn passed(&self) -> bool {
        self.failure().is_none() && self.tls.is_some()
    }
}

/// One way to an endpoint, and what happened on it.
#[derive(Debug, Clone)]
pub enum Route {
    /// Straight to each resolved address, as the ECS platform (image pulls,
    /// secrets, awslogs) does; the addresses in DNS order.
    Direct(Vec<AddressProbe>),
    /// Through the HTTPS proxy the app's SDK would use.
    Proxy(Box<proxy::ProxyProbe>),
}

/// Everything learned about one planned endpoint: its DNS answer and each
/// route the probe tried.
#[derive(Debug, Clone)]
pub struct EndpointProbe {
    pub dns: DnsOutcome,
    pub routes: Vec<Route>,
}

impl EndpointProbe {
    /// The endpoint's result when every address was tried directly.
    pub fn direct(dns: DnsOutcome, addresses: Vec<AddressProbe>) -> Self {
        Self {
            dns,
            routes: vec![Route::Direct(addresses)],
        }
    }

    /// The addresses tried on the direct route, in DNS order.
    pub fn direct_addresses(&self) -> &[AddressProbe] {
        self.routes
            .iter()
            .find_map(|r| match r {
                Route::Direct(a) => Some(a.as_slice()),
                Route::Proxy(_) => None,
            })
            .unwrap_or(&[])
    }

    /// The proxy route, when a proxy is configured.
    pub fn proxy(&self) -> Option<&proxy::ProxyProbe> {
        self.routes.iter().find_map(|r| match r {
            Route::Proxy(p) => Some(p.as_ref()),
            Route::Direct(_) => None,
        })
    }
}

/// How to probe: validated by `config`, used by [`Prober`].
#[derive(Debug, Clone)]
pub struct ProbeSettings {
    pub dns: dns::DnsConfig,
    /// The limit of each phase.
    pub timeout: Duration,
    /// The limit of a whole round.
    pub deadline: Duration,
    /// DNS lookups and connections in flight at once.
    pub concurrency: usize,
    /// The compiled-in web PKI roots plus any `--ca-file` certificates.
    pub roots: Arc<rustls::RootCertStore>,
    /// The proxy the app's SDK would use, when one is set.
    pub proxy: Option<crate::proxy::Proxy>,
}

/// Probes a plan. Built once per run (watch mode reuses it across rounds).
pub struct Prober {
    dns: dns::Dns,
    tls: tls::TlsProber,
    timeout: Duration,
    permits: Arc<Semaphore>,
    proxy: Option<crate::proxy::Proxy>,
}

impl Prober {
    pub fn new(settings: &ProbeSettings) -> Result<Self, dns::SetupError> {
        Ok(Self {
            dns: dns::Dns::new(&settings.dns, settings.timeout)?,
            tls: tls::TlsProber::new(Arc::clone(&settings.roots)),
            timeout: settings.timeout,
            permits: Arc::new(Semaphore::new(settings.concurrency)),
            proxy: settings.proxy.clone(),
        })
    }

    /// The nameservers DNS questions go to (empty when only the hosts file answers).
    pub fn nameservers(&self) -> &[SocketAddr] {
        self.dns.nameservers()
    }

    /// The fan-out point: every endpoint concurrently, each DNS lookup and
    /// each connection holding one of `--concurrency` permits; results come
    /// back in plan order.
    pub async fn probe_all(
        self: &Arc<Self>,
        plan: &[Endpoint],
        deadline: Instant,
    ) -> Vec<EndpointProbe> {
        let budget = Budget::new(self.timeout, deadline);
        // The proxy's address, looked up once a round for every endpoint.
        let proxy = match &self.proxy {
            Some(p) => Some(Arc::new(proxy::resolve(self, p, budget).await)),
            None => None,
        };
        let mut set = JoinSet::new();
        for (index, endpoint) in plan.iter().enumerate() {
            let this = Arc::clone(self);
            let endpoint = endpoint.clone();
            let proxy = proxy.clone();
            set.spawn(async move {
                let probe = this
                    .probe_endpoint(&endpoint, proxy.as_deref(), budget)
                    .await;
                (index, probe)
            });
        }
        let mut results: Vec<Option<EndpointProbe>> = vec![None; plan.len()];
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((index, probe)) => results[index] = Some(probe),
                // A panic in a probe task is a bug; let it surface as one.
                Err(e) if e.is_panic() => std::panic::resume_unwind(e.into_panic()),
                Err(_) => {}
            }
        }
        results
            .into_iter()
            .zip(plan)
            .map(|(r, e)| r.unwrap_or_else(|| cancelled(e)))
            .collect()
    }

    async fn probe_endpoint(
        &self,
        endpoint: &Endpoint,
        proxy_address: Option<&Result<SocketAddr, Failure>>,
        budget: Budget,
    ) -> EndpointProbe {
        let dns = {
            let _permit = self.permit(budget).await;
            self.dns.resolve(&endpoint.host, budget).await
        };
        let ips = match &dns.answer.result {
            Ok(resolution) => resolution.addresses.iter().map(|a| a.ip).collect(),
            Err(_) => Vec::new(),
        };
        let server_name = endpoint.host.server_name();
        let addresses = futures::future::join_all(ips.into_iter().map(|ip| {
            let server_name = server_name.clone();
            async move {
                let Some(_permit) = self.permit(budget).await else {
                    return AddressProbe {
                        ip,
                        tcp: Timed::instant(Err(Failure::new(
                            FailureKind::Deadline,
                            "the run's deadline passed before a connection slot was free",
                        ))),
                        tls: None,
                        cert: None,
                    };
                };
                self.probe_address(SocketAddr::new(ip, endpoint.port), server_name, budget)
                    .await
            }
        }))
        .await;
        let mut probe = EndpointProbe::direct(dns, addresses);
        if let (Some(settings), Some(address)) = (&self.proxy, proxy_address) {
            // One more connection: it holds a permit like the others (past
            // the deadline there is none, and the budget fails the attempt).
            let _permit = self.permit(budget).await;
            let via = proxy::probe(self, settings, address, endpoint, budget).await;
            probe.routes.push(Route::Proxy(Box::new(via)));
        }
        probe
    }

    async fn probe_address(
        &self,
        addr: SocketAddr,
        server_name: rustls_pki_types::ServerName<'static>,
        budget: Budget,
    ) -> AddressProbe {
        let (tcp, stream) = tcp::connect(addr, budget).await;
        let (tls, cert) = match stream {
            Some(stream) => {
                let (tls, cert) = self.tls.handshake(stream, server_name, budget).await;
                (Some(tls), cert)
            }
            None => (None, None),
        };
        AddressProbe {
            ip: addr.ip(),
            tcp,
            tls,
            cert,
        }
    }

    /// A concurrency permit, or `None` when the deadline passes first.
    async fn permit(&self, budget: Budget) -> Option<tokio::sync::SemaphorePermit<'_>> {
        tokio::time::timeout_at(budget.deadline, self.permits.acquire())
            .await
            .ok()
            .and_then(Result::ok)
    }
}

/// The result for an endpoint whose task was cancelled (runtime shutdown).
fn cancelled(endpoint: &Endpoint) -> EndpointProbe {
    EndpointProbe::direct(
        DnsOutcome::failed(Failure::new(
            FailureKind::Deadline,
            format!("the probe of {} was cancelled", endpoint.host),
        )),
        Vec::new(),
    )
}
