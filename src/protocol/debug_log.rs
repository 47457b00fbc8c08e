//! Debug log (binding 2, SPEC §1.3): word 0 is a cursor counting words; record i is
//! words `1+4i ..= 4+4i` = (format id, arg1, arg2, slot word offset). The kernel's
//! PRINTF reserves 4 words with an atomic add; records past the capacity are dropped but
//! the cursor still advances, so the strict reader reports them as a dropped count
//! instead of failing.

use super::abi::{DEBUG_RECORD_WORDS, MAX_DEBUG_RECORDS};
use super::words::{check_dst, get, put, sized, word_count};
use crate::error::{Error, Result};
use bytemuck::{Pod, Zeroable};

/// One PRINTF record.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
pub struct DebugRecord {
    pub fmt_id: u32,
    pub arg1: u32,
    pub arg2: u32,
    /// Word offset of the slot that printed (slot index × 16).
    pub slot_word_offset: u32,
}

/// Shape and fill state of a debug log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DebugLogStats {
    /// Records the buffer can hold.
    pub capacity: u32,
    /// Records stored in the buffer (min(written, capacity)).
    pub stored: u32,
    /// Records the kernel wrote past the capacity (lost).
    pub dropped: u32,
}

/// Decoded debug log: the records that fit and how many were dropped.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DebugLog {
    pub records: Vec<DebugRecord>,
    pub dropped: u32,
}

/// Byte length of a debug log holding `capacity` records: `(1 + 4·capacity) × 4`.
/// Any capacity from 0 to 1,048,576 (64 → 257 words).
pub fn debug_log_len(capacity: u32) -> Result<usize> {
    sized(
        capacity,
        DEBUG_RECORD_WORDS,
        1,
        MAX_DEBUG_RECORDS,
        "debug-log record capacity",
    )
}

/// Encode an empty debug log (cursor 0, records zeroed).
pub fn encode_empty_debug_log(capacity: u32) -> Result<Vec<u8>> {
    Ok(vec![0u8; debug_log_len(capacity)?])
}

/// Encode an empty debug log into the first [`debug_log_len`]`(capacity)` bytes of
/// `dst`; returns that length. A shorter `dst` is `InsufficientSize` and stays unchanged.
pub fn encode_empty_debug_log_into(capacity: u32, dst: &mut [u8]) -> Result<usize> {
    let len = debug_log_len(capacity)?;
    check_dst(dst.len(), len, "debug-log buffer")?;
    dst[..len].fill(0);
    Ok(len)
}

/// Strictly check a debug log and count its records. Errors (`MalformedBuffer`): length
/// not `1 + 4k` words, or a cursor that is not a multiple of 4 (a partial record).
pub fn debug_log_stats(log: &[u8]) -> Result<DebugLogStats> {
    let words = word_count(log, "debug-log buffer")?;
    if words == 0 || (words - 1) % DEBUG_RECORD_WORDS != 0 {
        return Err(Error::malformed(format!(
            "debug-log buffer has {words} words; it must be 1 + 4 × capacity words"
        )));
    }
    let capacity = ((words - 1) / DEBUG_RECORD_WORDS) as u32;
    let cursor = get(log, 0);
    if cursor % DEBUG_RECORD_WORDS as u32 != 0 {
        return Err(Error::malformed(format!(
            "debug-log cursor {cursor} points inside a record (it must be a multiple of 4)"
        )));
    }
    let written = cursor / DEBUG_RECORD_WORDS as u32;
    let stored = written.min(capacity);
    Ok(DebugLogStats {
        capacity,
        stored,
        dropped: written - stored,
    })
}

/// Record `i` (caller checked `i < stored`).
fn record(log: &[u8], i: usize) -> DebugRecord {
    let b = 1 + DEBUG_RECORD_WORDS * i;
    DebugRecord {
        fmt_id: get(log, b),
        arg1: get(log, b + 1),
        arg2: get(log, b + 2),
        slot_word_offset: get(log, b + 3),
    }
}

/// Strictly decode the records that fit plus the dropped count (overflow is not an error).
pub fn read_debug_log(log: &[u8]) -> Result<DebugLog> {
    let stats = debug_log_stats(log)?;
    let records = (0..stats.stored as usize).map(|i| record(log, i)).collect();
    Ok(DebugLog {
        records,
        dropped: stats.dropped,
    })
}

/// Decode into caller storage: writes the stored records to `out[..stored]` and returns
/// the stats. `out` shorter than `stored` is `InsufficientSize` (required = stored) and
/// stays unchanged.
pub fn read_debug_log_into(log: &[u8], out: &mut [DebugRecord]) -> Result<DebugLogStats> {
    let stats = debug_log_stats(log)?;
    check_dst(out.len(), stats.stored as usize, "debug record array")?;
    for (i, r) in out[..stats.stored as usize].iter_mut().enumerate() {
        *r = record(log, i);
    }
    Ok(stats)
}

/// Append a record the way the kernel's PRINTF does (reserve 4 words, write if it fits).
/// For CPU references and tests; the kernel does this with an atomic add.
pub fn append_debug_record(log: &mut [u8], rec: &DebugRecord) -> Result<()> {
    let stats = debug_log_stats(log)?;
    let cursor = get(log, 0);
    let next = cursor
        .checked_add(DEBUG_RECORD_WORDS as u32)
        .ok_or_else(|| Error::overflow("debug-log cursor would overflow"))?;
    if stats.stored + stats.dropped < stats.capacity {
        let b = 1 + cursor as usize;
        put(log, b, rec.fmt_id);
        put(log, b + 1, rec.arg1);
        put(log, b + 2, rec.arg2);
        put(log, b + 3, rec.slot_word_offset);
    }
    put(log, 0, next);
    Ok(())
}
