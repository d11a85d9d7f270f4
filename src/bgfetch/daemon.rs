//! `ftrun daemon`: periodic updates for every eligible app (spec section 7), with bounded
//! concurrency, batched durable commits, one log line per attempt, and a clean stop.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};

use tokio::sync::{Semaphore, mpsc, watch};
use tokio::task::JoinSet;

use super::service::{Attempt, NO_TOKEN, Services, blocking, fetch_record, periodic_due};
use super::wire::{check_url, display_url};
use super::{FetchType, Record};
use crate::engine::Launch;
use crate::store::NewRecord;

/// An app counts as in use when it was launched in the last 7 days.
pub const RECENT_LAUNCH_MS: i64 = 7 * 24 * 3_600_000;
/// How often the daemon looks again for apps that became eligible (tokens, launches).
const RESCAN: Duration = Duration::from_secs(60);
/// Most records committed in one transaction.
const MAX_BATCH: usize = 512;

#[derive(Debug, Clone)]
pub struct DaemonOptions {
    pub once: bool,
    pub concurrency: usize,
    pub app_version: String,
}

/// What one pass did.
#[derive(Debug, Default, Clone, Copy)]
pub struct PassReport {
    pub due: usize,
    pub ok: usize,
    pub failed: usize,
    pub skipped_no_token: usize,
    /// Earliest time (ms since epoch) another eligible app becomes due.
    pub next_due: Option<i64>,
}

/// Log lines: successes to stdout, failures as warnings on stderr.
pub trait DaemonLog: Send + Sync {
    fn info(&self, line: &str);
    fn warn(&self, line: &str);
}

pub struct StdLog;

impl DaemonLog for StdLog {
    fn info(&self, line: &str) {
        // A daemon keeps working when whoever read its log goes away.
        let _ = writeln!(std::io::stdout().lock(), "{} {line}", timestamp());
    }
    fn warn(&self, line: &str) {
        errln!("{} {line}", timestamp());
    }
}

fn timestamp() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// One pass: every due, eligible app gets one periodic request. Stops starting new requests
/// when `stop` resolves; records already fetched are still committed.
pub async fn run_pass(
    services: &Arc<Services>,
    opts: &DaemonOptions,
    log: &Arc<dyn DaemonLog>,
    warned: &mut HashSet<String>,
    stop: &watch::Receiver<bool>,
) -> Result<PassReport, String> {
    let s = services.clone();
    let (apps, tokens) = blocking(move || {
        let store = s.store()?;
        let apps = store.apps().map_err(|e| e.to_string())?;
        let tokens = store.tokens().map_err(|e| e.to_string())?;
        Ok((apps, tokens))
    })
    .await?;
    let now = services.clock.now_ms();
    let mut report = PassReport::default();
    let mut attempts = Vec::new();
    for app in apps {
        let Some(raw_url) = app.config.periodic_fetch_url.as_deref() else {
            continue;
        };
        let hours = app.config.period_hours();
        if hours == 0
            || app
                .state
                .last_launch
                .is_none_or(|t| now - t > RECENT_LAUNCH_MS)
        {
            continue;
        }
        let url = match check_url(
            &format!("configured periodic URL of {}", app.app_id),
            raw_url,
        ) {
            Ok(u) => u,
            Err(e) => {
                if warned.insert(format!("url:{}", app.app_id)) {
                    log.warn(&format!("warning: {e}"));
                }
                continue;
            }
        };
        if !periodic_due(&app.config, &app.state, now) {
            let next =
                app.state.last_periodic_success.unwrap_or(now) + i64::from(hours) * 3_600_000;
            report.next_due = Some(report.next_due.map_or(next, |n| n.min(next)));
            continue;
        }
        let Some(token) = tokens.get(&app.app_id) else {
            report.skipped_no_token += 1;
            if warned.insert(format!("token:{}", app.app_id)) {
                log.warn(&format!(
                    "warning: periodic fetch for {} skipped: {NO_TOKEN}",
                    app.app_id
                ));
            }
            continue;
        };
        attempts.push(Attempt {
            app_id: app.app_id.clone(),
            kind: FetchType::Periodic,
            url,
            token: Some(token.clone()),
            app_version: opts.app_version.clone(),
            launch: Launch {
                path: String::new(),
                query: String::new(),
                scene: 0,
            },
            wire: app.config.wire.unwrap_or_default(),
        });
    }
    report.due = attempts.len();

    // Fetches run concurrently; a single writer commits what they return in batches.
    let (tx, rx) = mpsc::channel::<(Attempt, Record, Instant)>(MAX_BATCH * 2);
    let writer = tokio::spawn(write_batches(services.clone(), log.clone(), rx));
    let limit = Arc::new(Semaphore::new(opts.concurrency.max(1)));
    let mut fetches = JoinSet::new();
    let mut stopped = false;
    for attempt in attempts {
        let permit = tokio::select! {
            p = limit.clone().acquire_owned() => p.map_err(|e| e.to_string())?,
            _ = stopped_signal(stop) => { stopped = true; break; }
        };
        let (services, log, tx) = (services.clone(), log.clone(), tx.clone());
        fetches.spawn(async move {
            let started = Instant::now();
            let result = fetch_record(&services, &attempt).await;
            drop(permit);
            match result {
                Ok(record) => {
                    let _ = tx.send((attempt, record, started)).await;
                    true
                }
                Err(e) => {
                    log.warn(&attempt.failure_line(&e));
                    false
                }
            }
        });
    }
    loop {
        tokio::select! {
            joined = fetches.join_next() => match joined {
                Some(Ok(false)) => report.failed += 1,
                Some(_) => {}
                None => break,
            },
            _ = stopped_signal(stop), if !stopped => {
                stopped = true;
                // Requests in flight are dropped; nothing of theirs was written.
                fetches.abort_all();
            }
        }
    }
    drop(tx);
    let (ok, failed_writes) = writer.await.map_err(|e| e.to_string())?;
    report.ok = ok;
    report.failed += failed_writes;
    Ok(report)
}

