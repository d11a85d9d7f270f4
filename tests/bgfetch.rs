//! Background fetch (spec sections 2 to 6) through the real binary against a real local
//! server and a real redb file.

mod common;
use common::*;
use std::time::{Duration, Instant};

/// An app that logs every background-fetch outcome; `--query token=T` makes it set a token.
const BG_APP: &str = r#"
App({
  onLaunch(opts) {
    ft.onBackgroundFetchData((r) => console.log('event', JSON.stringify(r)));
    ft.getBackgroundFetchData({
      fetchType: 'pre',
      success: (r) => console.log('stored pre', JSON.stringify(r)),
      fail: (e) => console.log('stored pre fail', e.errMsg),
    });
    ft.getBackgroundFetchData({
      fetchType: 'periodic',
      success: (r) => console.log('stored periodic', JSON.stringify(r)),
      fail: (e) => console.log('stored periodic fail', e.errMsg),
    });
    if (opts.query.token) {
      ft.setBackgroundFetchToken({ token: decodeURIComponent(opts.query.token) })
        .then((r) => console.log('token set', r.errMsg));
    }
  },
});
"#;

fn bg_sandbox() -> Sandbox {
    Sandbox::with_app(&["pages/index/index"], &[("app.js", BG_APP)])
}

fn events(r: &Run) -> Vec<serde_json::Value> {
    r.stdout
        .lines()
        .filter_map(|l| l.strip_prefix("event "))
        .map(|j| serde_json::from_str(j).expect("event json"))
        .collect()
}

#[test]
fn request_carries_every_parameter_encoded_and_keeps_the_url_query() {
    let srv = Server::start();
    srv.route("/pre", Route::ok("hello"));
    let sb = bg_sandbox();
    let token = "t&k=n+/ 中 %";
    let urlencode = |s: &str| urlencode(s).replace('+', "%20");
    let pre = srv.url("/pre?v=1&x=a%20b");
    // first launch: no token sent; the app sets one
    let q = format!("token={}&a=1", urlencode(token));
    let before = chrono::Utc::now().timestamp_millis();
    sb.run(&[
        "--prefetch-url",
        &pre,
        "--query",
        &q,
        "--scene",
        "1089",
        "--path",
        "pages/index/index",
    ])
    .expect_status(0)
    .stdout_has("token set setBackgroundFetchToken:ok");
    // second launch: the token is sent, and the launch's path/query/scene
    let q2 = "k=v&b=x y/z+中=&";
    sb.run(&[
        "--prefetch-url",
        &pre,
        "--query",
        q2,
        "--app-version",
        "1.2.3",
    ])
    .expect_status(0);
    let got = srv.received_on("/pre");
    assert_eq!(got.len(), 2);
    let (first, second) = (&got[0], &got[1]);
    assert_eq!(first.param("v"), Some("1"));
    assert_eq!(first.param("x"), Some("a b"));
    assert_eq!(first.query[0].0, "v", "the URL's own query comes first");
    assert_eq!(first.param("appId"), Some("wxtest"));
    assert_eq!(first.param("token"), None, "no token on the first launch");
    let ts: i64 = first.param("timeStamp").unwrap().parse().unwrap();
    assert!(ts >= before && ts <= chrono::Utc::now().timestamp_millis());
    assert_eq!(first.param("customMiniprogramVersion"), Some("devtool"));
    assert_eq!(first.param("path"), Some("pages/index/index"));
    assert_eq!(first.param("query"), Some(q.as_str()));
    assert_eq!(first.param("scene"), Some("1089"));
    assert_eq!(second.param("token"), Some(token));
    assert_eq!(second.param("query"), Some(q2));
    assert_eq!(second.param("scene"), Some("1001"));
    assert_eq!(second.param("customMiniprogramVersion"), Some("1.2.3"));
    assert!(
        !second.raw_query.contains(' '),
        "values are percent-encoded: {}",
        second.raw_query
    );
    let ua = second
        .headers
        .iter()
        .find(|(k, _)| k == "user-agent")
        .map(|(_, v)| v.as_str());
    assert_eq!(ua, Some(concat!("ftrun/", env!("CARGO_PKG_VERSION"))));
    assert_eq!(second.method, "GET");
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

#[test]
fn second_launch_gets_old_data_at_once_and_new_data_as_an_event() {
    let srv = Server::start();
    // A local server answers within a millisecond, which can beat the app's own start-up;
    // a short delay keeps "nothing stored yet" true when onLaunch reads the slot.
    srv.route("/pre", Route::ok("v1").delay(Duration::from_millis(100)));
    let sb = bg_sandbox();
    let url = srv.url("/pre");
    let r1 = sb.run(&["--prefetch-url", &url, "--query", "p=1", "--scene", "1011"]);
    r1.expect_status(0)
        .stdout_has("stored pre fail getBackgroundFetchData:fail no data for fetchType 'pre'")
        .stdout_has(
            "stored periodic fail getBackgroundFetchData:fail no data for fetchType 'periodic'",
        );
    let ev1 = events(&r1);
    assert_eq!(ev1.len(), 1);
    assert_eq!(ev1[0]["fetchType"], "pre");
    assert_eq!(ev1[0]["fetchedData"], "v1");
    assert_eq!(ev1[0]["path"], "pages/index/index");
    assert_eq!(ev1[0]["query"], "p=1");
    assert_eq!(ev1[0]["scene"], 1011);
    let keys: Vec<&str> = ev1[0]
        .as_object()
        .unwrap()
        .keys()
        .map(|k| k.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "fetchType",
            "fetchedData",
            "timeStamp",
            "path",
            "query",
            "scene"
        ]
    );

    srv.route("/pre", Route::ok("v2").delay(Duration::from_millis(150)));
    let r2 = sb.run(&["--prefetch-url", &url]);
    r2.expect_status(0);
    let stored_line = r2
        .stdout
        .lines()
        .find(|l| l.starts_with("stored pre {"))
        .expect("old data");
    let stored: serde_json::Value =
        serde_json::from_str(stored_line.trim_start_matches("stored pre ")).unwrap();
    assert_eq!(stored["fetchedData"], "v1");
    assert_eq!(stored["errMsg"], "getBackgroundFetchData:ok");
    assert_eq!(stored["query"], "p=1");
    let ev2 = events(&r2);
    assert_eq!(ev2.len(), 1);
    assert_eq!(ev2[0]["fetchedData"], "v2");
    assert!(ev2[0]["timeStamp"].as_i64() > stored["timeStamp"].as_i64());
    // the old data is printed before the new event
    let pos_old = r2.stdout.find("stored pre {").unwrap();
    let pos_new = r2.stdout.find("event ").unwrap();
    assert!(pos_old < pos_new);
}

