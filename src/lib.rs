//! ftrun runs WeChat/FinClip-style mini-program bundles headlessly.
//!
//! Architecture, in one paragraph: [`bundle`] reads a bundle from disk (app.json, the appId,
//! sandboxed file access). [`engine`] owns one QuickJS runtime per run: limits, a small set of
//! private native primitives, the JS prelude under `js/` that implements the mini-program
//! conventions on top of them (require, App/Page, the success/fail/complete-or-Promise adapter,
//! `ft`/`wx`), and an event loop that runs microtasks, timers and host events on one thread.
//! Capabilities beyond the core plug in as [`engine::Extension`]s (natives + their JS), the way
//! Deno's extensions do. [`store`] is the one redb database under everything that keeps state
//! (background fetch's tables, wx storage) with a run's not-yet-committed writes, which that
//! run's reads see at once. [`bgfetch`] is background fetch (wire format, hyper client, cold
//! start, daemon) and [`apis`] the other host-backed wx APIs (storage, request), both as engine
//! extensions. [`view`] is the view layer, also an extension: WXML files compile in Rust (over
//! WeChat's own parser) to JS units whose `{{ }}` are functions tagged with the data paths they
//! read and whose elements come with builders written out for them, and WXS files to functions in a scope of their own; `js/view/` builds the page tree
//! from them (elements, custom components with their shadow trees and lifetimes, slots),
//! re-runs only the bindings a `setData` path reaches, dispatches events through capture and
//! bubble phases, and answers selector queries; a rendered page also becomes a self-contained
//! HTML document, which [`browser`] (headless Chromium) turns into a picture; [`pictures`]
//! makes the HTML reports of test runs and checks, [`timeline`] the picture of a cold start
//! (`--timeline`). [`testrunner`] is `ftrun test`, and [`coverage`]
//! its `--coverage` (files instrumented with oxc as they compile, counts gathered per engine); [`mockserver`] the local endpoint used by
//! `serve`, tests and benchmarks. [`cli`] parses the command line and maps errors to exit
//! statuses. Threads: QuickJS runs on the main thread only, driven by the engine's own loop
//! (microtasks, a timer queue, host events over a channel); network and disk work runs on a
//! tokio runtime ([`io`]) and reaches JS only as events, so no JS value crosses threads. A cold
//! start drives that runtime on the main thread until its request is on the wire, then gives
//! it a thread of its own.

/// `errln!` that drops the line instead of panicking when stderr's reader has gone.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::engine::output::stderr_line(&format!($($arg)*))
    };
}

pub mod apis;
pub mod bgfetch;
pub mod browser;
pub mod bundle;
pub mod cli;
pub mod coverage;
pub mod engine;
pub mod io;
pub mod mockserver;
pub mod pictures;
pub mod store;
pub mod testrunner;
pub mod timeline;
pub mod view;
