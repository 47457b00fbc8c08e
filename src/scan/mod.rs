//! Multi-pattern DFA scanning on top of the megakernel.
//!
//! - [`dfa`]: compile a pattern set (or import a caller-built table) into our flat,
//!   byte-class-compressed, unanchored DFA table (Hyperscan "all match ends" semantics).
//! - [`cpu`]: sequential reference scan, streaming state, and the chunked parallel model
//!   (speculation + lockstep fix-up) that the GPU scan mirrors.
//! - [`reference`]: an independent per-pattern scan (regex-automata's lazy DFA, one
//!   pattern at a time) used by tests and tools to check the table.
//! - [`set`]: pattern sets too big for one table, split into several DFAs (groups).
//! - [`prefilter`]: literal factors of regexes + exact verification (GPU verifiers run in
//!   the scan lane; lazy DFAs on the host), so that a big regex set needs few groups
//!   (Hyperscan's approach).

pub mod cpu;
pub mod dfa;
pub mod gpu;
pub mod prefilter;
pub mod reference;
pub mod scanner;
pub mod set;

pub use cpu::Hit;
pub use dfa::{rule_file_patterns, CompileOptions, Dfa, ImportTable, Pattern};
pub use scanner::{Backend, Item, ResidentHaystack, Scanner, StreamState};
pub use set::DfaSet;

/// `VYRE_SCAN_TRACE=1`: print the time of each phase of a scan to stderr (profiling).
static TRACE: once_cell::sync::Lazy<bool> =
    once_cell::sync::Lazy::new(|| std::env::var_os("VYRE_SCAN_TRACE").is_some_and(|v| v != "0"));

/// Give back most of a reused buffer that is far larger than its last use (over 4 MiB
/// and over four times what it holds), so one dense scan does not pin its memory for the
/// life of a haystack or scanner.
pub(crate) fn trim<T>(v: &mut Vec<T>) {
    let size = std::mem::size_of::<T>().max(1);
    if v.capacity() * size > 4 << 20 && v.capacity() > 4 * v.len() {
        v.shrink_to(2 * v.len());
    }
}

/// Whether `VYRE_SCAN_TRACE` is on (to skip work done only for a trace line).
pub(crate) fn tracing() -> bool {
    *TRACE
}

/// Report the time since `since` under `what` (when tracing) and restart the clock.
pub(crate) fn trace(what: &str, since: &mut std::time::Instant) {
    if *TRACE {
        note(&format!(
            "{what}: {:.3} ms",
            since.elapsed().as_secs_f64() * 1e3
        ));
        *since = std::time::Instant::now();
    }
}

/// Print `what` to stderr when tracing.
pub(crate) fn note(what: &str) {
    if *TRACE {
        eprintln!("vyre scan: {what}");
    }
}

/// The number in environment variable `name` (the scan's benchmark overrides), if set
/// and parsable.
pub(crate) fn env_number(name: &str) -> Option<u64> {
    std::env::var(name).ok()?.trim().parse().ok()
}
