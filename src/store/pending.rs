//! A run's own writes that are not committed yet (spec section 3, "read your writes").
//!
//! Every write a run makes (a token, a record, a storage key) is staged here first, at once, on
//! the thread that makes it; its durable commit follows, on the I/O runtime or (for the `*Sync`
//! storage APIs) right there. Every read of the run looks here before the database, so it sees
//! the run's writes at once, committed or not. Other processes see a write once it is
//! committed.
//!
//! Commits run in the order their writes were staged (a later `setStorage` of a key must not be
//! overwritten on disk by an earlier one that committed late): each waits for the ones staged
//! before it. A staged write leaves when its commit ends, done or failed, unless a later write
//! of the same key replaced it; dropping a [`Staged`] ends it, so a commit abandoned on a
//! timeout never holds up the others.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Condvar, Mutex, MutexGuard};

use super::bgfetch::{FetchType, Record};
use super::{Store, StoreError};

/// What a staged write is about.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Token(String),
    Record(String, FetchType),
    /// One `wx` storage key of an app.
    Storage(String, String),
    /// Every `wx` storage key of an app (`clearStorage`).
    AllStorage(String),
}

/// The value a staged write gives its key.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Record(Record),
    Removed,
}

#[derive(Default)]
struct State {
    next_seq: u64,
    /// Every seq below this has finished its commit (or was dropped).
    finished_below: u64,
    /// Finished out of order, waiting for the ones before them.
    finished_early: std::collections::BTreeSet<u64>,
    staged: HashMap<Key, (u64, Value)>,
}

/// The staged writes of one run.
#[derive(Default)]
pub struct Pending {
    state: Mutex<State>,
    turn: Condvar,
}

/// One staged write: commit it with [`Staged::commit`], or drop it.
pub struct Staged {
    pending: Arc<Pending>,
    key: Key,
    seq: u64,
}

impl Pending {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Stages `value` for `key`: the run's reads see it from now on.
    pub fn stage(self: &Arc<Self>, key: Key, value: Value) -> Staged {
        let mut st = self.lock();
        let seq = st.next_seq;
        st.next_seq += 1;
        if let Key::AllStorage(app) = &key {
            // A clear hides the keys staged before it.
            st.staged
                .retain(|k, _| !matches!(k, Key::Storage(a, _) if a == app));
        }
        st.staged.insert(key.clone(), (seq, value));
        Staged {
            pending: self.clone(),
            key,
            seq,
        }
    }

    fn get(&self, key: &Key) -> Option<Value> {
        self.lock().staged.get(key).map(|(_, v)| v.clone())
    }

    fn finish(&self, key: &Key, seq: u64) {
        let mut guard = self.lock();
        let st = &mut *guard;
        if st.staged.get(key).is_some_and(|(s, _)| *s == seq) {
            st.staged.remove(key);
        }
        if seq == st.finished_below {
            st.finished_below += 1;
            while st.finished_early.remove(&st.finished_below) {
                st.finished_below += 1;
            }
        } else {
            st.finished_early.insert(seq);
        }
        drop(guard);
        self.turn.notify_all();
    }

    /// The token of `app`: staged, else stored.
    pub fn token(&self, store: &Store, app: &str) -> Result<Option<String>, StoreError> {
        match self.get(&Key::Token(app.to_string())) {
            Some(Value::Text(t)) => Ok(Some(t)),
            Some(_) => Ok(None),
            None => store.token(app),
        }
    }

    /// The record in slot `kind` of `app`: staged, else stored.
    pub fn record(
        &self,
        store: &Store,
        app: &str,
        kind: FetchType,
    ) -> Result<Option<Record>, StoreError> {
        match self.get(&Key::Record(app.to_string(), kind)) {
            Some(Value::Record(r)) => Ok(Some(r)),
            Some(_) => Ok(None),
            None => store.record(app, kind),
        }
    }

    /// One storage value (JSON text): staged, else stored unless a clear is staged.
    pub fn storage_get(
        &self,
        store: &Store,
        app: &str,
        key: &str,
    ) -> Result<Option<String>, StoreError> {
        let (one, all) = {
            let st = self.lock();
            let one = st
                .staged
                .get(&Key::Storage(app.into(), key.into()))
                .map(|(_, v)| v.clone());
            (one, st.staged.contains_key(&Key::AllStorage(app.into())))
        };
        match one {
            Some(Value::Text(t)) => Ok(Some(t)),
            Some(_) => Ok(None),
            None if all => Ok(None),
            None => store.storage_get(app, key),
        }
    }

    /// Keys (sorted) and total size of an app's storage, staged writes included.
    pub fn storage_info(
        &self,
        store: &Store,
        app: &str,
    ) -> Result<(Vec<String>, usize), StoreError> {
        let (cleared, staged): (bool, Vec<(String, Value)>) = {
            let st = self.lock();
            let staged = st
                .staged
                .iter()
                .filter_map(|(k, (_, v))| match k {
                    Key::Storage(a, key) if a == app => Some((key.clone(), v.clone())),
                    _ => None,
                })
                .collect();
            (st.staged.contains_key(&Key::AllStorage(app.into())), staged)
        };
        let mut sizes: BTreeMap<String, usize> = BTreeMap::new();
        if !cleared {
            for (key, size) in store.storage_sizes(app)? {
                sizes.insert(key, size);
            }
        }
        for (key, v) in staged {
            match v {
                Value::Text(t) => {
                    sizes.insert(key.clone(), key.len() + t.len());
                }
                _ => {
                    sizes.remove(&key);
                }
            }
        }
        let total = sizes.values().sum();
        Ok((sizes.into_keys().collect(), total))
    }
}

