//! The app's route: through the HTTPS proxy its AWS SDK would use. An HTTP
//! `CONNECT host:port` over hyper's client, then the same verified TLS
//! handshake through the tunnel, timed like the direct route. Skipped, and
//! said so, when `NO_PROXY` exempts the host.

use std::net::SocketAddr;

use bytes::Bytes;
use http_body_util::Empty;
use hyper::{Method, Request};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use super::{Budget, CertInfo, Failure, FailureKind, Prober, Timed, TlsSession};
use crate::names::Host;
use crate::plan::Endpoint;
use crate::sdk::https_proxy::{NoProxyMatch, Proxy, exempt};

/// What the proxy route met.
#[derive(Debug, Clone)]
pub struct ProxyProbe {
    /// `http://host:port`, without credentials.
    pub shown: String,
    /// Whether the SDK would send this endpoint to the proxy.
    pub used: bool,
    /// The `NO_PROXY` entry that exempts the host, when one does.
    pub no_proxy_match: Option<NoProxyMatch>,
    /// The connection to the proxy and its answer to `CONNECT`; absent when
    /// not used.
    pub connect: Option<Timed<()>>,
    /// The HTTP status the proxy answered `CONNECT` with.
    pub status_code: Option<u16>,
    /// The handshake with the endpoint through the tunnel.
    pub tls: Option<Timed<TlsSession>>,
    pub cert: Option<CertInfo>,
}

impl ProxyProbe {
    /// The first failure on this route: the connection or `CONNECT`, then TLS.
    pub fn failure(&self) -> Option<&Failure> {
        match (&self.connect, &self.tls) {
            (Some(Timed { result: Err(f), .. }), _) | (_, Some(Timed { result: Err(f), .. })) => {
                Some(f)
            }
            _ => None,
        }
    }

    /// Used, and a verified handshake completed through the tunnel.
    pub fn passed(&self) -> bool {
        self.used && self.failure().is_none() && self.tls.is_some()
    }
}

/// A tunnel through the proxy, or why not: the connection, the `CONNECT`
/// exchange (its status; the upgraded stream on 2xx), all within the budget.
/// The connection's driver task is returned so the caller can end it.
async fn open_tunnel(
    address: SocketAddr,
    authority: &str,
    authorization: Option<&str>,
    budget: Budget,
) -> (
    Timed<(u16, Option<hyper::upgrade::Upgraded>)>,
    Option<tokio::task::JoinHandle<Result<(), hyper::Error>>>,
) {
    let mut conn_task = None;
    let connect = budget
        .run(async {
            let stream = TcpStream::connect(address)
                .await
                .map_err(|e| Failure::from_io(&e))?;
            let _ = stream.set_nodelay(true);
            let (mut sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
                .await
                .map_err(|e| Failure::new(FailureKind::Protocol, format!("proxy: {e}")))?;
            conn_task = Some(tokio::spawn(conn.with_upgrades()));
            let mut request = Request::builder()
                .method(Method::CONNECT)
                .uri(authority)
                .header(hyper::header::HOST, authority);
            if let Some(auth) = authorization {
                request = request.header(hyper::header::PROXY_AUTHORIZATION, auth);
            }
            let request = request
                .body(Empty::<Bytes>::new())
                .map_err(|e| Failure::new(FailureKind::Io, e.to_string()))?;
            let response = sender.send_request(request).await.map_err(|e| {
                Failure::new(
                    FailureKind::Reset,
                    format!("the proxy closed the connection: {e}"),
                )
            })?;
            let status = response.status();
            if !status.is_success() {
                return Ok((status.as_u16(), None));
            }
            let upgraded = hyper::upgrade::on(response)
                .await
                .map_err(|e| Failure::new(FailureKind::Protocol, format!("proxy tunnel: {e}")))?;
            Ok((status.as_u16(), Some(upgraded)))
        })
        .await;
    (connect, conn_task)
}

/// The proxy's address, its name resolved by the probe's resolver like any
/// other, or why it has none.
pub async fn resolve(
    prober: &Prober,
    proxy: &Proxy,
    budget: Budget,
) -> Result<SocketAddr, Failure> {
    let resolved = prober.dns.resolve(&proxy.host, budget).await;
    match resolved.answer.result {
        Ok(r) => r
            .addresses
            .first()
            .map(|a| SocketAddr::new(a.ip, proxy.port))
            .ok_or_else(|| {
                Failure::new(
                    FailureKind::Unreachable,
                    format!("the proxy {} has no address", proxy.host),
                )
            }),
        Err(f) => Err(Failure::new(
            FailureKind::Unreachable,
            format!("cannot resolve the proxy {}: {}", proxy.host, f.detail),
        )),
    }
}

/// Probes `endpoint` through `proxy` (at `address`), within the run's budget.
pub async fn probe(
    prober: &Prober,
    proxy: &Proxy,
    address: &Result<SocketAddr, Failure>,
    endpoint: &Endpoint,
    budget: Budget,
) -> ProxyProbe {
    let no_proxy_match = exempt(&proxy.no_proxy, &endpoint.host);
    let mut out = ProxyProbe {
        shown: proxy.shown.clone(),
        used: no_proxy_match.is_none(),
        no_proxy_match,
        connect: None,
        status_code: None,
        tls: None,
        cert: None,
    };
    if !out.used {
        return out;
    }
    let address = match address {
        Ok(a) => *a,
        Err(f) => {
            out.connect = Some(Timed::instant(Err(f.clone())));
            return out;
        }
    };
    let authority = match &endpoint.host {
        Host::Ip(std::net::IpAddr::V6(v6)) => format!("[{v6}]:{}", endpoint.port),
        h => format!("{h}:{}", endpoint.port),
    };
    let (connect, conn_task) =
        open_tunnel(address, &authority, proxy.authorization.as_deref(), budget).await;
    let (result, tunnel) = match connect.result {
        Ok((status, tunnel)) => {
            out.status_code = Some(status);
            let result = if tunnel.is_some() {
                Ok(())
            } else {
                Err(Failure::new(
                    FailureKind::Refused,
                    format!("the proxy answered CONNECT with HTTP {status}"),
                ))
            };
            (result, tunnel)
        }
        Err(f) => (Err(f), None),
    };
    out.connect = Some(Timed {
        elapsed: connect.elapsed,
        result,
    });
    if let Some(tunnel) = tunnel {
        let (tls, cert) = prober
            .tls
            .handshake(TokioIo::new(tunnel), endpoint.host.server_name(), budget)
            .await;
        out.tls = Some(tls);
        out.cert = cert;
    }
    if let Some(task) = conn_task {
        task.abort();
    }
    out
}
