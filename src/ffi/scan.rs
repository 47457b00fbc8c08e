//! C ABI of the scanner: `vyre_dfa` (compile/import/info), `vyre_scanner` (one-shot and
//! batch scans into caller storage or a callback), `vyre_scan_stream` (streaming) and
//! `vyre_haystack` (a haystack loaded once, scanned many times).

use super::core::*;
use crate::error::{Error, Result};
use crate::scan::cpu::Hit;
use crate::scan::dfa::{self, CompileOptions, Dfa, ImportTable, Pattern};
use crate::scan::{DfaSet, ResidentHaystack, Scanner, StreamState};
use std::ffi::{c_char, c_void, CStr};
use std::sync::{Arc, Mutex};

/// Pattern flag: ASCII case-insensitive matching.
pub const VYRE_PATTERN_CASELESS: u32 = 1;
/// Pattern flag: the expression is a literal byte string (`length` bytes), not a regex.
pub const VYRE_PATTERN_LITERAL: u32 = 2;
/// Pattern flag: the regex dot (any byte) also matches a newline byte (0x0A).
pub const VYRE_PATTERN_DOTALL: u32 = 4;
/// Pattern flag: `^` and `$` also match after and before a newline byte (0x0A).
pub const VYRE_PATTERN_MULTILINE: u32 = 8;

/// Scanner backend: the GPU megakernel (default; `adapter` or `VYRE_ADAPTER` selects it).
pub const VYRE_SCAN_BACKEND_GPU: u32 = 0;
/// Scanner backend: multi-threaded CPU scan of the same DFA table.
pub const VYRE_SCAN_BACKEND_CPU: u32 = 1;

const _: () = assert!(
    VYRE_PATTERN_CASELESS == dfa::FLAG_CASELESS
        && VYRE_PATTERN_LITERAL == dfa::FLAG_LITERAL
        && VYRE_PATTERN_DOTALL == dfa::FLAG_DOTALL
        && VYRE_PATTERN_MULTILINE == dfa::FLAG_MULTILINE
);

/// One pattern of a set given to `vyre_dfa_compile`.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_dfa_pattern {
    /// Regex (UTF-8 source; byte-oriented semantics, ASCII classes) or literal bytes.
    pub expression: *const c_char,
    /// Length in bytes; 0 means `expression` is NUL-terminated.
    pub length: usize,
    /// Id reported in `vyre_hit.pattern`.
    pub id: u32,
    /// `VYRE_PATTERN_*` bits.
    pub flags: u32,
}

/// Options for `vyre_dfa_compile` / `vyre_dfa_import`. A zeroed struct (or NULL) means
/// defaults.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct vyre_dfa_options {
    /// Refuse tables larger than this many bytes with `VYRE_ERROR_TOO_LARGE`
    /// (0 = default, 256 MiB).
    pub max_table_bytes: u64,
}

/// A caller-built DFA for `vyre_dfa_import`. States are 0..state_count; every array is
/// read during the call only (vyre copies what it keeps).
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_dfa_table {
    /// Number of states; states are numbered 0..state_count.
    pub state_count: u32,
    /// Number of byte classes, 1..=256.
    pub class_count: u32,
    /// State the scan starts in (< state_count).
    pub start_state: u32,
    /// 0: a state's ids end right after the byte that entered it; 1: one byte earlier
    /// (regex-automata style delayed matches).
    pub delay: u32,
    /// 256 entries: byte → class (< class_count).
    pub class_map: *const u8,
    /// state_count × class_count next states, row-major by state.
    pub transitions: *const u32,
    /// state_count + 1 offsets into `match_ids` (state s reports ids[off[s]..off[s+1]]).
    pub match_offsets: *const u32,
    /// Pattern ids reported by the states, sliced by `match_offsets`.
    pub match_ids: *const u32,
    /// Number of entries in `match_ids`.
    pub match_id_count: usize,
    /// Optional (NULL = none): state_count + 1 offsets into `eoi_ids`, ids that end at
    /// the end of the input when the scan ends in that state.
    pub eoi_offsets: *const u32,
    /// Pattern ids reported at the end of the input, sliced by `eoi_offsets`.
    pub eoi_ids: *const u32,
    /// Number of entries in `eoi_ids` (0 when `eoi_offsets` is NULL).
    pub eoi_id_count: usize,
}

