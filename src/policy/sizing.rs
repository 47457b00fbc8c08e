//! Worker-grid sizing (SPEC §2, first block): workgroup width, slot padding, dispatch grid,
//! occupancy from adapter limits, and the optimal grid for a queue.
//!
//! The free functions use [`SizingPolicy::standard`]; a launch policy carries its own
//! [`SizingPolicy`] so callers can tune the occupancy constants.

use super::geometry::LaunchGeometry;
use crate::error::{Error, Result};

/// Default persistent worker count of a config.
pub const DEFAULT_WORKER_COUNT: u32 = 64;
/// Default workgroup width (lanes in x) of a worker.
pub const DEFAULT_WORKGROUP_SIZE_X: u32 = 64;
/// Upper bound on dispatched worker workgroups.
pub const MAX_DISPATCH_WORKGROUPS: u32 = 1024;
/// Adapter workgroups-per-dimension divided by this gives the occupancy worker count.
pub const OCCUPANCY_DIVISOR: u32 = 256;
/// Adapters allowing at least this many invocations per workgroup count as powerful.
pub const POWERFUL_INVOCATION_THRESHOLD: u32 = 4096;
/// Powerful adapters get at least this many worker groups.
pub const POWERFUL_MIN_WORKER_GROUPS: u32 = 64;

/// The occupancy constants of the sizing formulas. [`SizingPolicy::standard`] holds the
/// contract values; other values are for experiments.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct SizingPolicy {
    /// Cap on the dispatched grid's x dimension (standard 1024). Must be ≥ 1.
    pub max_dispatch_workgroups: u32,
    /// Divisor turning max workgroups per dimension into an occupancy count (standard 256). Must be ≥ 1.
    pub occupancy_divisor: u32,
    /// Invocations-per-workgroup limit from which an adapter is "powerful" (standard 4096).
    pub powerful_invocation_threshold: u32,
    /// Minimum worker groups on a powerful adapter (standard 64).
    pub powerful_min_worker_groups: u32,
}

impl Default for SizingPolicy {
    fn default() -> Self {
        Self::standard()
    }
}

/// Adapter limits that bound a launch (all must be non-zero for a recommendation).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct GridLimits {
    /// Maximum workgroup size in x (wgpu `max_compute_workgroup_size_x`).
    pub max_workgroup_size_x: u32,
    /// Maximum workgroups per dispatch dimension (wgpu `max_compute_workgroups_per_dimension`).
    pub max_compute_workgroups_per_dimension: u32,
    /// Maximum invocations per workgroup (wgpu `max_compute_invocations_per_workgroup`).
    pub max_compute_invocations_per_workgroup: u32,
}

impl GridLimits {
    /// Limits from the three adapter values.
    pub const fn new(max_x: u32, max_workgroups_per_dim: u32, max_invocations: u32) -> Self {
        GridLimits {
            max_workgroup_size_x: max_x,
            max_compute_workgroups_per_dimension: max_workgroups_per_dim,
            max_compute_invocations_per_workgroup: max_invocations,
        }
    }

    /// Any zero limit is an error: it would make every launch unschedulable.
    pub fn validate(&self) -> Result<()> {
        let fields = [
            ("max_workgroup_size_x", self.max_workgroup_size_x),
            (
                "max_compute_workgroups_per_dimension",
                self.max_compute_workgroups_per_dimension,
            ),
            (
                "max_compute_invocations_per_workgroup",
                self.max_compute_invocations_per_workgroup,
            ),
        ];
        for (name, value) in fields {
            if value == 0 {
                return Err(Error::invalid(format!(
                    "adapter limit {name} is 0; pass the adapter's real limits \
                     (wgpu Limits / vyre device limits), not a zeroed struct"
                )));
            }
        }
        Ok(())
    }
}

/// Result of [`SizingPolicy::calculate_optimal_grid`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct GridPlan {
    /// Padded geometry for the ring.
    pub geometry: LaunchGeometry,
    /// Worker workgroups selected before the geometry was derived.
    pub worker_groups: u32,
}

