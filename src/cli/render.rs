//! `ftrun render BUNDLE`: cold start to the launch page's onReady, then its tree on stdout.
//! What the app printed goes to stderr; the status is the run's (2 for a WXML error).

use super::CliError;
use super::args::RenderArgs;
use super::common;
use super::run::launch_for;
use crate::bundle::{Project, check_app_files};
use crate::view::print::{PrintExtension, RenderOptions, render};

pub fn run(args: RenderArgs) -> Result<i32, CliError> {
    let project = Project::open(&args.bundle)?;
    let print = PrintExtension::default();
    let app = common::offline_app(
        &project,
        args.app_id.as_deref(),
        "ftrun-render",
        args.timeout,
        &print,
    )?;
    let launch = launch_for(&app.bundle.config, &args.launch)?;
    check_app_files(
        &app.bundle.files,
        &app.bundle.config,
        &launch.path,
        project.typescript(),
    )?;
    let opts = RenderOptions {
        json: args.json,
        idle: args.idle,
        device: args.device,
    };
    let rendered = render(app.engine, &print, &app.bundle, &launch, &opts);
    for (_, line) in app.output.lines.borrow().iter() {
        errln!("{line}");
    }
    if let Some(tree) = &rendered.tree {
        common::out(&format!("{tree}\n"))?;
    }
    Ok(rendered.engine.outcome().exit_code())
}
