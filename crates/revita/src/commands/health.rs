//! `revita healthcheck`: a plain HTTP/1.1 GET over std's TCP stream, enough
//! for a container or test harness to wait on `/health` without an HTTP
//! client library.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use anyhow::{Context, bail};

/// Succeeds when `url` (`http://host:port/path`) answers 200.
pub fn check(url: &str) -> anyhow::Result<()> {
    let rest = url.strip_prefix("http://").context("only http:// URLs can be checked")?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let addr = authority
        .to_socket_addrs()
        .with_context(|| format!("cannot resolve {authority}"))?
        .next()
        .with_context(|| format!("no address for {authority}"))?;
    let mut stream = TcpStream::connect_timeout(&addr, Duration::from_secs(5))
        .with_context(|| format!("cannot connect to {authority}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    write!(stream, "GET {path} HTTP/1.1\r\nHost: {authority}\r\nConnection: close\r\n\r\n")?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    let status = response.split_whitespace().nth(1).unwrap_or("");
    if status != "200" {
        bail!("{url} answered {}", response.lines().next().unwrap_or("nothing"));
    }
    println!("{url}: healthy");
    Ok(())
}
