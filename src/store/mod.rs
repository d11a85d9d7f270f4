//! All state ftrun keeps: one redb file in the data dir (spec section 6), shared by background
//! fetch ([`bgfetch`]: console config, tokens, records, scheduling state) and `wx` storage
//! ([`wx_storage`]). A run's own writes that are not committed yet are seen by its reads at
//! once through [`pending`].
//!
//! The rules, as redb's own design notes state theirs:
//! - **Tables** carry a version in their names (`records_v1`); a changed layout gets a new
//!   name and a copy, never an in-place migration. A table never written reads as empty, so
//!   opening a database never has to write.
//! - **Processes**: redb's MultiWriter mode; several `ftrun` processes share one file, and a
//!   process holds one handle, read-only until its first write.
//! - **Read-modify-write** (an app's console config, its state, storage quotas, clearing)
//!   happens inside one write transaction, so concurrent processes never lose each other's
//!   updates.
//! - **Durability**: every commit is durable (fsync) and atomic; a process killed at any
//!   moment leaves each value old or new, whole.

use std::fs;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use std::sync::{Arc, Mutex, RwLock};

use redb::{
    ConcurrencyMode, Database, ReadOnlyDatabase, ReadTransaction, ReadableDatabase,
    TableDefinition, TableError,
};

pub mod bgfetch;
pub mod pending;
mod wx_storage;

pub use bgfetch::{AppSummary, Change, NewRecord, SlotSummary};
pub use pending::{Pending, Staged};
pub use wx_storage::{STORAGE_APP_MAX, STORAGE_ITEM_MAX};

/// Console config per appId: JSON of [`bgfetch::ConsoleConfig`].
const CONFIG: TableDefinition<&str, &[u8]> = TableDefinition::new("console_config_v1");
/// Background-fetch token per appId.
const TOKENS: TableDefinition<&str, &str> = TableDefinition::new("tokens_v1");
/// (appId, "pre" | "periodic") -> JSON of [`bgfetch::Record`].
const RECORDS: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("records_v1");
/// Scheduling state per appId: JSON of [`bgfetch::AppState`].
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
    match std::fs::metadata(&dir) {
        Ok(m) if !m.is_dir() => {
            return Err(StoreError::DataDir {
                dir: format!("{} (from {source})", dir.display()),
                reason: "not a directory".into(),
            });
        }
        // Anyone who can write the dir can put their own database (or a link) in its place.
        Ok(m) if m.permissions().mode() & 0o002 != 0 => errln!(
            "warning: data dir {} is writable by other users, who could replace its database (it holds tokens); chmod 700 it",
            dir.display()
        ),
        _ => {}
    }
    Ok(dir)
}

/// The redb handle, opened lazily: read-only while only reading (no fsync, no header write),
/// upgraded to a writable handle at the first write. A writable open and close each cost a
/// durable header write, so runs that only read never pay them. Handles are shared (`Arc`) so
/// no lock is held while redb waits: opening for writing waits for any other process's write
/// transaction, and reads must go on meanwhile.
#[derive(Clone)]
enum Handle {
    Closed,
    ReadOnly(Arc<ReadOnlyDatabase>),
    Writable(Arc<Database>),
}

