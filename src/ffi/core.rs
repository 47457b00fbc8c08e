//! Status codes, the error object, version queries, the panic boundary and the pointer
//! helpers every other `ffi` module uses.

use crate::error::{Error, Result, Status};
use std::ffi::{c_char, CString};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};

/// Status code returned by every fallible vyre function. `VYRE_OK` (0) means success;
/// values are never renumbered.
pub type vyre_status = i32;

/// Success.
pub const VYRE_OK: vyre_status = 0;
/// A required pointer argument was NULL.
pub const VYRE_ERROR_NULL_POINTER: vyre_status = 1;
/// An argument had an invalid value (bad enum value, zero size, reserved opcode, ...).
pub const VYRE_ERROR_INVALID_ARGUMENT: vyre_status = 2;
/// A caller-owned output buffer is too small; the required size is reported.
pub const VYRE_ERROR_INSUFFICIENT_SIZE: vyre_status = 3;
/// A target ring slot is still in flight (not EMPTY or DONE), or the queue is full.
pub const VYRE_ERROR_SLOT_IN_FLIGHT: vyre_status = 4;
/// A protocol buffer has the wrong length or inconsistent contents.
pub const VYRE_ERROR_MALFORMED_BUFFER: vyre_status = 5;
/// An index or value is outside the range the protocol allows.
pub const VYRE_ERROR_OUT_OF_RANGE: vyre_status = 6;
/// A size or counter computation overflowed.
pub const VYRE_ERROR_OVERFLOW: vyre_status = 7;
/// The operation is not supported by this build, adapter or object.
pub const VYRE_ERROR_UNSUPPORTED: vyre_status = 8;
/// Out of host/device memory, or a request exceeds the configured memory budget.
pub const VYRE_ERROR_OUT_OF_MEMORY: vyre_status = 9;
/// Shader source failed to parse or validate (the message carries naga's report).
pub const VYRE_ERROR_SHADER: vyre_status = 10;
/// The GPU device was lost and recovery failed.
pub const VYRE_ERROR_DEVICE_LOST: vyre_status = 11;
/// No GPU adapter matched the request.
pub const VYRE_ERROR_NO_ADAPTER: vyre_status = 12;
/// Other GPU backend failure.
pub const VYRE_ERROR_GPU: vyre_status = 13;
/// A wait exceeded its time limit.
pub const VYRE_ERROR_TIMEOUT: vyre_status = 14;
/// An internal panic was caught at the C boundary; the object involved is poisoned.
pub const VYRE_ERROR_PANIC: vyre_status = 15;
/// The object was poisoned by an earlier internal panic and must be destroyed.
pub const VYRE_ERROR_POISONED: vyre_status = 16;
/// A scan pattern failed to parse or compile.
pub const VYRE_ERROR_PATTERN: vyre_status = 17;
/// An input exceeds a configured size limit (for example the DFA size limit).
pub const VYRE_ERROR_TOO_LARGE: vyre_status = 18;
/// Operating-system I/O error.
pub const VYRE_ERROR_IO: vyre_status = 19;

/// Major version of this library (matches Cargo.toml).
pub const VYRE_VERSION_MAJOR: u32 = 0;
/// Minor version of this library.
pub const VYRE_VERSION_MINOR: u32 = 1;
/// Patch version of this library.
pub const VYRE_VERSION_PATCH: u32 = 0;
/// Packed version: MAJOR * 1000000 + MINOR * 1000 + PATCH (compare with `vyre_version()`).
pub const VYRE_VERSION_NUMBER: u32 = 1000;

// The packed number is derived by hand for cbindgen; keep it honest at compile time.
const _: () = assert!(
    VYRE_VERSION_NUMBER
        == VYRE_VERSION_MAJOR * 1_000_000 + VYRE_VERSION_MINOR * 1_000 + VYRE_VERSION_PATCH
);
const _: () = assert!(VYRE_OK == Status::Ok as i32 && VYRE_ERROR_IO == Status::Io as i32);

/// Error details for a failed call: status, a human-readable message, and for
/// `VYRE_ERROR_INSUFFICIENT_SIZE` the required size.
///
/// Ownership: created by vyre when a call fails and `out_error` is non-NULL; the caller
/// owns it and releases it with `vyre_error_free`. Thread safety: immutable, may be read
/// from any thread.
pub struct vyre_error {
    status: Status,
    message: CString,
    required: usize,
}

impl vyre_error {
    fn from_error(err: &Error) -> Self {
        // Interior NULs cannot appear in a C string; replace them instead of failing.
        let text = err.message.replace('\0', "\\0");
        vyre_error {
            status: err.status,
            message: CString::new(text).unwrap_or_default(),
            required: err.required,
        }
    }
}

