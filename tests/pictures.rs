//! Pictures, checked in a real headless Chromium: `ftrun render --html/--png` of
//! `fixtures/pictures` (its colours are known: the PNG's pixels are checked where each part of
//! the page must be).

mod common;

use std::path::Path;

use common::{Sandbox, chromium, fixture, load_page};

/// The PNG's size and a pixel reader (RGB).
fn read_png(path: &Path) -> (u32, u32, impl Fn(u32, u32) -> [u8; 3]) {
    let file = std::fs::File::open(path).expect("open png");
    let mut decoder = png::Decoder::new(file);
    decoder.set_transformations(png::Transformations::normalize_to_color8());
    let mut reader = decoder.read_info().expect("png header");
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).expect("png frame");
    let channels = info.color_type.samples();
    let (w, h) = (info.width, info.height);
    let pixel = move |x: u32, y: u32| {
        let i = ((y * w + x) as usize) * channels;
        [buf[i], buf[i + 1], buf[i + 2]]
    };
    (w, h, pixel)
}

#[test]
fn render_png_draws_the_page_with_its_wxss_bars_and_images() {
    let Some(_) = chromium("render_png") else {
        return;
    };
    let sb = Sandbox::new();
    let png = sb.path("page.png");
    let html = sb.path("page.html");
    let bundle = fixture("pictures");
    sb.ftrun(&[
        "render",
        bundle.to_str().expect("utf8"),
        "--html",
        html.to_str().expect("utf8"),
        "--png",
        png.to_str().expect("utf8"),
    ])
    .expect_status(0);
    let (w, h, px) = read_png(&png);
    assert_eq!((w, h), (750, 1334), "375x667 at device pixel ratio 2");
    let near = |(x, y): (u32, u32), want: [u8; 3], what: &str| {
        let got = px(x, y);
        let close = got
            .iter()
            .zip(want)
            .all(|(g, w)| (*g as i32 - w as i32).abs() <= 8);
        assert!(close, "{what} at ({x}, {y}): {got:?}, expected {want:?}");
    };
    near(
        (20, 20),
        [0x33, 0x66, 0xcc],
        "navigation bar (app.json window)",
    );
    near(
        (700, 300),
        [0xff, 0, 0],
        "the page's .hero (200rpx high, below the 64 px bars)",
    );
    near((50, 378), [0, 0, 0xff], "the page's own .dot");
    near(
        (230, 420),
        [0, 0xff, 0],
        "the component's .dot (isolated: its own colour, 150rpx wide)",
    );
    near((50, 478), [0xff, 0, 0xff], "the bundle's image");
    near(
        (700, 1000),
        [0xff, 0xee, 0xcc],
        "page background (app.wxss page {})",
    );
    near((5, 1325), [0x22, 0x22, 0x22], "tab bar background");
    near((187, 1270), [0xcc, 0, 0], "the current tab's selected icon");
    near((562, 1270), [0x80, 0x80, 0x80], "the other tab's icon");

    // The document stands alone and loads without a console message.
    let doc = std::fs::read_to_string(&html).expect("html");
    assert!(
        !doc.contains("http://") && !doc.contains("https://"),
        "{doc}"
    );
    assert!(doc.contains("data:image/png;base64,"), "images inlined");
    let chrome = chromium("render_png").expect("found above");
    assert_eq!(load_page(&chrome, &html).1, Vec::<String>::new());
}

