//! Dispatch options and the per-dispatch report (what ran, what remains, what it cost).

use crate::error::{Error, Result};
use std::time::Duration;

/// Default lane work budget per wave (loop iterations of long opcodes).
pub const DEFAULT_WORK_BUDGET: u32 = 32_768;
/// Largest lane work budget: visits (≤ [`VISIT_CAP`]) + one CAS loop entry per visit +
/// budget stays below lavapipe's 65,535 iterations per invocation.
pub const MAX_WORK_BUDGET: u32 = 40_960;
/// Slots one lane visits per wave at most (chunks of `workgroup_size_x` slots).
pub const VISIT_CAP: u32 = 8_192;
/// Default `max_wall_time` (SPEC config default: 60 s).
pub const DEFAULT_MAX_WALL_TIME: Duration = Duration::from_secs(60);
/// Default number of device-loss recoveries per dispatch.
pub const DEFAULT_RECOVERY_ATTEMPTS: u32 = 1;

/// Options of one dispatch. `Default` = SPEC defaults.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DispatchOptions {
    /// Stop starting new waves after this long, then drain (report what remains).
    pub max_wall_time: Duration,
    /// Stop after this many waves (0 = no limit besides `max_wall_time`).
    pub max_waves: u32,
    /// Lane work budget per wave (1..=[`MAX_WORK_BUDGET`]).
    pub work_budget: u32,
    /// Workgroups per wave (0 = the megakernel's `worker_groups`); raised when needed so
    /// that one wave visits every slot.
    pub worker_groups: u32,
    /// Device-loss recoveries allowed during this dispatch (0 = fail with DEVICE_LOST).
    pub recovery_attempts: u32,
}

impl Default for DispatchOptions {
    fn default() -> Self {
        DispatchOptions {
            max_wall_time: DEFAULT_MAX_WALL_TIME,
            max_waves: 0,
            work_budget: DEFAULT_WORK_BUDGET,
            worker_groups: 0,
            recovery_attempts: DEFAULT_RECOVERY_ATTEMPTS,
        }
    }
}

impl DispatchOptions {
    pub fn validate(&self) -> Result<()> {
        if self.work_budget == 0 || self.work_budget > MAX_WORK_BUDGET {
            return Err(Error::invalid(format!(
                "work_budget {} is not in 1..={MAX_WORK_BUDGET} (lavapipe ends an invocation after 65,535 loop iterations)",
                self.work_budget
            )));
        }
        if self.max_wall_time.is_zero() {
            return Err(Error::invalid("max_wall_time must be non-zero"));
        }
        Ok(())
    }
}

/// Why the dispatch stopped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum StopReason {
    /// No claimable slot remains (slots waiting for io or denied may remain).
    #[default]
    Complete,
    /// The SHUTDOWN word was set: workers stopped claiming.
    Shutdown,
    /// `max_wall_time` or `max_waves` ended the dispatch with claimable slots left.
    TimeLimit,
}

/// What one dispatch did. Counts are slots; `remaining` = claimable + waiting_io +
/// denied + unvisited at the end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct DispatchReport {
    /// Bytes uploaded to the GPU (data, parameters).
    pub bytes_in: u64,
    /// Bytes read back (census words and requested buffers).
    pub bytes_out: u64,
    /// Wall time of the whole call.
    pub latency: Duration,
    /// Waves run (one compute dispatch each per set).
    pub waves: u32,
    /// Compute dispatches recorded.
    pub kernel_launches: u32,
    /// Host waits for the GPU.
    pub sync_points: u32,
    /// Device-loss recoveries performed during this call.
    pub recovered: u32,
    /// Slots that reached DONE during this call.
    pub done: u64,
    /// Slots that reached FAULT during this call.
    pub faulted: u64,
    /// Claims (including resumed YIELD/REQUEUE/WAIT_IO slots).
    pub claims: u64,
    /// PUBLISHED/YIELD/REQUEUE slots left (not denied).
    pub claimable: u64,
    /// WAIT_IO slots left (the host must complete io requests and dispatch again).
    pub waiting_io: u64,
    /// Claimable slots whose tenant is not allowed (left untouched).
    pub denied: u64,
    /// Slots the last wave did not visit (only when a limit stopped it early).
    pub unvisited: u64,
    pub stop: StopReason,
}

impl DispatchReport {
    /// Slots not finished: claimable + waiting_io + denied + unvisited.
    pub fn remaining(&self) -> u64 {
        self.claimable + self.waiting_io + self.denied + self.unvisited
    }

    /// Add another report's counters (batch totals).
    pub fn accumulate(&mut self, o: &DispatchReport) {
        self.bytes_in += o.bytes_in;
        self.bytes_out += o.bytes_out;
        self.waves = self.waves.max(o.waves);
        self.kernel_launches += o.kernel_launches;
        self.sync_points = self.sync_points.max(o.sync_points);
        self.recovered = self.recovered.max(o.recovered);
        self.done += o.done;
        self.faulted += o.faulted;
        self.claims += o.claims;
        self.claimable += o.claimable;
        self.waiting_io += o.waiting_io;
        self.denied += o.denied;
        self.unvisited += o.unvisited;
        if o.stop != StopReason::Complete {
            self.stop = o.stop;
        }
    }
}
