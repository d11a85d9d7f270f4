//! `ftrun render --html`: the launch page as one self-contained HTML document. The tree comes
//! from `js/view/html.js` (built-ins as `wx-*` elements, classes with their isolation
//! prefixes); its stylesheets are compiled here by WeChat's own WXSS compiler
//! (glass-easel-stylesheet-compiler: `rpx` to `vw`, tag selectors to `wx-*`, a component's
//! classes prefixed), `@import`s inlined; images become `data:` URLs; the frame (status and
//! navigation bars from `app.json`'s `window` and the page's JSON, the tab bar) and WeChat's
//! default looks come from `assets/render/`.

use glass_easel_stylesheet_compiler::{StyleSheetOptions, StyleSheetTransformer};
use serde::Deserialize;
use serde_json::Value;

use crate::pictures::escape_html as escape;

use crate::bundle::BundleFiles;

const PAGE_TEMPLATE: &str = include_str!("../../assets/render/page.html");
const BASE_CSS: &str = include_str!("../../assets/render/wechat.css");
/// What the compiler writes in place of an `@import` (a comment this module replaces).
const IMPORT_MARK: &str = "ftrun-import";

/// What `js/view/html.js` hands over.
#[derive(Debug, Deserialize)]
pub struct PageParts {
    pub route: String,
    pub body: String,
    pub sheets: Vec<SheetRef>,
    #[serde(rename = "tabBar")]
    pub tab_bar: Option<String>,
}

/// A stylesheet that applies to the page: the page's or a component's (with its class prefix).
#[derive(Debug, Deserialize)]
pub struct SheetRef {
    pub path: String,
    pub prefix: String,
}

/// The whole document.
pub fn document(files: &BundleFiles, app_json: &Value, parts: &PageParts) -> String {
    let page_json: Value = files
        .read_text(&format!("{}.json", parts.route))
        .ok()
        .and_then(|t| serde_json::from_str(&t).ok())
        .unwrap_or(Value::Null);
    let window = |key: &str| -> Option<String> {
        let v = page_json
            .get(key)
            .or_else(|| app_json.get("window").and_then(|w| w.get(key)))?;
        Some(match v {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        })
    };

    // app.wxss first, the components', then the page's own (as WeChat orders them).
    let mut css = compile(files, "app.wxss", "");
    let (page, components): (Vec<&SheetRef>, Vec<&SheetRef>) = parts
        .sheets
        .iter()
        .partition(|s| s.path == format!("{}.wxss", parts.route));
    for s in components.iter().chain(page.iter()) {
        css.push_str(&compile(files, &s.path, &s.prefix));
    }

    let title = window("navigationBarTitleText").unwrap_or_default();
    let text_color = match window("navigationBarTextStyle").as_deref() {
        Some("black") => "#000000",
        _ => "#ffffff",
    };
    let nav_style = format!(
        "background-color:{};color:{text_color}",
        css_value(&window("navigationBarBackgroundColor").unwrap_or_else(|| "#000000".into()))
    );
    let mut body_class = Vec::new();
    if window("navigationStyle").as_deref() == Some("custom") {
        body_class.push("ftrun-custom-navigation");
    }
    let tab_bar = tab_bar(files, app_json, parts);
    if tab_bar.is_some() {
        body_class.push("ftrun-with-tab-bar");
    }
    let mut base = BASE_CSS.to_string();
    if let Some(bg) = window("backgroundColor") {
        base.push_str(&format!(
            "\nbody {{ background-color: {}; }}\n",
            css_value(&bg)
        ));
    }
    crate::pictures::fill(
        PAGE_TEMPLATE,
        &[
            ("ROUTE", &escape(&parts.route)),
            (
                "TITLE",
                &escape(if title.is_empty() {
                    &parts.route
                } else {
                    &title
                }),
            ),
            ("BASE_CSS", &base),
            ("APP_CSS", &style_text(&css)),
            ("BODY_CLASS", &body_class.join(" ")),
            ("NAV_STYLE", &escape(&nav_style)),
            ("NAV_TITLE", &escape(&title)),
            ("PAGE", &parts.body),
            ("TAB_BAR", &tab_bar.unwrap_or_default()),
        ],
    )
}

