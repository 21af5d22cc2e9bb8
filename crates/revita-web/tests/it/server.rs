//! The server's connection limits, over real TCP connections: slow or
//! silent clients are cut off, stalled bodies end, the connection cap
//! holds, and ordinary requests (with the client's address) still work.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use revita_web::ConnectionLimits;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use super::*;

/// Nothing here should take this long: a test that waits longer has failed.
const PATIENCE: Duration = Duration::from_secs(15);

struct Server {
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    done: tokio::task::JoinHandle<std::io::Result<()>>,
    client: Client,
    _store: revita_testkit::TestStore,
}

async fn start(limits: ConnectionLimits) -> Server {
    let store = revita_testkit::TestStore::sqlite().await;
    let client = fixture(store.store.clone()).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let shutdown = async move {
        let _ = stopped.await;
    };
    let done = tokio::spawn(revita_web::serve_listener(listener, client.router.clone(), limits, shutdown));
    Server { addr, stop: Some(stop), done, client, _store: store }
}

/// Reads until the server closes the connection (or `PATIENCE` passes,
/// which fails the test); returns what was read and how long it took.
async fn read_to_close(stream: &mut TcpStream) -> (String, Duration) {
    let started = Instant::now();
    let mut text = Vec::new();
    let read = tokio::time::timeout(PATIENCE, async {
        let mut buf = [0; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => text.extend_from_slice(&buf[..n]),
            }
        }
    })
    .await;
    assert!(read.is_ok(), "the server never closed the connection");
    (String::from_utf8_lossy(&text).into_owned(), started.elapsed())
}

/// Sends `request` on a new connection and reads the answer to its close.
async fn exchange(addr: SocketAddr, request: &str) -> String {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    stream.write_all(request.as_bytes()).await.unwrap();
    read_to_close(&mut stream).await.0
}

const SHORT: ConnectionLimits = ConnectionLimits {
    header_timeout: Duration::from_secs(1),
    idle_timeout: Duration::from_secs(1),
    max_connections: 64,
};

#[tokio::test]
async fn slow_and_silent_clients_are_cut_off_and_ordinary_requests_still_work() {
    let server = start(SHORT).await;
    let health = "GET /health HTTP/1.1\r\nHost: revita\r\nConnection: close\r\n\r\n";
    assert!(exchange(server.addr, health).await.starts_with("HTTP/1.1 200"));

    // A header that never finishes, and a connection that sends nothing.
    let opened = Instant::now();
    let mut partial = TcpStream::connect(server.addr).await.unwrap();
    partial.write_all(b"GET /health HTTP/1.1\r\nHost: revita\r\nX-Slow: ").await.unwrap();
    let mut silent = TcpStream::connect(server.addr).await.unwrap();
    for stream in [&mut partial, &mut silent] {
        let (answer, _) = read_to_close(stream).await;
        assert_eq!(answer, "", "closed without an answer");
        let waited = opened.elapsed();
        assert!(waited >= Duration::from_millis(800), "not before the header timeout: {waited:?}");
    }

    // A kept-alive connection is closed once idle for the header timeout.
    let mut kept = TcpStream::connect(server.addr).await.unwrap();
    kept.write_all(b"GET /health HTTP/1.1\r\nHost: revita\r\n\r\n").await.unwrap();
    let (answer, waited) = read_to_close(&mut kept).await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(waited >= Duration::from_millis(800), "kept alive until idle: {waited:?}");

    // A body that stops arriving ends the request.
    let mut stalled = TcpStream::connect(server.addr).await.unwrap();
    stalled
        .write_all(
            b"POST /login HTTP/1.1\r\nHost: revita\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\nname=admin",
        )
        .await
        .unwrap();
    let (answer, waited) = read_to_close(&mut stalled).await;
    assert!(answer.is_empty() || answer.starts_with("HTTP/1.1 4"), "{answer}");
    assert!(waited >= Duration::from_millis(800), "{waited:?}");

    // And the server still answers.
    assert!(exchange(server.addr, health).await.starts_with("HTTP/1.1 200"));
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_for_a_free_place() {
    let server = start(ConnectionLimits { max_connections: 1, ..SHORT }).await;
    // The only place goes to a connection that sends nothing …
    let _silent = TcpStream::connect(server.addr).await.unwrap();
    // … so the next is served once the header timeout has closed it.
    let started = Instant::now();
    let answer = exchange(server.addr, "GET /health HTTP/1.1\r\nHost: revita\r\nConnection: close\r\n\r\n").await;
    assert!(answer.starts_with("HTTP/1.1 200"), "{answer}");
    assert!(started.elapsed() >= Duration::from_millis(500), "served only after a place was free");
}

#[tokio::test]
async fn handlers_see_the_client_address_and_the_server_stops_on_request() {
    let mut server = start(SHORT).await;
    let form = exchange(server.addr, "GET /login HTTP/1.1\r\nHost: revita\r\nConnection: close\r\n\r\n").await;
    let token = form.split("revita_login_csrf=").nth(1).unwrap().split(';').next().unwrap().to_string();
    let body = format!("name=admin&password=wrong+password+123&csrf={token}");
    let login = format!(
        "POST /login HTTP/1.1\r\nHost: revita\r\nConnection: close\r\nCookie: revita_login_csrf={token}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    assert!(exchange(server.addr, &login).await.starts_with("HTTP/1.1 401"));
    let log = server.client.test_store().audit_log(&Default::default(), 10).await.unwrap();
    let failed = log.iter().find(|e| e.action == "session.login_failed").unwrap();
    assert_eq!(failed.client_addr.as_deref(), Some("127.0.0.1"), "the connection's peer");

    server.stop.take().unwrap().send(()).unwrap();
    let stopped = tokio::time::timeout(PATIENCE, &mut server.done).await;
    assert!(matches!(stopped, Ok(Ok(Ok(())))), "{stopped:?}");
    assert!(TcpStream::connect(server.addr).await.is_err(), "no longer listening");
}
