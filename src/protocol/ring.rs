//! Ring buffer (binding 1, SPEC §1.2): 64-byte slots. Encoders, the host publishers
//! (single slot, packed slot, batch + BATCH_FENCE, work-item windows, whole work-item
//! rings) and strict readers.
//!
//! Every publisher validates the whole request first (ring shape, slot bounds, tenant,
//! priority, opcode, argument count, packed layout, every target slot EMPTY or DONE) and
//! only then writes, body first and status word PUBLISHED last. A rejected call leaves
//! the ring byte-for-byte unchanged (SPEC §1.8).

use super::abi::{
    control::MAX_TENANTS, op, priority, slot as s, state, MAX_RING_SLOTS, SLOT_ARGS, SLOT_WORDS,
};
use super::opcode::check_publishable;
use super::packed::unpack_ops;
use super::words::{check_dst, get, put, put_all, sized};
use crate::error::{Error, Result};
use bytemuck::{Pod, Zeroable};

/// Bytes per ring slot.
pub const SLOT_BYTES: usize = SLOT_WORDS * 4;

/// Priority written by publishers that take no priority argument.
pub const DEFAULT_PRIORITY: u32 = priority::NORMAL;

/// One decoded ring slot (the 16 words of SPEC §1.2, in order).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Pod, Zeroable)]
pub struct Slot {
    pub status: u32,
    pub opcode: u32,
    pub tenant: u32,
    pub priority: u32,
    pub args: [u32; SLOT_ARGS],
}

/// The fixed 16-byte work item (SPEC §1.7): published as slot opcode `op_handle` with
/// args `[input_handle, output_handle, param]`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Pod, Zeroable)]
pub struct WorkItem {
    pub op_handle: u32,
    pub input_handle: u32,
    pub output_handle: u32,
    pub param: u32,
}

/// Byte length of a ring with `slot_count` slots (1..=1,048,576): `slot_count × 64`.
pub fn ring_len(slot_count: u32) -> Result<usize> {
    if slot_count == 0 {
        return Err(Error::invalid("a ring needs at least one slot"));
    }
    sized(slot_count, SLOT_WORDS, 0, MAX_RING_SLOTS, "ring slot count")
}

/// Encode an empty ring (every slot EMPTY, all words zero).
pub fn encode_empty_ring(slot_count: u32) -> Result<Vec<u8>> {
    Ok(vec![0u8; ring_len(slot_count)?])
}

/// Encode an empty ring into the first [`ring_len`]`(slot_count)` bytes of `dst`;
/// returns that length. A shorter `dst` is `InsufficientSize` and stays unchanged.
pub fn encode_empty_ring_into(slot_count: u32, dst: &mut [u8]) -> Result<usize> {
    let len = ring_len(slot_count)?;
    check_dst(dst.len(), len, "ring buffer")?;
    dst[..len].fill(0);
    Ok(len)
}

/// Slot count of an existing ring; its length must be a non-zero multiple of 64 bytes.
pub fn ring_slot_count(ring: &[u8]) -> Result<u32> {
    if ring.is_empty() || ring.len() % SLOT_BYTES != 0 {
        return Err(Error::malformed(format!(
            "ring buffer is {} bytes; a ring is a non-zero multiple of {SLOT_BYTES} bytes",
            ring.len()
        )));
    }
    u32::try_from(ring.len() / SLOT_BYTES)
        .map_err(|_| Error::malformed("ring buffer has more slots than a u32 can index"))
}

fn check_slot_index(slots: u32, slot: u32) -> Result<()> {
    if slot >= slots {
        return Err(Error::out_of_range(format!(
            "slot {slot} is outside the {slots}-slot ring"
        )));
    }
    Ok(())
}

/// `[start, start + count)` must lie inside the ring (no wrap-around).
fn check_window(slots: u32, start: u32, count: usize) -> Result<()> {
    let end = (start as u64).checked_add(count as u64);
    match end {
        Some(end) if end <= slots as u64 => Ok(()),
        _ => Err(Error::out_of_range(format!(
            "slots {start}..{start}+{count} do not fit in the {slots}-slot ring (no wrap-around)"
        ))),
    }
}

pub(crate) fn check_tenant(tenant: u32) -> Result<()> {
    if tenant >= MAX_TENANTS {
        return Err(Error::out_of_range(format!(
            "tenant {tenant} is out of range; tenants are 0..{MAX_TENANTS}"
        )));
    }
    Ok(())
}

pub(crate) fn check_priority(priority: u32) -> Result<()> {
    if priority as usize >= priority::LEVELS {
        return Err(Error::invalid(format!(
            "priority {priority} is not a priority level (0 CRITICAL .. 4 IDLE)"
        )));
    }
    Ok(())
}

