//! C API of the wire protocol (SPEC §1): constants, POD structs and functions over
//! caller-owned buffers. Logic lives in `crate::protocol`; this file only checks
//! pointers, validates C integers and converts types.
//!
//! Buffers are `uint8_t *buf, size_t len` holding little-endian `u32` words. Functions
//! that read or modify an existing protocol buffer require `len` to be a whole number of
//! words with the buffer's shape (control ≥ 160 words, ring a multiple of 64 bytes,
//! debug log 1 + 4k words, io queue a multiple of 32 bytes), else
//! `VYRE_ERROR_MALFORMED_BUFFER`. Encoders follow the `(buf, len, out_written)`
//! convention. Every function validates everything before writing: a failed call leaves
//! every caller buffer and output byte-for-byte unchanged (except `*out_written`, which
//! reports the required size on `VYRE_ERROR_INSUFFICIENT_SIZE`).
//!
//! Thread safety of every function here: no shared state; calls on different buffers may
//! run concurrently on any threads. A buffer must not be accessed by another thread while
//! a call that reads or writes it runs.

use super::core::{
    boundary, obj_mut, obj_ref, require_out, slice_mut, slice_ref, vyre_error, vyre_status,
    write_out,
};
use crate::error::{Error, Result};
use crate::protocol::{self as p, abi};
use std::mem::{align_of, offset_of, size_of};

// ---------------------------------------------------------------------------------------
// Sizes and limits.
// ---------------------------------------------------------------------------------------

/// Words per ring slot.
pub const VYRE_SLOT_WORDS: u32 = 16;
/// Bytes per ring slot; a ring buffer is slot_count × 64 bytes.
pub const VYRE_SLOT_BYTES: u32 = 64;
/// Maximum argument words of one slot (words 4..15).
pub const VYRE_SLOT_MAX_ARGS: u32 = 12;
/// Fixed control words before the observable region; a control buffer is
/// (160 + observable_slots) × 4 bytes.
pub const VYRE_CONTROL_WORDS: u32 = 160;
/// Words per io-queue slot.
pub const VYRE_IO_SLOT_WORDS: u32 = 8;
/// Bytes per io-queue slot.
pub const VYRE_IO_SLOT_BYTES: u32 = 32;
/// Words per debug-log record; a debug log is (1 + 4 × capacity) × 4 bytes.
pub const VYRE_DEBUG_RECORD_WORDS: u32 = 4;
/// Default debug-log capacity in records (257 words).
pub const VYRE_DEFAULT_DEBUG_RECORDS: u32 = 64;
/// Default io-queue slot count.
pub const VYRE_DEFAULT_IO_SLOTS: u32 = 64;
/// Largest ring an encoder accepts (slots).
pub const VYRE_MAX_RING_SLOTS: u32 = 1048576;
/// Largest observable region an encoder accepts (words).
pub const VYRE_MAX_OBSERVABLE_SLOTS: u32 = 1048576;
/// Largest debug-log capacity an encoder accepts (records).
pub const VYRE_MAX_DEBUG_RECORDS: u32 = 1048576;
/// Largest io queue an encoder accepts (slots).
pub const VYRE_MAX_IO_SLOTS: u32 = 1048576;
/// Tenants addressable by the control bitmap (tenant ids 0..927).
pub const VYRE_MAX_TENANTS: u32 = 928;
/// Tenants with a quota and fairness word (tenant ids 0..31).
pub const VYRE_QUOTA_TENANTS: u32 = 32;
/// Opcodes with a metrics counter (0..31).
pub const VYRE_METRICS_OPCODES: u32 = 32;
/// Priority levels.
pub const VYRE_PRIORITY_LEVELS: u32 = 5;
/// Entries of the priority-offset table (5 partition starts + sentinel).
pub const VYRE_PRIORITY_OFFSETS: u32 = 6;
/// Most ops in one packed slot (all without args).
pub const VYRE_PACKED_MAX_OPS: u32 = 23;
/// Most args of one packed op (one metadata word + 11 args).
pub const VYRE_PACKED_MAX_OP_ARGS: u32 = 11;

// ---------------------------------------------------------------------------------------
// Word offsets.
// ---------------------------------------------------------------------------------------

/// Control word 0: non-zero stops workers from claiming new slots.
pub const VYRE_CONTROL_WORD_SHUTDOWN: u32 = 0;
/// Control word 1: completed top-level slots.
pub const VYRE_CONTROL_WORD_DONE_COUNT: u32 = 1;
/// Control word 2: word index of the tenant bitmap (the encoder writes 3).
pub const VYRE_CONTROL_WORD_TENANT_BASE: u32 = 2;
/// Control words 3..31: tenant bitmap (tenant t = bit t%32 of word 3 + t/32).
pub const VYRE_CONTROL_WORD_TENANT_TABLE: u32 = 3;
/// Number of tenant-bitmap words.
pub const VYRE_CONTROL_TENANT_TABLE_WORDS: u32 = 29;
/// Control words 32..63: per-tenant claim quota per wave (0 = unlimited).
pub const VYRE_CONTROL_WORD_TENANT_QUOTA: u32 = 32;
/// Control words 64..95: claims per tenant (t mod 32).
pub const VYRE_CONTROL_WORD_TENANT_FAIRNESS: u32 = 64;
/// Control words 96..127: executions per opcode (< 32).
pub const VYRE_CONTROL_WORD_METRICS: u32 = 96;
/// Control word 128: BATCH_FENCE slots executed.
pub const VYRE_CONTROL_WORD_EPOCH: u32 = 128;
/// Control words 129..134: first slot of each priority partition + sentinel.
pub const VYRE_CONTROL_WORD_PRIORITY_OFFSETS: u32 = 129;
/// Control word 135: consecutive CRITICAL/HIGH claims.
pub const VYRE_CONTROL_WORD_STARVATION: u32 = 135;
/// Control words 136..140: claims per priority level.
pub const VYRE_CONTROL_WORD_PRIORITY_FAIRNESS: u32 = 136;
/// Control word 141: slots that ended in FAULT.
pub const VYRE_CONTROL_WORD_FAULT_COUNT: u32 = 141;
/// Control words 142..159: reserved (zero).
pub const VYRE_CONTROL_WORD_RESERVED: u32 = 142;
/// Control words 160..: observable result words.
pub const VYRE_CONTROL_WORD_OBSERVABLE: u32 = 160;

/// Slot word 0: status (VYRE_STATE_*).
pub const VYRE_SLOT_WORD_STATUS: u32 = 0;
/// Slot word 1: opcode.
pub const VYRE_SLOT_WORD_OPCODE: u32 = 1;
/// Slot word 2: tenant id.
pub const VYRE_SLOT_WORD_TENANT: u32 = 2;
/// Slot word 3: priority (VYRE_PRIORITY_*).
pub const VYRE_SLOT_WORD_PRIORITY: u32 = 3;
/// Slot words 4..15: args.
pub const VYRE_SLOT_WORD_ARGS: u32 = 4;
/// Slot word 15: fault code of a FAULT slot (VYRE_FAULT_*).
pub const VYRE_SLOT_WORD_FAULT_CODE: u32 = 15;

/// Io slot word 0: op (VYRE_IO_READ / WRITE / FENCE).
pub const VYRE_IO_WORD_OP: u32 = 0;
/// Io slot word 1: source handle.
pub const VYRE_IO_WORD_SRC: u32 = 1;
/// Io slot word 2: destination handle.
pub const VYRE_IO_WORD_DST: u32 = 2;
/// Io slot word 3: byte offset, low 32 bits.
pub const VYRE_IO_WORD_OFFSET_LO: u32 = 3;
/// Io slot word 4: byte offset, high 32 bits.
pub const VYRE_IO_WORD_OFFSET_HI: u32 = 4;
/// Io slot word 5: byte count.
pub const VYRE_IO_WORD_BYTES: u32 = 5;
/// Io slot word 6: status (VYRE_STATE_* or VYRE_IO_STATUS_*).
pub const VYRE_IO_WORD_STATUS: u32 = 6;
/// Io slot word 7: caller tag.
pub const VYRE_IO_WORD_TAG: u32 = 7;

// ---------------------------------------------------------------------------------------
// States, priorities, opcodes, io ops, fault codes, task flags.
// ---------------------------------------------------------------------------------------

