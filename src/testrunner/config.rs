//! The test configuration file: `ftrun.config.json`, or the `ftrun` key of `package.json`, in
//! the current folder (or `--config FILE`). Its options are Jest's, with Jest's names, for the
//! subset ftrun has; the command line wins over it.

use std::path::{Path, PathBuf};

use serde::Deserialize;

#[derive(Debug, Default, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TestConfig {
    /// Folders to search for test files (relative to the config's folder).
    pub roots: Option<Vec<String>>,
    /// Globs that make a file a test file (Jest's `testMatch`).
    pub test_match: Option<Vec<String>>,
    /// Regular expressions over absolute paths of files that are never test files.
    pub test_path_ignore_patterns: Option<Vec<String>>,
    /// Default per-test timeout in ms.
    pub test_timeout: Option<u64>,
    /// `["default", ["junit", { "outputFile": "junit.xml" }]]`, as Jest's `reporters`.
    pub reporters: Option<Vec<ReporterSpec>>,
    pub collect_coverage: Option<bool>,
    pub coverage_directory: Option<String>,
    /// Regular expressions over absolute paths of bundle files left out of coverage.
    pub coverage_path_ignore_patterns: Option<Vec<String>>,
    pub coverage_threshold: Option<Thresholds>,
    /// `true` (stop at the first failed file) or a number of failed files.
    pub bail: Option<Bail>,
    pub verbose: Option<bool>,
    pub silent: Option<bool>,
    /// The clock of launched apps: `virtual` or `real`.
    pub clock: Option<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum Bail {
    Flag(bool),
    Count(usize),
}

impl Bail {
    pub fn count(&self) -> Option<usize> {
        match self {
            Bail::Flag(true) => Some(1),
            Bail::Flag(false) | Bail::Count(0) => None,
            Bail::Count(n) => Some(*n),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(untagged)]
pub enum ReporterSpec {
    Name(String),
    WithOptions(String, ReporterOptions),
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReporterOptions {
    pub output_file: Option<String>,
    /// jest-junit's way to name its file: `outputDirectory` + `outputName`.
    pub output_directory: Option<String>,
    pub output_name: Option<String>,
}

/// Coverage thresholds as Jest writes them: percentages, or (negative) the most uncovered
/// entities allowed; under `global`, or under a glob for each file it matches.
pub type Thresholds = std::collections::BTreeMap<String, Threshold>;

#[derive(Debug, Clone, Default, Deserialize, serde::Serialize)]
pub struct Threshold {
    pub statements: Option<f64>,
    pub branches: Option<f64>,
    pub functions: Option<f64>,
    pub lines: Option<f64>,
}

/// A config file read, with where it was found (relative paths in it start there).
#[derive(Debug, Clone)]
pub struct Loaded {
    pub config: TestConfig,
    pub dir: PathBuf,
    /// How to name it in messages: `ftrun.config.json` or `package.json ("ftrun")`.
    pub name: String,
}

const KNOWN: &[&str] = &[
    "roots",
    "testMatch",
    "testPathIgnorePatterns",
    "testTimeout",
    "reporters",
    "collectCoverage",
    "coverageDirectory",
    "coveragePathIgnorePatterns",
    "coverageThreshold",
    "bail",
    "verbose",
    "silent",
    "clock",
];

/// The config `explicit` names, else the one in `dir`; `None` when there is none. Unknown
/// options are warned about (as Jest does), wrong types are errors naming the file.
pub fn load(explicit: Option<&Path>, dir: &Path) -> Result<Option<Loaded>, String> {
    let (path, key) = match explicit {
        Some(p) => (p.to_path_buf(), None),
        None => {
            let own = dir.join("ftrun.config.json");
            let package = dir.join("package.json");
            if own.is_file() {
                (own, None)
            } else if package.is_file() {
                (package, Some("ftrun"))
            } else {
                return Ok(None);
            }
        }
    };
    let name = match key {
        Some(k) => format!("{} (\"{k}\")", path.display()),
        None => path.display().to_string(),
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("{}: {}", path.display(), crate::bundle::io_reason(&e)))?;
    let mut value: serde_json::Value = serde_json::from_str(&text)
        .map_err(|e| format!("{}: invalid JSON: {e}", path.display()))?;
    if let Some(k) = key {
        match value.get_mut(k) {
            Some(v) => value = v.take(),
            None => return Ok(None),
        }
    }
    let Some(map) = value.as_object() else {
        return Err(format!("{name}: expected an object of options"));
    };
    for k in map.keys().filter(|k| !KNOWN.contains(&k.as_str())) {
        errln!("warning: {name}: unknown option \"{k}\" (ignored)");
    }
    let config: TestConfig = serde_json::from_value(value).map_err(|e| format!("{name}: {e}"))?;
    if let Some(c) = &config.clock
        && c != "virtual"
        && c != "real"
    {
        return Err(format!(
            "{name}: clock: expected \"virtual\" or \"real\", got \"{c}\""
        ));
    }
    let dir = path
        .parent()
        .map(|p| {
            if p.as_os_str().is_empty() {
                Path::new(".")
            } else {
                p
            }
        })
        .unwrap_or(Path::new("."))
        .to_path_buf();
    Ok(Some(Loaded { config, dir, name }))
}
