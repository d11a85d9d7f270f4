//! wx/ft APIs backed by host services beyond background fetch: storage (in the same redb
//! database, per appId) and `wx.request` (through the same HTTP client), each an engine
//! extension with its JS in `js/`.

pub mod request;
pub mod storage;
