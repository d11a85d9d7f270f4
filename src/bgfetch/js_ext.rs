//! The background-fetch JS API as an engine extension: private natives bound to one appId
//! (so an app can only reach its own token and slots), and `js/bgfetch.js` on top of them.

use std::rc::Rc;
use std::sync::Arc;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Object};

use super::FetchType;
use super::service::{Services, blocking};
use crate::engine::{Extension, Host, HostEvent, JsSource, Text, js_source, storage_error};

pub struct BgFetchExtension {
    pub services: Arc<Services>,
    pub app_id: String,
    pub io: Rc<crate::io::Io>,
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
            Func::from(
                move |ctx: Ctx<'js>, kind: Text| -> rquickjs::Result<Option<String>> {
                    let Some(kind) = FetchType::parse(&kind) else {
                        return Ok(None);
                    };
                    let store = services.store().map_err(|e| storage_error(&ctx, e))?;
                    let rec = store
                        .record(&app, kind)
                        .map_err(|e| storage_error(&ctx, e))?;
                    Ok(rec.map(|r| serde_json::to_string(&r).unwrap_or_default()))
                },
            ),
        )?;
        let (services, app) = (self.services.clone(), self.app_id.clone());
        native.set(
            "bgGetToken",
            Func::from(move |ctx: Ctx<'js>| -> rquickjs::Result<Option<String>> {
                let store = services.store().map_err(|e| storage_error(&ctx, e))?;
                store.token(&app).map_err(|e| storage_error(&ctx, e))
            }),
        )?;
        // The write is durable (fsync) before the op completes, so it runs off the JS thread.
        let (services, app, io, host) = (
            self.services.clone(),
            self.app_id.clone(),
            self.io.clone(),
            host.clone(),
        );
        native.set(
            "bgSetToken",
            Func::from(move |token: Text| -> u32 {
                let id = host.next_op_id();
                let work = host.events.hold();
                let (services, app) = (services.clone(), app.clone());
                let io = match io.handle() {
                    Ok(io) => io,
                    Err(e) => {
                        host.events.send(HostEvent::OpDone { id, result: Err(e) });
                        return id;
                    }
                };
                io.spawn(async move {
                    let result = blocking(move || {
                        services
                            .store()?
                            .set_token(&app, &token)
                            .map_err(|e| e.to_string())
                    })
                    .await
                    .map(|()| serde_json::Value::Null)
                    .map_err(|e| format!("storage error: {e}"));
                    work.sender().send(HostEvent::OpDone { id, result });
                    drop(work);
                });
                id
            }),
        )?;
        Ok(())
    }
}
