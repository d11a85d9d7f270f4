//! `ftrun run` as a process: loading, exit statuses, errors on stderr, limits. Runtime
//! conventions seen from inside an app are in `fixtures/runtime-basics/tests` (JS).

mod common;
use common::*;

const INDEX: &str = "pages/index/index";

#[test]
fn hello_fixture_runs_the_lifecycle_in_order() {
    let sb = Sandbox::new();
    let r = sb.ftrun(&[
        "run",
        fixture("hello").to_str().unwrap(),
        "--query",
        "a=1&b=x",
    ]);
    r.expect_status(0);
    assert_eq!(
        r.lines(),
        vec![
            "App.onLaunch pages/index/index {\"a\":\"1\",\"b\":\"x\"} 1001",
            "App.onShow",
            "onLoad {\"a\":\"1\",\"b\":\"x\"}",
            "onShow",
            "onReady, route pages/index/index pages on stack: 1",
            "setData done: hello from ftrun 1,20,3",
            "timer fired",
        ]
    );
    assert_eq!(r.stderr, "");
}

#[test]
fn launch_options_path_query_scene_and_entry_page() {
    let sb = Sandbox::with_app(
        &["pages/a/a", "pages/b/b"],
        &[
            (
                "app.js",
                "App({ onLaunch(o) { console.log('launch', JSON.stringify(o)) }, onShow(o) { console.log('show', o.path, o.scene) } });",
            ),
            (
                "pages/b/b.js",
                "Page({ onLoad(q) { console.log('b', JSON.stringify(q), this.route, JSON.stringify(this.options)) } });",
            ),
        ],
    );
    sb.run(&["--path", "/pages/b/b", "--query", "id=42&x=%E4", "--scene", "1047"])
        .expect_status(0)
        .stdout_has(r#"launch {"path":"pages/b/b","query":{"id":"42","x":"%E4"},"scene":1047,"referrerInfo":{}}"#)
        .stdout_has("show pages/b/b 1047")
        .stdout_has(r#"b {"id":"42","x":"%E4"} pages/b/b {"id":"42","x":"%E4"}"#);
    // entryPagePath is the default launch page
    sb.write(
        "bundle/app.json",
        r#"{"pages": ["pages/a/a", "pages/b/b"], "entryPagePath": "pages/b/b"}"#,
    );
    sb.run(&[]).expect_status(0).stdout_has("b {} pages/b/b");
    // a page that is not listed is a command-line error
    sb.run(&["--path", "pages/zzz"])
        .expect_status(2)
        .stderr_has("--path 'pages/zzz': no such page");
}

#[test]
fn bundle_errors_exit_2_and_name_the_file() {
    let sb = Sandbox::new();
    sb.write("bundle/app.js", "App({})");
    sb.run(&[]).expect_status(2).stderr_has("app.json");

    sb.write("bundle/app.json", "{ \"pages\": [ ");
    sb.run(&[])
        .expect_status(2)
        .stderr_has("app.json: invalid JSON");

    sb.write("bundle/app.json", r#"{"window": {}}"#);
    sb.run(&[])
        .expect_status(2)
        .stderr_has("app.json: no \"pages\" list");

    sb.write("bundle/app.json", r#"{"pages": []}"#);
    sb.run(&[])
        .expect_status(2)
        .stderr_has("\"pages\" is empty");

    sb.write("bundle/app.json", r#"{"pages": ["pages/gone/gone"]}"#);
    sb.run(&["--app-id", "wxflag"])
        .expect_status(2)
        .stderr_has("page 'pages/gone/gone' is listed but pages/gone/gone.js does not exist");

    // No project file: a default appId, said once; a project file without appid: an error.
    sb.write("bundle/pages/gone/gone.js", "Page({})");
    let r = sb.run(&[]);
    r.expect_status(0);
    assert_eq!(
        r.stderr,
        "note: no project.config.json: running as appId 'local.bundle' (pass --app-id to choose one)\n"
    );
    sb.write("bundle/project.config.json", "{}");
    sb.run(&[])
        .expect_status(2)
        .stderr_has("no appId")
        .stderr_has("project.config.json");
    sb.run(&["--app-id", "wxflag"]).expect_status(0);

    sb.write("bundle/project.config.json", "{oops");
    sb.run(&[])
        .expect_status(2)
        .stderr_has("project.config.json: invalid JSON");

    let missing = sb.path("nope");
    sb.ftrun(&["run", missing.to_str().unwrap()])
        .expect_status(2)
        .stderr_has("nope");
}

#[test]
fn subpackage_pages_are_listed_and_launchable() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[
            (
                "app.json",
                r#"{"pages": ["pages/index/index"], "subpackages": [{"root": "pkgA", "pages": ["pages/x/x"]}]}"#,
            ),
            (
                "pkgA/pages/x/x.js",
                "Page({ onLoad() { console.log('in', this.route) } })",
            ),
        ],
    );
    sb.run(&["--path", "pkgA/pages/x/x"])
        .expect_status(0)
        .stdout_has("in pkgA/pages/x/x");
    // A subpackage page whose file is missing (or TypeScript only) matters only when opened.
    sb.write(
        "bundle/app.json",
        r#"{"pages": ["pages/index/index"], "subPackages": [{"root": "pkgB", "pages": ["p", "t"]}]}"#,
    );
    sb.write("bundle/pkgB/t.ts", "Page({})");
    sb.write(
        "bundle/app.js",
        "App({ onLaunch() { setTimeout(() => wx.navigateTo({ url: '/pkgB/p', fail: (e) => console.log(e.errMsg) }), 0); } });",
    );
    sb.run(&[])
        .expect_status(0)
        .stdout_has("navigateTo:fail page \"pkgB/p\" is not found: pkgB/p.js does not exist");
    sb.run(&["--path", "pkgB/p"])
        .expect_status(2)
        .stderr_has("pkgB/p.js does not exist");
    sb.run(&["--path", "pkgB/t"])
        .expect_status(2)
        .stderr_has("page 'pkgB/t' is TypeScript only");
}

#[test]
fn subpackages_load_when_first_entered_or_preloaded() {
    let app_json = r#"{"pages": ["pages/index/index", "pages/b/b"],
      "subpackages": [
        {"root": "shop", "name": "shop", "pages": ["list/list"]},
        {"root": "extra", "pages": ["e/e"]},
        {"root": "alone", "pages": ["a/a"], "independent": true}
      ],
      "preloadRule": {"pages/b/b": {"network": "all", "packages": ["extra"]}}}"#;
    let sb = Sandbox::with_app(
        &[INDEX, "pages/b/b"],
        &[
            ("app.json", app_json),
            ("app.js", "console.log('app.js runs'); App({});"),
            (
                "pages/index/index.js",
                "console.log('index script'); Page({ onReady() { setTimeout(() => wx.navigateTo({ url: '/shop/list/list' }), 0); } });",
            ),
            ("pages/b/b.js", "console.log('b script'); Page({});"),
            (
                "shop/list/list.js",
                "console.log('shop script'); Page({ onLoad() { console.log('shop page', getApp() !== undefined); } });",
            ),
            ("extra/e/e.js", "console.log('extra script'); Page({});"),
            (
                "alone/a/a.js",
                "console.log('alone script'); Page({ onLoad() { console.log('alone page, app:', getApp()); } });",
            ),
        ],
    );
    let r = sb.run(&[]);
    r.expect_status(0);
    assert_eq!(
        r.lines(),
        [
            "app.js runs",
            "index script",
            "b script",
            "shop script",
            "shop page true"
        ],
        "{}",
        r.stderr
    );
    // preloadRule: entering pages/b/b loads 'extra' after the page is ready.
    let r = sb.run(&["--path", "pages/b/b"]);
    r.expect_status(0);
    assert_eq!(
        r.lines(),
        ["app.js runs", "index script", "b script", "extra script"]
    );
    // An independent subpackage runs without the main package.
    let r = sb.run(&["--path", "alone/a/a"]);
    r.expect_status(0);
    assert_eq!(r.lines(), ["alone script", "alone page, app: undefined"]);
}

#[test]
fn syntax_error_exits_2_with_file_line_column() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "pages/index/index.js",
            "Page({\n  onLoad() {\n    let x = ;\n  }\n})",
        )],
    );
    let r = sb.run(&[]);
    r.expect_status(2)
        .stderr_has("pages/index/index.js:3:13: SyntaxError");
    // on line 1 the column is the file's own, not the wrapper's
    sb.write("bundle/utils/bad.js", "var a = );");
    sb.write("bundle/app.js", "require('./utils/bad'); App({})");
    sb.run(&[])
        .expect_status(2)
        .stderr_has("utils/bad.js:1:9: SyntaxError");
}

