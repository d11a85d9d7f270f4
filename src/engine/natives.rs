//! The engine's private primitives, handed to the JS prelude as `native.*` (never global).
//! Everything the mini-program conventions need is built on these in `js/`.

use std::rc::Rc;
use std::time::Instant;

use rquickjs::prelude::Func;
use rquickjs::{Ctx, Exception, Function, Object, Value};

use super::host::{Host, hooks};
use super::output::Stream;
use super::text::Text;
use crate::bundle::Entry;

/// App files are wrapped CommonJS-style. The header has a line of its own, numbered 0, so the
/// file's own lines and columns are exactly QuickJS's (see [`eval_sloppy_from_line`]).
// (`0,function`, not `(function`: at a `(` QuickJS's parser reads ahead to the matching `)`
// to see whether an arrow function follows, which would read the whole file twice.)
const WRAP_HEAD: &str = "\n0,function (exports, require, module, __filename, __dirname) {\n";

/// QuickJS's message when the C stack of the JS thread runs out, in the parser or at run time.
const STACK_EXHAUSTED: &str = "Maximum call stack size exceeded";

/// Compiles `source` as sloppy-mode code named `filename`. A file that cannot be compiled
/// throws a tagged error ([`throw_compile_error`]). The parser can also run out of stack:
/// when the app's own code had already used most of it (a chain of hundreds of `require`s),
/// that is the app's recursion and stays a plain `RangeError` at the app's frames; otherwise
/// the file itself is nested too deeply to compile.
fn compile_wrapped<'js>(
    ctx: &Ctx<'js>,
    host: &Host,
    filename: &str,
    source: &str,
) -> rquickjs::Result<Function<'js>> {
    compile_wrapped_as(ctx, host, filename, WRAP_HEAD, source, 1)
}

/// [`compile_wrapped`] with another wrapper `head` (a newline, then `0,function (...) {` and
/// a newline), for source whose first line is line `first_line` of its file (inline WXS).
pub(crate) fn compile_wrapped_as<'js>(
    ctx: &Ctx<'js>,
    host: &Host,
    filename: &str,
    head: &str,
    source: &str,
    first_line: i32,
) -> rquickjs::Result<Function<'js>> {
    let mut code = Vec::with_capacity(head.len() + source.len() + 5);
    code.extend_from_slice(head.as_bytes());
    code.extend_from_slice(source.as_bytes());
    code.extend_from_slice(b"\n}");
    let deep_already = host.stack_used() > host.max_stack / 2;
    match eval_sloppy_from_line(ctx, filename, code, first_line - 2) {
        Ok(v) => v
            .into_function()
            .ok_or_else(|| throw_error(ctx, "ftrun: the module wrapper is not a function")),
        Err(rquickjs::Error::Exception) => {
            let exc = ctx.catch();
            let message = exc
                .as_object()
                .and_then(|o| o.get::<_, String>("message").ok())
                .unwrap_or_default();
            // With the stack nearly gone the parser can also fail in the wrapper's own header
            // (line 0, which has no syntax error of its own): the same exhaustion.
            let in_header = exc
                .as_object()
                .and_then(|o| o.get::<_, String>("stack").ok())
                .is_some_and(|st| st.contains(&format!("{filename}:{}:", first_line - 1)));
            if message == STACK_EXHAUSTED || in_header {
                if deep_already {
                    return Err(throw_range_error(ctx, STACK_EXHAUSTED));
                }
                return Err(throw_compile_error(
                    ctx,
                    filename,
                    None,
                    &format!(
                        "RangeError: {STACK_EXHAUSTED}: the file is nested too deeply to compile"
                    ),
                ));
            }
            if let Some(obj) = exc.as_object() {
                let _ = obj.set("ftCompileError", true);
                let _ = obj.set("ftFile", filename);
            }
            Err(ctx.throw(exc))
        }
        Err(e) => Err(e),
    }
}

