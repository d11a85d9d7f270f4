//! Shared helpers: temp bundles, running the real `ftrun` binary, a real local HTTP server.
#![allow(dead_code, unused_imports)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

pub use ftrun::mockserver::{BackgroundServer, MockServer, Received, Route, TlsIdentity};

/// A temp folder holding one bundle and its own data dir.
pub struct Sandbox {
    pub dir: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Sandbox {
        Sandbox {
            dir: tempfile::tempdir().expect("tempdir"),
        }
    }

    /// A bundle with `app.json` pages and an appId; `files` adds or overrides files.
    pub fn with_app(pages: &[&str], files: &[(&str, &str)]) -> Sandbox {
        let sb = Sandbox::new();
        let pages_json: Vec<String> = pages.iter().map(|p| format!("\"{p}\"")).collect();
        sb.write(
            "bundle/app.json",
            &format!("{{\"pages\": [{}]}}", pages_json.join(", ")),
        );
        sb.write("bundle/project.config.json", r#"{"appid": "wxtest"}"#);
        sb.write("bundle/app.js", "App({});");
        for p in pages {
            sb.write(&format!("bundle/{p}.js"), "Page({});");
        }
        for (name, text) in files {
            sb.write(&format!("bundle/{name}"), text);
        }
        sb
    }

    pub fn path(&self, rel: &str) -> PathBuf {
        self.dir.path().join(rel)
    }

    pub fn bundle(&self) -> PathBuf {
        self.path("bundle")
    }

    pub fn data_dir(&self) -> PathBuf {
        self.path("data")
    }

    pub fn write(&self, rel: &str, text: &str) {
        self.write_bytes(rel, text.as_bytes());
    }

    pub fn write_bytes(&self, rel: &str, bytes: &[u8]) {
        let p = self.path(rel);
        std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
        std::fs::write(p, bytes).expect("write");
    }

    /// `ftrun <args>` with this sandbox's data dir.
    pub fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ftrun"));
        c.args(args)
            .env("FTRUN_DATA_DIR", self.data_dir())
            .env_remove("FTRUN_CA_FILE")
            .env_remove("FTRUN_CLOCK_OFFSET_MS")
            .stdin(Stdio::null());
        c
    }

    pub fn ftrun(&self, args: &[&str]) -> Run {
        Run::from(self.cmd(args).output().expect("run ftrun"))
    }

    /// `ftrun run <bundle> <args>`.
    pub fn run(&self, args: &[&str]) -> Run {
        let bundle = self.bundle();
        let mut all = vec!["run", bundle.to_str().expect("utf8 path")];
        all.extend_from_slice(args);
        self.ftrun(&all)
    }
}

/// What a finished process printed, and its status.
pub struct Run {
    pub status: i32,
    pub stdout: String,
    pub stderr: String,
}

impl From<Output> for Run {
    fn from(o: Output) -> Run {
        Run {
            status: o.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
        }
    }
}

impl Run {
    pub fn lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// `ftrun test`'s per-test lines (default reporter) as `(mark, "file › name")`, mark one
    /// of ✓ ✗ -, with the time cut off: which test passed, failed or was skipped.
    pub fn outcomes(&self) -> Vec<(char, String)> {
        self.stdout
            .lines()
            .filter_map(|l| {
                let mark = l.chars().next()?;
                let rest = l.strip_prefix(mark)?.strip_prefix(' ')?;
                let name = rest.rsplit_once(" (")?.0;
                matches!(mark, '✓' | '✗' | '-').then(|| (mark, name.to_string()))
            })
            .collect()
    }

    /// The outcomes, files in name order (files finish in any order; a file's tests in
    /// theirs).
    #[track_caller]
    pub fn expect_outcomes(&self, expected: &[(char, &str)]) -> &Run {
        let file = |n: &String| n.split(" › ").next().unwrap_or_default().to_string();
        let mut got = self.outcomes();
        got.sort_by_key(|(_, n)| file(n));
        let mut want: Vec<(char, String)> =
            expected.iter().map(|(m, n)| (*m, n.to_string())).collect();
        want.sort_by_key(|(_, n)| file(n));
        assert_eq!(
            got, want,
            "\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn expect_status(&self, status: i32) -> &Run {
        assert_eq!(
            self.status, status,
            "unexpected exit status\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stdout_has(&self, needle: &str) -> &Run {
        assert!(
            self.stdout.contains(needle),
            "stdout lacks {needle:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, needle: &str) -> &Run {
        assert!(
            self.stderr.contains(needle),
            "stderr lacks {needle:?}\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }
}

/// A real local server that serves while the test runs the binary.
pub struct Server;

impl Server {
    pub fn start() -> BackgroundServer {
        Server::start_with(None)
    }

    pub fn start_with(tls: Option<TlsIdentity>) -> BackgroundServer {
        BackgroundServer::start(tls).expect("local server")
    }
}

/// Polls `f` until it returns true or `timeout` passes.
pub fn wait_until(timeout: Duration, mut f: impl FnMut() -> bool) -> bool {
    let end = Instant::now() + timeout;
    while Instant::now() < end {
        if f() {
            return true;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    f()
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

/// Headless Chromium for the picture tests: `$FTRUN_CHROME` or `chromium` on PATH. None (the
/// test says "skipped: no Chromium") only where `$FTRUN_REQUIRE_CHROMIUM` is unset: `.ci/run`
/// installs Chromium and sets it, so CI never skips.
pub fn chromium(test: &str) -> Option<PathBuf> {
    let found = ftrun::browser::find().ok();
    if found.is_none() {
        assert!(
            std::env::var_os("FTRUN_REQUIRE_CHROMIUM").is_none(),
            "{test}: FTRUN_REQUIRE_CHROMIUM is set and no Chromium was found"
        );
        eprintln!("{test}: skipped: no Chromium");
    }
    found
}

/// A page loaded by headless Chromium: its DOM once loaded (scripts run) and what it printed
/// to its console (errors included).
pub fn load_page(chrome: &Path, page: &Path) -> (String, Vec<String>) {
    let profile = tempfile::tempdir().expect("profile");
    let out = ftrun::browser::headless(chrome, profile.path())
        .args(["--enable-logging=stderr", "--v=0", "--dump-dom"])
        .arg(ftrun::browser::file_url(page))
        .stdin(Stdio::null())
        .output()
        .expect("run chromium");
    let console = String::from_utf8_lossy(&out.stderr)
        .lines()
        .filter(|l| l.contains(":CONSOLE"))
        .map(str::to_string)
        .collect();
    (String::from_utf8_lossy(&out.stdout).into_owned(), console)
}