#[test]
fn exceptions_are_reported_with_stack_and_onerror_and_the_run_goes_on() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[
            (
                "app.js",
                "App({ onError(msg) { console.log('App.onError:', msg.split('\\n')[0]) } });\nwx.onError((m) => console.log('wx.onError:', m.split('\\n')[0]));",
            ),
            (
                "pages/index/index.js",
                "function boom() {\n  null.x;\n}\nPage({\n  onLoad() { boom(); },\n  onShow() { console.log('onShow still runs'); setTimeout(() => { throw new RangeError('in timer'); }, 1); },\n  onReady() { wx.getBackgroundFetchData({ fetchType: 'x', fail() { throw new Error('in callback'); } }); },\n});",
            ),
        ],
    );
    let r = sb.run(&[]);
    r.expect_status(1)
        .stdout_has("App.onError: TypeError: cannot read property 'x' of null")
        .stdout_has("wx.onError: TypeError")
        .stdout_has("onShow still runs")
        .stdout_has("App.onError: RangeError: in timer")
        .stdout_has("App.onError: Error: in callback")
        .stderr_has("Uncaught TypeError: cannot read property 'x' of null")
        .stderr_has("at boom (pages/index/index.js:2:")
        .stderr_has("at onLoad (pages/index/index.js:5:")
        .stderr_has("Uncaught RangeError: in timer")
        .stderr_has("pages/index/index.js:6:")
        .stderr_has("Uncaught Error: in callback");
    assert!(
        !r.stderr.contains("ftrun:js"),
        "internal frames leak: {}",
        r.stderr
    );
}

