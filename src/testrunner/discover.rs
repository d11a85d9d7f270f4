//! Which files are test files: Jest's rules. Folders are searched (dependency folders
//! skipped) for files matching `testMatch` (by default `*.test.js`, `*.spec.js`, their `.ts`
//! forms, and `.js`/`.ts` files in `__tests__` folders); arguments that are not paths are
//! regular expressions over the files' paths, as Jest's `testPathPattern`. Patterns and globs
//! are JS RegExps, as in Jest ([`RegExp`]).

use std::path::{Path, PathBuf};

use crate::engine::regexp::RegExp;

/// What selects test files.
#[derive(Debug, Clone, Default)]
pub struct Selection {
    /// Folders (or files, taken as given) to search.
    pub roots: Vec<PathBuf>,
    /// Regular expressions over a found file's absolute path; a file must match one (when any).
    pub path_patterns: Vec<RegExp>,
    /// Globs over a found file's path relative to `base` (config `testMatch`); empty: Jest's
    /// default set.
    pub test_match: Vec<RegExp>,
    /// Regular expressions over a file's absolute path (config `testPathIgnorePatterns`).
    pub ignore: Vec<RegExp>,
    /// Where `testMatch` globs are rooted (the config's folder, else the current folder).
    pub base: PathBuf,
}

/// Jest's default `testMatch`, for the languages ftrun runs.
fn default_match(path: &Path) -> bool {
    let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
        return false;
    };
    let script = name.ends_with(".js") || name.ends_with(".ts");
    let named = [".test.js", ".spec.js", ".test.ts", ".spec.ts"]
        .iter()
        .any(|s| name.ends_with(s));
    named
        || (script
            && path
                .parent()
                .is_some_and(|p| p.components().any(|c| c.as_os_str() == "__tests__"))
            && !name.ends_with(".d.ts"))
}

impl Selection {
    /// Whether `path` is a test file by name (`testMatch`, ignore patterns), wherever it is.
    pub fn is_test_file(&self, path: &Path) -> bool {
        let abs = absolute(path);
        let abs_text = abs.to_string_lossy();
        if self.ignore.iter().any(|r| r.is_match(&abs_text)) {
            return false;
        }
        if self.test_match.is_empty() {
            return default_match(path);
        }
        let rel = abs.strip_prefix(&self.base).unwrap_or(&abs);
        let rel = rel.to_string_lossy();
        self.test_match
            .iter()
            .any(|g| g.is_match(&rel) || g.is_match(&abs_text))
    }

    /// Whether `path` is one of the files this selection finds (for `--watch`: a new file).
    pub fn selects(&self, path: &Path) -> bool {
        let abs_text = absolute(path).to_string_lossy().into_owned();
        self.roots
            .iter()
            .any(|r| absolute(path).starts_with(absolute(r)))
            && self.is_test_file(path)
            && (self.path_patterns.is_empty()
                || self.path_patterns.iter().any(|p| p.is_match(&abs_text)))
    }

    /// The test files, sorted. A root that is a file is taken as given.
    pub fn discover(&self) -> Result<Vec<PathBuf>, String> {
        let mut out = Vec::new();
        for p in &self.roots {
            let meta = std::fs::metadata(p)
                .map_err(|e| format!("{}: {}", p.display(), crate::bundle::io_reason(&e)))?;
            if meta.is_file() {
                out.push(p.clone());
            } else {
                self.walk(p, &mut out);
            }
        }
        if !self.path_patterns.is_empty() {
            out.retain(|f| {
                let abs = absolute(f).to_string_lossy().into_owned();
                self.path_patterns.iter().any(|p| p.is_match(&abs))
            });
        }
        out.sort();
        out.dedup();
        Ok(out)
    }

    fn walk(&self, dir: &Path, out: &mut Vec<PathBuf>) {
        let Ok(entries) = std::fs::read_dir(dir) else {
            return;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            let Ok(ft) = e.file_type() else { continue };
            if ft.is_dir() {
                if !matches!(
                    name.to_string_lossy().as_ref(),
                    "node_modules" | "miniprogram_npm" | "target" | ".git" | "coverage"
                ) {
                    self.walk(&p, out);
                }
            } else if ft.is_file() && self.is_test_file(&p) {
                out.push(p);
            }
        }
    }
}

pub fn absolute(p: &Path) -> PathBuf {
    std::path::absolute(p).unwrap_or_else(|_| p.to_path_buf())
}