/// Figures of a compiled or imported DFA. A compiled set that does not fit one table is
/// split into several DFAs ("groups", each scanned over every input); the figures then
/// sum (states, patterns, table bytes) or take the largest (classes, delay) over groups.
/// Regexes with a required literal (most secret-token rules) are not in the regex
/// groups of such a set: their literals form one more group (an Aho-Corasick DFA) and
/// each literal hit is verified exactly (on the GPU in the scan lane, else on the host),
/// so the figures count that literal group (table bytes: with its verifiers) instead of
/// those regexes' states.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_dfa_info {
    /// States of all groups together.
    pub state_count: u32,
    /// Byte classes of the group with the most.
    pub class_count: u32,
    /// Patterns of the set.
    pub pattern_count: u32,
    /// Match delay in bytes (0 or 1; the largest of any group).
    pub delay: u32,
    /// Size of the device tables of all groups, in bytes.
    pub table_bytes: u64,
    /// Number of DFAs the set was split into (1 for imported tables and sets that fit).
    pub group_count: u32,
    /// Always 0.
    pub reserved: u32,
}

/// One match: the item tag, the pattern id and the end offset (exclusive; stream offset
/// for streams).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_hit {
    /// Tag of the input the match is in (0 for `vyre_scanner_scan`, the item's tag for
    /// batches, the stream's tag for streams).
    pub tag: u32,
    /// Id of the pattern that matched (`vyre_dfa_pattern.id`).
    pub pattern: u32,
    /// Offset just past the match's last byte, from the start of the input (of the
    /// whole stream for streams).
    pub end: u64,
}

const _: () =
    assert!(std::mem::size_of::<vyre_hit>() == 16 && std::mem::align_of::<vyre_hit>() == 8);
const _: () = assert!(
    std::mem::offset_of!(vyre_hit, pattern) == 4 && std::mem::offset_of!(vyre_hit, end) == 8
);
const _: () = assert!(
    std::mem::size_of::<vyre_dfa_info>() == 32
        && std::mem::align_of::<vyre_dfa_info>() == 8
        && std::mem::offset_of!(vyre_dfa_info, table_bytes) == 16
        && std::mem::offset_of!(vyre_dfa_info, group_count) == 24
);
const _: () = assert!(std::mem::size_of::<vyre_scan_item>() == 24);

/// One input of a batch scan.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_scan_item {
    /// Bytes to scan (may be NULL only when `length` is 0).
    pub data: *const u8,
    /// Number of bytes at `data`.
    pub length: usize,
    /// Reported in `vyre_hit.tag`.
    pub tag: u32,
    /// Reserved; set to 0.
    pub reserved: u32,
}

/// Options for `vyre_scanner_create`. A zeroed struct (or NULL) means defaults: GPU
/// backend on the default adapter.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct vyre_scanner_options {
    /// `VYRE_SCAN_BACKEND_*`.
    pub backend: u32,
    /// CPU backend threads (0 = all cores).
    pub threads: u32,
    /// GPU adapter name substring (NULL = `VYRE_ADAPTER` or the best adapter).
    pub adapter: *const c_char,
    /// Bytes per parallel chunk (0 = backend default).
    pub chunk_bytes: u64,
}

/// Hit callback: return 0 to continue, non-zero to stop delivering hits of this call.
/// Called on the thread that called the scan function, after the scan, in order of
/// (tag, end, pattern). `hit` is valid only during the call.
pub type vyre_hit_callback =
    Option<unsafe extern "C" fn(hit: *const vyre_hit, userdata: *mut c_void) -> i32>;

/// A compiled or imported DFA. Ownership: created by `vyre_dfa_compile`/`_import`,
/// released by `vyre_dfa_destroy`; scanners keep their DFA alive. Thread safety:
/// immutable, safe to share between threads.
pub struct vyre_dfa {
    poison: Poison,
    dfa: DfaSet,
}

/// A DFA bound to a backend (GPU device + resident buffers, or CPU threads). Ownership:
/// `vyre_scanner_create` / `vyre_scanner_destroy`; streams keep their scanner alive.
/// Thread safety: scans may be called from several threads at once.
pub struct vyre_scanner {
    poison: Poison,
    scanner: Arc<Scanner>,
}

/// Streaming scan state (like Hyperscan's streaming mode). Ownership:
/// `vyre_scan_stream_open` / `vyre_scan_stream_destroy`. Thread safety: one thread at a
/// time (calls are serialised internally).
pub struct vyre_scan_stream {
    poison: Poison,
    scanner: Arc<Scanner>,
    state: Mutex<StreamState>,
}

