//! Launch geometry: workgroup width, padded ring size and dispatch grid for one launch.

use super::sizing::SizingPolicy;
use crate::error::{Error, Result};
use std::time::Duration;

/// Host-side geometry of one launch.
///
/// Our workers loop over the ring, so every slot is served whatever the grid (upstream ran
/// one lane per slot and silently skipped slots beyond `grid × wg`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct LaunchGeometry {
    /// Lanes per worker workgroup.
    pub workgroup_size_x: u32,
    /// Ring slots, padded to whole workgroups.
    pub slot_count: u32,
    /// Grid submitted to the backend.
    pub dispatch_grid: [u32; 3],
}

/// Backend dispatch parameters matching a geometry.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct DispatchConfig {
    /// Workgroups per dimension.
    pub grid: [u32; 3],
    /// Workgroup size per dimension (`[workgroup_size_x, 1, 1]`).
    pub workgroup_size: [u32; 3],
    /// Wall-clock limit for the dispatch; `None` = no limit.
    pub timeout: Option<Duration>,
}

impl LaunchGeometry {
    /// Geometry for `item_count` host work items.
    ///
    /// Errors (`Overflow`) when the item count or its padding to whole workgroups does not
    /// fit the u32 ring protocol.
    pub fn from_item_count(item_count: usize, worker_count: u32, max_x: u32) -> Result<Self> {
        let items = u32::try_from(item_count).map_err(|_| {
            Error::overflow(format!(
                "{item_count} work items exceed the u32 ring protocol (max {}); shard the queue",
                u32::MAX
            ))
        })?;
        SizingPolicy::standard().checked_geometry_from_slots(items, worker_count, max_x)
    }

    /// Geometry for an already-sized ring: `wg = worker_workgroup_size(w, max_x)`,
    /// `slots = padded_slot_count(s, wg)`, `grid = dispatch_grid_for(w, slots, wg)`.
    pub const fn from_slots(slot_count: u32, worker_count: u32, max_x: u32) -> Self {
        SizingPolicy::standard().geometry_from_slots(slot_count, worker_count, max_x)
    }

    /// Worker workgroups needed to cover every slot exactly once (`slot_count / wg`).
    /// Errors (`InvalidArgument`) when `workgroup_size_x` is 0.
    pub fn covering_worker_groups(&self) -> Result<u32> {
        self.slot_count
            .checked_div(self.workgroup_size_x)
            .ok_or_else(|| {
                Error::invalid("geometry.workgroup_size_x is 0; build the geometry with from_slots")
            })
    }

    /// Dispatch parameters for this geometry: grid, `[wg, 1, 1]` and the timeout.
    pub const fn dispatch_config(&self, timeout: Option<Duration>) -> DispatchConfig {
        DispatchConfig {
            grid: self.dispatch_grid,
            workgroup_size: [self.workgroup_size_x, 1, 1],
            timeout,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Status;

    #[test]
    fn pinned_from_slots() {
        let g = LaunchGeometry::from_slots(300, 64, 256);
        assert_eq!(
            (g.workgroup_size_x, g.slot_count, g.dispatch_grid),
            (64, 320, [5, 1, 1])
        );
        let g = LaunchGeometry::from_slots(1, 1000, 256);
        assert_eq!(
            (g.workgroup_size_x, g.slot_count, g.dispatch_grid),
            (256, 256, [1, 1, 1])
        );
    }

    #[test]
    fn from_item_count_checks_u32() {
        let g = LaunchGeometry::from_item_count(300, 64, 256).unwrap();
        assert_eq!(g, LaunchGeometry::from_slots(300, 64, 256));
        let err = LaunchGeometry::from_item_count(u32::MAX as usize + 1, 64, 256).unwrap_err();
        assert_eq!(err.status, Status::Overflow);
        // u32::MAX items fit, but their padding to 64-lane workgroups does not.
        let err = LaunchGeometry::from_item_count(u32::MAX as usize, 64, 256).unwrap_err();
        assert_eq!(err.status, Status::Overflow);
        // With one lane per workgroup the padding is exact.
        let g = LaunchGeometry::from_item_count(u32::MAX as usize, 1, 256).unwrap();
        assert_eq!(g.slot_count, u32::MAX);
    }

    #[test]
    fn covering_groups_and_dispatch_config() {
        let g = LaunchGeometry::from_slots(300, 64, 256);
        assert_eq!(g.covering_worker_groups().unwrap(), 5);
        let zero = LaunchGeometry::default();
        assert_eq!(
            zero.covering_worker_groups().unwrap_err().status,
            Status::InvalidArgument
        );
        let c = g.dispatch_config(Some(Duration::from_millis(5)));
        assert_eq!(c.grid, [5, 1, 1]);
        assert_eq!(c.workgroup_size, [64, 1, 1]);
        assert_eq!(c.timeout, Some(Duration::from_millis(5)));
        assert_eq!(g.dispatch_config(None).timeout, None);
    }
}