/// Flag carried by handles: set when a panic escaped an operation on the object, after
/// which every call on it fails with `VYRE_ERROR_POISONED`.
#[derive(Default, Debug)]
pub struct Poison(AtomicBool);

impl Poison {
    pub fn check(&self) -> Result<()> {
        if self.0.load(Ordering::Acquire) {
            Err(Error::new(
                Status::Poisoned,
                "object poisoned by an earlier internal panic; destroy it and create a new one",
            ))
        } else {
            Ok(())
        }
    }
    pub fn set(&self) {
        self.0.store(true, Ordering::Release);
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "unknown panic payload".to_string()
    }
}

/// Store `err` into `*out_error` when the caller asked for details.
///
/// # Safety
/// `out_error` is NULL or points to writable storage for one pointer.
unsafe fn report(out_error: *mut *mut vyre_error, err: &Error) -> vyre_status {
    if !out_error.is_null() {
        *out_error = Box::into_raw(Box::new(vyre_error::from_error(err)));
    }
    err.status as vyre_status
}

/// Run an exported function body: catch panics, convert errors to a status and an
/// optional error object. Every `extern "C"` function goes through here (or
/// [`boundary_poison`] when it operates on a handle).
pub fn boundary<F>(out_error: *mut *mut vyre_error, body: F) -> vyre_status
where
    F: FnOnce() -> Result<()>,
{
    boundary_inner(out_error, None, body)
}

/// Like [`boundary`], for calls on a handle: refuse poisoned handles, and poison the
/// handle when the body panics.
pub fn boundary_poison<F>(out_error: *mut *mut vyre_error, poison: &Poison, body: F) -> vyre_status
where
    F: FnOnce() -> Result<()>,
{
    boundary_inner(out_error, Some(poison), body)
}

fn boundary_inner<F>(
    out_error: *mut *mut vyre_error,
    poison: Option<&Poison>,
    body: F,
) -> vyre_status
where
    F: FnOnce() -> Result<()>,
{
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        if let Some(p) = poison {
            p.check()?;
        }
        body()
    }));
    let err = match outcome {
        Ok(Ok(())) => return VYRE_OK,
        Ok(Err(err)) => err,
        Err(payload) => {
            if let Some(p) = poison {
                p.set();
            }
            Error::new(
                Status::Panic,
                format!(
                    "internal panic: {} (please report this as a vyre bug)",
                    panic_message(&*payload)
                ),
            )
        }
    };
    // SAFETY: the C contract for every function says out_error is NULL or valid.
    unsafe { report(out_error, &err) }
}

/// Panic boundary for exported functions that return a plain value instead of a status:
/// a panic yields `fallback` instead of unwinding into C.
pub fn guarded<T: Copy>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// An opaque C handle that carries a [`Poison`] flag.
pub trait Handle {
    fn poison(&self) -> &Poison;
}

/// Boundary for a call on a handle: NULL handle → `VYRE_ERROR_NULL_POINTER` naming it,
/// poisoned handle → `VYRE_ERROR_POISONED`, a panic in `body` poisons the handle.
///
/// # Safety
/// `handle` is NULL or points to a live `H` for the duration of the call.
pub unsafe fn with_handle<H: Handle>(
    out_error: *mut *mut vyre_error,
    handle: *const H,
    name: &str,
    body: impl FnOnce(&H) -> Result<()>,
) -> vyre_status {
    match handle.as_ref() {
        None => boundary(out_error, || Err(Error::null(name))),
        Some(h) => boundary_poison(out_error, h.poison(), || body(h)),
    }
}

// ---------------------------------------------------------------------------------------
// Pointer helpers. Each returns a NULL_POINTER error naming the argument.
// ---------------------------------------------------------------------------------------

/// Borrow `len` bytes at `ptr`; NULL is allowed only when `len == 0`.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads of `len` bytes for the returned lifetime.
pub unsafe fn slice_ref<'a, T>(ptr: *const T, len: usize, name: &str) -> Result<&'a [T]> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&[]);
        }
        return Err(Error::null(name));
    }
    Ok(std::slice::from_raw_parts(ptr, len))
}

/// Mutably borrow `len` elements at `ptr`; NULL is allowed only when `len == 0`.
///
/// # Safety
/// A non-NULL `ptr` must be valid for reads and writes of `len` elements.
pub unsafe fn slice_mut<'a, T>(ptr: *mut T, len: usize, name: &str) -> Result<&'a mut [T]> {
    if ptr.is_null() {
        if len == 0 {
            return Ok(&mut []);
        }
        return Err(Error::null(name));
    }
    Ok(std::slice::from_raw_parts_mut(ptr, len))
}