impl SizingPolicy {
    /// The contract values of SPEC §2.
    pub const fn standard() -> Self {
        SizingPolicy {
            max_dispatch_workgroups: MAX_DISPATCH_WORKGROUPS,
            occupancy_divisor: OCCUPANCY_DIVISOR,
            powerful_invocation_threshold: POWERFUL_INVOCATION_THRESHOLD,
            powerful_min_worker_groups: POWERFUL_MIN_WORKER_GROUPS,
        }
    }

    /// Reject zero caps and divisors (they would produce zero grids or divide by zero).
    pub fn validate(&self) -> Result<()> {
        if self.max_dispatch_workgroups == 0 {
            return Err(Error::invalid(
                "sizing.max_dispatch_workgroups is 0; use at least 1 (standard 1024)",
            ));
        }
        if self.occupancy_divisor == 0 {
            return Err(Error::invalid(
                "sizing.occupancy_divisor is 0; use at least 1 (standard 256)",
            ));
        }
        Ok(())
    }

    /// `1` if `worker_count` is 0, else `min(worker_count, max(max_x, 1))`.
    pub const fn worker_workgroup_size(&self, worker_count: u32, max_x: u32) -> u32 {
        worker_workgroup_size(worker_count, max_x)
    }

    /// `max(1, ceil(slots / max(wg, 1))) · wg`, saturating at `u32::MAX`.
    pub const fn padded_slot_count(&self, slot_count: u32, workgroup_size_x: u32) -> u32 {
        padded_slot_count(slot_count, workgroup_size_x)
    }

    /// `[min(max(1, ceil(q / max(max_x, 1))), max(w, 1), max_dispatch_workgroups), 1, 1]`.
    pub const fn dispatch_grid_for(
        &self,
        worker_count: u32,
        queue_len: u32,
        max_x: u32,
    ) -> [u32; 3] {
        let per_queue = max_u32(1, queue_len.div_ceil(max_u32(max_x, 1)));
        let cap = min_u32(
            max_u32(worker_count, 1),
            max_u32(self.max_dispatch_workgroups, 1),
        );
        [min_u32(per_queue, cap), 1, 1]
    }

    /// `max(clamp(max_wg_dim / divisor, 1, max_dispatch), powerful_min if max_inv ≥ threshold else 1)`.
    pub const fn default_worker_groups_from_limits(
        &self,
        max_wg_dim: u32,
        max_invocations: u32,
    ) -> u32 {
        let occupancy = max_wg_dim / max_u32(self.occupancy_divisor, 1);
        let clamped = min_u32(
            max_u32(occupancy, 1),
            max_u32(self.max_dispatch_workgroups, 1),
        );
        let floor = if max_invocations >= self.powerful_invocation_threshold {
            self.powerful_min_worker_groups
        } else {
            1
        };
        max_u32(clamped, floor)
    }

    /// Geometry for an already-sized ring (saturating padding, never fails).
    pub const fn geometry_from_slots(
        &self,
        slot_count: u32,
        worker_count: u32,
        max_x: u32,
    ) -> LaunchGeometry {
        let wg = worker_workgroup_size(worker_count, max_x);
        let slots = padded_slot_count(slot_count, wg);
        LaunchGeometry {
            workgroup_size_x: wg,
            slot_count: slots,
            dispatch_grid: self.dispatch_grid_for(worker_count, slots, wg),
        }
    }

    /// Like [`geometry_from_slots`](Self::geometry_from_slots), but padding that does not
    /// fit `u32` is an `Overflow` error instead of saturating.
    pub fn checked_geometry_from_slots(
        &self,
        slot_count: u32,
        worker_count: u32,
        max_x: u32,
    ) -> Result<LaunchGeometry> {
        let wg = worker_workgroup_size(worker_count, max_x);
        match slot_count.div_ceil(wg).max(1).checked_mul(wg) {
            Some(_) => Ok(self.geometry_from_slots(slot_count, worker_count, max_x)),
            None => Err(Error::overflow(format!(
                "{slot_count} slots padded to whole workgroups of {wg} do not fit the u32 ring \
                 protocol; shard the queue into smaller launches"
            ))),
        }
    }

