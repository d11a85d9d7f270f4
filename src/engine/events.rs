//! How work outside the JS thread (network, disk) reaches the event loop.
//!
//! Anything that will produce an event later holds a [`PendingWork`] token: the loop keeps
//! running while one exists, and wakes up when the last one is dropped.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, mpsc};

/// An event for the JS thread. Payloads are JSON so producers never touch JS values.
#[derive(Debug)]
pub enum HostEvent {
    /// A native op started from JS finished; `result` resolves or rejects its Promise.
    OpDone {
        id: u32,
        result: Result<serde_json::Value, String>,
    },
    /// A named event for the JS side (`internal.events[kind](payload)`).
    Emit {
        kind: &'static str,
        payload: serde_json::Value,
    },
    /// No payload: pending work ended, re-check whether the loop is idle.
    Wake,
}

/// Cloneable, `Send` handle for producers of host events.
#[derive(Clone, Debug)]
pub struct EventSender {
    tx: mpsc::Sender<HostEvent>,
    pending: Arc<AtomicUsize>,
}

/// Receiving end, owned by the event loop.
pub struct EventReceiver {
    pub(crate) rx: mpsc::Receiver<HostEvent>,
    pub(crate) pending: Arc<AtomicUsize>,
}

pub fn channel() -> (EventSender, EventReceiver) {
    let (tx, rx) = mpsc::channel();
    let pending = Arc::new(AtomicUsize::new(0));
    (
        EventSender {
            tx,
            pending: pending.clone(),
        },
        EventReceiver { rx, pending },
    )
}

impl EventSender {
    /// Marks work in progress; the loop will not go idle until the token is dropped.
    pub fn hold(&self) -> PendingWork {
        self.pending.fetch_add(1, Ordering::SeqCst);
        PendingWork {
            sender: self.clone(),
        }
    }

    /// How many pieces of host work are still running.
    pub fn pending(&self) -> usize {
        self.pending.load(Ordering::SeqCst)
    }

    /// Sends an event; silently dropped if the loop has already ended.
    pub fn send(&self, ev: HostEvent) {
        let _ = self.tx.send(ev);
    }
}

/// Held while work that may produce events is running. Send the events before dropping it.
#[derive(Debug)]
pub struct PendingWork {
    sender: EventSender,
}

impl PendingWork {
    pub fn sender(&self) -> &EventSender {
        &self.sender
    }

    /// Sends the work's event, then ends the work: the event is queued before the loop can
    /// see no work left, so it is never missed.
    pub fn finish(self, ev: HostEvent) {
        self.sender.send(ev);
    }
}

impl Drop for PendingWork {
    fn drop(&mut self) {
        self.sender.pending.fetch_sub(1, Ordering::SeqCst);
        let _ = self.sender.tx.send(HostEvent::Wake);
    }
}

impl EventReceiver {
    pub(crate) fn has_pending_work(&self) -> bool {
        self.pending.load(Ordering::SeqCst) > 0
    }
}
