//! What a test file can do to apps: launch a bundle (a real cold start in a fresh engine, with
//! background fetch against the runner's local server), step it, look inside it, read its
//! stored slots. Exposed to the test runtime as private natives (`js/test/scenario.js`).

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Object};
use serde::Deserialize;

use crate::bgfetch::fetcher::Fetcher;
use crate::bgfetch::service::{Attempt, ColdStart, Services, fetch_and_deliver, start_cold};
use crate::bgfetch::wire::check_url;
use crate::bgfetch::{Clock, FetchType, SystemClock};
use crate::bundle::{Bundle, Project, check_app_files, parse_app_config};
use crate::engine::{
    CapturedOutput, Engine, EngineOptions, Extension, Host, JsSource, Launch, Prelude, Progress,
    RunContext, Stream, Until, js_source,
};
use crate::mockserver::{MockServer, Route};

/// Shared by every test file of a run (any thread).
pub struct RunnerShared {
    pub io: tokio::runtime::Handle,
    pub server: MockServer,
    pub fetcher: Arc<dyn Fetcher>,
    pub next_test: std::sync::atomic::AtomicU64,
    /// `--coverage`: where every engine of the run adds its counts.
    pub coverage: Option<Arc<crate::coverage::Collector>>,
}

/// State of the test file being run, on its thread.
pub struct FileState {
    pub shared: Arc<RunnerShared>,
    /// The test file, absolute.
    pub file: PathBuf,
    /// Open scopes, outermost first: one per suite whose `beforeAll` ran, then the running
    /// test's. Each has its data dir, server routes, doubles and apps.
    scopes: RefCell<Vec<Scope>>,
    /// Index in `scopes` of the running test's scope.
    test_scope: std::cell::Cell<Option<usize>>,
    sessions: RefCell<HashMap<u32, AppSession>>,
    next_session: std::cell::Cell<u32>,
    /// Result lines reported by the JS framework.
    pub results: RefCell<Vec<serde_json::Value>>,
    /// Index of the test running now (for interrupts).
    pub current: std::cell::Cell<Option<usize>>,
    /// Full names of the file's tests, in run order (the plan).
    pub names: RefCell<Vec<String>>,
    /// When the current test began.
    pub began: std::cell::Cell<Option<std::time::Instant>>,
    /// The file's snapshot counts, reported by `js/test/snapshot.js` after its last test.
    pub snapshots: RefCell<Option<super::SnapshotCounts>>,
    /// What the file's result depends on (for `--watch`): the folders of the bundles it
    /// launched and the modules it required, absolute.
    pub deps: RefCell<Vec<PathBuf>>,
}

/// What a suite (from its `beforeAll` to its `afterAll`) or a test owns.
struct Scope {
    /// Its routes' path prefix on the local server.
    prefix: String,
    /// A fresh data dir, created at its first launch.
    data: Option<tempfile::TempDir>,
    routes: Vec<String>,
    /// Declared absolute URLs (without query) -> the local path that answers for them.
    external: Vec<(String, String)>,
    /// `ftrun.mock` doubles: `{ name, source | value }`.
    mocks: Vec<serde_json::Value>,
    /// Apps launched in it; they close when it ends.
    apps: Vec<u32>,
}

pub(super) struct AppSession {
    pub(super) engine: Engine,
    output: Rc<CapturedOutput>,
    warnings: Arc<Mutex<Vec<String>>>,
    pub(super) services: Arc<Services>,
    pub(super) app_id: String,
    launch: Launch,
    periodic_url: Option<url::Url>,
    /// `app.json` and the phone, for screenshots.
    app_json: serde_json::Value,
    device: Option<crate::engine::Device>,
}