#[test]
fn no_replay_for_a_late_listener_and_listeners_run_in_order() {
    let srv = Server::start();
    srv.route("/pre", Route::ok("data"));
    let sb = Sandbox::with_app(
        &["pages/index/index"],
        &[(
            "app.js",
            "App({ onLaunch() {\n  ft.onBackgroundFetchData(() => console.log('first'));\n  ft.onBackgroundFetchData(() => { throw new Error('listener broke'); });\n  ft.onBackgroundFetchData((r) => console.log('third', r.fetchedData));\n  const removed = () => console.log('removed one ran');\n  ft.onBackgroundFetchData(removed); ft.offBackgroundFetchData(removed);\n  setTimeout(() => {\n    ft.onBackgroundFetchData(() => console.log('LATE LISTENER CALLED'));\n    ft.getBackgroundFetchData({ fetchType: 'pre' }).then((r) => console.log('late read', r.fetchedData));\n  }, 400);\n} });",
        )],
    );
    let r = sb.run(&["--prefetch-url", &srv.url("/pre")]);
    r.expect_status(1)
        .stdout_has("first\nthird data")
        .stdout_has("late read data")
        .stderr_has("Uncaught Error: listener broke");
    assert!(!r.stdout.contains("LATE LISTENER CALLED"));
    assert!(!r.stdout.contains("removed one ran"));
}

#[test]
fn non_200_statuses_store_nothing_keep_the_old_record_and_warn() {
    let srv = Server::start();
    srv.route("/pre", Route::ok("good"));
    let sb = bg_sandbox();
    let url = srv.url("/pre?secret=s3cr3t");
    sb.run(&["--prefetch-url", &url]).expect_status(0);
    for (status, why) in [
        (204, "status 204"),
        (404, "status 404"),
        (500, "status 500"),
    ] {
        srv.route("/pre", Route::ok("bad").status(status));
        let r = sb.run(&["--prefetch-url", &url]);
        r.expect_status(0).stderr_has(&format!(
            "warning: pre fetch for wxtest from {} failed: {why}; nothing stored",
            srv.url("/pre")
        ));
        assert!(events(&r).is_empty());
        assert!(
            !r.stderr.contains("s3cr3t"),
            "the URL's query must not be printed"
        );
        r.stdout_has("stored pre {\"fetchedData\":\"good\"");
    }
    sb.ftrun(&["cache", "show", "wxtest", "--type", "pre", "--json"])
        .expect_status(0)
        .stdout_has("\"fetchedData\":\"good\"");
}

