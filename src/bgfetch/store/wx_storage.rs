//! `wx.setStorage` and friends: per-app key/value data in the same database, with WeChat's
//! size limits.

use redb::{ReadableTable, TableError};

use super::{STORAGE, Store, StoreError};

/// WeChat's limits: 1 MB a key, 10 MB an app.
pub const STORAGE_ITEM_MAX: usize = 1024 * 1024;
pub const STORAGE_APP_MAX: usize = 10 * 1024 * 1024;

impl Store {
    /// One app's storage value (JSON text) for `key`.
    pub fn storage_get(&self, app_id: &str, key: &str) -> Result<Option<String>, StoreError> {
        self.read(STORAGE, (app_id, key), |v| v.to_string())
    }

    /// Keys and total size in bytes of one app's storage.
    pub fn storage_info(&self, app_id: &str) -> Result<(Vec<String>, usize), StoreError> {
        let Some(rtx) = self.begin_read()? else {
            return Ok((Vec::new(), 0));
        };
        let t = match rtx.open_table(STORAGE) {
            Ok(t) => t,
            Err(TableError::TableDoesNotExist(_)) => return Ok((Vec::new(), 0)),
            Err(e) => return Err(self.err(e)),
        };
        let mut keys = Vec::new();
        let mut size = 0;
        for row in t.range((app_id, "")..).map_err(|e| self.err(e))? {
            let (k, v) = row.map_err(|e| self.err(e))?;
            let (app, key) = k.value();
            if app != app_id {
                break;
            }
            size += key.len() + v.value().len();
            keys.push(key.to_string());
        }
        Ok((keys, size))
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

    /// Removes one key, or every key of the app when `key` is None.
    pub fn storage_remove(&self, app_id: &str, key: Option<&str>) -> Result<(), StoreError> {
        let keys = match key {
            Some(k) => vec![k.to_string()],
            None => self.storage_info(app_id)?.0,
        };
        self.write(|wtx| {
            let mut t = wtx.open_table(STORAGE)?;
            for k in &keys {
                t.remove((app_id, k.as_str()))?;
            }
            Ok(())
        })
    }
}
