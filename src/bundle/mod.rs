//! Reading a mini-program bundle: `project.config.json` (the appId), `app.json` (pages, entry
//! page, subpackages) and sandboxed file access for the loader.

pub mod esm;
mod files;
mod project;
pub mod typescript;

pub(crate) use files::io_reason;
pub use files::{BundleFiles, Entry, normalize};
pub use project::{AppId, Project};

use serde_json::Value;

/// Everything that can be wrong with a bundle. Each message names the file.
#[derive(Debug, thiserror::Error)]
pub enum BundleError {
    #[error("{0}: not a directory")]
    NotADirectory(String),
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("{0}: file not found in the bundle")]
    Missing(String),
    #[error("{path}:{line}:{column}: not valid UTF-8 text")]
    NotUtf8 {
        path: String,
        line: usize,
        column: usize,
    },
    #[error("'{0}' is outside the bundle root")]
    OutsideBundle(String),
    #[error("{file}: invalid JSON: {reason}")]
    InvalidJson { file: String, reason: String },
    #[error("{file}: {problem}")]
    Invalid { file: String, problem: String },
    #[error(
        "no appId: project.config.json has no \"appid\" (pass --app-id ID or add \"appid\" to project.config.json)"
    )]
    NoAppId,
    #[error("--app-id: {0}")]
    BadAppIdFlag(String),
}

/// A subpackage from `app.json` (`subpackages` or `subPackages`).
#[derive(Debug, Clone)]
pub struct SubPackage {
    pub root: String,
    /// Full routes (`root/page`).
    pub pages: Vec<String>,
    /// `"independent": true`: runs without the main package.
    pub independent: bool,
}

/// The parts of `app.json` the runtime uses.
#[derive(Debug, Clone)]
pub struct AppConfig {
    /// Main-package pages, in `app.json` order.
    pub pages: Vec<String>,
    pub subpackages: Vec<SubPackage>,
    /// `entryPagePath`, else the first page.
    pub entry: String,
    /// The whole `app.json`, for APIs that expose parts of it.
    pub raw: Value,
}

impl AppConfig {
    /// The launch page and query: the requested path (or the entry page) and the query, which
    /// may also be written after a `?` in the path (`pages/a/a?id=3`, as WeChat page URLs
    /// carry it) but not in both places. `Err` says what is wrong (which pages exist).
    pub fn launch_target(
        &self,
        requested: Option<&str>,
        query: &str,
    ) -> Result<(String, String), String> {
        let Some(p) = requested else {
            return Ok((self.entry.clone(), query.to_string()));
        };
        let (path, in_path) = p.split_once('?').unwrap_or((p, ""));
        let route = page_route(path);
        if !self.all_pages().contains(&route) {
            return Err(format!(
                "no such page in app.json (pages: {})",
                self.all_pages().join(", ")
            ));
        }
        match (in_path.is_empty(), query.is_empty()) {
            (false, false) => Err(format!(
                "the query is given twice: '?{in_path}' in the path and '{query}' as the query"
            )),
            (false, true) => Ok((route, in_path.to_string())),
            _ => Ok((route, query.to_string())),
        }
    }

    /// Every page route, main package first, then each subpackage's (root-prefixed).
    pub fn all_pages(&self) -> Vec<String> {
        let mut all = self.pages.clone();
        for sp in &self.subpackages {
            all.extend(sp.pages.iter().cloned());
        }
        all
    }
}

/// Strips a leading `/` and a trailing `.js` from a page path given by a user.
pub fn page_route(path: &str) -> String {
    let p = path.trim_start_matches('/');
    p.strip_suffix(".js").unwrap_or(p).to_string()
}

fn read_json(files: &BundleFiles, name: &str) -> Result<Option<Value>, BundleError> {
    match files.read_text(name) {
        Ok(text) => serde_json::from_str(&text)
            .map(Some)
            .map_err(|e| BundleError::InvalidJson {
                file: name.to_string(),
                reason: e.to_string(),
            }),
        Err(BundleError::Missing(_)) => Ok(None),
        Err(e) => Err(e),
    }
}

/// The longest appId accepted (WeChat's are 18 characters, FinClip's a few dozen).
pub const APP_ID_MAX: usize = 256;

/// An appId keys the store and appears in listings and warnings: 1 to 256 characters and no
/// control characters (a newline in one would forge lines in `cache list`).
pub fn check_app_id(id: &str) -> Result<(), String> {
    if id.trim().is_empty() {
        return Err("the appId must be a non-empty string".into());
    }
    if id.chars().count() > APP_ID_MAX {
        return Err(format!("the appId is longer than {APP_ID_MAX} characters"));
    }
    if let Some(c) = id.chars().find(|c| c.is_control()) {
        return Err(format!(
            "the appId must not contain control characters (it has U+{:04X})",
            c as u32
        ));
    }
    Ok(())
}

fn page_list(file: &str, field: &str, v: Option<&Value>) -> Result<Vec<String>, BundleError> {
    let bad = |problem: String| BundleError::Invalid {
        file: file.to_string(),
        problem,
    };
    let Some(v) = v else {
        return Err(bad(format!("no \"{field}\" list")));
    };
    let arr = v
        .as_array()
        .ok_or_else(|| bad(format!("\"{field}\" must be an array of page paths")))?;
    arr.iter()
        .map(|p| {
            p.as_str()
                .filter(|s| !s.trim().is_empty())
                .map(page_route)
                .ok_or_else(|| {
                    bad(format!(
                        "\"{field}\" has an entry that is not a page path: {p}"
                    ))
                })
        })
        .collect()
}

