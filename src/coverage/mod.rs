//! Code coverage for `ftrun test --coverage`, as Jest measures it: the project's own JS files
//! that tests load (through a launched app or a test file's `require`) are instrumented when
//! compiled ([`instrument`]), every JS context counts into its own typed arrays, and when an
//! engine ends its counts are added here, across threads. [`report`] turns the totals into
//! Istanbul's JSON, lcov, Jest's text table, an HTML report, and threshold checks.

pub mod instrument;
pub mod report;

use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::engine::regexp::RegExp;
use crate::testrunner::discover::Selection;
use instrument::FileMap;
use rquickjs::{Ctx, Object, TypedArray};

/// One file's counters and what they mean.
#[derive(Debug, Clone)]
pub struct FileCoverage {
    pub path: PathBuf,
    pub source: String,
    pub map: FileMap,
    pub s: Vec<u64>,
    pub f: Vec<u64>,
    /// Branch paths, flat (see `BranchInfo::first`).
    pub b: Vec<u64>,
}

struct Entry {
    cov: FileCoverage,
    /// The instrumented code; `None`: the file could not be instrumented (runs as it is).
    code: Option<Arc<str>>,
    source_hash: u64,
}

/// The coverage of one run, shared by its test threads.
pub struct Collector {
    /// Files left out: the run's test files, any file its selection calls a test file, and
    /// those the ignore patterns match.
    test_files: Vec<PathBuf>,
    tests: Selection,
    ignore: Vec<RegExp>,
    inner: Mutex<Inner>,
}

#[derive(Default)]
struct Inner {
    entries: Vec<Entry>,
    ids: HashMap<PathBuf, usize>,
}

impl std::fmt::Debug for Collector {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Collector")
    }
}

fn hash(text: &str) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    text.hash(&mut h);
    h.finish()
}

impl Collector {
    /// `test_files` absolute; `tests`: the run's selection (its `testMatch`); `ignore`: Jest's `coveragePathIgnorePatterns` (over absolute
    /// paths; `node_modules` and `miniprogram_npm` are always left out).
    pub fn new(test_files: Vec<PathBuf>, tests: Selection, ignore: Vec<RegExp>) -> Collector {
        Collector {
            test_files,
            tests,
            ignore,
            inner: Mutex::default(),
        }
    }

    /// Whether `path` (absolute) is the project's own code, as Jest decides by default.
    pub fn wants(&self, path: &Path) -> bool {
        let text = path.to_string_lossy();
        let third_party = path.components().any(|c| {
            matches!(
                c.as_os_str().to_str(),
                Some("node_modules" | "miniprogram_npm")
            )
        });
        !third_party
            && !self.tests.is_test_file(path)
            && !self.test_files.iter().any(|t| t == path)
            && !self.ignore.iter().any(|r| r.is_match(&text))
    }

    /// The instrumented code of `path`, compiled once per run. `None` (run it as it is): not
    /// the project's own code, not parsable, or a different text than the one first seen under
    /// this path (a module mock).
    pub fn instrument(&self, path: &Path, source: &str) -> Option<Arc<str>> {
        let canonical = std::fs::canonicalize(path);
        let path = canonical.as_deref().unwrap_or(path);
        if !self.wants(path) {
            return None;
        }
        let h = hash(source);
        // Under the lock, parse included: every engine of the run, on any thread, runs the
        // same instrumented code from the first compile on, so counts do not depend on timing.
        let mut inner = lock(&self.inner);
        if let Some(&id) = inner.ids.get(path) {
            let e = inner.entries.get(id)?;
            return if e.source_hash == h {
                e.code.clone()
            } else {
                None
            };
        }
        let id = inner.entries.len();
        let done = instrument::instrument(source, id);
        if done.is_none() {
            tracing::warn!(
                "coverage: {} not measured (not parsable, or nested too deeply)",
                path.display()
            );
        }
        let code: Option<Arc<str>> = done.as_ref().map(|d| Arc::from(d.code.as_str()));
        let map = done.map(|d| d.map).unwrap_or_default();
        inner.ids.insert(path.to_path_buf(), id);
        inner.entries.push(Entry {
            cov: FileCoverage {
                path: path.to_path_buf(),
                source: source.to_string(),
                s: vec![0; map.statements.len()],
                f: vec![0; map.functions.len()],
                b: vec![0; map.paths],
                map,
            },
            code: code.clone(),
            source_hash: h,
        });
        code
    }

    /// Adds what one JS context counted (`globalThis.__ftcov$`), when its engine ends.
    pub fn collect(&self, ctx: &Ctx<'_>) {
        let Ok(Some(all)) = ctx.globals().get::<_, Option<Object>>("__ftcov$") else {
            return;
        };
        let mut inner = lock(&self.inner);
        for (key, value) in all.props::<String, Object>().flatten() {
            let Some(e) = key
                .parse::<usize>()
                .ok()
                .and_then(|id| inner.entries.get_mut(id))
            else {
                continue;
            };
            add_counts(&value, "s", &mut e.cov.s);
            add_counts(&value, "f", &mut e.cov.f);
            add_counts(&value, "b", &mut e.cov.b);
        }
    }

    /// The files instrumented so far, with their totals, by path.
    pub fn files(&self) -> Vec<FileCoverage> {
        let mut v: Vec<FileCoverage> = lock(&self.inner)
            .entries
            .iter()
            .filter(|e| e.code.is_some())
            .map(|e| e.cov.clone())
            .collect();
        v.sort_by(|a, b| a.path.cmp(&b.path));
        v
    }
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Adds the counters in `holder[key]` (a `Uint32Array`) to `into`; anything else (app code
/// that overwrote them) is skipped.
fn add_counts(holder: &Object<'_>, key: &str, into: &mut [u64]) {
    let Ok(array) = holder.get::<_, TypedArray<u32>>(key) else {
        return;
    };
    let Some(raw) = array.as_raw() else { return };
    // SAFETY: the buffer is alive (held by `array`) and no JS runs while it is read; it is
    // read as bytes, so alignment does not matter.
    let bytes: &[u8] = unsafe { raw.as_ref() };
    for (slot, chunk) in into.iter_mut().zip(bytes.chunks_exact(4)) {
        *slot += u64::from(u32::from_ne_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
    }
}
