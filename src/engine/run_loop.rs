//! The event loop: microtasks, then due timers, then host events, until nothing is pending
//! or the deadline passes. All calls into JS go through one JS dispatcher (`internal.dispatch`).

use std::rc::Rc;
use std::sync::mpsc::RecvTimeoutError;
use std::time::Instant;

use rquickjs::{CatchResultExt, CaughtError, Context, Ctx, IntoJs, Value};

use super::errors::{format_caught, format_compile_error, is_compile_error};
use super::events::{EventReceiver, HostEvent};
use super::host::{Host, hooks};
use super::natives::json_to_js;
use super::output::Stream;
use super::{RunOutcome, Until};

/// QuickJS calls this when a promise is rejected with no handler, and again (`handled`) when
/// one is attached later; whatever is still unhandled after the microtasks ran is reported.
pub(crate) fn track_rejection<'js>(
    ctx: Ctx<'js>,
    promise: Value<'js>,
    reason: Value<'js>,
    handled: bool,
) {
    if let Some(h) = hooks(&ctx) {
        let mut list = h.rejections.borrow_mut();
        if handled {
            list.retain(|(p, _)| p != &promise);
        } else {
            list.push((promise, reason));
        }
    }
}

/// Stack lines worth showing to a user: not ftrun's own prelude or native glue.
fn is_app_frame(line: &str) -> bool {
    let t = line.trim();
    !t.is_empty() && !t.contains("ftrun:js/") && !t.ends_with("(native)")
}

pub(crate) enum Stop {
    Invalid,
    TimedOut,
}

impl Stop {
    pub fn outcome(&self) -> RunOutcome {
        match self {
            Stop::Invalid => RunOutcome::Invalid,
            Stop::TimedOut => RunOutcome::TimedOut,
        }
    }
}

enum Delivered {
    Continue,
    Reached,
    Stop(Stop),
}

impl Delivered {
    fn into_result(self) -> (Option<Stop>, bool) {
        match self {
            Delivered::Stop(s) => (Some(s), false),
            Delivered::Reached => (None, true),
            Delivered::Continue => (None, false),
        }
    }
}

pub(crate) struct EventLoop<'c> {
    ctx: &'c Context,
    host: &'c Rc<Host>,
    rx: &'c EventReceiver,
}

impl<'c> EventLoop<'c> {
    pub fn new(ctx: &'c Context, host: &'c Rc<Host>, rx: &'c EventReceiver) -> Self {
        EventLoop { ctx, host, rx }
    }

    fn timeout_secs(&self) -> String {
        super::errors::format_secs(self.host.timeout)
    }

    /// The deadline passed while JS ran: say so, with where it was when it had a stack.
    fn interrupted(&self, stack: Option<String>) -> Stop {
        let mut msg = format!(
            "error: timed out after {} s (--timeout) while JavaScript was running",
            self.timeout_secs()
        );
        for line in stack
            .unwrap_or_default()
            .lines()
            .filter(|l| is_app_frame(l))
        {
            msg.push('\n');
            msg.push_str(line);
        }
        self.host.output.line(Stream::Err, &msg);
        Stop::TimedOut
    }

    /// Runs until `until` holds (returns `reached = true` for a delivered event) or idle.
    pub fn run(&self, until: Until) -> (Option<Stop>, bool) {
        let target = match until {
            Until::Event(kind) => Some(kind),
            _ => None,
        };
        let cutoff = match until {
            Until::For(d) => Some(Instant::now() + d),
            _ => None,
        };
        loop {
            if let Some(stop) = self.ctx.with(|ctx| self.settle(&ctx)) {
                return (Some(stop), false);
            }
            if Instant::now() >= self.host.deadline() {
                return (Some(self.pending_timeout()), false);
            }
            let now = self.host.now();
            loop {
                let due = self.host.timers.borrow_mut().pop_due(now);
                let Some(id) = due else { break };
                if let Some(stop) = self.call("timer", id) {
                    return (Some(stop), false);
                }
            }
            while let Ok(ev) = self.rx.rx.try_recv() {
                match self.deliver(ev, target) {
                    Delivered::Continue => {}
                    done => return done.into_result(),
                }
            }
            // On a virtual clock a timer not due yet waits for the test to advance it: idle.
            let timers_waiting = !self.host.timers.borrow().is_empty() && !self.host.is_virtual();
            if !timers_waiting && !self.rx.has_pending_work() {
                // Producers send before they release their token, so a last event is queued by now.
                match self.rx.rx.try_recv() {
                    Ok(ev) => match self.deliver(ev, target) {
                        Delivered::Continue => continue,
                        done => return done.into_result(),
                    },
                    Err(_) => {
                        tracing::debug!("engine: idle");
                        return (None, false);
                    }
                }
            }
            self.host.output.flush();
            if until == Until::Settled {
                // Whatever the handlers just queued for now runs too; then stop.
                let due = self
                    .host
                    .timers
                    .borrow_mut()
                    .next_deadline()
                    .is_some_and(|t| t <= self.host.now());
                if due {
                    continue;
                }
                if let Some(stop) = self.ctx.with(|ctx| self.settle(&ctx)) {
                    return (Some(stop), false);
                }
                return (None, false);
            }
            if cutoff.is_some_and(|c| Instant::now() >= c) {
                return (None, false);
            }
            let next = if self.host.is_virtual() {
                None
            } else {
                self.host.timers.borrow_mut().next_deadline()
            };
            let deadline = self.host.deadline();
            let deadline = cutoff.map_or(deadline, |c| c.min(deadline));
            let until = next.map_or(deadline, |t| t.min(deadline));
            let wait = until.saturating_duration_since(Instant::now());
            if wait.is_zero() {
                continue;
            }
            match self.rx.rx.recv_timeout(wait) {
                Ok(ev) => match self.deliver(ev, target) {
                    Delivered::Continue => {}
                    done => return done.into_result(),
                },
                Err(RecvTimeoutError::Timeout) | Err(RecvTimeoutError::Disconnected) => {}
            }
        }
    }

