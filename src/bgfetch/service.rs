//! Background-fetch services shared by every command: the lazily opened store and client,
//! one fetch attempt, and the requests a cold start makes (spec section 4).

use crate::timeline::{self, Lane};
use std::path::PathBuf;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use url::Url;

use super::fetcher::{FetchError, Fetcher, HyperFetcher};
use super::wire::{RequestParams, check_url, display_url, request_url};
use super::{AppState, Clock, ConsoleConfig, FetchType, Record, WireNames};
use crate::engine::{EventSender, HostEvent, Launch, PendingWork};
use crate::store::pending::{Key, Value};
use crate::store::{NewRecord, Pending, Store};

/// Where warnings go (stderr for commands; a capture for the test runner).
pub type WarnSink = Arc<dyn Fn(&str) + Send + Sync>;

pub fn stderr_warnings() -> WarnSink {
    Arc::new(|line: &str| errln!("{line}"))
}

/// The store and the HTTP client, each created on first use from any thread (opening the
/// database stays off the JS thread's critical path), plus clock, deadline and warnings.
pub struct Services {
    pub data_dir: PathBuf,
    pub ca_file: Option<PathBuf>,
    pub fetch_timeout: Duration,
    pub clock: Arc<dyn Clock>,
    pub warn: WarnSink,
    /// This run's writes not committed yet, which its reads see at once (spec section 3).
    pub pending: Arc<Pending>,
    store: OnceLock<Result<Arc<Store>, String>>,
    fetcher: OnceLock<Result<Arc<dyn Fetcher>, String>>,
    /// This app's own store and network moments (`launch({ timeline: true })`); without it they
    /// go to the process's `--timeline`.
    pub timeline: Option<Arc<std::sync::Mutex<Vec<timeline::Event>>>>,
}

impl Services {
    /// Records a timeline event of this app's (see [`crate::timeline`]).
    pub fn timeline(&self, lane: Lane, ph: char, name: &str) {
        match &self.timeline {
            Some(own) => {
                if let Ok(mut events) = own.lock() {
                    events.push(timeline::Event::now(lane, ph, name));
                }
            }
            None => timeline::event(lane, ph, name),
        }
    }

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
            pending: Arc::default(),
            store: OnceLock::new(),
            fetcher: OnceLock::new(),
            timeline: None,
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

