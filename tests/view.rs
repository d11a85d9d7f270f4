//! The view layer as a user meets it on the command line: `ftrun render` (WXML and JSON),
//! template errors under `run`, `render` and `check` with their `file:line:column`. What a page
//! renders and how it behaves is tested in `fixtures/view/tests` through the element API.

mod common;
use common::*;

const PAGE: &str = "pages/a/a";

fn app(wxml: &str, js: &str) -> Sandbox {
    Sandbox::with_app(
        &[PAGE],
        &[
            ("pages/a/a.wxml", wxml),
            ("pages/a/a.js", js),
            (
                "pages/a/a.json",
                r#"{"usingComponents": {"badge": "/components/badge/badge"}}"#,
            ),
            ("components/badge/badge.json", r#"{"component": true}"#),
            (
                "components/badge/badge.wxml",
                "<text class=\"n\">#{{n}}</text><slot/>",
            ),
            (
                "components/badge/badge.js",
                "Component({ properties: { n: Number } });",
            ),
        ],
    )
}

#[test]
fn render_prints_the_page_after_on_ready_with_components_shadow_content() {
    let sb = app(
        "<view class=\"list\">\n  <badge wx:for=\"{{items}}\" wx:key=\"*this\" n=\"{{item}}\">  <text>in slot {{item}}</text></badge>\n  <text wx:if=\"{{ready}}\">ready &amp; &lt;done&gt;</text>\n</view>\n",
        "Page({ data: { items: [1], ready: false }, onLoad() { this.setData({ 'items[1]': 2 }); }, onReady() { this.setData({ ready: true }); } });",
    );
    let r = sb.ftrun(&["render", sb.bundle().to_str().unwrap()]);
    r.expect_status(0);
    assert_eq!(
        r.lines(),
        vec![
            "<page>",
            "  <view class=\"list\">",
            "    <badge>",
            "      <text class=\"badge--n\">#1</text>",
            "      <text>in slot 1</text>",
            "    </badge>",
            "    <badge>",
            "      <text class=\"badge--n\">#2</text>",
            "      <text>in slot 2</text>",
            "    </badge>",
            "    <text>ready &amp; &lt;done&gt;</text>",
            "  </view>",
            "</page>",
        ]
    );
    let r = sb.ftrun(&["render", sb.bundle().to_str().unwrap(), "--json"]);
    r.expect_status(0);
    let tree: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON tree");
    assert_eq!(
        tree["children"][0]["children"][0],
        serde_json::json!({
            "tag": "badge", "attrs": {}, "component": "components/badge/badge",
            "children": [{ "tag": "text", "attrs": { "class": "badge--n" }, "children": ["#1"] },
                         { "tag": "text", "attrs": {}, "children": ["in slot 1"] }]
        })
    );
}

#[test]
fn render_takes_the_launch_page_and_query() {
    let sb = Sandbox::with_app(
        &["pages/a/a", "pages/b/b"],
        &[
            ("pages/b/b.wxml", "<text>id={{id}}</text>"),
            (
                "pages/b/b.js",
                "Page({ data: { id: '' }, onLoad(q) { this.setData({ id: q.id }); } });",
            ),
        ],
    );
    let r = sb.ftrun(&[
        "render",
        sb.bundle().to_str().unwrap(),
        "--path",
        "pages/b/b",
        "--query",
        "id=7",
    ]);
    r.expect_status(0);
    assert_eq!(r.lines(), vec!["<page>", "  <text>id=7</text>", "</page>"]);
    let r = sb.ftrun(&[
        "render",
        sb.bundle().to_str().unwrap(),
        "--path",
        "pages/zz",
    ]);
    r.expect_status(2);
    assert!(r.stderr.contains("--path 'pages/zz'"), "{}", r.stderr);
}

#[test]
fn template_errors_stop_run_and_render_with_file_line_column() {
    for (wxml, want) in [
        (
            "<view>\n  <text>{{a + }}</text>\n</view>",
            "pages/a/a.wxml:2:15: unexpected character inside expression",
        ),
        (
            "<view>\n<text>x</text>\n",
            "pages/a/a.wxml:1:2: missing end tag",
        ),
        (
            "<import src=\"./nope\"/>",
            "pages/a/a.wxml:1:9: './nope' not found (no file pages/a/nope.wxml)",
        ),
        (
            "<view>\n  <template is=\"missing\"/>\n</view>",
            "pages/a/a.wxml:2:3: template \"missing\" is not defined",
        ),
        (
            "<wxs module=\"m\">\nvar x = ;\n</wxs>",
            "pages/a/a.wxml:2:9: SyntaxError",
        ),
        ("<plug/>", ""),
    ] {
        let sb = app(wxml, "Page({});");
        if wxml == "<plug/>" {
            sb.write(
                "bundle/pages/a/a.json",
                r#"{"usingComponents": {"plug": "plugin://chart/line"}}"#,
            );
        }
        for cmd in ["run", "render"] {
            let r = sb.ftrun(&[cmd, sb.bundle().to_str().unwrap()]);
            r.expect_status(2);
            let want = if want.is_empty() {
                "pages/a/a.wxml:1:1: <plug> is a plugin component (plugin://chart/line); ftrun does not run plugins"
            } else {
                want
            };
            assert!(
                r.stderr.contains(&format!("error: {want}")),
                "{cmd} {wxml:?}: {}",
                r.stderr
            );
            assert!(!r.stderr.contains("panicked"), "{}", r.stderr);
            if cmd == "render" {
                assert_eq!(
                    r.stdout, "",
                    "no tree is printed for a page that cannot render"
                );
            }
        }
    }
}

#[test]
fn check_renders_every_page_and_files_template_errors_as_rows() {
    let sb = Sandbox::with_app(
        &["pages/ok/ok", "pages/bad/bad", "pages/comp/comp"],
        &[
            ("pages/ok/ok.wxml", "<view>{{a}}</view>"),
            (
                "pages/bad/bad.wxml",
                "<view>\n\n  <text>{{a +}}</text></view>",
            ),
            ("pages/comp/comp.wxml", "<view>\n  <missing-comp/>\n</view>"),
            (
                "pages/comp/comp.json",
                r#"{"usingComponents": {"missing-comp": "/components/none/none"}}"#,
            ),
        ],
    );
    let r = sb.ftrun(&["check", sb.bundle().to_str().unwrap(), "--json"]);
    r.expect_status(1);
    let rows: Vec<serde_json::Value> = serde_json::from_str(&r.stdout).expect("JSON rows");
    let row = |page: &str| {
        rows.iter()
            .find(|x| x["page"] == page)
            .cloned()
            .unwrap_or_default()
    };
    assert_eq!(row("pages/ok/ok")["status"], "ok");
    let bad = row("pages/bad/bad");
    assert_eq!(
        (
            bad["status"].as_str(),
            bad["file"].as_str(),
            bad["line"].as_u64(),
            bad["column"].as_u64()
        ),
        (Some("error"), Some("pages/bad/bad.wxml"), Some(3), Some(14))
    );
    assert_eq!(bad["message"], "unexpected character inside expression");
    assert_eq!(row("pages/comp/comp")["status"], "error");
}

#[test]
fn extended_library_components_render_as_placeholders_with_one_warning() {
    let sb = Sandbox::with_app(
        &[PAGE],
        &[
            (
                "app.json",
                r#"{"pages": ["pages/a/a"], "useExtendedLib": {"weui": true}}"#,
            ),
            (
                "pages/a/a.json",
                r#"{"usingComponents": {"mp-cell": "weui-miniprogram/cell/cell", "mp-dialog": "weui-miniprogram/dialog/dialog"}}"#,
            ),
            (
                "pages/a/a.wxml",
                "<mp-cell title=\"{{t}}\"><text>inside</text></mp-cell><mp-dialog show/>",
            ),
            ("pages/a/a.js", "Page({ data: { t: 'T' } });"),
        ],
    );
    let r = sb.ftrun(&["render", sb.bundle().to_str().unwrap()]);
    r.expect_status(0);
    assert_eq!(
        r.lines(),
        vec![
            "<page>",
            "  <mp-cell title=\"T\">",
            "    <text>inside</text>",
            "  </mp-cell>",
            "  <mp-dialog show></mp-dialog>",
            "</page>"
        ]
    );
    assert_eq!(
        r.stderr.matches("extended library 'weui'").count(),
        1,
        "{}",
        r.stderr
    );
    let r = sb.ftrun(&["check", sb.bundle().to_str().unwrap()]);
    r.expect_status(0);
}

#[test]
fn a_page_of_thousands_of_elements_under_one_root_renders_in_document_order() {
    // Read from descriptions (built once), and by the root's compiled builder
    // (FTRUN_VIEW_HOT=0), which holds 200 nodes a function and builds the rest in functions
    // of its own: the same tree, in document order, either way.
    let mut wxml = String::from("<view id=\"root\">");
    for i in 0..3000 {
        wxml.push_str(&format!(
            "<view class=\"c{i}\"><text>{{{{n}}}}-{i}</text></view>"
        ));
    }
    wxml.push_str("<badge n=\"{{n}}\"/></view>");
    let sb = app(&wxml, "Page({ data: { n: 7 } });");
    let mut outputs = Vec::new();
    for hot in ["8", "0"] {
        let r = Run::from(
            sb.cmd(&["render", sb.bundle().to_str().unwrap()])
                .env("FTRUN_VIEW_HOT", hot)
                .output()
                .expect("run ftrun"),
        );
        r.expect_status(0);
        let lines = r.lines();
        assert_eq!(lines[2], "    <view class=\"c0\">", "{:?}", &lines[..4]);
        assert_eq!(lines[3], "      <text>7-0</text>");
        let last = lines
            .iter()
            .position(|l| l.contains("c2999"))
            .expect("the last one");
        assert_eq!(lines[last + 1], "      <text>7-2999</text>");
        assert!(
            lines.iter().any(|l| l.contains("#7")),
            "the component at the end"
        );
        outputs.push(r.stdout);
    }
    assert_eq!(outputs[0], outputs[1]);
}

#[test]
fn every_view_fixture_passes_with_elements_built_by_compiled_builders_from_the_first_time() {
    // Elements are read from their description until built a few times, then built by the
    // builder the compiler wrote; the fixtures mostly render once, so run them both ways.
    let sb = Sandbox::new();
    let fixtures = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/view");
    for hot in ["0", "1000000"] {
        let r = Run::from(
            sb.cmd(&["test", fixtures.to_str().unwrap()])
                .env("FTRUN_VIEW_HOT", hot)
                .output()
                .expect("run ftrun"),
        );
        assert_eq!(
            r.status, 0,
            "FTRUN_VIEW_HOT={hot}:\n{}{}",
            r.stdout, r.stderr
        );
        assert!(r.stdout.contains(" 0 failed"), "{}", r.stdout);
    }
}