/// One stylesheet compiled for the page, its imports inlined; "" when the file is not there.
fn compile(files: &BundleFiles, path: &str, prefix: &str) -> String {
    let mut seen = Vec::new();
    compile_inner(files, path, prefix, &mut seen)
}

fn compile_inner(files: &BundleFiles, path: &str, prefix: &str, seen: &mut Vec<String>) -> String {
    if seen.iter().any(|p| p == path) {
        return String::new();
    }
    seen.push(path.to_string());
    let Ok(source) = files.read_text(path) else {
        return String::new();
    };
    let options = StyleSheetOptions {
        tag_name_prefix: Some("wx-".into()),
        class_prefix: (!prefix.is_empty()).then(|| prefix.to_string()),
        import_sign: Some(IMPORT_MARK.into()),
        ..StyleSheetOptions::default()
    };
    let mut compiled = String::new();
    if StyleSheetTransformer::from_css(path, &source, options)
        .output()
        .write_str(&mut compiled)
        .is_err()
    {
        return String::new();
    }
    // `/*ftrun-import <url-encoded path>*/` → that file, compiled the same way.
    let marker = format!("/*{IMPORT_MARK} ");
    let mut out = String::with_capacity(compiled.len());
    let mut rest = compiled.as_str();
    while let Some(start) = rest.find(&marker) {
        out.push_str(&rest[..start]);
        let after = &rest[start + marker.len()..];
        let Some(end) = after.find("*/") else {
            rest = after;
            break;
        };
        let target = urlencoding::decode(&after[..end]).map(|c| c.into_owned());
        if let Some(file) = target.ok().and_then(|t| import_path(path, &t)) {
            out.push_str(&compile_inner(files, &file, prefix, seen));
        }
        rest = &after[end + 2..];
    }
    out.push_str(rest);
    out.push('\n');
    out
}

/// The bundle path an `@import` in `from` names (`.wxss` added when it has no extension).
fn import_path(from: &str, target: &str) -> Option<String> {
    let joined = match target.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None => match from.rsplit_once('/') {
            Some((dir, _)) => format!("{dir}/{target}"),
            None => target.to_string(),
        },
    };
    let mut file = crate::bundle::normalize(&joined)?;
    if !file.ends_with(".wxss") && !file.ends_with(".css") {
        file.push_str(".wxss");
    }
    Some(file)
}

/// The tab bar: the custom one's tree, or `app.json`'s list, when the page is one of its tabs.
fn tab_bar(files: &BundleFiles, app_json: &Value, parts: &PageParts) -> Option<String> {
    let bar = app_json.get("tabBar")?;
    let list = bar.get("list")?.as_array()?;
    let is_tab = |item: &Value| {
        item.get("pagePath")
            .and_then(Value::as_str)
            .is_some_and(|p| p.trim_start_matches('/').trim_end_matches(".html") == parts.route)
    };
    if !list.iter().any(is_tab) {
        return None;
    }
    if bar.get("custom").and_then(Value::as_bool) == Some(true) {
        let tree = parts.tab_bar.as_deref()?;
        return Some(format!("<div class=\"ftrun-tab-bar-custom\">{tree}</div>"));
    }
    let get = |key: &str, default: &str| {
        bar.get(key)
            .and_then(Value::as_str)
            .map_or_else(|| default.to_string(), css_value)
    };
    let (color, selected) = (get("color", "#7A7E83"), get("selectedColor", "#3cc51f"));
    let white = bar.get("borderStyle").and_then(Value::as_str) == Some("white");
    let mut html = format!(
        "<div class=\"ftrun-tab-bar{}\" style=\"background-color:{}\">",
        if white { " ftrun-tab-bar-white" } else { "" },
        escape(&get("backgroundColor", "#f7f7fa"))
    );
    for item in list {
        let current = is_tab(item);
        let text = item.get("text").and_then(Value::as_str).unwrap_or("");
        let icon_key = if current {
            "selectedIconPath"
        } else {
            "iconPath"
        };
        let icon = item
            .get(icon_key)
            .or_else(|| item.get("iconPath"))
            .and_then(Value::as_str)
            .and_then(|p| data_url(files, p.trim_start_matches('/')));
        html.push_str(&format!(
            "<div class=\"ftrun-tab{}\" style=\"color:{}\">",
            if current { " ftrun-tab-current" } else { "" },
            escape(if current { &selected } else { &color })
        ));
        if let Some(url) = icon {
            html.push_str(&format!("<img src=\"{}\" alt=\"\">", escape(&url)));
        }
        html.push_str(&format!("<span>{}</span></div>", escape(text)));
    }
    html.push_str("</div>");
    Some(html)
}

