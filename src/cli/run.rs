//! `ftrun run BUNDLE`: start the background-fetch requests, cold-start the bundle, run it
//! until idle, wait for the requests still in flight, exit with the spec's status.

use std::rc::Rc;

use super::CliError;
use super::args::{LaunchArgs, RunArgs};
use super::common;
use crate::apis::request::NetworkPolicy;
use crate::bgfetch::service::{ColdStart, start_cold, stderr_warnings};
use crate::bundle::{AppConfig, Bundle, Project, check_app_files, parse_app_config};
use crate::engine::{self, EngineOptions, Launch, ProcessOutput, RunContext, RunOutcome};
use crate::io::Io;
use crate::timeline::{self, Lane};

/// The launch for a bundle: `--path` must name a listed page (its query may follow a `?`).
pub fn launch_for(config: &AppConfig, args: &LaunchArgs) -> Result<Launch, CliError> {
    let (path, query) = config
        .launch_target(args.path.as_deref(), &args.query)
        .map_err(|e| {
            CliError::Invalid(format!(
                "--path '{}': {e}",
                args.path.as_deref().unwrap_or("")
            ))
        })?;
    Ok(Launch {
        path,
        query,
        scene: args.scene,
    })
}

pub fn run(args: RunArgs, data_dir: Option<&std::path::Path>) -> Result<i32, CliError> {
    if args.timeline.is_some() {
        timeline::enable();
        timeline::mark(Lane::Process, "arguments parsed");
    }
    let code = cold_start(&args, data_dir);
    if let Some(path) = &args.timeline {
        timeline::mark(Lane::Process, "exit");
        let title = format!("ftrun run {}", args.bundle.display());
        common::write_file("--timeline", path, &timeline::render_for(path, &title))?;
    }
    code
}

fn cold_start(args: &RunArgs, data_dir: Option<&std::path::Path>) -> Result<i32, CliError> {
    let prefetch_url = common::url_flag("--prefetch-url", args.overrides.prefetch_url.as_deref())?;
    let periodic_url = common::url_flag("--periodic-url", args.overrides.periodic_url.as_deref())?;
    // The two small manifests first: they hold the appId and the launch page the request
    // carries. Scripts are read only after the requests have started.
    let project = Project::open(&args.bundle)?;
    let files = project.files.clone();
    let config = parse_app_config(&files)?;
    let app_id = project.app_id(args.app_id.as_deref())?;
    if let Some(note) = app_id.notice() {
        errln!("{note}");
    }
    let app_id = app_id.id;
    let launch = launch_for(&config, &args.launch)?;
    tracing::debug!("run: manifests read");
    timeline::mark(Lane::Process, "manifests read");
    let services = common::services(data_dir, &args.net, stderr_warnings())?;
    let io = Io::lazy(1);
    let (events_tx, events_rx) = engine::events::channel();
    start_cold(
        &io,
        services.clone(),
        ColdStart {
            app_id: app_id.clone(),
            launch: launch.clone(),
            app_version: args.overrides.app_version.clone(),
            wire: args.overrides.wire,
            prefetch_url,
            periodic_url,
            no_prefetch: args.no_prefetch,
            note_launch: true,
        },
        events_tx.clone(),
    );
    tracing::debug!("run: background requests started");
    check_app_files(&files, &config, &launch.path, project.typescript())?;
    let bundle = Bundle {
        files,
        config,
        app_id: app_id.clone(),
        typescript: project.typescript(),
    };
    let policy = if args.offline {
        NetworkPolicy::Offline
    } else {
        NetworkPolicy::Open
    };
    let apis = crate::apis::Standard::new(&services, &app_id, &io, policy);
    let options = EngineOptions {
        timeout: args.timeout,
        max_memory: args.max_memory,
        ..EngineOptions::default()
    };
    let outcome = engine::run(
        &bundle,
        &launch,
        args.trace,
        args.device,
        RunContext {
            options: &options,
            output: Rc::new(ProcessOutput::default()),
            events: (events_tx, events_rx),
            extensions: &apis.list(),
            prelude: engine::Prelude::App,
        },
    );
    // After a clean or erroring run the loop has already waited for the requests; after a
    // timeout or an invalid bundle, what is still in flight is abandoned (redb stays whole).
    timeline::mark(Lane::Process, "idle");
    let abandon = !matches!(&outcome, Ok(RunOutcome::Clean | RunOutcome::AppErrors));
    drop(apis);
    if let Ok(io) = Rc::try_unwrap(io) {
        io.shutdown(abandon);
    }
    services.close_store();
    let code = outcome?.exit_code();
    // A damaged database was reported (warnings, storage errors in the app); say so in the
    // status too.
    let damaged = services.store().is_ok_and(|s| s.is_damaged());
    Ok(if damaged && code == 0 { 1 } else { code })
}
