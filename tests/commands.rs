//! The management commands and the command line itself: help, usage errors, config and cache
//! on empty and populated data dirs.

mod common;
use common::*;

#[test]
fn help_version_and_usage_errors() {
    let sb = Sandbox::new();
    sb.ftrun(&["--help"])
        .expect_status(0)
        .stdout_has("Commands:");
    for cmd in [
        "run", "fetch", "config", "cache", "daemon", "serve", "test", "check",
    ] {
        sb.ftrun(&[cmd, "--help"]).expect_status(0);
    }
    sb.ftrun(&["--version"])
        .expect_status(0)
        .stdout_has(env!("CARGO_PKG_VERSION"));
    sb.ftrun(&["launch"]).expect_status(2);
    sb.ftrun(&["run"]).expect_status(2).stderr_has("BUNDLE");
    sb.ftrun(&["run", ".", "--scene", "abc"])
        .expect_status(2)
        .stderr_has("--scene");
    sb.ftrun(&["fetch", ".", "--type", "later"])
        .expect_status(2)
        .stderr_has("--type");
}

#[test]
fn reading_an_empty_data_dir_creates_nothing() {
    let sb = Sandbox::new();
    sb.ftrun(&["cache", "list"])
        .expect_status(0)
        .stdout_has("no apps stored");
    sb.ftrun(&["cache", "list", "--json"])
        .expect_status(0)
        .stdout_has("[]");
    sb.ftrun(&["config", "show", "wxnone"])
        .expect_status(0)
        .stdout_has("preFetchUrl       (none)")
        .stdout_has("periodHours       12 (default)");
    sb.ftrun(&["cache", "show", "wxnone", "--type", "pre"])
        .expect_status(1)
        .stderr_has("no pre record for wxnone");
    sb.ftrun(&["cache", "clear", "wxnone"])
        .expect_status(0)
        .stdout_has("nothing stored for wxnone");
    sb.ftrun(&["cache", "clear"]).expect_status(0);
    assert!(
        !sb.data_dir().exists(),
        "a read (or clearing nothing) must not create the data dir"
    );
}

#[test]
fn config_unset_and_cache_clear_of_every_app() {
    let srv = Server::start();
    srv.fallback(Route::ok("data"));
    let sb = Sandbox::with_app(
        &["pages/index/index"],
        &[(
            "app.js",
            "App({ onLaunch() { ft.setBackgroundFetchToken({ token: 'tk' }); } });",
        )],
    );
    for app in ["a1", "a2"] {
        sb.ftrun(&[
            "config",
            "set",
            app,
            "--prefetch-url",
            &srv.url("/p"),
            "--period",
            "6",
            "--wire",
            "wechat",
        ])
        .expect_status(0);
        sb.run(&["--app-id", app]).expect_status(0);
    }
    let list = sb.ftrun(&["cache", "list", "--json"]);
    let apps: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    assert_eq!(apps.as_array().unwrap().len(), 2);
    assert!(
        apps.as_array()
            .unwrap()
            .iter()
            .all(|a| a["hasToken"] == true && a["pre"]["bytes"] == 4)
    );
    assert_eq!(
        srv.received()[0].param("appid"),
        Some("a1"),
        "the stored wire names are used"
    );

    sb.ftrun(&["cache", "clear"])
        .expect_status(0)
        .stdout_has("2 app(s)");
    let list = sb.ftrun(&["cache", "list", "--json"]);
    let apps: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    for a in apps.as_array().unwrap() {
        assert_eq!(a["hasToken"], false);
        assert!(a["pre"].is_null());
        assert_eq!(a["config"]["periodHours"], 6, "the console config stays");
    }
    sb.ftrun(&["cache", "clear"])
        .expect_status(0)
        .stdout_has("0 app(s)");
    sb.ftrun(&["cache", "clear", "a1"])
        .expect_status(0)
        .stdout_has("nothing stored for a1");

    sb.ftrun(&["config", "unset", "a1"]).expect_status(0);
    sb.ftrun(&["config", "show", "a1", "--json"])
        .expect_status(0)
        .stdout_has("\"periodHours\":12");
    sb.ftrun(&["config", "set", "a1"])
        .expect_status(2)
        .stderr_has("nothing to set");
}