/// Slot state: free.
pub const VYRE_STATE_EMPTY: u32 = 0;
/// Slot state: published by the host, claimable.
pub const VYRE_STATE_PUBLISHED: u32 = 1;
/// Slot state: claimed by a worker.
pub const VYRE_STATE_CLAIMED: u32 = 2;
/// Slot state: finished; may be republished.
pub const VYRE_STATE_DONE: u32 = 3;
/// Slot state: waiting for an io request (task: Paused).
pub const VYRE_STATE_WAIT_IO: u32 = 4;
/// Slot state: yielded with saved progress, claimable.
pub const VYRE_STATE_YIELD: u32 = 5;
/// Slot state: requeued, claimable.
pub const VYRE_STATE_REQUEUE: u32 = 6;
/// Slot state: faulted; fault code in slot word 15.
pub const VYRE_STATE_FAULT: u32 = 7;
/// Io status written by the host: request completed successfully.
pub const VYRE_IO_STATUS_OK: u32 = 0x10;
/// Io status written by the host: request failed.
pub const VYRE_IO_STATUS_ERROR: u32 = 0x11;

/// Priority: most urgent.
pub const VYRE_PRIORITY_CRITICAL: u32 = 0;
/// Priority: high.
pub const VYRE_PRIORITY_HIGH: u32 = 1;
/// Priority: normal (used by publishers without a priority argument).
pub const VYRE_PRIORITY_NORMAL: u32 = 2;
/// Priority: low.
pub const VYRE_PRIORITY_LOW: u32 = 3;
/// Priority: least urgent.
pub const VYRE_PRIORITY_IDLE: u32 = 4;

/// Opcode: nothing (counted in metrics).
pub const VYRE_OP_NOP: u32 = 0;
/// Opcode: control[arg1] = arg0.
pub const VYRE_OP_STORE_U32: u32 = 1;
/// Opcode: control[arg1] += arg0 (atomic).
pub const VYRE_OP_ATOMIC_ADD: u32 = 2;
/// Opcode: control[160 + arg1] = control[arg0].
pub const VYRE_OP_LOAD_U32: u32 = 3;
/// Opcode: prev = CAS(control[arg0], arg1, arg2); control[160 + arg0] = prev.
pub const VYRE_OP_COMPARE_SWAP: u32 = 4;
/// Opcode: control[arg1 + i] = control[arg0 + i], i < arg2 (bounds-checked, resumable).
pub const VYRE_OP_MEMCPY: u32 = 5;
/// Opcode: one transition of a resident DFA (scanner).
pub const VYRE_OP_DFA_STEP: u32 = 6;
/// Opcode: EPOCH += 1; control[160] = arg1 (batch tag).
pub const VYRE_OP_BATCH_FENCE: u32 = 7;
/// First opcode of the range reserved for built-in scanner opcodes.
pub const VYRE_OP_SCANNER_FIRST: u32 = 0xFFF0;
/// Last opcode of the range reserved for built-in scanner opcodes.
pub const VYRE_OP_SCANNER_LAST: u32 = 0xFFFC;
/// Opcode: multi-pattern DFA scan over a resident haystack (scanner).
pub const VYRE_OP_DFA_SCAN: u32 = 0xFFF0;
/// Opcode: GPU-initiated read request through the io queue.
pub const VYRE_OP_LOAD_MISS: u32 = 0xFFFD;
/// Opcode: debug-log record (fmt id = arg0, arg1, arg2).
pub const VYRE_OP_PRINTF: u32 = 0xFFFE;
/// Opcode: several small ops in one slot (see vyre_ring_publish_packed()).
pub const VYRE_OP_PACKED_SLOT: u32 = 0x80000001;
/// Opcode: set the SHUTDOWN word to 1.
pub const VYRE_OP_SHUTDOWN: u32 = 0xFFFFFFFF;
/// Tenant opcode windows: tenant t owns BASE + t × SIZE .. + SIZE.
pub const VYRE_OP_TENANT_WINDOW_BASE: u32 = 0x40000000;
/// Size of one tenant opcode window (2^20 opcodes).
pub const VYRE_OP_TENANT_WINDOW_SIZE: u32 = 0x100000;

/// Io op: read.
pub const VYRE_IO_READ: u32 = 1;
/// Io op: write.
pub const VYRE_IO_WRITE: u32 = 2;
/// Io op: fence.
pub const VYRE_IO_FENCE: u32 = 3;

/// Fault code: unknown opcode.
pub const VYRE_FAULT_UNKNOWN_OPCODE: u32 = 1;
/// Fault code: buffer index or range out of bounds.
pub const VYRE_FAULT_OUT_OF_BOUNDS: u32 = 2;
/// Fault code: bad arguments.
pub const VYRE_FAULT_BAD_ARGUMENT: u32 = 3;
/// Fault code: the io request completed with VYRE_IO_STATUS_ERROR.
pub const VYRE_FAULT_IO_ERROR: u32 = 4;
/// Fault code: tenant quota exceeded.
pub const VYRE_FAULT_TENANT_QUOTA: u32 = 5;

/// Task state: empty (zeroed task).
pub const VYRE_TASK_EMPTY: u32 = 0;
/// Task state: ready to run (= VYRE_STATE_PUBLISHED).
pub const VYRE_TASK_READY: u32 = 1;
/// Task state: running (= VYRE_STATE_CLAIMED).
pub const VYRE_TASK_RUNNING: u32 = 2;
/// Task state: completed (= VYRE_STATE_DONE).
pub const VYRE_TASK_COMPLETED: u32 = 3;
/// Task state: paused (shares 4 with VYRE_STATE_WAIT_IO).
pub const VYRE_TASK_PAUSED: u32 = 4;
/// Task state: yielded with a continuation (= VYRE_STATE_YIELD).
pub const VYRE_TASK_YIELDED: u32 = 5;
/// Task state: requeued (= VYRE_STATE_REQUEUE).
pub const VYRE_TASK_REQUEUED: u32 = 6;
/// Task state: faulted (= VYRE_STATE_FAULT).
pub const VYRE_TASK_FAULTED: u32 = 7;
/// Task flag: paused.
pub const VYRE_TASK_FLAG_PAUSED: u32 = 1;
/// Task flag: yielded.
pub const VYRE_TASK_FLAG_YIELDED: u32 = 2;
/// Task flag: requeue requested.
pub const VYRE_TASK_FLAG_REQUEUE_REQUESTED: u32 = 4;
/// Task flag: resumed, ready to run its continuation.
pub const VYRE_TASK_FLAG_RESUME_READY: u32 = 8;