#[test]
fn render_png_viewport_and_a_missing_browser() {
    let sb = Sandbox::new();
    let bundle = fixture("pictures");
    let png = sb.path("wide.png");
    // No browser: a clear message, status 1, and no picture.
    let r = sb
        .cmd(&[
            "render",
            bundle.to_str().expect("utf8"),
            "--png",
            png.to_str().expect("utf8"),
        ])
        .env("FTRUN_CHROME", sb.path("no-such-chrome"))
        .output()
        .expect("run");
    let r = common::Run::from(r);
    r.expect_status(1).stderr_has("FTRUN_CHROME");
    assert!(!png.exists());
    let r = sb
        .cmd(&[
            "render",
            bundle.to_str().expect("utf8"),
            "--png",
            png.to_str().expect("utf8"),
        ])
        .env_remove("FTRUN_CHROME")
        .env("PATH", sb.path("empty"))
        .output()
        .expect("run");
    common::Run::from(r)
        .expect_status(1)
        .stderr_has("no headless Chromium");
    // --json with --png is a usage error.
    sb.ftrun(&[
        "render",
        bundle.to_str().expect("utf8"),
        "--json",
        "--png",
        "x.png",
    ])
    .expect_status(2);

    if chromium("render_png_viewport").is_none() {
        return;
    }
    sb.ftrun(&[
        "render",
        bundle.to_str().expect("utf8"),
        "--png",
        png.to_str().expect("utf8"),
        "--viewport",
        "414x896@3",
    ])
    .expect_status(0);
    let (w, h, px) = read_png(&png);
    assert_eq!((w, h), (1242, 2688));
    // rpx follows the screen: the hero is 200rpx = 110.4 px high at 414 px, below 64 px of bars.
    assert_eq!(px(600, (64 + 100) * 3), [0xff, 0, 0]);
}

/// In `ftrun test`: `page.screenshot({ path })` writes the page's picture, automator's
/// `miniProgram.screenshot()` resolves to it as base64, both at the launch's device size.
#[test]
fn screenshots_from_a_test_file() {
    if chromium("screenshots_from_a_test_file").is_none() {
        return;
    }
    let sb = Sandbox::new();
    let bundle = fixture("pictures");
    let shot = sb.path("shot.png");
    sb.write(
        "t/shots.test.js",
        &format!(
            r#"
const automator = require('miniprogram-automator');
test('page.screenshot writes a PNG', async () => {{
  const app = await ftrun.launch({{ bundle: {bundle:?}, device: '320x568@1' }});
  const page = await app.currentPage();
  await expect(page.screenshot({{ path: {shot:?} }})).resolves.toBeUndefined();
}});
test('miniProgram.screenshot resolves to base64 PNG', async () => {{
  const miniProgram = await automator.launch({{ projectPath: {bundle:?} }});
  const b64 = await miniProgram.screenshot();
  expect(b64.startsWith('iVBORw0KGgo')).toBe(true);
}});
"#,
            bundle = bundle.to_str().expect("utf8"),
            shot = shot.to_str().expect("utf8"),
        ),
    );
    let dir = sb.path("t");
    sb.ftrun(&["test", dir.to_str().expect("utf8")])
        .expect_status(0)
        .stdout_has("2 passed");
    let (w, h, px) = read_png(&shot);
    assert_eq!((w, h), (320, 568));
    assert_eq!(px(10, 10), [0x33, 0x66, 0xcc], "navigation bar");
}

/// The text of the element with `id` in a dumped DOM.
fn text_of(dom: &str, id: &str) -> String {
    let open = format!("id=\"{id}\">");
    let start = dom
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id} in\n{dom}"))
        + open.len();
    dom[start..start + dom[start..].find('<').expect("closing tag")].to_string()
}

