//! The view layer's compilers: WXML files to JS units ([`codegen`], over WeChat's own parser,
//! glass-easel's template compiler), WXS modules to functions in a scope of their own, WXSS to
//! style rules ([`wxss`], for computed styles), and a rendered page to an HTML document
//! ([`html`], `ftrun render --html/--png`). The tree they feed (nodes, bindings,
//! components, events, queries) is JS under `js/view/`.

pub mod codegen;
pub mod expr;
pub mod html;
pub mod lenient;
pub mod print;
pub mod wxss;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use glass_easel_template_compiler::parse::Position;
use rquickjs::prelude::{Func, Opt};
use rquickjs::{Ctx, Function, Object, Value};

use crate::bundle::Entry;
use crate::engine::{Extension, Host, JsSource, Text, js_source, throw_error};

/// A WXML or WXS file that cannot be compiled, at `file:line:column` (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewError {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub message: String,
}

impl ViewError {
    /// From the parser's 0-based position.
    pub fn at(file: &str, p: Position, message: impl Into<String>) -> ViewError {
        ViewError {
            file: file.to_string(),
            line: p.line as usize + 1,
            column: p.utf16_col as usize + 1,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ViewError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}:{}: {}",
            self.file, self.line, self.column, self.message
        )
    }
}

/// WXS runs in a scope of its own: the app's globals are shadowed (WeChat's view thread has
/// none of them), `require` loads other `.wxs` files, `getRegExp`/`getDate` replace the
/// literals and constructors WXS lacks.
const WXS_HEAD: &str = "\n0,function (module, exports, require, getRegExp, getDate, wx, ft, getApp, getCurrentPages, App, Page, Component, Behavior, setTimeout, setInterval, clearTimeout, clearInterval, requirePlugin) {\n";

/// Natives of the view layer: `viewCompile(path)`, `viewCompileSource(name, text)`,
/// `viewBuilder(key, index)`, `wxsCompile(path, code?, line?)` and `wxssRules(path)`.
pub struct ViewExtension {
    /// Compiled units by key (a file's path; `source:N:name` for WXML given as text): a file
    /// is compiled once per run, however many pages use it.
    units: Rc<RefCell<HashMap<String, Rc<codegen::Unit>>>>,
    /// In a test file's runtime (miniprogram-simulate renders components there), which has
    /// no app layer: the component runtime comes along.
    with_components: bool,
}

impl Default for ViewExtension {
    fn default() -> Self {
        ViewExtension {
            units: Rc::new(RefCell::new(HashMap::new())),
            with_components: false,
        }
    }
}

impl ViewExtension {
    /// For a test file's runtime: the component runtime (`js/component.js`) as well.
    pub fn for_tests() -> Self {
        ViewExtension {
            with_components: true,
            ..ViewExtension::default()
        }
    }
}

/// Loaded with every app; the rest of `js/view/` loads on first use (engine `LAZY_JS`).
const JS: &[JsSource] = &[js_source!("view/tree.js"), js_source!("view/render.js")];
const TEST_JS: &[JsSource] = &[
    js_source!("component.js"),
    js_source!("view/tree.js"),
    js_source!("view/render.js"),
];

impl Extension for ViewExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        if self.with_components { TEST_JS } else { JS }
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let (h, units) = (host.clone(), self.units.clone());
        native.set(
            "viewCompile",
            Func::from(move |ctx: Ctx<'js>, path: Text| view_compile(&ctx, &h, &units, &path)),
        )?;
        let units = self.units.clone();
        native.set(
            "viewCompileSource",
            Func::from(move |ctx: Ctx<'js>, name: Text, text: Text| {
                view_compile_source(&ctx, &units, &name, &text)
            }),
        )?;
        // After how many builds of an element its builder is compiled (js/view/render.js);
        // ftrun's own tests set 0 to run every fixture through the compiled builders too.
        if let Some(n) = std::env::var("FTRUN_VIEW_HOT")
            .ok()
            .and_then(|v| v.parse::<u32>().ok())
        {
            native.set("viewHot", n)?;
        }
        let units = self.units.clone();
        native.set(
            "viewBuilder",
            Func::from(move |ctx: Ctx<'js>, key: Text, index: usize| {
                view_builder(&ctx, &units, &key, index)
            }),
        )?;
        let h = host.clone();
        native.set(
            "wxssRules",
            Func::from(
                move |ctx: Ctx<'js>, path: Text| -> rquickjs::Result<Value<'js>> {
                    let read = |p: &str| h.files.read_text(p).ok();
                    let source = read(&path).unwrap_or_default();
                    let rules = wxss::rules(&path, &source, &read);
                    crate::engine::json_to_js(&ctx, &wxss::to_json(&rules))
                },
            ),
        )?;
        // For js/view/html.js (`ftrun render --html`, screenshots): inline styles in `vw`,
        // images as `data:` URLs.
        native.set(
            "rpxToVw",
            Func::from(|style: Text| wxss::rpx_to_vw(&style.0)),
        )?;
        let h = host.clone();
        native.set(
            "renderAsset",
            Func::from(move |src: Text, dir: Text| {
                html::asset_url(&h.files, &src.0, &dir.0).unwrap_or_default()
            }),
        )?;
        let h = host.clone();
        native.set(
            "wxsCompile",
            Func::from(
                move |ctx: Ctx<'js>, path: Text, code: Opt<Text>, line: Opt<i32>| {
                    wxs_compile(&ctx, &h, &path, code.0.map(|c| c.0), line.0.unwrap_or(1))
                },
            ),
        )
    }
}

