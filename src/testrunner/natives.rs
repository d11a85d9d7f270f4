//! The private natives of a test file's runtime, behind `js/test/*.js`: results and deadlines
//! for the framework, and launching and stepping apps, the local endpoints and stored slots for
//! the `ftrun` scenario object.

use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Object};

use super::session::{FileState, LaunchOptions};
use crate::bgfetch::FetchType;
use crate::engine::{Extension, Host, JsSource, Text, Until, js_source, throw_error};
use crate::mockserver::Route;
use crate::store::Store;

/// The natives of the test runtime.
pub struct TestExtension {
    pub state: Rc<FileState>,
    /// The folder the file's runtime reads from, absolute (`__dirname` and absolute paths in
    /// test files are under it).
    pub root: std::path::PathBuf,
}

fn route_from(json: &serde_json::Value) -> Route {
    let body = match json.get("body") {
        None | Some(serde_json::Value::Null) => Vec::new(),
        Some(serde_json::Value::String(s)) => s.clone().into_bytes(),
        Some(other) => other.to_string().into_bytes(),
    };
    let mut route = Route::ok(body)
        .status(json.get("status").and_then(|v| v.as_u64()).unwrap_or(200) as u16)
        .delay(Duration::from_millis(
            json.get("delay").and_then(|v| v.as_u64()).unwrap_or(0),
        ));
    if let Some(h) = json.get("headers").and_then(|v| v.as_object()) {
        for (k, v) in h {
            route = route.header(
                k,
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
                    .as_str(),
            );
        }
    }
    route
}

impl TestExtension {
    /// `__snapshots__/*.snap` files and inline snapshots in the test file, for
    /// `js/test/snapshot.js`.
    fn install_snapshots<'js>(&self, native: &Object<'js>) -> rquickjs::Result<()> {
        let me = self.clone_paths();
        native.set(
            "snapshotRead",
            Func::from(
                move |ctx: Ctx<'js>, rel: Text| -> rquickjs::Result<Option<String>> {
                    let path = me.under_root(&rel).map_err(|e| throw_error(&ctx, e))?;
                    match std::fs::read_to_string(&path) {
                        Ok(text) => Ok(Some(text)),
                        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
                        Err(e) => Err(throw_error(&ctx, format!("{}: {e}", path.display()))),
                    }
                },
            ),
        )?;
        let me = self.clone_paths();
        native.set(
            "snapshotWrite",
            Func::from(
                move |ctx: Ctx<'js>, rel: Text, text: Text| -> rquickjs::Result<()> {
                    let path = me.under_root(&rel).map_err(|e| throw_error(&ctx, e))?;
                    let write = || -> std::io::Result<()> {
                        if let Some(dir) = path.parent() {
                            std::fs::create_dir_all(dir)?;
                        }
                        std::fs::write(&path, text.0.as_bytes())
                    };
                    write().map_err(|e| throw_error(&ctx, format!("{}: {e}", path.display())))
                },
            ),
        )?;
        let me = self.clone_paths();
        native.set(
            "snapshotRemove",
            Func::from(move |ctx: Ctx<'js>, rel: Text| -> rquickjs::Result<()> {
                let path = me.under_root(&rel).map_err(|e| throw_error(&ctx, e))?;
                let _ = std::fs::remove_file(&path);
                // The __snapshots__ folder goes when it is empty.
                if let Some(dir) = path.parent() {
                    let _ = std::fs::remove_dir(dir);
                }
                Ok(())
            }),
        )?;
        // The `jest.mock(...)` statements of a test file, to run before it (hoisting).
        let me = self.clone_paths();
        native.set(
            "jestMockCalls",
            Func::from(move |rel: Text| -> Vec<String> {
                me.under_root(&rel)
                    .ok()
                    .and_then(|p| std::fs::read_to_string(p).ok())
                    .map(|src| super::hoist::jest_mock_calls(&src))
                    .unwrap_or_default()
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "snapshotSummary",
            Func::from(move |json: Text| {
                *st.snapshots.borrow_mut() = serde_json::from_str(&json).ok();
            }),
        )?;
        let me = self.clone_paths();
        native.set(
            "inlineSnapshotsWrite",
            Func::from(
                move |ctx: Ctx<'js>, rel: Text, json: Text| -> rquickjs::Result<()> {
                    let path = me.under_root(&rel).map_err(|e| throw_error(&ctx, e))?;
                    let edits: Vec<super::inline::InlineEdit> =
                        serde_json::from_str(&json).map_err(|e| throw_error(&ctx, e))?;
                    let source = std::fs::read_to_string(&path)
                        .map_err(|e| throw_error(&ctx, format!("{}: {e}", path.display())))?;
                    let out = super::inline::apply(&source, &edits).map_err(|e| {
                        throw_error(
                            &ctx,
                            format!("{}: cannot write inline snapshots: {e}", path.display()),
                        )
                    })?;
                    std::fs::write(&path, out)
                        .map_err(|e| throw_error(&ctx, format!("{}: {e}", path.display())))
                },
            ),
        )
    }

    fn clone_paths(&self) -> Rc<TestPaths> {
        Rc::new(TestPaths {
            root: self.root.clone(),
        })
    }
}

