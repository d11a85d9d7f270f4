//! ftrun runs WeChat/FinClip-style mini-program bundles headlessly.
//!
//! Architecture, in one paragraph: [`bundle`] reads a bundle from disk (app.json, the appId,
//! sandboxed file access). [`engine`] owns one QuickJS runtime per run: limits, a small set of
//! private native primitives, the JS prelude under `js/` that implements the mini-program
//! conventions on top of them (require, App/Page, the success/fail/complete-or-Promise adapter,
//! `ft`/`wx`), and an event loop that runs microtasks, timers and host events on one thread.
//! Capabilities beyond the core plug in as [`engine::Extension`]s (natives + their JS), the way
//! Deno's extensions do. [`cli`] parses the command line and maps errors to exit statuses.

pub mod apis;
pub mod bgfetch;
pub mod bundle;
pub mod cli;
pub mod engine;
pub mod mockserver;
pub mod testrunner;
