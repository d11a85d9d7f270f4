//! `ftrun daemon`: which apps are due and eligible, logging, batching, and a clean stop.

mod common;
use common::*;
use ftrun::bgfetch::{ConsoleConfig, FetchType, Record};
use ftrun::store::{NewRecord, Store};
use std::time::{Duration, Instant};

const HOUR: i64 = 3_600_000;

fn now() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

fn app(
    store: &Store,
    id: &str,
    url: Option<String>,
    period: Option<u32>,
    token: bool,
    launched: Option<i64>,
) {
    let cfg = ConsoleConfig {
        periodic_fetch_url: url,
        period_hours: period,
        ..Default::default()
    };
    store.set_config(id, &cfg).unwrap();
    if token {
        store.set_token(id, &format!("tok-{id}")).unwrap();
    }
    if let Some(t) = launched {
        store.note_launch(id, t).unwrap();
    }
}

#[test]
fn once_fetches_only_due_and_eligible_apps() {
    let srv = Server::start();
    srv.fallback(Route::ok("periodic!"));
    srv.route("/G", Route::ok("down").status(500));
    let sb = Sandbox::new();
    {
        let store = Store::open(&sb.data_dir()).unwrap();
        let t = now();
        app(&store, "A", Some(srv.url("/A")), Some(3), true, Some(t));
        app(&store, "B", Some(srv.url("/B")), Some(3), false, Some(t));
        app(
            &store,
            "C",
            Some(srv.url("/C")),
            Some(3),
            true,
            Some(t - 8 * 24 * HOUR),
        );
        app(&store, "D", Some(srv.url("/D")), Some(0), true, Some(t));
        app(&store, "E", None, Some(3), true, Some(t));
        app(&store, "F", Some(srv.url("/F")), Some(3), true, Some(t));
        app(&store, "H", Some(srv.url("/H")), None, true, None);
        let rec = Record {
            fetched_data: "old".into(),
            time_stamp: t - HOUR,
            path: String::new(),
            query: String::new(),
            scene: 0,
        };
        store
            .put_records(&[NewRecord {
                app_id: "F",
                kind: FetchType::Periodic,
                record: &rec,
            }])
            .unwrap();
    }
    let r = sb.ftrun(&["daemon", "--once"]);
    r.expect_status(0)
        .stdout_has("periodic A ")
        .stdout_has("ok: 9 bytes")
        .stdout_has("pass: 1 due, 1 ok, 0 failed, 1 without token")
        .stderr_has(
            "periodic fetch for B skipped: token not set, call setBackgroundFetchToken first",
        );
    let paths: Vec<String> = srv.received().iter().map(|r| r.path.clone()).collect();
    assert_eq!(paths, ["/A"]);
    let a = &srv.received()[0];
    assert_eq!(a.param("token"), Some("tok-A"));
    assert_eq!(a.param("appId"), Some("A"));
    assert_eq!(
        a.param("path"),
        None,
        "periodic requests carry no launch fields"
    );
    sb.ftrun(&["cache", "show", "A", "--type", "periodic"])
        .expect_status(0)
        .stdout_has("periodic!");

    // A is not due again now; 2 hours later F is due (last success 1 h ago, period 3 h) but
    // A is not; 3 hours later both are.
    sb.ftrun(&["daemon", "--once"])
        .expect_status(0)
        .stdout_has("pass: 0 due");
    let mut c = sb.cmd(&["daemon", "--once"]);
    c.env("FTRUN_CLOCK_OFFSET_MS", (2 * HOUR + 1000).to_string());
    Run::from(c.output().unwrap())
        .expect_status(0)
        .stdout_has("pass: 1 due, 1 ok");
    assert_eq!(srv.received().last().unwrap().path, "/F");
    let mut c = sb.cmd(&["daemon", "--once"]);
    c.env("FTRUN_CLOCK_OFFSET_MS", (3 * HOUR + 1000).to_string());
    Run::from(c.output().unwrap())
        .expect_status(0)
        .stdout_has("pass: 1 due, 1 ok");
    assert_eq!(srv.received().last().unwrap().path, "/A");

    // a failing server: a warning line naming the app and the URL, nothing stored, status 1
    {
        let store = Store::open(&sb.data_dir()).unwrap();
        app(
            &store,
            "G",
            Some(srv.url("/G?k=secret")),
            Some(3),
            true,
            Some(now()),
        );
    }
    let r = sb.ftrun(&["daemon", "--once"]);
    r.expect_status(1)
        .stderr_has(&format!(
            "warning: periodic fetch for G from {} failed: status 500; nothing stored",
            srv.url("/G")
        ))
        .stdout_has("1 failed");
    assert!(!r.stderr.contains("secret"));
    sb.ftrun(&["cache", "show", "G", "--type", "periodic"])
        .expect_status(1);
}

