//! Headless Chromium, for pictures of what ftrun renders: found as `$FTRUN_CHROME`, else on
//! PATH as `chromium`, `chromium-browser`, `google-chrome` or `google-chrome-stable`, and driven
//! through its command line (`--screenshot`) with a fresh profile in a temp folder and nothing
//! that reaches the network.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use thiserror::Error;

const NAMES: [&str; 4] = [
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
];

#[derive(Debug, Error)]
pub enum BrowserError {
    #[error(
        "no headless Chromium: set $FTRUN_CHROME to its path, or install one (Debian/Ubuntu: apt-get install chromium) so that `chromium` is on PATH"
    )]
    NotFound,
    #[error("$FTRUN_CHROME={0}: no such program")]
    BadEnv(String),
    #[error("{program}: {reason}")]
    Failed { program: String, reason: String },
}

/// The window a page is drawn in: CSS pixels and device pixel ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Viewport {
    pub width: u32,
    pub height: u32,
    pub scale: f64,
}

impl Viewport {
    /// A phone's screen, as the app sees it (`--device`, `launch({ device })`).
    pub fn of(d: crate::engine::Device) -> Viewport {
        Viewport {
            width: d.width,
            height: d.height,
            scale: d.pixel_ratio,
        }
    }
}

/// The browser to use.
pub fn find() -> Result<PathBuf, BrowserError> {
    if let Some(p) = std::env::var_os("FTRUN_CHROME").filter(|p| !p.is_empty()) {
        let path = PathBuf::from(&p);
        return if path.is_file() {
            Ok(path)
        } else {
            on_path(&p.to_string_lossy())
                .ok_or_else(|| BrowserError::BadEnv(p.to_string_lossy().into_owned()))
        };
    }
    NAMES
        .iter()
        .find_map(|n| on_path(n))
        .ok_or(BrowserError::NotFound)
}

fn on_path(name: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|dir| dir.join(name))
        .find(|p| p.is_file())
}

/// How long a screenshot took: Chromium's whole run, start to exit.
pub struct Shot {
    pub browser: Duration,
}

/// Draws the HTML file `page` in `viewport` and writes the PNG `png`.
pub fn screenshot(
    page: &Path,
    png: &Path,
    viewport: Viewport,
    timeout: Duration,
) -> Result<Shot, BrowserError> {
    let program = find()?;
    let name = program.display().to_string();
    let failed = |reason: String| BrowserError::Failed {
        program: name.clone(),
        reason,
    };
    let profile = tempfile::tempdir().map_err(|e| failed(format!("temp profile: {e}")))?;
    let page = std::path::absolute(page).map_err(|e| failed(e.to_string()))?;
    let png = std::path::absolute(png).map_err(|e| failed(e.to_string()))?;
    let _ = std::fs::remove_file(&png);
    let mut cmd = headless(&program, profile.path());
    cmd.arg("--hide-scrollbars")
        .arg(format!(
            "--window-size={},{}",
            viewport.width, viewport.height
        ))
        .arg(format!("--force-device-scale-factor={}", viewport.scale))
        .arg(format!("--screenshot={}", png.display()))
        .arg(file_url(&page))
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let started = Instant::now();
    let mut child = cmd.spawn().map_err(|e| failed(e.to_string()))?;
    let stderr = child.stderr.take();
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        if let Some(mut s) = stderr {
            use std::io::Read;
            let _ = s.read_to_string(&mut text);
        }
        text
    });
    let status = loop {
        match child.try_wait() {
            Ok(Some(status)) => break status,
            Ok(None) if started.elapsed() > timeout => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(failed(format!(
                    "no screenshot after {} s",
                    timeout.as_secs()
                )));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(5)),
            Err(e) => return Err(failed(e.to_string())),
        }
    };
    let browser = started.elapsed();
    let stderr = reader.join().unwrap_or_default();
    if !status.success() || !png.is_file() {
        let last = stderr
            .lines()
            .rfind(|l| !l.trim().is_empty())
            .unwrap_or("no output")
            .to_string();
        return Err(failed(format!("no screenshot written ({status}): {last}")));
    }
    Ok(Shot { browser })
}

/// Chromium headless with a fresh profile in `profile`, nothing that reaches the network, and
/// no sandbox when running as root (Chromium refuses to start so otherwise: containers, CI).
pub fn headless(program: &Path, profile: &Path) -> Command {
    let mut cmd = Command::new(program);
    cmd.args([
        "--headless",
        "--disable-gpu",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-extensions",
        "--mute-audio",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    // SAFETY: geteuid has no preconditions.
    if unsafe { libc::geteuid() } == 0 {
        cmd.arg("--no-sandbox");
    }
    cmd
}

/// `file://` URL of an absolute path, each byte outside the safe set percent-encoded.
pub fn file_url(path: &Path) -> String {
    let mut url = String::from("file://");
    for b in path.to_string_lossy().bytes() {
        if b.is_ascii_alphanumeric() || b"/-._~".contains(&b) {
            url.push(b as char);
        } else {
            url.push_str(&format!("%{b:02X}"));
        }
    }
    url
}
