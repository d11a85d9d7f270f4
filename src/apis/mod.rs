//! wx/ft APIs backed by host services beyond background fetch: storage (in the same redb
//! database, per appId) and `wx.request` (through the same HTTP client), each an engine
//! extension with its JS in `js/`.

pub mod request;
pub mod storage;

use std::rc::Rc;
use std::sync::Arc;

use crate::bgfetch::js_ext::BgFetchExtension;
use crate::bgfetch::service::Services;
use crate::engine::Extension;
use crate::io::Io;
use request::{NetworkPolicy, RequestExtension};
use storage::StorageExtension;

/// The host-backed APIs every app gets (background fetch, storage, request), bound to one
/// appId and the run's services: one place builds them for `run`, `check` and `ftrun test`.
pub struct Standard {
    pub bgfetch: BgFetchExtension,
    pub storage: StorageExtension,
    pub request: RequestExtension,
}

impl Standard {
    pub fn new(services: &Arc<Services>, app_id: &str, io: &Rc<Io>, policy: NetworkPolicy) -> Self {
        Standard {
            bgfetch: BgFetchExtension {
                services: services.clone(),
                app_id: app_id.to_string(),
                io: io.clone(),
            },
            storage: StorageExtension {
                services: services.clone(),
                app_id: app_id.to_string(),
                io: io.clone(),
            },
            request: RequestExtension {
                services: services.clone(),
                io: io.clone(),
                policy,
            },
        }
    }

    /// The extensions, in install order.
    pub fn list(&self) -> [&dyn Extension; 3] {
        [&self.bgfetch, &self.storage, &self.request]
    }
}