/// Opcode + argument checks shared by every publisher.
fn check_body(opcode: u32, tenant: u32, args: &[u32]) -> Result<()> {
    check_publishable(opcode, tenant)?;
    if args.len() > SLOT_ARGS {
        return Err(Error::invalid(format!(
            "{} arguments given; a slot holds at most {SLOT_ARGS}",
            args.len()
        )));
    }
    if opcode == op::PACKED_SLOT {
        let mut full = [0u32; SLOT_ARGS];
        full[..args.len()].copy_from_slice(args);
        unpack_ops(&full)?;
    }
    Ok(())
}

/// A slot may be (re)published only when it is EMPTY or DONE; anything else, garbage
/// included, is in flight.
pub(crate) fn check_free(ring: &[u8], slot: u32) -> Result<()> {
    let status = get(ring, slot as usize * SLOT_WORDS + s::STATUS);
    if status != state::EMPTY && status != state::DONE {
        return Err(Error::in_flight(format!(
            "slot {slot} has status {status}; only EMPTY (0) or DONE (3) slots can be published"
        )));
    }
    Ok(())
}

/// Write a slot body (args zero-filled past `args`), then the status word last.
pub(crate) fn write_slot(ring: &mut [u8], slot: u32, status: u32, head: [u32; 3], args: &[u32]) {
    let base = slot as usize * SLOT_WORDS;
    put_all(ring, base + s::OPCODE, &head);
    let mut full = [0u32; SLOT_ARGS];
    full[..args.len()].copy_from_slice(args);
    put_all(ring, base + s::ARGS, &full);
    put(ring, base + s::STATUS, status);
}

/// Publish one opcode into slot `slot` with the default priority (NORMAL).
/// See [`publish_slot_with_priority`].
pub fn publish_slot(
    ring: &mut [u8],
    slot: u32,
    tenant: u32,
    opcode: u32,
    args: &[u32],
) -> Result<()> {
    publish_slot_with_priority(ring, slot, tenant, DEFAULT_PRIORITY, opcode, args)
}

/// Publish one opcode into slot `slot`: zero all 12 args, write `args` (at most 12),
/// opcode, tenant and priority, then status PUBLISHED.
///
/// Errors: malformed ring; slot or tenant out of range; priority > 4, reserved opcode,
/// an opcode of another tenant's window, more than 12 args or an invalid packed layout
/// (`InvalidArgument`); slot not EMPTY/DONE (`SlotInFlight`).
pub fn publish_slot_with_priority(
    ring: &mut [u8],
    slot: u32,
    tenant: u32,
    priority: u32,
    opcode: u32,
    args: &[u32],
) -> Result<()> {
    let slots = ring_slot_count(ring)?;
    check_slot_index(slots, slot)?;
    check_tenant(tenant)?;
    check_priority(priority)?;
    check_body(opcode, tenant, args)?;
    check_free(ring, slot)?;
    write_slot(
        ring,
        slot,
        state::PUBLISHED,
        [opcode, tenant, priority],
        args,
    );
    Ok(())
}

/// Publish a PACKED_SLOT holding several small ops (SPEC §1.6) with the default priority.
/// `ops` are `(inner opcode, args)`; see [`super::packed::pack_ops`] for the limits.
pub fn publish_packed_slot<A: AsRef<[u32]>>(
    ring: &mut [u8],
    slot: u32,
    tenant: u32,
    ops: &[(u8, A)],
) -> Result<()> {
    publish_packed_slot_with_priority(ring, slot, tenant, DEFAULT_PRIORITY, ops)
}

/// [`publish_packed_slot`] with an explicit priority.
pub fn publish_packed_slot_with_priority<A: AsRef<[u32]>>(
    ring: &mut [u8],
    slot: u32,
    tenant: u32,
    priority: u32,
    ops: &[(u8, A)],
) -> Result<()> {
    let slots = ring_slot_count(ring)?;
    check_slot_index(slots, slot)?;
    check_tenant(tenant)?;
    check_priority(priority)?;
    let args = super::packed::pack_ops(ops)?;
    check_free(ring, slot)?;
    write_slot(
        ring,
        slot,
        state::PUBLISHED,
        [op::PACKED_SLOT, tenant, priority],
        &args,
    );
    Ok(())
}

/// Publish `items` into slots `start_slot..start_slot+N` and a BATCH_FENCE with args
/// `[N, batch_tag]` into slot `start_slot+N`, with the default priority. Returns N + 1,
/// the number of slots written. All N + 1 slots must lie inside the ring (no wrap) and
/// be EMPTY or DONE; otherwise nothing is written.
pub fn batch_publish<A: AsRef<[u32]>>(
    ring: &mut [u8],
    start_slot: u32,
    tenant: u32,
    items: &[(u32, A)],
    batch_tag: u32,
) -> Result<u32> {
    batch_publish_with_priority(ring, start_slot, tenant, DEFAULT_PRIORITY, items, batch_tag)
}

