//! JavaScript regular expressions for the Rust side of ftrun. Jest's path patterns
//! (`testPathPattern` arguments, `testPathIgnorePatterns`, `coveragePathIgnorePatterns`, and the
//! globs of `testMatch`, which micromatch turns into RegExps) are JS RegExps, so ftrun runs them
//! with QuickJS's own RegExp engine: the same syntax (lookahead, `\/`, `\d`), the same flags, and
//! no second regex engine in the binary.
//!
//! A [`RegExp`] is its source and flags, checked when made; each thread that matches one keeps a
//! small QuickJS runtime of its own (RegExp only, made on first use) with the compiled
//! expressions, so the values can be shared between threads.

use std::cell::{Cell, RefCell};
use std::rc::Rc;
use std::time::{Duration, Instant};

use rquickjs::context::intrinsic;
use rquickjs::{Context, Function, Runtime};

/// How long one match may run before it is given up: a pattern that backtracks catastrophically
/// on a path is reported, never left to hang the run (Jest would hang).
const MATCH_BUDGET: Duration = Duration::from_secs(2);

/// A compiled-once JS regular expression (`new RegExp(source, flags)`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegExp {
    source: Box<str>,
    flags: &'static str,
}

/// Compiles (cached per source and flags; a bad pattern throws JS's SyntaxError) and tests.
const MATCHER_JS: &str = r#"0,function () {
  const compiled = Object.create(null);
  const get = (source, flags) => {
    const key = flags + '/' + source;
    return compiled[key] || (compiled[key] = new RegExp(source, flags));
  };
  return {
    compile: (source, flags) => !!get(source, flags),
    test: (source, flags, text) => get(source, flags).test(text),
  };
}()"#;

struct Matcher {
    // Field order: the context is dropped before its runtime.
    ctx: Context,
    _rt: Runtime,
    deadline: Rc<Cell<Instant>>,
}

thread_local! {
    static MATCHER: RefCell<Option<Matcher>> = const { RefCell::new(None) };
}

impl Matcher {
    fn new() -> Result<Matcher, String> {
        let rt = Runtime::new().map_err(|e| e.to_string())?;
        rt.set_memory_limit(64 << 20);
        rt.set_max_stack_size(256 << 10);
        let deadline = Rc::new(Cell::new(Instant::now() + MATCH_BUDGET));
        let until = deadline.clone();
        rt.set_interrupt_handler(Some(Box::new(move || Instant::now() >= until.get())));
        let ctx = Context::custom::<(
            intrinsic::Eval,
            intrinsic::RegExpCompiler,
            intrinsic::RegExp,
        )>(&rt)
        .map_err(|e| e.to_string())?;
        ctx.with(|ctx| -> rquickjs::Result<()> {
            let matcher: rquickjs::Object = ctx.eval(MATCHER_JS)?;
            ctx.globals().set("matcher", matcher)
        })
        .map_err(|e| e.to_string())?;
        Ok(Matcher {
            ctx,
            _rt: rt,
            deadline,
        })
    }

    /// `matcher[name](source, flags, text)` within the match budget; an exception becomes its
    /// message.
    fn call(&self, name: &str, source: &str, flags: &str, text: &str) -> Result<bool, String> {
        self.deadline.set(Instant::now() + MATCH_BUDGET);
        self.ctx.with(|ctx| {
            let run = || -> rquickjs::Result<bool> {
                let matcher: rquickjs::Object = ctx.globals().get("matcher")?;
                let f: Function = matcher.get(name)?;
                f.call((source, flags, text))
            };
            run().map_err(|e| match e {
                rquickjs::Error::Exception => {
                    let thrown = ctx.catch();
                    if Instant::now() >= self.deadline.get() {
                        format!(
                            "gave up after {} s (the pattern backtracks without end on this text)",
                            MATCH_BUDGET.as_secs()
                        )
                    } else {
                        thrown
                            .as_exception()
                            .and_then(|x| x.message())
                            .unwrap_or_else(|| "an exception".into())
                    }
                }
                other => other.to_string(),
            })
        })
    }
}

/// Runs `f` with this thread's matcher, made on first use.
fn with_matcher<R>(f: impl FnOnce(&Matcher) -> Result<R, String>) -> Result<R, String> {
    MATCHER.with(|cell| {
        let mut slot = cell.borrow_mut();
        let matcher = match &mut *slot {
            Some(m) => m,
            empty => empty.insert(Matcher::new()?),
        };
        f(matcher)
    })
}

impl RegExp {
    /// `new RegExp(source, flags)`; the error is JS's own message (`invalid group name`...).
    pub fn new(source: &str, flags: &'static str) -> Result<RegExp, String> {
        with_matcher(|m| m.call("compile", source, flags, ""))?;
        Ok(RegExp {
            source: source.into(),
            flags,
        })
    }

    /// `source` with every character that has a meaning in a RegExp escaped.
    pub fn escape(text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            if "\\^$.|?*+()[]{}/-".contains(c) {
                out.push('\\');
            }
            out.push(c);
        }
        out
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// `re.test(text)`. A match that runs past its budget (catastrophic backtracking) is
    /// reported on stderr and taken as no match.
    pub fn is_match(&self, text: &str) -> bool {
        match with_matcher(|m| m.call("test", &self.source, self.flags, text)) {
            Ok(matched) => matched,
            Err(e) => {
                errln!(
                    "ftrun: pattern /{}/{}: matching {text:?}: {e}; taken as no match",
                    self.source,
                    self.flags
                );
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn javascript_syntax_and_flags() {
        let re = RegExp::new(r"/node_modules/(?!keep/)", "").unwrap();
        assert!(re.is_match("/a/node_modules/drop/x.js"));
        assert!(!re.is_match("/a/node_modules/keep/x.js"));
        let re = RegExp::new(r"button\/", "i").unwrap();
        assert!(re.is_match("/src/Button/a.test.js"));
        assert!(
            !RegExp::new(r"button\/", "")
                .unwrap()
                .is_match("/src/Button/a.test.js")
        );
    }

    #[test]
    fn a_bad_pattern_gets_javascripts_message() {
        let e = RegExp::new("a(", "").unwrap_err();
        assert!(!e.is_empty(), "{e}");
        assert!(RegExp::new("(?<n>a)(?<n>b)", "").is_err());
    }

    #[test]
    fn escaped_text_matches_itself() {
        let text = r"a.b*c(d)[e]{f}|g?h+i^j$k\l/m-n";
        let re = RegExp::new(&format!("^{}$", RegExp::escape(text)), "").unwrap();
        assert!(re.is_match(text));
        assert!(!re.is_match("a-b*c(d)[e]{f}|g?h+i^j$k\\l/m-n"));
    }

    #[test]
    fn a_runaway_match_is_given_up_not_hung() {
        let re = RegExp::new("^(a+)+$", "").unwrap();
        let started = Instant::now();
        assert!(!re.is_match(&format!("{}b", "a".repeat(40))));
        assert!(started.elapsed() < MATCH_BUDGET + Duration::from_secs(3));
    }

    #[test]
    fn shared_between_threads() {
        let re = RegExp::new(r"\.test\.js$", "").unwrap();
        let other = re.clone();
        let matched = std::thread::spawn(move || other.is_match("a.test.js"))
            .join()
            .unwrap();
        assert!(matched && re.is_match("b.test.js"));
    }
}