#[test]
fn output_into_a_reader_that_stops_early_is_dropped_without_a_panic() {
    // More than a pipe holds (64 KiB), so the command is still writing when the reader goes.
    let srv = Server::start();
    srv.fallback(Route::ok("x".repeat(200_000)));
    let sb = Sandbox::with_app(&["pages/index/index"], &[("app.js", "App({});")]);
    sb.run(&["--app-id", "wxpipe", "--prefetch-url", &srv.url("/p")])
        .expect_status(0);
    let mut child = sb
        .cmd(&["cache", "show", "wxpipe", "--type", "pre"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut head = [0u8; 16];
    let mut stdout = child.stdout.take().expect("stdout");
    std::io::Read::read_exact(&mut stdout, &mut head).expect("first bytes");
    drop(stdout);
    let out = child.wait_with_output().expect("wait");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"), "stderr: {stderr}");
}

#[test]
fn warnings_into_a_closed_stderr_pipe_keep_the_status() {
    let sb = Sandbox::with_app(&["pages/index/index"], &[("app.js", "App({});")]);
    let mut child = sb
        .cmd(&[
            "fetch",
            sb.bundle().to_str().expect("utf8"),
            "--type",
            "pre",
            "--app-id",
            "wxclosed",
            "--prefetch-url",
            "http://127.0.0.1:1/refused",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn");
    drop(child.stderr.take()); // nobody reads stderr: the warning's write fails with EPIPE
    let status = child.wait().expect("wait");
    assert_eq!(
        status.code(),
        Some(1),
        "the fetch failed: status 1, not a panic"
    );
}

#[test]
fn a_data_dir_that_is_a_file_is_refused_naming_where_it_came_from() {
    let sb = Sandbox::with_app(&["pages/index/index"], &[("app.js", "App({});")]);
    sb.write("not-a-dir", "x");
    let file = sb.path("not-a-dir");
    let file = file.to_str().expect("utf8");
    sb.run(&["--data-dir", file])
        .expect_status(2)
        .stderr_has("(from --data-dir): not a directory");
    let listed = sb
        .cmd(&["cache", "list"])
        .env("FTRUN_DATA_DIR", file)
        .output()
        .expect("run");
    assert_eq!(listed.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&listed.stderr).contains("(from $FTRUN_DATA_DIR)"));
}

#[test]
fn launch_flags_an_empty_app_id_and_a_query_written_after_the_path() {
    let sb = Sandbox::with_app(
        &["pages/index/index"],
        &[(
            "pages/index/index.js",
            "Page({ onLoad(q) { console.log('onLoad ' + JSON.stringify(q)); } });",
        )],
    );
    sb.run(&["--app-id", ""])
        .expect_status(2)
        .stderr_has("--app-id");
    sb.run(&["--path", "pages/index/index?id=3&k=v"])
        .expect_status(0)
        .stdout_has(r#"onLoad {"id":"3","k":"v"}"#);
    sb.run(&["--path", "pages/index/index?id=3", "--query", "k=v"])
        .expect_status(2)
        .stderr_has("given twice");
}

/// Three `config set`s of different fields started at the same moment all keep their field:
/// each read-modify-write happens inside one write transaction.
#[test]
fn concurrent_config_sets_lose_no_field() {
    let sb = Sandbox::new();
    for trial in 0..25 {
        let app = format!("wx{trial}");
        let start = |args: &[&str]| {
            let mut all = vec!["config", "set", app.as_str()];
            all.extend_from_slice(args);
            sb.cmd(&all)
                .stdout(std::process::Stdio::null())
                .spawn()
                .expect("spawn")
        };
        let mut children = [
            start(&["--prefetch-url", "https://a.example/pre"]),
            start(&["--periodic-url", "https://a.example/periodic"]),
            start(&["--period", "5"]),
        ];
        for c in &mut children {
            assert!(c.wait().expect("wait").success());
        }
        let r = sb.ftrun(&["config", "show", &app, "--json"]);
        r.expect_status(0);
        let cfg: serde_json::Value = serde_json::from_str(&r.stdout).expect("json");
        assert_eq!(
            (
                &cfg["preFetchUrl"],
                &cfg["periodicFetchUrl"],
                &cfg["periodHours"]
            ),
            (
                &serde_json::json!("https://a.example/pre"),
                &serde_json::json!("https://a.example/periodic"),
                &serde_json::json!(5)
            ),
            "trial {trial}: a field was lost"
        );
    }
    // unset is a read-modify-write too: concurrent unsets of two fields remove both.
    let mut children = [
        sb.cmd(&["config", "unset", "wx0", "--prefetch-url"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
        sb.cmd(&["config", "unset", "wx0", "--period"])
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap(),
    ];
    for c in &mut children {
        assert!(c.wait().unwrap().success());
    }
    sb.ftrun(&["config", "show", "wx0", "--json"])
        .expect_status(0)
        .stdout_has(r#""preFetchUrl":null,"periodicFetchUrl":"https://a.example/periodic","periodHours":12"#);
}

#[test]
fn bad_app_ids_and_long_urls_are_refused() {
    let sb = Sandbox::new();
    sb.ftrun(&["config", "set", "", "--period", "5"])
        .expect_status(2)
        .stderr_has("the appId must be a non-empty string");
    sb.ftrun(&["config", "set", "wx\nforged  line", "--period", "5"])
        .expect_status(2)
        .stderr_has("the appId must not contain control characters (it has U+000A)");
    sb.ftrun(&["cache", "clear", "a\u{1b}[2J"])
        .expect_status(2)
        .stderr_has("control characters");
    let long = format!("https://a.example/{}", "x".repeat(8200));
    let r = sb.ftrun(&["config", "set", "wx1", "--prefetch-url", &long]);
    r.expect_status(2)
        .stderr_has("the URL is 8218 bytes long; at most 8192 are allowed");
    assert!(
        r.stderr.len() < 300,
        "the message must not echo the whole URL"
    );
    sb.ftrun(&[
        "config",
        "set",
        "wx1",
        "--prefetch-url",
        "ftp://user:secret@a.example/x?token=t",
    ])
    .expect_status(2)
    .stderr_has("'ftp://a.example/x'");
    // Nothing was stored by any of them.
    sb.ftrun(&["cache", "list"])
        .expect_status(0)
        .stdout_has("no apps stored");
}

#[test]
fn ca_files_that_cannot_be_pem_are_refused_at_once() {
    let sb = Sandbox::with_app(&["pages/index/index"], &[]);
    let fifo = sb.path("ca.fifo");
    assert!(
        std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .expect("mkfifo")
            .success()
    );
    sb.write_bytes("big.pem", &vec![b'a'; 5 << 20]);
    let big = sb.path("big.pem");
    let cases = [
        (fifo.to_str().unwrap(), "not a regular file"),
        ("/dev/zero", "not a regular file"),
        (big.to_str().unwrap(), "larger than a CA file can be"),
    ];
    for (file, says) in cases {
        let started = std::time::Instant::now();
        let mut child = sb
            .cmd(&["run", sb.bundle().to_str().unwrap(), "--ca-file", file])
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        let done = wait_until(std::time::Duration::from_secs(5), || {
            child.try_wait().ok().flatten().is_some()
        });
        if !done {
            let _ = child.kill();
            panic!("--ca-file {file} hung");
        }
        let out = child.wait_with_output().unwrap();
        assert_eq!(out.status.code(), Some(2), "{file}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("--ca-file {file}: {says}")),
            "{stderr}"
        );
        assert!(started.elapsed() < std::time::Duration::from_secs(2));
    }
}
