//! Background-fetch services shared by every command: the lazily opened store and client,
//! one fetch attempt, and the requests a cold start makes (spec section 4).

use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use url::Url;

use super::fetcher::{FetchError, Fetcher, HyperFetcher};
use super::store::{NewRecord, Store};
use super::wire::{RequestParams, check_url, display_url, request_url};
use super::{AppState, Clock, ConsoleConfig, FetchType, Record, WireNames};
use crate::engine::{EventSender, HostEvent, Launch};

/// Where warnings go (stderr for commands; a capture for the test runner).
pub type WarnSink = Arc<dyn Fn(&str) + Send + Sync>;

pub fn stderr_warnings() -> WarnSink {
    Arc::new(|line: &str| eprintln!("{line}"))
}

/// The store and the HTTP client, each created on first use from any thread (opening the
/// database stays off the JS thread's critical path), plus clock, deadline and warnings.
pub struct Services {
    pub data_dir: PathBuf,
    pub ca_file: Option<PathBuf>,
    pub fetch_timeout: Duration,
    pub clock: Arc<dyn Clock>,
    pub warn: WarnSink,
    store: OnceLock<Result<Arc<Store>, String>>,
    fetcher: OnceLock<Result<Arc<dyn Fetcher>, String>>,
}

impl Services {
    pub fn new(
        data_dir: PathBuf,
        ca_file: Option<PathBuf>,
        fetch_timeout: Duration,
        clock: Arc<dyn Clock>,
        warn: WarnSink,
    ) -> Self {
        Services {
            data_dir,
            ca_file,
            fetch_timeout,
            clock,
            warn,
            store: OnceLock::new(),
            fetcher: OnceLock::new(),
        }
    }

    /// The store; the first caller opens it, concurrent callers wait for that open.
    pub fn store(&self) -> Result<Arc<Store>, String> {
        self.store
            .get_or_init(|| {
                Store::open(&self.data_dir)
                    .map(Arc::new)
                    .map_err(|e| e.to_string())
            })
            .clone()
    }

    pub fn fetcher(&self) -> Result<Arc<dyn Fetcher>, String> {
        self.fetcher
            .get_or_init(|| {
                HyperFetcher::new(self.ca_file.as_deref())
                    .map(|f| Arc::new(f) as Arc<dyn Fetcher>)
                    .map_err(|e| e.to_string())
            })
            .clone()
    }

    /// Uses `fetcher` instead of the hyper client (must be called before the first fetch).
    pub fn set_fetcher(&self, fetcher: Arc<dyn Fetcher>) {
        let _ = self.fetcher.set(Ok(fetcher));
    }
}

/// What one request is for.
#[derive(Debug, Clone)]
pub struct Attempt {
    pub app_id: String,
    pub kind: FetchType,
    pub url: Url,
    pub token: Option<String>,
    pub app_version: String,
    pub launch: Launch,
    pub wire: WireNames,
}

/// Why an attempt stored nothing.
#[derive(Debug, thiserror::Error)]
pub enum AttemptError {
    #[error("{0}")]
    Fetch(#[from] FetchError),
    #[error("{0}")]
    Setup(String),
    #[error("storage error: {0}")]
    Store(String),
}

impl Attempt {
    /// `warning: <type> fetch for <appId> from <url without query> failed: <why>; nothing stored`
    pub fn failure_line(&self, e: &AttemptError) -> String {
        format!(
            "warning: {} fetch for {} from {} failed: {e}; nothing stored",
            self.kind.as_str(),
            self.app_id,
            display_url(&self.url)
        )
    }