/// An image of the bundle as a `data:` URL (`src` as a template wrote it, relative to `dir`);
/// `data:` URLs pass; remote ones are left out (the document loads nothing).
pub fn asset_url(files: &BundleFiles, src: &str, dir: &str) -> Option<String> {
    if src.starts_with("data:") {
        return Some(src.to_string());
    }
    if src.contains("://") || src.starts_with("//") {
        return None;
    }
    let joined = match src.strip_prefix('/') {
        Some(abs) => abs.to_string(),
        None if dir.is_empty() => src.to_string(),
        None => format!("{}/{src}", dir.trim_start_matches('/')),
    };
    data_url(files, &crate::bundle::normalize(&joined)?)
}

fn data_url(files: &BundleFiles, path: &str) -> Option<String> {
    let bytes = files.read_bytes(path).ok()?;
    let ext = path
        .rsplit_once('.')
        .map_or("", |(_, e)| e)
        .to_ascii_lowercase();
    let mime = match ext.as_str() {
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "svg" => "image/svg+xml",
        "bmp" => "image/bmp",
        _ => "application/octet-stream",
    };
    Some(format!(
        "data:{mime};base64,{}",
        crate::apis::request::base64(&bytes)
    ))
}

/// A colour or length from JSON config, kept to what CSS can hold in an attribute.
fn css_value(v: &str) -> String {
    v.chars()
        .filter(|c| c.is_ascii_alphanumeric() || "#(),.% -".contains(*c))
        .collect()
}

/// CSS text inside `<style>`: `</style` would end the element early.
fn style_text(css: &str) -> String {
    css.replace("</", "<\\/")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bundle(files: &[(&str, &str)]) -> (tempfile::TempDir, BundleFiles) {
        let dir = tempfile::tempdir().expect("tempdir");
        for (name, text) in files {
            let p = dir.path().join(name);
            std::fs::create_dir_all(p.parent().expect("parent")).expect("mkdir");
            std::fs::write(p, text).expect("write");
        }
        let files = BundleFiles::open(dir.path()).expect("open");
        (dir, files)
    }

    #[test]
    fn stylesheets_get_wechat_prefixes_rpx_and_their_imports() {
        let (_dir, files) = bundle(&[
            (
                "c/c.wxss",
                "@import './base';\n.box { width: 750rpx; margin: -15rpx }\nview { color: red }",
            ),
            ("c/base.wxss", ".base { color: #ff0 }"),
        ]);
        let css = compile(&files, "c/c.wxss", "my-c");
        assert!(css.contains(".my-c--base"), "{css}");
        assert!(css.contains(".my-c--box"), "{css}");
        assert!(css.contains("100vw"), "{css}");
        assert!(css.contains("-2vw"), "{css}");
        assert!(css.contains("wx-view"), "{css}");
        assert!(
            !css.contains("@import") && !css.contains(IMPORT_MARK),
            "{css}"
        );
        // A page's sheet keeps its classes as written.
        let css = compile(&files, "c/base.wxss", "");
        assert!(css.contains(".base") && !css.contains("--base"), "{css}");
    }

    #[test]
    fn imports_that_cycle_are_read_once() {
        let (_dir, files) = bundle(&[
            ("a.wxss", "@import 'b.wxss'; .a{}"),
            ("b.wxss", "@import 'a.wxss'; .b{}"),
        ]);
        let css = compile(&files, "a.wxss", "");
        assert_eq!(css.matches(".a").count(), 1, "{css}");
        assert_eq!(css.matches(".b").count(), 1, "{css}");
    }
}