// Every C constant equals the protocol layer's value.
const _: () = {
    use abi::{control as c, io, op, priority as pr, slot as s, state as st};
    assert!(
        VYRE_SLOT_WORDS as usize == abi::SLOT_WORDS && VYRE_SLOT_BYTES as usize == p::SLOT_BYTES
    );
    assert!(
        VYRE_SLOT_MAX_ARGS as usize == abi::SLOT_ARGS
            && VYRE_CONTROL_WORDS as usize == abi::CONTROL_WORDS
    );
    assert!(
        VYRE_IO_SLOT_WORDS as usize == abi::IO_SLOT_WORDS
            && VYRE_IO_SLOT_BYTES == VYRE_IO_SLOT_WORDS * 4
    );
    assert!(VYRE_DEBUG_RECORD_WORDS as usize == abi::DEBUG_RECORD_WORDS);
    assert!(
        VYRE_DEFAULT_DEBUG_RECORDS == abi::DEFAULT_DEBUG_RECORDS
            && VYRE_DEFAULT_IO_SLOTS == abi::DEFAULT_IO_SLOTS
    );
    assert!(
        VYRE_MAX_RING_SLOTS == abi::MAX_RING_SLOTS
            && VYRE_MAX_OBSERVABLE_SLOTS == abi::MAX_OBSERVABLE_SLOTS
    );
    assert!(
        VYRE_MAX_DEBUG_RECORDS == abi::MAX_DEBUG_RECORDS && VYRE_MAX_IO_SLOTS == p::MAX_IO_SLOTS
    );
    assert!(VYRE_MAX_TENANTS == c::MAX_TENANTS && VYRE_QUOTA_TENANTS as usize == c::QUOTA_TENANTS);
    assert!(
        VYRE_METRICS_OPCODES as usize == c::METRICS_OPCODES
            && VYRE_PRIORITY_LEVELS as usize == pr::LEVELS
    );
    assert!(VYRE_PACKED_MAX_OPS as usize == p::PACKED_MAX_OPS);
    assert!(VYRE_PACKED_MAX_OP_ARGS as usize == abi::SLOT_ARGS - p::packed_metadata_words(1));
    assert!(
        VYRE_CONTROL_WORD_SHUTDOWN as usize == c::SHUTDOWN
            && VYRE_CONTROL_WORD_DONE_COUNT as usize == c::DONE_COUNT
    );
    assert!(VYRE_CONTROL_WORD_TENANT_BASE as usize == c::TENANT_BASE);
    assert!(VYRE_CONTROL_WORD_TENANT_TABLE as usize == c::TENANT_TABLE);
    assert!(VYRE_CONTROL_TENANT_TABLE_WORDS as usize == c::TENANT_TABLE_WORDS);
    assert!(VYRE_CONTROL_WORD_TENANT_QUOTA as usize == c::TENANT_QUOTA);
    assert!(VYRE_CONTROL_WORD_TENANT_FAIRNESS as usize == c::TENANT_FAIRNESS);
    assert!(
        VYRE_CONTROL_WORD_METRICS as usize == c::METRICS
            && VYRE_CONTROL_WORD_EPOCH as usize == c::EPOCH
    );
    assert!(VYRE_CONTROL_WORD_PRIORITY_OFFSETS as usize == c::PRIORITY_OFFSETS);
    assert!(VYRE_CONTROL_WORD_STARVATION as usize == c::STARVATION);
    assert!(VYRE_CONTROL_WORD_PRIORITY_FAIRNESS as usize == c::PRIORITY_FAIRNESS);
    assert!(VYRE_CONTROL_WORD_FAULT_COUNT as usize == c::FAULT_COUNT);
    assert!(VYRE_CONTROL_WORD_RESERVED as usize == c::RESERVED_START);
    assert!(VYRE_CONTROL_WORD_OBSERVABLE as usize == c::OBSERVABLE);
    assert!(
        VYRE_SLOT_WORD_STATUS as usize == s::STATUS && VYRE_SLOT_WORD_OPCODE as usize == s::OPCODE
    );
    assert!(
        VYRE_SLOT_WORD_TENANT as usize == s::TENANT
            && VYRE_SLOT_WORD_PRIORITY as usize == s::PRIORITY
    );
    assert!(
        VYRE_SLOT_WORD_ARGS as usize == s::ARGS
            && VYRE_SLOT_WORD_FAULT_CODE as usize == s::FAULT_CODE
    );
    assert!(VYRE_IO_WORD_OP as usize == io::OP && VYRE_IO_WORD_SRC as usize == io::SRC);
    assert!(
        VYRE_IO_WORD_DST as usize == io::DST && VYRE_IO_WORD_OFFSET_LO as usize == io::OFFSET_LO
    );
    assert!(
        VYRE_IO_WORD_OFFSET_HI as usize == io::OFFSET_HI
            && VYRE_IO_WORD_BYTES as usize == io::BYTES
    );
    assert!(VYRE_IO_WORD_STATUS as usize == io::STATUS && VYRE_IO_WORD_TAG as usize == io::TAG);
    assert!(VYRE_STATE_EMPTY == st::EMPTY && VYRE_STATE_PUBLISHED == st::PUBLISHED);
    assert!(VYRE_STATE_CLAIMED == st::CLAIMED && VYRE_STATE_DONE == st::DONE);
    assert!(VYRE_STATE_WAIT_IO == st::WAIT_IO && VYRE_STATE_YIELD == st::YIELD);
    assert!(VYRE_STATE_REQUEUE == st::REQUEUE && VYRE_STATE_FAULT == st::FAULT);
    assert!(VYRE_IO_STATUS_OK == st::IO_OK && VYRE_IO_STATUS_ERROR == st::IO_ERROR);
    assert!(VYRE_PRIORITY_CRITICAL == pr::CRITICAL && VYRE_PRIORITY_HIGH == pr::HIGH);
    assert!(
        VYRE_PRIORITY_NORMAL == pr::NORMAL
            && VYRE_PRIORITY_LOW == pr::LOW
            && VYRE_PRIORITY_IDLE == pr::IDLE
    );
    assert!(
        VYRE_OP_NOP == op::NOP
            && VYRE_OP_STORE_U32 == op::STORE_U32
            && VYRE_OP_ATOMIC_ADD == op::ATOMIC_ADD
    );
    assert!(VYRE_OP_LOAD_U32 == op::LOAD_U32 && VYRE_OP_COMPARE_SWAP == op::COMPARE_SWAP);
    assert!(VYRE_OP_MEMCPY == op::MEMCPY && VYRE_OP_DFA_STEP == op::DFA_STEP);
    assert!(VYRE_OP_BATCH_FENCE == op::BATCH_FENCE && VYRE_OP_SCANNER_FIRST == op::SCANNER_FIRST);
    assert!(VYRE_OP_SCANNER_LAST == op::SCANNER_LAST && VYRE_OP_DFA_SCAN == op::DFA_SCAN);
    assert!(VYRE_OP_LOAD_MISS == op::LOAD_MISS && VYRE_OP_PRINTF == op::PRINTF);
    assert!(VYRE_OP_PACKED_SLOT == op::PACKED_SLOT && VYRE_OP_SHUTDOWN == op::SHUTDOWN);
    assert!(VYRE_OP_TENANT_WINDOW_BASE == op::TENANT_WINDOW_BASE);
    assert!(VYRE_OP_TENANT_WINDOW_SIZE == op::TENANT_WINDOW_SIZE);
    assert!(VYRE_IO_READ == io::READ && VYRE_IO_WRITE == io::WRITE && VYRE_IO_FENCE == io::FENCE);
    assert!(VYRE_FAULT_UNKNOWN_OPCODE == abi::fault::UNKNOWN_OPCODE);
    assert!(VYRE_FAULT_OUT_OF_BOUNDS == abi::fault::OUT_OF_BOUNDS);
    assert!(
        VYRE_FAULT_BAD_ARGUMENT == abi::fault::BAD_ARGUMENT
            && VYRE_FAULT_IO_ERROR == abi::fault::IO_ERROR
    );
    assert!(VYRE_FAULT_TENANT_QUOTA == abi::fault::TENANT_QUOTA);
    assert!(
        VYRE_TASK_EMPTY == p::TaskState::Empty as u32
            && VYRE_TASK_READY == p::TaskState::Ready as u32
    );
    assert!(VYRE_TASK_RUNNING == p::TaskState::Running as u32);
    assert!(VYRE_TASK_COMPLETED == p::TaskState::Completed as u32);
    assert!(
        VYRE_TASK_PAUSED == p::TaskState::Paused as u32
            && VYRE_TASK_YIELDED == p::TaskState::Yielded as u32
    );
    assert!(VYRE_TASK_REQUEUED == p::TaskState::Requeued as u32);
    assert!(VYRE_TASK_FAULTED == p::TaskState::Faulted as u32);
    assert!(
        VYRE_TASK_FLAG_PAUSED == p::TASK_FLAG_PAUSED
            && VYRE_TASK_FLAG_YIELDED == p::TASK_FLAG_YIELDED
    );
    assert!(VYRE_TASK_FLAG_REQUEUE_REQUESTED == p::TASK_FLAG_REQUEUE_REQUESTED);
    assert!(VYRE_TASK_FLAG_RESUME_READY == p::TASK_FLAG_RESUME_READY);
};

// ---------------------------------------------------------------------------------------
// POD structs.
// ---------------------------------------------------------------------------------------

/// Fixed 16-byte work item: published as slot opcode `op_handle` with args
/// `[input_handle, output_handle, param]`. Plain data; thread safety is the caller's.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct vyre_work_item {
    /// Opcode of the slot.
    pub op_handle: u32,
    /// Arg 0.
    pub input_handle: u32,
    /// Arg 1.
    pub output_handle: u32,
    /// Arg 2.
    pub param: u32,
}

/// One decoded 64-byte ring slot (the slot's 16 words in order). Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct vyre_slot {
    /// VYRE_STATE_*.
    pub status: u32,
    /// Opcode.
    pub opcode: u32,
    /// Tenant id.
    pub tenant: u32,
    /// VYRE_PRIORITY_*.
    pub priority: u32,
    /// Args 0..11 (arg 11 = fault code of a FAULT slot).
    pub args: [u32; 12],
}

