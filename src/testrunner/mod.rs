//! `ftrun test`: finds `*.test.js` / `*.spec.js` files, runs each in its own test runtime
//! (Jest-style API in `js/test/`), lets tests launch bundles against a real local server, and
//! reports (default, TAP, JUnit). Files run in parallel on `--jobs` threads.

pub mod config;
pub mod discover;
mod hoist;
mod inline;
pub mod jest_json;
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
    pub filter: Option<String>,
    /// `-u`: rewrite snapshots that differ, remove obsolete ones.
    pub update_snapshots: bool,
    /// `--ci`: never write a snapshot; a missing one fails.
    pub ci: bool,
    /// `--clock virtual`: apps launched by tests start on a virtual clock.
    pub clock: Option<String>,
    pub jobs: usize,
    /// Default per-test timeout.
    pub timeout: Duration,
    /// `--bail N`: take no new file once this many files have failed.
    pub bail: Option<usize>,
    /// `--verbose`: keep the console output of passing tests too.
    pub verbose: bool,
    /// `--silent`: drop the tests' console output.
    pub silent: bool,
    /// `--coverage`: the run's collector.
    pub coverage: Option<Arc<crate::coverage::Collector>>,
}

/// One test's outcome.
#[derive(Debug, Clone, serde::Serialize)]
pub struct TestResult {
    /// The full name: describe blocks and the test's own title, joined by ` › `.
    pub name: String,
    /// The describe blocks around the test, outermost first (Jest's `ancestorTitles`).
    pub ancestors: Vec<String>,
    /// The test's own title.
    pub title: String,
    pub status: Status,
    pub duration_ms: f64,
    pub error: Option<String>,
    pub location: Option<String>,
    pub output: Vec<String>,
}

impl TestResult {
    /// A failure ftrun reports for a test (one that never reported, was interrupted...).
    pub fn failure(name: String, duration_ms: f64, error: String) -> TestResult {
        TestResult {
            title: name.rsplit(" › ").next().unwrap_or(&name).to_string(),
            ancestors: Vec::new(),
            name,
            status: Status::Failed,
            duration_ms,
            error: Some(error),
            location: None,
            output: Vec::new(),
        }
    }
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
    /// When it began, in ms since the Unix epoch.
    pub started_ms: i64,
    pub snapshots: Option<SnapshotCounts>,
    /// What its result depends on (for `--watch`): bundle folders launched, modules required.
    #[serde(skip)]
    pub deps: Vec<PathBuf>,
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

impl SnapshotCounts {
    /// Adds another file's counts (the totals of a run; flags and keys stay per file).
    pub fn add(&mut self, other: &SnapshotCounts) {
        self.added += other.added;
        self.matched += other.matched;
        self.unmatched += other.unmatched;
        self.updated += other.updated;
        self.obsolete += other.obsolete;
        self.removed += other.removed;
    }
}

impl FileResult {
    pub fn count(&self, s: Status) -> usize {
        self.tests.iter().filter(|t| t.status == s).count()
    }

    /// It could not run, or a test in it failed.
    pub fn failed(&self) -> bool {
        self.error.is_some() || self.count(Status::Failed) > 0
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
        started_ms: chrono::Utc::now().timestamp_millis(),
        snapshots: None,
        deps: Vec::new(),
    };
    let abs = std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf());
    result.deps.push(abs.clone());
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
        result.deps.extend(pass.deps);
        match pass.outcome {
            RunOutcome::TimedOut => match pass.interrupted {
                Some((i, name, ms)) => {
                    result.tests.push(TestResult::failure(
                        name,
                        ms,
                        "interrupted: the test was still running synchronously at its timeout (an endless loop?)".into(),
                    ));
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
    if opts.silent {
        for t in &mut result.tests {
            t.output.clear();
        }
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
    deps: Vec<PathBuf>,
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
        coverage: shared.coverage.clone(),
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
        "verbose": opts.verbose && !opts.silent,
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
                Err(e) => TestResult::failure(
                    "(unreadable test result)".into(),
                    0.0,
                    format!("ftrun could not read a test result ({e}): {v}"),
                ),
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
    let deps = state.deps.take();
    Ok(Pass {
        deps,
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
        .map(|name| {
            TestResult::failure(
                name.clone(),
                0.0,
                "the test never reported a result (the run ended before it finished)".into(),
            )
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
        coverage: opts.coverage.clone(),
    });
    let next = AtomicUsize::new(0);
    let failed_files = AtomicUsize::new(0);
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
                        if opts
                            .bail
                            .is_some_and(|n| failed_files.load(Ordering::SeqCst) >= n)
                        {
                            break;
                        }
                        let i = next.fetch_add(1, Ordering::SeqCst);
                        let Some(file) = files.get(i) else { break };
                        let r = run_file(&shared, file, opts);
                        if r.failed() {
                            failed_files.fetch_add(1, Ordering::SeqCst);
                        }
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