/// [`batch_publish`] with an explicit priority for the items and the fence.
pub fn batch_publish_with_priority<A: AsRef<[u32]>>(
    ring: &mut [u8],
    start_slot: u32,
    tenant: u32,
    priority: u32,
    items: &[(u32, A)],
    batch_tag: u32,
) -> Result<u32> {
    let slots = ring_slot_count(ring)?;
    check_tenant(tenant)?;
    check_priority(priority)?;
    let total = items
        .len()
        .checked_add(1)
        .filter(|n| *n <= u32::MAX as usize);
    let total = total.ok_or_else(|| Error::overflow("batch too large for a u32 slot count"))?;
    check_window(slots, start_slot, total)?;
    for (i, (opcode, args)) in items.iter().enumerate() {
        check_body(*opcode, tenant, args.as_ref())
            .map_err(|e| Error::new(e.status, format!("batch item {i}: {}", e.message)))?;
    }
    for i in 0..total as u32 {
        check_free(ring, start_slot + i)?;
    }
    for (i, (opcode, args)) in items.iter().enumerate() {
        write_slot(
            ring,
            start_slot + i as u32,
            state::PUBLISHED,
            [*opcode, tenant, priority],
            args.as_ref(),
        );
    }
    let n = items.len() as u32;
    write_slot(
        ring,
        start_slot + n,
        state::PUBLISHED,
        [op::BATCH_FENCE, tenant, priority],
        &[n, batch_tag],
    );
    Ok(n + 1)
}

/// The slot words of one work item (status PUBLISHED, priority NORMAL).
#[inline(always)]
fn work_item_words(it: &WorkItem, tenant: u32) -> [u32; SLOT_WORDS] {
    published_slot_words(
        it.op_handle,
        tenant,
        DEFAULT_PRIORITY,
        &[it.input_handle, it.output_handle, it.param],
    )
}

/// The words of a PUBLISHED slot (args zero-padded). No checks: for bulk encoders whose
/// callers validated opcode, tenant, priority and at most [`SLOT_ARGS`] args.
#[inline(always)]
pub(crate) fn published_slot_words(
    opcode: u32,
    tenant: u32,
    priority: u32,
    args: &[u32],
) -> [u32; SLOT_WORDS] {
    let mut w = [0u32; SLOT_WORDS];
    w[s::STATUS] = state::PUBLISHED;
    w[s::OPCODE] = opcode;
    w[s::TENANT] = tenant;
    w[s::PRIORITY] = priority;
    w[s::ARGS..s::ARGS + args.len()].copy_from_slice(args);
    w
}

/// One pass over the items: every opcode must be publishable by `tenant`.
fn check_work_items(tenant: u32, items: &[WorkItem]) -> Result<()> {
    check_tenant(tenant)?;
    for (i, it) in items.iter().enumerate() {
        let op = it.op_handle;
        // Fast path: plain user opcodes below the tenant windows need no further checks.
        let plain_user = (op > op::BATCH_FENCE && op < op::SCANNER_FIRST)
            || (op > 0xFFFF && op < op::TENANT_WINDOW_BASE);
        if !plain_user {
            if op == op::PACKED_SLOT {
                return Err(Error::invalid(format!(
                    "work item {i}: PACKED_SLOT cannot be a work item; use publish_packed_slot"
                )));
            }
            check_publishable(op, tenant)
                .map_err(|e| Error::new(e.status, format!("work item {i}: {}", e.message)))?;
        }
    }
    Ok(())
}

/// Publish a window of work items into slots `start_slot..start_slot+N` of an existing
/// ring without touching other slots (priority NORMAL). Returns N. Every target slot
/// must be EMPTY or DONE and inside the ring; otherwise nothing is written.
pub fn publish_work_items(
    ring: &mut [u8],
    start_slot: u32,
    tenant: u32,
    items: &[WorkItem],
) -> Result<u32> {
    let slots = ring_slot_count(ring)?;
    check_window(slots, start_slot, items.len())?;
    check_work_items(tenant, items)?;
    for i in 0..items.len() as u32 {
        check_free(ring, start_slot + i)?;
    }
    let base = start_slot as usize * SLOT_BYTES;
    let window = &mut ring[base..base + items.len() * SLOT_BYTES];
    for (dst, it) in window.chunks_exact_mut(SLOT_BYTES).zip(items) {
        store_slot_bytes(dst, &work_item_words(it, tenant));
    }
    Ok(items.len() as u32)
}