/// The 64-byte task work item (one ring slot; fields in wire order). `state` uses
/// VYRE_TASK_*, `flags` VYRE_TASK_FLAG_*. Change it with the vyre_task_* transitions.
/// Plain data; thread safety is the caller's.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct vyre_task {
    /// VYRE_TASK_* (slot status word).
    pub state: u32,
    /// Opcode.
    pub op_handle: u32,
    /// Tenant id (< VYRE_MAX_TENANTS).
    pub tenant: u32,
    /// VYRE_PRIORITY_*.
    pub priority: u32,
    /// Input handle.
    pub input: u32,
    /// Output handle.
    pub output: u32,
    /// Opcode parameter.
    pub param: u32,
    /// Continuation program counter.
    pub continuation_pc: u32,
    /// Continuation data (fault code once faulted).
    pub continuation_data: u32,
    /// Epoch at which a paused task may resume.
    pub resume_epoch: u32,
    /// Task id.
    pub task_id: u32,
    /// Parent task id.
    pub parent_task_id: u32,
    /// Age in scheduler ticks (+1 per requeue).
    pub age_ticks: u32,
    /// Times requeued.
    pub requeue_count: u32,
    /// Times yielded.
    pub yield_count: u32,
    /// VYRE_TASK_FLAG_* bits.
    pub flags: u32,
}

/// One PRINTF record of the debug log. Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, bytemuck::Pod, bytemuck::Zeroable)]
pub struct vyre_debug_record {
    /// Format id (PRINTF arg0).
    pub fmt_id: u32,
    /// PRINTF arg1.
    pub arg1: u32,
    /// PRINTF arg2.
    pub arg2: u32,
    /// Word offset of the printing slot (slot index × 16).
    pub slot_word_offset: u32,
}

/// One inner op of a packed slot: an opcode below 256 and up to 11 args
/// (`args[0..arg_count]`; the rest is ignored). Plain data, no pointers.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_packed_op {
    /// Inner opcode, 0..255.
    pub opcode: u32,
    /// Number of used entries of `args` (0..11).
    pub arg_count: u32,
    /// Args.
    pub args: [u32; 11],
}

/// One item of a batch publish: opcode plus up to 12 args (`args[0..arg_count]`).
/// Plain data, no pointers.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_batch_item {
    /// Opcode (must be publishable).
    pub opcode: u32,
    /// Number of used entries of `args` (0..12).
    pub arg_count: u32,
    /// Args.
    pub args: [u32; 12],
}

/// One io-queue slot, word for word (8 words, 32 bytes). Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_io_request {
    /// VYRE_IO_READ / VYRE_IO_WRITE / VYRE_IO_FENCE.
    pub op: u32,
    /// Source handle.
    pub src: u32,
    /// Destination handle.
    pub dst: u32,
    /// Byte offset, low 32 bits.
    pub offset_lo: u32,
    /// Byte offset, high 32 bits.
    pub offset_hi: u32,
    /// Byte count.
    pub bytes: u32,
    /// Status (VYRE_STATE_* or VYRE_IO_STATUS_*); ignored by vyre_io_queue_post().
    pub status: u32,
    /// Caller tag.
    pub tag: u32,
}

/// One completion of vyre_io_queue_complete_batch(). Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_io_completion {
    /// Io slot index.
    pub slot: u32,
    /// VYRE_IO_STATUS_OK or VYRE_IO_STATUS_ERROR.
    pub status: u32,
}

// Layouts are ABI: pinned here and by _Static_assert in c_tests/test_protocol*.c.
const _: () = {
    assert!(size_of::<vyre_work_item>() == 16 && align_of::<vyre_work_item>() == 4);
    assert!(offset_of!(vyre_work_item, param) == 12);
    assert!(size_of::<vyre_work_item>() == size_of::<p::WorkItem>());
    assert!(size_of::<vyre_slot>() == 64 && offset_of!(vyre_slot, args) == 16);
    assert!(size_of::<vyre_slot>() == size_of::<p::Slot>());
    assert!(size_of::<vyre_task>() == 64 && align_of::<vyre_task>() == 4);
    assert!(offset_of!(vyre_task, continuation_pc) == 28 && offset_of!(vyre_task, task_id) == 40);
    assert!(offset_of!(vyre_task, flags) == 60);
    assert!(size_of::<vyre_task>() == size_of::<p::Task>());
    assert!(
        size_of::<vyre_debug_record>() == 16
            && offset_of!(vyre_debug_record, slot_word_offset) == 12
    );
    assert!(size_of::<vyre_debug_record>() == size_of::<p::DebugRecord>());
    assert!(size_of::<vyre_packed_op>() == 52 && offset_of!(vyre_packed_op, args) == 8);
    assert!(size_of::<vyre_batch_item>() == 56 && offset_of!(vyre_batch_item, args) == 8);
    assert!(size_of::<vyre_io_request>() == 32 && offset_of!(vyre_io_request, status) == 24);
    assert!(offset_of!(vyre_io_request, tag) == 28);
    assert!(size_of::<vyre_io_completion>() == 8);
};

// ---------------------------------------------------------------------------------------
// Helpers.
// ---------------------------------------------------------------------------------------

/// A C boolean must be 0 or 1.
fn flag(v: u32, name: &str) -> Result<bool> {
    match v {
        0 => Ok(false),
        1 => Ok(true),
        _ => Err(Error::invalid(format!(
            "`{name}` is a boolean and must be 0 or 1, not {v}"
        ))),
    }
}

/// Run a reader over a const buffer and store its value into a required out pointer.
///
/// # Safety
/// `buf` valid for `len` bytes or NULL; `out` NULL or valid.
unsafe fn read_into<T>(
    buf: *const u8,
    len: usize,
    out: *mut T,
    read: impl FnOnce(&[u8]) -> Result<T>,
) -> Result<()> {
    require_out(out, "out")?;
    let b = slice_ref(buf, len, "buf")?;
    let v = read(b)?;
    *out = v;
    Ok(())
}

fn io_request_to_c(slot: p::IoSlot) -> vyre_io_request {
    let r = slot.request;
    vyre_io_request {
        op: r.op,
        src: r.src,
        dst: r.dst,
        offset_lo: r.offset as u32,
        offset_hi: (r.offset >> 32) as u32,
        bytes: r.bytes,
        status: slot.status,
        tag: r.tag,
    }
}

// ---------------------------------------------------------------------------------------
// Control.
// ---------------------------------------------------------------------------------------

/// Encode a control buffer: SHUTDOWN = `shutdown` (0 or 1), tenants 0..tenant_count-1
/// allowed (tenant_count ≤ 928), `observable_slots` result words (≤ 1,048,576) and, when
/// `ring_slots` > 0, the default priority partitions for a ring of that many slots
/// (slot_count/5 per level, remainder to NORMAL; 0 = no partition table).
/// Needs (160 + observable_slots) × 4 bytes: NULL `buf` reports that size in
/// `*out_written`; a smaller `len` fails with VYRE_ERROR_INSUFFICIENT_SIZE.
/// Errors: NULL `out_written`; shutdown not 0/1 (INVALID_ARGUMENT); tenant_count,
/// observable_slots or ring_slots over their caps (OUT_OF_RANGE).
/// Ownership: `buf` stays the caller's. Thread safety: see the file notes (reentrant).
///
/// # Safety
/// `buf` is NULL or valid for `len` bytes; `out_written` and `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_encode(
    shutdown: u32,
    tenant_count: u32,
    observable_slots: u32,
    ring_slots: u32,
    buf: *mut u8,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let shutdown = flag(shutdown, "shutdown")?;
        let needed = p::control_len(observable_slots)?;
        p::control::check_control_params(tenant_count, ring_slots)?;
        write_out(buf, len, out_written, needed, "buf", |dst| {
            p::encode_control_into(shutdown, tenant_count, observable_slots, ring_slots, dst)
                .map(|_| ())
        })
    })
}

