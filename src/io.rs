//! The tokio runtime that runs network and disk work beside the JS thread. It is created on
//! first use, so a run that makes no request and writes nothing never starts its threads.

use std::cell::OnceCell;
use std::rc::Rc;

use tokio::runtime::{Handle, Runtime};

pub struct Io {
    workers: usize,
    given: Option<Handle>,
    rt: OnceCell<Result<Runtime, String>>,
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
                .map_err(|e| format!("cannot start the I/O runtime: {e}"))
        });
        rt.as_ref()
            .map(|r| r.handle().clone())
            .map_err(Clone::clone)
    }

    /// Ends the runtime if it was started: waiting for its tasks, or (`abandon`) not.
    pub fn shutdown(self, abandon: bool) {
        if let Some(Ok(rt)) = self.rt.into_inner() {
            if abandon {
                rt.shutdown_background();
            } else {
                drop(rt);
            }
        }
    }
}