/// Evaluates sloppy-mode global code whose first line is numbered `first_line`. The wrapper's
/// header starts at line -1 so the file starts at line 1 of its own: QuickJS counts columns on
/// the first line of a buffer from 0 for some positions and from 1 for others, and on every
/// later line from 1, so the file must not share the buffer's first line.
fn eval_sloppy_from_line<'js>(
    ctx: &Ctx<'js>,
    filename: &str,
    mut code: Vec<u8>,
    first_line: i32,
) -> rquickjs::Result<Value<'js>> {
    use rquickjs::qjs;
    let name = std::ffi::CString::new(filename.replace('\0', ""))?;
    let len = code.len();
    code.push(0); // QuickJS reads the input as NUL-terminated as well as by length
    let mut options = qjs::JSEvalOptions {
        version: qjs::JS_EVAL_OPTIONS_VERSION as i32,
        eval_flags: qjs::JS_EVAL_TYPE_GLOBAL as i32,
        filename: name.as_ptr(),
        line_num: first_line,
    };
    // SAFETY: `code` is NUL-terminated and `len` long before the NUL; `name` and `options`
    // outlive the call; the returned value is owned and handed to rquickjs, which frees it.
    unsafe {
        let raw = ctx.as_raw().as_ptr();
        let v = qjs::JS_Eval2(raw, code.as_ptr() as *const _, len as _, &mut options);
        if qjs::JS_IsException(v) {
            return Err(rquickjs::Error::Exception);
        }
        Ok(Value::from_raw(ctx.clone(), v))
    }
}

/// A bundle file that cannot be compiled (syntax, encoding, nesting): thrown tagged like
/// QuickJS's own compile errors, so the run stops with status 2 and prints
/// `file[:line:column]: text`, and `check` files it under its page.
pub(crate) fn throw_compile_error<'js>(
    ctx: &Ctx<'js>,
    path: &str,
    at: Option<(usize, usize)>,
    text: &str,
) -> rquickjs::Error {
    let location = match at {
        Some((line, column)) => format!("{path}:{line}:{column}"),
        None => path.to_string(),
    };
    let err = Exception::throw_message(ctx, text);
    let exc = ctx.catch();
    if let Some(obj) = exc.as_object() {
        let _ = obj.set("ftCompileError", true);
        let _ = obj.set("ftFile", path);
        let _ = obj.set("ftLocation", location.as_str());
        let _ = obj.set("ftMessage", text);
        let _ = obj.set("stack", format!("    at {location}\n"));
        return ctx.throw(exc);
    }
    err
}

/// Reads and compiles a bundle's JS file (an ES module is first turned into CommonJS).
fn compile_file<'js>(ctx: &Ctx<'js>, host: &Host, path: &str) -> rquickjs::Result<Function<'js>> {
    let source = match host.files.read_text(path) {
        Ok(s) => s,
        Err(crate::bundle::BundleError::NotUtf8 { line, column, .. }) => {
            return Err(throw_compile_error(
                ctx,
                path,
                Some((line, column)),
                "not valid UTF-8 text",
            ));
        }
        Err(e) => return Err(throw_error(ctx, e)),
    };
    // TypeScript (loaded only when the project enables it): types stripped, positions kept.
    let source = if path.ends_with(".ts") {
        match crate::bundle::typescript::strip_types(&source) {
            Ok(js) => js,
            Err(e) => {
                return Err(throw_compile_error(
                    ctx,
                    path,
                    Some((e.line, e.column)),
                    &format!("SyntaxError: {}", e.message),
                ));
            }
        }
    } else {
        source
    };
    // `--coverage`: the project's own files run instrumented (same lines).
    let instrumented = host
        .coverage
        .as_ref()
        .and_then(|c| c.instrument(&host.files.root().join(path), &source));
    let source = instrumented.as_deref().unwrap_or(&source);
    match crate::bundle::esm::to_commonjs(path, source) {
        Ok(Some(code)) => compile_wrapped(ctx, host, path, &code),
        Ok(None) => compile_wrapped(ctx, host, path, source),
        Err(e) => Err(throw_compile_error(
            ctx,
            path,
            Some((e.line, e.column)),
            &format!("SyntaxError: {}", e.message),
        )),
    }
}

