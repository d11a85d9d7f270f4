//! `ftrun serve FILE`: a mock background-fetch endpoint for backend developers and the demo.
//! Serves FILE on every path and prints each request with its decoded query parameters.

use std::io::Write;
use std::sync::Arc;
use std::time::Duration;

use super::CliError;
use super::args::ServeArgs;
use super::common;
use crate::mockserver::{MockServer, Received, Route};

fn print_request(r: &Received) {
    let mut out = std::io::stdout().lock();
    let q = if r.raw_query.is_empty() {
        String::new()
    } else {
        format!("?{}", r.raw_query)
    };
    let _ = writeln!(out, "serve: {} {}{}", r.method, r.path, q);
    for (k, v) in &r.query {
        let _ = writeln!(out, "serve:   {k} = {v}");
    }
    let _ = out.flush();
}

pub fn run(args: ServeArgs) -> Result<i32, CliError> {
    let body = std::fs::read(&args.file).map_err(|e| {
        CliError::Invalid(format!(
            "{}: {}",
            args.file.display(),
            crate::bundle::io_reason(&e)
        ))
    })?;
    let io = common::io_runtime(1)?;
    io.block_on(async move {
        let count = Arc::new(tokio::sync::Notify::new());
        let seen = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let (c, s) = (count.clone(), seen.clone());
        let printer = Arc::new(move |r: &Received| {
            print_request(r);
            s.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            c.notify_one();
        });
        let server = MockServer::start(args.port, None, Some(printer))
            .await
            .map_err(|e| CliError::Failed(format!("cannot listen on 127.0.0.1:{}: {e}", args.port)))?;
        server.fallback(
            Route::ok(body)
                .status(args.status)
                .header("content-type", "text/plain; charset=utf-8")
                .delay(Duration::from_millis(args.delay_ms)),
        );
        errln!("serve: {} on {}", args.file.display(), server.url("/"));
        if let Some(pf) = &args.port_file {
            std::fs::write(pf, server.addr().port().to_string())
                .map_err(|e| CliError::Failed(format!("{}: {}", pf.display(), crate::bundle::io_reason(&e))))?;
        }
        use tokio::signal::unix::{SignalKind, signal};
        let mut int = signal(SignalKind::interrupt()).map_err(|e| CliError::Failed(e.to_string()))?;
        let mut term = signal(SignalKind::terminate()).map_err(|e| CliError::Failed(e.to_string()))?;
        loop {
            tokio::select! {
                _ = int.recv() => break,
                _ = term.recv() => break,
                _ = count.notified() => {
                    if args.max_requests.is_some_and(|m| seen.load(std::sync::atomic::Ordering::SeqCst) >= m) {
                        // Let the last response go out before stopping.
                        tokio::time::sleep(Duration::from_millis(args.delay_ms + 50)).await;
                        break;
                    }
                }
            }
        }
        Ok(0)
    })
}
