//! Frozen numbers of the wire protocol (SPEC §1). Changing any of these breaks every
//! kernel and every C caller; tests pin them.

/// Words per ring slot (64 bytes).
pub const SLOT_WORDS: usize = 16;
/// Argument words per ring slot (words 4..15).
pub const SLOT_ARGS: usize = 12;
/// Fixed control words before the observable region.
pub const CONTROL_WORDS: usize = 160;
/// Words per io-queue slot.
pub const IO_SLOT_WORDS: usize = 8;
/// Words per debug-log record (format id, arg1, arg2, slot word offset).
pub const DEBUG_RECORD_WORDS: usize = 4;
/// Default debug-log capacity in records (upstream: 64 → 257 words).
pub const DEFAULT_DEBUG_RECORDS: u32 = 64;
/// Default io-queue slot count.
pub const DEFAULT_IO_SLOTS: u32 = 64;

/// Encoder caps, checked before allocating (SPEC §1.8).
pub const MAX_RING_SLOTS: u32 = 1 << 20;
pub const MAX_OBSERVABLE_SLOTS: u32 = 1 << 20;
pub const MAX_DEBUG_RECORDS: u32 = 1 << 20;

/// Word offsets inside the control buffer (SPEC §1.1).
pub mod control {
    pub const SHUTDOWN: usize = 0;
    pub const DONE_COUNT: usize = 1;
    pub const TENANT_BASE: usize = 2;
    /// First word of the tenant bitmap (the encoder writes this value into TENANT_BASE).
    pub const TENANT_TABLE: usize = 3;
    /// Bitmap words 3..=31.
    pub const TENANT_TABLE_WORDS: usize = 29;
    /// Tenants addressable by the bitmap: 29 × 32.
    pub const MAX_TENANTS: u32 = 928;
    pub const TENANT_QUOTA: usize = 32;
    pub const TENANT_FAIRNESS: usize = 64;
    /// Tenants with a quota/fairness word (t < 32).
    pub const QUOTA_TENANTS: usize = 32;
    pub const METRICS: usize = 96;
    /// Opcodes with a metrics counter (opcode < 32).
    pub const METRICS_OPCODES: usize = 32;
    pub const EPOCH: usize = 128;
    pub const PRIORITY_OFFSETS: usize = 129;
    pub const STARVATION: usize = 135;
    pub const PRIORITY_FAIRNESS: usize = 136;
    pub const FAULT_COUNT: usize = 141;
    pub const RESERVED_START: usize = 142;
    pub const OBSERVABLE: usize = 160;
}

/// Ring slot word offsets (SPEC §1.2).
pub mod slot {
    pub const STATUS: usize = 0;
    pub const OPCODE: usize = 1;
    pub const TENANT: usize = 2;
    pub const PRIORITY: usize = 3;
    pub const ARGS: usize = 4;
    /// FAULT code word (last arg word).
    pub const FAULT_CODE: usize = 15;
}

/// Slot states (SPEC §1.2). Io-queue statuses share these plus OK/ERROR.
pub mod state {
    pub const EMPTY: u32 = 0;
    pub const PUBLISHED: u32 = 1;
    pub const CLAIMED: u32 = 2;
    pub const DONE: u32 = 3;
    pub const WAIT_IO: u32 = 4;
    pub const YIELD: u32 = 5;
    pub const REQUEUE: u32 = 6;
    pub const FAULT: u32 = 7;
    /// Io-queue host completion: success.
    pub const IO_OK: u32 = 0x10;
    /// Io-queue host completion: failure.
    pub const IO_ERROR: u32 = 0x11;
}

/// Priority levels, most urgent first (SPEC §1.2).
pub mod priority {
    pub const CRITICAL: u32 = 0;
    pub const HIGH: u32 = 1;
    pub const NORMAL: u32 = 2;
    pub const LOW: u32 = 3;
    pub const IDLE: u32 = 4;
    pub const LEVELS: usize = 5;
}

/// Frozen opcode numbers (SPEC §1.5).
pub mod op {
    pub const NOP: u32 = 0;
    pub const STORE_U32: u32 = 1;
    pub const ATOMIC_ADD: u32 = 2;
    pub const LOAD_U32: u32 = 3;
    pub const COMPARE_SWAP: u32 = 4;
    pub const MEMCPY: u32 = 5;
    pub const DFA_STEP: u32 = 6;
    pub const BATCH_FENCE: u32 = 7;
    /// First opcode reserved for built-in scanner opcodes.
    pub const SCANNER_FIRST: u32 = 0xFFF0;
    /// Last opcode reserved for built-in scanner opcodes.
    pub const SCANNER_LAST: u32 = 0xFFFC;
    /// Multi-pattern DFA scan over a resident haystack (scanner layer).
    pub const DFA_SCAN: u32 = 0xFFF0;
    pub const LOAD_MISS: u32 = 0xFFFD;
    pub const PRINTF: u32 = 0xFFFE;
    pub const PACKED_SLOT: u32 = 0x8000_0001;
    pub const SHUTDOWN: u32 = 0xFFFF_FFFF;
    /// Tenant opcode windows: tenant t owns WINDOW_BASE + t·WINDOW_SIZE .. +WINDOW_SIZE.
    pub const TENANT_WINDOW_BASE: u32 = 0x4000_0000;
    pub const TENANT_WINDOW_SIZE: u32 = 1 << 20;
}

/// Io-queue slot layout and ops (SPEC §1.4).
pub mod io {
    pub const OP: usize = 0;
    pub const SRC: usize = 1;
    pub const DST: usize = 2;
    pub const OFFSET_LO: usize = 3;
    pub const OFFSET_HI: usize = 4;
    pub const BYTES: usize = 5;
    pub const STATUS: usize = 6;
    pub const TAG: usize = 7;
    pub const READ: u32 = 1;
    pub const WRITE: u32 = 2;
    pub const FENCE: u32 = 3;
}

/// FAULT codes stored in slot word 15 (ours; upstream had no fault path).
pub mod fault {
    pub const UNKNOWN_OPCODE: u32 = 1;
    pub const OUT_OF_BOUNDS: u32 = 2;
    pub const BAD_ARGUMENT: u32 = 3;
    pub const IO_ERROR: u32 = 4;
    pub const TENANT_QUOTA: u32 = 5;
}
