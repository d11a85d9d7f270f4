//! `ftrun daemon [--once]`: periodic updates until SIGINT/SIGTERM (or one pass).

use std::sync::Arc;

use super::CliError;
use super::args::DaemonArgs;
use super::common;
use crate::bgfetch::daemon::{self, DaemonLog, DaemonOptions, StdLog};
use crate::bgfetch::service::stderr_warnings;

pub fn run(args: DaemonArgs, data_dir: Option<&std::path::Path>) -> Result<i32, CliError> {
    let services = common::services(data_dir, &args.net, stderr_warnings())?;
    let io = common::io_runtime(2)?;
    let opts = DaemonOptions {
        once: args.once,
        concurrency: args.concurrency as usize,
        app_version: args.app_version,
    };
    let log: Arc<dyn DaemonLog> = Arc::new(StdLog);
    let result = io.block_on(async move {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let signals = tokio::spawn(async move {
            use tokio::signal::unix::{SignalKind, signal};
            let (Ok(mut int), Ok(mut term)) = (
                signal(SignalKind::interrupt()),
                signal(SignalKind::terminate()),
            ) else {
                return std::future::pending::<()>().await;
            };
            tokio::select! { _ = int.recv() => {}, _ = term.recv() => {} }
            let _ = stop_tx.send(true);
            std::future::pending::<()>().await
        });
        let r = daemon::run(services, opts, log, stop_rx).await;
        signals.abort();
        r
    });
    match result {
        Ok(any_failed) => Ok(if any_failed { 1 } else { 0 }),
        Err(e) => Err(CliError::Failed(e)),
    }
}