#[test]
fn redirects_are_followed_and_loops_fail() {
    let srv = Server::start();
    srv.route("/a", Route::redirect(301, "/b"));
    srv.route("/b", Route::redirect(302, &srv.url("/c")));
    srv.route("/c", Route::redirect(307, "d?x=1"));
    srv.route("/d", Route::ok("after redirects"));
    srv.route("/loop", Route::redirect(301, "/loop"));
    srv.route("/ftp", Route::redirect(302, "ftp://example.com/x"));
    let sb = bg_sandbox();
    let r = sb.run(&["--prefetch-url", &srv.url("/a")]);
    r.expect_status(0);
    assert_eq!(events(&r)[0]["fetchedData"], "after redirects");
    assert_eq!(srv.received_on("/d")[0].param("x"), Some("1"));

    let r = sb.run(&["--prefetch-url", &srv.url("/loop")]);
    r.expect_status(0).stderr_has("too many redirects");
    assert_eq!(
        srv.received_on("/loop").len(),
        6,
        "the first request and 5 hops"
    );
    sb.run(&["--prefetch-url", &srv.url("/ftp")])
        .expect_status(0)
        .stderr_has("bad redirect");
}

#[test]
fn body_size_cap_is_exactly_256_kib() {
    let srv = Server::start();
    let sb = bg_sandbox();
    srv.route("/exact", Route::ok(vec![b'a'; 262_144]));
    let r = sb.run(&["--prefetch-url", &srv.url("/exact")]);
    r.expect_status(0);
    assert_eq!(
        events(&r)[0]["fetchedData"].as_str().unwrap().len(),
        262_144
    );
    srv.route("/over", Route::ok(vec![b'b'; 262_145]));
    let r = sb.run(&["--prefetch-url", &srv.url("/over")]);
    r.expect_status(0)
        .stderr_has("body larger than 262144 bytes");
    assert!(events(&r).is_empty());
    sb.ftrun(&["cache", "show", "wxtest", "--type", "pre", "--json"])
        .expect_status(0)
        .stdout_has("aaaa");
}

#[test]
fn invalid_utf8_is_refused_and_text_is_kept_byte_for_byte() {
    let srv = Server::start();
    let sb = bg_sandbox();
    srv.route("/bad", Route::ok(vec![b'o', b'k', 0xff, 0xfe]));
    sb.run(&["--prefetch-url", &srv.url("/bad")])
        .expect_status(0)
        .stderr_has("body is not valid UTF-8");
    let text = "\u{feff}  {\"a\": \"中文\"}\r\n";
    srv.route("/text", Route::ok(text));
    let r = sb.run(&["--prefetch-url", &srv.url("/text")]);
    assert_eq!(events(&r)[0]["fetchedData"], text);
}

#[test]
fn slow_server_hits_the_deadline_and_refused_connection_warns() {
    let srv = Server::start();
    srv.route("/slow", Route::ok("late").delay(Duration::from_secs(5)));
    srv.route(
        "/slowbody",
        Route::ok("late body").body_delay(Duration::from_secs(5)),
    );
    let sb = bg_sandbox();
    for path in ["/slow", "/slowbody"] {
        let t = Instant::now();
        let r = sb.run(&["--prefetch-url", &srv.url(path), "--fetch-timeout", "0.5"]);
        r.expect_status(0).stderr_has("timed out after 0.5 s");
        assert!(t.elapsed() < Duration::from_secs(3), "{:?}", t.elapsed());
        assert!(events(&r).is_empty());
    }
    // a port nobody listens on
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    sb.run(&["--prefetch-url", &format!("http://127.0.0.1:{port}/x")])
        .expect_status(0)
        .stderr_has("connection error");
}

#[test]
fn run_waits_for_a_response_that_arrives_after_the_js_went_idle() {
    let srv = Server::start();
    srv.route(
        "/pre",
        Route::ok("slowish").delay(Duration::from_millis(300)),
    );
    let sb = Sandbox::with_app(&["pages/index/index"], &[]);
    sb.run(&["--prefetch-url", &srv.url("/pre")])
        .expect_status(0);
    sb.ftrun(&["cache", "show", "wxtest", "--type", "pre"])
        .expect_status(0)
        .stdout_has("slowish");
    // --no-prefetch sends nothing
    sb.run(&["--prefetch-url", &srv.url("/pre"), "--no-prefetch"])
        .expect_status(0);
    assert_eq!(srv.received().len(), 1);
}