#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase", default)]
pub(super) struct LaunchOptions {
    bundle: Option<String>,
    path: Option<String>,
    query: Option<String>,
    scene: Option<u32>,
    app_id: Option<String>,
    prefetch_url: Option<String>,
    periodic_url: Option<String>,
    period_hours: Option<u32>,
    no_prefetch: bool,
    timeout_ms: Option<u64>,
    until: Option<String>,
    device: Option<String>,
    /// The app's timeline events, for `app.timeline()`.
    timeline: bool,
    mocks: Vec<serde_json::Value>,
    /// 'virtual': the app's timers, Date and performance follow a clock the test advances.
    clock: Option<String>,
}

impl FileState {
    pub fn new(shared: Arc<RunnerShared>, file: PathBuf) -> Self {
        FileState {
            shared,
            file,
            scopes: RefCell::default(),
            test_scope: std::cell::Cell::new(None),
            sessions: RefCell::default(),
            next_session: std::cell::Cell::new(1),
            results: RefCell::default(),
            current: std::cell::Cell::new(None),
            names: RefCell::default(),
            began: std::cell::Cell::new(None),
            snapshots: RefCell::default(),
            deps: RefCell::default(),
        }
    }

    /// A suite's scope opens (before its `beforeAll` hooks).
    pub fn begin_scope(&self) {
        let seq = self
            .shared
            .next_test
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        self.scopes.borrow_mut().push(Scope {
            prefix: format!("/t{seq}"),
            data: None,
            routes: Vec::new(),
            external: Vec::new(),
            mocks: Vec::new(),
            apps: Vec::new(),
        });
    }

    /// The innermost scope closes (after its `afterAll` hooks): its apps and data dir go.
    pub fn end_scope(&self) {
        let depth = self.scopes.borrow().len().saturating_sub(1);
        self.close_scopes(depth);
    }

    /// Closes the scopes from `depth` inwards, with their apps.
    fn close_scopes(&self, depth: usize) {
        let closed: Vec<Scope> = {
            let mut scopes = self.scopes.borrow_mut();
            let at = depth.min(scopes.len());
            scopes.drain(at..).collect()
        };
        let mut sessions = self.sessions.borrow_mut();
        for scope in closed.iter().rev() {
            for id in &scope.apps {
                sessions.remove(id);
            }
        }
    }

    /// A new test starts: a scope of its own (data dir, routes, doubles).
    pub fn begin_test(&self, index: usize) {
        self.end_test();
        self.current.set(Some(index));
        self.began.set(Some(std::time::Instant::now()));
        self.test_scope.set(Some(self.scopes.borrow().len()));
        self.begin_scope();
    }

    /// Closes the running test's scope and its apps.
    pub fn end_test(&self) {
        if let Some(depth) = self.test_scope.take() {
            self.close_scopes(depth);
        }
    }

    /// Closes every scope (the file is done, or its engine stopped).
    pub fn close_all(&self) {
        self.test_scope.set(None);
        self.close_scopes(0);
    }

    /// Runs `f` on the innermost scope.
    fn innermost<T>(&self, what: &str, f: impl FnOnce(&mut Scope) -> T) -> Result<T, String> {
        let mut scopes = self.scopes.borrow_mut();
        let scope = scopes.last_mut().ok_or_else(|| {
            format!("{what} must be called inside a test or a hook (beforeAll, beforeEach, ...)")
        })?;
        Ok(f(scope))
    }

    fn data_dir(&self) -> Result<PathBuf, String> {
        self.innermost("launch()", |scope| {
            if scope.data.is_none() {
                scope.data = Some(tempfile::tempdir().map_err(|e| format!("temp data dir: {e}"))?);
            }
            Ok(scope
                .data
                .as_ref()
                .map(|d| d.path().to_path_buf())
                .unwrap_or_default())
        })?
    }

    /// `ftrun.mock(name, double)`: for apps launched from now on in this scope, and installed
    /// at once in the apps already running, so it is never silently ignored.
    pub(super) fn set_mock(&self, spec: serde_json::Value) -> Result<(), String> {
        self.innermost("ftrun.mock()", |scope| scope.mocks.push(spec.clone()))?;
        let code = format!("__ftrunInstallMock({spec})");
        for session in self.sessions.borrow_mut().values_mut() {
            session.engine.eval_json(&code)?;
        }
        Ok(())
    }

