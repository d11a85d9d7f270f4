//! Real-bundle behaviour through the real binary: ES modules, `ftrun check`, `--offline`,
//! `--trace`, storage limits, robustness.

mod common;
use common::*;

const INDEX: &str = "pages/index/index";

#[test]
fn es_modules_run_with_original_lines_and_syntax_errors_exit_2() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[
            (
                "utils/math.js",
                "export const two = 2;\nexport function fail(o = null) {\n  return o.x;\n}\n",
            ),
            (
                "app.js",
                "import { two, fail } from './utils/math';\nApp({ onLaunch() { console.log('two', two); fail(); } });\n",
            ),
        ],
    );
    sb.run(&[])
        .expect_status(1)
        .stdout_has("two 2")
        .stderr_has("at fail (utils/math.js:3:")
        .stderr_has("app.js:2:");
    sb.write(
        "bundle/utils/math.js",
        "export const two = 2;\nexport const = 3;\n",
    );
    sb.run(&[])
        .expect_status(2)
        .stderr_has("utils/math.js:2:")
        .stderr_has("SyntaxError");
}

#[test]
fn check_reports_every_page_and_exits_0_only_when_all_loaded() {
    let sb = Sandbox::with_app(
        &["pages/a/a", "pages/b/b"],
        &[
            (
                "app.json",
                r#"{"pages": ["pages/a/a", "pages/b/b", "pages/c/c", "pages/d/d", "pages/ts/ts"], "subpackages": [{"root": "sub", "pages": ["s/s"]}], "useExtendedLib": {"weui": true}}"#,
            ),
            (
                "pages/a/a.js",
                "import x from '../../lib/x';\nPage({ onLoad() { console.log(x); } });",
            ),
            ("lib/x.js", "export default 'x';"),
            (
                "pages/b/b.js",
                "Page({\n  onShow() {\n    undefinedThing();\n  },\n});",
            ),
            (
                "pages/c/c.js",
                "require('weui-miniprogram/toast');\nPage({});",
            ),
            ("pages/d/d.js", "require('dayjs');\nPage({});"),
            ("node_modules/dayjs/index.js", "module.exports = {};"),
            ("pages/ts/ts.ts", "Page({});"),
            (
                "sub/s/s.js",
                "Page({ onReady() { console.log('sub ready'); } });",
            ),
        ],
    );
    let bundle = sb.bundle();
    let r = sb.ftrun(&["check", bundle.to_str().unwrap()]);
    r.expect_status(1)
        .stdout_has("pages/a/a  ")
        .stdout_has("pages/b/b.js:3:5 ReferenceError")
        .stdout_has("extended library 'weui-miniprogram'")
        .stdout_has("unbuilt npm package 'dayjs'")
        .stdout_has("TypeScript only")
        .stdout_has("sub/s/s")
        .stdout_has("3 ok, 1 error, 3 skipped");
    let json = sb.ftrun(&["check", bundle.to_str().unwrap(), "--json"]);
    let rows: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    let status = |page: &str| {
        rows.as_array()
            .unwrap()
            .iter()
            .find(|r| r["page"] == page)
            .unwrap()["status"]
            .clone()
    };
    assert_eq!(status("pages/a/a"), "ok");
    assert_eq!(status("sub/s/s"), "ok");
    assert_eq!(status("pages/b/b"), "error");
    // Each row says why, for machines to group failures.
    let fields: Vec<serde_json::Value> = rows
        .as_array()
        .unwrap()
        .iter()
        .map(|r| serde_json::json!([r["page"], r["cause"], r["file"], r["line"], r["column"]]))
        .collect();
    assert_eq!(
        fields,
        [
            serde_json::json!(["app.js", null, null, null, null]),
            serde_json::json!(["pages/a/a", null, null, null, null]),
            serde_json::json!(["pages/b/b", "app error", "pages/b/b.js", 3, 5]),
            serde_json::json!(["pages/c/c", "extended library", null, null, null]),
            serde_json::json!(["pages/d/d", "unbuilt npm", null, null, null]),
            serde_json::json!([
                "pages/ts/ts",
                "TypeScript only",
                "pages/ts/ts.ts",
                null,
                null
            ]),
            serde_json::json!(["sub/s/s", null, null, null, null]),
        ]
    );
    sb.write("bundle/pages/d/d.js", "require('./nope');\nPage({});");
    let json = sb.ftrun(&["check", bundle.to_str().unwrap(), "--json"]);
    assert!(
        json.stdout
            .contains(r#""page":"pages/d/d","status":"error""#),
        "{}",
        json.stdout
    );
    assert!(
        json.stdout.contains(r#""cause":"module not found""#),
        "{}",
        json.stdout
    );
    sb.write("bundle/app.json", r#"{"pages": ["pages/a/a", "sub/s/s"]}"#);
    sb.ftrun(&["check", bundle.to_str().unwrap()])
        .expect_status(0)
        .stdout_has("3 ok, 0 error, 0 skipped");
}

#[test]
fn check_passes_on_the_real_bundle_fixture_with_its_npm_component_library() {
    let sb = Sandbox::new();
    sb.ftrun(&["check", fixture("real-bundle").to_str().unwrap()])
        .expect_status(0)
        .stdout_has("5 ok, 0 error, 0 skipped");
}

#[test]
fn offline_requests_fail_and_real_requests_reach_the_server() {
    let srv = Server::start();
    srv.route("/api", Route::ok("{\"n\":1}").header("x-h", "v"));
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "App({ onLaunch() { wx.request({ url: getUrl(), method: 'PUT', data: { a: 1 }, success: (r) => console.log('ok', r.statusCode, r.data.n, r.header['x-h']), fail: (e) => console.log(e.errMsg) }); } });\nfunction getUrl() { return require('./url.json').url; }",
        )],
    );
    sb.write(
        "bundle/url.json",
        &format!("{{\"url\": \"{}\"}}", srv.url("/api")),
    );
    sb.run(&[]).expect_status(0).stdout_has("ok 200 1 v");
    let got = &srv.received_on("/api")[0];
    assert_eq!(got.method, "PUT");
    sb.run(&["--offline"])
        .expect_status(0)
        .stdout_has("request:fail network disabled");
    assert_eq!(srv.received_on("/api").len(), 1);
}