#[test]
fn configured_urls_are_used_and_bad_ones_are_refused_naming_them() {
    let srv = Server::start();
    srv.route("/cfg", Route::ok("from config"));
    let sb = bg_sandbox();
    sb.ftrun(&[
        "config",
        "set",
        "wxtest",
        "--prefetch-url",
        &srv.url("/cfg"),
    ])
    .expect_status(0);
    let r = sb.run(&[]);
    assert_eq!(events(&r)[0]["fetchedData"], "from config");
    sb.ftrun(&["config", "set", "wxtest", "--prefetch-url", "ftp://h/x"])
        .expect_status(2)
        .stderr_has("--prefetch-url 'ftp://h/x'");
    sb.ftrun(&["config", "set", "wxtest", "--periodic-url", "not a url"])
        .expect_status(2)
        .stderr_has("--periodic-url 'not a url' is not a valid URL");
    sb.run(&["--prefetch-url", "file:///etc/passwd"])
        .expect_status(2)
        .stderr_has("--prefetch-url 'file:///etc/passwd'");
    for bad in ["2", "13", "-1", "x"] {
        sb.ftrun(&["config", "set", "wxtest", "--period", bad])
            .expect_status(2);
    }
    for good in ["0", "3", "12"] {
        sb.ftrun(&["config", "set", "wxtest", "--period", good])
            .expect_status(0);
    }
    let shown = sb.ftrun(&["config", "show", "wxtest", "--json"]);
    shown.expect_status(0);
    let cfg: serde_json::Value = serde_json::from_str(&shown.stdout).unwrap();
    assert_eq!(
        cfg,
        serde_json::json!({
            "appId": "wxtest",
            "preFetchUrl": srv.url("/cfg"),
            "periodicFetchUrl": null,
            "periodHours": 12,
            "wire": "finclip",
        })
    );
    sb.ftrun(&["config", "unset", "wxtest", "--prefetch-url"])
        .expect_status(0);
    sb.ftrun(&["config", "show", "wxtest"])
        .expect_status(0)
        .stdout_has("preFetchUrl       (none)");
}

#[test]
fn periodic_at_cold_start_needs_a_token_and_a_due_period() {
    let srv = Server::start();
    srv.route("/periodic", Route::ok("periodic data"));
    let sb = bg_sandbox();
    sb.ftrun(&[
        "config",
        "set",
        "wxtest",
        "--periodic-url",
        &srv.url("/periodic"),
        "--period",
        "3",
    ])
    .expect_status(0);
    // no token: not sent, a warning says why
    sb.run(&["--query", "token=tok1"])
        .expect_status(0)
        .stderr_has("token not set, call setBackgroundFetchToken first");
    assert!(srv.received_on("/periodic").is_empty());
    // with a token: sent, stored with empty launch fields, delivered as an event
    let r = sb.run(&[]);
    let ev = events(&r);
    assert_eq!(ev.len(), 1, "{}", r.stdout);
    assert_eq!(ev[0]["fetchType"], "periodic");
    assert_eq!(
        (
            ev[0]["path"].as_str(),
            ev[0]["query"].as_str(),
            ev[0]["scene"].as_i64()
        ),
        (Some(""), Some(""), Some(0))
    );
    let req = &srv.received_on("/periodic")[0];
    assert_eq!(req.param("token"), Some("tok1"));
    assert_eq!(req.param("path"), None);
    assert_eq!(req.param("scene"), None);
    // not due again within periodHours
    sb.run(&[]).expect_status(0);
    assert_eq!(srv.received_on("/periodic").len(), 1);
    // 3 hours later it is due
    let mut c = sb.cmd(&["run", sb.bundle().to_str().unwrap()]);
    c.env("FTRUN_CLOCK_OFFSET_MS", (3 * 3_600_000 + 1000).to_string());
    Run::from(c.output().unwrap()).expect_status(0);
    assert_eq!(srv.received_on("/periodic").len(), 2);
    // periodHours 0 turns it off
    sb.ftrun(&["config", "set", "wxtest", "--period", "0"])
        .expect_status(0);
    let mut c = sb.cmd(&["run", sb.bundle().to_str().unwrap()]);
    c.env("FTRUN_CLOCK_OFFSET_MS", (24 * 3_600_000).to_string());
    Run::from(c.output().unwrap()).expect_status(0);
    assert_eq!(srv.received_on("/periodic").len(), 2);
}

#[test]
fn token_and_fetch_type_validation_and_errmsgs() {
    let sb = Sandbox::with_app(
        &["pages/index/index"],
        &[(
            "app.js",
            "const show = (p) => p.then((r) => console.log(r.errMsg), (e) => console.log(e.errMsg));\nshow(ft.setBackgroundFetchToken({ token: '' }));\nshow(ft.setBackgroundFetchToken({ token: 'x'.repeat(1025) }));\nshow(ft.setBackgroundFetchToken({ token: 42 }));\nshow(ft.setBackgroundFetchToken({}));\nshow(ft.getBackgroundFetchData({ fetchType: 'later' }));\nshow(ft.getBackgroundFetchData());\nshow(ft.getBackgroundFetchToken());\nft.setBackgroundFetchToken({ token: '中'.repeat(1024) }).then(() => ft.getBackgroundFetchToken()).then((r) => console.log('len', r.token.length, r.errMsg));\nApp({});",
        )],
    );
    let r = sb.run(&[]);
    r.expect_status(0);
    let invalid = "setBackgroundFetchToken:fail invalid token: expected a non-empty string of at most 1024 characters";
    assert_eq!(r.stdout.matches(invalid).count(), 4, "{}", r.stdout);
    assert_eq!(
        r.stdout
            .matches("getBackgroundFetchData:fail invalid fetchType: expected 'pre' or 'periodic'")
            .count(),
        2
    );
    r.stdout_has("getBackgroundFetchToken:fail token not set")
        .stdout_has("len 1024 getBackgroundFetchToken:ok");
}

