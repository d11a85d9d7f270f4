//! The cache: one redb file in the data dir (spec section 6). Multi-process (redb's MultiWriter
//! mode), durable commits, atomic records. Tables carry a version in their names; a table that
//! was never written reads as empty, so opening never has to write.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use std::sync::RwLock;

use redb::{
    ConcurrencyMode, Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase, ReadableTable,
    TableDefinition, TableError,
};

use super::{AppState, ConsoleConfig, FetchType, Record};

mod wx_storage;
pub use wx_storage::{STORAGE_APP_MAX, STORAGE_ITEM_MAX};

const CONFIG: TableDefinition<&str, &[u8]> = TableDefinition::new("console_config_v1");
const TOKENS: TableDefinition<&str, &str> = TableDefinition::new("tokens_v1");
const RECORDS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("records_v1");
const STATE: TableDefinition<&str, &[u8]> = TableDefinition::new("app_state_v1");
/// `wx.setStorage` data: (appId, key) -> JSON text.
const STORAGE: TableDefinition<(&str, &str), &str> = TableDefinition::new("storage_v1");

pub const DB_FILE: &str = "ftrun.redb";

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("data dir {dir}: {reason}")]
    DataDir { dir: String, reason: String },
    #[error("database {file}: {reason}")]
    Db { file: String, reason: String },
    #[error("database {file}: corrupt entry for {what}")]
    Corrupt { file: String, what: String },
}

/// `--data-dir`, else `$FTRUN_DATA_DIR`, else `$XDG_DATA_HOME/ftrun`, else `~/.local/share/ftrun`.
/// A path that exists but is not a directory is refused here, naming where it came from.
pub fn resolve_data_dir(flag: Option<&Path>) -> Result<PathBuf, StoreError> {
    let env = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty());
    let (dir, source) = if let Some(dir) = flag {
        (dir.to_path_buf(), "--data-dir")
    } else if let Some(dir) = env("FTRUN_DATA_DIR") {
        (PathBuf::from(dir), "$FTRUN_DATA_DIR")
    } else if let Some(xdg) = env("XDG_DATA_HOME") {
        (PathBuf::from(xdg).join("ftrun"), "$XDG_DATA_HOME")
    } else if let Some(home) = env("HOME") {
        (PathBuf::from(home).join(".local/share/ftrun"), "$HOME")
    } else {
        return Err(StoreError::DataDir {
            dir: "~/.local/share/ftrun".into(),
            reason: "HOME is not set; pass --data-dir or set FTRUN_DATA_DIR".into(),
        });
    };
    if std::fs::metadata(&dir).is_ok_and(|m| !m.is_dir()) {
        return Err(StoreError::DataDir {
            dir: format!("{} (from {source})", dir.display()),
            reason: "not a directory".into(),
        });
    }
    Ok(dir)
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

/// The redb handle, opened lazily: read-only while only reading (no fsync, no header write),
/// upgraded to a writable handle at the first write. A writable open and close each cost a
/// durable header write, so runs that only read never pay them.
enum Handle {
    Closed,
    ReadOnly(ReadOnlyDatabase),
    Writable(Database),
}

pub struct Store {
    dir: PathBuf,
    path: PathBuf,
    file: String,
    handle: RwLock<Handle>,
}