#[test]
fn unhandled_rejections_are_reported_and_exit_1() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[
            (
                "app.js",
                "App({ onUnhandledRejection(r) { console.log('handler:', r.reason.message, r.promise instanceof Promise) } });",
            ),
            (
                "pages/index/index.js",
                "Page({ onLoad() {\n  Promise.reject(new Error('nobody'));\n  const p = Promise.reject(new Error('caught later')); p.catch(() => console.log('caught'));\n} });",
            ),
        ],
    );
    let r = sb.run(&[]);
    r.expect_status(1)
        .stdout_has("handler: nobody true")
        .stdout_has("caught")
        .stderr_has("Unhandled promise rejection: Error: nobody")
        .stderr_has("pages/index/index.js:2:");
    assert!(!r.stderr.contains("caught later"), "{}", r.stderr);
}

#[test]
fn infinite_loop_and_endless_interval_stop_at_timeout_with_124() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "pages/index/index.js",
            "Page({ onLoad() {\n  for (;;) {}\n} });",
        )],
    );
    let t = std::time::Instant::now();
    sb.run(&["--timeout", "0.5"])
        .expect_status(124)
        .stderr_has("timed out after 0.5 s (--timeout)")
        .stderr_has("pages/index/index.js");
    assert!(t.elapsed().as_secs_f64() < 5.0);

    sb.write(
        "bundle/pages/index/index.js",
        "Page({ onLoad() { setInterval(() => {}, 5); } });",
    );
    sb.run(&["--timeout", "0.3"])
        .expect_status(124)
        .stderr_has("timed out after 0.3 s")
        .stderr_has("interval");

    // a loop inside a promise job is stopped too
    sb.write(
        "bundle/pages/index/index.js",
        "Page({ onLoad() { Promise.resolve().then(() => { while (true) {} }); } });",
    );
    sb.run(&["--timeout", "0.3"]).expect_status(124);

    sb.run(&["--timeout", "0"])
        .expect_status(2)
        .stderr_has("--timeout");
}