#[test]
fn apps_are_isolated_on_one_data_dir() {
    let srv = Server::start();
    srv.route("/a", Route::ok("data of A"));
    let sb = bg_sandbox();
    sb.run(&[
        "--app-id",
        "appA",
        "--prefetch-url",
        &srv.url("/a"),
        "--query",
        "token=tokA",
    ])
    .expect_status(0);
    let r = sb.run(&["--app-id", "appB"]);
    r.stdout_has("stored pre fail getBackgroundFetchData:fail no data for fetchType 'pre'");
    let r = sb.run(&["--app-id", "appB", "--prefetch-url", &srv.url("/a")]);
    assert_eq!(
        srv.received_on("/a")[1].param("token"),
        None,
        "B must not see A's token"
    );
    assert_eq!(srv.received_on("/a")[1].param("appId"), Some("appB"));
    r.expect_status(0);
    sb.ftrun(&["cache", "clear", "appB"]).expect_status(0);
    sb.ftrun(&["cache", "show", "appA", "--type", "pre"])
        .expect_status(0)
        .stdout_has("data of A");
    sb.ftrun(&["cache", "show", "appB", "--type", "pre"])
        .expect_status(1);
}

#[test]
fn wechat_wire_names() {
    let srv = Server::start();
    srv.route("/w", Route::ok("x"));
    let sb = bg_sandbox();
    sb.run(&["--prefetch-url", &srv.url("/w"), "--wire", "wechat"])
        .expect_status(0);
    let req = &srv.received_on("/w")[0];
    assert_eq!(req.param("appid"), Some("wxtest"));
    assert!(req.param("timestamp").is_some());
    assert_eq!(req.param("appId"), None);
}

#[test]
fn tokens_never_appear_in_logs_and_the_data_dir_is_user_only() {
    use std::os::unix::fs::PermissionsExt;
    let srv = Server::start();
    srv.route("/pre", Route::ok("x").status(500));
    let sb = bg_sandbox();
    let secret = "SECRET-TOKEN-123";
    sb.run(&["--query", &format!("token={secret}")])
        .expect_status(0);
    let r = sb.run(&["-vvv", "--prefetch-url", &srv.url("/pre")]);
    assert_eq!(srv.received_on("/pre")[0].param("token"), Some(secret));
    assert!(
        !r.stderr.contains(secret) && !r.stdout.contains(secret),
        "{}",
        r.stderr
    );
    for (args, marker) in [
        (vec!["cache", "list"], " set "),
        (vec!["cache", "list", "--json"], "\"hasToken\":true"),
    ] {
        let out = sb.ftrun(&args);
        assert!(!out.stdout.contains(secret));
        out.stdout_has(marker);
    }
    let dir = std::fs::metadata(sb.data_dir())
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    let file = std::fs::metadata(sb.data_dir().join("ftrun.redb"))
        .unwrap()
        .permissions()
        .mode()
        & 0o777;
    assert_eq!((dir, file), (0o700, 0o600));
}

#[test]
fn fetch_command_pre_and_periodic() {
    let srv = Server::start();
    srv.route("/pre", Route::ok("pre body"));
    srv.route("/per", Route::ok("periodic body"));
    let sb = bg_sandbox();
    let bundle = sb.bundle();
    let b = bundle.to_str().unwrap();
    sb.ftrun(&["fetch", b, "--type", "pre"])
        .expect_status(1)
        .stderr_has("warning: no pre-fetch URL configured for wxtest");
    sb.ftrun(&["fetch", b, "--type", "periodic"])
        .expect_status(1)
        .stderr_has("warning: no periodic URL configured for wxtest");
    sb.ftrun(&[
        "fetch",
        b,
        "--type",
        "pre",
        "--prefetch-url",
        &srv.url("/pre"),
        "--query",
        "q=1",
        "--scene",
        "1036",
    ])
    .expect_status(0)
    .stdout_has("stored 8 bytes");
    let req = &srv.received_on("/pre")[0];
    assert_eq!(
        (req.param("path"), req.param("query"), req.param("scene")),
        (Some("pages/index/index"), Some("q=1"), Some("1036"))
    );
    let shown = sb.ftrun(&["cache", "show", "wxtest", "--type", "pre", "--json"]);
    let rec: serde_json::Value = serde_json::from_str(shown.stdout.trim()).unwrap();
    assert_eq!(
        (rec["query"].as_str(), rec["scene"].as_i64()),
        (Some("q=1"), Some(1036))
    );
    sb.ftrun(&[
        "config",
        "set",
        "wxtest",
        "--periodic-url",
        &srv.url("/per"),
    ])
    .expect_status(0);
    sb.ftrun(&["fetch", b, "--type", "periodic"])
        .expect_status(1)
        .stderr_has("token not set, call setBackgroundFetchToken first");
    sb.run(&["--query", "token=t"]).expect_status(0);
    sb.ftrun(&["fetch", b, "--type", "periodic", "--json"])
        .expect_status(0)
        .stdout_has("\"ok\":true");
    assert_eq!(srv.received_on("/per")[0].param("token"), Some("t"));
    srv.route("/per", Route::ok("x").status(503));
    sb.ftrun(&["fetch", b, "--type", "periodic"])
        .expect_status(1)
        .stderr_has("status 503");
}