/// Borrow a required object.
///
/// # Safety
/// A non-NULL `ptr` must point to a valid `T` for the returned lifetime.
pub unsafe fn obj_ref<'a, T>(ptr: *const T, name: &str) -> Result<&'a T> {
    ptr.as_ref().ok_or_else(|| Error::null(name))
}

/// Mutably borrow a required object.
///
/// # Safety
/// A non-NULL `ptr` must point to a valid, unaliased `T` for the returned lifetime.
pub unsafe fn obj_mut<'a, T>(ptr: *mut T, name: &str) -> Result<&'a mut T> {
    ptr.as_mut().ok_or_else(|| Error::null(name))
}

/// Check a required out-pointer before any work is done, so a NULL is reported before
/// side effects.
pub fn require_out<T>(ptr: *mut T, name: &str) -> Result<()> {
    if ptr.is_null() {
        Err(Error::null(name))
    } else {
        Ok(())
    }
}

/// Caller-owned output convention `(T *buf, size_t len, size_t *out_written)`:
/// - `buf == NULL`: size query, `*out_written = needed`, success;
/// - `len < needed`: `*out_written = needed`, `VYRE_ERROR_INSUFFICIENT_SIZE`, `buf` untouched;
/// - otherwise `fill(&mut buf[..needed])`, then `*out_written = needed`.
///
/// `fill` may still fail; it must then leave the slice unchanged (write into a scratch
/// copy first if it cannot validate up front).
///
/// # Safety
/// `buf` is NULL or valid for `len` elements; `out_written` is NULL or valid.
pub unsafe fn write_out<T>(
    buf: *mut T,
    len: usize,
    out_written: *mut usize,
    needed: usize,
    name: &str,
    fill: impl FnOnce(&mut [T]) -> Result<()>,
) -> Result<()> {
    require_out(out_written, "out_written")?;
    if buf.is_null() {
        *out_written = needed;
        return Ok(());
    }
    if len < needed {
        *out_written = needed;
        return Err(Error::insufficient(name, needed, len));
    }
    let dst = std::slice::from_raw_parts_mut(buf, needed);
    fill(dst)?;
    *out_written = needed;
    Ok(())
}

/// A C boolean (`uint32_t`) must be exactly 0 or 1; anything else is
/// `VYRE_ERROR_INVALID_ARGUMENT`, like any other out-of-range enum value.
pub fn bool_in(value: u32, name: &str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::invalid(format!(
            "`{name}` is a boolean and must be 0 or 1, not {value}"
        ))),
    }
}

// ---------------------------------------------------------------------------------------
// Exported functions.
// ---------------------------------------------------------------------------------------

/// Static, NUL-terminated description of a status code. Unknown values return
/// "unknown vyre status". Never returns NULL; the string must not be freed.
/// Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vyre_status_string(status: vyre_status) -> *const c_char {
    match Status::from_raw(status) {
        Some(s) => s.description().as_ptr().cast(),
        None => c"unknown vyre status".as_ptr(),
    }
}

/// Packed runtime library version: MAJOR * 1000000 + MINOR * 1000 + PATCH. Compare with
/// `VYRE_VERSION_NUMBER` to detect a header/library mismatch. Thread-safe.
#[no_mangle]
pub extern "C" fn vyre_version() -> u32 {
    VYRE_VERSION_NUMBER
}

/// Runtime library version as a static "MAJOR.MINOR.PATCH" string; never NULL, not freed.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn vyre_version_string() -> *const c_char {
    concat!(env!("CARGO_PKG_VERSION"), "\0").as_ptr().cast()
}

/// Message of an error object: static for the object's lifetime, NUL-terminated.
/// Returns "" for NULL. Thread-safe (error objects are immutable).
///
/// # Safety
/// `error` is NULL or a live object returned through `out_error`.
#[no_mangle]
pub unsafe extern "C" fn vyre_error_message(error: *const vyre_error) -> *const c_char {
    match error.as_ref() {
        Some(e) => e.message.as_ptr(),
        None => c"".as_ptr(),
    }
}

/// Status of an error object (`VYRE_ERROR_NULL_POINTER` for NULL). Thread-safe.
///
/// # Safety
/// `error` is NULL or a live object returned through `out_error`.
#[no_mangle]
pub unsafe extern "C" fn vyre_error_status(error: *const vyre_error) -> vyre_status {
    match error.as_ref() {
        Some(e) => e.status as vyre_status,
        None => VYRE_ERROR_NULL_POINTER,
    }
}