#[test]
fn memory_limit_and_deep_recursion_are_errors_not_crashes() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "pages/index/index.js",
            "Page({ onLoad() { const a = []; for (;;) a.push(new Array(100000).fill(7)); }, onReady() { console.log('still alive'); } });",
        )],
    );
    sb.run(&["--max-memory", "32MiB"])
        .expect_status(1)
        .stderr_has("out of memory")
        .stdout_has("still alive");
    sb.write(
        "bundle/pages/index/index.js",
        "function f(n) { return f(n + 1) + 1; }\nPage({ onLoad() { try { f(0) } catch (e) { console.log('caught', e.name, e.message) } f(0); } });",
    );
    sb.run(&[])
        .expect_status(1)
        .stdout_has("caught RangeError Maximum call stack size exceeded")
        .stderr_has("Uncaught RangeError");
    sb.run(&["--max-memory", "lots"])
        .expect_status(2)
        .stderr_has("--max-memory");
}

#[test]
fn require_outside_the_bundle_or_missing_is_an_error_naming_the_path() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "try { require('../../etc/passwd') } catch (e) { console.log('A', e.message) }\ntry { require('./nope') } catch (e) { console.log('B', e.message) }\nApp({});",
        )],
    );
    sb.write("secret.js", "module.exports = 'secret';");
    sb.run(&[])
        .expect_status(0)
        .stdout_has("A require('../../etc/passwd') from app.js: '../../etc/passwd' is outside the bundle root")
        .stdout_has("B module './nope' is not defined, required from app.js");
    // a symlink that leads out of the bundle is refused too
    std::os::unix::fs::symlink(sb.path("secret.js"), sb.path("bundle/link.js")).unwrap();
    sb.write(
        "bundle/app.js",
        "try { require('./link') } catch (e) { console.log('C', e.message) }\nApp({});",
    );
    sb.run(&[])
        .expect_status(0)
        .stdout_has("C 'link.js' is outside the bundle root");
}

#[test]
fn stack_traces_name_the_module_file_and_line() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[
            (
                "utils/fmt.js",
                "module.exports = function fmt(v) {\n  return v.x.y;\n};",
            ),
            (
                "pages/index/index.js",
                "const fmt = require('../../utils/fmt');\nPage({ onLoad() { fmt({}); } });",
            ),
        ],
    );
    sb.run(&[])
        .expect_status(1)
        .stderr_has("TypeError")
        .stderr_has("at fmt (utils/fmt.js:2:")
        .stderr_has("pages/index/index.js:2:");
}

#[test]
fn app_registers_once_and_globals_are_writable_and_configurable() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[
            (
                "app.js",
                "const origPage = Page;\nObject.defineProperty(globalThis, 'Page', { value: function (o) { o.wrapped = true; return origPage(o); }, writable: true, configurable: true });\nconst names = ['App','Page','Component','Behavior','getApp','getCurrentPages','require','module','exports','global','globalThis','console','setTimeout','setInterval','clearTimeout','clearInterval','ft','wx'];\nconsole.log(names.filter((n) => { const d = Object.getOwnPropertyDescriptor(globalThis, n); return !(d && d.writable && d.configurable); }).join(',') || 'all writable');\nconsole.log('same', wx === ft, global === globalThis);\nApp({ name: 'first' });\ntry { App({ name: 'second' }); } catch (e) { console.log('second App():', e.message); }",
            ),
            (
                "pages/index/index.js",
                "Page({ onLoad() { console.log('wrapped', this.wrapped, getApp().name); } });",
            ),
        ],
    );
    sb.run(&[])
        .expect_status(0)
        .stdout_has("all writable")
        .stdout_has("same true true")
        .stdout_has("second App(): App() has already been called")
        .stdout_has("wrapped true first");
}

#[test]
fn app_code_runs_in_sloppy_mode() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "implicitGlobal = 5;\nwith ({ w: 'with works' }) { console.log(w); }\nfunction f() { return this === undefined ? 'strict' : 'sloppy'; }\nconsole.log(implicitGlobal, f());\nApp({});",
        )],
    );
    sb.run(&[])
        .expect_status(0)
        .stdout_has("with works")
        .stdout_has("5 sloppy");
}