/// Store one slot's words as little-endian bytes in one 64-byte store. The work-item
/// publishers write whole slots of a host buffer that the GPU only sees after an upload,
/// so status-last ordering inside one slot is not observable; one wide store is what
/// makes the hot path memcpy-class.
#[inline(always)]
fn store_slot_bytes(dst: &mut [u8], w: &[u32; SLOT_WORDS]) {
    #[cfg(target_endian = "little")]
    dst.copy_from_slice(bytemuck::bytes_of(w));
    #[cfg(not(target_endian = "little"))]
    for (d, v) in dst.chunks_exact_mut(4).zip(w) {
        d.copy_from_slice(&v.to_le_bytes());
    }
}

pub(crate) fn check_ring_encode(slot_count: u32, tenant: u32, items: &[WorkItem]) -> Result<usize> {
    let len = ring_len(slot_count)?;
    if items.len() > slot_count as usize {
        return Err(Error::out_of_range(format!(
            "{} work items do not fit in a {slot_count}-slot ring",
            items.len()
        )));
    }
    check_work_items(tenant, items)?;
    Ok(len)
}

/// Encode a whole ring of `slot_count` slots: items in slots `0..N` (PUBLISHED, priority
/// NORMAL), the rest EMPTY. Writes the first [`ring_len`]`(slot_count)` bytes of `dst`
/// and returns that length. This is the hot path: one validation pass, then one write
/// per slot.
pub fn encode_work_items_ring(
    slot_count: u32,
    tenant: u32,
    items: &[WorkItem],
    dst: &mut [u8],
) -> Result<usize> {
    let len = check_ring_encode(slot_count, tenant, items)?;
    check_dst(dst.len(), len, "ring buffer")?;
    write_work_items_ring(tenant, items, &mut dst[..len]);
    Ok(len)
}

/// The write half of [`encode_work_items_ring`]: `dst` is exactly the ring and the items
/// were validated by [`check_ring_encode`] (the C API validates once, before its size
/// convention, and must not pay for a second pass).
#[inline]
pub(crate) fn write_work_items_ring(tenant: u32, items: &[WorkItem], dst: &mut [u8]) {
    let (head, tail) = dst.split_at_mut(items.len() * SLOT_BYTES);
    for (d, it) in head.chunks_exact_mut(SLOT_BYTES).zip(items) {
        store_slot_bytes(d, &work_item_words(it, tenant));
    }
    tail.fill(0);
}

/// [`encode_work_items_ring`] into native `u32` words (the wire words on little-endian
/// hosts; hand them to a GPU upload with `bytemuck::cast_slice`). Writes the first
/// `slot_count × 16` words of `dst` and returns that word count.
pub fn encode_work_items_ring_words(
    slot_count: u32,
    tenant: u32,
    items: &[WorkItem],
    dst: &mut [u32],
) -> Result<usize> {
    let words = check_ring_encode(slot_count, tenant, items)? / 4;
    check_dst(dst.len(), words, "ring word buffer")?;
    write_work_items_ring_words(tenant, items, &mut dst[..words]);
    Ok(words)
}

/// The write half of [`encode_work_items_ring_words`] (see [`write_work_items_ring`]).
#[inline]
pub(crate) fn write_work_items_ring_words(tenant: u32, items: &[WorkItem], dst: &mut [u32]) {
    let (head, tail) = dst.split_at_mut(items.len() * SLOT_WORDS);
    for (d, it) in head.chunks_exact_mut(SLOT_WORDS).zip(items) {
        d.copy_from_slice(&work_item_words(it, tenant));
    }
    tail.fill(0);
}

/// Decode slot `slot`.
pub fn read_slot(ring: &[u8], slot: u32) -> Result<Slot> {
    let slots = ring_slot_count(ring)?;
    check_slot_index(slots, slot)?;
    let base = slot as usize * SLOT_WORDS;
    let mut w = [0u32; SLOT_WORDS];
    for (i, v) in w.iter_mut().enumerate() {
        *v = get(ring, base + i);
    }
    Ok(bytemuck::cast(w))
}

/// Status word of slot `slot`.
pub fn read_slot_status(ring: &[u8], slot: u32) -> Result<u32> {
    let slots = ring_slot_count(ring)?;
    check_slot_index(slots, slot)?;
    Ok(get(ring, slot as usize * SLOT_WORDS + s::STATUS))
}

/// Number of DONE slots among the first `item_count` slots.
pub fn count_done_slots(ring: &[u8], item_count: usize) -> Result<u64> {
    let slots = ring_slot_count(ring)?;
    if item_count > slots as usize {
        return Err(Error::out_of_range(format!(
            "{item_count} items requested but the ring has only {slots} slots"
        )));
    }
    Ok((0..item_count)
        .filter(|i| get(ring, i * SLOT_WORDS + s::STATUS) == state::DONE)
        .count() as u64)
}