    fn record(&self, body: String, received_at: i64) -> Record {
        let (path, query, scene) = match self.kind {
            FetchType::Pre => (
                self.launch.path.clone(),
                self.launch.query.clone(),
                self.launch.scene,
            ),
            FetchType::Periodic => (String::new(), String::new(), 0),
        };
        Record {
            fetched_data: body,
            time_stamp: received_at,
            path,
            query,
            scene,
        }
    }
}

/// Sends the request and returns the record it would store (not stored yet).
pub async fn fetch_record(services: &Services, attempt: &Attempt) -> Result<Record, AttemptError> {
    let fetcher = services.fetcher().map_err(AttemptError::Setup)?;
    tracing::trace!("bgfetch: client ready");
    let started = services.clock.now_ms();
    let url = request_url(
        &attempt.url,
        &RequestParams {
            kind: attempt.kind,
            app_id: &attempt.app_id,
            token: attempt.token.as_deref(),
            time_stamp: started,
            app_version: &attempt.app_version,
            path: &attempt.launch.path,
            query: &attempt.launch.query,
            scene: attempt.launch.scene,
            wire: attempt.wire,
        },
    );
    tracing::debug!(app = %attempt.app_id, kind = attempt.kind.as_str(), url = %display_url(&url), "request");
    let body = fetcher.get(url, services.fetch_timeout).await?;
    Ok(attempt.record(body, services.clock.now_ms()))
}

/// Runs blocking store work on tokio's blocking pool.
pub async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    tokio::task::spawn_blocking(f)
        .await
        .unwrap_or_else(|e| Err(format!("storage task failed: {e}")))
}

/// Blocking work the caller waits for at once (the commit between a response and its
/// listeners): done on this thread, with the runtime told so (`block_in_place`), instead of
/// handed to the blocking pool and back, two thread wake-ups that cost more than they save
/// on a busy machine. A current-thread runtime cannot do that and uses the pool.
pub async fn blocking_here<T: Send + 'static>(
    f: impl FnOnce() -> Result<T, String> + Send + 'static,
) -> Result<T, String> {
    match tokio::runtime::Handle::current().runtime_flavor() {
        tokio::runtime::RuntimeFlavor::MultiThread => tokio::task::block_in_place(f),
        _ => blocking(f).await,
    }
}

/// One request, then a durable store of its record.
pub async fn fetch_and_store(
    services: &Arc<Services>,
    attempt: &Attempt,
) -> Result<Record, AttemptError> {
    let record = fetch_record(services, attempt).await?;
    tracing::trace!("bgfetch: response received");
    let s = services.clone();
    let (app, kind, rec) = (attempt.app_id.clone(), attempt.kind, record.clone());
    blocking_here(move || {
        let store = s.store()?;
        store
            .put_records(&[NewRecord {
                app_id: &app,
                kind,
                record: &rec,
            }])
            .map_err(|e| e.to_string())
    })
    .await
    .map_err(AttemptError::Store)?;
    tracing::trace!("bgfetch: record stored");
    Ok(record)
}

/// True when a periodic update is due: on, and `periodHours` since the last success.
pub fn periodic_due(cfg: &ConsoleConfig, state: &AppState, now_ms: i64) -> bool {
    let hours = cfg.period_hours();
    hours > 0
        && state
            .last_periodic_success
            .is_none_or(|last| now_ms - last >= i64::from(hours) * 3_600_000)
}

/// The warning for a periodic update skipped for want of a token (spec section 4).
pub const NO_TOKEN: &str = "token not set, call setBackgroundFetchToken first";

/// What a cold start should request, from the command line.
#[derive(Debug, Clone)]
pub struct ColdStart {
    pub app_id: String,
    pub launch: Launch,
    pub app_version: String,
    pub wire: Option<WireNames>,
    pub prefetch_url: Option<Url>,
    pub periodic_url: Option<Url>,
    pub no_prefetch: bool,
    /// Record the launch time (for the daemon's "launched in the last 7 days").
    pub note_launch: bool,
}

/// How often the last-launch time is rewritten: the daemon only needs "in the last 7 days",
/// and skipping the write keeps a durable commit off most runs.
const LAUNCH_NOTE_EVERY_MS: i64 = 3_600_000;

/// A URL from the config, checked as a command-line one would be; a bad one is a warning.
fn configured_url(
    services: &Services,
    cfg: &ConsoleConfig,
    kind: FetchType,
    app_id: &str,
) -> Option<Url> {
    let raw = cfg.url(kind)?;
    match check_url(
        &format!("configured {} URL of {app_id}", kind.url_kind()),
        raw,
    ) {
        Ok(u) => Some(u),
        Err(e) => {
            (services.warn)(&format!("warning: {e}"));
            None
        }
    }
}

