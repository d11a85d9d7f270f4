//! The JavaScript engine: one QuickJS runtime per app run, its limits, the JS prelude that
//! implements the mini-program conventions, and the event loop.

mod errors;
pub mod events;
mod heap;
mod host;
mod natives;
pub mod output;
pub mod regexp;
mod run_loop;
mod text;
mod timers;

pub use errors::{EngineError, format_secs};
pub use events::{EventReceiver, EventSender, HostEvent, PendingWork};
pub use host::Host;
pub(crate) use natives::{compile_wrapped_as, throw_compile_error};
pub use natives::{json_to_js, storage_error, throw_error};
pub use output::{CapturedOutput, OutputSink, ProcessOutput, Stream};
pub use text::Text;

use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::{Context, Ctx, Function, Object, Runtime};

use crate::bundle::{Bundle, BundleFiles};

/// Limits and knobs of one run.
#[derive(Debug, Clone)]
pub struct EngineOptions {
    /// Whole-run deadline (`--timeout`).
    pub timeout: Duration,
    /// JS heap limit in bytes (`--max-memory`).
    pub max_memory: usize,
    /// JS stack limit in bytes: deep recursion becomes a RangeError, not a crash.
    pub max_stack: usize,
    /// `ftrun test --coverage`: the project's files are instrumented and counted here.
    pub coverage: Option<std::sync::Arc<crate::coverage::Collector>>,
    /// `launch({ timeline: true })`: this engine's JS records its timeline events for the test.
    pub timeline: bool,
}

impl Default for EngineOptions {
    fn default() -> Self {
        EngineOptions {
            timeout: Duration::from_secs(30),
            max_memory: 256 << 20,
            max_stack: 1 << 20,
            coverage: None,
            timeline: false,
        }
    }
}

/// How the app is launched (`--path`, `--query`, `--scene`).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Launch {
    pub path: String,
    pub query: String,
    pub scene: u32,
}

/// The phone a headless run pretends to be (`--device WxH@R`): screen size in CSS pixels and
/// pixel ratio. The default is 375 x 667 at 2.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub width: u32,
    pub height: u32,
    pub pixel_ratio: f64,
}

impl Device {
    /// What a run pretends to be unless told: 375 x 667 CSS px at pixel ratio 2.
    pub const PHONE: Device = Device {
        width: 375,
        height: 667,
        pixel_ratio: 2.0,
    };
}

impl std::str::FromStr for Device {
    type Err = String;
    /// `375x667`, `414x896@3`.
    fn from_str(s: &str) -> Result<Device, String> {
        let bad = || format!("'{s}': expected WIDTHxHEIGHT[@RATIO], e.g. 375x667@2");
        let (size, ratio) = s.split_once('@').unwrap_or((s, "2"));
        let (w, h) = size.split_once(['x', 'X']).ok_or_else(bad)?;
        let width: u32 = w.trim().parse().map_err(|_| bad())?;
        let height: u32 = h.trim().parse().map_err(|_| bad())?;
        let pixel_ratio: f64 = ratio.trim().parse().map_err(|_| bad())?;
        let sane = (100..=10_000).contains(&width)
            && (100..=10_000).contains(&height)
            && (0.5..=8.0).contains(&pixel_ratio);
        if !sane {
            return Err(format!(
                "'{s}': sizes are 100 to 10000 px, the ratio 0.5 to 8"
            ));
        }
        Ok(Device {
            width,
            height,
            pixel_ratio,
        })
    }
}

/// How a run ended; maps to the exit status of `ftrun run`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RunOutcome {
    /// Ran clean (0).
    Clean,
    /// Uncaught errors or unhandled rejections were reported (1).
    AppErrors,
    /// The bundle is invalid, e.g. a syntax error (2). The message is printed already.
    Invalid,
    /// `--timeout` hit (124). The message is printed already.
    TimedOut,
}

impl RunOutcome {
    pub fn exit_code(&self) -> i32 {
        match self {
            RunOutcome::Clean => 0,
            RunOutcome::AppErrors => 1,
            RunOutcome::Invalid => 2,
            RunOutcome::TimedOut => 124,
        }
    }
}

/// A capability added to the runtime: private natives plus the JS that builds the public API
/// on them. Each JS source is `(function (native, internal) { ... })`.
pub trait Extension {
    fn js_sources(&self) -> &'static [JsSource];
    fn install<'js>(
        &self,
        ctx: &Ctx<'js>,
        native: &Object<'js>,
        host: &Rc<Host>,
    ) -> rquickjs::Result<()>;
}