/// Set (1) or clear (0) the SHUTDOWN word of a control buffer.
/// Errors: NULL buf, malformed buffer, shutdown not 0/1.
/// Thread safety: reentrant; the caller serialises access to `buf`.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_set_shutdown(
    buf: *mut u8,
    len: usize,
    shutdown: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let b = slice_mut(buf, len, "buf")?;
        let v = flag(shutdown, "shutdown")?;
        p::set_shutdown(b, v)
    })
}

/// Write the default priority partitions (control words 129..134) for a ring of
/// `ring_slots` slots; 0 clears the table ("no partitions").
/// Errors: NULL buf, malformed buffer, ring_slots > 1,048,576 (OUT_OF_RANGE).
/// Thread safety: reentrant; the caller serialises access to `buf`.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_set_priority_partitions(
    buf: *mut u8,
    len: usize,
    ring_slots: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        p::set_priority_partitions(slice_mut(buf, len, "buf")?, ring_slots)
    })
}

/// Write a custom priority table: `offsets` holds `count` = 6 entries (first slot of
/// CRITICAL, HIGH, NORMAL, LOW, IDLE, then the ring's slot count); it must start at 0
/// and never decrease. Errors: NULL pointers, count ≠ 6 or bad table
/// (INVALID_ARGUMENT), malformed buffer, sentinel over the ring cap (OUT_OF_RANGE).
/// Thread safety: reentrant; the caller serialises access to `buf`.
///
/// # Safety
/// `buf` valid for `len` bytes; `offsets` valid for `count` words; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_set_priority_offsets(
    buf: *mut u8,
    len: usize,
    offsets: *const u32,
    count: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let b = slice_mut(buf, len, "buf")?;
        if offsets.is_null() {
            return Err(Error::null("offsets"));
        }
        let o = slice_ref(offsets, count, "offsets")?;
        let table: [u32; 6] = o.try_into().map_err(|_| {
            Error::invalid(format!(
                "`count` must be VYRE_PRIORITY_OFFSETS (6), not {count}"
            ))
        })?;
        p::set_priority_offsets(b, &table)
    })
}

/// Read the 6-entry priority table into `out_offsets` (`(buf, len, out_written)`
/// convention over `uint32_t` entries: needs 6).
/// Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_offsets` NULL or valid for `count` words;
/// `out_written`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_priority_offsets(
    buf: *const u8,
    len: usize,
    out_offsets: *mut u32,
    count: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_written, "out_written")?;
        let table = p::read_priority_offsets(slice_ref(buf, len, "buf")?)?;
        write_out(
            out_offsets,
            count,
            out_written,
            table.len(),
            "out_offsets",
            |d| {
                d.copy_from_slice(&table);
                Ok(())
            },
        )
    })
}

/// Read DONE_COUNT (word 1) into `*out`. Errors: NULL pointers, malformed buffer
/// (not a whole number of words, or fewer than 160 words).
/// Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_done_count(
    buf: *const u8,
    len: usize,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || read_into(buf, len, out, p::read_done_count))
}

/// Read EPOCH (word 128: BATCH_FENCE slots executed) into `*out`. Errors as
/// vyre_control_read_done_count(). Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_epoch(
    buf: *const u8,
    len: usize,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || read_into(buf, len, out, p::read_epoch))
}

/// Read FAULT_COUNT (word 141: slots that ended in FAULT) into `*out`. Errors as
/// vyre_control_read_done_count(). Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_fault_count(
    buf: *const u8,
    len: usize,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || read_into(buf, len, out, p::read_fault_count))
}

/// Read the SHUTDOWN word as 0/1 into `*out`. Errors as vyre_control_read_done_count().
/// Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_shutdown(
    buf: *const u8,
    len: usize,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(buf, len, out, |b| p::read_shutdown(b).map(u32::from))
    })
}

/// Read observable word `index` (control word 160 + index) into `*out`. Errors: NULL
/// pointers, malformed buffer, index ≥ the buffer's observable words (OUT_OF_RANGE).
/// Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_observable(
    buf: *const u8,
    len: usize,
    index: u32,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(buf, len, out, |b| p::read_observable(b, index))
    })
}

/// Number of observable words of a control buffer ((len / 4) − 160) into `*out`.
/// Errors as vyre_control_read_done_count(). Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_observable_count(
    buf: *const u8,
    len: usize,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || read_into(buf, len, out, p::observable_count))
}

/// Read any control word by index into `*out` (for the fairness and starvation
/// counters and other words without a dedicated reader). Errors: NULL pointers,
/// malformed buffer, index outside the buffer (OUT_OF_RANGE). Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_word(
    buf: *const u8,
    len: usize,
    index: u32,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(buf, len, out, |b| p::read_control_word(b, index))
    })
}

/// Read the 32 per-opcode execution counters (words 96..127, indexed by opcode) into
/// `out_counts` (`(buf, len, out_written)` convention over `uint32_t`: needs 32).
/// Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_counts` NULL or valid for `count` words;
/// `out_written`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_control_read_metrics(
    buf: *const u8,
    len: usize,
    out_counts: *mut u32,
    count: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_written, "out_written")?;
        let m = p::read_metrics(slice_ref(buf, len, "buf")?)?;
        write_out(out_counts, count, out_written, m.len(), "out_counts", |d| {
            d.copy_from_slice(&m);
            Ok(())
        })
    })
}

// ---------------------------------------------------------------------------------------
// Tenants and opcodes.
// ---------------------------------------------------------------------------------------

/// Allow (`allowed` = 1) or deny (0) `tenant` (< 928) in a control buffer's tenant
/// bitmap. Errors: NULL buf, malformed buffer, tenant ≥ 928 (OUT_OF_RANGE), allowed not
/// 0/1 (INVALID_ARGUMENT). Thread safety: reentrant; the caller serialises access to `buf`.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_tenant_set_allowed(
    buf: *mut u8,
    len: usize,
    tenant: u32,
    allowed: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let b = slice_mut(buf, len, "buf")?;
        let v = flag(allowed, "allowed")?;
        p::set_tenant_allowed(b, tenant, v)
    })
}

/// Whether `tenant` (< 928) is allowed: 1 or 0 into `*out_allowed`.
/// Errors: NULL pointers, malformed buffer, tenant ≥ 928. Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_allowed`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_tenant_is_allowed(
    buf: *const u8,
    len: usize,
    tenant: u32,
    out_allowed: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(buf, len, out_allowed, |b| {
            p::is_tenant_allowed(b, tenant).map(u32::from)
        })
    })
}

/// Set the per-wave claim quota of `tenant` (< 32; 0 = unlimited).
/// Errors: NULL buf, malformed buffer, tenant ≥ 32 (OUT_OF_RANGE).
/// Thread safety: reentrant; the caller serialises access to `buf`.
///
/// # Safety
/// `buf` valid for `len` bytes; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_tenant_set_quota(
    buf: *mut u8,
    len: usize,
    tenant: u32,
    quota: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        p::set_tenant_quota(slice_mut(buf, len, "buf")?, tenant, quota)
    })
}

/// Read the per-wave claim quota of `tenant` (< 32) into `*out`.
/// Errors: NULL pointers, malformed buffer, tenant ≥ 32. Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_tenant_read_quota(
    buf: *const u8,
    len: usize,
    tenant: u32,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(buf, len, out, |b| p::read_tenant_quota(b, tenant))
    })
}

/// Read the claims counted for `tenant` (< 32; TENANT_FAIRNESS word) into `*out`.
/// Errors: NULL pointers, malformed buffer, tenant ≥ 32. Thread safety: reentrant.
///
/// # Safety
/// `buf` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_tenant_read_claims(
    buf: *const u8,
    len: usize,
    tenant: u32,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(buf, len, out, |b| p::read_tenant_claims(b, tenant))
    })
}

/// Opcode window of `tenant` (< 928): `[*out_first, *out_end)` =
/// 0x40000000 + tenant × 2^20 .. + 2^20. Opcodes in a tenant's window can only be
/// published by that tenant. Errors: NULL pointers, tenant ≥ 928 (OUT_OF_RANGE).
/// Thread safety: safe from any thread.
///
/// # Safety
/// `out_first`, `out_end`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_tenant_opcode_window(
    tenant: u32,
    out_first: *mut u32,
    out_end: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_first, "out_first")?;
        require_out(out_end, "out_end")?;
        let (first, end) = p::tenant_opcode_window(tenant)?;
        *out_first = first;
        *out_end = end;
        Ok(())
    })
}

