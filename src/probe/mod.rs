//! The probe: DNS, then TCP and TLS to every resolved address.
//!
//! One phase per file (`dns`, `tcp`, `tls`; `proxy` for the app's route),
//! one timeout helper ([`Budget`], in `outcome` with the failure kinds) that
//! every wait goes through, and one fan-out point
//! ([`Prober::probe_all`]). A failing endpoint is data ([`Failure`]), never an
//! `Err`: errors are for when the tool itself cannot run.
//!
//! Every wait is bounded by `min(now + timeout, deadline)`, so a run cannot
//! outlive its deadline by more than the time to write the report, whatever
//! the network does.

pub mod dns;
#[cfg(test)]
pub mod fixtures;
pub mod hosts;
pub mod outcome;
pub mod proxy;
pub mod tcp;
pub mod tls;

use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;
use tokio::time::Instant;

use hickory_resolver::proto::rr::RecordType;

use crate::plan::Endpoint;

pub use dns::{AnswerSource, DnsOutcome, Resolution};
pub use outcome::{Budget, Failure, FailureKind, Phase, Timed};
pub use tls::{CertInfo, ChainInfo, TlsSession};

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
    pub proxy: Option<crate::sdk::https_proxy::Proxy>,
}

/// Probes a plan. Built once per run (watch mode reuses it across rounds).
pub struct Prober {
    dns: dns::Dns,
    tls: tls::TlsProber,
    timeout: Duration,
    permits: Arc<Semaphore>,
    proxy: Option<crate::sdk::https_proxy::Proxy>,
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
        // Chains verified in an earlier round are verified again.
        self.tls.new_round();
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
        let (dns, addresses) = match self.dns.local(&endpoint.host) {
            dns::Local::Answered(resolution) => self.answered(endpoint, resolution, budget).await,
            dns::Local::Ask(fqdn) => self.pipelined(endpoint, &fqdn, budget).await,
        };
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

    /// Asks A and AAAA separately and starts the handshakes of each answer
    /// as it arrives (as happy-eyeballs clients do), instead of waiting for
    /// both. Addresses come back A answers first, each in answer order.
    async fn pipelined(
        &self,
        endpoint: &Endpoint,
        fqdn: &str,
        budget: Budget,
    ) -> (DnsOutcome, Vec<AddressProbe>) {
        use futures::stream::{FuturesUnordered, StreamExt};
        const FAMILIES: [RecordType; 2] = [RecordType::A, RecordType::AAAA];
        let start = Instant::now();
        let mut lookups: FuturesUnordered<_> = FAMILIES
            .iter()
            .enumerate()
            .map(|(family, rt)| async move {
                let _permit = self.permit(budget).await;
                (family, self.dns.query(fqdn, *rt, budget).await)
            })
            .collect();
        let mut handshakes = FuturesUnordered::new();
        let mut answers: [Option<Timed<Resolution>>; 2] = [None, None];
        let mut done: Vec<((usize, usize), AddressProbe)> = Vec::new();
        let mut lookup_elapsed = std::time::Duration::ZERO;
        loop {
            tokio::select! {
                Some((family, answer)) = lookups.next() => {
                    lookup_elapsed = start.elapsed();
                    if let Ok(r) = &answer.result {
                        for (i, a) in r.addresses.iter().enumerate() {
                            let ip = a.ip;
                            handshakes.push(async move {
                                ((family, i), self.address(endpoint, ip, budget).await)
                            });
                        }
                    }
                    answers[family] = Some(answer);
                }
                Some(finished) = handshakes.next() => done.push(finished),
                else => break,
            }
        }
        done.sort_by_key(|(key, _)| *key);
        let answers: Vec<Timed<Resolution>> = answers.into_iter().flatten().collect();
        let dns = DnsOutcome {
            nameservers: self.dns.nameservers().to_vec(),
            answer: dns::merge(&answers, lookup_elapsed),
            hosts_pin: None,
        };
        (dns, done.into_iter().map(|(_, probe)| probe).collect())
    }

    /// An IP literal or a hosts-file answer: its addresses are probed at
    /// once. For a hosts-file answer DNS is asked too, within the same
    /// budget, so the report can say what the entry hides.
    async fn answered(
        &self,
        endpoint: &Endpoint,
        resolution: Resolution,
        budget: Budget,
    ) -> (DnsOutcome, Vec<AddressProbe>) {
        let handshakes = futures::future::join_all(
            resolution
                .addresses
                .iter()
                .map(|a| self.address(endpoint, a.ip, budget)),
        );
        let pinned = async {
            if resolution.source != AnswerSource::HostsFile {
                return None;
            }
            let name = endpoint.host.to_string();
            let answer = {
                let _permit = self.permit(budget).await;
                self.dns.ask(&format!("{name}."), budget).await
            };
            let hosts = self.dns.hosts_file();
            Some(Box::new(dns::HostsPin {
                path: hosts.map_or_else(String::new, |h| h.path().to_owned()),
                entries: hosts.map(|h| h.entries(&name)).unwrap_or_default(),
                nameservers: self.dns.nameservers().to_vec(),
                dns: answer,
            }))
        };
        let (addresses, hosts_pin) = tokio::join!(handshakes, pinned);
        let dns = DnsOutcome {
            nameservers: Vec::new(),
            answer: Timed::instant(Ok(resolution)),
            hosts_pin,
        };
        (dns, addresses)
    }

    /// One address of an endpoint: a permit, then TCP and TLS.
    async fn address(&self, endpoint: &Endpoint, ip: IpAddr, budget: Budget) -> AddressProbe {
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
        let server_name = endpoint.host.server_name();
        self.probe_address(SocketAddr::new(ip, endpoint.port), server_name, budget)
            .await
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
