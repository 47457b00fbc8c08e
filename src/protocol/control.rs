//! Control buffer (binding 0, SPEC §1.1): encoder, priority partitions, tenant bitmap and
//! quotas, and strict readers for the counters the kernel maintains.
//!
//! Every function takes the control buffer as little-endian bytes. Readers and writers
//! first check that the buffer is a whole number of words and at least
//! [`CONTROL_WORDS`](super::abi::CONTROL_WORDS) long (else `MalformedBuffer`), then that
//! the index is in range (else `OutOfRange`). Writers change nothing when they fail.

use super::abi::{control as c, priority, CONTROL_WORDS, MAX_OBSERVABLE_SLOTS, MAX_RING_SLOTS};
use super::ring::check_tenant;
use super::words::{check_dst, get, put, sized, word_count};
use crate::error::{Error, Result};

/// The frozen word offsets (`abi::control`), re-exported so `protocol::control::EPOCH`
/// names the word next to the functions that read it.
pub use super::abi::control::*;

/// Byte length of a control buffer with `observable_slots` result words:
/// `(160 + observable_slots) × 4`. Observable slots above 1,048,576 are refused.
pub fn control_len(observable_slots: u32) -> Result<usize> {
    sized(
        observable_slots,
        1,
        CONTROL_WORDS,
        MAX_OBSERVABLE_SLOTS,
        "observable slot count",
    )
}

/// Encode a fresh control buffer.
///
/// - `shutdown`: initial SHUTDOWN word (workers stop claiming when set).
/// - `tenant_count`: tenants `0..tenant_count` are allowed in the tenant bitmap
///   (at most 928; more is `OutOfRange`).
/// - `observable_slots`: result words after word 160 (at most 1,048,576).
/// - `ring_slots`: slot count of the ring this control block drives; words 129..=134
///   get the default priority partitions for it ([`default_priority_offsets`]).
///   0 leaves the partition table zeroed, which tells the kernel that there is no
///   partition table (all slots are claimed in index order); set one later with
///   [`set_priority_partitions`] or [`set_priority_offsets`].
///
/// Quotas are written as 0 (unlimited), every counter as 0, TENANT_BASE as 3.
pub fn encode_control(
    shutdown: bool,
    tenant_count: u32,
    observable_slots: u32,
    ring_slots: u32,
) -> Result<Vec<u8>> {
    let len = control_len(observable_slots)?;
    check_control_params(tenant_count, ring_slots)?;
    let mut out = vec![0u8; len];
    encode_control_into(
        shutdown,
        tenant_count,
        observable_slots,
        ring_slots,
        &mut out,
    )?;
    Ok(out)
}

/// Like [`encode_control`], into caller storage: writes the first
/// [`control_len`]`(observable_slots)` bytes of `dst` and returns that length.
/// `dst` shorter than that is `InsufficientSize` (with the required length) and is left
/// unchanged.
pub fn encode_control_into(
    shutdown: bool,
    tenant_count: u32,
    observable_slots: u32,
    ring_slots: u32,
    dst: &mut [u8],
) -> Result<usize> {
    let len = control_len(observable_slots)?;
    check_control_params(tenant_count, ring_slots)?;
    check_dst(dst.len(), len, "control buffer")?;
    let dst = &mut dst[..len];
    dst.fill(0);
    put(dst, c::SHUTDOWN, shutdown as u32);
    put(dst, c::TENANT_BASE, c::TENANT_TABLE as u32);
    for t in 0..tenant_count {
        let (w, bit) = tenant_bit(t);
        put(dst, w, get(dst, w) | bit);
    }
    if ring_slots > 0 {
        write_offsets(dst, &default_priority_offsets(ring_slots));
    }
    Ok(len)
}

pub(crate) fn check_control_params(tenant_count: u32, ring_slots: u32) -> Result<()> {
    if tenant_count > c::MAX_TENANTS {
        return Err(Error::out_of_range(format!(
            "tenant count {tenant_count} exceeds the {} tenants the control bitmap holds",
            c::MAX_TENANTS
        )));
    }
    check_ring_slots(ring_slots)
}