#[test]
fn a_project_with_miniprogram_root_and_a_private_config() {
    let sb = Sandbox::new();
    sb.write(
        "proj/project.config.json",
        r#"{"appid": "wxpublic", "miniprogramRoot": "miniprogram/", "setting": {"a": 1}}"#,
    );
    sb.write(
        "proj/project.private.config.json",
        r#"{"appid": "wxprivate"}"#,
    );
    sb.write(
        "proj/miniprogram/app.json",
        r#"{"pages": ["pages/index/index"]}"#,
    );
    sb.write(
        "proj/miniprogram/app.js",
        "App({ onLaunch() { console.log('appId', wx.getAccountInfoSync().miniProgram.appId); } });",
    );
    sb.write("proj/miniprogram/pages/index/index.js", "Page({});");
    for dir in ["proj", "proj/miniprogram"] {
        let path = sb.path(dir);
        sb.ftrun(&["run", path.to_str().unwrap()])
            .expect_status(0)
            .stdout_has("appId wxprivate");
    }
    sb.write(
        "proj/project.config.json",
        r#"{"appid": "wx1", "miniprogramRoot": "../elsewhere"}"#,
    );
    let path = sb.path("proj");
    sb.ftrun(&["run", path.to_str().unwrap()])
        .expect_status(2)
        .stderr_has("\"miniprogramRoot\" '../elsewhere' leads outside the project");
}

#[test]
fn every_wx_api_exists_and_unsupported_ones_fail_the_wechat_way() {
    let table = include_str!("../js/wx-api-table.js");
    let names: Vec<&str> = table
        .lines()
        .filter(|l| {
            ["async", "callback", "task", "event", "object", "sync"]
                .iter()
                .any(|k| l.trim_start().starts_with(&format!("{k}:")))
        })
        .flat_map(|l| l.split('\'').nth(1).unwrap_or("").split_whitespace())
        .collect();
    assert!(names.len() > 450, "{}", names.len());
    let app = format!(
        r#"const names = {names:?};
const missing = names.filter((n) => typeof wx[n] !== 'function');
console.log('missing', JSON.stringify(missing), typeof wx.cloud, typeof wx.env);
wx.chooseImage({{ fail(r) {{ console.log(r.errMsg); }} }});
wx.chooseImage().catch((r) => console.log('promise', r.errMsg));
wx.openChannelsActivity({{ fail(r) {{ console.log('callback', r.errMsg); }} }});
const task = wx.uploadFile({{ url: 'x', fail(r) {{ console.log('task', r.errMsg); }} }});
task.abort(); task.onProgressUpdate(() => {{}});
try {{ wx.getExptInfoSync(['k']); }} catch (e) {{ console.log('sync', e.message); }}
const xr = wx.getXrFrameSystem(); xr.registerComponent('a', {{}}).whatever();
wx.onKeyboardHeightChange(() => {{}}); wx.offKeyboardHeightChange();
console.log(wx.canIUse('getBackgroundFetchData'), wx.canIUse('showToast'), wx.canIUse('chooseImage'), wx.canIUse('nope'), wx.canIUse('getBackgroundFetchData.object.fetchType'));
App({{}});"#
    );
    let sb = Sandbox::with_app(&[INDEX], &[("app.js", &app)]);
    let r = sb.run(&["--trace"]);
    r.expect_status(0)
        .stdout_has("missing [] object object")
        .stdout_has("chooseImage:fail not supported in ftrun")
        .stdout_has("promise chooseImage:fail not supported in ftrun")
        .stdout_has("callback openChannelsActivity:fail not supported in ftrun")
        .stdout_has("task uploadFile:fail not supported in ftrun")
        .stdout_has("sync getExptInfoSync:fail not supported in ftrun")
        .stdout_has("true true false false true")
        .stderr_has("trace: wx.getXrFrameSystem()")
        .stderr_has("trace: wx.onKeyboardHeightChange(");
    assert_eq!(
        r.stderr.matches("wx.chooseImage is not supported").count(),
        1,
        "{}",
        r.stderr
    );
}

