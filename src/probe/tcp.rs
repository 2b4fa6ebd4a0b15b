//! Phase 2: a TCP connection to one resolved address. The connect time is
//! the network round trip to the endpoint ENI (or to the public address);
//! a timeout here means packets are dropped on the way, a refusal means
//! something answered but nothing listens on the port.

use std::net::SocketAddr;

use tokio::net::TcpStream;

use super::{Budget, Failure, Timed};

/// Connects within the budget; returns the stream when it connected.
pub async fn connect(addr: SocketAddr, budget: Budget) -> (Timed<()>, Option<TcpStream>) {
    let timed = budget
        .run(async {
            TcpStream::connect(addr)
                .await
                .map_err(|e| Failure::from_io(&e))
        })
        .await;
    match timed.result {
        Ok(stream) => {
            // Handshake records are small; do not let Nagle delay them.
            let _ = stream.set_nodelay(true);
            (
                Timed {
                    elapsed: timed.elapsed,
                    result: Ok(()),
                },
                Some(stream),
            )
        }
        Err(failure) => (
            Timed {
                elapsed: timed.elapsed,
                result: Err(failure),
            },
            None,
        ),
    }
}