/// A haystack loaded once into a scanner's backend (for the GPU: a resident buffer set
/// holding the DFA table and the bytes) and scanned many times. Ownership:
/// `vyre_scanner_load` / `vyre_haystack_destroy`; keeps its scanner alive. Thread safety:
/// scans of one haystack may come from several threads (they serialise).
pub struct vyre_haystack {
    poison: Poison,
    scanner: Arc<Scanner>,
    hay: ResidentHaystack,
    /// The last scan's hits: the buffer is reused by the next scan (large hit counts
    /// would otherwise cost fresh, page-faulting memory on every call).
    hits: Mutex<Vec<Hit>>,
}

/// Scan a loaded haystack into its reused hit buffer, then hand the hits to `f`. A
/// buffer in use (another thread's scan, or a callback scanning this haystack again)
/// is not waited for: that call gets a buffer of its own.
fn scan_loaded<T>(h: &vyre_haystack, tag: u32, f: impl FnOnce(&[Hit]) -> Result<T>) -> Result<T> {
    let mut own = Vec::new();
    let mut held = match h.hits.try_lock() {
        Ok(g) => Some(g),
        Err(std::sync::TryLockError::Poisoned(p)) => Some(p.into_inner()),
        Err(std::sync::TryLockError::WouldBlock) => None,
    };
    let hits = held.as_deref_mut().unwrap_or(&mut own);
    h.scanner.scan_resident_into(&h.hay, tag, hits)?;
    let r = f(hits);
    crate::scan::trim(hits);
    r
}

fn to_c(h: &Hit) -> vyre_hit {
    vyre_hit {
        tag: h.tag,
        pattern: h.pattern,
        end: h.end,
    }
}

fn compile_options(o: *const vyre_dfa_options) -> CompileOptions {
    // SAFETY: NULL or a valid struct per the C contract.
    let o = unsafe { o.as_ref() }.copied().unwrap_or_default();
    let mut c = CompileOptions::default();
    if o.max_table_bytes != 0 {
        c.max_table_bytes = usize::try_from(o.max_table_bytes).unwrap_or(usize::MAX);
    }
    c
}

/// Compile `count` patterns into a DFA that reports every match end of every pattern.
/// Errors: NULL → `VYRE_ERROR_NULL_POINTER`; count 0 or unknown flags →
/// `VYRE_ERROR_INVALID_ARGUMENT`; a pattern that does not parse or can match the empty
/// string → `VYRE_ERROR_PATTERN` (message names the pattern index and the parser's
/// report); a set whose DFA would exceed the size limit (or 4 MiB) is split into
/// several DFAs (groups, see `vyre_dfa_info.group_count`); a single pattern whose DFA
/// alone exceeds the limit → `VYRE_ERROR_TOO_LARGE` naming it. `*out_dfa` is written
/// only on success. Thread safety: safe from any thread.
///
/// # Safety
/// `patterns` points to `count` valid structs; `out_dfa` to writable storage.
#[no_mangle]
pub unsafe extern "C" fn vyre_dfa_compile(
    patterns: *const vyre_dfa_pattern,
    count: usize,
    options: *const vyre_dfa_options,
    out_dfa: *mut *mut vyre_dfa,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_dfa, "out_dfa")?;
        let pats = slice_ref(patterns, count, "patterns")?;
        let mut list = Vec::with_capacity(pats.len());
        for (i, p) in pats.iter().enumerate() {
            if p.expression.is_null() {
                return Err(Error::null(&format!("patterns[{i}].expression")));
            }
            let bytes = if p.length == 0 {
                CStr::from_ptr(p.expression).to_bytes()
            } else {
                std::slice::from_raw_parts(p.expression.cast::<u8>(), p.length)
            };
            list.push(Pattern {
                expression: bytes.to_vec(),
                id: p.id,
                flags: p.flags,
            });
        }
        let dfa = DfaSet::compile(&list, &compile_options(options))?;
        *out_dfa = Box::into_raw(Box::new(vyre_dfa {
            poison: Poison::default(),
            dfa,
        }));
        Ok(())
    })
}