/// A regular expression from the command line or a config file, or a message naming it. Jest
/// matches path patterns (arguments, watch mode's `p`) case-insensitively (flags `"i"`), its
/// ignore patterns as written (`""`).
pub fn regex(what: &str, pattern: &str, flags: &'static str) -> Result<RegExp, String> {
    RegExp::new(pattern, flags)
        .map_err(|e| format!("{what} '{pattern}': not a valid regular expression ({e})"))
}

/// A glob as Jest's `testMatch` writes them (micromatch): `**`, `*`, `?`, `[...]`, `{a,b}` and
/// the extglobs `?(...)`, `*(...)`, `+(...)`, `@(...)`, as an anchored regular expression.
pub fn glob(pattern: &str) -> Result<RegExp, String> {
    let chars: Vec<char> = pattern.chars().collect();
    let mut i = 0;
    let body =
        glob_part(&chars, &mut i, None).map_err(|e| format!("testMatch '{pattern}': {e}"))?;
    RegExp::new(&format!("^{body}$"), "").map_err(|e| format!("testMatch '{pattern}': {e}"))
}

/// Converts from `chars[*i]` up to the closing `end` (`)` or `}`), which it consumes.
fn glob_part(chars: &[char], i: &mut usize, end: Option<char>) -> Result<String, String> {
    let mut out = String::new();
    while *i < chars.len() {
        let c = chars[*i];
        let next = chars.get(*i + 1).copied();
        *i += 1;
        match c {
            c if Some(c) == end => return Ok(out),
            '|' if end == Some(')') => out.push('|'),
            ',' if end == Some('}') => out.push('|'),
            '*' if next == Some('*') => {
                *i += 1;
                if chars.get(*i) == Some(&'/') {
                    *i += 1;
                    out.push_str("(?:[^/]*/)*");
                } else {
                    out.push_str(".*");
                }
            }
            '?' | '*' | '+' | '@' if next == Some('(') => {
                *i += 1;
                let inner = glob_part(chars, i, Some(')'))?;
                let suffix = match c {
                    '?' => "?",
                    '*' => "*",
                    '+' => "+",
                    _ => "",
                };
                out.push_str(&format!("(?:{inner}){suffix}"));
            }
            '!' if next == Some('(') => {
                return Err("negated extglobs !(...) are not supported".into());
            }
            '*' => out.push_str("[^/]*"),
            '?' => out.push_str("[^/]"),
            '{' => {
                let inner = glob_part(chars, i, Some('}'))?;
                out.push_str(&format!("(?:{inner})"));
            }
            '[' => {
                let close = chars[*i..]
                    .iter()
                    .position(|&x| x == ']')
                    .ok_or("'[' without ']'")?;
                let class: String = chars[*i..*i + close].iter().collect();
                let class = class
                    .strip_prefix('!')
                    .map_or(class.clone(), |r| format!("^{r}"));
                out.push_str(&format!("[{class}]"));
                *i += close + 1;
            }
            c => out.push_str(&RegExp::escape(&c.to_string())),
        }
    }
    match end {
        Some(e) => Err(format!("'{e}' missing")),
        None => Ok(out),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs_as_jest_writes_them() {
        let g = glob("**/__tests__/**/*.[jt]s?(x)").unwrap();
        assert!(g.is_match("__tests__/a.js"));
        assert!(g.is_match("src/__tests__/deep/a.tsx"));
        assert!(!g.is_match("src/a.js"));
        let g = glob("**/?(*.)+(spec|test).[jt]s?(x)").unwrap();
        assert!(g.is_match("a.test.js"));
        assert!(g.is_match("x/y/a.spec.ts"));
        assert!(g.is_match("x/test.js"));
        assert!(!g.is_match("x/a.testx.js"));
        let g = glob("tests/*.{js,ts}").unwrap();
        assert!(g.is_match("tests/a.ts"));
        assert!(!g.is_match("tests/x/a.ts"));
        assert!(glob("!(a).js").is_err());
        assert!(glob("{a,b").is_err());
    }

    #[test]
    fn default_match_is_jests_for_js_and_ts() {
        for yes in [
            "a.test.js",
            "b/a.spec.ts",
            "x/__tests__/h.js",
            "__tests__/y/z.ts",
        ] {
            assert!(default_match(Path::new(yes)), "{yes}");
        }
        for no in [
            "a.js",
            "a.test.jsx",
            "__tests__/types.d.ts",
            "__tests__/a.snap",
        ] {
            assert!(!default_match(Path::new(no)), "{no}");
        }
    }
}