/// One file of the JS prelude: its name (in stack traces) and its bytecode compiled at build
/// time (`build.rs`). Its source is in the binary only where that compile failed (the bytecode
/// is then empty and the source is compiled at run time); otherwise `source` is empty.
#[derive(Debug, Clone, Copy)]
pub struct JsSource {
    pub name: &'static str,
    pub source: &'static str,
    pub bytecode: &'static [u8],
}

/// `js_source!("core.js")`: a file under `js/`, with its build-time bytecode.
macro_rules! js_source {
    ($path:literal) => {
        $crate::engine::JsSource {
            name: concat!("ftrun:js/", $path),
            source: include_str!(concat!(env!("OUT_DIR"), "/js/", $path, ".src")),
            bytecode: include_bytes!(concat!(env!("OUT_DIR"), "/js/", $path, ".qjsbc")),
        }
    };
}
pub(crate) use js_source;

/// The core prelude, in load order. Later files use what earlier ones put on `internal`.
const CORE_JS: &[JsSource] = &[
    js_source!("core.js"),
    js_source!("compat.js"),
    js_source!("console.js"),
    js_source!("timers.js"),
    js_source!("require.js"),
];

/// The mini-program layer: App/Page/Component and the `ft`/`wx` object.
const APP_JS: &[JsSource] = &[
    js_source!("component.js"),
    js_source!("app.js"),
    js_source!("wx.js"),
    js_source!("system.js"),
    js_source!("navigation.js"),
];

/// Prelude files loaded on first use (`internal.loadLazy(name)`), so no cold start pays for
/// them: code frames (an error), the wx API table (a name ftrun lacks), wx.cloud, and the
/// view layer's events, queries, built-in actions, relations and serialisation.
pub(crate) const LAZY_JS: &[JsSource] = &[
    js_source!("codeframe.js"),
    js_source!("wx-api-table.js"),
    js_source!("cloud.js"),
    // The view layer's parts a page may not use (see js/view/tree.js).
    js_source!("view/serialize.js"),
    js_source!("view/builtins.js"),
    js_source!("view/events.js"),
    js_source!("view/query.js"),
    js_source!("view/relations.js"),
    js_source!("view/html.js"),
    // miniprogram-simulate in a test file's runtime.
    js_source!("test/simulate.js"),
];

/// Runs the lazy prelude file `name` (once; the JS side remembers).
pub(crate) fn load_lazy<'js>(
    ctx: &Ctx<'js>,
    name: &str,
    native: Object<'js>,
    internal: Object<'js>,
) -> rquickjs::Result<()> {
    let js = LAZY_JS
        .iter()
        .find(|j| j.name.strip_prefix("ftrun:js/") == Some(name))
        .ok_or_else(|| throw_error(ctx, format!("ftrun: no prelude file '{name}'")))?;
    load_prelude(ctx, js)?.call((native, internal))
}

/// Which JS layer sits on the core: a mini-program, or a test file (`ftrun test`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Prelude {
    App,
    Test,
}

/// Everything an engine needs besides the files it may read.
pub struct RunContext<'a> {
    pub options: &'a EngineOptions,
    pub output: Rc<dyn OutputSink>,
    pub events: (EventSender, EventReceiver),
    pub extensions: &'a [&'a dyn Extension],
    pub prelude: Prelude,
}

/// The start of a bytecode file build.rs stored deflated (the test prelude).
const PACKED_MAGIC: &[u8] = b"ftz1";

/// `js`'s bytecode, inflated once per process where build.rs stored it deflated; empty when
/// it does not inflate (the source is used then).
fn bytecode(js: &JsSource) -> &'static [u8] {
    use std::sync::Mutex;
    let Some(packed) = js.bytecode.strip_prefix(PACKED_MAGIC) else {
        return js.bytecode;
    };
    static INFLATED: Mutex<Vec<(&str, &[u8])>> = Mutex::new(Vec::new());
    let mut inflated = INFLATED.lock().unwrap_or_else(|p| p.into_inner());
    if let Some((_, bytes)) = inflated.iter().find(|(name, _)| *name == js.name) {
        return bytes;
    }
    let bytes: &'static [u8] = match miniz_oxide::inflate::decompress_to_vec(packed) {
        Ok(bytes) => Box::leak(bytes.into_boxed_slice()),
        Err(_) => &[],
    };
    inflated.push((js.name, bytes));
    bytes
}