/// Import and validate a caller-built table (every index is checked). Errors: NULL
/// arrays → `VYRE_ERROR_NULL_POINTER`; bad counts/delay → `VYRE_ERROR_INVALID_ARGUMENT`;
/// an index out of range → `VYRE_ERROR_OUT_OF_RANGE`; inconsistent offsets →
/// `VYRE_ERROR_MALFORMED_BUFFER`; over the size limit → `VYRE_ERROR_TOO_LARGE`.
/// Thread safety: safe from any thread.
///
/// # Safety
/// `table` and its arrays are valid for the sizes they declare.
#[no_mangle]
pub unsafe extern "C" fn vyre_dfa_import(
    table: *const vyre_dfa_table,
    options: *const vyre_dfa_options,
    out_dfa: *mut *mut vyre_dfa,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_dfa, "out_dfa")?;
        let t = obj_ref(table, "table")?;
        let n = t.state_count as usize;
        let cells = n
            .checked_mul(t.class_count as usize)
            .ok_or_else(|| Error::overflow("state_count * class_count overflows"))?;
        let opts = compile_options(options);
        if cells.saturating_mul(4) > opts.max_table_bytes {
            // Refuse before reading a huge array.
            return Err(Error::new(
                crate::Status::TooLarge,
                format!(
                    "imported table has {cells} cells, over the limit of {} bytes",
                    opts.max_table_bytes
                ),
            ));
        }
        let class_map = slice_ref(t.class_map, 256, "table->class_map")?;
        let mut cm = [0u8; 256];
        cm.copy_from_slice(class_map);
        let transitions = if n == 0 {
            Vec::new()
        } else {
            slice_ref(t.transitions, cells, "table->transitions")?.to_vec()
        };
        let match_offsets = if n == 0 {
            Vec::new()
        } else {
            slice_ref(t.match_offsets, n + 1, "table->match_offsets")?.to_vec()
        };
        let match_ids = slice_ref(t.match_ids, t.match_id_count, "table->match_ids")?.to_vec();
        let (eoi_offsets, eoi_ids) = if t.eoi_offsets.is_null() {
            if t.eoi_id_count != 0 {
                return Err(Error::null("table->eoi_offsets"));
            }
            (Vec::new(), Vec::new())
        } else {
            (
                slice_ref(t.eoi_offsets, n + 1, "table->eoi_offsets")?.to_vec(),
                slice_ref(t.eoi_ids, t.eoi_id_count, "table->eoi_ids")?.to_vec(),
            )
        };
        let it = ImportTable {
            state_count: t.state_count,
            class_count: t.class_count,
            start_state: t.start_state,
            delay: t.delay,
            class_map: cm,
            transitions,
            match_offsets,
            match_ids,
            eoi_offsets,
            eoi_ids,
        };
        let dfa = Dfa::import(&it, &opts)?;
        *out_dfa = Box::into_raw(Box::new(vyre_dfa {
            poison: Poison::default(),
            dfa: dfa.into(),
        }));
        Ok(())
    })
}

/// Report state count, class count, pattern count, delay, table bytes and group count.
///
/// Errors: NULL handle or out-pointer → `VYRE_ERROR_NULL_POINTER`; poisoned handle → `VYRE_ERROR_POISONED`. `*out_info` is written only on success.
/// Thread safety: a DFA is immutable; safe from any thread.
///
/// # Safety
/// `dfa` is NULL or live; `out_info` NULL or writable.
#[no_mangle]
pub unsafe extern "C" fn vyre_dfa_get_info(
    dfa: *const vyre_dfa,
    out_info: *mut vyre_dfa_info,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let d = obj_ref(dfa, "dfa")?;
        require_out(out_info, "out_info")?;
        d.poison.check()?;
        *out_info = vyre_dfa_info {
            state_count: u32::try_from(d.dfa.state_count()).unwrap_or(u32::MAX),
            class_count: d.dfa.class_count(),
            pattern_count: u32::try_from(d.dfa.pattern_count()).unwrap_or(u32::MAX),
            delay: d.dfa.delay(),
            table_bytes: d.dfa.table_bytes(),
            group_count: d.dfa.group_count() as u32,
            reserved: 0,
        };
        Ok(())
    })
}

/// Release a DFA (scanners created from it keep it alive). NULL is a no-op.
///
/// Thread safety: must not race with other calls on the same handle; scanners created
/// from it hold their own reference and stay valid.
///
/// # Safety
/// `dfa` is NULL or a live handle not destroyed before.
#[no_mangle]
pub unsafe extern "C" fn vyre_dfa_destroy(dfa: *mut vyre_dfa) {
    destroy_boxed(dfa);
}

