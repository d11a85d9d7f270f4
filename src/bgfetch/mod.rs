//! Background fetch (data prefetching and periodic updates), per `spec/background-fetch.md`:
//! the wire format ([`wire`]), the HTTP client ([`fetcher`]), the redb cache ([`store`]), one
//! fetch-and-store attempt and the cold-start requests ([`service`]), the periodic scheduler
//! ([`daemon`]), and the JS API as an engine extension ([`js_ext`]).

pub mod connector;
pub mod daemon;
pub mod fetcher;
pub mod js_ext;
pub mod service;
pub mod store;
pub mod wire;

use serde::{Deserialize, Serialize};

/// Which slot a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum FetchType {
    Pre,
    Periodic,
}

impl FetchType {
    pub fn as_str(self) -> &'static str {
        match self {
            FetchType::Pre => "pre",
            FetchType::Periodic => "periodic",
        }
    }

    pub fn parse(s: &str) -> Option<FetchType> {
        match s {
            "pre" => Some(FetchType::Pre),
            "periodic" => Some(FetchType::Periodic),
            _ => None,
        }
    }

    /// "pre-fetch" / "periodic", as warnings name the URL kinds.
    pub fn url_kind(self) -> &'static str {
        match self {
            FetchType::Pre => "pre-fetch",
            FetchType::Periodic => "periodic",
        }
    }
}

/// One stored record (spec section 1).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Record {
    pub fetched_data: String,
    /// ms since epoch when the body was fully received.
    pub time_stamp: i64,
    pub path: String,
    pub query: String,
    pub scene: u32,
}

/// Query parameter names on the wire: FinClip's (`appId`, `timeStamp`) or WeChat's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum WireNames {
    #[default]
    Finclip,
    Wechat,
}

/// What FinClip's management console holds for an app (spec section 1).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ConsoleConfig {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pre_fetch_url: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub periodic_fetch_url: Option<String>,
    /// 0 = periodic updates off; else 3..=12. `None` means the default, 12.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub period_hours: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wire: Option<WireNames>,
}

pub const DEFAULT_PERIOD_HOURS: u32 = 12;

impl ConsoleConfig {
    pub fn period_hours(&self) -> u32 {
        self.period_hours.unwrap_or(DEFAULT_PERIOD_HOURS)
    }

    pub fn url(&self, kind: FetchType) -> Option<&str> {
        match kind {
            FetchType::Pre => self.pre_fetch_url.as_deref(),
            FetchType::Periodic => self.periodic_fetch_url.as_deref(),
        }
    }

    pub fn is_empty(&self) -> bool {
        *self == ConsoleConfig::default()
    }
}

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

/// Per-app bookkeeping the scheduler needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_launch: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_periodic_success: Option<i64>,
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
