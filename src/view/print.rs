//! `ftrun render`'s engine side: cold start to the launch page's onReady, then the page tree
//! printed by `js/view/print.js` (indented WXML or JSON).

use std::cell::RefCell;
use std::rc::Rc;

use rquickjs::prelude::{Func, Opt};
use rquickjs::{Ctx, Object};

use crate::bundle::Bundle;
use crate::engine::{
    Device, Engine, Extension, Host, JsSource, Launch, Progress, Text, Until, boot_payload,
    js_source,
};

/// Receives the printed tree.
#[derive(Default)]
pub struct PrintExtension {
    printed: Rc<RefCell<Option<Option<String>>>>,
}

impl Extension for PrintExtension {
    fn js_sources(&self) -> &'static [JsSource] {
        const JS: &[JsSource] = &[js_source!("view/print.js")];
        JS
    }

    fn install<'js>(
        &self,
        _ctx: &Ctx<'js>,
        native: &Object<'js>,
        _host: &Rc<Host>,
    ) -> rquickjs::Result<()> {
        let printed = self.printed.clone();
        native.set(
            "printedTree",
            Func::from(move |text: Opt<Option<Text>>| {
                *printed.borrow_mut() = Some(text.0.flatten().map(|t| t.0));
            }),
        )
    }
}

/// How far `render` runs before printing.
pub struct RenderOptions {
    pub json: bool,
    /// The parts of an HTML document (`view::html::PageParts` as JSON) instead of WXML.
    pub html: bool,
    /// Run until idle (timers, requests) instead of printing right after onReady.
    pub idle: bool,
    pub device: Option<Device>,
}

/// What a render produced: the tree (None when no page was open) and the engine, whose
/// outcome says how the run went.
pub struct Rendered {
    pub tree: Option<String>,
    pub engine: Engine,
}

/// Cold-starts `bundle` in `engine` (built with `print` among its extensions) and prints.
pub fn render(
    mut engine: Engine,
    print: &PrintExtension,
    bundle: &Bundle,
    launch: &Launch,
    opts: &RenderOptions,
) -> Rendered {
    let mut p = engine.start("boot", &boot_payload(bundle, launch, opts.device));
    if opts.idle && p != Progress::Stopped {
        p = engine.run_until(Until::Idle);
    }
    if p != Progress::Stopped {
        engine.start(
            "printTree",
            &serde_json::json!({ "json": opts.json, "html": opts.html }),
        );
    }
    let tree = print.printed.borrow_mut().take().flatten();
    Rendered { tree, engine }
}