    /// Doubles for a launch: the outer scopes' first, so inner ones win.
    fn mocks(&self) -> Vec<serde_json::Value> {
        self.scopes
            .borrow()
            .iter()
            .flat_map(|s| s.mocks.iter().cloned())
            .collect()
    }

    /// The local URL of endpoint `kind` ('pre', 'periodic'), declared in this scope or an
    /// enclosing one.
    pub(super) fn route_url(&self, kind: &str) -> Option<String> {
        let scopes = self.scopes.borrow();
        let scope = scopes
            .iter()
            .rev()
            .find(|s| s.routes.iter().any(|r| r == kind))?;
        Some(self.shared.server.url(&format!("{}/{kind}", scope.prefix)))
    }

    pub(super) fn set_route(&self, kind: &str, route: Route) -> Result<(), String> {
        self.innermost(&format!("ftrun.server.{kind}()"), |scope| {
            self.shared
                .server
                .route(&format!("{}/{kind}", scope.prefix), route);
            if !scope.routes.iter().any(|r| r == kind) {
                scope.routes.push(kind.to_string());
            }
        })
    }

    /// Declares what `url` (absolute, or a path on the local server) answers; returns the URL
    /// an app can use for it.
    pub(super) fn set_url_route(&self, url: &str, route: Route) -> Result<String, String> {
        let parsed = if url.starts_with('/') {
            None
        } else {
            Some(url::Url::parse(url).map_err(|e| format!("server.route('{url}'): {e}"))?)
        };
        self.innermost("ftrun.server.route()", |scope| match parsed {
            None => {
                let local = format!("{}/r{url}", scope.prefix);
                self.shared.server.route(&local, route);
                self.shared.server.url(&local)
            }
            Some(parsed) => {
                let local = format!(
                    "{}/x/{}{}",
                    scope.prefix,
                    parsed.host_str().unwrap_or(""),
                    parsed.path()
                );
                self.shared.server.route(&local, route);
                scope.external.push((strip_query(&parsed), local));
                url.to_string()
            }
        })
    }

    /// The local path that answers for a declared absolute URL, innermost scope first.
    fn external_route(&self, u: &url::Url) -> Option<String> {
        let key = strip_query(u);
        self.scopes.borrow().iter().rev().find_map(|s| {
            s.external
                .iter()
                .rev()
                .find(|(k, _)| *k == key)
                .map(|(_, l)| l.clone())
        })
    }

    /// The network policy of apps launched by tests: the runner's server, and URLs the test
    /// declared (served by it); nothing else.
    fn map_request(&self, u: &url::Url) -> Result<url::Url, String> {
        let server = self.shared.server.addr();
        if u.host_str() == Some("127.0.0.1") && u.port() == Some(server.port()) {
            return Ok(u.clone());
        }
        match self.external_route(u) {
            Some(path) => {
                let mut target =
                    url::Url::parse(&self.shared.server.url(&path)).map_err(|e| e.to_string())?;
                target.set_query(u.query());
                Ok(target)
            }
            None => Err(format!(
                "url not in domain list: {} (ftrun test reaches only its local server and the URLs a test declares; declare it with ftrun.server.route(url, response) or replace wx.request with ftrun.mock)",
                u.host_str().unwrap_or("")
            )),
        }
    }

    /// What the local server received on an endpoint: `'pre'`, `'periodic'` (declared in this
    /// scope or an enclosing one), or a URL that `server.route` returned or declared.
    pub(super) fn requests(&self, which: &str) -> Vec<serde_json::Value> {
        let path = match url::Url::parse(which) {
            Ok(u) => self
                .external_route(&u)
                .unwrap_or_else(|| u.path().to_string()),
            Err(_) => match self.route_url(which) {
                Some(url) => url::Url::parse(&url)
                    .map(|u| u.path().to_string())
                    .unwrap_or_default(),
                None => return Vec::new(),
            },
        };
        self.shared
            .server
            .received_on(&path)
            .into_iter()
            .map(|r| {
                let query: serde_json::Map<String, serde_json::Value> = r
                    .query
                    .iter()
                    .map(|(k, v)| (k.clone(), v.clone().into()))
                    .collect();
                serde_json::json!({ "method": r.method, "path": r.path, "query": query,
                    "rawQuery": r.raw_query, "body": r.body,
                    "headers": r.headers.into_iter().collect::<HashMap<_, _>>(), "time": r.at_ms })
            })
            .collect()
    }

