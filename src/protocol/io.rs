//! IO queue (binding 3, SPEC §1.4): 8-word slots
//! `op, src, dst, offset lo, offset hi, byte count, status, tag`.
//!
//! Life of a request (the GPU side is the kernel's LOAD_MISS):
//! 1. the kernel claims an EMPTY io slot with compare-and-swap, writes the request and
//!    sets its status PUBLISHED; the requesting ring slot goes WAIT_IO;
//! 2. the host finds it ([`find_pending_io`]) or claims it ([`claim_io_request`],
//!    PUBLISHED → CLAIMED) and performs the transfer;
//! 3. the host completes it ([`complete_io`]: IO_OK or IO_ERROR; [`complete_io_batch`]
//!    for several at once, all or nothing);
//! 4. in a later wave the kernel resumes the WAIT_IO slot (OK → continue, ERROR → FAULT)
//!    and sets the io slot back to EMPTY.

use super::abi::{io, state, IO_SLOT_WORDS};
use super::words::{check_dst, get, put, sized, word_count};
use crate::error::{Error, Result};

/// The frozen io slot layout and ops (`abi::io`), re-exported next to the functions.
pub use super::abi::io::*;

/// Largest io queue an encoder allocates (same cap as the ring).
pub const MAX_IO_SLOTS: u32 = super::abi::MAX_RING_SLOTS;

/// A decoded io request (status kept separately in [`IoSlot`]).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoRequest {
    /// READ 1, WRITE 2, FENCE 3.
    pub op: u32,
    pub src: u32,
    pub dst: u32,
    pub offset: u64,
    pub bytes: u32,
    pub tag: u32,
}

/// One io-queue slot: request + status.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct IoSlot {
    pub request: IoRequest,
    pub status: u32,
}

/// Byte length of an io queue with `slot_count` slots (1..=1,048,576): `slot_count × 32`.
pub fn io_queue_len(slot_count: u32) -> Result<usize> {
    if slot_count == 0 {
        return Err(Error::invalid("an io queue needs at least one slot"));
    }
    sized(slot_count, IO_SLOT_WORDS, 0, MAX_IO_SLOTS, "io slot count")
}

/// Encode an empty io queue (every slot EMPTY).
pub fn encode_io_queue(slot_count: u32) -> Result<Vec<u8>> {
    Ok(vec![0u8; io_queue_len(slot_count)?])
}

/// Encode an empty io queue into the first [`io_queue_len`]`(slot_count)` bytes of
/// `dst`; returns that length. A shorter `dst` is `InsufficientSize` and stays unchanged.
pub fn encode_io_queue_into(slot_count: u32, dst: &mut [u8]) -> Result<usize> {
    let len = io_queue_len(slot_count)?;
    check_dst(dst.len(), len, "io-queue buffer")?;
    dst[..len].fill(0);
    Ok(len)
}

/// Slot count of an existing io queue (length a non-zero multiple of 32 bytes).
pub fn io_slot_count(queue: &[u8]) -> Result<u32> {
    let words = word_count(queue, "io-queue buffer")?;
    if words == 0 || words % IO_SLOT_WORDS != 0 {
        return Err(Error::malformed(format!(
            "io-queue buffer is {} bytes; it must be a non-zero multiple of {} bytes",
            queue.len(),
            IO_SLOT_WORDS * 4
        )));
    }
    u32::try_from(words / IO_SLOT_WORDS)
        .map_err(|_| Error::malformed("io queue has more slots than a u32 can index"))
}

fn check_io_slot(queue: &[u8], slot: u32) -> Result<()> {
    let n = io_slot_count(queue)?;
    if slot >= n {
        return Err(Error::out_of_range(format!(
            "io slot {slot} is outside the {n}-slot io queue"
        )));
    }
    Ok(())
}

fn status_of(queue: &[u8], slot: u32) -> u32 {
    get(queue, slot as usize * IO_SLOT_WORDS + io::STATUS)
}

fn set_status(queue: &mut [u8], slot: u32, status: u32) {
    put(queue, slot as usize * IO_SLOT_WORDS + io::STATUS, status);
}

fn check_op(op: u32) -> Result<()> {
    if !(io::READ..=io::FENCE).contains(&op) {
        return Err(Error::invalid(format!(
            "io op {op} is not READ (1), WRITE (2) or FENCE (3)"
        )));
    }
    Ok(())
}

