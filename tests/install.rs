//! The ways users install ftrun.
//!
//! npm: `npm/pack.js` (what `make npm-pack` runs) packs the launcher package and the Linux x64
//! package around the binary under test; npm installs the two tarballs offline into scratch
//! projects; `npx ftrun` must then behave as the binary does (output, exit statuses, signals),
//! with the install step's link and with the JS launcher. Skipped, saying so, without npm.
//!
//! Cargo: the crate as `cargo package` packs it builds on its own (what `cargo install` from
//! crates.io would build).
#![cfg(all(target_os = "linux", target_arch = "x86_64"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use common::{Run, Sandbox, wait_until};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn have(program: &str) -> bool {
    Command::new(program)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The two tarballs, packed around a copy of the binary under test (debug symbols stripped
/// when `strip` is there: the package is then a tenth of the size and packs in a second).
fn pack(sb: &Sandbox) -> (PathBuf, PathBuf) {
    let binary = sb.path("ftrun");
    let stripped = Command::new("strip")
        .args(["--strip-debug", "-o"])
        .arg(&binary)
        .arg(env!("CARGO_BIN_EXE_ftrun"))
        .status()
        .is_ok_and(|s| s.success());
    if !stripped {
        std::fs::copy(env!("CARGO_BIN_EXE_ftrun"), &binary).expect("copy binary");
    }
    let out = Command::new("node")
        .arg(repo().join("npm/pack.js"))
        .arg("--binary")
        .arg(&binary)
        .args(["--package", "linux-x64-gnu", "--out"])
        .arg(sb.path("packs"))
        .output()
        .expect("node npm/pack.js");
    let run = Run::from(out);
    run.expect_status(0);
    let tarballs: Vec<PathBuf> = run.stdout.lines().map(PathBuf::from).collect();
    assert_eq!(tarballs.len(), 2, "{}", run.stdout);
    (tarballs[0].clone(), tarballs[1].clone())
}

/// A scratch project with `tarballs` installed by npm from the files alone.
fn install(sb: &Sandbox, name: &str, tarballs: &[&Path], extra: &[&str]) -> PathBuf {
    let project = sb.path(name);
    sb.write(
        &format!("{name}/package.json"),
        r#"{"name": "scratch", "version": "1.0.0", "private": true}"#,
    );
    let out = Command::new("npm")
        .args(["install", "--offline", "--no-audit", "--no-fund"])
        .args(extra)
        .args(tarballs)
        .current_dir(&project)
        .env("npm_config_cache", sb.path("npm-cache"))
        .env("npm_config_update_notifier", "false")
        .output()
        .expect("npm install");
    Run::from(out).expect_status(0);
    project
}

fn npx(project: &Path, args: &[&str]) -> Run {
    let out = Command::new("npx")
        .args(["--offline", "ftrun"])
        .args(args)
        .current_dir(project)
        .env("npm_config_update_notifier", "false")
        .stdin(Stdio::null())
        .output()
        .expect("npx ftrun");
    Run::from(out)
}

/// What every install must do: print the version, keep `ftrun test`'s and a usage error's
/// exit statuses.
fn behaves_as_the_binary(project: &Path) {
    npx(project, &["--version"])
        .expect_status(0)
        .stdout_has(&format!("ftrun {VERSION}"));
    std::fs::create_dir_all(project.join("green")).expect("mkdir");
    std::fs::write(
        project.join("green/a.test.js"),
        "test('adds', () => { expect(1 + 1).toBe(2) })\n",
    )
    .expect("write");
    std::fs::create_dir_all(project.join("red")).expect("mkdir");
    std::fs::write(
        project.join("red/b.test.js"),
        "test('fails', () => { expect(1 + 1).toBe(3) })\n",
    )
    .expect("write");
    npx(project, &["test", "green"])
        .expect_status(0)
        .stdout_has("1 passed");
    npx(project, &["test", "red"])
        .expect_status(1)
        .stdout_has("1 failed");
    npx(project, &["run"]).expect_status(2).stderr_has("BUNDLE");
}

#[test]
fn npm_packages_install_offline_and_run_the_binary() {
    if !have("npm") || !have("node") {
        eprintln!("skipped: no npm/node on PATH (the npm install test needs them)");
        return;
    }
    let sb = Sandbox::new();
    let (main, platform) = pack(&sb);
    assert!(
        main.ends_with(format!("ftrun-{VERSION}.tgz")),
        "{}",
        main.display()
    );
    assert!(
        platform.ends_with(format!("ftrun-linux-x64-gnu-{VERSION}.tgz")),
        "{}",
        platform.display()
    );

    // The install step replaced the JS launcher with the binary itself.
    let linked = install(&sb, "linked", &[&main, &platform], &[]);
    let bin = std::fs::read(linked.join("node_modules/ftrun/bin/ftrun")).expect("read bin");
    assert!(bin.starts_with(b"\x7fELF"), "bin/ftrun is not the binary");
    behaves_as_the_binary(&linked);

    // Install scripts off: the JS launcher runs the binary, and passes signals on.
    let launcher = install(&sb, "launcher", &[&main, &platform], &["--ignore-scripts"]);
    let bin = std::fs::read(launcher.join("node_modules/ftrun/bin/ftrun")).expect("read bin");
    assert!(bin.starts_with(b"#!/usr/bin/env node"), "launcher replaced");
    behaves_as_the_binary(&launcher);
    a_signal_ends_the_binary_and_the_launcher_alike(&sb, &launcher);

    // The platform package missing: a clear message naming the package to install, status 1.
    let bare = install(&sb, "bare", &[&main], &[]);
    npx(&bare, &["--version"])
        .expect_status(1)
        .stderr_has("npm install --save-dev @ftrun/linux-x64-gnu@");

    if !have("pnpm") && !have("yarn") {
        eprintln!("note: neither pnpm nor yarn on PATH; only npm's layout was tried");
    }
}

/// SIGTERM to the launcher reaches the binary (a run held open by an interval), and the
/// launcher ends as the binary ended: by the same signal.
fn a_signal_ends_the_binary_and_the_launcher_alike(sb: &Sandbox, project: &Path) {
    sb.write("endless/app.json", r#"{"pages": ["pages/i/i"]}"#);
    sb.write(
        "endless/app.js",
        "App({ onLaunch() { console.log('started'); setInterval(() => {}, 1000) } })",
    );
    sb.write("endless/pages/i/i.js", "Page({})");
    let bundle = sb.path("endless");
    let log = sb.path("endless.log");
    let mut child = Command::new(project.join("node_modules/.bin/ftrun"))
        .arg("run")
        .arg(&bundle)
        .args(["--app-id", "a.b"])
        .env("FTRUN_DATA_DIR", sb.data_dir())
        .stdout(std::fs::File::create(&log).expect("log"))
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn launcher");
    let started = wait_until(Duration::from_secs(20), || {
        std::fs::read_to_string(&log).is_ok_and(|s| s.contains("started"))
    });
    assert!(started, "the app did not start under the launcher");
    // SAFETY: kill(2) on a child we spawned and have not reaped.
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let status = child.wait().expect("wait launcher");
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(
        status.signal(),
        Some(libc::SIGTERM),
        "launcher ended with {status:?}"
    );
    // No binary left behind (read from /proc: pgrep is not on every machine).
    let needle = bundle.to_string_lossy().into_owned();
    let left: Vec<String> = std::fs::read_dir("/proc")
        .expect("/proc")
        .flatten()
        .filter_map(|e| std::fs::read(e.path().join("cmdline")).ok())
        .map(|c| String::from_utf8_lossy(&c).replace('\0', " "))
        .filter(|c| c.contains(&needle))
        .collect();
    assert!(
        left.is_empty(),
        "the binary outlived its launcher: {left:?}"
    );
}

/// The manifests of every platform package (those built by the release workflow included):
/// one version, Cargo.toml's; each picked by npm for its machine alone; all listed by the
/// launcher package. Needs no npm.
#[test]
fn npm_manifests_agree_with_cargo_and_name_their_platforms() {
    let read = |p: &Path| -> serde_json::Value {
        serde_json::from_str(&std::fs::read_to_string(p).expect("read manifest")).expect("json")
    };
    let main = read(&repo().join("npm/ftrun/package.json"));
    assert_eq!(main["version"], VERSION);
    assert_eq!(main["bin"]["ftrun"], "bin/ftrun");
    let deps = main["optionalDependencies"]
        .as_object()
        .expect("optionalDependencies");
    let mut seen = Vec::new();
    for entry in std::fs::read_dir(repo().join("npm/@ftrun")).expect("npm/@ftrun") {
        let dir = entry.expect("entry").path();
        let m = read(&dir.join("package.json"));
        let name = m["name"].as_str().expect("name").to_string();
        assert_eq!(m["version"], VERSION, "{name}");
        assert_eq!(deps[&name], VERSION, "{name} in optionalDependencies");
        let (os, cpu) = (m["os"][0].as_str(), m["cpu"][0].as_str());
        let libc = m["libc"][0].as_str();
        let expected = match (os, cpu, libc) {
            (Some("linux"), Some("x64"), Some("glibc")) => "linux-x64-gnu",
            (Some("linux"), Some("arm64"), Some("glibc")) => "linux-arm64-gnu",
            (Some("linux"), Some("x64"), Some("musl")) => "linux-x64-musl",
            (Some("darwin"), Some("x64"), None) => "darwin-x64",
            (Some("darwin"), Some("arm64"), None) => "darwin-arm64",
            (Some("win32"), Some("x64"), None) => "win32-x64-msvc",
            other => panic!("{name}: unexpected os/cpu/libc {other:?}"),
        };
        assert_eq!(name, format!("@ftrun/{expected}"));
        let exe = if os == Some("win32") {
            "bin/ftrun.exe"
        } else {
            "bin/ftrun"
        };
        assert_eq!(m["files"][0], exe, "{name}");
        seen.push(name);
    }
    seen.sort();
    let mut listed: Vec<String> = deps.keys().cloned().collect();
    listed.sort();
    assert_eq!(seen, listed);
    assert_eq!(seen.len(), 6);
}

/// `ftrun --version`: Cargo.toml's version and the commit the binary was built from.
#[test]
fn version_names_the_commit_it_was_built_from() {
    let sb = Sandbox::new();
    let run = sb.ftrun(&["--version"]);
    run.expect_status(0);
    let head = Command::new("git")
        .args(["rev-parse", "--short=9", "HEAD"])
        .current_dir(repo())
        .output()
        .ok()
        .filter(|o| o.status.success());
    match head {
        Some(o) => {
            let sha = String::from_utf8_lossy(&o.stdout).trim().to_string();
            assert_eq!(run.stdout.trim(), format!("ftrun {VERSION} ({sha})"));
        }
        None => assert!(run.stdout.starts_with(&format!("ftrun {VERSION}"))),
    }
}

/// `cargo package` packs only what the crate builds from, and the packed crate builds on its
/// own, offline, from the registry cache (what `cargo install --locked ftrun` would build).
/// Its own target dir: the outer `cargo test` holds the repository's.
#[test]
fn the_crate_builds_from_its_package() {
    let sb = Sandbox::new();
    let target = sb.path("target");
    let out = Command::new(env!("CARGO"))
        .args([
            "package",
            "--offline",
            "--allow-dirty",
            "--no-verify",
            "--locked",
        ])
        .current_dir(repo())
        .env("CARGO_TARGET_DIR", &target)
        .output()
        .expect("cargo package");
    Run::from(out).expect_status(0);
    let krate = target.join(format!("package/ftrun-{VERSION}.crate"));
    let listing = Command::new("tar")
        .arg("tzf")
        .arg(&krate)
        .output()
        .expect("tar");
    let listing = String::from_utf8_lossy(&listing.stdout).into_owned();
    for wanted in [
        "build.rs",
        "Cargo.lock",
        "LICENSE",
        "js/core.js",
        "src/main.rs",
    ] {
        assert!(
            listing.contains(&format!("ftrun-{VERSION}/{wanted}\n")),
            "{wanted} not packed:\n{listing}"
        );
    }
    for unwanted in ["tests/", "fixtures/", "benches/", "npm/", ".github/"] {
        assert!(
            !listing.contains(&format!("ftrun-{VERSION}/{unwanted}")),
            "{unwanted} packed:\n{listing}"
        );
    }
    let unpacked = sb.path("unpacked");
    std::fs::create_dir_all(&unpacked).expect("mkdir");
    let status = Command::new("tar")
        .arg("xzf")
        .arg(&krate)
        .arg("-C")
        .arg(&unpacked)
        .status()
        .expect("tar x");
    assert!(status.success());
    let crate_dir = unpacked.join(format!("ftrun-{VERSION}"));
    let out = Command::new(env!("CARGO"))
        .args(["build", "--offline", "--locked", "--quiet"])
        .current_dir(&crate_dir)
        .env("CARGO_TARGET_DIR", &target)
        .env_remove("RUSTFLAGS")
        // No debug info: the build takes half the time, and it proves the same.
        .env("CARGO_PROFILE_DEV_DEBUG", "0")
        .output()
        .expect("cargo build of the package");
    Run::from(out).expect_status(0);
    // Built outside git: the commit comes from the .cargo_vcs_info.json cargo package wrote.
    let built = Command::new(target.join("debug/ftrun"))
        .arg("--version")
        .output()
        .expect("run the packaged build");
    let printed = String::from_utf8_lossy(&built.stdout).into_owned();
    assert!(
        printed.starts_with(&format!("ftrun {VERSION} (")),
        "{printed}"
    );
}