#[test]
fn trace_lists_ui_and_device_calls() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "App({ onLaunch() { wx.showToast({ title: 'hi' }); wx.setNavigationBarTitle({ title: 'T' }); wx.makePhoneCall({ phoneNumber: '1' }).catch(() => {}); } });",
        )],
    );
    let r = sb.run(&["--trace"]);
    r.expect_status(0)
        .stderr_has("trace: wx.showToast({\"title\":\"hi\"})")
        .stderr_has("trace: wx.setNavigationBarTitle({\"title\":\"T\"})")
        .stderr_has("trace: wx.makePhoneCall({\"phoneNumber\":\"1\"})");
    assert!(!sb.run(&[]).stderr.contains("trace:"));
}

#[test]
fn storage_limits_and_persistence_across_launches() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "const n = (wx.getStorageSync('n') || 0) + 1; wx.setStorageSync('n', n); console.log('n', n, typeof wx.getStorageSync('missing'));\ntry { wx.setStorageSync('big', 'x'.repeat(1024 * 1024 + 1)); } catch (e) { console.log(e.message); }\nwx.getStorage({ key: 'missing', fail: (e) => console.log(e.errMsg) });\nwx.setStorage({ key: '', data: 1, fail: (e) => console.log(e.errMsg) });\nfor (let i = 0; i < 12; i++) { try { wx.setStorageSync('k' + i, 'y'.repeat(1000 * 1000)); } catch (e) { console.log(i, e.message); break; } }\nApp({});",
        )],
    );
    sb.run(&[])
        .expect_status(0)
        .stdout_has("n 1 string")
        .stdout_has("setStorageSync:fail exceed storage item max length")
        .stdout_has("getStorage:fail data not found")
        .stdout_has("setStorage:fail parameter error: parameter.key should be String instead of empty String")
        .stdout_has("setStorageSync:fail exceed storage max size 10MB");
    sb.run(&[]).expect_status(0).stdout_has("n 2 string");
    // another app on the same data dir sees none of it
    sb.run(&["--app-id", "other"])
        .expect_status(0)
        .stdout_has("n 1 string");
}

#[test]
fn a_timer_that_throws_every_tick_is_reported_and_the_run_goes_on() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "let n = 0; const t = setInterval(() => { n++; if (n === 3) { clearInterval(t); console.log('done after', n); } throw new Error('tick ' + n); }, 1);\nApp({});",
        )],
    );
    let r = sb.run(&[]);
    r.expect_status(1).stdout_has("done after 3");
    assert_eq!(
        r.stderr.matches("Uncaught Error: tick").count(),
        3,
        "{}",
        r.stderr
    );
}

