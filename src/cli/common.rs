//! Pieces every background-fetch command shares: the services, the I/O runtime, flag checks.

use std::path::Path;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use url::Url;

use super::CliError;
use super::args::NetArgs;
use crate::apis::request::NetworkPolicy;
use crate::bgfetch::service::{Services, WarnSink};
use crate::bgfetch::wire::check_url;
use crate::bgfetch::{Clock, SystemClock};
use crate::bundle::{Bundle, Project, parse_app_config};
use crate::engine::{CapturedOutput, Engine, EngineOptions, Extension, Prelude, RunContext};
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

/// An app for a command that never touches the user's data or network (`check`, `render`):
/// a throwaway data dir, requests failing as offline, what the app prints captured.
pub struct OfflineApp {
    pub engine: Engine,
    pub bundle: Bundle,
    pub output: Rc<CapturedOutput>,
    _apis: crate::apis::Standard,
    _data: tempfile::TempDir,
}

/// Builds the engine of an [`OfflineApp`] for `project` with `extra` (the command's own
/// extension) installed last; `fallback_id` stands in for a project without an appId.
pub fn offline_app(
    project: &Project,
    app_id_flag: Option<&str>,
    fallback_id: &str,
    timeout: Duration,
    extra: &dyn Extension,
) -> Result<OfflineApp, CliError> {
    let files = project.files.clone();
    let config = parse_app_config(&files)?;
    let app_id = project
        .app_id(app_id_flag)
        .map(|a| a.id)
        .unwrap_or_else(|_| fallback_id.into());
    let data = tempfile::tempdir().map_err(|e| CliError::Failed(format!("temp dir: {e}")))?;
    let clock: Arc<dyn Clock> = Arc::new(SystemClock::from_env());
    let services = Arc::new(Services::new(
        data.path().to_path_buf(),
        None,
        Duration::from_secs(1),
        clock,
        Arc::new(|_: &str| {}),
    ));
    let io = crate::io::Io::lazy(1);
    let apis = crate::apis::Standard::new(&services, &app_id, &io, NetworkPolicy::Offline);
    let output = Rc::new(CapturedOutput::default());
    let options = EngineOptions {
        timeout,
        ..EngineOptions::default()
    };
    let engine = Engine::new(
        files.clone(),
        RunContext {
            options: &options,
            output: output.clone(),
            events: crate::engine::events::channel(),
            extensions: &apis.with(extra),
            prelude: Prelude::App,
        },
    )?;
    Ok(OfflineApp {
        engine,
        bundle: Bundle {
            files,
            config,
            app_id,
            typescript: project.typescript(),
        },
        output,
        _apis: apis,
        _data: data,
    })
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

/// Writes a report or picture a flag named (`--output FILE`, `--html FILE`), its folder made
/// when missing; a failure names the flag and the file.
pub fn write_file(flag: &str, path: &Path, text: &str) -> Result<(), CliError> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        let _ = std::fs::create_dir_all(dir);
    }
    std::fs::write(path, text).map_err(|e| {
        CliError::Failed(format!(
            "{flag} {}: {}",
            path.display(),
            crate::bundle::io_reason(&e)
        ))
    })
}