    /// The bundle a launch runs: `bundle` relative to the test file, else the nearest folder
    /// upwards with an `app.json`.
    fn bundle_root(&self, rel: Option<&str>) -> Result<PathBuf, String> {
        let dir = self.file.parent().unwrap_or(Path::new("."));
        if let Some(rel) = rel {
            return Ok(dir.join(rel));
        }
        nearest_bundle(dir).ok_or_else(|| {
            format!("no app.json in {} or any folder above it: pass launch({{ bundle: 'path/to/bundle' }})", dir.display())
        })
    }

    pub(super) fn launch(self: &Rc<Self>, opts: LaunchOptions) -> Result<u32, String> {
        let root = self.bundle_root(opts.bundle.as_deref())?;
        let project = Project::open(&root).map_err(|e| e.to_string())?;
        let files = project.files.clone();
        self.deps.borrow_mut().push(files.root().to_path_buf());
        let config = parse_app_config(&files).map_err(|e| e.to_string())?;
        let app_id = project
            .app_id(opts.app_id.as_deref())
            .map_err(|e| e.to_string())?;
        let notice = app_id.notice();
        let app_id = app_id.id;
        let (path, query) = config
            .launch_target(opts.path.as_deref(), opts.query.as_deref().unwrap_or(""))
            .map_err(|e| {
                format!(
                    "launch({{ path: '{}' }}): {e}",
                    opts.path.as_deref().unwrap_or("")
                )
            })?;
        let launch = Launch {
            path,
            query,
            scene: opts.scene.unwrap_or(1001),
        };
        check_app_files(&files, &config, &launch.path, project.typescript())
            .map_err(|e| e.to_string())?;
        let device = opts
            .device
            .as_deref()
            .map(|d| {
                d.parse::<crate::engine::Device>()
                    .map_err(|e| format!("launch({{ device }}): {e}"))
            })
            .transpose()?;
        let data_dir = self.data_dir()?;
        let warnings: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(notice.into_iter().collect()));
        let w = warnings.clone();
        let clock: Arc<dyn Clock> = Arc::new(SystemClock::from_env());
        let mut services = Services::new(
            data_dir,
            None,
            Duration::from_secs(20),
            clock,
            Arc::new(move |line: &str| {
                w.lock()
                    .unwrap_or_else(|p| p.into_inner())
                    .push(line.to_string())
            }),
        );
        if opts.timeline {
            services.timeline = Some(Arc::default());
        }
        let services = Arc::new(services);
        services.set_fetcher(self.shared.fetcher.clone());
        let url =
            |given: &Option<String>, kind: &str, flag: &str| -> Result<Option<url::Url>, String> {
                match given.clone().or_else(|| self.route_url(kind)) {
                    Some(u) => check_url(flag, &u).map(Some).map_err(|e| e.to_string()),
                    None => Ok(None),
                }
            };
        let prefetch_url = url(&opts.prefetch_url, "pre", "prefetchUrl")?;
        let periodic_url = url(&opts.periodic_url, "periodic", "periodicUrl")?;
        if let Some(hours) = opts.period_hours {
            let hours = crate::bgfetch::check_period(hours)?;
            services
                .store()?
                .update_config(&app_id, |cfg| cfg.period_hours = Some(hours))
                .map_err(|e| e.to_string())?;
        }
        let (events_tx, events_rx) = crate::engine::events::channel();
        let io = crate::io::Io::from_handle(self.shared.io.clone());
        start_cold(
            &io,
            services.clone(),
            ColdStart {
                app_id: app_id.clone(),
                launch: launch.clone(),
                app_version: "devtool".into(),
                wire: None,
                prefetch_url,
                periodic_url: periodic_url.clone(),
                no_prefetch: opts.no_prefetch,
                // Test data dirs are thrown away; no daemon reads their launch times.
                note_launch: false,
            },
            events_tx.clone(),
        );
        let me = self.clone();
        let policy =
            crate::apis::request::NetworkPolicy::Rewrite(Rc::new(move |u| me.map_request(u)));
        let apis = crate::apis::Standard::new(&services, &app_id, &io, policy);
        let mut specs = self.mocks();
        specs.extend(opts.mocks.iter().cloned());
        let mocks = MockExtension {
            specs: serde_json::Value::from(specs).to_string(),
        };
        let output = Rc::new(CapturedOutput::default());
        let options = EngineOptions {
            timeout: Duration::from_millis(opts.timeout_ms.unwrap_or(10_000)),
            coverage: self.shared.coverage.clone(),
            timeline: opts.timeline,
            ..EngineOptions::default()
        };
        let mut engine = Engine::new(
            files.clone(),
            RunContext {
                options: &options,
                output: output.clone(),
                events: (events_tx, events_rx),
                extensions: &apis.with(&mocks),
                prelude: Prelude::App,
            },
        )
        .map_err(|e| e.to_string())?;
        let bundle = Bundle {
            files,
            config,
            app_id: app_id.clone(),
            typescript: project.typescript(),
        };
        match opts.clock.as_deref() {
            None | Some("real") => {}
            Some("virtual") => engine.use_virtual_clock(),
            Some(other) => {
                return Err(format!(
                    "launch({{ clock: '{other}' }}): expected 'virtual' or 'real'"
                ));
            }
        }
        let progress = engine.start(
            "boot",
            &crate::engine::boot_payload(&bundle, &launch, device),
        );
        if progress != Progress::Stopped && opts.until.as_deref() != Some("ready") {
            engine.run_until(Until::Idle);
        }
        let id = self.next_session.get();
        self.next_session.set(id + 1);
        self.innermost("launch()", |scope| scope.apps.push(id))?;
        self.sessions.borrow_mut().insert(
            id,
            AppSession {
                engine,
                output,
                warnings,
                services,
                app_id,
                launch,
                periodic_url,
                app_json: bundle.config.raw.clone(),
                device,
            },
        );
        Ok(id)
    }

    pub(super) fn with_session<T>(
        &self,
        id: u32,
        f: impl FnOnce(&mut AppSession) -> Result<T, String>,
    ) -> Result<T, String> {
        let mut sessions = self.sessions.borrow_mut();
        let s = sessions
            .get_mut(&id)
            .ok_or("this app was closed (apps live until the end of their test)")?;
        f(s)
    }
}