/// Decode io slot `slot`.
pub fn read_io_slot(queue: &[u8], slot: u32) -> Result<IoSlot> {
    check_io_slot(queue, slot)?;
    let b = slot as usize * IO_SLOT_WORDS;
    let request = IoRequest {
        op: get(queue, b + io::OP),
        src: get(queue, b + io::SRC),
        dst: get(queue, b + io::DST),
        offset: get(queue, b + io::OFFSET_LO) as u64 | (get(queue, b + io::OFFSET_HI) as u64) << 32,
        bytes: get(queue, b + io::BYTES),
        tag: get(queue, b + io::TAG),
    };
    Ok(IoSlot {
        request,
        status: status_of(queue, slot),
    })
}

/// Post a request into an EMPTY io slot, status PUBLISHED last: what the kernel's
/// LOAD_MISS does, for CPU references, simulations and tests. Errors: bad op
/// (`InvalidArgument`), slot not EMPTY (`SlotInFlight`).
pub fn post_io_request(queue: &mut [u8], slot: u32, req: &IoRequest) -> Result<()> {
    check_io_slot(queue, slot)?;
    check_op(req.op)?;
    let st = status_of(queue, slot);
    if st != state::EMPTY {
        return Err(Error::in_flight(format!(
            "io slot {slot} has status {st}; only an EMPTY slot takes a request"
        )));
    }
    let b = slot as usize * IO_SLOT_WORDS;
    put(queue, b + io::OP, req.op);
    put(queue, b + io::SRC, req.src);
    put(queue, b + io::DST, req.dst);
    put(queue, b + io::OFFSET_LO, req.offset as u32);
    put(queue, b + io::OFFSET_HI, (req.offset >> 32) as u32);
    put(queue, b + io::BYTES, req.bytes);
    put(queue, b + io::TAG, req.tag);
    set_status(queue, slot, state::PUBLISHED);
    Ok(())
}

/// First io slot at or after `start` whose request is pending (status PUBLISHED), or
/// `None`. Does not modify the queue.
pub fn find_pending_io(queue: &[u8], start: u32) -> Result<Option<u32>> {
    let n = io_slot_count(queue)?;
    Ok((start..n).find(|s| status_of(queue, *s) == state::PUBLISHED))
}

/// Claim the first pending request (PUBLISHED → CLAIMED) and return its slot and
/// request, or `None` when nothing is pending. A pending request with an op other than
/// READ/WRITE/FENCE is `MalformedBuffer` and is left pending.
pub fn claim_io_request(queue: &mut [u8]) -> Result<Option<(u32, IoRequest)>> {
    let Some(slot) = find_pending_io(queue, 0)? else {
        return Ok(None);
    };
    let decoded = read_io_slot(queue, slot)?;
    if check_op(decoded.request.op).is_err() {
        return Err(Error::malformed(format!(
            "io slot {slot} holds a pending request with unknown op {}",
            decoded.request.op
        )));
    }
    set_status(queue, slot, state::CLAIMED);
    Ok(Some((slot, decoded.request)))
}

fn check_completion(queue: &[u8], slot: u32, status: u32) -> Result<()> {
    check_io_slot(queue, slot)?;
    if status != state::IO_OK && status != state::IO_ERROR {
        return Err(Error::invalid(format!(
            "io completion status {status:#x} is neither IO_OK (0x10) nor IO_ERROR (0x11)"
        )));
    }
    let st = status_of(queue, slot);
    if st != state::PUBLISHED && st != state::CLAIMED {
        return Err(Error::invalid(format!(
            "io slot {slot} has status {st}; only a pending (PUBLISHED) or claimed (CLAIMED) request can be completed"
        )));
    }
    Ok(())
}

/// Complete a pending or claimed request with `status` = IO_OK (0x10) or IO_ERROR (0x11).
pub fn complete_io(queue: &mut [u8], slot: u32, status: u32) -> Result<()> {
    check_completion(queue, slot, status)?;
    set_status(queue, slot, status);
    Ok(())
}

/// Complete several requests, all or nothing: every `(slot, status)` is checked (and no
/// slot may appear twice) before any status is written.
pub fn complete_io_batch(queue: &mut [u8], completions: &[(u32, u32)]) -> Result<()> {
    let mut seen = std::collections::HashSet::with_capacity(completions.len());
    for (i, (slot, status)) in completions.iter().enumerate() {
        check_completion(queue, *slot, *status)
            .map_err(|e| Error::new(e.status, format!("completion {i}: {}", e.message)))?;
        if !seen.insert(*slot) {
            return Err(Error::invalid(format!(
                "completion {i}: io slot {slot} appears twice in the batch"
            )));
        }
    }
    for (slot, status) in completions {
        set_status(queue, *slot, *status);
    }
    Ok(())
}
