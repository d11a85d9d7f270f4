//! `ftrun test`: finds `*.test.js` / `*.spec.js` files, runs each in its own test runtime
//! (Jest-style API in `js/test/`), lets tests launch bundles against a real local server, and
//! reports (default, TAP, JUnit). Files run in parallel on `--jobs` threads.

mod hoist;
mod inline;
mod natives;
pub mod report;
mod session;

use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::bundle::BundleFiles;
use crate::engine::{
    CapturedOutput, Engine, EngineOptions, Prelude, Progress, RunContext, RunOutcome, Stream,
};
use natives::TestExtension;
use session::{FileState, RunnerShared};

pub use report::Reporter;

#[derive(Debug, Clone)]
pub struct TestOptions {
    pub paths: Vec<PathBuf>,
    pub filter: Option<String>,
    /// `-u`: rewrite snapshots that differ, remove obsolete ones.
    pub update_snapshots: bool,
    /// `--ci`: never write a snapshot; a missing one fails.
    pub ci: bool,
    /// `--clock virtual`: apps launched by tests start on a virtual clock.
    pub clock: Option<String>,
    /// `(index, count)`, 1-based index.
    pub shard: Option<(usize, usize)>,
    pub jobs: usize,
    /// Default per-test timeout.
    pub timeout: Duration,
}

/// One test's outcome.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TestResult {
    pub name: String,
    pub status: Status,
    pub duration_ms: f64,
    pub error: Option<String>,
    pub location: Option<String>,
    pub output: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Passed,
    Failed,
    Skipped,
}

/// One file's outcome: its tests, or an error that kept it from running (syntax error...).
#[derive(Debug, Clone, serde::Serialize)]
pub struct FileResult {
    pub file: String,
    pub tests: Vec<TestResult>,
    pub error: Option<String>,
    pub duration_ms: f64,
    pub snapshots: Option<SnapshotCounts>,
}

/// A file's snapshots: how each `toMatchSnapshot` went, and what was written or removed.
#[derive(Debug, Clone, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotCounts {
    pub added: usize,
    pub matched: usize,
    pub unmatched: usize,
    pub updated: usize,
    pub obsolete: usize,
    pub removed: usize,
    pub file_added: bool,
    pub file_removed: bool,
    #[serde(default)]
    pub obsolete_keys: Vec<String>,
}

impl FileResult {
    pub fn count(&self, s: Status) -> usize {
        self.tests.iter().filter(|t| t.status == s).count()
    }
}

fn is_test_file(p: &Path) -> bool {
    p.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.ends_with(".test.js") || n.ends_with(".spec.js"))
}

/// Test files under `paths` (files are taken as given), sorted, skipping dependency folders.
pub fn discover(paths: &[PathBuf]) -> Result<Vec<PathBuf>, String> {
    let mut out = Vec::new();
    for p in paths {
        let meta = std::fs::metadata(p)
            .map_err(|e| format!("{}: {}", p.display(), crate::bundle::io_reason(&e)))?;
        if meta.is_file() {
            out.push(p.clone());
        } else {
            walk(p, &mut out);
        }
    }
    out.sort();
    out.dedup();
    Ok(out)
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        let name = e.file_name();
        let name = name.to_string_lossy();
        let Ok(ft) = e.file_type() else { continue };
        if ft.is_dir() {
            if !matches!(
                name.as_ref(),
                "node_modules" | "miniprogram_npm" | "target" | ".git"
            ) {
                walk(&p, out);
            }
        } else if ft.is_file() && is_test_file(&p) {
            out.push(p);
        }
    }
}

/// Where a test file's own `require` is rooted: its bundle if it sits in one, else its folder.
/// The folder a test file's runtime reads from: the project the file belongs to (the nearest
/// folder upwards with a `package.json` or `project.config.json`, where Jest suites keep their
/// tests beside the mini-program), else the nearest with an `app.json`, else the file's own.
fn test_root(file: &Path) -> PathBuf {
    let dir = file.parent().unwrap_or(Path::new("."));
    let mut app = None;
    let mut d = Some(dir);
    while let Some(x) = d {
        if x.join("package.json").is_file() || x.join("project.config.json").is_file() {
            return x.to_path_buf();
        }
        if app.is_none() && x.join("app.json").is_file() {
            app = Some(x.to_path_buf());
        }
        d = x.parent();
    }
    app.unwrap_or_else(|| dir.to_path_buf())
}