fn strip_query(u: &url::Url) -> String {
    let mut u = u.clone();
    u.set_query(None);
    u.set_fragment(None);
    u.to_string()
}

fn nearest_bundle(start: &Path) -> Option<PathBuf> {
    let mut dir = Some(start);
    while let Some(d) = dir {
        if d.join("app.json").is_file() || d.join("project.config.json").is_file() {
            return Some(d.to_path_buf());
        }
        dir = d.parent();
    }
    None
}

impl AppSession {
    /// A picture of a page (`page.screenshot`, automator's `miniProgram.screenshot`): its
    /// parts as `js/view/html.js` gives them, drawn by headless Chromium at the app's device
    /// size, written to `path` (relative to the working folder), or returned as base64 PNG
    /// when `path` is empty.
    pub(super) fn screenshot(&self, parts: &str, path: &str) -> Result<String, String> {
        use crate::browser::{self, Viewport};
        let parts: crate::view::html::PageParts =
            serde_json::from_str(parts).map_err(|e| format!("screenshot: {e}"))?;
        let document =
            crate::view::html::document(&self.engine.host().files, &self.app_json, &parts);
        let dir = tempfile::tempdir().map_err(|e| format!("screenshot: temp folder: {e}"))?;
        let page = dir.path().join("page.html");
        std::fs::write(&page, document).map_err(|e| format!("screenshot: {e}"))?;
        let png = match path {
            "" => dir.path().join("page.png"),
            p => PathBuf::from(p),
        };
        let viewport = Viewport::of(self.device.unwrap_or(crate::engine::Device::PHONE));
        browser::screenshot(&page, &png, viewport, std::time::Duration::from_secs(60))
            .map_err(|e| format!("screenshot: {e}"))?;
        if !path.is_empty() {
            return Ok(String::new());
        }
        let bytes = std::fs::read(&png).map_err(|e| format!("screenshot: {e}"))?;
        Ok(crate::apis::request::base64(&bytes))
    }

