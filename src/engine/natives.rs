//! The engine's private primitives, handed to the JS prelude as `native.*` (never global).
//! Everything the mini-program conventions need is built on these in `js/`.

use std::rc::Rc;
use std::time::Instant;

use rquickjs::context::EvalOptions;
use rquickjs::prelude::Func;
use rquickjs::{Ctx, Exception, Function, Object, Value};

use super::host::{Host, hooks};
use super::output::Stream;
use crate::bundle::Entry;

/// App files are wrapped CommonJS-style. The header stays on line 1 so line numbers hold;
/// columns on line 1 are shifted by its length (the JS stack formatter corrects them).
pub const WRAP_HEAD: &str = "(function (exports, require, module, __filename, __dirname) {";

/// Compiles `source` as sloppy-mode code named `filename`; on a syntax error the thrown
/// exception is tagged `ftCompileError` so the loader can tell it from a runtime error.
pub fn compile_wrapped<'js>(
    ctx: &Ctx<'js>,
    filename: &str,
    source: &str,
) -> rquickjs::Result<Function<'js>> {
    let mut opts = EvalOptions::default();
    opts.strict = false;
    opts.global = true;
    opts.filename = Some(filename.to_string());
    let mut code = String::with_capacity(WRAP_HEAD.len() + source.len() + 4);
    code.push_str(WRAP_HEAD);
    code.push_str(source);
    code.push_str("\n})");
    match ctx.eval_with_options::<Function, _>(code, opts) {
        Ok(f) => Ok(f),
        Err(rquickjs::Error::Exception) => {
            let exc = ctx.catch();
            if let Some(obj) = exc.as_object() {
                let _ = obj.set("ftCompileError", true);
                let _ = obj.set("ftFile", filename);
            }
            Err(ctx.throw(exc))
        }
        Err(e) => Err(e),
    }
}

/// A SyntaxError found by the ES module parser, tagged like QuickJS's own compile errors.
fn throw_syntax_at<'js>(
    ctx: &Ctx<'js>,
    path: &str,
    e: &crate::bundle::esm::EsmSyntaxError,
) -> rquickjs::Error {
    let err = Exception::throw_syntax(ctx, &e.message);
    let exc = ctx.catch();
    if let Some(obj) = exc.as_object() {
        let _ = obj.set("ftCompileError", true);
        let _ = obj.set("ftFile", path);
        let _ = obj.set("ftLocation", format!("{path}:{}:{}", e.line, e.column));
        let _ = obj.set("stack", format!("    at {path}:{}:{}\n", e.line, e.column));
        return ctx.throw(exc);
    }
    err
}

/// Throws a JS `Error` with `msg` from a native: the one way natives report failure.
pub fn throw_error<'js>(ctx: &Ctx<'js>, msg: impl std::fmt::Display) -> rquickjs::Error {
    Exception::throw_message(ctx, &msg.to_string())
}

/// A store failure thrown into JS ("storage error: ..."), for the natives over the store.
pub fn storage_error<'js>(ctx: &Ctx<'js>, e: impl std::fmt::Display) -> rquickjs::Error {
    throw_error(ctx, format_args!("storage error: {e}"))
}

pub(crate) fn install<'js>(
    ctx: &Ctx<'js>,
    native: &Object<'js>,
    host: &Rc<Host>,
) -> rquickjs::Result<()> {
    native.set("wrapHeadLength", WRAP_HEAD.len())?;
    // Milliseconds on a monotonic clock, with sub-millisecond precision (test timings).
    let origin = Instant::now();
    native.set(
        "monotonicMs",
        Func::from(move || origin.elapsed().as_secs_f64() * 1000.0),
    )?;
    let h = host.clone();
    native.set(
        "print",
        Func::from(move |stream: i32, text: String| {
            let s = if stream == 2 {
                Stream::Err
            } else {
                Stream::Out
            };
            h.output.line(s, &text);
        }),
    )?;
    let h = host.clone();
    native.set(
        "reportError",
        Func::from(move |text: String| {
            h.had_error.set(true);
            h.output.line(Stream::Err, &text);
        }),
    )?;
    let h = host.clone();
    native.set(
        "timerStart",
        Func::from(move |id: u32, ms: f64| {
            h.timers.borrow_mut().start(id, ms, Instant::now());
        }),
    )?;
    let h = host.clone();
    native.set(
        "timerCancel",
        Func::from(move |id: u32| h.timers.borrow_mut().cancel(id)),
    )?;
    let h = host.clone();
    native.set(
        "fileKind",
        Func::from(move |path: String| match h.files.entry(&path) {
            Entry::Missing => 0,
            Entry::File => 1,
            Entry::Dir => 2,
        }),
    )?;
    let h = host.clone();
    native.set(
        "readText",
        Func::from(move |ctx: Ctx<'js>, path: String| {
            h.files.read_text(&path).map_err(|e| throw_error(&ctx, e))
        }),
    )?;
    let h = host.clone();
    native.set(
        "compile",
        Func::from(move |ctx: Ctx<'js>, path: String| {
            let source = h.files.read_text(&path).map_err(|e| throw_error(&ctx, e))?;
            match crate::bundle::esm::to_commonjs(&path, &source) {
                Ok(Some(code)) => compile_wrapped(&ctx, &path, &code),
                Ok(None) => compile_wrapped(&ctx, &path, &source),
                Err(e) => Err(throw_syntax_at(&ctx, &path, &e)),
            }
        }),
    )?;
    native.set(
        "setDispatcher",
        Func::from(|ctx: Ctx<'js>, f: Function<'js>| {
            if let Some(h) = hooks(&ctx) {
                *h.dispatch.borrow_mut() = Some(f);
            }
        }),
    )?;
    let _ = ctx;
    Ok(())
}

/// A JSON value as a JS value (payloads of host events).
pub fn json_to_js<'js>(ctx: &Ctx<'js>, v: &serde_json::Value) -> rquickjs::Result<Value<'js>> {
    match v {
        serde_json::Value::Null => Ok(Value::new_null(ctx.clone())),
        serde_json::Value::Bool(b) => Ok(Value::new_bool(ctx.clone(), *b)),
        serde_json::Value::String(s) => {
            rquickjs::String::from_str(ctx.clone(), s).map(|s| s.into_value())
        }
        other => ctx.json_parse(other.to_string()),
    }
}