/// The prelude file's value (a `(native, internal) => ...` function), from its bytecode when
/// that loads, else from its source.
fn load_prelude<'js>(ctx: &Ctx<'js>, js: &JsSource) -> rquickjs::Result<Function<'js>> {
    use rquickjs::qjs;
    let bytecode = bytecode(js);
    if !bytecode.is_empty() {
        // SAFETY: the bytecode was written by the same QuickJS version (build.rs); a failed read
        // leaves an exception that is taken and dropped, and the source is used instead. The
        // value JS_EvalFunction returns is owned and handed to rquickjs.
        unsafe {
            let raw = ctx.as_raw().as_ptr();
            let obj = qjs::JS_ReadObject(
                raw,
                bytecode.as_ptr(),
                bytecode.len() as _,
                qjs::JS_READ_OBJ_BYTECODE as i32,
            );
            if qjs::JS_IsException(obj) {
                let _ = ctx.catch();
            } else {
                let val = qjs::JS_EvalFunction(raw, obj);
                if qjs::JS_IsException(val) {
                    return Err(rquickjs::Error::Exception);
                }
                let v = rquickjs::Value::from_raw(ctx.clone(), val);
                if let Some(f) = v.into_function() {
                    return Ok(f);
                }
            }
        }
    }
    if js.source.is_empty() {
        return Err(rquickjs::Exception::throw_internal(
            ctx,
            &format!("{}: its build-time bytecode did not load", js.name),
        ));
    }
    let mut opts = rquickjs::context::EvalOptions::default();
    opts.filename = Some(js.name.to_string());
    opts.strict = true;
    ctx.eval_with_options(js.source, opts)
}

fn eval_prelude<'js>(
    ctx: &Ctx<'js>,
    js: &JsSource,
    native: &Object<'js>,
    internal: &Object<'js>,
) -> Result<(), EngineError> {
    use rquickjs::CatchResultExt;
    let name = js.name;
    let f = load_prelude(ctx, js)
        .catch(ctx)
        .map_err(|e| EngineError::Prelude(format!("{name}: {e}")))?;
    f.call::<_, ()>((native.clone(), internal.clone()))
        .catch(ctx)
        .map_err(|e| EngineError::Prelude(format!("{name}: {e}")))?;
    tracing::trace!("engine: prelude {name} loaded");
    Ok(())
}

/// How far [`Engine::run_until`] should run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Until {
    /// Nothing pending: no timers, no host work, no jobs.
    Idle,
    /// A host event of this kind has been delivered (e.g. `"bgfetch"`).
    Event(&'static str),
    /// What is ready now has run (microtasks, due timers, queued events); nothing is waited for.
    Settled,
    /// Idle, or this much time has passed (a test's `waitFor(ms)`).
    For(Duration),
}

/// Where a run stands after a step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Progress {
    /// The `Until::Event` was delivered; the app may have more to do.
    Reached,
    /// Nothing is pending.
    Idle,
    /// Stopped for good (timeout, invalid bundle); see [`Engine::outcome`].
    Stopped,
}

/// One QuickJS runtime running one app (or one test file), driven step by step.
pub struct Engine {
    // Drop order matters: the context (and every JS value) before the runtime.
    ctx: Context,
    _rt: Runtime,
    host: Rc<Host>,
    rx: EventReceiver,
    stopped: Option<RunOutcome>,
}

/// An engine's coverage counts outlive it: they are added to the run's totals as it ends.
impl Drop for Engine {
    fn drop(&mut self) {
        if let Some(cov) = &self.host.coverage {
            self.ctx.with(|ctx| cov.collect(&ctx));
        }
    }
}