/// Create a scanner for `dfa`. `options` NULL or zeroed = GPU backend on the best adapter
/// (lavapipe when there is no GPU). Errors: unknown backend → `VYRE_ERROR_INVALID_ARGUMENT`;
/// no adapter → `VYRE_ERROR_NO_ADAPTER`; GPU failures → `VYRE_ERROR_GPU`.
///
/// `*out_scanner` is written only on success. Thread safety: safe from any thread; the
/// DFA may be shared by many scanners.
///
/// # Safety
/// Pointers NULL or valid; `options->adapter` NULL or NUL-terminated.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_create(
    dfa: *const vyre_dfa,
    options: *const vyre_scanner_options,
    out_scanner: *mut *mut vyre_scanner,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let d = obj_ref(dfa, "dfa")?;
        require_out(out_scanner, "out_scanner")?;
        d.poison.check()?;
        let o = options.as_ref();
        let backend = o.map_or(VYRE_SCAN_BACKEND_GPU, |o| o.backend);
        let adapter = match o {
            Some(o) if !o.adapter.is_null() => Some(
                CStr::from_ptr(o.adapter)
                    .to_str()
                    .map_err(|_| Error::invalid("options->adapter is not UTF-8"))?
                    .to_string(),
            ),
            _ => None,
        };
        let chunk = o.map_or(0, |o| o.chunk_bytes);
        let scanner = match backend {
            VYRE_SCAN_BACKEND_CPU => {
                let mut s = Scanner::cpu(d.dfa.clone(), o.map_or(0, |o| o.threads as usize));
                if chunk != 0 {
                    s.set_chunk_len(usize::try_from(chunk).unwrap_or(usize::MAX));
                }
                s
            }
            VYRE_SCAN_BACKEND_GPU => crate::scan::gpu::scanner(d.dfa.clone(), adapter.as_deref(), chunk)?,
            other => {
                return Err(Error::invalid(format!(
                    "options->backend {other} is not VYRE_SCAN_BACKEND_GPU (0) or VYRE_SCAN_BACKEND_CPU (1)"
                )))
            }
        };
        *out_scanner = Box::into_raw(Box::new(vyre_scanner {
            poison: Poison::default(),
            scanner: Arc::new(scanner),
        }));
        Ok(())
    })
}

/// Release a scanner (open streams keep it alive). NULL is a no-op.
///
/// Thread safety: must not race with other calls on the same handle; open streams and
/// loaded haystacks hold their own reference.
///
/// # Safety
/// `scanner` is NULL or a live handle not destroyed before.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_destroy(scanner: *mut vyre_scanner) {
    destroy_boxed(scanner);
}

/// Name of the backend ("cpu (N threads)" or the GPU adapter and backend) as a
/// NUL-terminated string into caller storage (`write_out` convention, size includes NUL).
///
/// Errors: NULL handle or out-pointer → `VYRE_ERROR_NULL_POINTER`; poisoned handle → `VYRE_ERROR_POISONED`; `buf` too small → `VYRE_ERROR_INSUFFICIENT_SIZE` with the
/// required size in `*out_written`. Thread safety: safe to call concurrently.
///
/// # Safety
/// `buf` NULL or valid for `len` bytes; `out_written` valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_backend_name(
    scanner: *const vyre_scanner,
    buf: *mut c_char,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let s = obj_ref(scanner, "scanner")?;
        s.poison.check()?;
        let mut name = s.scanner.backend_name().into_bytes();
        name.retain(|&b| b != 0);
        name.push(0);
        write_out(buf, len, out_written, name.len(), "buf", |dst| {
            for (d, &b) in dst.iter_mut().zip(&name) {
                *d = b as c_char;
            }
            Ok(())
        })
    })
}

unsafe fn items_of<'a>(
    items: *const vyre_scan_item,
    count: usize,
) -> Result<(Vec<&'a [u8]>, Vec<u32>)> {
    let list = slice_ref(items, count, "items")?;
    let mut data = Vec::with_capacity(count);
    let mut tags = Vec::with_capacity(count);
    for (i, it) in list.iter().enumerate() {
        data.push(slice_ref(it.data, it.length, &format!("items[{i}].data"))?);
        tags.push(it.tag);
    }
    Ok((data, tags))
}

/// A non-NULL hit callback.
type HitFn = unsafe extern "C" fn(hit: *const vyre_hit, userdata: *mut c_void) -> i32;

/// The callback, checked before any scan work (a NULL callback changes nothing).
fn require_callback(callback: vyre_hit_callback) -> Result<HitFn> {
    callback.ok_or_else(|| Error::null("callback"))
}

/// Deliver hits in order until the callback returns non-zero.
unsafe fn deliver(hits: &[Hit], cb: HitFn, userdata: *mut c_void) -> Result<()> {
    for h in hits {
        let c = to_c(h);
        if cb(&c, userdata) != 0 {
            break;
        }
    }
    Ok(())
}

unsafe fn store(hits: &[Hit], buf: *mut vyre_hit, len: usize, out_count: *mut usize) -> Result<()> {
    write_out(buf, len, out_count, hits.len(), "hits", |dst| {
        for (d, h) in dst.iter_mut().zip(hits) {
            *d = to_c(h);
        }
        Ok(())
    })
}