    /// Resolve worker groups and geometry for `queue_len` slots under `limits`.
    ///
    /// Errors: any zero limit (`InvalidArgument`), an invalid sizing policy, or padding
    /// that does not fit `u32` (`Overflow`; upstream silently saturated).
    pub fn calculate_optimal_grid(
        &self,
        queue_len: u32,
        requested_worker_groups: u32,
        limits: GridLimits,
    ) -> Result<GridPlan> {
        limits.validate()?;
        self.validate()?;
        let max_dim = limits.max_compute_workgroups_per_dimension;
        let occupancy = self
            .default_worker_groups_from_limits(
                max_dim,
                limits.max_compute_invocations_per_workgroup,
            )
            .min(max_dim);
        let worker_groups = if requested_worker_groups == 0 {
            occupancy
        } else {
            requested_worker_groups.min(max_dim)
        }
        .max(1);
        let geometry = self.checked_geometry_from_slots(
            queue_len.max(1),
            worker_groups,
            limits.max_workgroup_size_x,
        )?;
        Ok(GridPlan {
            geometry,
            worker_groups,
        })
    }
}

const fn max_u32(a: u32, b: u32) -> u32 {
    if a > b {
        a
    } else {
        b
    }
}

const fn min_u32(a: u32, b: u32) -> u32 {
    if a < b {
        a
    } else {
        b
    }
}

/// `1` if `worker_count` is 0, else `min(worker_count, max(max_x, 1))`.
pub const fn worker_workgroup_size(worker_count: u32, max_x: u32) -> u32 {
    if worker_count == 0 {
        1
    } else {
        min_u32(worker_count, max_u32(max_x, 1))
    }
}

/// `max(1, ceil(slots / max(wg, 1))) · wg`, saturating at `u32::MAX`.
pub const fn padded_slot_count(slot_count: u32, workgroup_size_x: u32) -> u32 {
    let groups = max_u32(1, slot_count.div_ceil(max_u32(workgroup_size_x, 1)));
    groups.saturating_mul(workgroup_size_x)
}

/// Standard-policy dispatch grid (see [`SizingPolicy::dispatch_grid_for`]).
pub const fn dispatch_grid_for(worker_count: u32, queue_len: u32, max_x: u32) -> [u32; 3] {
    SizingPolicy::standard().dispatch_grid_for(worker_count, queue_len, max_x)
}

/// Standard-policy occupancy worker count (see [`SizingPolicy::default_worker_groups_from_limits`]).
pub const fn default_worker_groups_from_limits(max_wg_dim: u32, max_invocations: u32) -> u32 {
    SizingPolicy::standard().default_worker_groups_from_limits(max_wg_dim, max_invocations)
}