/// A test CA and a `localhost` certificate it signed.
fn test_ca() -> (String, TlsIdentity) {
    let ca_key = rcgen::KeyPair::generate().unwrap();
    let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
    ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let ca = ca_params.self_signed(&ca_key).unwrap();
    let key = rcgen::KeyPair::generate().unwrap();
    let leaf = rcgen::CertificateParams::new(vec!["localhost".to_string()])
        .unwrap()
        .signed_by(&key, &ca, &ca_key)
        .unwrap();
    (
        ca.pem(),
        TlsIdentity {
            cert_pem: leaf.pem(),
            key_pem: key.serialize_pem(),
        },
    )
}

#[test]
fn https_with_a_ca_file_and_without_it() {
    let (ca_pem, identity) = test_ca();
    let srv = Server::start_with(Some(identity));
    srv.route("/tls", Route::ok("over tls"));
    let sb = bg_sandbox();
    sb.write("ca.pem", &ca_pem);
    let ca = sb.path("ca.pem");
    let r = sb.run(&[
        "--prefetch-url",
        &srv.url("/tls"),
        "--ca-file",
        ca.to_str().unwrap(),
    ]);
    r.expect_status(0);
    assert_eq!(events(&r).len(), 1, "{}", r.stderr);
    assert_eq!(events(&r)[0]["fetchedData"], "over tls");
    // the same through $FTRUN_CA_FILE
    let mut c = sb.cmd(&[
        "run",
        sb.bundle().to_str().unwrap(),
        "--prefetch-url",
        &srv.url("/tls"),
    ]);
    c.env("FTRUN_CA_FILE", &ca);
    assert_eq!(events(&Run::from(c.output().unwrap())).len(), 1);
    // without the CA the certificate is not trusted: nothing stored
    let r = sb.run(&["--prefetch-url", &srv.url("/tls")]);
    r.expect_status(0).stderr_has("connection error");
    assert!(events(&r).is_empty());
    sb.write("empty.pem", "nothing here");
    sb.run(&["--ca-file", sb.path("empty.pem").to_str().unwrap()])
        .expect_status(2)
        .stderr_has("empty.pem: no PEM certificates found");
    sb.run(&["--ca-file", "/no/such/ca.pem"])
        .expect_status(2)
        .stderr_has("/no/such/ca.pem");
}

#[test]
fn eight_processes_on_one_data_dir_lose_nothing() {
    let srv = Server::start();
    srv.fallback(Route::ok("shared"));
    let sb = Sandbox::with_app(
        &["pages/index/index"],
        &[(
            "app.js",
            "App({ async onLaunch() {\n  for (let i = 0; i < 10; i++) await ft.setBackgroundFetchToken({ token: 'tok-' + i });\n  console.log('done');\n} });",
        )],
    );
    let bundle = sb.bundle();
    let children: Vec<_> = (0..8)
        .map(|i| {
            sb.cmd(&[
                "run",
                bundle.to_str().unwrap(),
                "--app-id",
                &format!("app{i}"),
                "--prefetch-url",
                &srv.url(&format!("/p{i}")),
            ])
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap()
        })
        .collect();
    for child in children {
        let r = Run::from(child.wait_with_output().unwrap());
        r.expect_status(0).stdout_has("done");
    }
    let list = sb.ftrun(&["cache", "list", "--json"]);
    let apps: serde_json::Value = serde_json::from_str(&list.stdout).unwrap();
    let apps = apps.as_array().unwrap();
    assert_eq!(apps.len(), 8);
    for a in apps {
        assert_eq!(a["hasToken"], true, "{a}");
        assert_eq!(a["pre"]["bytes"], 6, "{a}");
    }
    let store = ftrun::store::Store::open(&sb.data_dir()).unwrap();
    for i in 0..8 {
        assert_eq!(
            store.token(&format!("app{i}")).unwrap().as_deref(),
            Some("tok-9")
        );
    }
}

