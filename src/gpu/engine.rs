//! The engine-state buffer (bind group 1): vyre's own per-set bookkeeping, kept out of
//! the control block (control words 142..159 stay reserved and zero).
//!
//! Words 0..48 are cleared before every wave; 48.. are parameters written by the host.
//! The kernel template (`kernel.wgsl`) uses the same numbers (`VYRE_E_*`).

/// Next chunk ticket (slot index); all slots were visited when it is >= slot count.
pub const TICKET: usize = 0;
/// PUBLISHED/YIELD/REQUEUE slots left after their visit (tenant-denied excluded).
pub const CLAIMABLE: usize = 1;
/// WAIT_IO slots left.
pub const WAITING: usize = 2;
/// Claimable slots of a denied tenant.
pub const DENIED: usize = 3;
/// Slots that reached DONE in this wave.
pub const DONE: usize = 4;
/// Slots that reached FAULT in this wave.
pub const FAULTED: usize = 5;
/// Claims in this wave.
pub const CLAIMS: usize = 6;
/// Non-zero when the SHUTDOWN word was set at the end of the wave.
pub const SHUTDOWN: usize = 7;
/// Claims per tenant (t < 32) in this wave, for TENANT_QUOTA.
pub const QUOTA_USED: usize = 16;
/// Parameter: lane work budget per wave.
pub const BUDGET: usize = 48;
/// Parameter: chunks (slot visits) per lane per wave.
pub const VISIT_CAP: usize = 49;

/// Words 0..48 are cleared per wave.
pub const CLEAR_BYTES: u64 = 48 * 4;
/// Words read back per wave (the census).
pub const CENSUS_WORDS: usize = 16;
pub const CENSUS_BYTES: u64 = (CENSUS_WORDS * 4) as u64;
/// Size of the engine buffer.
pub const BYTES: u64 = 64 * 4;

/// The per-wave census read back from the engine buffer.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Census {
    pub ticket: u32,
    pub claimable: u32,
    pub waiting: u32,
    pub denied: u32,
    pub done: u32,
    pub faulted: u32,
    pub claims: u32,
    pub shutdown: bool,
}

impl Census {
    pub fn decode(bytes: &[u8]) -> Census {
        let w = |i: usize| {
            u32::from_le_bytes([
                bytes[4 * i],
                bytes[4 * i + 1],
                bytes[4 * i + 2],
                bytes[4 * i + 3],
            ])
        };
        Census {
            ticket: w(TICKET),
            claimable: w(CLAIMABLE),
            waiting: w(WAITING),
            denied: w(DENIED),
            done: w(DONE),
            faulted: w(FAULTED),
            claims: w(CLAIMS),
            shutdown: w(SHUTDOWN) != 0,
        }
    }
}
