//! Serves the public pages of the five embedded presets, with no database
//! and no staff: what the browser tests drive.
//!
//! ```sh
//! cargo run -p piazza-web --example serve_presets            # a free port
//! cargo run -p piazza-web --example serve_presets 127.0.0.1:8080
//! ```
//!
//! The first line on standard output is `listening on http://ADDR`, so a
//! test harness can start it on port 0 and read the address back.

use std::io::Write;
use std::net::SocketAddr;

use piazza_web::{AppState, serve_on};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr: SocketAddr = match std::env::args().nth(1) {
        Some(a) => a.parse().map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("{a}: {e}"))
        })?,
        None => SocketAddr::from(([127, 0, 0, 1], 0)),
    };
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "listening on http://{}", listener.local_addr()?)?;
    out.flush()?;
    drop(out);
    serve_on(listener, AppState::with_presets()).await
}