#[test]
fn test_report_html_counts_what_the_run_counted() {
    let Some(chrome) = chromium("test_report_html") else {
        return;
    };
    let sb = Sandbox::new();
    sb.write(
        "t/a.test.js",
        "test('adds', () => expect(1 + 1).toBe(2));\ntest('</script><b>x</b>', () => {});\n",
    );
    sb.write(
        "t/b.test.js",
        "describe('math', () => {\n  test('fails', () => { expect({ a: 1 }).toEqual({ a: 2 }) });\n  test.skip('later', () => {});\n});\n",
    );
    let report = sb.path("out/report.html");
    let dir = sb.path("t");
    sb.ftrun(&[
        "test",
        dir.to_str().expect("utf8"),
        "--reporter",
        "html",
        "--output",
        report.to_str().expect("utf8"),
    ])
    .expect_status(1)
    .stdout_has("2 passed, 1 failed, 1 skipped");
    let (dom, console) = load_page(&chrome, &report);
    assert_eq!(console, Vec::<String>::new());
    assert_eq!(text_of(&dom, "count-passed"), "2");
    assert_eq!(text_of(&dom, "count-failed"), "1");
    assert_eq!(text_of(&dom, "count-skipped"), "1");
    assert_eq!(text_of(&dom, "count-total"), "4");
    assert_eq!(text_of(&dom, "count-files"), "2");
    assert_eq!(dom.matches("class=\"row test\"").count(), 4, "{dom}");
    assert!(dom.contains("math › fails"), "{dom}");
    // The failure with its diff and code frame, and a name that looks like markup as text.
    assert!(
        dom.contains("\"a\": 2,") && dom.contains("&gt; 2 |"),
        "{dom}"
    );
    assert!(dom.contains("&lt;/script&gt;&lt;b&gt;x&lt;/b&gt;"), "{dom}");
    // html needs a file.
    sb.ftrun(&["test", dir.to_str().expect("utf8"), "--reporter", "html"])
        .expect_status(2)
        .stderr_has("--output");
}

#[test]
fn check_html_groups_causes_and_names_each_error() {
    let Some(chrome) = chromium("check_html") else {
        return;
    };
    let sb = Sandbox::with_app(
        &["pages/a/a", "pages/b/b", "pages/c/c"],
        &[
            ("pages/b/b.js", "Page({ onLoad() { null.x } })"),
            ("pages/c/c.js", "Page({ onLoad() { undefined.y } })"),
        ],
    );
    let report = sb.path("check.html");
    let bundle = sb.bundle();
    sb.ftrun(&[
        "check",
        bundle.to_str().expect("utf8"),
        "--html",
        report.to_str().expect("utf8"),
    ])
    .expect_status(1);
    let (dom, console) = load_page(&chrome, &report);
    assert_eq!(console, Vec::<String>::new());
    assert_eq!(text_of(&dom, "count-ok"), "2", "app.js and pages/a/a");
    assert_eq!(text_of(&dom, "count-error"), "2");
    assert!(dom.contains("data-cause=\"app error\""), "{dom}");
    assert!(dom.contains("app error: <b>2</b>"), "{dom}");
    assert!(dom.contains("pages/b/b.js:1:"), "{dom}");
    assert!(dom.contains("pages/c/c.js:1:"), "{dom}");
    assert!(dom.contains("TypeError"), "{dom}");
}

/// A bundle whose launch page sets a timer and listens for background fetch.
fn timeline_app() -> Sandbox {
    Sandbox::with_app(
        &["pages/index/index"],
        &[
            (
                "app.js",
                "App({ onLaunch() { wx.onBackgroundFetchData((r) => console.log('got', r.fetchedData)) } })",
            ),
            (
                "pages/index/index.js",
                "Page({ onLoad() { setTimeout(() => {}, 5) }, onReady() {} })",
            ),
            ("pages/index/index.wxml", "<view>hi</view>"),
        ],
    )
}

/// `ftrun run --timeline <file>` of [`timeline_app`] against a local endpoint answering after
/// `delay_ms`; the sandbox (which holds the file) and the file's path.
fn run_with_timeline(file: &str, delay_ms: u64) -> (Sandbox, std::path::PathBuf) {
    let srv = common::Server::start();
    srv.route(
        "/pre",
        common::Route::ok("data").delay(std::time::Duration::from_millis(delay_ms)),
    );
    let sb = timeline_app();
    let out = sb.path(file);
    sb.run(&[
        "--prefetch-url",
        &srv.url("/pre"),
        "--timeline",
        out.to_str().expect("utf8"),
    ])
    .expect_status(0)
    .stdout_has("got data");
    (sb, out)
}

