//! Engine errors (failures of ftrun itself, not of the app) and formatting of JS exceptions.

use rquickjs::{CaughtError, Value};

#[derive(Debug, thiserror::Error)]
pub enum EngineError {
    #[error("cannot start the JavaScript engine: {0}")]
    Setup(String),
    #[error("internal error in ftrun's prelude {0}")]
    Prelude(String),
}

/// `30` or `0.5`: seconds as a user wrote them, for timeout messages.
pub fn format_secs(d: std::time::Duration) -> String {
    let s = d.as_secs_f64();
    if s.fract() == 0.0 {
        format!("{s:.0}")
    } else {
        format!("{s}")
    }
}

/// `Name: message` plus the stack, for exceptions that reach Rust (the JS side formats the rest).
pub fn format_caught(err: &CaughtError<'_>) -> String {
    match err {
        CaughtError::Exception(e) => {
            let name: String = e
                .as_object()
                .get::<_, Option<String>>("name")
                .ok()
                .flatten()
                .unwrap_or_else(|| "Error".into());
            let msg = e.message().unwrap_or_default();
            let stack = e.stack().unwrap_or_default();
            let stack = stack.trim_end();
            if stack.is_empty() {
                format!("{name}: {msg}")
            } else {
                format!("{name}: {msg}\n{stack}")
            }
        }
        CaughtError::Value(v) => format!("uncaught value: {}", value_text(v)),
        CaughtError::Error(e) => format!("host error: {e}"),
    }
}

fn value_text(v: &Value<'_>) -> String {
    if let Some(s) = v.as_string() {
        return s.to_string().unwrap_or_default();
    }
    v.ctx()
        .json_stringify(v.clone())
        .ok()
        .flatten()
        .and_then(|s| s.to_string().ok())
        .unwrap_or_else(|| format!("{v:?}"))
}

/// True when `err` is a syntax error raised while compiling a bundle file.
pub fn is_compile_error(err: &CaughtError<'_>) -> bool {
    match err {
        CaughtError::Exception(e) => e
            .as_object()
            .get::<_, Option<bool>>("ftCompileError")
            .ok()
            .flatten()
            .unwrap_or(false),
        _ => false,
    }
}

/// `file:line:column: SyntaxError: <message>` (or the text a tagged error carries), as the
/// user should see it.
pub fn format_compile_error(err: &CaughtError<'_>) -> String {
    let CaughtError::Exception(e) = err else {
        return format_caught(err);
    };
    let msg = e.message().unwrap_or_default();
    let tag = |name: &str| e.as_object().get::<_, Option<String>>(name).ok().flatten();
    if let (Some(loc), Some(text)) = (tag("ftLocation"), tag("ftMessage")) {
        return format!("{loc}: {text}");
    }
    let stack = e.stack().unwrap_or_default();
    // QuickJS puts the position of a syntax error in the first stack line: "    at file:L:C".
    let at = stack
        .lines()
        .map(str::trim)
        .find_map(|l| l.strip_prefix("at "))
        .map(|loc| loc.trim_matches(|c| c == '(' || c == ')').to_string());
    let loc = at.or_else(|| tag("ftFile")).unwrap_or_default();
    format!("{loc}: SyntaxError: {msg}")
}