/// `{ make, warnings }` for a WXML file: `make(R)` builds its unit (see [`codegen`]).
fn view_compile<'js>(
    ctx: &Ctx<'js>,
    host: &Host,
    units: &RefCell<HashMap<String, Rc<codegen::Unit>>>,
    path: &str,
) -> rquickjs::Result<Object<'js>> {
    let cached = units.borrow().get(path).cloned();
    let unit = match cached {
        Some(u) => u,
        None => {
            let source = match host.files.read_text(path) {
                Ok(s) => s,
                Err(crate::bundle::BundleError::NotUtf8 { line, column, .. }) => {
                    return Err(crate::engine::throw_compile_error(
                        ctx,
                        path,
                        Some((line, column)),
                        "not valid UTF-8 text",
                    ));
                }
                Err(e) => return Err(throw_error(ctx, e)),
            };
            let exists = |p: &str| host.files.entry(p) == Entry::File;
            let unit = codegen::compile(path, &source, &exists).map_err(|e| {
                crate::engine::throw_compile_error(
                    ctx,
                    &e.file,
                    Some((e.line, e.column)),
                    &e.message,
                )
            })?;
            let unit = Rc::new(unit);
            units.borrow_mut().insert(path.to_string(), unit.clone());
            unit
        }
    };
    unit_object(ctx, &unit, path, path)
}

/// `{ make, warnings, key }`: `make(R)` builds the unit; `key` names it to `viewBuilder`.
fn unit_object<'js>(
    ctx: &Ctx<'js>,
    unit: &codegen::Unit,
    file: &str,
    key: &str,
) -> rquickjs::Result<Object<'js>> {
    let mut opts = rquickjs::context::EvalOptions::default();
    opts.filename = Some(file.to_string());
    let make: Value = ctx.eval_with_options(unit.js.as_str(), opts)?;
    let out = Object::new(ctx.clone())?;
    out.set("make", make)?;
    out.set("warnings", unit.warnings.clone())?;
    out.set("key", key)?;
    Ok(out)
}

/// `{ make, warnings, key }` for WXML given as text (a component definition's `template`),
/// named `name` in messages; its imports and includes resolve from the bundle root.
fn view_compile_source<'js>(
    ctx: &Ctx<'js>,
    units: &RefCell<HashMap<String, Rc<codegen::Unit>>>,
    name: &str,
    text: &str,
) -> rquickjs::Result<Object<'js>> {
    let exists = |_: &str| true;
    let unit = codegen::compile(name, text, &exists).map_err(|e| {
        crate::engine::throw_compile_error(ctx, &e.file, Some((e.line, e.column)), &e.message)
    })?;
    // Each text its own key: two definitions may share a name.
    let key = format!("source:{}:{name}", units.borrow().len());
    let unit = Rc::new(unit);
    units.borrow_mut().insert(key.clone(), unit.clone());
    unit_object(ctx, &unit, name, &key)
}

/// The builder numbered `index` of the unit named `key`, compiled: `function (R)` giving the
/// element's builder (see [`codegen`]). The runtime asks for it when it builds that element
/// a second time.
fn view_builder<'js>(
    ctx: &Ctx<'js>,
    units: &RefCell<HashMap<String, Rc<codegen::Unit>>>,
    key: &str,
    index: usize,
) -> rquickjs::Result<Value<'js>> {
    let unit = units.borrow().get(key).cloned();
    let Some(source) = unit.as_ref().and_then(|u| u.builder_js(index)) else {
        return Err(throw_error(
            ctx,
            format!("view: no builder {index} in {key}"),
        ));
    };
    let mut opts = rquickjs::context::EvalOptions::default();
    opts.filename = Some(key.to_string());
    ctx.eval_with_options(source, opts)
}

/// A WXS module as a function of `(module, exports, require, getRegExp, getDate, ...)`: the
/// file at `path`, or inline `code` from a WXML file whose first line is `line`.
fn wxs_compile<'js>(
    ctx: &Ctx<'js>,
    host: &Host,
    path: &str,
    code: Option<String>,
    line: i32,
) -> rquickjs::Result<Function<'js>> {
    let source = match code {
        Some(c) => c,
        None => host
            .files
            .read_text(path)
            .map_err(|e| throw_error(ctx, e))?,
    };
    crate::engine::compile_wrapped_as(ctx, host, path, WXS_HEAD, &source, line)
}