#[test]
fn synchronous_information_apis_answer_for_a_headless_phone() {
    let app = r#"const w = wx.getWindowInfo();
console.log('window', w.screenWidth, w.screenHeight, w.pixelRatio, w.statusBarHeight);
const m = wx.getMenuButtonBoundingClientRect();
console.log('menu', m.width, m.height, m.top, m.right, typeof m.left);
console.log('sys', wx.getSystemInfoSync().windowWidth, wx.getDeviceInfo().platform, wx.getAppBaseInfo().SDKVersion);
console.log('logs', typeof wx.getLogManager().info, typeof wx.getRealtimeLogManager().warn, typeof wx.getPerformance().now());
wx.reportAnalytics('e', {}); wx.reportEvent('e', {});
console.log('ext', JSON.stringify(wx.getExtConfigSync()));
wx.getExtConfig({ success: (r) => console.log('ext async', JSON.stringify(r.extConfig)) });
App({});"#;
    let sb = Sandbox::with_app(&[INDEX], &[("app.js", app)]);
    sb.run(&[])
        .expect_status(0)
        .stdout_has("window 375 667 2 20")
        .stdout_has("menu 87 32 24 365 number")
        .stdout_has("sys 375 devtools 3.4.10")
        .stdout_has("logs function function number")
        .stdout_has("ext {}");
    sb.write(
        "bundle/ext.json",
        r#"{"extEnable": true, "ext": {"shop": "s1"}}"#,
    );
    sb.run(&["--device", "414x896@3"])
        .expect_status(0)
        .stdout_has("window 414 896 3 44")
        .stdout_has("menu 87 32 48 404 number")
        .stdout_has(r#"ext {"shop":"s1"}"#)
        .stdout_has(r#"ext async {"shop":"s1"}"#);
    sb.run(&["--device", "tiny"])
        .expect_status(2)
        .stderr_has("--device");
}

#[test]
fn console_streams_and_formatting() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            "console.log('plain', 1, true, null, undefined, { a: [1, 'x'], f() {} });\nconsole.info('info'); console.debug('debug');\nconsole.warn('warned'); console.error('err', new Error('boom'));\nconsole.log('%s is %d years', 'Bob', 42);\nApp({});",
        )],
    );
    let r = sb.run(&[]);
    r.expect_status(0)
        .stdout_has("plain 1 true null undefined {\"a\":[1,\"x\"],\"f\":\"[Function: f]\"}")
        .stdout_has("info\ndebug")
        .stdout_has("Bob is 42 years")
        .stderr_has("warned")
        .stderr_has("err Error: boom");
    assert!(!r.stdout.contains("warned"));
}

#[test]
fn heap_exhaustion_is_reported_as_out_of_memory_never_as_null() {
    let cases = [
        // A promise chain that never ends: the rejection QuickJS makes has no room for an Error.
        "function f() { return Promise.resolve().then(f); }\nf();\nApp({});",
        // Strings kept alive until nothing fits, not even the error.
        "let s = 'x'.repeat(1 << 20); let a = [];\nfor (let i = 0; ; i++) a.push(s + i);\nApp({});",
    ];
    for js in cases {
        let sb = Sandbox::with_app(&[INDEX], &[("app.js", js)]);
        let r = sb.run(&["--max-memory", "16MiB", "--timeout", "20"]);
        r.expect_status(1)
            .stderr_has("InternalError: out of memory");
        assert!(!r.stderr.contains("null"), "{}", r.stderr);
    }
    // An app's own `throw null` is still reported as what it is.
    let sb = Sandbox::with_app(&[INDEX], &[("app.js", "App({});\nthrow null;")]);
    sb.run(&[]).expect_status(1).stderr_has("Uncaught null");
}