fn run_file(shared: &Arc<RunnerShared>, file: &Path, opts: &TestOptions) -> FileResult {
    let started = Instant::now();
    let display = file.display().to_string();
    let display = display.strip_prefix("./").unwrap_or(&display).to_string();
    let mut result = FileResult {
        file: display,
        tests: Vec::new(),
        error: None,
        duration_ms: 0.0,
        snapshots: None,
    };
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    let root = test_root(&abs);
    let rel = abs
        .strip_prefix(&root)
        .unwrap_or(&abs)
        .to_string_lossy()
        .into_owned();
    let files = match BundleFiles::open(&root) {
        Ok(f) => f,
        Err(e) => {
            result.error = Some(e.to_string());
            return result;
        }
    };
    let mut plan = Vec::new();
    let mut start_at = 0usize;
    // A test interrupted while running synchronously (an endless loop) takes its engine with
    // it: the file goes on in a fresh engine from the next test.
    loop {
        let pass = match run_pass(shared, &files, &abs, &rel, &result.file, opts, start_at) {
            Ok(pass) => pass,
            Err(e) => {
                result.error = Some(e);
                break;
            }
        };
        if plan.is_empty() {
            plan = pass.plan;
        }
        result.tests.extend(pass.tests);
        if pass.snapshots.is_some() {
            result.snapshots = pass.snapshots;
        }
        match pass.outcome {
            RunOutcome::TimedOut => match pass.interrupted {
                Some((i, name, ms)) => {
                    result.tests.push(TestResult {
                        name,
                        status: Status::Failed,
                        duration_ms: ms,
                        error: Some("interrupted: the test was still running synchronously at its timeout (an endless loop?)".into()),
                        location: None,
                        output: Vec::new(),
                    });
                    start_at = i + 1;
                    continue;
                }
                None => {
                    result.error = Some(format!("interrupted outside a test\n{}", pass.stderr));
                }
            },
            RunOutcome::Invalid => result.error = Some(pass.stderr),
            _ if plan.is_empty() && result.tests.is_empty() && !pass.stderr.is_empty() => {
                result.error = Some(pass.stderr);
            }
            _ => {}
        }
        break;
    }
    if result.error.is_none() {
        result.tests.extend(missing_results(&plan, &result.tests));
    }
    result.duration_ms = started.elapsed().as_secs_f64() * 1000.0;
    result
}

/// What one engine made of a test file, from test `start_at` on.
struct Pass {
    plan: Vec<String>,
    tests: Vec<TestResult>,
    outcome: RunOutcome,
    /// The test that was running when the engine was interrupted: index, name, duration.
    interrupted: Option<(usize, String, f64)>,
    stderr: String,
    snapshots: Option<SnapshotCounts>,
}

fn run_pass(
    shared: &Arc<RunnerShared>,
    files: &BundleFiles,
    abs: &Path,
    rel: &str,
    display: &str,
    opts: &TestOptions,
    start_at: usize,
) -> Result<Pass, String> {
    let state = Rc::new(FileState::new(shared.clone(), abs.to_path_buf()));
    let output = Rc::new(CapturedOutput::default());
    let ext = TestExtension {
        state: state.clone(),
        root: files.root().to_path_buf(),
    };
    let view = crate::view::ViewExtension::for_tests();
    let options = EngineOptions {
        timeout: Duration::from_secs(3600),
        ..EngineOptions::default()
    };
    let mut engine = Engine::new(
        files.clone(),
        RunContext {
            options: &options,
            output: output.clone(),
            events: crate::engine::events::channel(),
            extensions: &[&view, &ext],
            prelude: Prelude::Test,
        },
    )
    .map_err(|e| e.to_string())?;
    let payload = serde_json::json!({
        "file": rel,
        "display": display,
        "filter": opts.filter,
        "startAt": start_at,
        "timeout": opts.timeout.as_millis() as u64,
        "snapshot": { "update": opts.update_snapshots, "ci": opts.ci, "filtered": opts.filter.is_some() || start_at > 0 },
        "launchDefaults": match &opts.clock { Some(c) => serde_json::json!({ "clock": c }), None => serde_json::json!({}) },
    });
    if engine.start("test:run", &payload) != Progress::Stopped {
        engine.run_until(crate::engine::Until::Idle);
    }
    let outcome = engine.outcome();
    let interrupted = state.current.get().map(|i| {
        let name = state
            .names
            .borrow()
            .get(i)
            .cloned()
            .unwrap_or_else(|| format!("test #{i}"));
        let ms = state
            .began
            .get()
            .map_or(0.0, |t| t.elapsed().as_secs_f64() * 1000.0);
        (i, name, ms)
    });
    state.close_all();
    drop(engine);
    let tests = state
        .results
        .borrow()
        .iter()
        .map(
            |v| match serde_json::from_value::<report::JsResult>(v.clone()) {
                Ok(t) => t.into_result(),
                Err(e) => TestResult {
                    name: "(unreadable test result)".into(),
                    status: Status::Failed,
                    duration_ms: 0.0,
                    error: Some(format!("ftrun could not read a test result ({e}): {v}")),
                    location: None,
                    output: Vec::new(),
                },
            },
        )
        .collect();
    let stderr = output
        .lines
        .borrow()
        .iter()
        .filter(|(s, _)| *s == Stream::Err)
        .map(|(_, l)| l.as_str())
        .collect::<Vec<_>>()
        .join("\n");
    let plan = state.names.borrow().clone();
    let snapshots = state.snapshots.borrow_mut().take();
    Ok(Pass {
        plan,
        tests,
        outcome,
        interrupted,
        stderr,
        snapshots,
    })
}