/// Standard-policy optimal grid (see [`SizingPolicy::calculate_optimal_grid`]).
pub fn calculate_optimal_grid(
    queue_len: u32,
    requested_worker_groups: u32,
    limits: GridLimits,
) -> Result<GridPlan> {
    SizingPolicy::standard().calculate_optimal_grid(queue_len, requested_worker_groups, limits)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn constants_are_the_contract() {
        assert_eq!(DEFAULT_WORKER_COUNT, 64);
        assert_eq!(DEFAULT_WORKGROUP_SIZE_X, 64);
        assert_eq!(MAX_DISPATCH_WORKGROUPS, 1024);
        assert_eq!(OCCUPANCY_DIVISOR, 256);
        assert_eq!(POWERFUL_INVOCATION_THRESHOLD, 4096);
        assert_eq!(POWERFUL_MIN_WORKER_GROUPS, 64);
    }

    #[test]
    fn worker_workgroup_size_formula() {
        assert_eq!(worker_workgroup_size(0, 256), 1);
        assert_eq!(worker_workgroup_size(64, 256), 64);
        assert_eq!(worker_workgroup_size(1000, 256), 256);
        assert_eq!(worker_workgroup_size(5, 0), 1);
    }

    #[test]
    fn padded_slot_count_formula() {
        assert_eq!(padded_slot_count(300, 64), 320);
        assert_eq!(padded_slot_count(0, 64), 64);
        assert_eq!(padded_slot_count(1, 256), 256);
        assert_eq!(padded_slot_count(320, 64), 320);
        assert_eq!(
            padded_slot_count(7, 0),
            0,
            "wg 0 pads to zero slots, as the formula says"
        );
        assert_eq!(padded_slot_count(u32::MAX, 64), u32::MAX, "saturates");
    }

    #[test]
    fn dispatch_grid_formula() {
        assert_eq!(dispatch_grid_for(64, 320, 64), [5, 1, 1]);
        assert_eq!(dispatch_grid_for(2, 4096, 64), [2, 1, 1]);
        assert_eq!(dispatch_grid_for(0, 0, 0), [1, 1, 1]);
        assert_eq!(dispatch_grid_for(u32::MAX, u32::MAX, 1), [1024, 1, 1]);
    }

    #[test]
    fn occupancy_from_limits() {
        assert_eq!(default_worker_groups_from_limits(65_535, 256), 255);
        assert_eq!(default_worker_groups_from_limits(65_535, 4096), 255);
        assert_eq!(default_worker_groups_from_limits(1024, 4096), 64);
        assert_eq!(default_worker_groups_from_limits(1024, 1024), 4);
        assert_eq!(default_worker_groups_from_limits(0, 0), 1);
        assert_eq!(default_worker_groups_from_limits(u32::MAX, 0), 1024);
    }

    #[test]
    fn optimal_grid_rejects_zero_limits() {
        for limits in [
            GridLimits::new(0, 1, 1),
            GridLimits::new(1, 0, 1),
            GridLimits::new(1, 1, 0),
        ] {
            let err = calculate_optimal_grid(10, 0, limits).unwrap_err();
            assert_eq!(err.status, Status::InvalidArgument);
        }
    }

    #[test]
    fn optimal_grid_from_occupancy_and_request() {
        let limits = GridLimits::new(256, 65_535, 256);
        let plan = calculate_optimal_grid(300, 64, limits).unwrap();
        assert_eq!(plan.worker_groups, 64);
        assert_eq!(plan.geometry.workgroup_size_x, 64);
        assert_eq!(plan.geometry.slot_count, 320);
        assert_eq!(plan.geometry.dispatch_grid, [5, 1, 1]);
        // requested 0 → occupancy 255; queue 0 is treated as 1 slot.
        let plan = calculate_optimal_grid(0, 0, limits).unwrap();
        assert_eq!(plan.worker_groups, 255);
        assert_eq!(plan.geometry.workgroup_size_x, 255);
        assert_eq!(plan.geometry.slot_count, 255);
        assert_eq!(plan.geometry.dispatch_grid, [1, 1, 1]);
        // requested above the adapter's dimension limit is clamped to it.
        let plan = calculate_optimal_grid(1000, 500, GridLimits::new(64, 8, 64)).unwrap();
        assert_eq!(plan.worker_groups, 8);
    }

    #[test]
    fn optimal_grid_padding_overflow_is_an_error() {
        let err =
            calculate_optimal_grid(u32::MAX, 100, GridLimits::new(256, 65_535, 256)).unwrap_err();
        assert_eq!(err.status, Status::Overflow);
    }

    #[test]
    fn sizing_validation() {
        let mut s = SizingPolicy::standard();
        assert!(s.validate().is_ok());
        s.max_dispatch_workgroups = 0;
        assert_eq!(s.validate().unwrap_err().status, Status::InvalidArgument);
        let mut s = SizingPolicy::standard();
        s.occupancy_divisor = 0;
        assert_eq!(s.validate().unwrap_err().status, Status::InvalidArgument);
    }
}
