//! `wx.setStorage` and friends: per-app key/value data in the same database, with WeChat's
//! size limits.

use redb::ReadableTable;

use super::{STORAGE, Store, StoreError};

/// WeChat's limits: 1 MB a key, 10 MB an app.
pub const STORAGE_ITEM_MAX: usize = 1024 * 1024;
pub const STORAGE_APP_MAX: usize = 10 * 1024 * 1024;

impl Store {
    /// One app's storage value (JSON text) for `key`.
    pub fn storage_get(&self, app_id: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.read(STORAGE, (app_id, key), |v| v.to_string())
    }

    /// Each key of one app's storage with its size in bytes (key + value), in key order.
    pub fn storage_sizes(&self, app_id: &str) -> Result<Vec<(String, usize)>, StoreError> {
        self.with_table(STORAGE, Vec::new(), |t| {
            let mut out = Vec::new();
            for row in t.range((app_id, "")..)? {
                let (k, v) = row?;
                let (app, key) = k.value();
                if app != app_id {
                    break;
                }
                out.push((key.to_string(), key.len() + v.value().len()));
            }
            Ok(out)
        })
    }

    /// Stores `json` under `key`; `Ok(Err(reason))` when WeChat's size limits refuse it.
    pub fn storage_set(
        &self,
        app_id: &str,
        key: &str,
        json: &str,
    ) -> Result<Result<(), String>, StoreError> {
        if key.len() + json.len() > STORAGE_ITEM_MAX {
            return Ok(Err("exceed storage item max length".into()));
        }
        let mut refused = None;
        self.write(|wtx| {
            let mut t = wtx.open_table(STORAGE)?;
            let mut total = 0;
            for row in t.range((app_id, "")..)? {
                let (k, v) = row?;
                let (app, other) = k.value();
                if app != app_id {
                    break;
                }
                if other != key {
                    total += other.len() + v.value().len();
                }
            }
            if total + key.len() + json.len() > STORAGE_APP_MAX {
                refused = Some("exceed storage max size 10MB".to_string());
                return Ok(());
            }
            t.insert((app_id, key), json)?;
            Ok(())
        })?;
        Ok(refused.map_or(Ok(()), Err))
    }

    /// Removes one key, or every key of the app when `key` is None (the keys are listed
    /// inside the write transaction, so none added meanwhile survives the clear).
    pub fn storage_remove(&self, app_id: &str, key: Option<&str>) -> Result<(), StoreError> {
        if key.is_none() && !self.path.exists() {
            return Ok(());
        }
        self.write(|wtx| {
            let mut t = wtx.open_table(STORAGE)?;
            let keys: Vec<String> = match key {
                Some(k) => vec![k.to_string()],
                None => {
                    let mut keys = Vec::new();
                    for row in t.range((app_id, "")..)? {
                        let (k, _) = row?;
                        let (app, key) = k.value();
                        if app != app_id {
                            break;
                        }
                        keys.push(key.to_string());
                    }
                    keys
                }
            };
            for k in &keys {
                t.remove((app_id, k.as_str()))?;
            }
            Ok(())
        })
    }
}
