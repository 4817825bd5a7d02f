//! Keeping threads that wake up during interpreter shutdown from aborting.
//!
//! Before Python 3.14, a thread that takes the GIL back while the interpreter
//! is finalizing is ended with `pthread_exit`. Its forced unwind cannot cross
//! the `extern "C"` frames PyO3 generates, so the process would abort instead
//! of exiting. A thread that finishes TLS work (GIL released) during shutdown
//! therefore parks for good before reaching for the GIL, which is what Python
//! 3.14 does itself.

use std::ffi::{c_int, CStr};
use std::sync::OnceLock;

type IsFinalizing = unsafe extern "C" fn() -> c_int;

/// The interpreter's "is finalizing" query, looked up at run time: it is
/// `Py_IsFinalizing` from 3.13 and `_Py_IsFinalizing` before, and an abi3
/// module cannot link to either by name.
fn query() -> Option<IsFinalizing> {
    static QUERY: OnceLock<Option<IsFinalizing>> = OnceLock::new();
    *QUERY.get_or_init(|| {
        let names: [&CStr; 2] = [c"Py_IsFinalizing", c"_Py_IsFinalizing"];
        names.iter().find_map(|name| {
            // SAFETY: dlsym with RTLD_DEFAULT only searches the symbols already
            // loaded into the process; `name` is a valid C string.
            let ptr = unsafe { libc::dlsym(libc::RTLD_DEFAULT, name.as_ptr()) };
            if ptr.is_null() {
                None
            } else {
                // SAFETY: both symbols are `int (void)` functions in every
                // CPython version that exports them.
                Some(unsafe { std::mem::transmute::<*mut libc::c_void, IsFinalizing>(ptr) })
            }
        })
    })
}

/// Parks the calling thread for ever if the interpreter is finalizing.
/// Call only without the GIL, just before taking it back.
pub fn park_if_finalizing() {
    let Some(is_finalizing) = query() else {
        return;
    };
    // SAFETY: the query reads one interpreter flag and may be called without the GIL.
    if unsafe { is_finalizing() } != 0 {
        loop {
            std::thread::park();
        }
    }
}