impl Staged {
    /// Runs `write` once every write staged before this one has finished, then ends this one.
    /// Blocks the calling thread meanwhile: call it where blocking is allowed (the blocking
    /// pool, `block_in_place`, or a `*Sync` API).
    pub fn commit<T>(self, write: impl FnOnce() -> T) -> T {
        {
            let mut st = self.pending.lock();
            while st.finished_below < self.seq {
                st = self
                    .pending
                    .turn
                    .wait(st)
                    .unwrap_or_else(|p| p.into_inner());
            }
        }
        write()
        // `self` drops here: the write has finished.
    }
}

impl Drop for Staged {
    fn drop(&mut self) {
        self.pending.finish(&self.key, self.seq);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn store() -> (tempfile::TempDir, Store) {
        let dir = tempfile::tempdir().expect("tempdir");
        let store = Store::open(dir.path()).expect("store");
        (dir, store)
    }

    #[test]
    fn reads_see_staged_writes_until_their_commit_ends() {
        let (_d, store) = store();
        let p = Arc::new(Pending::default());
        assert_eq!(p.token(&store, "a").unwrap(), None);
        let staged = p.stage(Key::Token("a".into()), Value::Text("t1".into()));
        assert_eq!(p.token(&store, "a").unwrap().as_deref(), Some("t1"));
        assert_eq!(p.token(&store, "b").unwrap(), None, "apps stay apart");
        staged.commit(|| store.set_token("a", "t1")).unwrap();
        assert_eq!(p.token(&store, "a").unwrap().as_deref(), Some("t1"));
        // A write that never commits (a failure) leaves the stored value in view again.
        drop(p.stage(Key::Token("a".into()), Value::Text("t2".into())));
        assert_eq!(p.token(&store, "a").unwrap().as_deref(), Some("t1"));
    }

    #[test]
    fn a_later_write_of_the_same_key_stays_in_view_when_an_earlier_one_ends() {
        let (_d, store) = store();
        let p = Arc::new(Pending::default());
        let first = p.stage(Key::Token("a".into()), Value::Text("old".into()));
        let second = p.stage(Key::Token("a".into()), Value::Text("new".into()));
        drop(first);
        assert_eq!(p.token(&store, "a").unwrap().as_deref(), Some("new"));
        drop(second);
        assert_eq!(p.token(&store, "a").unwrap(), None);
    }

    #[test]
    fn commits_run_in_the_order_their_writes_were_staged() {
        let (_d, store) = store();
        let store = Arc::new(store);
        let p = Arc::new(Pending::default());
        let first = p.stage(Key::Token("a".into()), Value::Text("1".into()));
        let second = p.stage(Key::Token("a".into()), Value::Text("2".into()));
        let s = store.clone();
        // The second commit starts first but waits for the first.
        let late = std::thread::spawn(move || second.commit(|| s.set_token("a", "2")));
        std::thread::sleep(std::time::Duration::from_millis(50));
        assert!(
            !late.is_finished(),
            "the second commit must wait for the first"
        );
        first.commit(|| store.set_token("a", "1")).unwrap();
        late.join().unwrap().unwrap();
        assert_eq!(store.token("a").unwrap().as_deref(), Some("2"));
    }

    #[test]
    fn storage_views_merge_staged_sets_removes_and_clears() {
        let (_d, store) = store();
        let p = Arc::new(Pending::default());
        store.storage_set("a", "k1", "\"v1\"").unwrap().unwrap();
        store.storage_set("a", "k2", "\"v2\"").unwrap().unwrap();
        let _s1 = p.stage(
            Key::Storage("a".into(), "k3".into()),
            Value::Text("3".into()),
        );
        let _s2 = p.stage(Key::Storage("a".into(), "k1".into()), Value::Removed);
        assert_eq!(p.storage_get(&store, "a", "k1").unwrap(), None);
        assert_eq!(
            p.storage_get(&store, "a", "k2").unwrap().as_deref(),
            Some("\"v2\"")
        );
        assert_eq!(
            p.storage_info(&store, "a").unwrap(),
            (vec!["k2".to_string(), "k3".to_string()], 2 + 4 + 2 + 1)
        );
        let _clear = p.stage(Key::AllStorage("a".into()), Value::Removed);
        assert_eq!(p.storage_info(&store, "a").unwrap(), (vec![], 0));
        let _s3 = p.stage(
            Key::Storage("a".into(), "k9".into()),
            Value::Text("9".into()),
        );
        assert_eq!(p.storage_get(&store, "a", "k2").unwrap(), None);
        assert_eq!(
            p.storage_get(&store, "a", "k9").unwrap().as_deref(),
            Some("9")
        );
        assert_eq!(
            p.storage_info(&store, "a").unwrap(),
            (vec!["k9".to_string()], 3)
        );
    }
}