/// Scan one complete buffer (tag 0); every hit, sorted by (end, pattern), into caller
/// storage: `hits` NULL = size query; too small → `VYRE_ERROR_INSUFFICIENT_SIZE` with the
/// count needed in `*out_hit_count` and `hits` untouched. A size query (or a buffer too
/// small) runs the whole scan and keeps nothing: to scan once, pass room for the hits you
/// expect, or use `vyre_scanner_scan_callback`. Thread safety: safe to call
/// concurrently on one scanner.
///
/// # Safety
/// `data` valid for `len` bytes (NULL only with len 0); `hits` NULL or valid for
/// `hit_len` entries; `out_hit_count` valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_scan(
    scanner: *const vyre_scanner,
    data: *const u8,
    len: usize,
    hits: *mut vyre_hit,
    hit_len: usize,
    out_hit_count: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, scanner, "scanner", |s| {
        let bytes = slice_ref(data, len, "data")?;
        require_out(out_hit_count, "out_hit_count")?;
        let found = s.scanner.scan(bytes, 0)?;
        store(&found, hits, hit_len, out_hit_count)
    })
}

/// Scan one complete buffer (tag 0) and call `callback(hit, userdata)` for each hit in
/// order on this thread; a non-zero return stops delivery (the call still returns
/// `VYRE_OK`).
///
/// Errors: NULL handle or out-pointer → `VYRE_ERROR_NULL_POINTER`; poisoned handle → `VYRE_ERROR_POISONED`; NULL `data` with `len` > 0 or NULL `callback` →
/// `VYRE_ERROR_NULL_POINTER`; GPU failures → `VYRE_ERROR_GPU` / `VYRE_ERROR_DEVICE_LOST`.
/// Thread safety: safe to call concurrently on one scanner; the callback runs on the
/// calling thread.
///
/// # Safety
/// `data` valid for `len` bytes; `callback` non-NULL.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_scan_callback(
    scanner: *const vyre_scanner,
    data: *const u8,
    len: usize,
    callback: vyre_hit_callback,
    userdata: *mut c_void,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, scanner, "scanner", |s| {
        let bytes = slice_ref(data, len, "data")?;
        let cb = require_callback(callback)?;
        let found = s.scanner.scan(bytes, 0)?;
        deliver(&found, cb, userdata)
    })
}

/// Scan `count` complete buffers in one batch (one GPU submission per wave); hits carry
/// each item's tag, sorted by (tag, end, pattern), into caller storage (`write_out`
/// convention as `vyre_scanner_scan`).
///
/// Errors: NULL handle or out-pointer → `VYRE_ERROR_NULL_POINTER`; poisoned handle → `VYRE_ERROR_POISONED`; NULL `items` with `count` > 0 or an item with NULL `data` and
/// non-zero length → `VYRE_ERROR_NULL_POINTER`; `hits` too small →
/// `VYRE_ERROR_INSUFFICIENT_SIZE` (required count in `*out_written`, `hits` untouched); GPU
/// failures → `VYRE_ERROR_GPU`. Thread safety: safe to call concurrently on one scanner.
///
/// # Safety
/// `items` valid for `count` entries, each `data` valid for its `length`.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_scan_batch(
    scanner: *const vyre_scanner,
    items: *const vyre_scan_item,
    count: usize,
    hits: *mut vyre_hit,
    hit_len: usize,
    out_hit_count: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, scanner, "scanner", |s| {
        let (data, tags) = items_of(items, count)?;
        require_out(out_hit_count, "out_hit_count")?;
        let found = s.scanner.scan_many(&data, &tags)?;
        store(&found, hits, hit_len, out_hit_count)
    })
}

/// Batch scan with a callback (see `vyre_scanner_scan_callback`).
///
/// Errors: as `vyre_scanner_scan_batch`, plus NULL `callback` →
/// `VYRE_ERROR_NULL_POINTER`. Thread safety: safe to call concurrently on one scanner; the
/// callback runs on the calling thread.
///
/// # Safety
/// As `vyre_scanner_scan_batch`; `callback` non-NULL.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_scan_batch_callback(
    scanner: *const vyre_scanner,
    items: *const vyre_scan_item,
    count: usize,
    callback: vyre_hit_callback,
    userdata: *mut c_void,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, scanner, "scanner", |s| {
        let (data, tags) = items_of(items, count)?;
        let cb = require_callback(callback)?;
        let found = s.scanner.scan_many(&data, &tags)?;
        deliver(&found, cb, userdata)
    })
}