/// The tenant whose opcode window contains `opcode`, into `*out_tenant`.
/// Errors: NULL pointer; opcode outside every tenant window (OUT_OF_RANGE).
/// Thread safety: safe from any thread.
///
/// # Safety
/// `out_tenant`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_opcode_tenant(
    opcode: u32,
    out_tenant: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_tenant, "out_tenant")?;
        let t = p::opcode_tenant(opcode).ok_or_else(|| {
            Error::out_of_range(format!(
                "opcode {opcode:#x} is not inside any tenant opcode window"
            ))
        })?;
        *out_tenant = t;
        Ok(())
    })
}

/// 1 if `opcode` is a system opcode (high bit set, 0xFFF0..0xFFFF, or ≤ 7), else 0.
/// Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vyre_opcode_is_system(opcode: u32) -> u32 {
    p::is_system_opcode(opcode) as u32
}

/// 1 if `opcode` is a user opcode (8..0xFFEF or 0x10000..0x7FFFFFFF), else 0.
/// Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vyre_opcode_is_user(opcode: u32) -> u32 {
    p::is_user_opcode(opcode) as u32
}

/// 1 if `opcode` is a system opcode the kernel implements (NOP..BATCH_FENCE, DFA_SCAN,
/// LOAD_MISS, PRINTF, PACKED_SLOT, SHUTDOWN), else 0. Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vyre_opcode_is_builtin(opcode: u32) -> u32 {
    p::is_builtin_opcode(opcode) as u32
}

/// 1 if a host may publish `opcode` (a user opcode or a built-in), else 0; reserved
/// system opcodes are rejected by every publisher. Thread safety: safe from any thread.
#[no_mangle]
pub extern "C" fn vyre_opcode_is_publishable(opcode: u32) -> u32 {
    p::is_publishable_opcode(opcode) as u32
}

// ---------------------------------------------------------------------------------------
// Ring.
// ---------------------------------------------------------------------------------------

/// Encode an empty ring of `slot_count` slots (1..1,048,576), all EMPTY. Needs
/// slot_count × 64 bytes (`(buf, len, out_written)` convention).
/// Errors: slot_count 0 (INVALID_ARGUMENT) or over the cap (OUT_OF_RANGE); NULL
/// `out_written`; too small (INSUFFICIENT_SIZE). Thread safety: reentrant.
///
/// # Safety
/// `buf` NULL or valid for `len` bytes; `out_written`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_encode_empty(
    slot_count: u32,
    buf: *mut u8,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let needed = p::ring_len(slot_count)?;
        write_out(buf, len, out_written, needed, "buf", |d| {
            p::encode_empty_ring_into(slot_count, d).map(|_| ())
        })
    })
}

/// Slot count of a ring buffer (len / 64) into `*out`. Errors: NULL pointers; len 0 or
/// not a multiple of 64 (MALFORMED_BUFFER). Thread safety: reentrant.
///
/// # Safety
/// `ring` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_slot_count(
    ring: *const u8,
    len: usize,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || read_into(ring, len, out, p::ring_slot_count))
}

/// Publish one opcode into slot `slot`: zero all 12 args, write `args[0..arg_count]`,
/// opcode, tenant and priority, then status PUBLISHED last.
/// Errors: NULL ring (or NULL args with arg_count > 0); malformed ring; slot ≥ slot
/// count or tenant ≥ 928 (OUT_OF_RANGE); priority > 4, arg_count > 12, reserved opcode,
/// opcode of another tenant's window, invalid PACKED_SLOT layout (INVALID_ARGUMENT);
/// slot not EMPTY/DONE (SLOT_IN_FLIGHT). On error the ring is unchanged.
/// Thread safety: reentrant; the caller serialises access to `ring`.
///
/// # Safety
/// `ring` valid for `len` bytes; `args` valid for `arg_count` words (or NULL when 0);
/// `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_publish(
    ring: *mut u8,
    len: usize,
    slot: u32,
    tenant: u32,
    priority: u32,
    opcode: u32,
    args: *const u32,
    arg_count: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let r = slice_mut(ring, len, "ring")?;
        if arg_count > abi::SLOT_ARGS {
            return Err(Error::invalid(format!(
                "arg_count {arg_count} exceeds the 12 args of a slot"
            )));
        }
        let a = slice_ref(args, arg_count, "args")?;
        p::publish_slot_with_priority(r, slot, tenant, priority, opcode, a)
    })
}

/// Publish a PACKED_SLOT holding `op_count` small ops (1..23): every inner opcode is
/// < 256, and the metadata (ceil((2 + 2·op_count)/4) words) plus all args must fit in
/// the 12 arg words (so at most 23 arg-less ops). The kernel executes every op in order.
/// Errors: NULL pointers; malformed ring; slot/tenant out of range; priority > 4,
/// op_count 0 or > 23, opcode > 255, arg_count > 11, payload over 12 words
/// (INVALID_ARGUMENT); slot in flight. On error the ring is unchanged.
/// Thread safety: reentrant; the caller serialises access to `ring`.
///
/// # Safety
/// `ring` valid for `len` bytes; `ops` valid for `op_count` items; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_publish_packed(
    ring: *mut u8,
    len: usize,
    slot: u32,
    tenant: u32,
    priority: u32,
    ops: *const vyre_packed_op,
    op_count: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let r = slice_mut(ring, len, "ring")?;
        if ops.is_null() {
            return Err(Error::null("ops"));
        }
        let ops = slice_ref(ops, op_count, "ops")?;
        let mut list: Vec<(u8, &[u32])> = Vec::with_capacity(ops.len());
        for (i, o) in ops.iter().enumerate() {
            let code = u8::try_from(o.opcode).map_err(|_| {
                Error::invalid(format!(
                    "packed op {i}: opcode {} does not fit in 8 bits",
                    o.opcode
                ))
            })?;
            let n = o.arg_count as usize;
            if n > o.args.len() {
                return Err(Error::invalid(format!(
                    "packed op {i}: arg_count {n} exceeds 11"
                )));
            }
            list.push((code, &o.args[..n]));
        }
        p::publish_packed_slot_with_priority(r, slot, tenant, priority, &list)
    })
}

/// Publish `item_count` items into slots start_slot.. and a BATCH_FENCE (args
/// [item_count, batch_tag]) right after them, all with `tenant` and `priority`; writes
/// item_count + 1 into `*out_published`. All slots must lie inside the ring (no
/// wrap-around) and be EMPTY or DONE, every opcode publishable and every arg_count ≤ 12;
/// otherwise nothing is written. `items` may be NULL when item_count is 0.
/// Errors: NULL ring/out_published; malformed ring; window or tenant out of range;
/// priority/arg_count/opcode invalid; a slot in flight.
/// Thread safety: reentrant; the caller serialises access to `ring`.
///
/// # Safety
/// `ring` valid for `len` bytes; `items` valid for `item_count` items (or NULL when 0);
/// `out_published`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_batch_publish(
    ring: *mut u8,
    len: usize,
    start_slot: u32,
    tenant: u32,
    priority: u32,
    items: *const vyre_batch_item,
    item_count: usize,
    batch_tag: u32,
    out_published: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_published, "out_published")?;
        let r = slice_mut(ring, len, "ring")?;
        let items = slice_ref(items, item_count, "items")?;
        let mut list: Vec<(u32, &[u32])> = Vec::with_capacity(items.len());
        for (i, it) in items.iter().enumerate() {
            let n = it.arg_count as usize;
            if n > it.args.len() {
                return Err(Error::invalid(format!(
                    "batch item {i}: arg_count {n} exceeds 12"
                )));
            }
            list.push((it.opcode, &it.args[..n]));
        }
        let published =
            p::batch_publish_with_priority(r, start_slot, tenant, priority, &list, batch_tag)?;
        *out_published = published;
        Ok(())
    })
}

/// Publish a window of `count` work items into slots start_slot..start_slot+count of an
/// existing ring (priority NORMAL), leaving every other slot alone. Each item becomes
/// opcode op_handle with args [input_handle, output_handle, param].
/// Errors: NULL pointers (items may be NULL when count is 0); malformed ring; window
/// outside the ring or tenant ≥ 928 (OUT_OF_RANGE); an item opcode that is reserved,
/// PACKED_SLOT or another tenant's (INVALID_ARGUMENT); a target slot in flight.
/// Thread safety: reentrant; the caller serialises access to `ring`.
///
/// # Safety
/// `ring` valid for `len` bytes; `items` valid for `count` items; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_publish_work_items(
    ring: *mut u8,
    len: usize,
    start_slot: u32,
    tenant: u32,
    items: *const vyre_work_item,
    count: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let r = slice_mut(ring, len, "ring")?;
        let items: &[p::WorkItem] = bytemuck::cast_slice(slice_ref(items, count, "items")?);
        p::publish_work_items(r, start_slot, tenant, items).map(|_| ())
    })
}

