//! Compiles the JS prelude under `js/` to QuickJS bytecode, so a run loads it instead of
//! parsing and compiling ~40 KB of JavaScript at every cold start. The engine falls back to
//! the source if the bytecode does not load.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use rquickjs::qjs;

fn js_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() {
            js_files(&p, out);
        } else if p.extension().is_some_and(|x| x == "js") {
            out.push(p);
        }
    }
}

/// Bytecode of `source` compiled as a strict global script named `name`, or None. Without
/// its source text unless `keep_source`: a tenth of a cold start went to reading it, and only
/// the test prelude needs `Function.prototype.toString` (it sends functions to apps as source).
fn compile(
    ctx: *mut qjs::JSContext,
    name: &str,
    source: &str,
    keep_source: bool,
) -> Option<Vec<u8>> {
    let src = CString::new(source).ok()?;
    let file = CString::new(name).ok()?;
    let flags = (qjs::JS_EVAL_TYPE_GLOBAL
        | qjs::JS_EVAL_FLAG_STRICT
        | qjs::JS_EVAL_FLAG_COMPILE_ONLY) as i32;
    unsafe {
        let func = qjs::JS_Eval(ctx, src.as_ptr(), source.len() as _, file.as_ptr(), flags);
        if qjs::JS_IsException(func) {
            let e = qjs::JS_GetException(ctx);
            qjs::JS_FreeValue(ctx, e);
            return None;
        }
        let mut len: qjs::size_t = 0;
        let buf = qjs::JS_WriteObject(
            ctx,
            &mut len,
            func,
            if keep_source {
                qjs::JS_WRITE_OBJ_BYTECODE as i32
            } else {
                (qjs::JS_WRITE_OBJ_BYTECODE | qjs::JS_WRITE_OBJ_STRIP_SOURCE) as i32
            },
        );
        qjs::JS_FreeValue(ctx, func);
        if buf.is_null() {
            return None;
        }
        let bytes = std::slice::from_raw_parts(buf, len as usize).to_vec();
        qjs::js_free(ctx, buf as *mut _);
        Some(bytes)
    }
}

fn main() {
    println!("cargo:rerun-if-changed=js");
    let out = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR"));
    let mut files = Vec::new();
    js_files(Path::new("js"), &mut files);
    let rt = rquickjs::Runtime::new().expect("QuickJS runtime");
    let ctx = rquickjs::Context::full(&rt).expect("QuickJS context");
    ctx.with(|ctx| {
        let raw = ctx.as_raw().as_ptr();
        for f in files {
            println!("cargo:rerun-if-changed={}", f.display());
            let rel = f
                .strip_prefix("js")
                .unwrap_or(&f)
                .to_string_lossy()
                .replace('\\', "/");
            let source = std::fs::read_to_string(&f).expect("read js");
            let name = format!("ftrun:js/{rel}");
            // An empty file means "no bytecode": the engine then compiles the source.
            let bytes = compile(raw, &name, &source, rel.starts_with("test/")).unwrap_or_default();
            let dest = out.join("js").join(format!("{rel}.qjsbc"));
            std::fs::create_dir_all(dest.parent().expect("parent")).expect("mkdir");
            std::fs::write(dest, bytes).expect("write bytecode");
        }
    });
}
