//! `ftrun run --timeline FILE`: what a cold start did when. Events are recorded only when the
//! flag is on (one relaxed atomic load per point otherwise), on one clock from the start of
//! `main`, by Rust (arguments, manifests, store, the request on the wire and its answer, the
//! commit, idle, exit) and by the JS prelude (each module loaded, App and page lifecycles, the
//! first render, listeners, timers). They come out as Chrome's trace-event JSON (chrome://tracing,
//! Perfetto) or as one self-contained HTML page drawn by `assets/timeline/timeline.js`.

use std::sync::Mutex;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use serde::Serialize;
use serde_json::{Value, json};

static START: OnceLock<Instant> = OnceLock::new();
static ON: AtomicBool = AtomicBool::new(false);
static EVENTS: Mutex<Vec<Event>> = Mutex::new(Vec::new());

const CSS: &str = include_str!("../assets/timeline/timeline.css");
const SCRIPT: &str = include_str!("../assets/timeline/timeline.js");

/// Lanes of the picture (a thread id in Chrome's trace).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lane {
    Process,
    Network,
    Store,
    Code,
    Lifecycle,
    Timers,
}

impl Lane {
    const ALL: [Lane; 6] = [
        Lane::Process,
        Lane::Network,
        Lane::Store,
        Lane::Code,
        Lane::Lifecycle,
        Lane::Timers,
    ];

    fn tid(self) -> u32 {
        self as u32 + 1
    }
    /// The lane a JS event names (`js/core.js` sends these words).
    pub fn from_name(name: &str) -> Lane {
        match name {
            "network" => Lane::Network,
            "store" => Lane::Store,
            "code" => Lane::Code,
            "timers" => Lane::Timers,
            "process" => Lane::Process,
            _ => Lane::Lifecycle,
        }
    }
}

/// `B`egin, `E`nd (of the innermost open span of the same name and lane) or an `i`nstant.
#[derive(Debug, Clone, Serialize)]
pub struct Event {
    pub name: String,
    pub lane: Lane,
    pub ph: char,
    /// Microseconds since `main` started.
    pub us: f64,
}

/// The clock's zero: called first thing in `main`.
pub fn start() {
    let _ = START.get_or_init(Instant::now);
}

/// Records from now on.
pub fn enable() {
    start();
    ON.store(true, Ordering::Relaxed);
}

pub fn enabled() -> bool {
    ON.load(Ordering::Relaxed)
}

impl Event {
    /// An event at this moment.
    pub fn now(lane: Lane, ph: char, name: &str) -> Event {
        Event {
            name: name.to_string(),
            lane,
            ph,
            us: START.get().map_or(0.0, |s| s.elapsed().as_secs_f64() * 1e6),
        }
    }
}

/// Records an event (nothing when off).
pub fn event(lane: Lane, ph: char, name: &str) {
    if !enabled() {
        return;
    }
    if let Ok(mut events) = EVENTS.lock() {
        events.push(Event::now(lane, ph, name));
    }
}

pub fn mark(lane: Lane, name: &str) {
    event(lane, 'i', name);
}

pub fn begin(lane: Lane, name: &str) {
    event(lane, 'B', name);
}

pub fn end(lane: Lane, name: &str) {
    event(lane, 'E', name);
}

/// Everything recorded, in time order.
pub fn take() -> Vec<Event> {
    let mut events = EVENTS
        .lock()
        .map(|mut e| std::mem::take(&mut *e))
        .unwrap_or_default();
    events.sort_by(|a, b| a.us.total_cmp(&b.us));
    events
}

/// Chrome's trace-event format (JSON object form), times in microseconds.
pub fn chrome_trace(events: &[Event]) -> Value {
    let mut trace: Vec<Value> = Lane::ALL
        .iter()
        .map(|l| {
            json!({ "name": "thread_name", "ph": "M", "pid": 1, "tid": l.tid(),
                "args": { "name": serde_json::to_value(l).unwrap_or_default() } })
        })
        .collect();
    trace.extend(events.iter().map(|e| {
        let mut v = json!({
            "name": e.name, "cat": serde_json::to_value(e.lane).unwrap_or_default(),
            "ph": e.ph.to_string(), "ts": e.us, "pid": 1, "tid": e.lane.tid(),
        });
        if e.ph == 'i' {
            v["s"] = json!("t");
        }
        v
    }));
    json!({ "traceEvents": trace, "displayTimeUnit": "ms", "otherData": { "tool": "ftrun" } })
}

/// One self-contained HTML page with the timeline drawn.
pub fn html(events: &[Event], title: &str) -> String {
    let data = serde_json::to_value(events).unwrap_or_default();
    crate::pictures::page(title, &data, CSS, SCRIPT)
}

/// What was recorded, for `path`: Chrome's trace for `.json`, else the HTML picture.
pub fn render_for(path: &std::path::Path, title: &str) -> String {
    let events = take();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        serde_json::to_string_pretty(&chrome_trace(&events)).unwrap_or_default()
    } else {
        html(&events, title)
    }
}
