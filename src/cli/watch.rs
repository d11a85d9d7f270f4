//! `ftrun test --watch`: runs the files, then stays: a change re-runs the test files it
//! affects (the changed test file, or every test file that launched a bundle containing the
//! changed file or required it), and keys steer as in Jest's watch mode.

use std::collections::{BTreeSet, HashMap};
use std::io::{IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use notify::Watcher;

use super::CliError;
use super::test::{Settings, find_files, run_once};
use crate::testrunner::FileResult;
use crate::testrunner::discover;

enum Event {
    Changed(PathBuf),
    Key(u8),
}

const USAGE: &str = "\nWatch Usage\n › Press a to run all tests.\n › Press f to run only failed tests.\n › Press p to filter by a filename regex pattern.\n › Press t to filter by a test name regex pattern.\n › Press u to update failing snapshots.\n › Press q to quit watch mode.\n › Press Enter to trigger a test run.\n";

/// What the last run of each file left: its dependencies and whether it failed.
#[derive(Default)]
struct Known {
    files: HashMap<PathBuf, (Vec<PathBuf>, bool)>,
}

impl Known {
    fn record(&mut self, results: &[FileResult]) {
        for r in results {
            let key = canonical(Path::new(&r.file));
            self.files.insert(key, (r.deps.clone(), r.failed()));
        }
    }

    /// Test files whose result may change with `changed`.
    fn affected(&self, changed: &Path) -> Vec<PathBuf> {
        self.files
            .iter()
            .filter(|(file, (deps, _))| {
                file.as_path() == changed
                    || deps
                        .iter()
                        .any(|d| d == changed || (d.is_dir() && changed.starts_with(d)))
            })
            .map(|(f, _)| f.clone())
            .collect()
    }

    fn failed(&self) -> Vec<PathBuf> {
        let mut v: Vec<PathBuf> = self
            .files
            .iter()
            .filter(|(_, (_, failed))| *failed)
            .map(|(f, _)| f.clone())
            .collect();
        v.sort();
        v
    }
}

/// A path as the watcher and the results both name it (a deleted file: its folder resolved).
fn canonical(p: &Path) -> PathBuf {
    std::fs::canonicalize(p).unwrap_or_else(|_| {
        match (
            p.parent().and_then(|d| std::fs::canonicalize(d).ok()),
            p.file_name(),
        ) {
            (Some(dir), Some(name)) => dir.join(name),
            _ => discover::absolute(p),
        }
    })
}

/// A path as the user's first run named it: relative to the working folder when inside it.
fn shown(p: &Path) -> PathBuf {
    let cwd = std::env::current_dir().map(|d| canonical(&d));
    match cwd
        .ok()
        .and_then(|d| p.strip_prefix(d).ok().map(Path::to_path_buf))
    {
        Some(rel) => rel,
        None => p.to_path_buf(),
    }
}

/// Keys one at a time: the terminal out of line mode while watching (restored on drop).
struct RawTerminal(Option<libc::termios>);

impl RawTerminal {
    fn enable() -> RawTerminal {
        if !std::io::stdin().is_terminal() {
            return RawTerminal(None);
        }
        // SAFETY: termios is plain data; tcgetattr fills it for fd 0, which is a terminal.
        unsafe {
            let mut t: libc::termios = std::mem::zeroed();
            if libc::tcgetattr(0, &mut t) != 0 {
                return RawTerminal(None);
            }
            let saved = t;
            t.c_lflag &= !(libc::ICANON | libc::ECHO | libc::ISIG);
            t.c_cc[libc::VMIN] = 1;
            t.c_cc[libc::VTIME] = 0;
            libc::tcsetattr(0, libc::TCSANOW, &t);
            RawTerminal(Some(saved))
        }
    }
}

impl Drop for RawTerminal {
    fn drop(&mut self) {
        if let Some(t) = &self.0 {
            // SAFETY: restores the settings read in `enable`.
            unsafe { libc::tcsetattr(0, libc::TCSANOW, t) };
        }
    }
}

fn add_watch(
    watcher: &mut notify::RecommendedWatcher,
    watched: &mut BTreeSet<PathBuf>,
    dir: &Path,
) {
    let dir = canonical(dir);
    if watched.iter().any(|w| dir.starts_with(w)) {
        return;
    }
    match watcher.watch(&dir, notify::RecursiveMode::Recursive) {
        Ok(()) => {
            watched.insert(dir);
        }
        Err(e) => errln!("warning: --watch: cannot watch {}: {e}", dir.display()),
    }
}

fn say(text: &str) {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

pub fn run(mut settings: Settings, files: Vec<PathBuf>) -> Result<i32, CliError> {
    let (tx, rx) = mpsc::channel::<Event>();
    let changes = tx.clone();
    let mut watcher = notify::recommended_watcher(move |res: notify::Result<notify::Event>| {
        if let Ok(ev) = res
            && !matches!(ev.kind, notify::EventKind::Access(_))
        {
            for p in ev.paths {
                let _ = changes.send(Event::Changed(p));
            }
        }
    })
    .map_err(|e| CliError::Failed(format!("--watch: cannot watch files: {e}")))?;
    let mut watched: BTreeSet<PathBuf> = BTreeSet::new();
    for r in &settings.selection.roots {
        let dir = if r.is_file() {
            r.parent().unwrap_or(Path::new("."))
        } else {
            r
        };
        add_watch(&mut watcher, &mut watched, dir);
    }
    let _raw = RawTerminal::enable();
    std::thread::spawn(move || {
        let mut stdin = std::io::stdin().lock();
        let mut byte = [0u8; 1];
        while let Ok(1) = stdin.read(&mut byte) {
            if tx.send(Event::Key(byte[0])).is_err() {
                break;
            }
        }
    });
    let clear = std::io::stdout().is_terminal();
    let mut known = Known::default();
    let mut last: Vec<PathBuf> = files;
    // `since`: when the change that caused this run was seen.
    let run = |files: &[PathBuf],
               settings: &Settings,
               known: &mut Known,
               why: &str,
               since: Option<Instant>| {
        if clear {
            say("\x1b[2J\x1b[H");
        }
        if !why.is_empty() {
            say(&format!("{why}\n"));
        }
        if files.is_empty() {
            say("No tests found.\n");
        } else {
            match run_once(settings, files) {
                Ok((_, results)) => known.record(&results),
                Err(e) => errln!("error: {e}"),
            }
        }
        if let Some(seen) = since {
            // What a watcher is for: how soon the answer follows the save.
            say(&format!(
                "Re-ran in {} ms after the change\n",
                seen.elapsed().as_millis()
            ));
        }
        say(USAGE);
    };
    run(&last, &settings, &mut known, "", None);
    loop {
        // Bundles launched from outside the searched folders are watched too.
        let dirs: Vec<PathBuf> = known
            .files
            .values()
            .flat_map(|(d, _)| d.iter())
            .filter(|d| d.is_dir())
            .cloned()
            .collect();
        for d in dirs {
            add_watch(&mut watcher, &mut watched, &d);
        }
        let Ok(event) = rx.recv() else { break };
        match event {
            Event::Changed(first) => {
                let seen = Instant::now();
                // One save is often several events (truncate, write, rename): take them together,
                // until the folder has been quiet for 20 ms.
                let mut changed = vec![first];
                while let Ok(Event::Changed(p)) = rx.recv_timeout(Duration::from_millis(20)) {
                    changed.push(p);
                }
                let mut affected: BTreeSet<PathBuf> = BTreeSet::new();
                let mut names = BTreeSet::new();
                for p in &changed {
                    if p.extension().is_some_and(|e| e == "snap") {
                        continue;
                    }
                    let p = canonical(p);
                    let hit = known.affected(&p);
                    let new_test = p.is_file() && settings.selection.selects(&p);
                    if !hit.is_empty() || new_test {
                        names.insert(p.display().to_string());
                    }
                    affected.extend(hit.into_iter().filter(|f| f.is_file()));
                    if new_test {
                        affected.insert(p);
                    }
                }
                if affected.is_empty() {
                    continue;
                }
                last = affected.iter().map(|p| shown(p)).collect();
                let names: Vec<String> = names
                    .iter()
                    .map(|n| shown(Path::new(n)).display().to_string())
                    .collect();
                run(
                    &last,
                    &settings,
                    &mut known,
                    &format!("Change in {}", names.join(", ")),
                    Some(seen),
                );
            }
            Event::Key(b'q' | 3) => break,
            Event::Key(b'a') => {
                last = find_files(&settings)?;
                run(&last, &settings, &mut known, "", None);
            }
            Event::Key(b'f') => {
                last = known.failed();
                run(&last, &settings, &mut known, "Running failed tests", None);
            }
            Event::Key(b'\r' | b'\n') => run(&last, &settings, &mut known, "", None),
            Event::Key(b'u') => {
                settings.opts.update_snapshots = true;
                let failed = known.failed();
                run(
                    &failed,
                    &settings,
                    &mut known,
                    "Updating failing snapshots",
                    None,
                );
                settings.opts.update_snapshots = false;
            }
            Event::Key(b'p') => {
                let Some(line) = prompt(&rx, "pattern › ") else {
                    continue;
                };
                if line.is_empty() {
                    settings.selection.path_patterns.clear();
                } else {
                    match discover::regex("pattern", &line, "i") {
                        Ok(r) => settings.selection.path_patterns = vec![r],
                        Err(e) => {
                            errln!("{e}");
                            continue;
                        }
                    }
                }
                last = find_files(&settings)?;
                run(&last, &settings, &mut known, "", None);
            }
            Event::Key(b't') => {
                let Some(line) = prompt(&rx, "test name pattern › ") else {
                    continue;
                };
                settings.opts.filter = (!line.is_empty()).then_some(line);
                run(&last, &settings, &mut known, "", None);
            }
            Event::Key(_) => {}
        }
    }
    Ok(0)
}

/// Reads a line typed after a key (Enter ends it, Escape cancels), echoing it; file changes
/// meanwhile are left for later.
fn prompt(rx: &mpsc::Receiver<Event>, label: &str) -> Option<String> {
    say(&format!("\n{label}"));
    let mut line = Vec::new();
    loop {
        match rx.recv().ok()? {
            Event::Key(b'\r' | b'\n') => break,
            Event::Key(27) => return None,
            Event::Key(127 | 8) => {
                if line.pop().is_some() {
                    say("\x08 \x08");
                }
            }
            Event::Key(c) => {
                line.push(c);
                say(&String::from_utf8_lossy(&[c]));
            }
            Event::Changed(_) => {}
        }
    }
    say("\n");
    Some(String::from_utf8_lossy(&line).trim().to_string())
}