/// Reads and checks `app.json`; every listed page must have its `.js` file.
/// `app.js`, every main-package page's `.js` and the launch page's exist (a stat each:
/// `ftrun run` does it after its request has left). A subpackage is loaded when one of its
/// pages is first opened, as WeChat downloads it then, so its missing files matter only then.
pub fn check_app_files(
    files: &BundleFiles,
    config: &AppConfig,
    launch_page: &str,
    typescript: bool,
) -> Result<(), BundleError> {
    let app_ts = typescript && files.entry("app.ts") == Entry::File;
    if files.entry("app.js") != Entry::File && !app_ts {
        return Err(BundleError::Missing("app.js".into()));
    }
    for page in config.pages.iter().map(String::as_str).chain([launch_page]) {
        let file = format!("{page}.js");
        if files.entry(&file) != Entry::File {
            let ts = files.entry(&format!("{page}.ts")) == Entry::File;
            if ts && typescript {
                continue;
            }
            return Err(BundleError::Invalid {
                file: "app.json".into(),
                problem: if ts {
                    format!(
                        "page '{page}' is TypeScript only ({page}.ts, no {file}); compile it, or enable \"typescript\" in project.config.json's setting.useCompilerPlugins"
                    )
                } else {
                    format!("page '{page}' is listed but {file} does not exist")
                },
            });
        }
    }
    Ok(())
}

/// Parses `app.json` without requiring the listed pages' files (`ftrun check` reports them).
pub fn parse_app_config(files: &BundleFiles) -> Result<AppConfig, BundleError> {
    let raw =
        read_json(files, "app.json")?.ok_or_else(|| BundleError::Missing("app.json".into()))?;
    if !raw.is_object() {
        return Err(BundleError::Invalid {
            file: "app.json".into(),
            problem: "must be a JSON object".into(),
        });
    }
    let pages = page_list("app.json", "pages", raw.get("pages"))?;
    if pages.is_empty() {
        return Err(BundleError::Invalid {
            file: "app.json".into(),
            problem: "\"pages\" is empty: list at least one page".into(),
        });
    }
    let mut subpackages = Vec::new();
    let subs = raw.get("subpackages").or_else(|| raw.get("subPackages"));
    if let Some(subs) = subs {
        let arr = subs.as_array().ok_or_else(|| BundleError::Invalid {
            file: "app.json".into(),
            problem: "\"subpackages\" must be an array".into(),
        })?;
        for (i, sp) in arr.iter().enumerate() {
            let root = sp
                .get("root")
                .and_then(Value::as_str)
                .map(|r| r.trim_matches('/').to_string())
                .filter(|r| !r.is_empty())
                .ok_or_else(|| BundleError::Invalid {
                    file: "app.json".into(),
                    problem: format!("subpackages[{i}] has no \"root\""),
                })?;
            let field = format!("subpackages[{i}].pages");
            let pages = page_list("app.json", &field, sp.get("pages"))?
                .into_iter()
                .map(|p| format!("{root}/{p}"))
                .collect();
            let independent = sp.get("independent").and_then(Value::as_bool) == Some(true);
            subpackages.push(SubPackage {
                root,
                pages,
                independent,
            });
        }
    }
    let entry = match raw.get("entryPagePath").and_then(Value::as_str) {
        Some(e) if !e.trim().is_empty() => page_route(e),
        _ => pages[0].clone(),
    };
    let config = AppConfig {
        pages,
        subpackages,
        entry,
        raw,
    };
    if !config.all_pages().contains(&config.entry) {
        return Err(BundleError::Invalid {
            file: "app.json".into(),
            problem: format!("entryPagePath '{}' is not a listed page", config.entry),
        });
    }
    Ok(config)
}

/// A bundle ready to run: its files, its `app.json`, its appId.
#[derive(Debug, Clone)]
pub struct Bundle {
    pub files: BundleFiles,
    pub config: AppConfig,
    pub app_id: String,
    /// `.ts` files are compiled on load (`setting.useCompilerPlugins` has "typescript").
    pub typescript: bool,
}

#[cfg(test)]
mod tests {
    use super::{AppConfig, page_route};

    #[test]
    fn launch_query_after_the_path_or_given_apart_but_not_both() {
        let config = AppConfig {
            pages: vec!["pages/a/a".into(), "pages/b/b".into()],
            subpackages: Vec::new(),
            entry: "pages/a/a".into(),
            raw: serde_json::Value::Null,
        };
        let target = |p: Option<&str>, q: &str| config.launch_target(p, q);
        assert_eq!(target(None, "x=1"), Ok(("pages/a/a".into(), "x=1".into())));
        assert_eq!(
            target(Some("/pages/b/b.js?id=3&k=%20"), ""),
            Ok(("pages/b/b".into(), "id=3&k=%20".into()))
        );
        assert_eq!(
            target(Some("pages/b/b?"), "y=2"),
            Ok(("pages/b/b".into(), "y=2".into()))
        );
        assert!(target(Some("pages/b/b?id=3"), "y=2").is_err_and(|e| e.contains("twice")));
        assert!(target(Some("pages/c/c"), "").is_err_and(|e| e.contains("pages/a/a, pages/b/b")));
    }

    #[test]
    fn page_routes_are_plain() {
        assert_eq!(page_route("/pages/a/a.js"), "pages/a/a");
        assert_eq!(page_route("pages/a/a"), "pages/a/a");
    }
}