/// Starts the cold-start requests. The store is read here, on the caller's thread (three reads
/// from a read-only handle: tens of microseconds), so the requests go out without waiting for
/// another thread; they run on the I/O runtime, and the event loop stays alive until they are
/// stored and delivered (each holds a [`crate::engine::PendingWork`]). Returns a receiver that
/// gets a message once the requests are on their way, or `None` when none is made.
pub fn start_cold(
    io: &crate::io::Io,
    services: Arc<Services>,
    plan: ColdStart,
    events: EventSender,
) -> Option<std::sync::mpsc::Receiver<()>> {
    let loaded = (|| -> Result<_, String> {
        let store = services.store()?;
        let app = &plan.app_id;
        let err = |e: super::store::StoreError| e.to_string();
        Ok((
            store.config(app).map_err(err)?,
            store.token(app).map_err(err)?,
            store.state(app).map_err(err)?,
        ))
    })();
    tracing::trace!("bgfetch: config, token and state read");
    let (cfg, token, state) = match loaded {
        Ok(v) => v,
        Err(e) => {
            (services.warn)(&format!("warning: background fetch disabled: {e}"));
            return None;
        }
    };
    let now = services.clock.now_ms();
    let wire = plan.wire.or(cfg.wire).unwrap_or_default();
    let attempt = |kind: FetchType, url: Url, token: Option<String>| Attempt {
        app_id: plan.app_id.clone(),
        kind,
        url,
        token,
        app_version: plan.app_version.clone(),
        launch: plan.launch.clone(),
        wire,
    };
    let mut attempts = Vec::new();
    let pre_url = plan
        .prefetch_url
        .clone()
        .or_else(|| configured_url(&services, &cfg, FetchType::Pre, &plan.app_id));
    if let (Some(url), false) = (pre_url, plan.no_prefetch) {
        attempts.push(attempt(FetchType::Pre, url, token.clone()));
    }
    let periodic_url = plan
        .periodic_url
        .clone()
        .or_else(|| configured_url(&services, &cfg, FetchType::Periodic, &plan.app_id));
    if let Some(url) = periodic_url
        && periodic_due(&cfg, &state, now)
    {
        match &token {
            None => (services.warn)(&format!(
                "warning: periodic fetch for {} skipped: {NO_TOKEN}",
                plan.app_id
            )),
            Some(t) => attempts.push(attempt(FetchType::Periodic, url, Some(t.clone()))),
        }
    }
    let note_launch = plan.note_launch
        && state
            .last_launch
            .is_none_or(|t| now - t >= LAUNCH_NOTE_EVERY_MS || t > now);
    if attempts.is_empty() && !note_launch {
        return None;
    }
    let io = match io.handle() {
        Ok(io) => io,
        Err(e) => {
            (services.warn)(&format!("warning: background fetch disabled: {e}"));
            return None;
        }
    };
    let (started, started_rx) = std::sync::mpsc::channel();
    let requests = !attempts.is_empty();
    let work = events.hold();
    let io2 = io.clone();
    io.spawn(async move {
        let tasks: Vec<_> = attempts
            .into_iter()
            .map(|a| io2.spawn(deliver(services.clone(), a, events.hold())))
            .collect();
        // Let the request tasks make their first move (connect, send) before anything else.
        tokio::task::yield_now().await;
        let _ = started.send(());
        if !tasks.is_empty() {
            // The record will be written: open for writing while the request is in flight.
            let s = services.clone();
            let _ = blocking(move || s.store()?.prepare_write().map_err(|e| e.to_string())).await;
        }
        if note_launch {
            let s = services.clone();
            let app = plan.app_id.clone();
            if let Err(e) =
                blocking(move || s.store()?.note_launch(&app, now).map_err(|e| e.to_string())).await
            {
                (services.warn)(&format!("warning: could not record the launch: {e}"));
            }
        }
        for t in tasks {
            let _ = t.await;
        }
        drop(work);
    });
    requests.then_some(started_rx)
}

/// One cold-start request: fetch, store, then hand the record to the JS listeners.
async fn deliver(services: Arc<Services>, attempt: Attempt, work: crate::engine::PendingWork) {
    match fetch_and_store(&services, &attempt).await {
        Ok(record) => {
            let mut payload = serde_json::to_value(&record).unwrap_or_default();
            if let Some(obj) = payload.as_object_mut() {
                let mut ordered = serde_json::Map::new();
                ordered.insert("fetchType".into(), attempt.kind.as_str().into());
                ordered.extend(std::mem::take(obj));
                *obj = ordered;
            }
            work.sender().send(HostEvent::Emit {
                kind: "bgfetch",
                payload,
            });
        }
        Err(e) => (services.warn)(&attempt.failure_line(&e)),
    }
    drop(work);
}
