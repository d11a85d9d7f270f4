//! The timer queue behind `setTimeout`/`setInterval`. JS keeps the callbacks; Rust keeps
//! only `(deadline, id)`, so there is one queue for the whole runtime (no task per timer).

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::time::{Duration, Instant};

#[derive(Default)]
pub struct Timers {
    heap: BinaryHeap<Reverse<(Instant, u64, u32)>>,
    /// id -> sequence number of its live entry; a heap entry with another seq is stale.
    live: HashMap<u32, u64>,
    seq: u64,
}

/// Browsers' limit: larger delays overflow to 1 ms; NaN and negatives mean 0.
fn clamp_delay(ms: f64) -> Duration {
    if !ms.is_finite() || ms <= 0.0 || ms > 2_147_483_647.0 {
        return Duration::ZERO;
    }
    Duration::from_micros((ms * 1000.0) as u64)
}

impl Timers {
    pub fn start(&mut self, id: u32, delay_ms: f64, now: Instant) {
        self.seq += 1;
        self.live.insert(id, self.seq);
        self.heap
            .push(Reverse((now + clamp_delay(delay_ms), self.seq, id)));
    }

    pub fn cancel(&mut self, id: u32) {
        self.live.remove(&id);
    }

    pub fn is_empty(&self) -> bool {
        self.live.is_empty()
    }

    /// Timers set and not yet fired or cancelled.
    pub fn len(&self) -> usize {
        self.live.len()
    }

    fn drop_stale(&mut self) {
        while let Some(Reverse((_, seq, id))) = self.heap.peek() {
            if self.live.get(id) == Some(seq) {
                break;
            }
            self.heap.pop();
        }
    }

    pub fn next_deadline(&mut self) -> Option<Instant> {
        self.drop_stale();
        self.heap.peek().map(|Reverse((t, _, _))| *t)
    }

    /// The next timer due at `now`, removed from the queue (earliest first, then in start order).
    pub fn pop_due(&mut self, now: Instant) -> Option<u32> {
        self.drop_stale();
        match self.heap.peek() {
            Some(Reverse((t, _, id))) if *t <= now => {
                let id = *id;
                self.heap.pop();
                self.live.remove(&id);
                Some(id)
            }
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fires_in_deadline_then_start_order_and_skips_cancelled() {
        let now = Instant::now();
        let mut t = Timers::default();
        t.start(1, 10.0, now);
        t.start(2, 0.0, now);
        t.start(3, 0.0, now);
        t.start(4, f64::NAN, now);
        t.cancel(3);
        let later = now + Duration::from_millis(20);
        let order: Vec<u32> = std::iter::from_fn(|| t.pop_due(later)).collect();
        assert_eq!(order, vec![2, 4, 1]);
        assert!(t.is_empty());
    }

    #[test]
    fn restart_replaces_the_old_deadline() {
        let now = Instant::now();
        let mut t = Timers::default();
        t.start(1, 0.0, now);
        t.start(1, 1000.0, now);
        assert_eq!(t.pop_due(now + Duration::from_millis(1)), None);
        assert!(t.next_deadline().is_some());
    }
}