#[test]
fn files_nested_too_deeply_exit_2_naming_the_file() {
    let deep = |open: &str, close: &str| open.repeat(10_000) + &close.repeat(10_000);
    let cases = [
        ("app.js", format!("var a = {};\nApp({{}});", deep("[", "]"))),
        (
            "app.js",
            format!(
                "import x from './x';\nvar a = {};\nApp({{}});",
                deep("[", "]")
            ),
        ),
        (
            "app.js",
            format!(
                "var a = {}1{};\nApp({{}});",
                "(".repeat(10_000),
                ")".repeat(10_000)
            ),
        ),
        (
            "pages/index/index.js",
            format!("export const a = {};\nPage({{}});", deep("{a:", "}")),
        ),
    ];
    // A manifest nested too deeply is a bundle error naming it, as its syntax errors are.
    let sb = Sandbox::with_app(&[INDEX], &[]);
    sb.write(
        "bundle/app.json",
        &format!("{{\"pages\": [\"{INDEX}\"], \"x\": {}}}", deep("[", "]")),
    );
    sb.run(&[])
        .expect_status(2)
        .stderr_has("error: app.json: invalid JSON");
    for (file, js) in cases {
        let sb = Sandbox::with_app(&[INDEX], &[(file, &js), ("x.js", "export default 1;")]);
        let r = sb.run(&[]);
        r.expect_status(2).stderr_has(&format!("error: {file}"));
        assert!(!r.stderr.contains("ftrun:js"), "{}", r.stderr);
        sb.ftrun(&["check", sb.bundle().to_str().unwrap()])
            .expect_status(1)
            .stdout_has(file)
            .stdout_has("error");
    }
}

#[test]
fn a_long_require_chain_is_the_app_s_own_stack_overflow() {
    let mut files: Vec<(String, String)> = (0..300)
        .map(|i| (format!("m{i}.js"), format!("require('./m{}');", i + 1)))
        .collect();
    files.push(("m300.js".into(), "module.exports = 1;".into()));
    files.push(("app.js".into(), "require('./m0');\nApp({});".into()));
    let refs: Vec<(&str, &str)> = files
        .iter()
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    let sb = Sandbox::with_app(&[INDEX], &refs);
    let r = sb.run(&[]);
    r.expect_status(1)
        .stderr_has("Uncaught RangeError: Maximum call stack size exceeded\n    at <anonymous> (m");
    assert!(!r.stderr.contains("ftrun:js"), "{}", r.stderr);
}

#[test]
fn a_file_that_is_not_utf8_exits_2_naming_where() {
    let sb = Sandbox::with_app(&[INDEX], &[]);
    sb.write_bytes("bundle/app.js", b"App({});\nvar s = '\xff\xfe';\n");
    sb.run(&[])
        .expect_status(2)
        .stderr_has("error: app.js:2:10: not valid UTF-8 text");
}

#[test]
fn a_tiny_timeout_stops_the_app_not_the_prelude() {
    let sb = Sandbox::with_app(&[INDEX], &[]);
    let r = sb.run(&["--timeout", "0.0001"]);
    r.expect_status(124)
        .stderr_has("error: timed out after 0.0001 s (--timeout)");
    assert!(!r.stderr.contains("prelude"), "{}", r.stderr);
}

#[test]
fn lone_surrogates_print_and_store() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[(
            "app.js",
            r#"console.log('a\ud800b');
console.log(['x\udc00']);
wx.setStorageSync('k\ud800', 'v\udc00');
console.log(JSON.stringify(wx.getStorageSync('k\ud800')));
wx.setBackgroundFetchToken({ token: 't\ud800' })
  .then(() => wx.getBackgroundFetchToken())
  .then((r) => console.log('token', r.token.length, r.token === 't\ufffd'), (e) => console.log('fail', e.errMsg));
App({});"#,
        )],
    );
    let r = sb.run(&[]);
    r.expect_status(0);
    assert_eq!(
        r.lines(),
        [
            "a\u{FFFD}b",
            "[\"x\\udc00\"]",
            "\"v\\udc00\"",
            "token 2 true"
        ],
        "{}",
        r.stderr
    );
    assert_eq!(r.stderr, "");
}

/// ES modules compiled to CommonJS keep every statement boundary of the source: no line that
/// relied on automatic semicolon insertion joins the one before it.
#[test]
fn esm_conversion_keeps_automatic_semicolon_insertion() {
    let lib = r#"export default function f(o) { out.push('f ' + JSON.stringify(o)); return () => out.push('returned'); }
export function g(s) { out.push('g ' + s[0]); return 7; }
export const n = 5;
"#;
    let app = r#"import f, { g, n } from './lib'
globalThis.out = []
const a = 1
f({})
const b = 2
g`tpl`
let c = 3
f({ k: 1 })()
const arr = [1, 2]
;[3].forEach((x) => out.push('arr ' + x))
const d = 4
export { a }
(function () { out.push('iife') })()
const e = n
-1
out.push('e ' + e)
export { c }
`x${a}`
if (a) f('in if')
else g`else`
export { b }
/re/.test('re') && out.push('regex line')
for (const x of [1]) f('loop ' + x)
switch (a) { case 1: f('case') }
out.push('a+b+c+d ' + (a + b + c + d))
console.log(out.join(' | '))
App({})
"#;
    let sb = Sandbox::with_app(&[INDEX], &[("app.js", app), ("lib.js", lib)]);
    let r = sb.run(&[]);
    r.expect_status(0);
    assert_eq!(
        r.lines(),
        [
            "f {} | g tpl | f {\"k\":1} | returned | arr 3 | iife | e 4 | f \"in if\" | regex line | f \"loop 1\" | f \"case\" | a+b+c+d 10"
        ],
        "{}",
        r.stderr
    );
}