    /// `app.timeline()` (`launch({ timeline: true })`): its JS's events and its store's and network's, in time order.
    pub(super) fn timeline_json(&self) -> String {
        let mut events = match &self.engine.host().timeline {
            Some(js) => js.borrow().clone(),
            None => Vec::new(),
        };
        if let Some(io) = &self.services.timeline {
            events.extend(io.lock().map(|e| e.clone()).unwrap_or_default());
        }
        events.sort_by(|a, b| a.us.total_cmp(&b.us));
        serde_json::to_string(&events).unwrap_or_else(|_| "[]".into())
    }

    pub(super) fn progress_json(&self, p: Progress) -> String {
        let state = match p {
            Progress::Reached => "reached",
            Progress::Idle => "idle",
            Progress::Stopped => "stopped",
        };
        serde_json::json!({ "state": state, "exitCode": self.engine.outcome().exit_code() })
            .to_string()
    }

    pub(super) fn output_json(&self) -> String {
        let lines = self.output.lines.borrow();
        let mut stdout = Vec::new();
        let mut stderr = Vec::new();
        for (stream, text) in lines.iter() {
            match stream {
                Stream::Out => stdout.push(text.clone()),
                Stream::Err => stderr.push(text.clone()),
            }
        }
        stderr.extend(
            self.warnings
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .iter()
                .cloned(),
        );
        serde_json::json!({ "stdout": stdout, "stderr": stderr, "exitCode": self.engine.outcome().exit_code() })
            .to_string()
    }

    /// A periodic request now (the IDE's "Fetch Periodic Data"), delivered to the app.
    pub(super) fn trigger_periodic(
        &mut self,
        io: &tokio::runtime::Handle,
    ) -> Result<String, String> {
        let Some(url) = self.periodic_url.clone() else {
            return Err("triggerPeriodic: no periodic endpoint (declare server.periodic(...) or pass periodicUrl)".into());
        };
        let store = self.services.store()?;
        let Some(token) = store.token(&self.app_id).map_err(|e| e.to_string())? else {
            let line = format!(
                "warning: periodic fetch for {} not sent: {}",
                self.app_id,
                crate::bgfetch::service::NO_TOKEN
            );
            self.warnings
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .push(line);
            return Ok(self.progress_json(Progress::Idle));
        };
        let attempt = Attempt {
            app_id: self.app_id.clone(),
            kind: FetchType::Periodic,
            url,
            token: Some(token),
            app_version: "devtool".into(),
            launch: self.launch.clone(),
            wire: Default::default(),
        };
        let work = self.engine.host().events.hold();
        io.spawn(fetch_and_deliver(self.services.clone(), attempt, work));
        let p = self.engine.run_until(Until::Idle);
        Ok(self.progress_json(p))
    }
}

/// Test doubles for `ft`/`wx` APIs, installed in the app after the real ones.
struct MockExtension {
    specs: String,
}

impl Extension for MockExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        const JS: &[JsSource] = &[js_source!("test/mock.js"), js_source!("test/automation.js")];
        JS
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        _host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let specs = self.specs.clone();
        native.set("mockSpecs", Func::from(move || specs.clone()))
    }
}
