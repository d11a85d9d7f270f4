//! The data dir and its database file under hostile conditions: links, permissions, damage,
//! a full disk. Each case is a clear message with the right status, never a panic, a write
//! through a link, or a store that stays broken.

mod common;
use common::*;

use std::os::unix::fs::{PermissionsExt, symlink};

const INDEX: &str = "pages/index/index";

fn db(sb: &Sandbox) -> std::path::PathBuf {
    sb.data_dir().join("ftrun.redb")
}

#[test]
fn the_database_file_is_never_reached_through_a_symlink() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.data_dir()).unwrap();
    // A link to an existing file: refused, and the target's mode and content are untouched.
    sb.write("victim", "precious");
    std::fs::set_permissions(sb.path("victim"), std::fs::Permissions::from_mode(0o644)).unwrap();
    symlink(sb.path("victim"), db(&sb)).unwrap();
    sb.ftrun(&["config", "set", "wx1", "--period", "5"])
        .expect_status(1)
        .stderr_has("ftrun.redb: is a symbolic link; ftrun does not follow one");
    sb.ftrun(&["cache", "list"])
        .expect_status(1)
        .stderr_has("is a symbolic link");
    let meta = std::fs::metadata(sb.path("victim")).unwrap();
    assert_eq!(meta.permissions().mode() & 0o777, 0o644);
    assert_eq!(
        std::fs::read_to_string(sb.path("victim")).unwrap(),
        "precious"
    );
    // A dangling link: refused, and nothing is created at its target.
    std::fs::remove_file(db(&sb)).unwrap();
    symlink(sb.path("elsewhere.redb"), db(&sb)).unwrap();
    sb.ftrun(&["config", "set", "wx1", "--period", "5"])
        .expect_status(1)
        .stderr_has("is a symbolic link");
    assert!(!sb.path("elsewhere.redb").exists());
}

#[test]
fn a_dangling_data_dir_link_is_named_as_such() {
    let sb = Sandbox::new();
    symlink(sb.path("gone"), sb.data_dir()).unwrap();
    let r = sb.ftrun(&["config", "set", "wx1", "--period", "5"]);
    r.expect_status(1)
        .stderr_has("is a symbolic link to")
        .stderr_has("gone, which does not exist");
    assert!(!r.stderr.contains("os error 17"), "{}", r.stderr);
}

#[test]
fn an_unreadable_data_dir_is_permission_denied_not_empty() {
    let sb = Sandbox::new();
    sb.ftrun(&["config", "set", "wx1", "--period", "5"])
        .expect_status(0);
    // As root, permissions do not stop this process: run ftrun as another user instead, for
    // whom the 0700 data dir is closed. Otherwise close the dir to ourselves.
    let root = effective_uid() == 0;
    if !root {
        std::fs::set_permissions(sb.data_dir(), std::fs::Permissions::from_mode(0o000)).unwrap();
    }
    // The other user must be able to run the binary: a clone under /root is closed to them,
    // so they run a hard link (or copy) inside the sandbox.
    let exe = sb.path("ftrun-exe");
    if root {
        let bin = env!("CARGO_BIN_EXE_ftrun");
        if std::fs::hard_link(bin, &exe).is_err() {
            std::fs::copy(bin, &exe).unwrap();
        }
        std::fs::set_permissions(&exe, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let run = |args: &[&str]| {
        let mut cmd = sb.cmd(args);
        if root {
            cmd = std::process::Command::new(&exe);
            cmd.args(args)
                .env("FTRUN_DATA_DIR", sb.data_dir())
                .stdin(std::process::Stdio::null());
            std::os::unix::process::CommandExt::uid(&mut cmd, 65534);
            // That user may pass through the sandbox to the (0700, root's) data dir.
            std::fs::set_permissions(sb.dir.path(), std::fs::Permissions::from_mode(0o711))
                .unwrap();
        }
        Run::from(cmd.output().expect("run"))
    };
    let r = run(&["cache", "list"]);
    if !root {
        std::fs::set_permissions(sb.data_dir(), std::fs::Permissions::from_mode(0o700)).unwrap();
    }
    r.expect_status(1).stderr_has("permission denied");
    assert!(!r.stdout.contains("no apps stored"), "{}", r.stdout);
}

/// The effective uid, read from /proc.
fn effective_uid() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Uid:"))
                .and_then(|v| v.split_whitespace().nth(1)?.parse().ok())
        })
        .unwrap_or(1)
}