/// For `VYRE_ERROR_INSUFFICIENT_SIZE`: the size the call needed (bytes or elements, as
/// documented by the call). 0 for other errors and for NULL. Thread-safe.
///
/// # Safety
/// `error` is NULL or a live object returned through `out_error`.
#[no_mangle]
pub unsafe extern "C" fn vyre_error_required_size(error: *const vyre_error) -> usize {
    error.as_ref().map_or(0, |e| e.required)
}

/// Free an error object. `vyre_error_free(NULL)` is a no-op. Thread safety: the object
/// may be freed from any thread, but not while another thread still reads it.
///
/// # Safety
/// `error` is NULL or an object returned through `out_error` that was not freed yet.
#[no_mangle]
pub unsafe extern "C" fn vyre_error_free(error: *mut vyre_error) {
    destroy_boxed(error);
}

/// Body of every `_destroy`/`_free`: NULL is a no-op, and a panic in a destructor never
/// unwinds into C (the object is gone either way).
///
/// # Safety
/// `ptr` is NULL or came from `Box::into_raw` and was not released before.
pub unsafe fn destroy_boxed<T>(ptr: *mut T) {
    if !ptr.is_null() {
        let _ = catch_unwind(AssertUnwindSafe(|| drop(Box::from_raw(ptr))));
    }
}

/// Test hook for the panic boundary: panics inside the library on purpose and returns
/// `VYRE_ERROR_PANIC` (with an error object when `out_error` is non-NULL). It exists so
/// C test suites can prove that no panic crosses the ABI; it has no other effect.
/// Thread-safe.
#[no_mangle]
pub extern "C" fn vyre_debug_trigger_panic(out_error: *mut *mut vyre_error) -> vyre_status {
    boundary(out_error, || panic!("vyre_debug_trigger_panic was called"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

    #[test]
    fn version_constants_match_cargo() {
        assert_eq!(
            VYRE_VERSION_MAJOR.to_string(),
            env!("CARGO_PKG_VERSION_MAJOR")
        );
        assert_eq!(
            VYRE_VERSION_MINOR.to_string(),
            env!("CARGO_PKG_VERSION_MINOR")
        );
        assert_eq!(
            VYRE_VERSION_PATCH.to_string(),
            env!("CARGO_PKG_VERSION_PATCH")
        );
        let s = unsafe { CStr::from_ptr(vyre_version_string()) };
        assert_eq!(s.to_str().unwrap(), env!("CARGO_PKG_VERSION"));
    }

    #[test]
    fn every_status_has_a_distinct_description() {
        let mut seen = std::collections::HashSet::new();
        for (i, s) in Status::ALL.iter().enumerate() {
            assert_eq!(*s as i32, i as i32, "statuses are dense and ordered");
            assert!(s.description().ends_with('\0'));
            assert!(seen.insert(s.description()));
        }
        let unknown = unsafe { CStr::from_ptr(vyre_status_string(9999)) };
        assert_eq!(unknown.to_str().unwrap(), "unknown vyre status");
    }

    #[test]
    fn panic_is_caught_and_poisons() {
        let mut err: *mut vyre_error = std::ptr::null_mut();
        let poison = Poison::default();
        let st = boundary_poison(&mut err, &poison, || panic!("boom"));
        assert_eq!(st, VYRE_ERROR_PANIC);
        unsafe {
            assert_eq!(vyre_error_status(err), VYRE_ERROR_PANIC);
            let msg = CStr::from_ptr(vyre_error_message(err)).to_str().unwrap();
            assert!(msg.contains("boom"), "{msg}");
            vyre_error_free(err);
        }
        assert_eq!(
            boundary_poison(std::ptr::null_mut(), &poison, || Ok(())),
            VYRE_ERROR_POISONED
        );
    }

    #[test]
    fn write_out_follows_the_size_convention() {
        let mut written = 0usize;
        let mut buf = [7u8; 4];
        unsafe {
            write_out(
                std::ptr::null_mut::<u8>(),
                0,
                &mut written,
                8,
                "buf",
                |_| Ok(()),
            )
            .unwrap();
            assert_eq!(written, 8);
            let e = write_out(buf.as_mut_ptr(), 4, &mut written, 8, "buf", |_| Ok(())).unwrap_err();
            assert_eq!(e.status, Status::InsufficientSize);
            assert_eq!(e.required, 8);
            assert_eq!(buf, [7u8; 4]);
            write_out(buf.as_mut_ptr(), 4, &mut written, 2, "buf", |d| {
                d.fill(1);
                Ok(())
            })
            .unwrap();
            assert_eq!(buf, [1, 1, 7, 7]);
            assert_eq!(written, 2);
        }
    }
}
