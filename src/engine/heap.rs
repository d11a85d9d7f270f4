//! The JS heap's allocator: the C library's malloc (mimalloc, in the static musl build), with
//! the `--max-memory` limit enforced here instead of inside QuickJS, so that a refused
//! allocation is known. When the heap is full QuickJS cannot allocate even its "out of memory"
//! error and throws `null` instead; the flag set here lets the error reporting say
//! `InternalError: out of memory`, not `Uncaught null`.

use std::cell::Cell;
use std::rc::Rc;

use rquickjs::allocator::Allocator;

pub(crate) struct LimitedMalloc {
    limit: usize,
    used: usize,
    refused: Rc<Cell<bool>>,
}

impl LimitedMalloc {
    /// An allocator refusing past `limit` bytes; `refused` is set at each refusal.
    pub fn new(limit: usize, refused: Rc<Cell<bool>>) -> Self {
        LimitedMalloc {
            limit,
            used: 0,
            refused,
        }
    }

    fn admit(&mut self, size: usize) -> bool {
        if self.used.saturating_add(size) > self.limit {
            self.refused.set(true);
            return false;
        }
        true
    }

    fn track(&mut self, ptr: *mut u8) -> *mut u8 {
        if !ptr.is_null() {
            // SAFETY: `ptr` was just returned by the C allocator.
            self.used += unsafe { Self::usable_size(ptr) };
        }
        ptr
    }
}

// SAFETY: every pointer comes from the C library's malloc/calloc/realloc, which align to at
// least `usize` and give at least the size asked for; `usable_size` is malloc_usable_size.
unsafe impl Allocator for LimitedMalloc {
    fn alloc(&mut self, size: usize) -> *mut u8 {
        if !self.admit(size) {
            return std::ptr::null_mut();
        }
        // SAFETY: plain malloc; a null result is passed on to QuickJS, which handles it.
        let p = unsafe { libc::malloc(size.max(1)) } as *mut u8;
        self.track(p)
    }

    fn calloc(&mut self, count: usize, size: usize) -> *mut u8 {
        if !self.admit(count.saturating_mul(size)) {
            return std::ptr::null_mut();
        }
        // SAFETY: plain calloc (it checks count * size for overflow itself).
        let p = unsafe { libc::calloc(count.max(1), size.max(1)) } as *mut u8;
        self.track(p)
    }

    unsafe fn dealloc(&mut self, ptr: *mut u8) {
        // SAFETY: the caller passes a pointer from this allocator.
        unsafe {
            self.used = self.used.saturating_sub(Self::usable_size(ptr));
            libc::free(ptr as *mut libc::c_void);
        }
    }

    unsafe fn realloc(&mut self, ptr: *mut u8, new_size: usize) -> *mut u8 {
        if ptr.is_null() {
            return self.alloc(new_size);
        }
        // SAFETY: the caller passes a pointer from this allocator.
        let old = unsafe { Self::usable_size(ptr) };
        if new_size > old && !self.admit(new_size - old) {
            return std::ptr::null_mut();
        }
        // SAFETY: as above; on failure the old block stays valid and accounted for.
        let p = unsafe { libc::realloc(ptr as *mut libc::c_void, new_size.max(1)) } as *mut u8;
        if !p.is_null() {
            self.used = self.used.saturating_sub(old);
            self.track(p);
        }
        p
    }

    unsafe fn usable_size(ptr: *mut u8) -> usize {
        // SAFETY: the caller passes a live pointer from the C allocator.
        unsafe { libc::malloc_usable_size(ptr as *mut libc::c_void) }
    }
}