    /// Closes the store if it was opened (see [`Store::close`]); a failure is a warning.
    pub fn close_store(&self) {
        if let Some(Ok(store)) = self.store.get()
            && let Err(e) = store.close()
        {
            (self.warn)(&format!("warning: {e}"));
        }
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

/// One request, then a durable store of its record (`ftrun fetch`: it reports only once the
/// record is stored).
pub async fn fetch_and_store(
    services: &Arc<Services>,
    attempt: &Attempt,
) -> Result<Record, AttemptError> {
    let record = fetch_record(services, attempt).await?;
    tracing::trace!("bgfetch: response received");
    let s = services.clone();
    let (app, kind, rec) = (attempt.app_id.clone(), attempt.kind, record.clone());
    blocking(move || commit_record(&s, &app, kind, &rec))
        .await
        .map_err(AttemptError::Store)?;
    tracing::trace!("bgfetch: record stored");
    Ok(record)
}

fn commit_record(
    services: &Services,
    app: &str,
    kind: FetchType,
    record: &Record,
) -> Result<(), String> {
    services
        .store()?
        .put_records(&[NewRecord {
            app_id: app,
            kind,
            record,
        }])
        .map_err(|e| e.to_string())
}

/// What `onBackgroundFetchData` listeners receive: `fetchType` first, then the record.
pub fn listener_payload(kind: FetchType, record: &Record) -> serde_json::Value {
    let mut payload = serde_json::Map::new();
    payload.insert("fetchType".into(), kind.as_str().into());
    if let Ok(serde_json::Value::Object(fields)) = serde_json::to_value(record) {
        payload.extend(fields);
    }
    payload.into()
}

/// One request whose record goes to this run's listeners (spec section 3): once the body is
/// validated the record is staged (every read of the run sees it), handed to the listeners at
/// once, and committed meanwhile; the run does not end before the commit is done (it holds
/// `work` until then). A commit that fails is a warning, and the slot keeps its old record.
pub async fn fetch_and_deliver(services: Arc<Services>, attempt: Attempt, work: PendingWork) {
    let request = match attempt.kind {
        FetchType::Pre => "prefetch request",
        FetchType::Periodic => "periodic request",
    };
    services.timeline(Lane::Network, 'B', request);
    let fetched = fetch_record(&services, &attempt).await;
    services.timeline(Lane::Network, 'E', request);
    let record = match fetched {
        Ok(r) => r,
        Err(e) => return (services.warn)(&attempt.failure_line(&e)),
    };
    tracing::trace!("bgfetch: response received");
    services.timeline(Lane::Network, 'i', "response received");
    let (app, kind) = (attempt.app_id.clone(), attempt.kind);
    let staged = services.pending.stage(
        Key::Record(app.clone(), kind),
        Value::Record(record.clone()),
    );
    work.sender().send(HostEvent::Emit {
        kind: "bgfetch",
        payload: listener_payload(kind, &record),
    });
    let s = services.clone();
    let committed = blocking(move || {
        s.timeline(Lane::Store, 'B', "record committed");
        let r = staged.commit(|| commit_record(&s, &app, kind, &record));
        s.timeline(Lane::Store, 'E', "record committed");
        r
    })
    .await;
    match committed {
        Ok(()) => tracing::trace!("bgfetch: record stored"),
        Err(e) => (services.warn)(&attempt.failure_line(&AttemptError::Store(e))),
    }
    drop(work);
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

/// Starts the cold-start requests and returns once they are on the wire (at most
/// `WIRE_WAIT`, 1.5 ms). The store is read here, on the caller's thread (three reads from a
/// read-only handle: tens of microseconds), and the I/O runtime is driven here until the
/// requests are written ([`crate::io::Io::drive_here_until`]), so no thread start or wake-up
/// comes before them; the event loop stays alive until they are stored and delivered (each
/// holds a [`crate::engine::PendingWork`]).
pub fn start_cold(
    io: &crate::io::Io,
    services: Arc<Services>,
    plan: ColdStart,
    events: EventSender,
) {
    let loaded = (|| -> Result<_, String> {
        let store = services.store()?;
        let app = &plan.app_id;
        let err = |e: crate::store::StoreError| e.to_string();
        Ok((
            store.config(app).map_err(err)?,
            store.token(app).map_err(err)?,
            store.state(app).map_err(err)?,
        ))
    })();
    tracing::trace!("bgfetch: config, token and state read");
    services.timeline(Lane::Store, 'i', "store read");
    let (cfg, token, state) = match loaded {
        Ok(v) => v,
        Err(e) => {
            (services.warn)(&format!("warning: background fetch disabled: {e}"));
            return;
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
        return;
    }
    let requests = !attempts.is_empty();
    // Taken before the request starts, so its first write cannot be missed.
    let on_wire = requests
        .then(|| services.fetcher().ok().and_then(|f| f.wire_signal()))
        .flatten();
    let warn = services.warn.clone();
    let launch = note_launch.then(|| (plan.app_id.clone(), now));
    // The store's own writes (opening it for writing, the launch time) go to the blocking pool
    // once the requests are on the wire: starting that pool's thread first would delay them.
    let (s, work) = (services.clone(), events.hold());
    let store_work = async move {
        prepare_and_note(&s, requests, launch.as_ref().map(|(a, t)| (a.as_str(), *t))).await;
        drop(work);
    };
    let start = move |io: &tokio::runtime::Handle| {
        for a in attempts {
            io.spawn(fetch_and_deliver(services.clone(), a, events.hold()));
        }
    };
    // Scripts are read once the request is on the wire (on two cores the JS thread would
    // otherwise compete with it for the CPU), or after WIRE_WAIT if the network is slower than
    // that (a remote server: the I/O thread finishes the connection meanwhile).
    let on_the_wire = async move {
        if let Some(wrote) = on_wire {
            written_or_after(&wrote, WIRE_WAIT).await;
        } else if requests {
            tokio::task::yield_now().await;
        }
    };
    let started = io
        .drive_here_until(start, on_the_wire)
        .and_then(|()| io.handle());
    match started {
        Ok(handle) => drop(handle.spawn(store_work)),
        Err(e) => warn(&format!("warning: background fetch disabled: {e}")),
    }
}

/// While the requests are in flight: opens the store for writing (so a record's commit is
/// the only write left when it arrives) and records the launch time.
async fn prepare_and_note(services: &Arc<Services>, records: bool, launch: Option<(&str, i64)>) {
    if records {
        let s = services.clone();
        let _ = blocking(move || s.store()?.prepare_write().map_err(|e| e.to_string())).await;
    }
    if let Some((app, now)) = launch {
        let (s, app) = (services.clone(), app.to_string());
        if let Err(e) =
            blocking(move || s.store()?.note_launch(&app, now).map_err(|e| e.to_string())).await
        {
            (services.warn)(&format!("warning: could not record the launch: {e}"));
        }
    }
}

/// The longest a cold start waits for its request to be written before it loads scripts. To a
/// local server the write comes 0.1 - 1 ms after the connect starts (on loopback the handshake
/// runs inside `connect`, and the server's wake-up can preempt it); handing the connection to
/// the I/O thread before that costs ~0.5 ms more (a thread started cold), which 0.3 ms here
/// used to pay on most runs. A remote server answers at least two round trips later, so
/// scripts that start up to this much later rarely delay its listener.
const WIRE_WAIT: Duration = Duration::from_micros(1500);

/// Resolves when `wrote` is notified or `limit` has passed. It polls instead of sleeping:
/// tokio's timer counts whole milliseconds, too coarse for a wait this short.
async fn written_or_after(wrote: &tokio::sync::Notify, limit: Duration) {
    let deadline = std::time::Instant::now() + limit;
    let mut notified = std::pin::pin!(wrote.notified());
    std::future::poll_fn(|cx| {
        if notified.as_mut().poll(cx).is_ready() || std::time::Instant::now() >= deadline {
            return std::task::Poll::Ready(());
        }
        cx.waker().wake_by_ref();
        std::task::Poll::Pending
    })
    .await
}