fn check_ring_slots(ring_slots: u32) -> Result<()> {
    if ring_slots > MAX_RING_SLOTS {
        return Err(Error::out_of_range(format!(
            "ring slot count {ring_slots} exceeds the protocol cap of {MAX_RING_SLOTS}"
        )));
    }
    Ok(())
}

/// Check shape; returns the word count.
fn control_words(control: &[u8]) -> Result<usize> {
    let words = word_count(control, "control buffer")?;
    if words < CONTROL_WORDS {
        return Err(Error::malformed(format!(
            "control buffer has {words} words; at least {CONTROL_WORDS} are required"
        )));
    }
    Ok(words)
}

/// Word index and bit mask of tenant `t` in the bitmap (caller checked `t < 928`).
fn tenant_bit(t: u32) -> (usize, u32) {
    (c::TENANT_TABLE + (t / 32) as usize, 1u32 << (t % 32))
}

fn check_quota_tenant(tenant: u32) -> Result<()> {
    if tenant as usize >= c::QUOTA_TENANTS {
        return Err(Error::out_of_range(format!(
            "tenant {tenant} has no quota/fairness word; only tenants 0..{} do",
            c::QUOTA_TENANTS
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------
// Priority partitions (words 129..=134).
// ---------------------------------------------------------------------------------------

/// Default partitions for a ring of `ring_slots` slots: `ring_slots / 5` slots per level,
/// the remainder to NORMAL; returns the first slot of CRITICAL, HIGH, NORMAL, LOW, IDLE
/// and the sentinel (`ring_slots`). 40 slots → `[0, 8, 16, 24, 32, 40]`.
pub const fn default_priority_offsets(ring_slots: u32) -> [u32; 6] {
    let base = ring_slots / priority::LEVELS as u32;
    let rem = ring_slots % priority::LEVELS as u32;
    [
        0,
        base,
        2 * base,
        3 * base + rem,
        4 * base + rem,
        ring_slots,
    ]
}

fn write_offsets(control: &mut [u8], offsets: &[u32; 6]) {
    for (i, v) in offsets.iter().enumerate() {
        put(control, c::PRIORITY_OFFSETS + i, *v);
    }
}

/// Write the default priority partitions for a ring of `ring_slots` slots
/// (1..=1,048,576; 0 clears the table, meaning "no partitions").
pub fn set_priority_partitions(control: &mut [u8], ring_slots: u32) -> Result<()> {
    control_words(control)?;
    check_ring_slots(ring_slots)?;
    let offsets = if ring_slots == 0 {
        [0; 6]
    } else {
        default_priority_offsets(ring_slots)
    };
    write_offsets(control, &offsets);
    Ok(())
}

/// Write a custom partition table: `offsets[0]` must be 0, the offsets must not decrease,
/// and the sentinel `offsets[5]` (the ring's slot count) must be at most 1,048,576.
pub fn set_priority_offsets(control: &mut [u8], offsets: &[u32; 6]) -> Result<()> {
    control_words(control)?;
    if offsets[0] != 0 || offsets.windows(2).any(|w| w[0] > w[1]) {
        return Err(Error::invalid(format!(
            "priority offsets {offsets:?} must start at 0 and never decrease"
        )));
    }
    check_ring_slots(offsets[5])?;
    write_offsets(control, offsets);
    Ok(())
}

/// The partition table (words 129..=134).
pub fn read_priority_offsets(control: &[u8]) -> Result<[u32; 6]> {
    control_words(control)?;
    let mut out = [0u32; 6];
    for (i, v) in out.iter_mut().enumerate() {
        *v = get(control, c::PRIORITY_OFFSETS + i);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------
// Shutdown, tenants, quotas.
// ---------------------------------------------------------------------------------------

/// Set or clear the SHUTDOWN word (word 0).
pub fn set_shutdown(control: &mut [u8], shutdown: bool) -> Result<()> {
    control_words(control)?;
    put(control, c::SHUTDOWN, shutdown as u32);
    Ok(())
}

/// Whether SHUTDOWN (word 0) is non-zero.
pub fn read_shutdown(control: &[u8]) -> Result<bool> {
    control_words(control)?;
    Ok(get(control, c::SHUTDOWN) != 0)
}

/// Allow (`true`) or deny (`false`) `tenant` (< 928) in the tenant bitmap.
pub fn set_tenant_allowed(control: &mut [u8], tenant: u32, allowed: bool) -> Result<()> {
    control_words(control)?;
    check_tenant(tenant)?;
    let (w, bit) = tenant_bit(tenant);
    let old = get(control, w);
    put(control, w, if allowed { old | bit } else { old & !bit });
    Ok(())
}

/// Whether `tenant` (< 928) is allowed by the tenant bitmap.
pub fn is_tenant_allowed(control: &[u8], tenant: u32) -> Result<bool> {
    control_words(control)?;
    check_tenant(tenant)?;
    let (w, bit) = tenant_bit(tenant);
    Ok(get(control, w) & bit != 0)
}

/// Set the per-wave claim quota of `tenant` (< 32); 0 means unlimited.
pub fn set_tenant_quota(control: &mut [u8], tenant: u32, quota: u32) -> Result<()> {
    control_words(control)?;
    check_quota_tenant(tenant)?;
    put(control, c::TENANT_QUOTA + tenant as usize, quota);
    Ok(())
}

/// Per-wave claim quota of `tenant` (< 32); 0 means unlimited.
pub fn read_tenant_quota(control: &[u8], tenant: u32) -> Result<u32> {
    control_words(control)?;
    check_quota_tenant(tenant)?;
    Ok(get(control, c::TENANT_QUOTA + tenant as usize))
}

/// Claims counted for tenant slot `tenant` (< 32) in the TENANT_FAIRNESS words.
pub fn read_tenant_claims(control: &[u8], tenant: u32) -> Result<u32> {
    control_words(control)?;
    check_quota_tenant(tenant)?;
    Ok(get(control, c::TENANT_FAIRNESS + tenant as usize))
}

// ---------------------------------------------------------------------------------------
// Strict readers.
// ---------------------------------------------------------------------------------------

/// Any control word by index (bounds-checked against the buffer).
pub fn read_control_word(control: &[u8], index: u32) -> Result<u32> {
    let words = control_words(control)?;
    if index as usize >= words {
        return Err(Error::out_of_range(format!(
            "control word {index} is outside the {words}-word control buffer"
        )));
    }
    Ok(get(control, index as usize))
}

/// DONE_COUNT (word 1): completed top-level slots.
pub fn read_done_count(control: &[u8]) -> Result<u32> {
    control_words(control)?;
    Ok(get(control, c::DONE_COUNT))
}

/// EPOCH (word 128): BATCH_FENCE slots executed.
pub fn read_epoch(control: &[u8]) -> Result<u32> {
    control_words(control)?;
    Ok(get(control, c::EPOCH))
}

/// FAULT_COUNT (word 141): slots that ended in FAULT.
pub fn read_fault_count(control: &[u8]) -> Result<u32> {
    control_words(control)?;
    Ok(get(control, c::FAULT_COUNT))
}

/// Number of observable words in this control buffer (words after 160).
pub fn observable_count(control: &[u8]) -> Result<u32> {
    Ok((control_words(control)? - CONTROL_WORDS) as u32)
}

/// Observable result word `index` (word 160 + index).
pub fn read_observable(control: &[u8], index: u32) -> Result<u32> {
    let words = control_words(control)?;
    let n = words - CONTROL_WORDS;
    if index as usize >= n {
        return Err(Error::out_of_range(format!(
            "observable word {index} is outside the {n} observable words of this control buffer"
        )));
    }
    Ok(get(control, c::OBSERVABLE + index as usize))
}

/// Execution counters of opcodes 0..32 (words 96..=127), indexed by opcode.
pub fn read_metrics(control: &[u8]) -> Result<[u32; c::METRICS_OPCODES]> {
    control_words(control)?;
    let mut out = [0u32; c::METRICS_OPCODES];
    for (i, v) in out.iter_mut().enumerate() {
        *v = get(control, c::METRICS + i);
    }
    Ok(out)
}

/// Execution counter of one opcode (< 32).
pub fn read_metric(control: &[u8], opcode: u32) -> Result<u32> {
    control_words(control)?;
    if opcode as usize >= c::METRICS_OPCODES {
        return Err(Error::out_of_range(format!(
            "opcode {opcode:#x} has no metrics counter; only opcodes below {} do",
            c::METRICS_OPCODES
        )));
    }
    Ok(get(control, c::METRICS + opcode as usize))
}
