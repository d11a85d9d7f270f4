//! The tokio runtime that runs network and disk work beside the JS thread. It is created on
//! first use, so a run that makes no request and writes nothing never starts its threads.
//!
//! A cold start creates it differently ([`Io::drive_here_until`]): a current-thread runtime,
//! driven on the JS thread until the first request is on the wire, then handed to a thread of
//! its own. Nothing waits for a thread to start before that request leaves.

use std::cell::OnceCell;
use std::future::Future;
use std::rc::Rc;
use std::thread::JoinHandle;

use tokio::runtime::{Handle, Runtime};
use tokio::sync::oneshot;

pub struct Io {
    workers: usize,
    given: Option<Handle>,
    rt: OnceCell<Result<Started, String>>,
}

/// A runtime this `Io` started.
enum Started {
    /// Multi-threaded, with its own worker threads.
    Pool(Runtime),
    /// Current-thread, driven by `thread` until told to stop (with whether to abandon tasks).
    Driven {
        handle: Handle,
        stop: oneshot::Sender<bool>,
        thread: JoinHandle<()>,
    },
}

impl Started {
    fn handle(&self) -> Handle {
        match self {
            Started::Pool(rt) => rt.handle().clone(),
            Started::Driven { handle, .. } => handle.clone(),
        }
    }
}

fn runtime_error(e: std::io::Error) -> String {
    format!("cannot start the I/O runtime: {e}")
}

impl Io {
    /// A runtime with `workers` threads, built when first needed.
    pub fn lazy(workers: usize) -> Rc<Io> {
        Rc::new(Io {
            workers,
            given: None,
            rt: OnceCell::new(),
        })
    }

    /// An existing runtime (the test runner's, shared by every file).
    pub fn from_handle(handle: Handle) -> Rc<Io> {
        Rc::new(Io {
            workers: 0,
            given: Some(handle),
            rt: OnceCell::new(),
        })
    }

    pub fn handle(&self) -> Result<Handle, String> {
        if let Some(h) = &self.given {
            return Ok(h.clone());
        }
        let rt = self.rt.get_or_init(|| {
            tracing::trace!("io: starting the I/O runtime");
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(self.workers.max(1))
                .thread_name("ftrun-io")
                .enable_all()
                .build()
                .map(Started::Pool)
                .map_err(runtime_error)
        });
        rt.as_ref().map(Started::handle).map_err(Clone::clone)
    }

    /// Starts work on the runtime with `start`. When no runtime exists yet, it is built on
    /// this thread and driven here until `until` completes (bounded by the caller), then moved
    /// to a thread of its own; otherwise `start` runs on the existing one and this returns at
    /// once.
    pub fn drive_here_until(
        &self,
        start: impl FnOnce(&Handle),
        until: impl Future<Output = ()>,
    ) -> Result<(), String> {
        if self.given.is_some() || self.rt.get().is_some() {
            start(&self.handle()?);
            return Ok(());
        }
        tracing::trace!("io: starting the I/O runtime on this thread");
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(runtime_error)?;
        start(rt.handle());
        rt.block_on(until);
        let handle = rt.handle().clone();
        let (stop, stopped) = oneshot::channel();
        let thread = std::thread::Builder::new()
            .name("ftrun-io".into())
            .spawn(move || {
                // A dropped sender (the run ended without a shutdown) abandons the tasks.
                let abandon = rt.block_on(stopped).unwrap_or(true);
                if abandon {
                    rt.shutdown_background();
                }
            })
            .map_err(runtime_error)?;
        let _ = self.rt.set(Ok(Started::Driven {
            handle,
            stop,
            thread,
        }));
        Ok(())
    }

    /// Ends the runtime if it was started: waiting for its tasks, or (`abandon`) not.
    pub fn shutdown(self, abandon: bool) {
        match self.rt.into_inner() {
            Some(Ok(Started::Pool(rt))) => {
                if abandon {
                    rt.shutdown_background();
                } else {
                    drop(rt);
                }
            }
            Some(Ok(Started::Driven { stop, thread, .. })) => {
                let _ = stop.send(abandon);
                let _ = thread.join();
            }
            _ => {}
        }
    }
}
