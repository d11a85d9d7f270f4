//! The background-fetch JS API as an engine extension: private natives bound to one appId
//! (so an app can only reach its own token and slots), and `js/bgfetch.js` on top of them.
//! Reads see the run's own writes at once (`store::pending`); writes commit off the JS thread.

use std::rc::Rc;
use std::sync::Arc;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Object};

use super::FetchType;
use super::service::Services;
use crate::engine::{Extension, Host, JsSource, Text, js_source, storage_error};
use crate::store::pending::{Key, Value};

pub struct BgFetchExtension {
    pub services: Arc<Services>,
    pub app_id: String,
    pub io: Rc<crate::io::Io>,
}

/// The record in a slot now (staged or stored), as JSON text.
fn get_data(services: &Services, app: &str, kind: &str) -> Result<Option<String>, String> {
    let Some(kind) = FetchType::parse(kind) else {
        return Ok(None);
    };
    let store = services.store()?;
    let record = services
        .pending
        .record(&store, app, kind)
        .map_err(|e| e.to_string())?;
    Ok(record.map(|r| serde_json::to_string(&r).unwrap_or_default()))
}

/// The token now (staged or stored).
fn get_token(services: &Services, app: &str) -> Result<Option<String>, String> {
    let store = services.store()?;
    services
        .pending
        .token(&store, app)
        .map_err(|e| e.to_string())
}

/// Stages the token (every later read of this run sees it) and commits it on the I/O
/// runtime's blocking pool; the op completes once the token is durable.
fn set_token(
    host: &Host,
    io: &crate::io::Io,
    services: &Arc<Services>,
    app: &str,
    token: String,
) -> u32 {
    let staged = services
        .pending
        .stage(Key::Token(app.to_string()), Value::Text(token.clone()));
    let (services, app) = (services.clone(), app.to_string());
    host.spawn_blocking_op(io, move || {
        staged
            .commit(|| {
                services
                    .store()?
                    .set_token(&app, &token)
                    .map_err(|e| e.to_string())
            })
            .map(|()| serde_json::Value::Null)
            .map_err(|e| format!("storage error: {e}"))
    })
}

impl Extension for BgFetchExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        const JS: &[JsSource] = &[js_source!("bgfetch.js")];
        JS
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        // Reads are synchronous: a redb read is microseconds, and the slot is read "now".
        let (services, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "bgGetData",
            Func::from(move |ctx: Ctx<'js>, kind: Text| {
                get_data(&services, &app, &kind).map_err(|e| storage_error(&ctx, e))
            }),
        )?;
        let (services, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "bgGetToken",
            Func::from(move |ctx: Ctx<'js>| {
                get_token(&services, &app).map_err(|e| storage_error(&ctx, e))
            }),
        )?;
        let (services, app, io, host) = (
            self.services.clone(),
            self.app_id.clone(),
            self.io.clone(),
            host.clone(),
        );
        native.set(
            "bgSetToken",
            Func::from(move |token: Text| set_token(&host, &io, &services, &app, token.0)),
        )?;
        Ok(())
    }
}