/// Commits fetched records in batches (one durable transaction each), then logs them.
async fn write_batches(
    services: Arc<Services>,
    log: Arc<dyn DaemonLog>,
    mut rx: mpsc::Receiver<(Attempt, Record, Instant)>,
) -> (usize, usize) {
    let (mut ok, mut failed) = (0, 0);
    let mut batch = Vec::new();
    while rx.recv_many(&mut batch, MAX_BATCH).await > 0 {
        let items: Vec<(Attempt, Record, Instant)> = std::mem::take(&mut batch);
        let s = services.clone();
        let (items, result) = tokio::task::spawn_blocking(move || {
            let result = s.store().and_then(|store| {
                let news: Vec<NewRecord<'_>> = items
                    .iter()
                    .map(|(a, r, _)| NewRecord {
                        app_id: &a.app_id,
                        kind: a.kind,
                        record: r,
                    })
                    .collect();
                store.put_records(&news).map_err(|e| e.to_string())
            });
            (items, result)
        })
        .await
        .unwrap_or_else(|e| (Vec::new(), Err(e.to_string())));
        for (attempt, record, started) in &items {
            match &result {
                Ok(()) => {
                    ok += 1;
                    log.info(&format!(
                        "periodic {} {} ok: {} bytes in {} ms",
                        attempt.app_id,
                        display_url(&attempt.url),
                        record.fetched_data.len(),
                        started.elapsed().as_millis()
                    ));
                }
                Err(e) => {
                    failed += 1;
                    log.warn(&format!(
                        "warning: periodic fetch for {} from {}: storage error: {e}; nothing stored",
                        attempt.app_id,
                        display_url(&attempt.url)
                    ));
                }
            }
        }
    }
    (ok, failed)
}

/// Resolves once `true` is sent (a stop was asked for); may be awaited again and again.
async fn stopped_signal(stop: &watch::Receiver<bool>) {
    let mut rx = stop.clone();
    if rx.wait_for(|v| *v).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// Runs passes until `true` is sent on `stop` (or one pass with `--once`). Returns whether
/// any attempt failed.
pub async fn run(
    services: Arc<Services>,
    opts: DaemonOptions,
    log: Arc<dyn DaemonLog>,
    stop: watch::Receiver<bool>,
) -> Result<bool, String> {
    let mut warned = HashSet::new();
    let mut any_failed = false;
    loop {
        let started = Instant::now();
        let report = run_pass(&services, &opts, &log, &mut warned, &stop).await?;
        any_failed |= report.failed > 0;
        // A long-running daemon says something only when a pass did something.
        if opts.once || report.due > 0 {
            log.info(&format!(
                "pass: {} due, {} ok, {} failed, {} without token ({} ms)",
                report.due,
                report.ok,
                report.failed,
                report.skipped_no_token,
                started.elapsed().as_millis()
            ));
        }
        if opts.once || *stop.borrow() {
            if *stop.borrow() {
                log.info("stopped");
            }
            return Ok(any_failed);
        }
        let now = services.clock.now_ms();
        let wait = report
            .next_due
            .map(|t| Duration::from_millis((t - now).max(0) as u64))
            .map_or(RESCAN, |d| d.min(RESCAN));
        tokio::select! {
            _ = tokio::time::sleep(wait) => {}
            _ = stopped_signal(&stop) => {
                log.info("stopped");
                return Ok(any_failed);
            }
        }
    }
}