/// Encode a whole ring of `slot_count` slots: `items[0..count]` published in slots
/// 0..count (priority NORMAL), the remaining slots EMPTY. Needs slot_count × 64 bytes
/// (`(buf, len, out_written)` convention). This is the hot path (memcpy-class).
/// Errors: slot_count 0 (INVALID_ARGUMENT) or over the cap, count > slot_count, tenant
/// ≥ 928 (OUT_OF_RANGE); a bad item opcode (INVALID_ARGUMENT); NULL out_written / items;
/// too small (INSUFFICIENT_SIZE). Thread safety: reentrant.
///
/// # Safety
/// `items` valid for `count` items (or NULL when 0); `buf` NULL or valid for `len` bytes;
/// `out_written`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_encode_work_items(
    slot_count: u32,
    tenant: u32,
    items: *const vyre_work_item,
    count: usize,
    buf: *mut u8,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let items: &[p::WorkItem] = bytemuck::cast_slice(slice_ref(items, count, "items")?);
        let needed = p::ring::check_ring_encode(slot_count, tenant, items)?;
        write_out(buf, len, out_written, needed, "buf", |d| {
            p::ring::write_work_items_ring(tenant, items, d);
            Ok(())
        })
    })
}

/// vyre_ring_encode_work_items() into native `uint32_t` words (the wire words on
/// little-endian hosts); sizes are in words: needs slot_count × 16.
/// Thread safety: reentrant.
///
/// # Safety
/// `items` valid for `count` items (or NULL when 0); `words` NULL or valid for
/// `word_len` words; `out_written`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_encode_work_items_words(
    slot_count: u32,
    tenant: u32,
    items: *const vyre_work_item,
    count: usize,
    words: *mut u32,
    word_len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let items: &[p::WorkItem] = bytemuck::cast_slice(slice_ref(items, count, "items")?);
        let needed = p::ring::check_ring_encode(slot_count, tenant, items)? / 4;
        write_out(words, word_len, out_written, needed, "words", |d| {
            p::ring::write_work_items_ring_words(tenant, items, d);
            Ok(())
        })
    })
}

/// Decode slot `slot` into `*out`. Errors: NULL pointers, malformed ring, slot out of
/// range. Thread safety: reentrant.
///
/// # Safety
/// `ring` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_read_slot(
    ring: *const u8,
    len: usize,
    slot: u32,
    out: *mut vyre_slot,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(ring, len, out, |r| {
            p::read_slot(r, slot).map(bytemuck::cast)
        })
    })
}

/// Count the DONE slots among the first `item_count` slots into `*out_count`.
/// Errors: NULL pointers, malformed ring, item_count > slot count (OUT_OF_RANGE).
/// Thread safety: reentrant.
///
/// # Safety
/// `ring` valid for `len` bytes; `out_count`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_count_done(
    ring: *const u8,
    len: usize,
    item_count: usize,
    out_count: *mut u64,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(ring, len, out_count, |r| p::count_done_slots(r, item_count))
    })
}

/// Publish `*task` into slot `slot` verbatim (its state becomes the slot status,
/// written last). The task must be schedulable (READY, YIELDED or REQUEUED), with
/// tenant < 928, priority ≤ 4, a publishable opcode of its tenant (not PACKED_SLOT) and
/// flags ≤ 0xF; the slot must be EMPTY or DONE. Unknown state: MALFORMED_BUFFER.
/// Thread safety: reentrant; the caller serialises access to `ring`.
///
/// # Safety
/// `ring` valid for `len` bytes; `task`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_publish_task(
    ring: *mut u8,
    len: usize,
    slot: u32,
    task: *const vyre_task,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let t: p::Task = bytemuck::cast(*obj_ref(task, "task")?);
        p::publish_task(slice_mut(ring, len, "ring")?, slot, &t)
    })
}

/// Read slot `slot` as a task into `*out` (any state word).
/// Errors: NULL pointers, malformed ring, slot out of range. Thread safety: reentrant.
///
/// # Safety
/// `ring` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_ring_read_task(
    ring: *const u8,
    len: usize,
    slot: u32,
    out: *mut vyre_task,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(ring, len, out, |r| {
            p::read_task(r, slot).map(bytemuck::cast)
        })
    })
}

// ---------------------------------------------------------------------------------------
// Debug log.
// ---------------------------------------------------------------------------------------

/// Encode an empty debug log holding `capacity` records (0..1,048,576): needs
/// (1 + 4 × capacity) × 4 bytes (`(buf, len, out_written)` convention; 64 → 1028 bytes).
/// Errors: capacity over the cap (OUT_OF_RANGE); NULL out_written; too small.
/// Thread safety: reentrant.
///
/// # Safety
/// `buf` NULL or valid for `len` bytes; `out_written`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_debug_log_encode_empty(
    capacity: u32,
    buf: *mut u8,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let needed = p::debug_log_len(capacity)?;
        write_out(buf, len, out_written, needed, "buf", |d| {
            p::encode_empty_debug_log_into(capacity, d).map(|_| ())
        })
    })
}

/// Strictly decode a debug log: the stored records go to `out_records` (`(buf, len,
/// out_written)` convention over records: needs the stored count, NULL asks for it) and
/// the number of records dropped past the capacity to `*out_dropped` (optional, may be
/// NULL; written only on success). Overflow is not an error.
/// Errors: NULL log / out_written; MALFORMED_BUFFER when the length is not 1 + 4k words
/// or the cursor points inside a record; too small (INSUFFICIENT_SIZE).
/// Thread safety: reentrant.
///
/// # Safety
/// `log` valid for `len` bytes; `out_records` NULL or valid for `capacity` records;
/// `out_written`, `out_dropped`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_debug_log_read(
    log: *const u8,
    len: usize,
    out_records: *mut vyre_debug_record,
    capacity: usize,
    out_written: *mut usize,
    out_dropped: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_written, "out_written")?;
        let l = slice_ref(log, len, "log")?;
        let stats = p::debug_log_stats(l)?;
        write_out(
            out_records,
            capacity,
            out_written,
            stats.stored as usize,
            "out_records",
            |d| p::read_debug_log_into(l, bytemuck::cast_slice_mut(d)).map(|_| ()),
        )?;
        if !out_dropped.is_null() {
            *out_dropped = stats.dropped;
        }
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Io queue.
// ---------------------------------------------------------------------------------------

/// Encode an empty io queue of `slot_count` slots (1..1,048,576): needs slot_count × 32
/// bytes (`(buf, len, out_written)` convention). Errors: slot_count 0
/// (INVALID_ARGUMENT) or over the cap (OUT_OF_RANGE); NULL out_written; too small.
/// Thread safety: reentrant.
///
/// # Safety
/// `buf` NULL or valid for `len` bytes; `out_written`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_io_queue_encode(
    slot_count: u32,
    buf: *mut u8,
    len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let needed = p::io_queue_len(slot_count)?;
        write_out(buf, len, out_written, needed, "buf", |d| {
            p::encode_io_queue_into(slot_count, d).map(|_| ())
        })
    })
}

/// Post `*request` into EMPTY io slot `slot` with status PUBLISHED (written last): the
/// host-side model of the kernel's LOAD_MISS, for simulations and tests
/// (`request->status` is ignored). Errors: NULL pointers, malformed queue, slot out of
/// range, op not READ/WRITE/FENCE (INVALID_ARGUMENT), slot not EMPTY (SLOT_IN_FLIGHT).
/// Thread safety: reentrant; the caller serialises access to `queue`.
///
/// # Safety
/// `queue` valid for `len` bytes; `request`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_io_queue_post(
    queue: *mut u8,
    len: usize,
    slot: u32,
    request: *const vyre_io_request,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let q = slice_mut(queue, len, "queue")?;
        let r = obj_ref(request, "request")?;
        let req = p::IoRequest {
            op: r.op,
            src: r.src,
            dst: r.dst,
            offset: r.offset_lo as u64 | (r.offset_hi as u64) << 32,
            bytes: r.bytes,
            tag: r.tag,
        };
        p::post_io_request(q, slot, &req)
    })
}