#[test]
fn sigkill_during_writes_leaves_a_whole_database() {
    let srv = Server::start();
    srv.fallback(Route::ok("payload-".repeat(100)));
    let sb = Sandbox::with_app(
        &["pages/index/index"],
        &[(
            "app.js",
            "App({ async onLaunch() {\n  for (let i = 0; ; i++) await ft.setBackgroundFetchToken({ token: 'token-' + i + '-' + 'z'.repeat(500) });\n} });",
        )],
    );
    // many apps for the daemon to write records for
    {
        let store = ftrun::store::Store::open(&sb.data_dir()).unwrap();
        let now = chrono::Utc::now().timestamp_millis();
        for i in 0..200 {
            let app = format!("k{i}");
            let cfg = ftrun::bgfetch::ConsoleConfig {
                periodic_fetch_url: Some(srv.url(&format!("/k{i}"))),
                ..Default::default()
            };
            store.set_config(&app, &cfg).unwrap();
            store.set_token(&app, "t").unwrap();
            store.note_launch(&app, now).unwrap();
        }
    }
    let bundle = sb.bundle();
    for round in 0..12u64 {
        let mut writer = sb
            .cmd(&["run", bundle.to_str().unwrap(), "--timeout", "30"])
            .spawn()
            .unwrap();
        let mut daemon = sb
            .cmd(&["daemon", "--once", "--concurrency", "8"])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(40 + (round * 37) % 120));
        let _ = writer.kill();
        let _ = daemon.kill();
        let _ = writer.wait();
        let _ = daemon.wait();
        // reopens, and every record and token is whole
        let store = ftrun::store::Store::open(&sb.data_dir()).expect("reopen after SIGKILL");
        if let Some(t) = store.token("wxtest").unwrap() {
            assert!(
                t.starts_with("token-") && t.ends_with(&"z".repeat(500)),
                "torn token {t}"
            );
        }
        for i in 0..200 {
            if let Some(rec) = store
                .record(&format!("k{i}"), ftrun::bgfetch::FetchType::Periodic)
                .unwrap()
            {
                assert_eq!(rec.fetched_data, "payload-".repeat(100));
            }
        }
        assert!(!store.apps().unwrap().is_empty());
    }
    sb.ftrun(&["cache", "list"]).expect_status(0);
}

/// Spec section 3: a valid record reaches the listeners as soon as it is validated, while its
/// durable commit runs, and the run does not end before the commit is done. Another process
/// holds the database's write lock, so the commit cannot finish until it lets go.
#[test]
fn records_reach_listeners_before_their_commit_ends_and_the_run_waits_for_it() {
    use std::io::BufRead;
    let srv = Server::start();
    srv.route("/pre", Route::ok("fresh"));
    let sb = bg_sandbox();
    sb.run(&["--no-prefetch"]).expect_status(0); // creates the database
    let db = redb::Database::builder()
        .set_concurrency_mode(redb::ConcurrencyMode::MultiWriter)
        .create(sb.data_dir().join("ftrun.redb"))
        .expect("open the database beside ftrun");
    let lock = db.begin_write().expect("hold the write lock");
    let bundle = sb.bundle();
    let mut child = sb
        .cmd(&[
            "-vvv",
            "run",
            bundle.to_str().unwrap(),
            "--prefetch-url",
            &srv.url("/pre"),
        ])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("spawn ftrun");
    let (tx, rx) = std::sync::mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        for line in std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
        {
            let _ = tx.send(line);
        }
    });
    let heard = loop {
        match rx.recv_timeout(Duration::from_secs(10)) {
            Ok(l) if l.starts_with("event ") => break l,
            Ok(_) => continue,
            Err(e) => {
                let _ = child.kill();
                let out = child.wait_with_output().expect("output");
                panic!(
                    "no event while the commit waits: {e}\n--- stderr\n{}",
                    String::from_utf8_lossy(&out.stderr)
                );
            }
        }
    };
    assert!(heard.contains(r#""fetchedData":"fresh""#), "{heard}");
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        child.try_wait().expect("try_wait").is_none(),
        "the run ended before its commit was done"
    );
    lock.abort().expect("let go of the lock");
    let status = child.wait().expect("wait");
    reader.join().expect("reader");
    assert_eq!(status.code(), Some(0));
    drop(db);
    let store = ftrun::store::Store::open(&sb.data_dir()).unwrap();
    let stored = store
        .record("wxtest", ftrun::bgfetch::FetchType::Pre)
        .unwrap();
    assert_eq!(stored.map(|r| r.fetched_data).as_deref(), Some("fresh"));
}

