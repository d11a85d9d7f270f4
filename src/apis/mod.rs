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
use crate::view::ViewExtension;
use request::{NetworkPolicy, RequestExtension};
use storage::StorageExtension;

/// What every app gets besides the core: the host-backed APIs (background fetch, storage,
/// request), bound to one appId and the run's services, and the view layer. One place builds
/// them for `run`, `check`, `render` and `ftrun test`.
pub struct Standard {
    pub bgfetch: BgFetchExtension,
    pub storage: StorageExtension,
    pub request: RequestExtension,
    pub view: ViewExtension,
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
            view: ViewExtension::default(),
        }
    }

    /// The extensions, in install order.
    pub fn list(&self) -> [&dyn Extension; 4] {
        [&self.bgfetch, &self.storage, &self.request, &self.view]
    }

    /// The extensions, then `extra` (a command's own, installed last).
    pub fn with<'a>(&'a self, extra: &'a dyn Extension) -> [&'a dyn Extension; 5] {
        [
            &self.bgfetch,
            &self.storage,
            &self.request,
            &self.view,
            extra,
        ]
    }
}