/// Open a stream whose hits carry `tag` and stream offsets. A DFA whose regexes are
/// verified through the literal prefilter (large regex sets) streams with ordinary
/// groups for every pattern; they are compiled on the first stream opened on the DFA
/// (once; this call then takes as long as a compile without the prefilter).
///
/// Errors: NULL handle or out-pointer → `VYRE_ERROR_NULL_POINTER`; poisoned handle → `VYRE_ERROR_POISONED`; those stream groups over the size limit → `VYRE_ERROR_TOO_LARGE`. `*out_stream` is written only on success. Thread safety: a
/// stream is used by one thread at a time; many streams may share one scanner.
///
/// # Safety
/// `scanner` live; `out_stream` writable.
#[no_mangle]
pub unsafe extern "C" fn vyre_scan_stream_open(
    scanner: *const vyre_scanner,
    tag: u32,
    out_stream: *mut *mut vyre_scan_stream,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let s = obj_ref(scanner, "scanner")?;
        require_out(out_stream, "out_stream")?;
        s.poison.check()?;
        let state = Mutex::new(s.scanner.stream_open(tag)?);
        *out_stream = Box::into_raw(Box::new(vyre_scan_stream {
            poison: Poison::default(),
            scanner: s.scanner.clone(),
            state,
        }));
        Ok(())
    })
}

fn lock(st: &vyre_scan_stream) -> Result<std::sync::MutexGuard<'_, StreamState>> {
    st.state.lock().map_err(|_| {
        Error::new(
            crate::Status::Poisoned,
            "stream poisoned by an earlier panic; destroy it",
        )
    })
}

/// Feed the next piece of the stream; hits found so far are delivered through
/// `callback` (stream offsets, in order). State is carried across calls, so a match that
/// spans pieces is found; a match that ends exactly at the end of a piece may be decided
/// only by the next byte and then arrives with the next piece or at close. Stopping the
/// callback stops delivery only; the whole piece is consumed.
///
/// Errors: NULL `stream`/`callback` or NULL `data` with `len` > 0 →
/// `VYRE_ERROR_NULL_POINTER`; poisoned → `VYRE_ERROR_POISONED`; stream offset overflow →
/// `VYRE_ERROR_OVERFLOW`; GPU failures → `VYRE_ERROR_GPU`. Thread safety: one thread at a
/// time per stream; the callback runs on the calling thread.
///
/// # Safety
/// `data` valid for `len` bytes; `callback` non-NULL.
#[no_mangle]
pub unsafe extern "C" fn vyre_scan_stream_write(
    stream: *mut vyre_scan_stream,
    data: *const u8,
    len: usize,
    callback: vyre_hit_callback,
    userdata: *mut c_void,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, stream, "stream", |st| {
        let bytes = slice_ref(data, len, "data")?;
        let cb = require_callback(callback)?;
        let found = {
            let mut g = lock(st)?;
            st.scanner.stream_write(&mut g, bytes)?
        };
        deliver(&found, cb, userdata)
    })
}

/// End the stream: deliver the matches that end exactly at its end (`$`, `\b`, ...) and
/// reset it to offset 0 so it can be reused for a new stream.
///
/// Errors: NULL `stream`/`callback` → `VYRE_ERROR_NULL_POINTER`; poisoned →
/// `VYRE_ERROR_POISONED`. Thread safety: one thread at a time per stream.
///
/// # Safety
/// `stream` live; `callback` non-NULL.
#[no_mangle]
pub unsafe extern "C" fn vyre_scan_stream_close(
    stream: *mut vyre_scan_stream,
    callback: vyre_hit_callback,
    userdata: *mut c_void,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, stream, "stream", |st| {
        let cb = require_callback(callback)?;
        let found = {
            let mut g = lock(st)?;
            st.scanner.stream_close(&mut g)
        };
        deliver(&found, cb, userdata)
    })
}

/// Bytes consumed by the stream so far.
///
/// Errors: NULL `stream`/`out_offset` → `VYRE_ERROR_NULL_POINTER`; poisoned →
/// `VYRE_ERROR_POISONED`. Thread safety: one thread at a time per stream.
///
/// # Safety
/// `stream` live; `out_offset` writable.
#[no_mangle]
pub unsafe extern "C" fn vyre_scan_stream_offset(
    stream: *const vyre_scan_stream,
    out_offset: *mut u64,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let st = obj_ref(stream, "stream")?;
        require_out(out_offset, "out_offset")?;
        st.poison.check()?;
        *out_offset = lock(st)?.offset;
        Ok(())
    })
}

/// Release a stream. NULL is a no-op.
///
/// Thread safety: must not race with other calls on the same stream.
///
/// # Safety
/// `stream` is NULL or a live handle not destroyed before.
#[no_mangle]
pub unsafe extern "C" fn vyre_scan_stream_destroy(stream: *mut vyre_scan_stream) {
    destroy_boxed(stream);
}

