//! Pieces every background-fetch command shares: the services, the I/O runtime, flag checks.

use std::path::Path;
use std::sync::Arc;

use url::Url;

use super::CliError;
use super::args::NetArgs;
use crate::bgfetch::service::{Services, WarnSink};
use crate::bgfetch::wire::check_url;
use crate::bgfetch::{Clock, SystemClock};
use crate::store::resolve_data_dir;

/// The services for a command. A `--ca-file` is read now, so a bad one is a usage error.
pub fn services(
    data_dir: Option<&Path>,
    net: &NetArgs,
    warn: WarnSink,
) -> Result<Arc<Services>, CliError> {
    let dir = resolve_data_dir(data_dir).map_err(|e| CliError::Invalid(e.to_string()))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::from_env());
    let services = Services::new(dir, net.ca_file.clone(), net.fetch_timeout, clock, warn);
    if net.ca_file.is_some() {
        services
            .fetcher()
            .map_err(|e| CliError::Invalid(format!("--ca-file {e}")))?;
    }
    Ok(Arc::new(services))
}

/// Services over a throwaway data dir, for commands that never touch the user's data or
/// network (`check`, `render`); the dir lives as long as the returned guard.
pub fn throwaway_services() -> Result<(tempfile::TempDir, Arc<Services>), CliError> {
    let data = tempfile::tempdir().map_err(|e| CliError::Failed(format!("temp dir: {e}")))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::from_env());
    let services = Arc::new(Services::new(
        data.path().to_path_buf(),
        None,
        std::time::Duration::from_secs(1),
        clock,
        Arc::new(|_: &str| {}),
    ));
    Ok((data, services))
}

/// Opens the store now (commands that only manage state).
pub fn store(data_dir: Option<&Path>) -> Result<crate::store::Store, CliError> {
    let dir = resolve_data_dir(data_dir).map_err(|e| CliError::Invalid(e.to_string()))?;
    crate::store::Store::open(&dir).map_err(|e| CliError::Failed(e.to_string()))
}

/// The runtime for network and disk work: worker threads beside the JS thread.
pub fn io_runtime(workers: usize) -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .thread_name("ftrun-io")
        .enable_all()
        .build()
        .map_err(|e| CliError::Failed(format!("cannot start the I/O runtime: {e}")))
}

/// A URL flag, checked as the spec says (http/https, parses); a bad one is status 2.
pub fn url_flag(flag: &str, value: Option<&str>) -> Result<Option<Url>, CliError> {
    value
        .map(|v| check_url(flag, v).map_err(|e| CliError::Invalid(e.to_string())))
        .transpose()
}

/// Writes command output to stdout. `println!` panics when the reader has gone
/// (`ftrun cache list | head -1`); here that output is dropped quietly and the command's own
/// exit status stands, while any other write error (a full disk behind a redirect) is a
/// failure that says so.
pub fn out(text: &str) -> Result<(), CliError> {
    use std::io::Write;
    let mut stdout = std::io::stdout().lock();
    match stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
    {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => Err(CliError::Failed(format!(
            "cannot write to standard output: {e}"
        ))),
        _ => Ok(()),
    }
}