impl Store {
    /// A store for the database in `dir`. Nothing is opened or created until used: reading a
    /// data dir that does not exist yet reads as empty; the first write creates it (dir 0700,
    /// file 0600).
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        let path = dir.join(DB_FILE);
        Ok(Store {
            dir: dir.to_path_buf(),
            file: path.display().to_string(),
            path,
            handle: RwLock::new(Handle::Closed),
        })
    }

    fn builder() -> redb::Builder {
        let mut b = Database::builder();
        b.set_concurrency_mode(ConcurrencyMode::MultiWriter);
        b
    }

    /// A read transaction, or `None` when the database does not exist yet.
    fn begin_read(&self) -> Result<Option<ReadTransaction>, StoreError> {
        {
            let h = self.handle.read().unwrap_or_else(|p| p.into_inner());
            match &*h {
                Handle::ReadOnly(db) => return db.begin_read().map(Some).map_err(|e| self.err(e)),
                Handle::Writable(db) => return db.begin_read().map(Some).map_err(|e| self.err(e)),
                Handle::Closed => {}
            }
        }
        if !self.path.exists() {
            return Ok(None);
        }
        let mut h = self.handle.write().unwrap_or_else(|p| p.into_inner());
        if let Handle::Closed = *h {
            // A file a crash left needing recovery cannot be opened read-only: repair it by
            // opening it writable.
            *h = match Self::builder().open_read_only(&self.path) {
                Ok(db) => Handle::ReadOnly(db),
                Err(_) => Handle::Writable(self.open_writable()?),
            };
        }
        match &*h {
            Handle::ReadOnly(db) => db.begin_read().map(Some).map_err(|e| self.err(e)),
            Handle::Writable(db) => db.begin_read().map(Some).map_err(|e| self.err(e)),
            Handle::Closed => Ok(None),
        }
    }

    /// Creates the data dir (0700) and the file (0600) if needed, and opens it for writing.
    fn open_writable(&self) -> Result<Database, StoreError> {
        let dir_err = |e: std::io::Error| StoreError::DataDir {
            dir: self.dir.display().to_string(),
            reason: crate::bundle::io_reason(&e),
        };
        if !self.dir.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(&self.dir)
                .map_err(dir_err)?;
        }
        let db_err = |reason: String| StoreError::Db {
            file: self.file.clone(),
            reason,
        };
        // Create the file user-only before redb opens it; tighten an existing one.
        let handle = fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .mode(0o600)
            .open(&self.path)
            .map_err(|e| db_err(crate::bundle::io_reason(&e)))?;
        if let Ok(meta) = handle.metadata()
            && meta.permissions().mode() & 0o077 != 0
        {
            let _ = fs::set_permissions(&self.path, fs::Permissions::from_mode(0o600));
        }
        drop(handle);
        Self::builder()
            .create(&self.path)
            .map_err(|e| db_err(e.to_string()))
    }

    /// Opens the writable handle now (its durable header write included), so a later write
    /// pays only its own commit: used while a request is in flight.
    pub fn prepare_write(&self) -> Result<(), StoreError> {
        let wtx = self.begin_write()?;
        wtx.abort().map_err(|e| self.err(e))
    }

    fn begin_write(&self) -> Result<redb::WriteTransaction, StoreError> {
        {
            let h = self.handle.read().unwrap_or_else(|p| p.into_inner());
            if let Handle::Writable(db) = &*h {
                return db.begin_write().map_err(|e| self.err(e));
            }
        }
        let mut h = self.handle.write().unwrap_or_else(|p| p.into_inner());
        if !matches!(*h, Handle::Writable(_)) {
            *h = Handle::Closed; // a process holds one handle at a time
            *h = Handle::Writable(self.open_writable()?);
        }
        match &*h {
            Handle::Writable(db) => db.begin_write().map_err(|e| self.err(e)),
            _ => Err(StoreError::Db {
                file: self.file.clone(),
                reason: "not writable".into(),
            }),
        }
    }

    fn err(&self, e: impl Into<redb::Error>) -> StoreError {
        StoreError::Db {
            file: self.file.clone(),
            reason: e.into().to_string(),
        }
    }

    fn corrupt(&self, what: String) -> StoreError {
        StoreError::Corrupt {
            file: self.file.clone(),
            what,
        }
    }

    /// Reads one value; a table that does not exist yet reads as empty.
    fn read<K, V, T>(
        &self,
        table: TableDefinition<K, V>,
        key: K::SelfType<'_>,
        map: impl FnOnce(V::SelfType<'_>) -> T,
    ) -> Result<Option<T>, StoreError>
    where
        K: redb::Key + 'static,
        V: redb::Value + 'static,
    {
        let Some(rtx) = self.begin_read()? else {
            return Ok(None);
        };
        let t = match rtx.open_table(table) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok(None),
            Err(e) => return Err(self.err(e)),
        };
        let v = t.get(key).map_err(|e| self.err(e))?;
        Ok(v.map(|g| map(g.value())))
    }

    fn json<T: serde::de::DeserializeOwned>(
        &self,
        bytes: Option<Vec<u8>>,
        what: String,
    ) -> Result<Option<T>, StoreError> {
        match bytes {
            None => Ok(None),
            Some(b) => serde_json::from_slice(&b)
                .map(Some)
                .map_err(|_| self.corrupt(what)),
        }
    }

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

    /// One durable write transaction; `f` gets the open write transaction.
    fn write(
        &self,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
    ) -> Result<(), StoreError> {
        let wtx = self.begin_write()?;
        tracing::trace!("store: write transaction begun");
        f(&wtx).map_err(|e| self.err(e))?;
        let r = wtx.commit().map_err(|e| self.err(e));
        tracing::trace!("store: committed");
        r
    }

    pub fn set_config(&self, app_id: &str, cfg: &ConsoleConfig) -> Result<(), StoreError> {
        self.apply(&[Change::Config(app_id, cfg)])
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
    /// (and a data dir that does not exist is not created).
    pub fn clear(&self, app_id: Option<&str>) -> Result<usize, StoreError> {
        if !self.path.exists() {
            return Ok(0);
        }
        let apps: Vec<String> = match app_id {
            Some(a) => vec![a.to_string()],
            None => self.apps()?.into_iter().map(|s| s.app_id).collect(),
        };
        if apps.is_empty() {
            return Ok(0);
        }
        let mut cleared = 0;
        self.write(|wtx| {
            let mut records = wtx.open_table(RECORDS)?;
            let mut tokens = wtx.open_table(TOKENS)?;
            let mut states = wtx.open_table(STATE)?;
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
        let Some(rtx) = self.begin_read()? else {
            return Ok(Default::default());
        };
        let t = match rtx.open_table(TOKENS) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok(Default::default()),
            Err(e) => return Err(self.err(e)),
        };
        let mut out = std::collections::HashMap::new();
        for row in t.iter().map_err(|e| self.err(e))? {
            let (k, v) = row.map_err(|e| self.err(e))?;
            out.insert(k.value().to_string(), v.value().to_string());
        }
        Ok(out)
    }

    /// Every app with any stored state, sorted by appId, in one read transaction.
    pub fn apps(&self) -> Result<Vec<AppSummary>, StoreError> {
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