/// Load `len` bytes at `data` once for repeated scans (copied: the caller may free
/// `data` afterwards). On the GPU backend the bytes and the DFA table are uploaded now
/// into buffers that stay on the device, so `vyre_haystack_scan` uploads only the
/// per-chunk work items (haystacks larger than one storage binding are scanned from
/// host memory in passes instead). On the CPU backend the copy stays in host memory.
/// Errors: NULL `scanner`/`out_haystack` or NULL `data` with `len` > 0 →
/// `VYRE_ERROR_NULL_POINTER`; allocation failure → `VYRE_ERROR_OUT_OF_MEMORY`; GPU
/// failures → `VYRE_ERROR_GPU`. `*out_haystack` is written only on success. Thread
/// safety: safe to call concurrently on one scanner.
///
/// # Safety
/// `data` valid for `len` bytes (NULL only with len 0); `out_haystack` valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_scanner_load(
    scanner: *const vyre_scanner,
    data: *const u8,
    len: usize,
    out_haystack: *mut *mut vyre_haystack,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, scanner, "scanner", |s| {
        let bytes = slice_ref(data, len, "data")?;
        require_out(out_haystack, "out_haystack")?;
        let hay = s.scanner.load(bytes)?;
        *out_haystack = Box::into_raw(Box::new(vyre_haystack {
            poison: Poison::default(),
            scanner: s.scanner.clone(),
            hay,
            hits: Mutex::new(Vec::new()),
        }));
        Ok(())
    })
}

/// Scan a loaded haystack as one complete buffer with its scanner; every hit (tag
/// `tag`), sorted by (end, pattern), into caller storage: `hits` NULL = size query; too
/// small → `VYRE_ERROR_INSUFFICIENT_SIZE` with the count needed in `*out_hit_count` and
/// `hits` untouched (a size query runs the whole scan and keeps nothing; see
/// `vyre_haystack_scan_callback`). Same results as `vyre_scanner_scan` on the same
/// bytes. Errors: NULL
/// `haystack`/`out_hit_count` → `VYRE_ERROR_NULL_POINTER`; GPU failures →
/// `VYRE_ERROR_GPU`. Thread safety: calls on one haystack serialise.
///
/// # Safety
/// `haystack` NULL or live; `hits` NULL or valid for `hit_len` entries; `out_hit_count`
/// valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_haystack_scan(
    haystack: *const vyre_haystack,
    tag: u32,
    hits: *mut vyre_hit,
    hit_len: usize,
    out_hit_count: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, haystack, "haystack", |h| {
        require_out(out_hit_count, "out_hit_count")?;
        scan_loaded(h, tag, |found| store(found, hits, hit_len, out_hit_count))
    })
}

/// Scan a loaded haystack and call `callback(hit, userdata)` for each hit (tag `tag`) in
/// order on this thread; a non-zero return stops delivery (the call still returns
/// `VYRE_OK`). The callback may scan this haystack again, but must not destroy it (the
/// hits being delivered live in it). Errors: NULL `haystack`/`callback` → `VYRE_ERROR_NULL_POINTER`; GPU
/// failures → `VYRE_ERROR_GPU`. Thread safety: calls on one haystack serialise.
///
/// # Safety
/// `haystack` NULL or live; `callback` non-NULL.
#[no_mangle]
pub unsafe extern "C" fn vyre_haystack_scan_callback(
    haystack: *const vyre_haystack,
    tag: u32,
    callback: vyre_hit_callback,
    userdata: *mut c_void,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    with_handle(out_error, haystack, "haystack", |h| {
        let cb = require_callback(callback)?;
        scan_loaded(h, tag, |found| deliver(found, cb, userdata))
    })
}

/// Release a loaded haystack and its device buffers (its scanner stays alive while other
/// handles hold it). NULL is a no-op.
///
/// Thread safety: must not race with other calls on the same haystack.
///
/// # Safety
/// `haystack` is NULL or a live handle not destroyed before.
#[no_mangle]
pub unsafe extern "C" fn vyre_haystack_destroy(haystack: *mut vyre_haystack) {
    destroy_boxed(haystack);
}

impl Handle for vyre_dfa {
    fn poison(&self) -> &Poison {
        &self.poison
    }
}

impl Handle for vyre_scanner {
    fn poison(&self) -> &Poison {
        &self.poison
    }
}

impl Handle for vyre_scan_stream {
    fn poison(&self) -> &Poison {
        &self.poison
    }
}

impl Handle for vyre_haystack {
    fn poison(&self) -> &Poison {
        &self.poison
    }
}
