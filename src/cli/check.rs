//! `ftrun check BUNDLE`: what a user runs first on an existing project. Loads every page and
//! component (main package and subpackages), runs each page's onLoad/onShow/onReady with an
//! empty query, and prints page, status and time. Exit 0 only when every page loaded.

use std::cell::RefCell;
use std::rc::Rc;
use std::time::Instant;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Object};

use super::CliError;
use super::args::CheckArgs;
use super::common;
use crate::bundle::Project;
use crate::engine::{self, Extension, Host, JsSource, Launch, Progress, Text, Until, js_source};

struct CheckExtension {
    results: Rc<RefCell<Option<String>>>,
}

impl Extension for CheckExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        const JS: &[JsSource] = &[js_source!("check.js")];
        JS
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        _host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let r = self.results.clone();
        native.set(
            "checkResults",
            Func::from(move |json: Text| *r.borrow_mut() = Some(json.0)),
        )
    }
}

#[derive(serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PageResult {
    page: String,
    status: String,
    ms: f64,
    /// The detail a person reads: `file:line:column message`, or why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    reason: Option<String>,
    /// For machines: missing file, TypeScript only, unbuilt npm, extended library, module not
    /// found, app error.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    cause: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    file: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    line: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    column: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    message: Option<String>,
    /// Timers the page left set (cancelled), with where they were set.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    warnings: Vec<String>,
}

pub fn run(args: CheckArgs) -> Result<i32, CliError> {
    let started = Instant::now();
    let project = Project::open(&args.bundle)?;
    let results = Rc::new(RefCell::new(None));
    let check = CheckExtension {
        results: results.clone(),
    };
    let common::OfflineApp {
        mut engine,
        bundle,
        output,
        ..
    } = common::offline_app(
        &project,
        args.app_id.as_deref(),
        "ftrun-check",
        args.timeout,
        &check,
    )?;
    let launch = Launch {
        path: bundle.config.entry.clone(),
        query: String::new(),
        scene: 1001,
    };
    if engine.start(
        "check",
        &engine::boot_payload(&bundle, &launch, args.device),
    ) != Progress::Stopped
    {
        engine.run_until(Until::Idle);
    }
    if args.verbose_output {
        for (_, line) in output.lines.borrow().iter() {
            errln!("{line}");
        }
    }
    let json = results.borrow().clone();
    let Some(json) = json else {
        return Err(CliError::Failed(format!(
            "the check did not finish ({:?}); run with --output to see what the app printed",
            engine.outcome()
        )));
    };
    let pages: Vec<PageResult> =
        serde_json::from_str(&json).map_err(|e| CliError::Failed(e.to_string()))?;
    let all_ok = pages.iter().all(|p| p.status == "ok");
    if let Some(path) = &args.html {
        let rows = serde_json::to_value(&pages).unwrap_or_default();
        common::write_file("--html", path, &crate::pictures::check_report(&rows))?;
    }
    if args.json {
        outln!("{}", serde_json::to_string(&pages).unwrap_or_default())?;
    } else {
        let width = pages.iter().map(|p| p.page.len()).max().unwrap_or(4).max(4);
        outln!("{:<width$}  {:<8}  {:>8}  DETAIL", "PAGE", "STATUS", "TIME")?;
        for p in &pages {
            outln!(
                "{:<width$}  {:<8}  {:>5.1} ms  {}",
                p.page,
                p.status,
                p.ms,
                p.reason.as_deref().unwrap_or("")
            )?;
        }
        let count = |s: &str| pages.iter().filter(|p| p.status == s).count();
        outln!(
            "\n{} ok, {} error, {} skipped ({:.0} ms)",
            count("ok"),
            count("error"),
            count("skipped"),
            started.elapsed().as_secs_f64() * 1000.0
        )?;
    }
    Ok(if all_ok { 0 } else { 1 })
}