impl Engine {
    /// A runtime with its limits, natives and prelude; no app code has run yet.
    pub fn new(files: BundleFiles, rc: RunContext<'_>) -> Result<Engine, EngineError> {
        let heap_refused: Rc<std::cell::Cell<bool>> = Rc::default();
        let rt = Runtime::new_with_alloc(heap::LimitedMalloc::new(
            rc.options.max_memory,
            heap_refused.clone(),
        ))
        .map_err(|e| EngineError::Setup(e.to_string()))?;
        rt.set_max_stack_size(rc.options.max_stack);
        // QuickJS collects cycles every 256 KiB allocated by default; start-up allocates a few
        // MiB of short-lived module code, so collect less often (LLRT does the same).
        rt.set_gc_threshold(8 << 20);
        let (events_tx, events_rx) = rc.events;
        let host = Rc::new(Host::new(
            files,
            rc.output.clone(),
            events_tx,
            heap_refused,
            rc.options,
        ));
        // The prelude is ftrun's own code: the app's deadline starts once it is loaded, so a
        // tiny `--timeout` stops the app (status 124), never the prelude.
        host.rearm_deadline(Duration::MAX);
        let deadline = host.deadline.clone();
        let timed_out = host.timed_out.clone();
        rt.set_interrupt_handler(Some(Box::new(move || {
            if Instant::now() >= deadline.get() {
                timed_out.set(true);
                true
            } else {
                false
            }
        })));
        rt.set_host_promise_rejection_tracker(Some(Box::new(run_loop::track_rejection)));
        let ctx = Context::full(&rt).map_err(|e| EngineError::Setup(e.to_string()))?;
        tracing::debug!("engine: runtime and context created");
        ctx.with(|ctx| -> Result<(), EngineError> {
            let hooks = host::Hooks::new();
            *hooks.to_well_formed.borrow_mut() = ctx
                .eval("String.prototype.toWellFormed")
                .map_err(|e| EngineError::Setup(e.to_string()))?;
            ctx.store_userdata(hooks)
                .map_err(|_| EngineError::Setup("userdata already set".into()))?;
            let setup = || -> rquickjs::Result<(Object, Object)> {
                let native = Object::new(ctx.clone())?;
                let internal = Object::new(ctx.clone())?;
                natives::install(&ctx, &native, &host)?;
                for ext in rc.extensions {
                    ext.install(&ctx, &native, &host)?;
                }
                Ok((native, internal))
            };
            let (native, internal) = setup().map_err(|e| EngineError::Setup(e.to_string()))?;
            let layer = match rc.prelude {
                Prelude::App => APP_JS,
                Prelude::Test => &[],
            };
            for src in CORE_JS.iter().chain(layer) {
                eval_prelude(&ctx, src, &native, &internal)?;
            }
            for ext in rc.extensions {
                for src in ext.js_sources() {
                    eval_prelude(&ctx, src, &native, &internal)?;
                }
            }
            Ok(())
        })?;
        tracing::debug!("engine: prelude loaded");
        host.rearm_deadline(rc.options.timeout);
        Ok(Engine {
            ctx,
            _rt: rt,
            host,
            rx: events_rx,
            stopped: None,
        })
    }

    pub fn host(&self) -> &Rc<Host> {
        &self.host
    }

