//! `ftrun render BUNDLE`: cold start to the launch page's onReady, then its tree on stdout, or
//! with `--html`/`--png` the page as a document and a picture. What the app printed goes to
//! stderr; the status is the run's (2 for a WXML error).

use std::time::{Duration, Instant};

use super::CliError;
use super::args::RenderArgs;
use super::common;
use super::run::launch_for;
use crate::browser::{self, Viewport};
use crate::bundle::{Project, check_app_files};
use crate::engine::Device;
use crate::view::html::{self, PageParts};
use crate::view::print::{PrintExtension, RenderOptions, render};

/// Chromium's start and drawing of one page, with room for a slow machine.
const SCREENSHOT_TIMEOUT: Duration = Duration::from_secs(60);

pub fn run(args: RenderArgs) -> Result<i32, CliError> {
    let started = Instant::now();
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
    let pictures = args.html.is_some() || args.png.is_some();
    // The app sees the phone the picture is taken of.
    let device = args.device.or(args.viewport);
    let opts = RenderOptions {
        json: args.json,
        html: pictures,
        idle: args.idle,
        device,
    };
    let rendered = render(app.engine, &print, &app.bundle, &launch, &opts);
    for (_, line) in app.output.lines.borrow().iter() {
        errln!("{line}");
    }
    let status = rendered.engine.outcome().exit_code();
    let Some(tree) = &rendered.tree else {
        return Ok(status);
    };
    if !pictures {
        common::out(&format!("{tree}\n"))?;
        return Ok(status);
    }
    let parts: PageParts = serde_json::from_str(tree)
        .map_err(|e| CliError::Failed(format!("internal error: the page's parts: {e}")))?;
    let document = html::document(&app.bundle.files, &app.bundle.config.raw, &parts);
    let rendered_at = started.elapsed();
    // The PNG is drawn from the --html file, or from one in a temp folder.
    let temp = tempfile::tempdir().map_err(|e| CliError::Failed(format!("temp folder: {e}")))?;
    let html_path = args
        .html
        .clone()
        .unwrap_or_else(|| temp.path().join("page.html"));
    common::write_file("--html", &html_path, &document)?;
    if let Some(png) = &args.png {
        let viewport = Viewport::of(args.viewport.or(args.device).unwrap_or(Device::PHONE));
        let shot = browser::screenshot(&html_path, png, viewport, SCREENSHOT_TIMEOUT)
            .map_err(|e| CliError::Failed(format!("--png {}: {e}", png.display())))?;
        tracing::info!(
            "render: page ready in {} ms, Chromium {} ms, {} ms in all",
            rendered_at.as_millis(),
            shot.browser.as_millis(),
            started.elapsed().as_millis()
        );
    }
    Ok(status)
}
