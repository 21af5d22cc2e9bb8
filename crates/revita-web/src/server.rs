//! The accept loop of `revita serve`: HTTP/1.1 connections served by hyper
//! with the limits a public server needs, which `axum::serve` does not set.
//!
//! - **Header timeout**: a request's line and headers must arrive within it,
//!   counted from when the connection starts waiting for a request (hyper's
//!   `header_read_timeout`). A client that opens connections and sends a
//!   header slowly, or nothing, loses each after this long; so does a
//!   kept-alive connection that sits idle between requests.
//! - **Idle timeout**: once a request is under way, its body must keep
//!   arriving and its answer must keep being read: a body that stalls, or an
//!   answer nobody reads, for this long ends the connection.
//! - **Connection cap**: at most this many connections are served at once;
//!   beyond it, new connections wait in the listen queue until one ends.
//!
//! Handlers still see the client's address (`ConnectInfo<SocketAddr>`), and
//! Ctrl-C stops accepting, lets every connection finish its request (for up
//! to [`SHUTDOWN_GRACE`]) and returns.

use std::future::Future;
use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::ConnectInfo;
use futures_util::StreamExt;
use hyper::body::Incoming;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpListener;
use tokio::sync::{Semaphore, watch};

/// How long a shutdown waits for open connections to finish.
pub const SHUTDOWN_GRACE: Duration = Duration::from_secs(30);

/// The limits on connections (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ConnectionLimits {
    /// The time a request's line and headers have to arrive.
    pub header_timeout: Duration,
    /// The longest a request's body or answer may stall.
    pub idle_timeout: Duration,
    /// The most connections served at once.
    pub max_connections: usize,
}

impl ConnectionLimits {
    /// 10 s for a header, 60 s of stall, 1,024 connections.
    pub const DEFAULT: ConnectionLimits = ConnectionLimits {
        header_timeout: Duration::from_secs(10),
        idle_timeout: Duration::from_secs(60),
        max_connections: 1024,
    };
}

impl Default for ConnectionLimits {
    fn default() -> ConnectionLimits {
        ConnectionLimits::DEFAULT
    }
}

/// Serves `router` on `listener` within `limits` until `shutdown` resolves.
pub async fn run(
    listener: TcpListener,
    router: Router,
    limits: ConnectionLimits,
    shutdown: impl Future<Output = ()>,
) -> io::Result<()> {
    let max = limits.max_connections.clamp(1, Semaphore::MAX_PERMITS);
    let permits = Arc::new(Semaphore::new(max));
    let (stop, stopping) = watch::channel(false);
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        // A free place first, then a connection: beyond the cap, clients
        // wait in the listen queue rather than in memory.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = permits.clone().acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        let (stream, peer) = tokio::select! {
            () = &mut shutdown => break,
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors and the like: wait a little
                    // rather than spin.
                    tracing::warn!(error = %e, "cannot accept a connection");
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    continue;
                }
            },
        };
        let _ = stream.set_nodelay(true);
        let router = router.clone();
        let mut stopping = stopping.clone();
        tokio::spawn(async move {
            let _permit = permit;
            let service = hyper::service::service_fn(move |mut request: hyper::Request<Incoming>| {
                request.extensions_mut().insert(ConnectInfo(peer));
                let request = request.map(|body| stall_limited(body, limits.idle_timeout));
                tower::ServiceExt::oneshot(router.clone(), request)
            });
            let io = TokioIo::new(Watched::new(stream, limits.idle_timeout));
            let mut builder = hyper::server::conn::http1::Builder::new();
            builder.timer(TokioTimer::new()).header_read_timeout(limits.header_timeout).keep_alive(true);
            let connection = builder.serve_connection(io, service);
            let mut connection = std::pin::pin!(connection);
            let ended = tokio::select! {
                ended = connection.as_mut() => ended,
                () = async { drop(stopping.wait_for(|stop| *stop).await) } => {
                    connection.as_mut().graceful_shutdown();
                    connection.await
                }
            };
            if let Err(e) = ended {
                tracing::debug!(%peer, error = %e, "connection ended");
            }
        });
    }
    drop(listener);
    let _ = stop.send(true);
    // Every connection holds a permit: all of them back means all closed.
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    if tokio::time::timeout(SHUTDOWN_GRACE, permits.acquire_many(all)).await.is_err() {
        tracing::warn!("connections still open after {SHUTDOWN_GRACE:?}; stopping anyway");
    }
    Ok(())
}

/// A request body that fails once no data has arrived for `idle`, so that a
/// handler reading it is not held by a client that stopped sending.
fn stall_limited(body: Incoming, idle: Duration) -> Body {
    let chunks = Body::new(body).into_data_stream();
    let stream = futures_util::stream::unfold(Some(chunks), move |chunks| async move {
        let mut chunks = chunks?;
        match tokio::time::timeout(idle, chunks.next()).await {
            Ok(Some(Ok(bytes))) => Some((Ok::<Bytes, io::Error>(bytes), Some(chunks))),
            Ok(Some(Err(e))) => Some((Err(io::Error::other(e)), None)),
            Ok(None) => None,
            Err(_) => Some((Err(io::Error::new(io::ErrorKind::TimedOut, "the request body stalled")), None)),
        }
    });
    Body::from_stream(stream)
}

/// A connection whose writes fail once they have waited `idle` for the
/// client to read: an answer nobody reads does not hold the connection.
struct Watched<T> {
    inner: T,
    idle: Duration,
    stalled: Option<Pin<Box<tokio::time::Sleep>>>,
}

impl<T> Watched<T> {
    fn new(inner: T, idle: Duration) -> Watched<T> {
        Watched { inner, idle, stalled: None }
    }

    /// Called when the client is not reading: pending until `idle` has
    /// passed since it stopped, then an error.
    fn stall<R>(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        let idle = self.idle;
        let sleep = self.stalled.get_or_insert_with(|| Box::pin(tokio::time::sleep(idle)));
        match sleep.as_mut().poll(cx) {
            Poll::Ready(()) => Poll::Ready(Err(io::Error::new(io::ErrorKind::TimedOut, "the client stopped reading"))),
            Poll::Pending => Poll::Pending,
        }
    }

    fn progressed<R>(&mut self, result: Poll<io::Result<R>>, cx: &mut Context<'_>) -> Poll<io::Result<R>> {
        match result {
            Poll::Pending => self.stall(cx),
            ready => {
                self.stalled = None;
                ready
            }
        }
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for Watched<T> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for Watched<T> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.progressed(result, cx)
    }

    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.progressed(result, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let result = Pin::new(&mut this.inner).poll_flush(cx);
        this.progressed(result, cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    #[tokio::test]
    async fn a_write_the_client_does_not_read_fails_after_the_idle_timeout() {
        let (server, mut client) = tokio::io::duplex(64);
        let mut watched = Watched::new(server, Duration::from_millis(50));
        let started = std::time::Instant::now();
        let error = watched.write_all(&[0; 4096]).await.unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        assert!(started.elapsed() >= Duration::from_millis(50));
        // A client that reads keeps the connection going.
        let mut watched = Watched::new(watched.inner, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut total = 0;
            let mut buf = [0; 1024];
            while total < 64 + 8192 {
                tokio::time::sleep(Duration::from_millis(5)).await;
                total += client.read(&mut buf).await.unwrap();
            }
        });
        watched.write_all(&[1; 8192]).await.unwrap();
        reader.await.unwrap();
    }
}
