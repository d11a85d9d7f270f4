//! Background fetch (data prefetching and periodic updates), per `spec/background-fetch.md`:
//! the wire format ([`wire`]), the HTTP client ([`fetcher`]), the records, tokens and console config in [`crate::store`], one
//! fetch-and-store attempt and the cold-start requests ([`service`]), the periodic scheduler
//! ([`daemon`]), and the JS API as an engine extension ([`js_ext`]).

pub mod connector;
pub mod daemon;
pub mod fetcher;
pub mod js_ext;
pub mod service;
pub mod wire;

pub use crate::store::bgfetch::{
    AppState, ConsoleConfig, DEFAULT_PERIOD_HOURS, FetchType, Record, WireNames,
};

/// `periodHours` must be 0 (off) or 3..=12.
pub fn check_period(hours: u32) -> Result<u32, String> {
    if hours == 0 || (3..=12).contains(&hours) {
        Ok(hours)
    } else {
        Err(format!(
            "--period {hours}: periodHours must be 0 (off) or between 3 and 12"
        ))
    }
}

/// Milliseconds since the epoch, from an injectable clock.
pub trait Clock: Send + Sync {
    fn now_ms(&self) -> i64;
}

/// The system clock, optionally shifted by `$FTRUN_CLOCK_OFFSET_MS` (for tests of the
/// scheduler, which must not sleep for hours).
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock {
    offset_ms: i64,
}

impl SystemClock {
    pub fn from_env() -> Self {
        let offset_ms = std::env::var("FTRUN_CLOCK_OFFSET_MS")
            .ok()
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0);
        SystemClock { offset_ms }
    }
}

impl Clock for SystemClock {
    fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.offset_ms
    }
}
