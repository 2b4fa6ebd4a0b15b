//! `GET /metrics` for `watch --metrics-listen`: the last finished round in
//! the Prometheus text format, or `OpenMetrics` when the scraper asks for it
//! (`render::prometheus`), served by hyper's HTTP/1 server.
//!
//! A scrape never starts a round and never waits for one: the loop
//! publishes each finished report on a [`Board`], which keeps its numbers
//! ([`metrics::Round`], computed once per round, the numbers EMF writes
//! too) by a pointer swap under a lock held for nothing else, and a scrape
//! renders whatever was there last. Connections are bounded in number, in header-read time and in
//! lifetime, so a slow or hostile client costs at most a few sockets.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::header::{ACCEPT, ALLOW, CONTENT_TYPE, HeaderValue};
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::TcpListener;
use tokio::task::JoinSet;

use crate::metrics;
use crate::render::prometheus::{self, Exposition};
use crate::report::Report;

/// Connections served at once; more wait in the listen queue.
const MAX_CONNECTIONS: usize = 16;
/// A client gets this long to send a request's headers.
const HEADER_TIMEOUT: Duration = Duration::from_secs(5);
/// A kept-alive connection is closed after this long (scrapers reconnect).
const CONNECTION_LIFETIME: Duration = Duration::from_secs(120);

/// A finished round's numbers and the round's number.
struct Published {
    numbers: metrics::Round,
    round: u64,
}

/// Where the loop leaves the last finished round for the scrapes.
#[derive(Clone, Default)]
pub struct Board(Arc<Mutex<Option<Arc<Published>>>>);

impl Board {
    /// Replaces the last round with `report`, the `round`th: its numbers
    /// are computed here, once, and the report itself is not kept.
    pub fn publish(&self, report: &Report, round: u64) {
        let numbers = metrics::Round::of(report);
        let next = Arc::new(Published { numbers, round });
        let previous = self
            .0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .replace(next);
        // The old round is freed here, outside the lock.
        drop(previous);
    }

    fn latest(&self) -> Option<Arc<Published>> {
        self.0
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }
}

/// Serves `/metrics` from `board` on `listener` until the task is dropped.
pub async fn serve(listener: TcpListener, board: Board) {
    let mut connections = JoinSet::new();
    loop {
        while connections.try_join_next().is_some() {}
        if connections.len() >= MAX_CONNECTIONS {
            connections.join_next().await;
            continue;
        }
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(e) => {
                // EMFILE and friends: back off instead of spinning.
                tracing::warn!(error = %e, "metrics: accept failed");
                tokio::time::sleep(Duration::from_millis(100)).await;
                continue;
            }
        };
        let board = board.clone();
        connections.spawn(async move {
            let service = hyper::service::service_fn(move |req| {
                let board = board.clone();
                async move { Ok::<_, std::convert::Infallible>(answer(&req, &board)) }
            });
            let connection = hyper::server::conn::http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            let _ = tokio::time::timeout(CONNECTION_LIFETIME, connection).await;
        });
    }
}

/// The format a scraper's `Accept` header prefers: `OpenMetrics` when it
/// ranks `application/openmetrics-text` at least as high as
/// `text/plain`, else the Prometheus text format.
pub fn negotiate(accept: Option<&str>) -> Exposition {
    let quality = |wanted: &str| {
        accept
            .into_iter()
            .flat_map(|a| a.split(','))
            .filter_map(|range| {
                let mut parts = range.split(';').map(str::trim);
                let media = parts.next()?;
                media.eq_ignore_ascii_case(wanted).then(|| {
                    parts
                        .find_map(|p| p.strip_prefix("q="))
                        .map_or(Some(1000), thousandths)
                        .unwrap_or(0)
                })
            })
            .max()
            .unwrap_or(0)
    };
    let open = quality("application/openmetrics-text");
    if open > 0 && open >= quality("text/plain") {
        Exposition::OpenMetrics
    } else {
        Exposition::Prometheus
    }
}

/// An HTTP quality value (`0.75`, `1`, `0`) in thousandths: RFC 9110's
/// `qvalue` is a 0 or 1 with at most three decimals, so no float parser
/// (and its tables) needs to be in the binary for it.
fn thousandths(q: &str) -> Option<u16> {
    let (whole, fraction) = q.split_once('.').unwrap_or((q, ""));
    if fraction.len() > 3 || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let whole = match whole {
        "0" => 0,
        "1" => 1000,
        _ => return None,
    };
    let fraction = format!("{fraction:0<3}").parse::<u16>().ok()?;
    Some(whole + fraction).filter(|q| *q <= 1000)
}

fn text(status: StatusCode, body: &'static str) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from_static(body.as_bytes())));
    *response.status_mut() = status;
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    response
}

/// The answer to one request: `/metrics` or 404.
fn answer(req: &Request<Incoming>, board: &Board) -> Response<Full<Bytes>> {
    if req.uri().path() != "/metrics" {
        return text(
            StatusCode::NOT_FOUND,
            "not found: the metrics are at /metrics\n",
        );
    }
    if req.method() != Method::GET && req.method() != Method::HEAD {
        let mut response = text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed\n");
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    let Some(latest) = board.latest() else {
        return text(
            StatusCode::SERVICE_UNAVAILABLE,
            "no round has finished yet\n",
        );
    };
    let format = negotiate(req.headers().get(ACCEPT).and_then(|v| v.to_str().ok()));
    let mut body = String::new();
    if prometheus::render(&latest.numbers, latest.round, format, &mut body).is_err() {
        return text(
            StatusCode::INTERNAL_SERVER_ERROR,
            "cannot render the metrics\n",
        );
    }
    let mut response = Response::new(Full::new(Bytes::from(body)));
    response.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static(format.content_type()),
    );
    response
}

/// The metrics server of one `watch` run: stopped when dropped.
pub struct Running {
    pub board: Board,
    pub local_addr: SocketAddr,
    task: tokio::task::JoinHandle<()>,
}

impl Running {
    /// Binds `addr` and starts serving in the background.
    pub async fn start(addr: SocketAddr) -> std::io::Result<Self> {
        let listener = TcpListener::bind(addr).await?;
        let local_addr = listener.local_addr()?;
        let board = Board::default();
        let task = tokio::spawn(serve(listener, board.clone()));
        Ok(Self {
            board,
            local_addr,
            task,
        })
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        self.task.abort();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scraper_chooses_the_format() {
        // What Prometheus 2.x sends.
        let prometheus = "application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";
        assert_eq!(negotiate(Some(prometheus)), Exposition::OpenMetrics);
        for plain in [
            None,
            Some("*/*"),
            Some("text/plain"),
            Some("application/openmetrics-text;q=0"),
            Some("text/plain;q=0.9, application/openmetrics-text;q=0.5"),
        ] {
            assert_eq!(negotiate(plain), Exposition::Prometheus, "{plain:?}");
        }
        assert_eq!(thousandths("0.75"), Some(750));
        assert_eq!(thousandths("1"), Some(1000));
        assert_eq!(thousandths("0"), Some(0));
        assert_eq!(thousandths("1.5"), None);
        assert_eq!(thousandths("0.1234"), None);
        assert_eq!(thousandths("x"), None);
    }
}