/// A failure for each planned test that reported no result: a test is never lost silently.
fn missing_results(plan: &[String], tests: &[TestResult]) -> Vec<TestResult> {
    let mut reported: std::collections::HashMap<&str, usize> = Default::default();
    for t in tests {
        *reported.entry(t.name.as_str()).or_default() += 1;
    }
    plan.iter()
        .filter(|name| match reported.get_mut(name.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                false
            }
            _ => true,
        })
        .map(|name| TestResult {
            name: name.clone(),
            status: Status::Failed,
            duration_ms: 0.0,
            error: Some(
                "the test never reported a result (the run ended before it finished)".into(),
            ),
            location: None,
            output: Vec::new(),
        })
        .collect()
}

/// Stack of each test thread: a test file's engine, an app engine launched from it, and the
/// parsers; reserved, not committed, so unused pages cost nothing.
const WORKER_STACK: usize = 64 << 20;

/// Runs the files (already discovered and sharded) and returns their results in file order.
pub fn run_files(
    files: &[PathBuf],
    opts: &TestOptions,
    on_done: &(dyn Fn(&FileResult) + Sync),
) -> Result<Vec<FileResult>, String> {
    let io = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("ftrun-test-io")
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the I/O runtime: {e}"))?;
    let server = io
        .block_on(crate::mockserver::MockServer::start(0, None, None))
        .map_err(|e| format!("cannot start the local test server: {e}"))?;
    let fetcher = crate::bgfetch::fetcher::HyperFetcher::new(None).map_err(|e| e.to_string())?;
    let shared = Arc::new(RunnerShared {
        io: io.handle().clone(),
        server,
        fetcher: Arc::new(fetcher),
        next_test: AtomicU64::new(1),
    });
    let next = AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<FileResult>>> =
        std::sync::Mutex::new(vec![None; files.len()]);
    std::thread::scope(|scope| {
        for _ in 0..opts.jobs.clamp(1, files.len().max(1)) {
            // A test file's engine and the apps it launches nest on this thread's stack (each
            // engine may use 1 MiB of it for JS); the default 2 MiB would overflow.
            let spawned = std::thread::Builder::new()
                .name("ftrun-test".into())
                .stack_size(WORKER_STACK)
                .spawn_scoped(scope, || {
                    loop {
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(file) = files.get(i) else { break };
                        let r = run_file(&shared, file, opts);
                        on_done(&r);
                        results.lock().unwrap_or_else(|p| p.into_inner())[i] = Some(r);
                    }
                });
            if let Err(e) = spawned {
                errln!("warning: cannot start a test thread: {e}");
            }
        }
    });
    drop(shared);
    io.shutdown_background();
    Ok(results
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .into_iter()
        .flatten()
        .collect())
}

/// The files of shard `index` of `count` (1-based), by position in the sorted list.
pub fn shard(files: Vec<PathBuf>, shard: Option<(usize, usize)>) -> Vec<PathBuf> {
    match shard {
        None => files,
        Some((i, n)) => files
            .into_iter()
            .enumerate()
            .filter(|(k, _)| k % n == i - 1)
            .map(|(_, f)| f)
            .collect(),
    }
}
