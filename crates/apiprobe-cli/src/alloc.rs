//! The process's allocator: mimalloc, entered by its plain functions where the alignment allows.
//!
//! Explaining builds many short strings per response; glibc's malloc spends a tenth of a batch run on
//! them, mimalloc much less. mimalloc is built without transparent huge pages: with them, the first touch
//! of its arena zeroes 2 MB pages, which doubles the start-up time of a one-shot command such as `lookup`.
//!
//! `mimalloc::MiMalloc` sends every request through `mi_malloc_aligned`, a longer path than `mi_malloc`
//! even for the alignments `mi_malloc` always gives; in `explain --batch` that is 3% of all instructions.
//! So requests that `mi_malloc` satisfies as they are go to it, as the standard library's own `System`
//! allocator does with `malloc`, and the rest to the aligned functions.

use libmimalloc_sys as mi;
use std::alloc::{GlobalAlloc, Layout};
use std::ffi::c_void;

/// The alignment every `mi_malloc` block has (`MI_MAX_ALIGN_SIZE`) when it is at least this large.
const PLAIN_ALIGN: usize = 16;

/// Whether `mi_malloc(size)` is aligned enough for `align`: blocks are aligned to their size class up to
/// [`PLAIN_ALIGN`], so an alignment above the size is not promised.
fn plain(align: usize, size: usize) -> bool {
    align <= PLAIN_ALIGN && align <= size
}

/// A block for `layout` from `plain_fn` when it gives the alignment, else from `aligned_fn`.
///
/// # Safety
/// `plain_fn` and `aligned_fn` must be a mimalloc allocation function and its aligned twin.
#[inline]
unsafe fn new_block(
    layout: Layout,
    plain_fn: unsafe extern "C" fn(usize) -> *mut c_void,
    aligned_fn: unsafe extern "C" fn(usize, usize) -> *mut c_void,
) -> *mut u8 {
    // SAFETY: the caller passes mimalloc's functions, which take any size and alignment `Layout` allows.
    unsafe {
        if plain(layout.align(), layout.size()) {
            plain_fn(layout.size()).cast()
        } else {
            aligned_fn(layout.size(), layout.align()).cast()
        }
    }
}

pub struct Allocator;

// SAFETY: every request goes to mimalloc, which returns null on failure; blocks from either family of
// functions are freed and resized by `mi_free` and `mi_realloc*`, which accept both.
unsafe impl GlobalAlloc for Allocator {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: mimalloc takes any size and a power-of-two alignment, which `Layout` guarantees.
        unsafe { new_block(layout, mi::mi_malloc, mi::mi_malloc_aligned) }
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as in `alloc`.
        unsafe { new_block(layout, mi::mi_zalloc, mi::mi_zalloc_aligned) }
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, _layout: Layout) {
        // SAFETY: `ptr` came from this allocator, so from mimalloc.
        unsafe { mi::mi_free(ptr.cast::<c_void>()) }
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // SAFETY: `ptr` came from this allocator with `layout`; the new block keeps its alignment.
        unsafe {
            if plain(layout.align(), new_size) {
                mi::mi_realloc(ptr.cast::<c_void>(), new_size).cast()
            } else {
                mi::mi_realloc_aligned(ptr.cast::<c_void>(), new_size, layout.align()).cast()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_have_the_alignment_asked_for_and_keep_their_bytes() {
        let a = Allocator;
        for align in [1, 2, 4, 8, 16, 32, 64, 4096] {
            for size in [1, 3, 8, 15, 16, 17, 100, 5000] {
                let layout = Layout::from_size_align(size, align).unwrap();
                // SAFETY: a non-zero size; each block is written within its size and freed once.
                unsafe {
                    let p = a.alloc_zeroed(layout);
                    assert!(!p.is_null());
                    assert_eq!(p as usize % align, 0, "size {size} align {align}");
                    assert!((0..size).all(|i| *p.add(i) == 0));
                    p.write_bytes(0xab, size);
                    let q = a.realloc(p, layout, size * 3);
                    assert_eq!(q as usize % align, 0, "realloc: size {size} align {align}");
                    assert!((0..size).all(|i| *q.add(i) == 0xab));
                    a.dealloc(q, Layout::from_size_align(size * 3, align).unwrap());
                    let p = a.alloc(layout);
                    assert_eq!(p as usize % align, 0);
                    a.dealloc(p, layout);
                }
            }
        }
    }
}