    fn event_loop(&self) -> run_loop::EventLoop<'_> {
        run_loop::EventLoop::new(&self.ctx, &self.host, &self.rx)
    }

    /// Delivers a host event (e.g. `boot`) and settles its microtasks.
    pub fn start(&mut self, kind: &str, payload: &serde_json::Value) -> Progress {
        if self.stopped.is_some() {
            return Progress::Stopped;
        }
        let stop = self.event_loop().call_json(kind, 0, payload);
        self.after(stop, Progress::Reached)
    }

    /// Runs timers, microtasks and host events until `until` holds.
    pub fn run_until(&mut self, until: Until) -> Progress {
        if self.stopped.is_some() {
            return Progress::Stopped;
        }
        let (stop, reached) = self.event_loop().run(until);
        let progress = if reached {
            Progress::Reached
        } else {
            Progress::Idle
        };
        let p = self.after(stop, progress);
        self.host.output.flush();
        p
    }

    fn after(&mut self, stop: Option<run_loop::Stop>, otherwise: Progress) -> Progress {
        match stop {
            Some(s) => {
                self.stopped = Some(s.outcome());
                Progress::Stopped
            }
            None => otherwise,
        }
    }

    /// Puts the app on a virtual clock (before it starts): its timers fire only as
    /// [`Engine::advance_clock`] moves the clock; Date and performance read it.
    pub fn use_virtual_clock(&self) {
        let epoch_ms = self.host.epoch_ms();
        self.host.virtual_clock.set(Some(host::VirtualClock {
            base: Instant::now(),
            epoch_ms,
            offset: Duration::ZERO,
        }));
    }

    /// Moves the virtual clock by `ms` (every timer due on the way fires in order, with what
    /// it leads to), or, with `ms` None, until no timer is left (at most 100,000 timers).
    pub fn advance_clock(&mut self, ms: Option<f64>) -> Progress {
        let Some(start) = self.host.virtual_clock.get() else {
            return Progress::Idle;
        };
        let target = ms.map(|ms| start.offset + Duration::from_secs_f64(ms.max(0.0) / 1000.0));
        for _ in 0..100_000 {
            let next = self.host.timers.borrow_mut().next_deadline();
            let Some(next) = next else { break };
            let at = next.saturating_duration_since(start.base);
            if target.is_some_and(|t| at > t) {
                break;
            }
            self.set_clock_offset(at.max(self.clock_offset()));
            if self.run_until(Until::Settled) == Progress::Stopped {
                return Progress::Stopped;
            }
        }
        if let Some(t) = target {
            self.set_clock_offset(t.max(self.clock_offset()));
        }
        self.run_until(Until::Settled)
    }

    fn clock_offset(&self) -> Duration {
        self.host
            .virtual_clock
            .get()
            .map_or(Duration::ZERO, |v| v.offset)
    }

    fn set_clock_offset(&self, offset: Duration) {
        if let Some(mut v) = self.host.virtual_clock.get() {
            v.offset = offset;
            self.host.virtual_clock.set(Some(v));
        }
    }

    /// The virtual clock's time (ms since the epoch), or None on the real clock.
    pub fn clock_now(&self) -> Option<f64> {
        self.host.is_virtual().then(|| self.host.epoch_ms())
    }

    /// How the run ends as of now.
    pub fn outcome(&self) -> RunOutcome {
        match &self.stopped {
            Some(o) => o.clone(),
            None if self.host.had_error.get() => RunOutcome::AppErrors,
            None => RunOutcome::Clean,
        }
    }

    /// Evaluates `code` (an expression) in the app and returns `JSON.stringify` of its value.
    pub fn eval_json(&self, code: &str) -> Result<String, String> {
        use rquickjs::CatchResultExt;
        self.ctx.with(|ctx| {
            let v: rquickjs::Value = ctx.eval(code).catch(&ctx).map_err(|e| e.to_string())?;
            let json = ctx
                .json_stringify(v)
                .catch(&ctx)
                .map_err(|e| e.to_string())?;
            Ok(json
                .and_then(|s| s.to_string().ok())
                .unwrap_or_else(|| "null".into()))
        })
    }
}

/// The payload of the `boot` event: what the JS lifecycle needs to know.
pub fn boot_payload(bundle: &Bundle, launch: &Launch, device: Option<Device>) -> serde_json::Value {
    serde_json::json!({
        "device": device,
        "appId": bundle.app_id,
        "pages": bundle.config.pages,
        "subPackages": bundle.config.subpackages.iter()
            .map(|s| serde_json::json!({"root": s.root, "pages": s.pages, "independent": s.independent}))
            .collect::<Vec<_>>(),
        "allPages": bundle.config.all_pages(),
        "entry": bundle.config.entry,
        "launch": launch,
        "appJson": bundle.config.raw,
        "typescript": bundle.typescript,
    })
}

/// Cold-starts `bundle` and runs it until idle, an error that stops it, or the deadline;
/// `trace` prints the UI and device calls the app makes (`--trace`). For a process that ends
/// after it: the engine is not freed.
pub fn run(
    bundle: &Bundle,
    launch: &Launch,
    trace: bool,
    device: Option<Device>,
    rc: RunContext<'_>,
) -> Result<RunOutcome, EngineError> {
    let output = rc.output.clone();
    let mut engine = Engine::new(bundle.files.clone(), rc)?;
    let mut payload = boot_payload(bundle, launch, device);
    payload["trace"] = trace.into();
    if engine.start("boot", &payload) != Progress::Stopped {
        tracing::info!("engine: cold start done (launch page ready)");
        engine.run_until(Until::Idle);
    }
    output.flush();
    tracing::debug!("engine: run finished");
    let outcome = engine.outcome();
    // The process ends next: freeing every object of the heap one by one (a tenth of a short
    // run's instructions) is work the OS does at once.
    std::mem::forget(engine);
    Ok(outcome)
}
