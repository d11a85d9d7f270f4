//! What background fetch keeps: the console config, tokens, records and scheduling state per
//! appId (spec sections 1 and 6), and the shapes they are stored in.

use redb::{ReadableTable, TableError};
use serde::{Deserialize, Serialize};

use super::{CONFIG, RECORDS, STATE, Store, StoreError, TOKENS};

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

/// Per-app bookkeeping the scheduler needs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AppState {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_launch: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_periodic_success: Option<i64>,
}

/// Everything stored about one app, for listings (the token itself is never listed).
#[derive(Debug, Clone, Default, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AppSummary {
    pub app_id: String,
    pub config: ConsoleConfig,
    pub has_token: bool,
    pub state: AppState,
    pub pre: Option<SlotSummary>,
    pub periodic: Option<SlotSummary>,
}

#[derive(Debug, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SlotSummary {
    pub bytes: usize,
    pub time_stamp: i64,
}

/// One change for [`Store::apply`].
pub enum Change<'a> {
    /// The whole console config of an app (an empty one removes it).
    Config(&'a str, &'a ConsoleConfig),
    Token(&'a str, &'a str),
    /// The app was launched at this time (ms since epoch).
    Launch(&'a str, i64),
}

/// A record to store; `periodic` ones also move the app's last periodic success.
pub struct NewRecord<'a> {
    pub app_id: &'a str,
    pub kind: FetchType,
    pub record: &'a Record,
}

impl Store {
    pub fn config(&self, app_id: &str) -> Result<ConsoleConfig, StoreError> {
        let raw = self.read(CONFIG, app_id, |v| v.to_vec())?;
        Ok(self
            .json(raw, format!("the console config of {app_id}"))?
            .unwrap_or_default())
    }

    pub fn token(&self, app_id: &str) -> Result<Option<String>, StoreError> {
        self.read(TOKENS, app_id, |v| v.to_string())
    }

    pub fn record(&self, app_id: &str, kind: FetchType) -> Result<Option<Record>, StoreError> {
        let raw = self.read(RECORDS, (app_id, kind.as_str()), |v| v.to_vec())?;
        self.json(raw, format!("the {} record of {app_id}", kind.as_str()))
    }

    pub fn state(&self, app_id: &str) -> Result<AppState, StoreError> {
        let raw = self.read(STATE, app_id, |v| v.to_vec())?;
        Ok(self
            .json(raw, format!("the state of {app_id}"))?
            .unwrap_or_default())
    }

    pub fn set_config(&self, app_id: &str, cfg: &ConsoleConfig) -> Result<(), StoreError> {
        self.apply(&[Change::Config(app_id, cfg)])
    }

    /// Changes an app's console config inside one write transaction (read, `change`, write),
    /// so concurrent `config set`s of different fields each keep theirs; returns it as stored.
    pub fn update_config(
        &self,
        app_id: &str,
        change: impl FnOnce(&mut ConsoleConfig),
    ) -> Result<ConsoleConfig, StoreError> {
        let mut stored = None;
        self.write(|wtx| {
            let mut configs = wtx.open_table(CONFIG)?;
            let raw = configs.get(app_id)?.map(|g| g.value().to_vec());
            let mut cfg = match raw.map(|b| serde_json::from_slice::<ConsoleConfig>(&b)) {
                None => ConsoleConfig::default(),
                Some(Ok(cfg)) => cfg,
                Some(Err(_)) => return Ok(()), // reported below, nothing written
            };
            change(&mut cfg);
            if cfg.is_empty() {
                configs.remove(app_id)?;
            } else {
                configs.insert(
                    app_id,
                    serde_json::to_vec(&cfg).unwrap_or_default().as_slice(),
                )?;
            }
            stored = Some(cfg);
            Ok(())
        })?;
        stored.ok_or_else(|| self.corrupt(format!("the console config of {app_id}")))
    }

    pub fn set_token(&self, app_id: &str, token: &str) -> Result<(), StoreError> {
        self.apply(&[Change::Token(app_id, token)])
    }

    pub fn note_launch(&self, app_id: &str, now_ms: i64) -> Result<(), StoreError> {
        self.apply(&[Change::Launch(app_id, now_ms)])
    }

