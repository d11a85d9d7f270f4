//! `wx.setStorage[Sync]` and friends: natives over the store, bound to one appId.

use std::rc::Rc;
use std::sync::Arc;

use rquickjs::prelude::{Func, Opt};
use rquickjs::{Ctx, Object};

use crate::bgfetch::service::Services;
use crate::engine::{Extension, Host, JsSource, Text, js_source, storage_error};

pub struct StorageExtension {
    pub services: Arc<Services>,
    pub app_id: String,
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
        _host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let (s, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "storageGet",
            Func::from(
                move |ctx: Ctx<'js>, key: Text| -> rquickjs::Result<Option<String>> {
                    let store = s.store().map_err(|e| storage_error(&ctx, e))?;
                    store
                        .storage_get(&app, &key)
                        .map_err(|e| storage_error(&ctx, e))
                },
            ),
        )?;
        let (s, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "storageSet",
            Func::from(
                move |ctx: Ctx<'js>, key: Text, json: Text| -> rquickjs::Result<Option<String>> {
                    let store = s.store().map_err(|e| storage_error(&ctx, e))?;
                    let refused = store
                        .storage_set(&app, &key, &json)
                        .map_err(|e| storage_error(&ctx, e))?;
                    Ok(refused.err())
                },
            ),
        )?;
        let (s, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "storageRemove",
            Func::from(
                move |ctx: Ctx<'js>, key: Opt<Text>| -> rquickjs::Result<()> {
                    let store = s.store().map_err(|e| storage_error(&ctx, e))?;
                    store
                        .storage_remove(&app, key.0.as_deref())
                        .map_err(|e| storage_error(&ctx, e))
                },
            ),
        )?;
        let (s, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "storageInfo",
            Func::from(move |ctx: Ctx<'js>| -> rquickjs::Result<String> {
                let store = s.store().map_err(|e| storage_error(&ctx, e))?;
                let (keys, size) = store
                    .storage_info(&app)
                    .map_err(|e| storage_error(&ctx, e))?;
                Ok(serde_json::json!({ "keys": keys, "size": size }).to_string())
            }),
        )?;
        Ok(())
    }
}