/// With `setting.useCompilerPlugins: ["typescript"]`, `.ts` files without a `.js` are loaded
/// with their types stripped and every line and column kept; without it they stay skipped.
#[test]
fn typescript_projects_run_when_the_project_compiles_typescript() {
    let sb = Sandbox::new();
    sb.write(
        "p/project.config.json",
        r#"{"appid": "wxts", "miniprogramRoot": "mp/", "setting": {"useCompilerPlugins": ["typescript"]}}"#,
    );
    sb.write("p/mp/app.json", r#"{"pages": ["pages/index/index"]}"#);
    sb.write(
        "p/mp/app.ts",
        "import { greet, Kind } from './utils/greet'\ninterface G { name: string }\nconst g: G = { name: 'ts' }\nApp<IAppOption>({ onLaunch() { console.log(greet(g.name), Kind.B, Kind[0]) } })\n",
    );
    sb.write(
        "p/mp/utils/greet.ts",
        "export enum Kind { A, B }\nexport function greet(who: string): string { return `hello ${who}` }\n",
    );
    sb.write(
        "p/mp/pages/index/index.ts",
        "type Q = Record<string, string>\nPage({\n  onLoad(q: Q) {\n    const n = (q as any).missing as number\n    n!.toFixed()\n  },\n})\n",
    );
    let p = sb.path("p");
    let r = sb.ftrun(&["run", p.to_str().unwrap()]);
    r.expect_status(1)
        .stdout_has("hello ts 1 A")
        .stderr_has("TypeError: cannot read property 'toFixed' of undefined")
        .stderr_has("(pages/index/index.ts:5:")
        .stderr_has("> 5 |     n!.toFixed()");
    sb.ftrun(&["check", p.to_str().unwrap()])
        .expect_status(1)
        .stdout_has("pages/index/index  error");
    // Without the setting, a TypeScript-only page is what it is.
    sb.write(
        "p/project.config.json",
        r#"{"appid": "wxts", "miniprogramRoot": "mp/"}"#,
    );
    sb.write("p/mp/app.js", "App({});");
    sb.ftrun(&["run", p.to_str().unwrap()])
        .expect_status(2)
        .stderr_has("page 'pages/index/index' is TypeScript only");
    sb.ftrun(&["check", p.to_str().unwrap()])
        .expect_status(1)
        .stdout_has("TypeScript only");
}

/// Components of an extended library (app.json `useExtendedLib`) come with the WeChat client:
/// a run leaves them out with one warning instead of failing to load them.
#[test]
fn extended_library_components_are_left_out_with_a_warning() {
    let sb = Sandbox::with_app(
        &[INDEX],
        &[
            (
                "app.json",
                r#"{"pages": ["pages/index/index"], "useExtendedLib": {"weui": true}, "usingComponents": {"mp-cell": "weui-miniprogram/cell/cell"}}"#,
            ),
            (
                "pages/index/index.json",
                r#"{"usingComponents": {"mp-dialog": "weui-miniprogram/dialog/dialog"}}"#,
            ),
            (
                "pages/index/index.js",
                "Page({ onLoad() { console.log('loaded'); } });",
            ),
        ],
    );
    let r = sb.run(&[]);
    r.expect_status(0).stdout_has("loaded");
    assert_eq!(
        r.stderr,
        "warning: components of the extended library 'weui' (app.json useExtendedLib) come with the WeChat client; ftrun leaves them out\n"
    );
}