/// A redirect to another origin (here another port) drops the credentials headers, as
/// browsers and curl do; one to the same origin keeps them.
#[test]
fn request_redirects_to_another_origin_drop_credentials() {
    let a = Server::start();
    let b = Server::start();
    a.route("/cross", Route::redirect(302, &b.url("/land")));
    a.route("/same", Route::redirect(302, "/here"));
    a.route("/here", Route::ok("same"));
    b.route("/land", Route::ok("cross"));
    let app = format!(
        r#"const secret = {{ Authorization: 'Bearer s3cret', Cookie: 'sid=1', 'Proxy-Authorization': 'Basic x', 'X-Other': 'kept' }};
App({{ onLaunch() {{
  wx.request({{ url: '{}', header: secret, success: (r) => console.log('cross', r.data) }});
  wx.request({{ url: '{}', header: secret, success: (r) => console.log('same', r.data) }});
}} }});"#,
        a.url("/cross"),
        a.url("/same")
    );
    let sb = Sandbox::with_app(&[INDEX], &[("app.js", &app)]);
    let r = sb.run(&[]);
    r.expect_status(0)
        .stdout_has("cross cross")
        .stdout_has("same same");
    let header = |got: &Received, name: &str| {
        got.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.clone())
    };
    let landed = &b.received_on("/land")[0];
    for name in ["authorization", "cookie", "proxy-authorization"] {
        assert_eq!(
            header(landed, name),
            None,
            "{name} crossed to another origin"
        );
    }
    assert_eq!(header(landed, "x-other").as_deref(), Some("kept"));
    let here = &a.received_on("/here")[0];
    assert_eq!(
        header(here, "authorization").as_deref(),
        Some("Bearer s3cret")
    );
    assert_eq!(header(here, "cookie").as_deref(), Some("sid=1"));
}

/// wx.request fails with WeChat's words, never the HTTP client's.
#[test]
fn request_failures_are_worded_as_wechat_words_them() {
    let srv = Server::start();
    srv.route(
        "/slow",
        Route::ok("late").delay(std::time::Duration::from_millis(500)),
    );
    // A port nothing listens on.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let app = format!(
        r#"const log = (what) => (e) => console.log(what, e.errMsg);
wx.request({{ url: 'http://127.0.0.1:{closed}/x', fail: log('refused') }});
wx.request({{ url: '{}', timeout: 50, fail: log('slow') }});
wx.request({{ url: 'http://no-such-host.invalid/x', fail: log('dns') }});
App({{}});"#,
        srv.url("/slow")
    );
    let sb = Sandbox::with_app(&[INDEX], &[("app.js", &app)]);
    let r = sb.run(&[]);
    r.expect_status(0)
        .stdout_has("refused request:fail net::ERR_CONNECTION_REFUSED")
        .stdout_has("slow request:fail timeout")
        .stdout_has("dns request:fail net::ERR_NAME_NOT_RESOLVED");
    assert!(!r.stdout.contains("client error"), "{}", r.stdout);
}

/// `ftrun check` on an app with endless intervals, an onLaunch whose async result a page
/// reads, a timer that throws later and a self-rearming poll: quick, every error under the
/// page that caused it, leftover timers named with where they were set.
#[test]
fn check_runs_timers_in_virtual_time_and_ends_quickly() {
    let sb = Sandbox::new();
    let started = std::time::Instant::now();
    let r = sb.ftrun(&["check", fixture("check-timers").to_str().unwrap(), "--json"]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(1),
        "{:?}",
        started.elapsed()
    );
    r.expect_status(1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).unwrap();
    let brief: Vec<(String, String, serde_json::Value, serde_json::Value)> = rows
        .iter()
        .map(|row| {
            (
                row["page"].as_str().unwrap_or("").to_string(),
                row["status"].as_str().unwrap_or("").to_string(),
                row["warnings"].clone(),
                serde_json::json!([
                    row["cause"],
                    row["file"],
                    row["line"],
                    row["column"],
                    row["message"]
                ]),
            )
        })
        .collect();
    let none = serde_json::Value::Null;
    assert_eq!(
        brief,
        [
            (
                "app.js".into(),
                "ok".into(),
                serde_json::json!(["setInterval at app.js:6:5"]),
                serde_json::json!([none, none, none, none, none])
            ),
            (
                "pages/index/index".into(),
                "ok".into(),
                serde_json::json!(["setInterval at pages/index/index.js:8:18"]),
                serde_json::json!([none, none, none, none, none])
            ),
            (
                "pages/late/late".into(),
                "error".into(),
                none.clone(),
                serde_json::json!(["app error", "pages/late/late.js", 4, 34, "Error: late boom"])
            ),
            (
                "pages/poll/poll".into(),
                "ok".into(),
                serde_json::json!(["setTimeout at pages/poll/poll.js:4:73"]),
                serde_json::json!([none, none, none, none, none])
            ),
        ]
    );
    // The human table says the same.
    sb.ftrun(&["check", fixture("check-timers").to_str().unwrap()])
        .expect_status(1)
        .stdout_has("1 timer still set (cancelled): setInterval at app.js:6:5")
        .stdout_has("pages/late/late.js:4:34 Error: late boom")
        .stdout_has("3 ok, 1 error, 0 skipped");
}