/// Decode io slot `slot` (all 8 words, status included) into `*out`.
/// Errors: NULL pointers, malformed queue, slot out of range. Thread safety: reentrant.
///
/// # Safety
/// `queue` valid for `len` bytes; `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_io_queue_read(
    queue: *const u8,
    len: usize,
    slot: u32,
    out: *mut vyre_io_request,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        read_into(queue, len, out, |q| {
            p::read_io_slot(q, slot).map(io_request_to_c)
        })
    })
}

/// Find the first pending request (status PUBLISHED) at or after slot `start` without
/// changing anything: `*out_found` = 1 and `*out_slot` = its index, or `*out_found` = 0
/// (`*out_slot` untouched). Errors: NULL pointers, malformed queue.
/// Thread safety: reentrant.
///
/// # Safety
/// `queue` valid for `len` bytes; `out_slot`, `out_found`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_io_queue_find_pending(
    queue: *const u8,
    len: usize,
    start: u32,
    out_slot: *mut u32,
    out_found: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_slot, "out_slot")?;
        require_out(out_found, "out_found")?;
        let found = p::find_pending_io(slice_ref(queue, len, "queue")?, start)?;
        if let Some(s) = found {
            *out_slot = s;
        }
        *out_found = found.is_some() as u32;
        Ok(())
    })
}

/// Claim the first pending request (PUBLISHED → CLAIMED): `*out_claimed` = 1 with its
/// index in `*out_slot` and its words in `*out_request` (status CLAIMED), or
/// `*out_claimed` = 0 when nothing is pending (other outputs untouched).
/// Errors: NULL pointers, malformed queue; a pending request whose op is not
/// READ/WRITE/FENCE (MALFORMED_BUFFER, left pending).
/// Thread safety: reentrant; the caller serialises access to `queue`.
///
/// # Safety
/// `queue` valid for `len` bytes; the out pointers and `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_io_queue_claim(
    queue: *mut u8,
    len: usize,
    out_slot: *mut u32,
    out_request: *mut vyre_io_request,
    out_claimed: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_slot, "out_slot")?;
        require_out(out_request, "out_request")?;
        require_out(out_claimed, "out_claimed")?;
        let q = slice_mut(queue, len, "queue")?;
        match p::claim_io_request(q)? {
            Some((slot, _)) => {
                *out_request = io_request_to_c(p::read_io_slot(q, slot)?);
                *out_slot = slot;
                *out_claimed = 1;
            }
            None => *out_claimed = 0,
        }
        Ok(())
    })
}

/// Complete a pending or claimed request in io slot `slot` with `status` =
/// VYRE_IO_STATUS_OK or VYRE_IO_STATUS_ERROR; the kernel resumes the waiting slot in
/// its next wave (ERROR → FAULT). Errors: NULL queue, malformed queue, slot out of
/// range, a bad status or a slot that is not pending/claimed (INVALID_ARGUMENT).
/// Thread safety: reentrant; the caller serialises access to `queue`.
///
/// # Safety
/// `queue` valid for `len` bytes; `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_io_queue_complete(
    queue: *mut u8,
    len: usize,
    slot: u32,
    status: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        p::complete_io(slice_mut(queue, len, "queue")?, slot, status)
    })
}

/// Complete `count` requests all-or-nothing: every completion is checked as in
/// vyre_io_queue_complete() (and no slot may repeat) before any status is written.
/// Thread safety: reentrant; the caller serialises access to `queue`.
///
/// # Safety
/// `queue` valid for `len` bytes; `completions` valid for `count` items (or NULL when
/// 0); `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_io_queue_complete_batch(
    queue: *mut u8,
    len: usize,
    completions: *const vyre_io_completion,
    count: usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let q = slice_mut(queue, len, "queue")?;
        let c = slice_ref(completions, count, "completions")?;
        let list: Vec<(u32, u32)> = c.iter().map(|c| (c.slot, c.status)).collect();
        p::complete_io_batch(q, &list)
    })
}

// ---------------------------------------------------------------------------------------
// Tasks.
// ---------------------------------------------------------------------------------------

/// Initialise `*out` as a READY task with no continuation, counters or flags.
/// Errors: NULL out; tenant ≥ 928 (OUT_OF_RANGE); priority > 4 (INVALID_ARGUMENT).
/// Thread safety: reentrant.
///
/// # Safety
/// `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_init(
    out: *mut vyre_task,
    task_id: u32,
    op_handle: u32,
    tenant: u32,
    priority: u32,
    input: u32,
    output: u32,
    param: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let o = obj_mut(out, "out")?;
        p::ring::check_tenant(tenant)?;
        p::ring::check_priority(priority)?;
        *o = bytemuck::cast(p::Task::new(
            task_id, op_handle, tenant, priority, input, output, param,
        ));
        Ok(())
    })
}

/// Apply a transition to `*task` in place, only on success.
unsafe fn transition(
    task: *mut vyre_task,
    f: impl FnOnce(&p::Task) -> Result<p::Task>,
) -> Result<()> {
    let t = obj_mut(task, "task")?;
    let next = f(&bytemuck::cast(*t))?;
    *t = bytemuck::cast(next);
    Ok(())
}

/// Pause: state PAUSED, continuation (pc, data), resume_epoch = epoch, flags = PAUSED.
/// Errors: NULL task; unknown state (MALFORMED_BUFFER); finished task
/// (INVALID_ARGUMENT). `*task` changes only on success. Thread safety: reentrant.
///
/// # Safety
/// `task`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_pause(
    task: *mut vyre_task,
    pc: u32,
    data: u32,
    epoch: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        transition(task, |t| t.paused(pc, data, epoch))
    })
}

/// Resume a PAUSED task: state READY, flags = RESUME_READY (continuation kept).
/// Errors: NULL task; unknown state; not PAUSED (INVALID_ARGUMENT). Thread safety: reentrant.
///
/// # Safety
/// `task`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_resume(
    task: *mut vyre_task,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || transition(task, |t| t.resumed()))
}

/// Yield: state YIELDED, continuation (pc, data), yield_count + 1, flags = YIELDED.
/// Errors: NULL task; unknown state; finished task; yield_count at UINT32_MAX
/// (OVERFLOW). Thread safety: reentrant.
///
/// # Safety
/// `task`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_yield(
    task: *mut vyre_task,
    pc: u32,
    data: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || transition(task, |t| t.yielded(pc, data)))
}

/// Requeue: state REQUEUED at `priority`, continuation (pc, data), requeue_count + 1,
/// age_ticks + 1, flags = REQUEUE_REQUESTED. Errors: NULL task; unknown state; finished
/// task or priority > 4 (INVALID_ARGUMENT); a counter at UINT32_MAX (OVERFLOW).
/// Thread safety: reentrant.
///
/// # Safety
/// `task`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_requeue(
    task: *mut vyre_task,
    pc: u32,
    data: u32,
    priority: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        transition(task, |t| t.requeued(pc, data, priority))
    })
}

/// Complete: state COMPLETED, flags 0. Errors: NULL task; unknown state; finished task.
/// Thread safety: reentrant.
///
/// # Safety
/// `task`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_complete(
    task: *mut vyre_task,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || transition(task, |t| t.completed()))
}

/// Fault: state FAULTED, continuation_data = code (flags kept). Errors: NULL task;
/// unknown state; finished task. Thread safety: reentrant.
///
/// # Safety
/// `task`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_fault(
    task: *mut vyre_task,
    code: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || transition(task, |t| t.faulted(code)))
}

/// 1 into `*out` if a worker may claim the task (READY, YIELDED, REQUEUED), else 0.
/// Errors: NULL pointers; unknown state (MALFORMED_BUFFER). Thread safety: reentrant.
///
/// # Safety
/// `task`, `out`, `out_error` NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_task_is_schedulable(
    task: *const vyre_task,
    out: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out, "out")?;
        let t: p::Task = bytemuck::cast(*obj_ref(task, "task")?);
        *out = t.is_schedulable()? as u32;
        Ok(())
    })
}