pub struct Store {
    dir: PathBuf,
    path: PathBuf,
    file: String,
    handle: RwLock<Handle>,
    /// Held while the writable handle is being opened (one opener at a time).
    opening: Mutex<()>,
    /// The file was found damaged (a run that met it exits 1).
    damaged: std::sync::atomic::AtomicBool,
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
            opening: Mutex::new(()),
            damaged: Default::default(),
        })
    }

    /// Whether an operation found the database file damaged.
    pub fn is_damaged(&self) -> bool {
        self.damaged.load(std::sync::atomic::Ordering::Relaxed)
    }

    fn builder() -> redb::Builder {
        let mut b = Database::builder();
        b.set_concurrency_mode(ConcurrencyMode::MultiWriter);
        b
    }

    fn current(&self) -> Handle {
        self.handle
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    fn set_current(&self, h: Handle) {
        *self.handle.write().unwrap_or_else(|p| p.into_inner()) = h;
    }

    /// Whether the database file exists. Only "not found" means no: any other failure (the
    /// data dir is unreadable, the file is a symlink) is an error, never "nothing stored".
    fn exists(&self) -> Result<bool, StoreError> {
        match fs::symlink_metadata(&self.path) {
            Ok(m) if m.file_type().is_symlink() => Err(self.refused_symlink()),
            Ok(_) => Ok(true),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                // The file is missing, or the dir cannot be searched: tell them apart.
                match fs::symlink_metadata(&self.dir) {
                    Err(e) if e.kind() != std::io::ErrorKind::NotFound => Err(self.dir_err(&e)),
                    _ => Ok(false),
                }
            }
            Err(e) => Err(self.dir_err(&e)),
        }
    }

    fn refused_symlink(&self) -> StoreError {
        StoreError::Db {
            file: self.file.clone(),
            reason: "is a symbolic link; ftrun does not follow one for its database (remove it)"
                .into(),
        }
    }

    fn dir_err(&self, e: &std::io::Error) -> StoreError {
        StoreError::DataDir {
            dir: self.dir.display().to_string(),
            reason: crate::bundle::io_reason(e),
        }
    }

    /// A read transaction, or `None` when the database does not exist yet.
    fn begin_read(&self) -> Result<Option<ReadTransaction>, StoreError> {
        let handle = match self.current() {
            Handle::Closed => {
                if !self.exists()? {
                    return Ok(None);
                }
                // A file a crash left needing recovery cannot be opened read-only: repair it by
                // opening it writable.
                match Self::builder().open_read_only(&self.path) {
                    Ok(db) => {
                        let h = Handle::ReadOnly(Arc::new(db));
                        let _opening = self.opening.lock().unwrap_or_else(|p| p.into_inner());
                        if let Handle::Closed = self.current() {
                            self.set_current(h.clone());
                        }
                        self.current()
                    }
                    Err(_) => Handle::Writable(self.writable()?),
                }
            }
            h => h,
        };
        let rtx = match &handle {
            Handle::ReadOnly(db) => db.begin_read(),
            Handle::Writable(db) => db.begin_read(),
            Handle::Closed => return Ok(None),
        };
        rtx.map(Some).map_err(|e| self.err(e))
    }

    /// Creates the data dir (0700) and the file (0600) if needed, and opens it for writing.
    /// The file is never reached through a symbolic link, and its mode is set on the open file.
    fn open_writable(&self) -> Result<Database, StoreError> {
        match fs::symlink_metadata(&self.dir) {
            Ok(m) if m.file_type().is_symlink() && fs::metadata(&self.dir).is_err() => {
                let target = fs::read_link(&self.dir)
                    .map(|t| t.display().to_string())
                    .unwrap_or_default();
                return Err(StoreError::DataDir {
                    dir: self.dir.display().to_string(),
                    reason: format!("is a symbolic link to {target}, which does not exist"),
                });
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                fs::DirBuilder::new()
                    .recursive(true)
                    .mode(0o700)
                    .create(&self.dir)
                    .map_err(|e| self.dir_err(&e))?;
            }
            Err(e) => return Err(self.dir_err(&e)),
        }
        if !self.exists()? {
            self.create_whole()?;
        }
        // Tighten an existing file to user-only (through the open file: a symlink put there is
        // refused by O_NOFOLLOW, never followed).
        let file = self.open_file(&self.path, false)?;
        if let Ok(meta) = file.metadata()
            && meta.permissions().mode() & 0o077 != 0
        {
            let _ = file.set_permissions(fs::Permissions::from_mode(0o600));
        }
        let backend =
            redb::backends::FileBackend::new(file).map_err(|e| self.err(redb::Error::from(e)))?;
        Self::builder()
            .create_with_backend(backend)
            .map_err(|e| self.err(redb::Error::from(e)))
    }

    /// Opens `path` read-write, user-only, never through a symbolic link.
    fn open_file(&self, path: &Path, create_new: bool) -> Result<fs::File, StoreError> {
        fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(!create_new)
            .create_new(create_new)
            .truncate(false)
            .mode(0o600)
            .custom_flags(libc::O_NOFOLLOW)
            .open(path)
            .map_err(|e| {
                if e.raw_os_error() == Some(libc::ELOOP) {
                    self.refused_symlink()
                } else {
                    StoreError::Db {
                        file: path.display().to_string(),
                        reason: crate::bundle::io_reason(&e),
                    }
                }
            })
    }

    /// Creates a new database file whole: redb writes its header into a private file, which is
    /// then linked into place. A process killed (or exiting) half-way through creating it leaves
    /// at most a stray `.new-` file, never a database file without a header, which every later
    /// run would have to call damaged. When another process links its file first, theirs is kept.
    fn create_whole(&self) -> Result<(), StoreError> {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let tmp = self
            .dir
            .join(format!("{DB_FILE}.new-{}-{nanos}", std::process::id()));
        let made = (|| {
            let file = self.open_file(&tmp, true)?;
            let backend = redb::backends::FileBackend::new(file)
                .map_err(|e| self.err(redb::Error::from(e)))?;
            drop(
                Self::builder()
                    .create_with_backend(backend)
                    .map_err(|e| self.err(redb::Error::from(e)))?,
            );
            match fs::hard_link(&tmp, &self.path) {
                Ok(()) => Ok(()),
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => Ok(()),
                Err(e) => Err(StoreError::Db {
                    file: self.file.clone(),
                    reason: crate::bundle::io_reason(&e),
                }),
            }
        })();
        let _ = fs::remove_file(&tmp);
        self.remove_strays();
        made
    }

    /// Removes `.new-` files left by creators that were killed (their process is gone).
    fn remove_strays(&self) {
        let Ok(entries) = fs::read_dir(&self.dir) else {
            return;
        };
        let prefix = format!("{DB_FILE}.new-");
        for e in entries.flatten() {
            let name = e.file_name();
            let Some(pid) = name
                .to_str()
                .and_then(|n| n.strip_prefix(&prefix))
                .and_then(|rest| rest.split('-').next())
                .and_then(|pid| pid.parse::<libc::pid_t>().ok())
            else {
                continue;
            };
            // SAFETY: kill with signal 0 only checks whether the process exists.
            let gone = unsafe { libc::kill(pid, 0) } == -1
                && std::io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH);
            if gone {
                let _ = fs::remove_file(e.path());
            }
        }
    }

    /// The writable handle, opened at the first write.
    fn writable(&self) -> Result<Arc<Database>, StoreError> {
        if let Handle::Writable(db) = self.current() {
            return Ok(db);
        }
        let _opening = self.opening.lock().unwrap_or_else(|p| p.into_inner());
        if let Handle::Writable(db) = self.current() {
            return Ok(db);
        }
        // May wait for another process's write transaction; reads go on meanwhile.
        let db = Arc::new(self.open_writable()?);
        self.set_current(Handle::Writable(db.clone()));
        Ok(db)
    }

    /// Closes the database file now; dropping the store does the same. For a process that ends
    /// with the store still referenced (`ftrun run` leaves its engine, and the closures holding
    /// the store, to the OS): a writable handle's close writes a clean header, whereas a file
    /// left open reads as needing recovery, and the next process must repair it (a writable
    /// open and durable writes) before its first read.
    pub fn close(&self) -> Result<(), StoreError> {
        let _opening = self.opening.lock().unwrap_or_else(|p| p.into_inner());
        let handle = std::mem::replace(
            &mut *self.handle.write().unwrap_or_else(|p| p.into_inner()),
            Handle::Closed,
        );
        match handle {
            // Still shared means an operation is under way; the file closes when it ends.
            Handle::Writable(db) => match Arc::try_unwrap(db) {
                Ok(db) => self.guard(|| db.close().map_err(|e| self.err(e))),
                Err(_) => Ok(()),
            },
            Handle::ReadOnly(_) | Handle::Closed => Ok(()),
        }
    }

    /// Opens the writable handle now (its durable header write included), so a later write
    /// pays only its own commit: used while a request is in flight.
    pub fn prepare_write(&self) -> Result<(), StoreError> {
        self.guard(|| {
            let wtx = self.begin_write()?;
            wtx.abort().map_err(|e| self.err(e))
        })
    }

    fn begin_write(&self) -> Result<redb::WriteTransaction, StoreError> {
        self.writable()?.begin_write().map_err(|e| self.err(e))
    }

    fn err(&self, e: impl Into<redb::Error>) -> StoreError {
        let damaged = |what: String| {
            self.damaged
                .store(true, std::sync::atomic::Ordering::Relaxed);
            format!(
                "the database is damaged ({what}); delete this file to start afresh (it holds only ftrun's cached records, tokens, storage and console config)"
            )
        };
        let reason = match e.into() {
            redb::Error::Corrupted(what) => damaged(what),
            redb::Error::Io(e) if e.kind() == std::io::ErrorKind::InvalidData => {
                damaged(e.to_string())
            }
            other => other.to_string(),
        };
        StoreError::Db {
            file: self.file.clone(),
            reason,
        }
    }

    fn corrupt(&self, what: String) -> StoreError {
        StoreError::Corrupt {
            file: self.file.clone(),
            what,
        }
    }

    /// Runs `f` on a store operation, turning a panic inside redb into an error: redb reaches
    /// `unreachable!` on some damaged pages (a zeroed page), and a damaged file must be a
    /// message naming it, not a crash.
    fn guard<T>(&self, f: impl FnOnce() -> Result<T, StoreError>) -> Result<T, StoreError> {
        match quietly(f) {
            Ok(r) => r,
            Err(()) => {
                // The handle may be in any state now: open afresh next time.
                self.set_current(Handle::Closed);
                Err(self.err(redb::Error::Corrupted(
                    "an internal check failed while reading it".into(),
                )))
            }
        }
    }

    /// Runs `f` on one table in a read transaction; a database or table that does not exist
    /// yet is `empty`.
    fn with_table<K, V, T>(
        &self,
        table: TableDefinition<K, V>,
        empty: T,
        f: impl FnOnce(&redb::ReadOnlyTable<K, V>) -> Result<T, redb::StorageError>,
    ) -> Result<T, StoreError>
    where
        K: redb::Key + 'static,
        V: redb::Value + 'static,
    {
        self.guard(|| {
            let Some(rtx) = self.begin_read()? else {
                return Ok(empty);
            };
            let t = match rtx.open_table(table) {
                Ok(t) => t,
                Err(TableError::TableDoesNotExist(_)) => return Ok(empty),
                Err(e) => return Err(self.err(e)),
            };
            f(&t).map_err(|e| self.err(e))
        })
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
        self.with_table(table, None, |t| Ok(t.get(key)?.map(|g| map(g.value()))))
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

    /// One durable write transaction; `f` gets the open write transaction.
    fn write(
        &self,
        f: impl FnOnce(&redb::WriteTransaction) -> Result<(), redb::Error>,
    ) -> Result<(), StoreError> {
        self.guard(|| {
            let wtx = self.begin_write()?;
            tracing::trace!("store: write transaction begun");
            let done = match f(&wtx) {
                Ok(()) => wtx.commit().map_err(redb::Error::from),
                Err(e) => {
                    drop(wtx); // aborted: the write lock goes before any recovery
                    Err(e)
                }
            };
            match done {
                Ok(()) => {
                    tracing::trace!("store: committed");
                    Ok(())
                }
                Err(e) => {
                    let failed_io = matches!(&e, redb::Error::Io(_) | redb::Error::PreviousIo);
                    let err = self.err(e);
                    if failed_io {
                        self.recover_from_failed_io();
                    }
                    Err(err)
                }
            }
        })
    }

    /// After a write failed for I/O (a full disk): redb refuses every later operation on that
    /// handle, and the failed commit has left the file grown over the free space. Reopen it and
    /// compact it, which gives the space back, so later small writes and `cache clear` work.
    fn recover_from_failed_io(&self) {
        let _opening = self.opening.lock().unwrap_or_else(|p| p.into_inner());
        self.set_current(Handle::Closed);
        match self.open_writable() {
            Ok(mut db) => {
                if let Err(e) = db.compact() {
                    tracing::debug!("store: compaction after a failed write: {e}");
                }
                self.set_current(Handle::Writable(Arc::new(db)));
            }
            Err(e) => tracing::debug!("store: reopening after a failed write: {e}"),
        }
    }
}

thread_local! {
    static QUIET_PANICS: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// Runs `f`, catching a panic without printing it (the caller reports it as an error). The
/// process's panic hook is wrapped once so panics elsewhere still print as before.
fn quietly<T>(f: impl FnOnce() -> T) -> Result<T, ()> {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET_PANICS.with(|q| q.get()) {
                previous(info);
            }
        }));
    });
    let was = QUIET_PANICS.with(|q| q.replace(true));
    let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(f));
    QUIET_PANICS.with(|q| q.set(was));
    r.map_err(|_| ())
}
