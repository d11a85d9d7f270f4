//! `ftrun run BUNDLE`: cold-start the bundle and run it until idle.

use std::rc::Rc;

use super::CliError;
use super::args::{LaunchArgs, RunArgs};
use crate::bundle::{Bundle, page_route};
use crate::engine::{self, EngineOptions, Launch, ProcessOutput, RunContext};

/// The launch for a bundle: `--path` must name a listed page.
pub fn launch_for(bundle: &Bundle, args: &LaunchArgs) -> Result<Launch, CliError> {
    let path = match &args.path {
        Some(p) => {
            let route = page_route(p.split('?').next().unwrap_or(p));
            if !bundle.config.all_pages().contains(&route) {
                return Err(CliError::Invalid(format!(
                    "--path '{p}': no such page in app.json (pages: {})",
                    bundle.config.all_pages().join(", ")
                )));
            }
            route
        }
        None => bundle.config.entry.clone(),
    };
    Ok(Launch {
        path,
        query: args.query.clone(),
        scene: args.scene,
    })
}

pub fn run(args: RunArgs) -> Result<i32, CliError> {
    let bundle = Bundle::open(&args.bundle, args.app_id.as_deref())?;
    let launch = launch_for(&bundle, &args.launch)?;
    let options = EngineOptions {
        timeout: args.timeout,
        max_memory: args.max_memory,
        ..EngineOptions::default()
    };
    let outcome = engine::run(
        &bundle,
        &launch,
        RunContext {
            options: &options,
            output: Rc::new(ProcessOutput::default()),
            events: engine::events::channel(),
            extensions: &[],
        },
    )?;
    Ok(outcome.exit_code())
}
