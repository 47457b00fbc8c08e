//! Geometry and sizing functions.

#[allow(unused_imports)]
use super::*;

/// Geometry for `item_count` host work items (standard sizing). Errors
/// (VYRE_ERROR_OVERFLOW) when the count or its padding to whole workgroups does not fit
/// the u32 ring protocol. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_geometry_from_item_count(
    item_count: usize,
    worker_count: u32,
    max_workgroup_size_x: u32,
    out: *mut vyre_launch_geometry,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out, "out")?;
        let g = geometry::LaunchGeometry::from_item_count(
            item_count,
            worker_count,
            max_workgroup_size_x,
        )?;
        *out = vyre_launch_geometry::from_rust(&g);
        Ok(())
    })
}

/// Geometry for an already-sized ring: wg = vyre_sizing_worker_workgroup_size(w, max_x),
/// slots = vyre_sizing_padded_slot_count(s, wg) (saturating), grid =
/// vyre_sizing_dispatch_grid_for(w, slots, wg). Errors: NULL `out`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_geometry_from_slots(
    slot_count: u32,
    worker_count: u32,
    max_workgroup_size_x: u32,
    out: *mut vyre_launch_geometry,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let out = obj_mut(out, "out")?;
        let g =
            geometry::LaunchGeometry::from_slots(slot_count, worker_count, max_workgroup_size_x);
        *out = vyre_launch_geometry::from_rust(&g);
        Ok(())
    })
}

/// Worker workgroups that cover every slot once: `slot_count / workgroup_size_x`.
/// Errors: workgroup_size_x 0 (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_geometry_covering_worker_groups(
    geometry: *const vyre_launch_geometry,
    out_groups: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let g = obj_ref(geometry, "geometry")?.to_rust();
        let out = obj_mut(out_groups, "out_groups")?;
        *out = g.covering_worker_groups()?;
        Ok(())
    })
}

/// Dispatch parameters of a geometry: its grid, workgroup size `{wg, 1, 1}` and
/// `timeout_ns` (0 = no limit). Errors: NULL `geometry` or `out`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_geometry_dispatch_config(
    geometry: *const vyre_launch_geometry,
    timeout_ns: u64,
    out: *mut vyre_launch_dispatch_config,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let g = obj_ref(geometry, "geometry")?.to_rust();
        let out = obj_mut(out, "out")?;
        let timeout = (timeout_ns != 0).then(|| Duration::from_nanos(timeout_ns));
        let c = g.dispatch_config(timeout);
        *out = vyre_launch_dispatch_config {
            grid: c.grid,
            workgroup_size: c.workgroup_size,
            timeout_ns: c.timeout.map_or(0, duration_ns),
        };
        Ok(())
    })
}

/// Fill `out` with the standard sizing constants (1024 max dispatch workgroups, occupancy
/// divisor 256, powerful at 4096 invocations → at least 64 worker groups). Errors: NULL
/// `out`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_sizing_policy_init_default(
    out: *mut vyre_sizing_policy,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let s = sizing::SizingPolicy::standard();
        *obj_mut(out, "out")? = vyre_sizing_policy {
            max_dispatch_workgroups: s.max_dispatch_workgroups,
            occupancy_divisor: s.occupancy_divisor,
            powerful_invocation_threshold: s.powerful_invocation_threshold,
            powerful_min_worker_groups: s.powerful_min_worker_groups,
        };
        Ok(())
    })
}

/// Workgroup width for a worker count: 1 if `worker_count` is 0, else
/// `min(worker_count, max(max_workgroup_size_x, 1))`. Pure; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_sizing_worker_workgroup_size(
    worker_count: u32,
    max_workgroup_size_x: u32,
) -> u32 {
    guarded(1, || {
        sizing::worker_workgroup_size(worker_count, max_workgroup_size_x)
    })
}

/// Slots padded to whole workgroups: `max(1, ceil(slots / max(wg, 1))) * wg`, saturating
/// at UINT32_MAX. Pure; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_sizing_padded_slot_count(slot_count: u32, workgroup_size_x: u32) -> u32 {
    guarded(u32::MAX, || {
        sizing::padded_slot_count(slot_count, workgroup_size_x)
    })
}

/// Dispatch grid `{min(max(1, ceil(q / max(max_x, 1))), max(w, 1), 1024), 1, 1}` into
/// `out_grid` (3 × uint32_t). Errors: NULL `out_grid`. Thread-safe.
///
/// # Safety
/// `out_grid` is NULL or valid for 3 `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn vyre_sizing_dispatch_grid_for(
    worker_count: u32,
    queue_len: u32,
    max_workgroup_size_x: u32,
    out_grid: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        require_out(out_grid, "out_grid")?;
        write_grid(
            out_grid,
            sizing::dispatch_grid_for(worker_count, queue_len, max_workgroup_size_x),
        );
        Ok(())
    })
}

/// Occupancy worker count from adapter limits: `max(clamp(max_wg_dim / 256, 1, 1024),
/// 64 if max_invocations >= 4096 else 1)`. Pure; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_sizing_default_worker_groups_from_limits(
    max_compute_workgroups_per_dimension: u32,
    max_compute_invocations_per_workgroup: u32,
) -> u32 {
    guarded(1, || {
        sizing::default_worker_groups_from_limits(
            max_compute_workgroups_per_dimension,
            max_compute_invocations_per_workgroup,
        )
    })
}

/// Worker groups and geometry for `queue_len` slots (standard sizing): occupancy when
/// `requested_worker_groups` is 0, else the request clamped to the adapter. Errors: a zero
/// limit (VYRE_ERROR_INVALID_ARGUMENT), padding beyond UINT32_MAX (VYRE_ERROR_OVERFLOW).
/// Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_sizing_calculate_optimal_grid(
    queue_len: u32,
    requested_worker_groups: u32,
    limits: *const vyre_grid_limits,
    out: *mut vyre_grid_plan,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let limits = obj_ref(limits, "limits")?.to_rust();
        require_out(out, "out")?;
        let plan = sizing::calculate_optimal_grid(queue_len, requested_worker_groups, limits)?;
        *out = vyre_grid_plan {
            geometry: vyre_launch_geometry::from_rust(&plan.geometry),
            worker_groups: plan.worker_groups,
        };
        Ok(())
    })
}