fn throw_range_error<'js>(ctx: &Ctx<'js>, msg: &str) -> rquickjs::Error {
    Exception::throw_range(ctx, msg)
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
    // Milliseconds on a monotonic clock, with sub-millisecond precision (test timings).
    let origin = Instant::now();
    native.set(
        "monotonicMs",
        Func::from(move || origin.elapsed().as_secs_f64() * 1000.0),
    )?;
    let h = host.clone();
    native.set(
        "print",
        Func::from(move |stream: i32, text: Text| {
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
        Func::from(move |text: Text| {
            h.had_error.set(true);
            h.output.line(Stream::Err, &text);
        }),
    )?;
    let h = host.clone();
    native.set(
        "timerStart",
        Func::from(move |id: u32, ms: f64| {
            h.timers.borrow_mut().start(id, ms, h.now());
        }),
    )?;
    let h = host.clone();
    native.set(
        "timerCancel",
        Func::from(move |id: u32| h.timers.borrow_mut().cancel(id)),
    )?;
    // The virtual clock (js/timers.js puts Date and performance on it).
    let h = host.clone();
    native.set("clockVirtual", Func::from(move || h.is_virtual()))?;
    let h = host.clone();
    native.set("clockEpochMs", Func::from(move || h.epoch_ms()))?;
    let h = host.clone();
    native.set(
        "clockOffsetMs",
        Func::from(move || {
            h.virtual_clock
                .get()
                .map_or(0.0, |v| v.offset.as_secs_f64() * 1000.0)
        }),
    )?;
    let h = host.clone();
    native.set(
        "timerCount",
        Func::from(move || h.timers.borrow().len() as u32),
    )?;
    // `--timeline` (src/timeline.rs), or this engine's own (`launch({ timeline: true })`): JS
    // records only when one is on.
    let h = host.clone();
    native.set(
        "timelineOn",
        Func::from(move || crate::timeline::enabled() || h.timeline.is_some()),
    )?;
    let h = host.clone();
    native.set(
        "timelineEvent",
        Func::from(move |ph: Text, lane: Text, name: Text| {
            let ph = ph.0.chars().next().unwrap_or('i');
            let lane = crate::timeline::Lane::from_name(&lane.0);
            match &h.timeline {
                Some(own) => own
                    .borrow_mut()
                    .push(crate::timeline::Event::now(lane, ph, &name.0)),
                None => crate::timeline::event(lane, ph, &name.0),
            }
        }),
    )?;
    let h = host.clone();
    native.set(
        "fileKind",
        Func::from(move |path: Text| match h.files.entry(&path) {
            Entry::Missing => 0,
            Entry::File => 1,
            Entry::Dir => 2,
        }),
    )?;
    let h = host.clone();
    native.set(
        "readText",
        Func::from(move |ctx: Ctx<'js>, path: Text| {
            h.files.read_text(&path).map_err(|e| throw_error(&ctx, e))
        }),
    )?;
    let h = host.clone();
    native.set(
        "compile",
        Func::from(move |ctx: Ctx<'js>, path: Text| compile_file(&ctx, &h, &path)),
    )?;
    // A prelude file run on first use (engine::LAZY_JS).
    native.set(
        "loadLazy",
        Func::from(
            |ctx: Ctx<'js>, name: Text, native: Object<'js>, internal: Object<'js>| {
                super::load_lazy(&ctx, &name, native, internal)
            },
        ),
    )?;
    // Host work still running (requests, commits): `ftrun check` waits for it between steps.
    let h = host.clone();
    native.set("pendingWork", Func::from(move || h.events.pending() as u32))?;
    // Whether the heap has refused an allocation in this run (see `heap.rs`).
    let h = host.clone();
    native.set("outOfMemory", Func::from(move || h.heap_refused.get()))?;
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