/// A URL's userinfo is sent as Basic credentials (as curl sends it) and never appears in a
/// log line at any level: not in ftrun's own, not in the HTTP client's pool logs.
#[test]
fn url_userinfo_never_reaches_a_log() {
    let srv = Server::start();
    srv.route("/pre", Route::ok("x"));
    srv.route("/api", Route::ok("y"));
    let api = srv.url("/api").replace("http://", "http://ann:s3cr3t-b@");
    let sb = Sandbox::with_app(
        &["pages/index/index"],
        &[(
            "app.js",
            &format!(
                "App({{ onLaunch() {{ wx.request({{ url: '{api}', success: (r) => console.log('api', r.data) }}); }} }});"
            ),
        )],
    );
    let pre = srv.url("/pre").replace("http://", "http://bob:s3cr3t-a@");
    for v in ["-v", "-vv", "-vvv"] {
        let bundle = sb.bundle();
        let r = sb.ftrun(&[v, "run", bundle.to_str().unwrap(), "--prefetch-url", &pre]);
        r.expect_status(0).stdout_has("api y");
        assert!(!r.stderr.contains("s3cr3t"), "{v}:\n{}", r.stderr);
    }
    let auth = |got: &Received| {
        got.headers
            .iter()
            .find(|(k, _)| k == "authorization")
            .map(|(_, v)| v.clone())
    };
    // base64("bob:s3cr3t-a"), base64("ann:s3cr3t-b")
    assert_eq!(
        auth(&srv.received_on("/pre")[0]).as_deref(),
        Some("Basic Ym9iOnMzY3IzdC1h")
    );
    assert_eq!(
        auth(&srv.received_on("/api")[0]).as_deref(),
        Some("Basic YW5uOnMzY3IzdC1i")
    );
}

/// A run killed (or exiting on a bundle error) while it creates the database leaves either no
/// database file or a whole one, never a file without redb's header that every later run
/// would call damaged. The kill lands at a different moment of the first launch each round.
#[test]
fn a_run_killed_while_creating_the_database_leaves_none_or_a_whole_one() {
    let sb = Sandbox::with_app(&["pages/index/index"], &[]);
    let bundle = sb.bundle();
    for round in 0..60u64 {
        let _ = std::fs::remove_dir_all(sb.data_dir());
        let mut run = sb
            .cmd(&["run", bundle.to_str().unwrap()])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((round * 173) % 9000));
        let _ = run.kill();
        let _ = run.wait();
        let store = ftrun::store::Store::open(&sb.data_dir()).unwrap();
        if let Err(e) = store.token("wxtest") {
            panic!("round {round}: {e}");
        }
        let strays: Vec<_> = std::fs::read_dir(sb.data_dir())
            .map(|d| d.flatten().map(|e| e.file_name()).collect())
            .unwrap_or_default();
        assert!(strays.len() <= 2, "round {round}: {strays:?}");
    }
    // A stray left by a creator that is gone is removed by the next creator.
    let _ = std::fs::remove_dir_all(sb.data_dir());
    sb.write("data/ftrun.redb.new-2147483646-1", "half a header");
    sb.run(&[]).expect_status(0);
    let left: Vec<_> = std::fs::read_dir(sb.data_dir())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(left, ["ftrun.redb"]);
}

/// The bench's "request on the wire" is when the request's first bytes reached the server's
/// host (the kernel's stamp), not when the server's handler got a core: a request whose
/// headers end 100 ms after its first line arrived with its first line, and a route's delay
/// counts from there.
#[cfg(target_os = "linux")]
#[test]
fn the_mock_server_stamps_a_request_when_its_first_bytes_arrive() {
    use std::io::{Read, Write};
    let srv = Server::start();
    srv.route(
        "/slow-client",
        Route::ok("ok").delay(Duration::from_millis(150)),
    );
    let mut tcp = std::net::TcpStream::connect(srv.addr()).unwrap();
    let sent = Instant::now();
    tcp.write_all(b"GET /slow-client HTTP/1.1\r\n").unwrap();
    std::thread::sleep(Duration::from_millis(100));
    tcp.write_all(b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut answer = String::new();
    tcp.read_to_string(&mut answer).unwrap();
    let answered = sent.elapsed();
    assert!(answer.ends_with("ok"), "{answer}");
    let r = &srv.received_on("/slow-client")[0];
    let arrived = r.arrived.saturating_duration_since(sent);
    assert!(arrived < Duration::from_millis(50), "arrived {arrived:?}");
    let waited = r.handled.saturating_duration_since(r.arrived);
    assert!(
        waited >= Duration::from_millis(90),
        "handled {waited:?} later"
    );
    assert!(
        answered >= Duration::from_millis(150) && answered < Duration::from_millis(240),
        "answered after {answered:?}: the delay counts from the arrival"
    );
}