/// `ftrun run --timeline FILE.json`: Chrome's trace events, one per moment of the cold start,
/// in the order they happen; the prefetch request overlaps the code loading.
#[test]
fn timeline_json_is_a_chrome_trace_in_order() {
    let (_sb, trace) = run_with_timeline("t.json", 50);
    let v: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&trace).expect("trace")).expect("json");
    let events: Vec<&serde_json::Value> = v["traceEvents"]
        .as_array()
        .expect("traceEvents")
        .iter()
        .filter(|e| e["ph"] != "M")
        .collect();
    let at = |name: &str, ph: &str| -> f64 {
        events
            .iter()
            .find(|e| e["name"] == name && e["ph"] == ph)
            .unwrap_or_else(|| panic!("no {ph} {name} in {events:#?}"))["ts"]
            .as_f64()
            .expect("ts")
    };
    let order = [
        at("arguments parsed", "i"),
        at("manifests read", "i"),
        at("store read", "i"),
        at("prefetch request", "B"),
        at("load code", "B"),
        at("app.js", "B"),
        at("pages/index/index.js", "B"),
        at("App.onLaunch", "B"),
        at("render pages/index/index", "B"),
        at("Page[pages/index/index].onLoad", "B"),
        at("Page[pages/index/index].onReady", "B"),
        at("timer callback", "B"),
        at("response received", "i"),
        at("onBackgroundFetchData listener", "B"),
        at("idle", "i"),
        at("exit", "i"),
    ];
    assert!(order.windows(2).all(|w| w[0] <= w[1]), "{order:?}");
    // On the wire after it started (the code may start loading before: a cold start waits
    // at most 0.3 ms for the write), and answered after.
    let wire = at("request on the wire", "i");
    assert!(at("prefetch request", "B") <= wire && wire <= at("response received", "i"));
    // The request was in flight while the code loaded.
    assert!(at("prefetch request", "E") > at("load code", "E"));
    assert!(at("record committed", "E") <= at("idle", "i"));
    for e in &events {
        assert!(
            e["pid"] == 1 && e["tid"].is_u64() && e["ts"].is_f64(),
            "{e}"
        );
    }
}

/// `--timeline FILE.html`: the picture loads without a console message and has a bar or tick
/// per event, in the order they happened.
#[test]
fn timeline_html_draws_every_event() {
    let Some(chrome) = chromium("timeline_html") else {
        return;
    };
    let (_sb, page) = run_with_timeline("t.html", 0);
    let (dom, console) = load_page(&chrome, &page);
    assert_eq!(console, Vec::<String>::new());
    let bars = dom.matches("class=\"event ").count();
    let rows: Vec<&str> = dom
        .split("<tr data-name=\"")
        .skip(1)
        .map(|r| &r[..r.find('"').expect("quote")])
        .collect();
    assert_eq!(bars, rows.len(), "a bar per listed event\n{dom}");
    let pos = |name: &str| {
        rows.iter()
            .position(|r| *r == name)
            .unwrap_or_else(|| panic!("{name} not in {rows:?}"))
    };
    assert!(pos("arguments parsed") < pos("prefetch request"));
    assert!(pos("prefetch request") < pos("load code"));
    assert!(pos("load code") < pos("App.onLaunch"));
    assert!(pos("App.onLaunch") < pos("Page[pages/index/index].onReady"));
    assert!(pos("onBackgroundFetchData listener") < pos("exit"));
    assert!(
        dom.contains("title=\"prefetch request: "),
        "exact figures on hover"
    );
}

/// A tab page of an app with a custom tab bar shows that bar's tree, whether or not the page
/// asked for it; a page that is not a tab shows none.
#[test]
fn render_html_draws_the_custom_tab_bar_on_tab_pages() {
    let sb = Sandbox::new();
    let bundle = fixture("view");
    let html = sb.path("list.html");
    for (path, tab) in [("pages/list/list", true), ("pages/basics/basics", false)] {
        sb.ftrun(&[
            "render",
            bundle.to_str().expect("utf8"),
            "--path",
            path,
            "--html",
            html.to_str().expect("utf8"),
        ])
        .expect_status(0);
        let doc = std::fs::read_to_string(&html).expect("html");
        assert_eq!(
            doc.contains("<div class=\"ftrun-tab-bar-custom\">"),
            tab,
            "{path}"
        );
    }
}