    /// Commits several changes in one durable transaction (a read-modify-write of an app's
    /// state happens inside it, so concurrent processes cannot lose each other's updates).
    pub fn apply(&self, changes: &[Change<'_>]) -> Result<(), StoreError> {
        if changes.is_empty() {
            return Ok(());
        }
        self.write(|wtx| {
            let mut configs = wtx.open_table(CONFIG)?;
            let mut tokens = wtx.open_table(TOKENS)?;
            let mut states = wtx.open_table(STATE)?;
            for change in changes {
                match change {
                    Change::Config(app, cfg) if cfg.is_empty() => {
                        configs.remove(*app)?;
                    }
                    Change::Config(app, cfg) => {
                        let bytes = serde_json::to_vec(cfg).unwrap_or_default();
                        configs.insert(*app, bytes.as_slice())?;
                    }
                    Change::Token(app, token) => {
                        tokens.insert(*app, *token)?;
                    }
                    Change::Launch(app, now_ms) => {
                        let mut state: AppState = states
                            .get(*app)?
                            .and_then(|g| serde_json::from_slice(g.value()).ok())
                            .unwrap_or_default();
                        state.last_launch = Some(*now_ms);
                        let bytes = serde_json::to_vec(&state).unwrap_or_default();
                        states.insert(*app, bytes.as_slice())?;
                    }
                }
            }
            Ok(())
        })
    }

    /// Stores records in one durable transaction (the daemon batches; a run stores one).
    pub fn put_records(&self, items: &[NewRecord<'_>]) -> Result<(), StoreError> {
        if items.is_empty() {
            return Ok(());
        }
        self.write(|wtx| {
            let mut records = wtx.open_table(RECORDS)?;
            let mut states = wtx.open_table(STATE)?;
            for item in items {
                let bytes = serde_json::to_vec(item.record).unwrap_or_default();
                records.insert((item.app_id, item.kind.as_str()), bytes.as_slice())?;
                if item.kind == FetchType::Periodic {
                    let mut state: AppState = states
                        .get(item.app_id)?
                        .and_then(|g| serde_json::from_slice(g.value()).ok())
                        .unwrap_or_default();
                    state.last_periodic_success = Some(item.record.time_stamp);
                    let sb = serde_json::to_vec(&state).unwrap_or_default();
                    states.insert(item.app_id, sb.as_slice())?;
                }
            }
            Ok(())
        })
    }

    /// Removes slots, token and state of one app (or of all); the console config stays.
    /// Returns how many apps had something removed; with nothing to remove nothing is written
    /// (and a data dir that does not exist is not created). Which apps exist is read inside
    /// the write transaction, so an app stored meanwhile by another process is cleared too.
    pub fn clear(&self, app_id: Option<&str>) -> Result<usize, StoreError> {
        if !self.path.exists() || self.apps()?.is_empty() {
            return Ok(0);
        }
        let mut cleared = 0;
        self.write(|wtx| {
            let mut records = wtx.open_table(RECORDS)?;
            let mut tokens = wtx.open_table(TOKENS)?;
            let mut states = wtx.open_table(STATE)?;
            let apps: Vec<String> = match app_id {
                Some(a) => vec![a.to_string()],
                None => {
                    let mut all = std::collections::BTreeSet::new();
                    for row in records.iter()? {
                        all.insert(row?.0.value().0.to_string());
                    }
                    for row in tokens.iter()? {
                        all.insert(row?.0.value().to_string());
                    }
                    for row in states.iter()? {
                        all.insert(row?.0.value().to_string());
                    }
                    all.into_iter().collect()
                }
            };
            for app in &apps {
                let mut any = false;
                for kind in [FetchType::Pre, FetchType::Periodic] {
                    any |= records.remove((app.as_str(), kind.as_str()))?.is_some();
                }
                any |= tokens.remove(app.as_str())?.is_some();
                any |= states.remove(app.as_str())?.is_some();
                cleared += usize::from(any);
            }
            Ok(())
        })?;
        Ok(cleared)
    }

    /// Every stored token by appId, in one read transaction (for the daemon only).
    pub fn tokens(&self) -> Result<std::collections::HashMap<String, String>, StoreError> {
        self.with_table(TOKENS, Default::default(), |t| {
            let mut out = std::collections::HashMap::new();
            for row in t.iter()? {
                let (k, v) = row?;
                out.insert(k.value().to_string(), v.value().to_string());
            }
            Ok(out)
        })
    }

    /// Every app with any stored state, sorted by appId, in one read transaction.
    pub fn apps(&self) -> Result<Vec<AppSummary>, StoreError> {
        self.guard(|| self.apps_unguarded())
    }

    fn apps_unguarded(&self) -> Result<Vec<AppSummary>, StoreError> {
        use std::collections::BTreeMap;
        let Some(rtx) = self.begin_read()? else {
            return Ok(Vec::new());
        };
        let mut apps: BTreeMap<String, AppSummary> = BTreeMap::new();
        fn entry<'m>(apps: &'m mut BTreeMap<String, AppSummary>, id: &str) -> &'m mut AppSummary {
            apps.entry(id.to_string()).or_insert_with(|| AppSummary {
                app_id: id.to_string(),
                ..AppSummary::default()
            })
        }
        macro_rules! each {
            ($table:expr, |$k:ident, $v:ident| $body:block) => {
                match rtx.open_table($table) {
                    Ok(t) => {
                        for row in t.iter().map_err(|e| self.err(e))? {
                            let (kg, vg) = row.map_err(|e| self.err(e))?;
                            let $k = kg.value();
                            let $v = vg.value();
                            $body
                        }
                    }
                    Err(TableError::TableDoesNotExist(_)) => {}
                    Err(e) => return Err(self.err(e)),
                }
            };
        }
        each!(CONFIG, |k, v| {
            let s = entry(&mut apps, k);
            s.config = serde_json::from_slice(v)
                .map_err(|_| self.corrupt(format!("the console config of {k}")))?;
        });
        each!(TOKENS, |k, _v| {
            let s = entry(&mut apps, k);
            s.has_token = true;
        });
        each!(STATE, |k, v| {
            let s = entry(&mut apps, k);
            s.state =
                serde_json::from_slice(v).map_err(|_| self.corrupt(format!("the state of {k}")))?;
        });
        each!(RECORDS, |k, v| {
            let (app, kind) = k;
            let rec: Record = serde_json::from_slice(v)
                .map_err(|_| self.corrupt(format!("the {kind} record of {app}")))?;
            let slot = SlotSummary {
                bytes: rec.fetched_data.len(),
                time_stamp: rec.time_stamp,
            };
            let s = entry(&mut apps, app);
            match FetchType::parse(kind) {
                Some(FetchType::Pre) => s.pre = Some(slot),
                Some(FetchType::Periodic) => s.periodic = Some(slot),
                None => {}
            }
        });
        Ok(apps.into_values().collect())
    }
}
