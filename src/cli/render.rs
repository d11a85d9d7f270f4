//! `ftrun render BUNDLE`: cold start to the launch page's onReady, then its tree on stdout.
//! What the app printed goes to stderr; the status is the run's (2 for a WXML error).

use std::rc::Rc;

use super::CliError;
use super::args::RenderArgs;
use super::common;
use super::run::launch_for;
use crate::apis::request::NetworkPolicy;
use crate::bundle::{Bundle, Project, check_app_files, parse_app_config};
use crate::engine::{self, CapturedOutput, Engine, EngineOptions, Prelude, RunContext, Stream};
use crate::view::print::{PrintExtension, RenderOptions, render};

pub fn run(args: RenderArgs) -> Result<i32, CliError> {
    let project = Project::open(&args.bundle)?;
    let files = project.files.clone();
    let config = parse_app_config(&files)?;
    let app_id = project
        .app_id(args.app_id.as_deref())
        .map(|a| a.id)
        .unwrap_or_else(|_| "ftrun-render".into());
    let launch = launch_for(&config, &args.launch)?;
    check_app_files(&files, &config, &launch.path, project.typescript())?;
    let (_data, services) = common::throwaway_services()?;
    let io = crate::io::Io::lazy(1);
    let apis = crate::apis::Standard::new(&services, &app_id, &io, NetworkPolicy::Offline);
    let print = PrintExtension::default();
    let output = Rc::new(CapturedOutput::default());
    let options = EngineOptions {
        timeout: args.timeout,
        ..EngineOptions::default()
    };
    let engine = Engine::new(
        files.clone(),
        RunContext {
            options: &options,
            output: output.clone(),
            events: engine::events::channel(),
            extensions: &apis.with(&print),
            prelude: Prelude::App,
        },
    )?;
    let bundle = Bundle {
        files,
        config,
        app_id,
        typescript: project.typescript(),
    };
    let opts = RenderOptions {
        json: args.json,
        idle: args.idle,
        device: args.device,
    };
    let rendered = render(engine, &print, &bundle, &launch, &opts);
    for (stream, line) in output.lines.borrow().iter() {
        match stream {
            Stream::Err | Stream::Out => errln!("{line}"),
        }
    }
    if let Some(tree) = &rendered.tree {
        common::out(&format!("{tree}\n"))?;
    }
    Ok(rendered.engine.outcome().exit_code())
}
