//! `wx.setStorage[Sync]` and friends: natives over the store, bound to one appId. Reads see the
//! run's own writes at once (`store::pending`). A `*Sync` write commits on the JS thread, as
//! WeChat's block; the other writes commit on the I/O runtime and settle their Promise after.

use std::rc::Rc;
use std::sync::Arc;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Object};

use crate::bgfetch::service::Services;
use crate::engine::{Extension, Host, JsSource, Text, js_source, storage_error};
use crate::store::pending::{Key, Value};
use crate::store::{STORAGE_ITEM_MAX, Staged};

pub struct StorageExtension {
    pub services: Arc<Services>,
    pub app_id: String,
    pub io: Rc<crate::io::Io>,
}

/// One write, as `js/storage.js` asks for it: `set` (key, JSON text), `remove` (key), `clear`.
struct Write {
    app: String,
    kind: String,
    key: String,
    json: String,
}

/// How a write ended: `Ok(None)` done, `Ok(Some(reason))` refused by WeChat's limits (the
/// API fails with that reason), `Err` a storage error.
type Outcome = Result<Option<String>, String>;

impl Write {
    fn new(app: &str, kind: Text, key: Text, json: Text) -> Write {
        Write {
            app: app.to_string(),
            kind: kind.0,
            key: key.0,
            json: json.0,
        }
    }

    /// Stages the write, or refuses it at once (an item over WeChat's 1 MB).
    fn stage(&self, services: &Services) -> Result<Staged, String> {
        let app = self.app.clone();
        let (key, value) = match self.kind.as_str() {
            "set" if self.key.len() + self.json.len() > STORAGE_ITEM_MAX => {
                return Err("exceed storage item max length".into());
            }
            "set" => (
                Key::Storage(app, self.key.clone()),
                Value::Text(self.json.clone()),
            ),
            "remove" => (Key::Storage(app, self.key.clone()), Value::Removed),
            "clear" => (Key::AllStorage(app), Value::Removed),
            other => return Err(format!("ftrun: unknown storage write '{other}'")),
        };
        Ok(services.pending.stage(key, value))
    }

    /// The durable commit (the 10 MB quota is checked inside its transaction).
    fn commit(&self, services: &Services) -> Outcome {
        let store = services.store()?;
        let app = &self.app;
        let done = match self.kind.as_str() {
            "set" => store
                .storage_set(app, &self.key, &self.json)
                .map(Result::err),
            "remove" => store.storage_remove(app, Some(&self.key)).map(|()| None),
            _ => store.storage_remove(app, None).map(|()| None),
        };
        done.map_err(|e| e.to_string())
    }

    /// Commits a staged write once the writes staged before it are done.
    fn finish(&self, services: &Services, staged: Result<Staged, String>) -> Outcome {
        match staged {
            Ok(staged) => staged.commit(|| self.commit(services)),
            Err(refused) => Ok(Some(refused)),
        }
    }
}

fn get(services: &Services, app: &str, key: &str) -> Result<Option<String>, String> {
    let store = services.store()?;
    services
        .pending
        .storage_get(&store, app, key)
        .map_err(|e| e.to_string())
}

fn info(services: &Services, app: &str) -> Result<String, String> {
    let store = services.store()?;
    let (keys, size) = services
        .pending
        .storage_info(&store, app)
        .map_err(|e| e.to_string())?;
    Ok(serde_json::json!({ "keys": keys, "size": size }).to_string())
}

impl Extension for StorageExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        const JS: &[JsSource] = &[js_source!("storage.js")];
        JS
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let (s, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "storageGet",
            Func::from(move |ctx: Ctx<'js>, key: Text| {
                get(&s, &app, &key).map_err(|e| storage_error(&ctx, e))
            }),
        )?;
        let (s, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "storageInfo",
            Func::from(move |ctx: Ctx<'js>| info(&s, &app).map_err(|e| storage_error(&ctx, e))),
        )?;
        // Returns the reason WeChat's limits refused the write, or null.
        let (s, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "storageWriteSync",
            Func::from(move |ctx: Ctx<'js>, kind: Text, key: Text, json: Text| {
                let write = Write::new(&app, kind, key, json);
                let staged = write.stage(&s);
                write.finish(&s, staged).map_err(|e| storage_error(&ctx, e))
            }),
        )?;
        // Returns an op id; its Promise rejects with the refusal or storage error.
        let (s, app, io, host) = (
            self.services.clone(),
            self.app_id.clone(),
            self.io.clone(),
            host.clone(),
        );
        native.set(
            "storageWrite",
            Func::from(move |kind: Text, key: Text, json: Text| {
                let write = Write::new(&app, kind, key, json);
                // Staged here, on the JS thread: the next read sees it, in call order.
                let staged = write.stage(&s);
                let s = s.clone();
                host.spawn_blocking_op(&io, move || match write.finish(&s, staged) {
                    Ok(None) => Ok(serde_json::Value::Null),
                    Ok(Some(refused)) => Err(refused),
                    Err(e) => Err(format!("storage error: {e}")),
                })
            }),
        )?;
        Ok(())
    }
}
