//! State shared by the event loop and the native functions of one running app.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::{Ctx, Function, JsLifetime, Value};

use super::events::{EventSender, HostEvent};
use super::output::OutputSink;
use super::timers::Timers;
use crate::bundle::BundleFiles;

/// Rust-side state of one app run. Native functions capture an `Rc<Host>`.
pub struct Host {
    pub files: BundleFiles,
    pub output: Rc<dyn OutputSink>,
    pub events: EventSender,
    pub(crate) timers: RefCell<Timers>,
    next_op: Cell<u32>,
    /// An uncaught error or unhandled rejection was reported (exit status 1).
    pub(crate) had_error: Cell<bool>,
    /// The `--timeout` deadline passed (set by the interrupt handler or the loop).
    pub(crate) timed_out: Rc<Cell<bool>>,
    /// The run's deadline; the interrupt handler reads it, the test runner re-arms it.
    pub(crate) deadline: Rc<Cell<Instant>>,
    pub(crate) timeout: Duration,
    /// The heap refused an allocation (set by the allocator, read by error reporting).
    pub(crate) heap_refused: Rc<Cell<bool>>,
    /// The JS stack limit in bytes, and where this thread's stack stood when the runtime was
    /// made (QuickJS counts its limit from there).
    pub(crate) max_stack: usize,
    stack_top: usize,
    /// A clock the test moves (`launch({ clock: 'virtual' })`): timers fire only as it is
    /// advanced, Date and performance read it.
    pub(crate) virtual_clock: Cell<Option<VirtualClock>>,
    pub(crate) coverage: Option<std::sync::Arc<crate::coverage::Collector>>,
    /// This engine's own timeline (`launch({ timeline: true })`), else None.
    pub(crate) timeline: Option<RefCell<Vec<crate::timeline::Event>>>,
}

/// Where a virtual clock stands: its start (on both clocks) and how far it was advanced.
#[derive(Clone, Copy, Debug)]
pub(crate) struct VirtualClock {
    pub base: Instant,
    pub epoch_ms: f64,
    pub offset: Duration,
}

impl Host {
    pub(crate) fn new(
        files: BundleFiles,
        output: Rc<dyn OutputSink>,
        events: EventSender,
        heap_refused: Rc<Cell<bool>>,
        options: &super::EngineOptions,
    ) -> Self {
        let timeout = options.timeout;
        Host {
            files,
            output,
            events,
            timers: RefCell::default(),
            next_op: Cell::new(1),
            had_error: Cell::new(false),
            timed_out: Rc::default(),
            deadline: Rc::new(Cell::new(deadline_after(timeout))),
            timeout,
            heap_refused,
            max_stack: options.max_stack,
            stack_top: stack_position(),
            virtual_clock: Cell::new(None),
            coverage: options.coverage.clone(),
            timeline: options.timeline.then(RefCell::default),
        }
    }

    /// Now, for timers: the virtual clock's when there is one.
    pub(crate) fn now(&self) -> Instant {
        match self.virtual_clock.get() {
            Some(v) => v.base + v.offset,
            None => Instant::now(),
        }
    }

    pub(crate) fn is_virtual(&self) -> bool {
        self.virtual_clock.get().is_some()
    }

    /// Milliseconds since the epoch (Date.now), on the virtual clock when there is one.
    pub(crate) fn epoch_ms(&self) -> f64 {
        match self.virtual_clock.get() {
            Some(v) => v.epoch_ms + v.offset.as_secs_f64() * 1000.0,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0.0, |d| d.as_secs_f64() * 1000.0),
        }
    }

    /// Bytes of this thread's stack in use below the point where the runtime was made.
    pub(crate) fn stack_used(&self) -> usize {
        self.stack_top.saturating_sub(stack_position())
    }

    /// A fresh id for a native op whose result arrives later as `HostEvent::OpDone`.
    pub fn next_op_id(&self) -> u32 {
        let id = self.next_op.get();
        self.next_op.set(id.wrapping_add(1).max(1));
        id
    }

    /// Runs `work` (blocking: a durable write) on the I/O runtime's blocking pool and returns
    /// the op id whose `OpDone` carries its result to `internal.awaitOp(id)`. The run stays
    /// alive until the event is sent.
    pub fn spawn_blocking_op(
        &self,
        io: &crate::io::Io,
        work: impl FnOnce() -> Result<serde_json::Value, String> + Send + 'static,
    ) -> u32 {
        let id = self.next_op_id();
        let pending = self.events.hold();
        match io.handle() {
            Ok(handle) => {
                handle.spawn_blocking(move || {
                    let result = work();
                    pending.finish(HostEvent::OpDone { id, result });
                });
            }
            Err(e) => pending.finish(HostEvent::OpDone { id, result: Err(e) }),
        }
        id
    }

    /// Moves the deadline to `timeout` from now (per-test deadlines in `ftrun test`).
    pub fn rearm_deadline(&self, timeout: Duration) {
        self.timed_out.set(false);
        self.deadline.set(deadline_after(timeout));
    }

    pub(crate) fn deadline(&self) -> Instant {
        self.deadline.get()
    }
}

/// An address on the current thread's stack (it grows downwards on every target ftrun runs on).
#[inline(never)]
fn stack_position() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// `timeout` from now; a timeout too long to represent is a century.
fn deadline_after(timeout: Duration) -> Instant {
    let now = Instant::now();
    now.checked_add(timeout)
        .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
        .unwrap_or(now)
}

/// JS values the loop needs, kept in runtime userdata (freed before the runtime itself).
pub(crate) struct Hooks<'js> {
    pub dispatch: RefCell<Option<Function<'js>>>,
    /// Rejected promises with no handler yet: `(promise, reason)`.
    pub rejections: RefCell<Vec<(Value<'js>, Value<'js>)>>,
    /// `String.prototype.toWellFormed` as the engine made it (apps may replace the global's).
    pub to_well_formed: RefCell<Option<Function<'js>>>,
}

// SAFETY: `Hooks` holds only `'js` values, and `Changed<'to>` is the same type at `'to`.
unsafe impl<'js> JsLifetime<'js> for Hooks<'js> {
    type Changed<'to> = Hooks<'to>;
}

impl<'js> Hooks<'js> {
    pub fn new() -> Self {
        Hooks {
            dispatch: RefCell::new(None),
            rejections: RefCell::new(Vec::new()),
            to_well_formed: RefCell::new(None),
        }
    }
}

pub(crate) fn hooks<'a, 'js>(
    ctx: &'a Ctx<'js>,
) -> Option<rquickjs::runtime::UserDataGuard<'a, Hooks<'js>>> {
    ctx.userdata::<Hooks<'js>>()
}