#[test]
fn many_apps_in_one_pass_with_bounded_concurrency() {
    let srv = Server::start();
    srv.fallback(Route::ok("x").delay(Duration::from_millis(5)));
    let sb = Sandbox::new();
    {
        let store = Store::open(&sb.data_dir()).unwrap();
        let t = now();
        for i in 0..300 {
            app(
                &store,
                &format!("app{i:03}"),
                Some(srv.url(&format!("/a{i}"))),
                None,
                true,
                Some(t),
            );
        }
    }
    sb.ftrun(&["daemon", "--once", "--concurrency", "4"])
        .expect_status(0)
        .stdout_has("pass: 300 due, 300 ok, 0 failed");
    let apps: serde_json::Value =
        serde_json::from_str(&sb.ftrun(&["cache", "list", "--json"]).stdout).unwrap();
    assert!(
        apps.as_array()
            .unwrap()
            .iter()
            .all(|a| a["periodic"]["bytes"] == 1)
    );
    sb.ftrun(&["daemon", "--concurrency", "0"]).expect_status(2);
}

#[test]
fn sigterm_stops_the_daemon_cleanly() {
    let srv = Server::start();
    srv.fallback(Route::ok("slow").delay(Duration::from_millis(200)));
    let sb = Sandbox::new();
    {
        let store = Store::open(&sb.data_dir()).unwrap();
        for i in 0..50 {
            app(
                &store,
                &format!("s{i}"),
                Some(srv.url("/s")),
                Some(3),
                true,
                Some(now()),
            );
        }
    }
    let child = sb
        .cmd(&["daemon", "--concurrency", "2"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    assert!(wait_until(Duration::from_secs(5), || srv.received().len() >= 2));
    std::thread::sleep(Duration::from_millis(250));
    let t = Instant::now();
    unsafe { libc::kill(child.id() as i32, libc::SIGTERM) };
    let r = Run::from(child.wait_with_output().unwrap());
    assert!(t.elapsed() < Duration::from_secs(3));
    r.expect_status(0).stdout_has("stopped");
    let store = Store::open(&sb.data_dir()).unwrap();
    let stored = (0..50)
        .filter(|i| {
            store
                .record(&format!("s{i}"), FetchType::Periodic)
                .unwrap()
                .is_some()
        })
        .count();
    let logged = r.stdout.matches(" ok: ").count();
    assert_eq!(
        stored, logged,
        "every logged record is stored, and nothing else\n{}",
        r.stdout
    );
    assert!(stored < 50);
}

/// A server that closes each connection a moment after its answer, without saying
/// `Connection: close` (as some do): a pooled connection can be reused just as it closes.
fn close_after_each_answer_server() -> (String, std::sync::Arc<std::sync::atomic::AtomicUsize>) {
    use std::io::{Read, Write};
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let served = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let count = served.clone();
    std::thread::spawn(move || {
        for conn in listener.incoming() {
            let Ok(mut conn) = conn else { continue };
            let count = count.clone();
            std::thread::spawn(move || {
                let mut buf = Vec::new();
                let mut chunk = [0u8; 4096];
                while !buf.windows(4).any(|w| w == b"\r\n\r\n") {
                    match conn.read(&mut chunk) {
                        Ok(0) | Err(_) => return,
                        Ok(n) => buf.extend_from_slice(&chunk[..n]),
                    }
                }
                let _ = conn.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok");
                count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                // Closed a moment later, whatever arrives meanwhile: a request written on the
                // pooled connection then finds it closed.
                std::thread::sleep(std::time::Duration::from_millis(3));
            });
        }
    });
    (url, served)
}

#[test]
fn a_server_that_closes_after_each_answer_loses_no_update() {
    let (url, served) = close_after_each_answer_server();
    let sb = Sandbox::new();
    let apps = 200;
    {
        let store = Store::open(&sb.data_dir()).unwrap();
        for i in 0..apps {
            app(
                &store,
                &format!("app{i}"),
                Some(format!("{url}/p{i}")),
                Some(3),
                true,
                Some(now()),
            );
        }
    }
    let r = sb.ftrun(&["daemon", "--once", "--concurrency", "16"]);
    let failures: Vec<&str> = r.stderr.lines().filter(|l| l.contains("failed")).collect();
    assert!(
        failures.is_empty(),
        "{} of {apps} failed, e.g. {:?}",
        failures.len(),
        failures.first()
    );
    r.expect_status(0);
    assert_eq!(served.load(std::sync::atomic::Ordering::SeqCst), apps);
}
