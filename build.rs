//! Compiles the JS prelude under `js/` to QuickJS bytecode, so a run loads it instead of
//! parsing and compiling ~40 KB of JavaScript at every cold start. The engine falls back to
//! the source if the bytecode does not load.

use std::ffi::CString;
use std::path::{Path, PathBuf};

use rquickjs::qjs;

/// The start of a deflated bytecode file (engine/mod.rs `PACKED_MAGIC`); QuickJS bytecode
/// starts with its version byte, never with this.
const PACKED_MAGIC: &[u8] = b"ftz1";

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

/// The commit this build is from, for `ftrun --version`: `$FTRUN_COMMIT` (release builds
/// outside a clone), else git, else the `.cargo_vcs_info.json` that `cargo package` writes.
fn commit() -> Option<String> {
    println!("cargo:rerun-if-env-changed=FTRUN_COMMIT");
    if let Ok(c) = std::env::var("FTRUN_COMMIT") {
        return Some(c.chars().take(9).collect()).filter(|c: &String| !c.is_empty());
    }
    if Path::new(".git").exists() {
        // HEAD moves with each commit (the branch's ref file, or packed-refs after a gc).
        // (Only paths that exist: cargo reruns a build script every time for a missing one.)
        for f in [".git/HEAD", ".git/refs/heads", ".git/packed-refs"] {
            if Path::new(f).exists() {
                println!("cargo:rerun-if-changed={f}");
            }
        }
        let out = std::process::Command::new("git")
            .args(["rev-parse", "--short=9", "HEAD"])
            .output()
            .ok()?;
        let sha = String::from_utf8(out.stdout).ok()?;
        return Some(sha.trim().to_string()).filter(|s| out.status.success() && !s.is_empty());
    }
    let info = std::fs::read_to_string(".cargo_vcs_info.json").ok()?;
    let sha = info.split("\"sha1\"").nth(1)?.split('"').nth(1)?;
    Some(sha.chars().take(9).collect())
}

fn main() {
    let version = env!("CARGO_PKG_VERSION");
    match commit() {
        Some(c) => println!("cargo:rustc-env=FTRUN_VERSION={version} ({c})"),
        None => println!("cargo:rustc-env=FTRUN_VERSION={version}"),
    }
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
            // The test prelude (with its source, two thirds of all the bytecode) is read
            // only by `ftrun test`, whose runs take tens of milliseconds: it is stored
            // deflated (0.3 MB less in the binary, about a millisecond once per test run).
            let bytes = if rel.starts_with("test/") && !bytes.is_empty() {
                let mut packed = PACKED_MAGIC.to_vec();
                packed.extend(miniz_oxide::deflate::compress_to_vec(&bytes, 9));
                packed
            } else {
                bytes
            };
            // The source goes into the binary only as the fallback for a file without
            // bytecode (a third of a megabyte saved otherwise).
            let fallback = if bytes.is_empty() {
                source.as_str()
            } else {
                ""
            };
            std::fs::write(dest.with_extension("src"), fallback).expect("write fallback");
            std::fs::write(dest, bytes).expect("write bytecode");
        }
    });
}
