//! `wx.request`: real HTTP(S) through the background-fetch client, under a network policy
//! (`ftrun run --offline` refuses everything; `ftrun test` lets a request reach only hosts
//! the test declared).

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Object};
use serde::Deserialize;
use url::Url;

use crate::bgfetch::fetcher::{FetchError, HttpRequest};
use crate::bgfetch::service::Services;
use crate::engine::{Extension, Host, HostEvent, JsSource, Text, js_source, throw_error};

/// Maps a requested URL to the one actually fetched, or refuses it with a reason.
pub type UrlRewrite = Rc<dyn Fn(&Url) -> Result<Url, String>>;

/// Where a request may go.
#[derive(Clone)]
pub enum NetworkPolicy {
    Open,
    Offline,
    Rewrite(UrlRewrite),
}

pub struct RequestExtension {
    pub services: Arc<Services>,
    pub io: Rc<crate::io::Io>,
    pub policy: NetworkPolicy,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct RequestSpec {
    method: String,
    url: String,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    body: String,
    #[serde(default)]
    timeout_ms: Option<f64>,
    /// `responseType: 'arraybuffer'`: the body goes to JS as base64, not text.
    #[serde(default)]
    binary: bool,
}

/// Standard base64 with padding (`arraybuffer` bodies, Basic credentials).
pub(crate) fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// A failed request's reason as WeChat words it (`request:fail timeout`,
/// `request:fail net::ERR_CONNECTION_REFUSED`), never the HTTP client's own wording (which
/// goes to the `-vv` log).
fn wechat_reason(e: &FetchError) -> String {
    tracing::debug!("request failed: {e}");
    let net = |code: &str| format!("net::{code}");
    match e {
        FetchError::Timeout(_) => "timeout".into(),
        FetchError::TooLarge => "response too large".into(),
        FetchError::TooManyRedirects | FetchError::BadRedirect(_) => net("ERR_TOO_MANY_REDIRECTS"),
        FetchError::Status(_) | FetchError::InvalidUtf8 => net("ERR_FAILED"),
        FetchError::Connect(text) => {
            let t = text.to_ascii_lowercase();
            let code = if t.contains("connection refused") {
                "ERR_CONNECTION_REFUSED"
            } else if t.contains("dns error")
                || t.contains("failed to lookup")
                || t.contains("name or service not known")
                || t.contains("no address")
            {
                "ERR_NAME_NOT_RESOLVED"
            } else if t.contains("connection reset") {
                "ERR_CONNECTION_RESET"
            } else if t.contains("certificate") || t.contains("unknownissuer") {
                "ERR_CERT_AUTHORITY_INVALID"
            } else if t.contains("tls") || t.contains("handshake") {
                "ERR_SSL_PROTOCOL_ERROR"
            } else if t.contains("closed before message completed") || t.contains("incomplete") {
                "ERR_EMPTY_RESPONSE"
            } else if t.contains("timed out") {
                return "timeout".into();
            } else if t.contains("unreachable") {
                "ERR_ADDRESS_UNREACHABLE"
            } else if t.contains("invalid method") || t.contains("invalid request") {
                return format!("invalid request: {text}");
            } else {
                "ERR_FAILED"
            };
            net(code)
        }
    }
}

/// wx.request reads up to this much of a response.
const MAX_RESPONSE: usize = 50 * 1024 * 1024;

impl Extension for RequestExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        const JS: &[JsSource] = &[js_source!("request.js")];
        JS
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let tasks: Rc<RefCell<HashMap<u32, tokio::task::AbortHandle>>> = Rc::default();
        let (services, io, policy, h, t) = (
            self.services.clone(),
            self.io.clone(),
            self.policy.clone(),
            host.clone(),
            tasks.clone(),
        );
        // Returns an op id; the op settles with the response or a fail reason.
        native.set(
            "requestStart",
            Func::from(
                move |ctx: Ctx<'js>, json: Text| -> rquickjs::Result<u32> {
                    let mut spec: RequestSpec = serde_json::from_str(&json)
                        .map_err(|e| throw_error(&ctx, format_args!("request: {e}")))?;
                    let id = h.next_op_id();
                    let work = h.events.hold();
                    let target = Url::parse(&spec.url)
                        .map_err(|e| format!("invalid url '{}': {e}", spec.url))
                        .and_then(|u| match u.scheme() {
                            "http" | "https" => Ok(u),
                            s => Err(format!(
                                "invalid url '{}': '{s}:' is not allowed, only http and https",
                                spec.url
                            )),
                        })
                        .and_then(|u| match &policy {
                            NetworkPolicy::Open => Ok(u),
                            NetworkPolicy::Offline => Err("network disabled".to_string()),
                            NetworkPolicy::Rewrite(f) => f(&u),
                        });
                    let services = services.clone();
                    let io = match io.handle() {
                        Ok(io) => io,
                        Err(e) => {
                            h.events.send(HostEvent::OpDone { id, result: Err(e) });
                            return Ok(id);
                        }
                    };
                    let handle = io.spawn(async move {
                        let result = match target {
                            Err(e) => Err(e),
                            Ok(url) => match services.fetcher() {
                                Err(e) => Err(e),
                                Ok(fetcher) => {
                                    let req = HttpRequest {
                                        method: spec.method.to_ascii_uppercase(),
                                        url,
                                        headers: std::mem::take(&mut spec.headers),
                                        body: std::mem::take(&mut spec.body).into_bytes(),
                                        timeout: Duration::from_millis(
                                            spec.timeout_ms.unwrap_or(60_000.0).max(1.0) as u64,
                                        ),
                                        max_body: MAX_RESPONSE,
                                    };
                                    fetcher.request(req).await.map_err(|e| wechat_reason(&e))
                                }
                            },
                        };
                        let binary = spec.binary;
                        let result = result.map(|r| {
                            let header: serde_json::Map<String, serde_json::Value> =
                                r.headers.into_iter().map(|(k, v)| (k, v.into())).collect();
                            let body = if binary {
                                base64(&r.body)
                            } else {
                                String::from_utf8_lossy(&r.body).into_owned()
                            };
                            serde_json::json!({ "statusCode": r.status, "header": header, "body": body })
                        });
                        work.sender().send(HostEvent::OpDone { id, result });
                        drop(work);
                    });
                    t.borrow_mut().insert(id, handle.abort_handle());
                    Ok(id)
                },
            ),
        )?;
        let (h, t) = (host.clone(), tasks);
        native.set(
            "requestAbort",
            Func::from(move |id: u32| {
                if let Some(task) = t.borrow_mut().remove(&id)
                    && !task.is_finished()
                {
                    task.abort();
                    h.events.send(HostEvent::OpDone {
                        id,
                        result: Err("abort".into()),
                    });
                }
            }),
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_matches_the_standard_alphabet() {
        assert_eq!(super::base64(b""), "");
        assert_eq!(super::base64(b"f"), "Zg==");
        assert_eq!(super::base64(b"fo"), "Zm8=");
        assert_eq!(super::base64(b"foo"), "Zm9v");
        assert_eq!(super::base64(&[0xff, 0x00, 0x10, 0x80]), "/wAQgA==");
    }
}