/// What the file natives need: the test root.
struct TestPaths {
    root: std::path::PathBuf,
}

impl TestPaths {
    fn under_root(&self, rel: &str) -> Result<std::path::PathBuf, String> {
        crate::bundle::normalize(rel)
            .map(|n| self.root.join(n))
            .ok_or_else(|| format!("{rel}: outside the test folder {}", self.root.display()))
    }
}

impl Extension for TestExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        const JS: &[JsSource] = &[
            js_source!("test/fake-timers.js"),
            js_source!("test/expect.js"),
            js_source!("test/snapshot.js"),
            js_source!("test/doubles.js"),
            js_source!("test/module-mocks.js"),
            js_source!("test/framework.js"),
            js_source!("test/modules.js"),
            js_source!("test/automator.js"),
            js_source!("test/scenario.js"),
        ];
        JS
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let root = self.root.to_string_lossy().into_owned();
        native.set("testRoot", Func::from(move || root.clone()))?;
        self.install_snapshots(native)?;
        // What a test file's runtime chose, for `-v` (e.g. which miniprogram-simulate it uses).
        native.set(
            "testLog",
            Func::from(|text: Text| tracing::info!("test: {}", text.0)),
        )?;
        // A result that cannot be read is still a result: a failure that says so, never dropped.
        let st = self.state.clone();
        native.set(
            "testResult",
            Func::from(move |json: Text| {
                let v = serde_json::from_str(&json).unwrap_or_else(|e| {
                    serde_json::json!({ "name": "(unreadable test result)", "status": "failed",
                        "error": format!("ftrun could not read a test result ({e}): {}", json.0) })
                });
                st.results.borrow_mut().push(v);
            }),
        )?;
        let (st, h) = (self.state.clone(), host.clone());
        native.set(
            "testBegin",
            Func::from(move |index: usize, timeout_ms: f64| {
                st.begin_test(index);
                h.rearm_deadline(Duration::from_millis(timeout_ms.max(1.0) as u64 + 250));
            }),
        )?;
        let (st, h) = (self.state.clone(), host.clone());
        native.set(
            "testEnd",
            Func::from(move || {
                st.end_test();
                st.current.set(None);
                h.rearm_deadline(Duration::from_secs(3600));
            }),
        )?;
        let st = self.state.clone();
        native.set("scopeBegin", Func::from(move || st.begin_scope()))?;
        let st = self.state.clone();
        native.set("scopeEnd", Func::from(move || st.end_scope()))?;
        let h = host.clone();
        native.set(
            "hookDeadline",
            Func::from(move |timeout_ms: f64| {
                h.rearm_deadline(Duration::from_millis(timeout_ms.max(1.0) as u64 + 250));
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "testPlan",
            Func::from(move |ctx: Ctx<'js>, json: Text| -> rquickjs::Result<()> {
                let names = serde_json::from_str(&json)
                    .map_err(|e| throw_error(&ctx, format!("ftrun: unreadable test plan: {e}")))?;
                *st.names.borrow_mut() = names;
                Ok(())
            }),
        )?;
        let (st, root) = (self.state.clone(), self.root.clone());
        native.set(
            "testDeps",
            Func::from(move |json: Text| {
                let rels: Vec<String> = serde_json::from_str(&json).unwrap_or_default();
                st.deps
                    .borrow_mut()
                    .extend(rels.iter().map(|r| root.join(r.trim_start_matches('/'))));
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "mock",
            Func::from(move |ctx: Ctx<'js>, json: Text| -> rquickjs::Result<()> {
                let spec = serde_json::from_str(&json).map_err(|e| throw_error(&ctx, e))?;
                st.set_mock(spec).map_err(|e| throw_error(&ctx, e))
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "launch",
            Func::from(move |ctx: Ctx<'js>, json: Text| -> rquickjs::Result<u32> {
                let opts: LaunchOptions = serde_json::from_str(&json)
                    .map_err(|e| throw_error(&ctx, format!("launch: bad options: {e}")))?;
                st.launch(opts).map_err(|e| throw_error(&ctx, e))
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "appStep",
            Func::from(
                move |ctx: Ctx<'js>, id: u32, what: Text| -> rquickjs::Result<String> {
                    st.with_session(id, |s| {
                        let until = match what.0.as_str() {
                            "bgfetch" => Until::Event("bgfetch"),
                            "settled" => Until::Settled,
                            w => {
                                match w.strip_prefix("ms:").and_then(|ms| ms.parse::<f64>().ok()) {
                                    Some(ms) if ms.is_finite() && ms >= 0.0 => {
                                        Until::For(std::time::Duration::from_secs_f64(ms / 1000.0))
                                    }
                                    _ => Until::Idle,
                                }
                            }
                        };
                        let p = s.engine.run_until(until);
                        Ok(s.progress_json(p))
                    })
                    .map_err(|e| throw_error(&ctx, e))
                },
            ),
        )?;
        // The virtual clock of an app: 'advance' by ms, 'runAll', or 'now'.
        let st = self.state.clone();
        native.set(
            "appClock",
            Func::from(
                move |ctx: Ctx<'js>, id: u32, op: Text, ms: f64| -> rquickjs::Result<String> {
                    st.with_session(id, |s| {
                        if s.engine.clock_now().is_none() {
                            return Err("this app runs on the real clock: launch it with { clock: 'virtual' }".to_string());
                        }
                        match op.0.as_str() {
                            "advance" => {
                                let p = s.engine.advance_clock(Some(ms));
                                Ok(s.progress_json(p))
                            }
                            "runAll" => {
                                let p = s.engine.advance_clock(None);
                                Ok(s.progress_json(p))
                            }
                            _ => Ok(serde_json::json!({ "now": s.engine.clock_now() }).to_string()),
                        }
                    })
                    .map_err(|e| throw_error(&ctx, e))
                },
            ),
        )?;
        let st = self.state.clone();
        native.set(
            "appEval",
            Func::from(
                move |ctx: Ctx<'js>, id: u32, code: Text| -> rquickjs::Result<String> {
                    st.with_session(id, |s| s.engine.eval_json(&code))
                        .map_err(|e| throw_error(&ctx, e))
                },
            ),
        )?;
        let st = self.state.clone();
        native.set(
            "appTimeline",
            Func::from(move |ctx: Ctx<'js>, id: u32| -> rquickjs::Result<String> {
                st.with_session(id, |s| Ok(s.timeline_json()))
                    .map_err(|e| throw_error(&ctx, e))
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "appScreenshot",
            Func::from(
                move |ctx: Ctx<'js>,
                      id: u32,
                      parts: Text,
                      path: Text|
                      -> rquickjs::Result<String> {
                    st.with_session(id, |s| s.screenshot(&parts, &path))
                        .map_err(|e| throw_error(&ctx, e))
                },
            ),
        )?;
        let st = self.state.clone();
        native.set(
            "appOutput",
            Func::from(move |ctx: Ctx<'js>, id: u32| -> rquickjs::Result<String> {
                st.with_session(id, |s| Ok(s.output_json()))
                    .map_err(|e| throw_error(&ctx, e))
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "appStored",
            Func::from(
                move |ctx: Ctx<'js>, id: u32, kind: Text| -> rquickjs::Result<String> {
                    st.with_session(id, |s| {
                        let store: Arc<Store> = s.services.store()?;
                        let out = match kind.0.as_str() {
                            "token" => serde_json::to_string(
                                &store.token(&s.app_id).map_err(|e| e.to_string())?,
                            ),
                            other => {
                                let k = FetchType::parse(other)
                                    .ok_or(format!("unknown slot '{other}'"))?;
                                serde_json::to_string(
                                    &store.record(&s.app_id, k).map_err(|e| e.to_string())?,
                                )
                            }
                        };
                        out.map_err(|e| e.to_string())
                    })
                    .map_err(|e| throw_error(&ctx, e))
                },
            ),
        )?;
        let st = self.state.clone();
        native.set(
            "appTriggerPeriodic",
            Func::from(move |ctx: Ctx<'js>, id: u32| -> rquickjs::Result<String> {
                let io = st.shared.io.clone();
                st.with_session(id, |s| s.trigger_periodic(&io))
                    .map_err(|e| throw_error(&ctx, e))
            }),
        )?;
        let st = self.state.clone();
        native.set(
            "serverRoute",
            Func::from(
                move |ctx: Ctx<'js>, kind: Text, json: Text| -> rquickjs::Result<String> {
                    let v: serde_json::Value =
                        serde_json::from_str(&json).map_err(|e| throw_error(&ctx, e))?;
                    st.set_route(&kind, route_from(&v))
                        .map_err(|e| throw_error(&ctx, e))?;
                    Ok(st.route_url(&kind).unwrap_or_default())
                },
            ),
        )?;
        let st = self.state.clone();
        native.set(
            "serverRouteUrl",
            Func::from(
                move |ctx: Ctx<'js>, url: Text, json: Text| -> rquickjs::Result<String> {
                    let v: serde_json::Value =
                        serde_json::from_str(&json).map_err(|e| throw_error(&ctx, e))?;
                    st.set_url_route(&url, route_from(&v))
                        .map_err(|e| throw_error(&ctx, e))
                },
            ),
        )?;
        let st = self.state.clone();
        native.set(
            "serverRequests",
            Func::from(move |kind: Text| {
                serde_json::to_string(&st.requests(&kind)).unwrap_or_else(|_| "[]".into())
            }),
        )?;
        Ok(())
    }
}
