//! Static names of the enum values.

#[allow(unused_imports)]
use super::*;

fn name_of<T: Copy>(
    raw: u32,
    from_raw: fn(u32) -> Option<T>,
    cname: fn(T) -> &'static CStr,
) -> *const c_char {
    guarded(c"unknown".as_ptr(), || {
        from_raw(raw).map_or(c"unknown".as_ptr(), |v| cname(v).as_ptr())
    })
}

/// Stable snake_case name of a `VYRE_TOPOLOGY_*` value ("sparse_frontier", ...), or
/// "unknown" for other values. Static string: never NULL, never freed. Thread-safe.
#[no_mangle]
pub extern "C" fn vyre_topology_name(topology: vyre_topology) -> *const c_char {
    name_of(topology, Topology::from_raw, Topology::cname)
}

/// Stable name of a `VYRE_QUEUE_PRESSURE_*` value, or "unknown". Static string; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_queue_pressure_name(pressure: vyre_queue_pressure) -> *const c_char {
    name_of(pressure, QueuePressure::from_raw, QueuePressure::cname)
}

/// Stable name of a `VYRE_EXECUTION_MODE_*` value, or "unknown". Static string; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_execution_mode_name(mode: vyre_execution_mode) -> *const c_char {
    name_of(mode, ExecutionMode::from_raw, ExecutionMode::cname)
}

/// Stable name of a `VYRE_PROMOTION_ROUTE_*` value, or "unknown". Static string; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_promotion_route_name(route: vyre_promotion_route) -> *const c_char {
    name_of(route, PromotionRoute::from_raw, PromotionRoute::cname)
}

/// Stable name of a `VYRE_GRAPHBLAS_SWITCH_CLASS_*` value, or "unknown". Static string; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_graphblas_switch_class_name(
    class: vyre_graphblas_switch_class,
) -> *const c_char {
    name_of(
        class,
        GraphBlasSwitchClass::from_raw,
        GraphBlasSwitchClass::cname,
    )
}

/// Stable name of a `VYRE_PRIORITY_DRAIN_REASON_*` value, or "unknown". Static string; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_priority_drain_reason_name(
    reason: vyre_priority_drain_reason,
) -> *const c_char {
    name_of(reason, DrainReason::from_raw, DrainReason::cname)
}

/// What to do about a `VYRE_PRIORITY_DRAIN_REASON_*` (one sentence), or "unknown".
/// Static string; thread-safe.
#[no_mangle]
pub extern "C" fn vyre_priority_drain_reason_fix(
    reason: vyre_priority_drain_reason,
) -> *const c_char {
    name_of(reason, DrainReason::from_raw, DrainReason::fix)
}