    /// Handles one event; tells whether the run must stop or reached its target.
    fn deliver(&self, ev: HostEvent, target: Option<&'static str>) -> Delivered {
        let hit = matches!((&ev, target), (HostEvent::Emit { kind, .. }, Some(t)) if *kind == t);
        match self.handle(ev) {
            Some(stop) => Delivered::Stop(stop),
            None if hit => Delivered::Reached,
            None => Delivered::Continue,
        }
    }

    fn pending_timeout(&self) -> Stop {
        self.host.timed_out.set(true);
        let timers = !self.host.timers.borrow().is_empty();
        let what = match (timers, self.rx.has_pending_work()) {
            (true, true) => "timers and background work were still pending",
            (true, false) => "timers were still pending (an endless interval?)",
            _ => "background work was still pending",
        };
        self.host.output.line(
            Stream::Err,
            &format!(
                "error: timed out after {} s (--timeout): {what}",
                self.timeout_secs()
            ),
        );
        Stop::TimedOut
    }

    fn handle(&self, ev: HostEvent) -> Option<Stop> {
        match ev {
            HostEvent::Wake => None,
            HostEvent::OpDone { id, result } => {
                let payload = match result {
                    Ok(v) => serde_json::json!({ "ok": true, "value": v }),
                    Err(e) => serde_json::json!({ "ok": false, "error": e }),
                };
                self.call_json("op", id, &payload)
            }
            HostEvent::Emit { kind, payload } => {
                let stop = self.call_json(kind, 0, &payload);
                tracing::info!("engine: {kind} event delivered");
                stop
            }
        }
    }

    fn call(&self, kind: &str, id: u32) -> Option<Stop> {
        self.ctx.with(|ctx| {
            let stop = self.dispatch(
                &ctx,
                kind,
                id.into_js(&ctx),
                Ok(Value::new_undefined(ctx.clone())),
            );
            stop.or_else(|| self.settle(&ctx))
        })
    }

    pub fn call_json(&self, kind: &str, id: u32, payload: &serde_json::Value) -> Option<Stop> {
        self.ctx.with(|ctx| {
            let stop = self.dispatch(&ctx, kind, id.into_js(&ctx), json_to_js(&ctx, payload));
            stop.or_else(|| self.settle(&ctx))
        })
    }

    fn dispatch<'js>(
        &self,
        ctx: &Ctx<'js>,
        kind: &str,
        a: rquickjs::Result<Value<'js>>,
        b: rquickjs::Result<Value<'js>>,
    ) -> Option<Stop> {
        let f = hooks(ctx).and_then(|h| h.dispatch.borrow().clone())?;
        let result = (|| f.call::<_, ()>((kind, a?, b?)))().catch(ctx);
        match result {
            Ok(()) => None,
            Err(e) => self.escaped(e),
        }
    }

    /// An exception that got past the JS prelude's own reporting.
    fn escaped(&self, e: CaughtError<'_>) -> Option<Stop> {
        if self.host.timed_out.get() {
            let stack = match &e {
                CaughtError::Exception(ex) => ex.stack(),
                _ => None,
            };
            return Some(self.interrupted(stack));
        }
        if is_compile_error(&e) {
            self.host
                .output
                .line(Stream::Err, &format!("error: {}", format_compile_error(&e)));
            return Some(Stop::Invalid);
        }
        self.host.had_error.set(true);
        let text = match &e {
            // What QuickJS throws when the heap cannot hold even its error (see `heap.rs`).
            CaughtError::Value(v) if v.is_null() && self.host.heap_refused.get() => {
                "InternalError: out of memory".to_string()
            }
            _ => format_caught(&e),
        };
        self.host
            .output
            .line(Stream::Err, &format!("Uncaught {text}"));
        None
    }

    /// Runs microtasks, then reports rejections nobody handled, until both are empty.
    fn settle<'js>(&self, ctx: &Ctx<'js>) -> Option<Stop> {
        loop {
            while ctx.execute_pending_job() {}
            if self.host.timed_out.get() {
                return Some(self.interrupted(None));
            }
            let rejected = match hooks(ctx) {
                Some(h) => std::mem::take(&mut *h.rejections.borrow_mut()),
                None => return None,
            };
            if rejected.is_empty() {
                return None;
            }
            for (promise, reason) in rejected {
                if let Some(stop) = self.dispatch(ctx, "rejection", Ok(reason), Ok(promise)) {
                    return Some(stop);
                }
            }
        }
    }
}