#[test]
fn a_data_dir_writable_by_others_is_warned_about() {
    let sb = Sandbox::new();
    std::fs::create_dir_all(sb.data_dir()).unwrap();
    std::fs::set_permissions(sb.data_dir(), std::fs::Permissions::from_mode(0o777)).unwrap();
    sb.ftrun(&["cache", "list"])
        .expect_status(0)
        .stderr_has("is writable by other users");
    std::fs::set_permissions(sb.data_dir(), std::fs::Permissions::from_mode(0o700)).unwrap();
    let r = sb.ftrun(&["cache", "list"]);
    r.expect_status(0);
    assert_eq!(r.stderr, "");
}

#[test]
fn a_damaged_database_is_a_message_and_status_1_never_a_panic() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "App({ onLaunch() { wx.setStorage({ key: 'k', data: 1 }).catch((e) => console.log(e.errMsg)); } });",
        )],
    );
    for i in 0..40 {
        sb.ftrun(&["config", "set", &format!("wx{i}"), "--period", "5"])
            .expect_status(0);
    }
    sb.run(&[]).expect_status(0);
    let good = std::fs::read(db(&sb)).unwrap();
    let pages = good.len() / 4096;
    let mut damaged = 0;
    for page in 0..pages {
        let mut bytes = good.clone();
        bytes[page * 4096..(page + 1) * 4096].fill(0);
        std::fs::write(db(&sb), &bytes).unwrap();
        for args in [
            vec!["cache", "list"],
            vec!["config", "set", "wx1", "--period", "6"],
            vec!["cache", "clear"],
        ] {
            let r = sb.ftrun(&args);
            assert!(
                !r.stderr.contains("panicked") && r.status != 101,
                "page {page}, {args:?}: {}",
                r.stderr
            );
            if r.status != 0 {
                r.expect_status(1).stderr_has("ftrun.redb: ");
                damaged += 1;
            }
        }
        let r = sb.run(&[]);
        assert!(
            !r.stderr.contains("panicked") && r.status != 101,
            "page {page}: {}",
            r.stderr
        );
        if r.stderr.contains("damaged") {
            r.expect_status(1)
                .stderr_has("delete this file to start afresh");
        }
    }
    assert!(
        damaged > 0,
        "no zeroed page was noticed: the test proves nothing"
    );
}

/// A write that fails for want of space (here a file-size limit, EFBIG, which fails redb's
/// writes the same way as ENOSPC): the same run's later small writes and later commands work.
#[test]
fn after_a_write_that_fails_for_space_later_writes_work() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            r#"App({ onLaunch() {
  try { wx.setStorageSync('big', 'x'.repeat(900000)); console.log('big ok'); } catch (e) { console.log('big failed'); }
  try { wx.setStorageSync('small', 1); console.log('small ok'); } catch (e) { console.log('small failed', e.message); }
} });"#,
        )],
    );
    sb.ftrun(&["config", "set", "wxtest", "--period", "5"])
        .expect_status(0);
    let ftrun = env!("CARGO_BIN_EXE_ftrun");
    let bundle = sb.bundle();
    let limited = std::process::Command::new("sh")
        .args([
            "-c",
            r#"trap '' XFSZ; ulimit -f 300; exec "$0" run "$1""#,
            ftrun,
            bundle.to_str().unwrap(),
        ])
        .env("FTRUN_DATA_DIR", sb.data_dir())
        .output()
        .expect("run under a file-size limit");
    let r = Run::from(limited);
    assert_eq!(r.lines(), ["big failed", "small ok"], "{}", r.stderr);
    sb.ftrun(&["config", "set", "wxtest", "--period", "6"])
        .expect_status(0);
    sb.ftrun(&["cache", "clear"]).expect_status(0);
}

/// A run that wrote leaves the file closed cleanly, so the next process reads it through a
/// read-only handle. Left open (the run hands its engine to the OS at exit), the file reads as
/// needing recovery: every later run then repaired it, with durable writes, before it could
/// read the token its request carries.
#[test]
fn a_run_that_wrote_leaves_the_database_closed_cleanly() {
    let server = Server::start();
    server.route("/pre", Route::ok("{\"fresh\":true}"));
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "wx.setStorageSync('n', 1); App({ onLaunch() { wx.setStorage({ key: 'm', data: 2 }); } });",
        )],
    );
    let url = server.url("/pre");
    for _ in 0..2 {
        sb.run(&["--prefetch-url", &url]).expect_status(0);
        let mut builder = redb::Database::builder();
        builder.set_concurrency_mode(redb::ConcurrencyMode::MultiWriter);
        let opened = builder.open_read_only(db(&sb));
        assert!(opened.is_ok(), "{:?}", opened.err());
    }
}
