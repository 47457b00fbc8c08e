//! C API of the launch policy (SPEC §2): plain-data structs with pinned layouts, enum
//! numbers as `uint32_t` constants, and functions over `crate::policy`.
//!
//! Conventions specific to this module:
//! - enums cross as `uint32_t` and are checked: an out-of-range value from C is
//!   `VYRE_ERROR_INVALID_ARGUMENT`; booleans are `uint32_t` (non-zero = true on input,
//!   exactly 0 or 1 on output);
//! - basis points cross as `uint32_t` and must be ≤ 10000 on input;
//! - durations cross as `uint64_t` nanoseconds (`*_ns`);
//! - every output is written only when the call succeeds.

use super::core::{
    boundary, obj_mut, obj_ref, require_out, slice_ref, vyre_error, vyre_status, write_out,
};
use crate::error::{Error, Result};
use crate::policy::{
    self, autotune, cache, config, evidence, geometry, launch, priority, sizing, tasks,
    DrainReason, ExecutionMode, GraphBlasSwitchClass, PromotionRoute, QueuePressure, Topology,
};
use std::ffi::{c_char, CStr};
use std::mem::{align_of, offset_of, size_of};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::Duration;

// ---------------------------------------------------------------------------------------
// Enum numbers
// ---------------------------------------------------------------------------------------

/// Dispatch topology chosen for a launch (`VYRE_TOPOLOGY_*`). Name: `vyre_topology_name()`.
pub type vyre_topology = u32;
/// Nothing is queued.
pub const VYRE_TOPOLOGY_EMPTY: vyre_topology = 0;
/// Low frontier density: sparse frontier expansion.
pub const VYRE_TOPOLOGY_SPARSE_FRONTIER: vyre_topology = 1;
/// Mid density: sparse queues plus dense tiles.
pub const VYRE_TOPOLOGY_HYBRID_FRONTIER: vyre_topology = 2;
/// High density: dense block propagation.
pub const VYRE_TOPOLOGY_DENSE_FRONTIER: vyre_topology = 3;
/// High density on a large hot graph: fused waves.
pub const VYRE_TOPOLOGY_FUSED_DENSE: vyre_topology = 4;
/// Memory pressure bounds occupancy.
pub const VYRE_TOPOLOGY_MEMORY_CONSTRAINED: vyre_topology = 5;

/// Queue pressure class of a launch (`VYRE_QUEUE_PRESSURE_*`).
pub type vyre_queue_pressure = u32;
/// No slots queued.
pub const VYRE_QUEUE_PRESSURE_EMPTY: vyre_queue_pressure = 0;
/// Fewer queued slots than launched lanes.
pub const VYRE_QUEUE_PRESSURE_LIGHT: vyre_queue_pressure = 1;
/// At least one slot per launched lane.
pub const VYRE_QUEUE_PRESSURE_BALANCED: vyre_queue_pressure = 2;
/// Several waves deep, or requeues observed.
pub const VYRE_QUEUE_PRESSURE_SATURATED: vyre_queue_pressure = 3;

/// Interpreter or fused kernel (`VYRE_EXECUTION_MODE_*`).
pub type vyre_execution_mode = u32;
/// The generic opcode interpreter.
pub const VYRE_EXECUTION_MODE_INTERPRETER: vyre_execution_mode = 0;
/// A fused (JIT) payload kernel.
pub const VYRE_EXECUTION_MODE_JIT: vyre_execution_mode = 1;

/// Why the execution mode was chosen (`VYRE_PROMOTION_ROUTE_*`).
pub type vyre_promotion_route = u32;
/// No promotion: interpreter.
pub const VYRE_PROMOTION_ROUTE_INTERPRETER: vyre_promotion_route = 0;
/// JIT for queue length (or a fused topology) without hot counters.
pub const VYRE_PROMOTION_ROUTE_QUEUE_JIT: vyre_promotion_route = 1;
/// JIT for hot opcodes.
pub const VYRE_PROMOTION_ROUTE_OPCODE_JIT: vyre_promotion_route = 2;
/// JIT for hot descriptor windows.
pub const VYRE_PROMOTION_ROUTE_WINDOW_JIT: vyre_promotion_route = 3;
/// JIT for hot opcodes and hot windows.
pub const VYRE_PROMOTION_ROUTE_OPCODE_AND_WINDOW_JIT: vyre_promotion_route = 4;

/// GraphBLAS sparse/dense switch class of a topology (`VYRE_GRAPHBLAS_SWITCH_CLASS_*`).
pub type vyre_graphblas_switch_class = u32;
/// Nothing queued.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_EMPTY: vyre_graphblas_switch_class = 0;
/// Sparse expansion.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_SPARSE: vyre_graphblas_switch_class = 1;
/// Sparse and dense both available.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_HYBRID: vyre_graphblas_switch_class = 2;
/// Dense propagation (dense and fused-dense topologies).
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE: vyre_graphblas_switch_class = 3;
/// Memory pressure overrides the choice.
pub const VYRE_GRAPHBLAS_SWITCH_CLASS_MEMORY_CONSTRAINED: vyre_graphblas_switch_class = 4;

/// Reason of a priority drain recommendation (`VYRE_PRIORITY_DRAIN_REASON_*`).
pub type vyre_priority_drain_reason = u32;
/// All counters zero.
pub const VYRE_PRIORITY_DRAIN_REASON_NONE: vyre_priority_drain_reason = 0;
/// Counters hold telemetry for the next launch request.
pub const VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY: vyre_priority_drain_reason = 1;
/// Requeue counter has ≤ 1024 increments left.
pub const VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_NEAR_LIMIT: vyre_priority_drain_reason = 2;
/// Aged-promotion counter has ≤ 1024 increments left.
pub const VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_NEAR_LIMIT: vyre_priority_drain_reason =
    3;
/// Requeue counter is at UINT64_MAX.
pub const VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_EXHAUSTED: vyre_priority_drain_reason = 4;
/// Aged-promotion counter is at UINT64_MAX.
pub const VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_EXHAUSTED: vyre_priority_drain_reason =
    5;

const _: () = {
    assert!(VYRE_TOPOLOGY_EMPTY == Topology::Empty as u32);
    assert!(VYRE_TOPOLOGY_SPARSE_FRONTIER == Topology::SparseFrontier as u32);
    assert!(VYRE_TOPOLOGY_HYBRID_FRONTIER == Topology::HybridFrontier as u32);
    assert!(VYRE_TOPOLOGY_DENSE_FRONTIER == Topology::DenseFrontier as u32);
    assert!(VYRE_TOPOLOGY_FUSED_DENSE == Topology::FusedDense as u32);
    assert!(VYRE_TOPOLOGY_MEMORY_CONSTRAINED == Topology::MemoryConstrained as u32);
    assert!(VYRE_QUEUE_PRESSURE_EMPTY == QueuePressure::Empty as u32);
    assert!(VYRE_QUEUE_PRESSURE_LIGHT == QueuePressure::Light as u32);
    assert!(VYRE_QUEUE_PRESSURE_BALANCED == QueuePressure::Balanced as u32);
    assert!(VYRE_QUEUE_PRESSURE_SATURATED == QueuePressure::Saturated as u32);
    assert!(VYRE_EXECUTION_MODE_INTERPRETER == ExecutionMode::Interpreter as u32);
    assert!(VYRE_EXECUTION_MODE_JIT == ExecutionMode::Jit as u32);
    assert!(VYRE_PROMOTION_ROUTE_INTERPRETER == PromotionRoute::Interpreter as u32);
    assert!(VYRE_PROMOTION_ROUTE_QUEUE_JIT == PromotionRoute::QueueJit as u32);
    assert!(VYRE_PROMOTION_ROUTE_OPCODE_JIT == PromotionRoute::OpcodeJit as u32);
    assert!(VYRE_PROMOTION_ROUTE_WINDOW_JIT == PromotionRoute::WindowJit as u32);
    assert!(
        VYRE_PROMOTION_ROUTE_OPCODE_AND_WINDOW_JIT == PromotionRoute::OpcodeAndWindowJit as u32
    );
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_EMPTY == GraphBlasSwitchClass::Empty as u32);
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_SPARSE == GraphBlasSwitchClass::Sparse as u32);
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_HYBRID == GraphBlasSwitchClass::Hybrid as u32);
    assert!(VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE == GraphBlasSwitchClass::Dense as u32);
    assert!(
        VYRE_GRAPHBLAS_SWITCH_CLASS_MEMORY_CONSTRAINED
            == GraphBlasSwitchClass::MemoryConstrained as u32
    );
    assert!(VYRE_PRIORITY_DRAIN_REASON_NONE == DrainReason::None as u32);
    assert!(VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY == DrainReason::PendingTelemetry as u32);
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_NEAR_LIMIT
            == DrainReason::RequeueCounterNearLimit as u32
    );
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_NEAR_LIMIT
            == DrainReason::AgedPromotionCounterNearLimit as u32
    );
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_EXHAUSTED
            == DrainReason::RequeueCounterExhausted as u32
    );
    assert!(
        VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_EXHAUSTED
            == DrainReason::AgedPromotionCounterExhausted as u32
    );
};

// ---------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------

/// Default persistent worker count of a config.
pub const VYRE_DEFAULT_WORKER_COUNT: u32 = 64;
/// Default workgroup width (lanes in x).
pub const VYRE_DEFAULT_WORKGROUP_SIZE_X: u32 = 64;
/// Standard cap on dispatched worker workgroups.
pub const VYRE_MAX_DISPATCH_WORKGROUPS: u32 = 1024;
/// Standard occupancy divisor (max workgroups per dimension / 256).
pub const VYRE_OCCUPANCY_DIVISOR: u32 = 256;
/// Invocations per workgroup from which an adapter counts as powerful.
pub const VYRE_POWERFUL_INVOCATION_THRESHOLD: u32 = 4096;
/// Minimum worker groups on a powerful adapter.
pub const VYRE_POWERFUL_MIN_WORKER_GROUPS: u32 = 64;
/// Default wall-clock budget of a dispatch, in nanoseconds (60 s).
pub const VYRE_DEFAULT_MAX_WALL_TIME_NS: u64 = 60_000_000_000;
/// Basis points in 100 %: the largest valid basis-point value.
pub const VYRE_BPS_MAX: u32 = 10_000;
/// Hysteresis band around the topology thresholds, in basis points.
pub const VYRE_TOPOLOGY_HYSTERESIS_BPS: u32 = 250;
/// Launch recommendations cached per thread.
pub const VYRE_LAUNCH_CACHE_CAPACITY: u32 = 128;
/// Schema version of the evidence records.
pub const VYRE_EVIDENCE_SCHEMA_VERSION: u32 = 1;
/// A priority counter with at most this many increments left is "near its limit".
pub const VYRE_PRIORITY_DRAIN_NEAR_LIMIT_HEADROOM: u64 = 1024;

const _: () = {
    assert!(VYRE_DEFAULT_WORKER_COUNT == sizing::DEFAULT_WORKER_COUNT);
    assert!(VYRE_DEFAULT_WORKGROUP_SIZE_X == sizing::DEFAULT_WORKGROUP_SIZE_X);
    assert!(VYRE_MAX_DISPATCH_WORKGROUPS == sizing::MAX_DISPATCH_WORKGROUPS);
    assert!(VYRE_OCCUPANCY_DIVISOR == sizing::OCCUPANCY_DIVISOR);
    assert!(VYRE_POWERFUL_INVOCATION_THRESHOLD == sizing::POWERFUL_INVOCATION_THRESHOLD);
    assert!(VYRE_POWERFUL_MIN_WORKER_GROUPS == sizing::POWERFUL_MIN_WORKER_GROUPS);
    assert!(VYRE_DEFAULT_MAX_WALL_TIME_NS == config::DEFAULT_MAX_WALL_TIME.as_nanos() as u64);
    assert!(VYRE_BPS_MAX == launch::BPS_MAX as u32);
    assert!(VYRE_TOPOLOGY_HYSTERESIS_BPS == launch::TOPOLOGY_HYSTERESIS_BPS as u32);
    assert!(VYRE_LAUNCH_CACHE_CAPACITY as usize == cache::LAUNCH_CACHE_CAPACITY);
    assert!(VYRE_EVIDENCE_SCHEMA_VERSION == evidence::EVIDENCE_SCHEMA_VERSION);
    assert!(VYRE_PRIORITY_DRAIN_NEAR_LIMIT_HEADROOM == priority::DRAIN_NEAR_LIMIT_HEADROOM);
};

// ---------------------------------------------------------------------------------------
// Structs
// ---------------------------------------------------------------------------------------

/// Optional workload-shape signals (zero = unknown everywhere, so a zeroed struct is the
/// default). Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_workload_hints {
    /// Opcodes observed hot enough for promotion.
    pub hot_opcode_count: u32,
    /// Descriptor windows observed hot enough for promotion.
    pub hot_window_count: u32,
    /// Nodes of the resident dependency graph.
    pub graph_node_count: u32,
    /// Edges of the resident dependency graph.
    pub graph_edge_count: u32,
    /// Frontier density in basis points (0..10000); 0 = infer from queue and graph.
    pub frontier_density_bps: u32,
    /// Memory pressure in basis points (0..10000); 0 = infer from resident bytes and budget.
    pub memory_pressure_bps: u32,
    /// Device bytes already resident for this dispatch family.
    pub resident_device_bytes: u64,
    /// Hard device memory budget in bytes; 0 = unbounded.
    pub device_memory_budget_bytes: u64,
}

/// Configuration of one megakernel dispatch. Defaults are not all zero: fill it with
/// vyre_megakernel_config_init_default(). Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_megakernel_config {
    /// Persistent worker workgroups requested (default 64; 0 is invalid).
    pub worker_count: u32,
    /// Expected items (hits) per worker, used as expected hits per item (default 0 = 1).
    pub expected_items_per_worker: u32,
    /// Wall-clock budget in nanoseconds before the dispatch drains (default 60 s; 0 is invalid).
    pub max_wall_time_ns: u64,
    /// Workload-shape hints.
    pub workload: vyre_workload_hints,
}

/// The three adapter limits that bound a launch (all must be non-zero for a
/// recommendation). Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_grid_limits {
    /// Maximum workgroup size in x (e.g. wgpu `max_compute_workgroup_size_x`).
    pub max_workgroup_size_x: u32,
    /// Maximum workgroups per dispatch dimension.
    pub max_compute_workgroups_per_dimension: u32,
    /// Maximum invocations per workgroup.
    pub max_compute_invocations_per_workgroup: u32,
}

/// Inputs of one launch recommendation. Zero means "unknown / derive" for every telemetry
/// field (a zeroed struct plus adapter limits is a valid request). Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_launch_request {
    /// Logical ring slots or work items queued.
    pub queue_len: u32,
    /// Worker workgroup ceiling; 0 = derive from adapter occupancy.
    pub requested_worker_groups: u32,
    /// Adapter maximum workgroup size in x (must be non-zero).
    pub max_workgroup_size_x: u32,
    /// Adapter maximum workgroups per dimension (must be non-zero).
    pub max_compute_workgroups_per_dimension: u32,
    /// Adapter maximum invocations per workgroup (must be non-zero).
    pub max_compute_invocations_per_workgroup: u32,
    /// Hit capacity wanted; 0 = derive from the queue.
    pub requested_hit_capacity: u32,
    /// Expected hits per queued item when deriving capacity (0 counts as 1).
    pub expected_hits_per_item: u32,
    /// Opcodes observed hot enough for promotion.
    pub hot_opcode_count: u32,
    /// Descriptor windows observed hot enough for promotion.
    pub hot_window_count: u32,
    /// Largest priority age observed since the last recommendation.
    pub max_priority_age: u32,
    /// Nodes of the resident dependency graph (0 = no graph telemetry).
    pub graph_node_count: u32,
    /// Edges of the resident dependency graph.
    pub graph_edge_count: u32,
    /// Frontier density in basis points (0..10000); 0 = infer.
    pub frontier_density_bps: u32,
    /// Memory pressure in basis points (0..10000); 0 = infer.
    pub memory_pressure_bps: u32,
    /// Slots requeued by priority scheduling since the last recommendation.
    pub requeue_count: u64,
    /// Device bytes already resident.
    pub resident_device_bytes: u64,
    /// Hard device memory budget in bytes; 0 = unbounded.
    pub device_memory_budget_bytes: u64,
}

/// Geometry of one launch. Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_launch_geometry {
    /// Lanes per worker workgroup.
    pub workgroup_size_x: u32,
    /// Ring slots, padded to whole workgroups.
    pub slot_count: u32,
    /// Grid submitted to the backend (x, y, z); never a zero dimension.
    pub dispatch_grid: [u32; 3],
}

/// Worker groups and geometry chosen by vyre_sizing_calculate_optimal_grid(). Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_grid_plan {
    /// Padded geometry.
    pub geometry: vyre_launch_geometry,
    /// Worker workgroups selected.
    pub worker_groups: u32,
}

/// Backend dispatch parameters of a geometry. Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_launch_dispatch_config {
    /// Workgroups per dimension.
    pub grid: [u32; 3],
    /// Workgroup size per dimension (`{workgroup_size_x, 1, 1}`).
    pub workgroup_size: [u32; 3],
    /// Wall-clock limit in nanoseconds; 0 = no limit.
    pub timeout_ns: u64,
}

/// Output of the launch policy. Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_launch_recommendation {
    /// Padded geometry for the ring.
    pub geometry: vyre_launch_geometry,
    /// Worker workgroups selected (after topology-driven shedding).
    pub worker_groups: u32,
    /// Sparse-hit capacity.
    pub hit_capacity: u32,
    /// Queue pressure (`VYRE_QUEUE_PRESSURE_*`).
    pub pressure: vyre_queue_pressure,
    /// Interpreter or JIT (`VYRE_EXECUTION_MODE_*`).
    pub execution_mode: vyre_execution_mode,
    /// Topology after hysteresis (`VYRE_TOPOLOGY_*`).
    pub topology: vyre_topology,
    /// 1 when hot opcodes are promoted.
    pub promote_hot_opcodes: u32,
    /// 1 when hot windows are promoted.
    pub promote_hot_windows: u32,
    /// 1 when aged or requeued priority work should be lifted on the next publish.
    pub age_priority_work: u32,
    /// Why the execution mode was chosen (`VYRE_PROMOTION_ROUTE_*`).
    pub promotion_route: vyre_promotion_route,
    /// Frontier density the decision used (inferred when the request had 0).
    pub frontier_density_bps: u32,
    /// Memory pressure the decision used (inferred when the request had 0).
    pub memory_pressure_bps: u32,
    /// Resident bytes plus hit scratch.
    pub estimated_peak_device_bytes: u64,
    /// Budget the estimate was checked against (0 = unbounded).
    pub device_memory_budget_bytes: u64,
}

/// Occupancy constants of the sizing formulas (standard: 1024, 256, 4096, 64). Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_sizing_policy {
    /// Cap on the grid's x dimension (must be ≥ 1).
    pub max_dispatch_workgroups: u32,
    /// Divisor of max workgroups per dimension giving the occupancy worker count (must be ≥ 1).
    pub occupancy_divisor: u32,
    /// Invocations per workgroup from which an adapter is powerful.
    pub powerful_invocation_threshold: u32,
    /// Minimum worker groups on a powerful adapter.
    pub powerful_min_worker_groups: u32,
}

/// The launch policy: sizing plus 12 thresholds. Fill it with
/// vyre_launch_policy_init_default() (the standard policy) and adjust. Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_launch_policy {
    /// Occupancy constants.
    pub sizing: vyre_sizing_policy,
    /// Smallest derived hit capacity (standard 1024).
    pub min_hit_capacity: u32,
    /// Hits-per-item multiplier when memory is not constrained (standard 2).
    pub hit_capacity_multiplier: u32,
    /// Queue ≥ this many waves of lanes is saturated (standard 4).
    pub saturated_waves: u32,
    /// Hot opcode count from which opcodes are promoted (standard 8).
    pub hot_opcode_threshold: u32,
    /// Hot window count from which windows are promoted (standard 4).
    pub hot_window_threshold: u32,
    /// Queue length from which the JIT is preferred (standard 4096).
    pub jit_queue_len_threshold: u32,
    /// Priority age from which aged work is lifted (standard 32).
    pub priority_age_threshold: u32,
    /// Density at or below which the frontier is sparse (standard 500 bps; ≤ 10000).
    pub sparse_frontier_threshold_bps: u32,
    /// Density at or above which the frontier is dense (standard 4000 bps; ≤ 10000).
    pub dense_frontier_threshold_bps: u32,
    /// Pressure at or above which memory is constrained (standard 8500 bps; ≤ 10000).
    pub memory_pressure_threshold_bps: u32,
    /// Edge count from which a dense hot graph may fuse (standard 65536).
    pub fusion_edge_threshold: u32,
    /// Resident scratch bytes per hit entry (standard 16).
    pub scratch_bytes_per_hit: u32,
}

/// Evidence of a topology decision (schema 1). Plain data owned by the caller.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_topology_evidence {
    /// VYRE_EVIDENCE_SCHEMA_VERSION.
    pub schema_version: u32,
    /// Queue pressure (`VYRE_QUEUE_PRESSURE_*`).
    pub queue_pressure: vyre_queue_pressure,
    /// Frontier density as the caller supplied it (0 = not supplied).
    pub frontier_density_bps: u32,
    /// Density of the semiring frontier the decision used (inferred when not supplied).
    pub semiring_frontier_density_bps: u32,
    /// Memory pressure the decision used.
    pub memory_pressure_bps: u32,
    /// Chosen topology (`VYRE_TOPOLOGY_*`).
    pub topology: vyre_topology,
    /// Its GraphBLAS switch class (`VYRE_GRAPHBLAS_SWITCH_CLASS_*`).
    pub switch_class: vyre_graphblas_switch_class,
    /// 1: outputs must match the reference path bit for bit.
    pub output_parity_required: u32,
    /// Device bytes already resident.
    pub resident_device_bytes: u64,
    /// Estimated peak device bytes.
    pub estimated_peak_device_bytes: u64,
}

/// Evidence of a hot opcode/window promotion decision (schema 1). Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_promotion_evidence {
    /// VYRE_EVIDENCE_SCHEMA_VERSION.
    pub schema_version: u32,
    /// Queue length of the launch.
    pub queue_len: u32,
    /// Queue length from which the JIT is preferred.
    pub jit_queue_len_threshold: u32,
    /// Hot opcode count supplied.
    pub hot_opcode_count: u32,
    /// Hot opcode threshold of the policy.
    pub hot_opcode_threshold: u32,
    /// Hot window count supplied.
    pub hot_window_count: u32,
    /// Hot window threshold of the policy.
    pub hot_window_threshold: u32,
    /// Chosen mode (`VYRE_EXECUTION_MODE_*`).
    pub execution_mode: vyre_execution_mode,
    /// 1 when opcodes were promoted.
    pub promote_hot_opcodes: u32,
    /// 1 when windows were promoted.
    pub promote_hot_windows: u32,
    /// Route behind the mode (`VYRE_PROMOTION_ROUTE_*`).
    pub route: vyre_promotion_route,
    /// 1 when a fused descriptor window is needed (= windows promoted).
    pub fused_descriptor_window_required: u32,
    /// 1: outputs must match the interpreter bit for bit.
    pub output_parity_required: u32,
}

/// Launch cache telemetry of the calling thread. Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_launch_cache_stats {
    /// Live entries (at most VYRE_LAUNCH_CACHE_CAPACITY).
    pub entries: u64,
    /// Recommendations served from the cache.
    pub hits: u64,
    /// Recommendations computed because the cache had no entry.
    pub misses: u64,
}

/// Requeue and aging counters of a priority scheduler (zeroed = empty). Plain data owned
/// by the caller; update it with the `vyre_priority_requeue_accounting_*` functions.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_priority_requeue_accounting {
    /// Slots requeued.
    pub requeue_count: u64,
    /// Slots promoted by age.
    pub aged_promotions: u64,
    /// Largest age seen.
    pub max_priority_age: u32,
}

/// What a priority scheduler should do with its counters. Plain data.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct vyre_priority_drain_recommendation {
    /// Requeue counter value to carry into the launch request.
    pub requeue_count: u64,
    /// Aged-promotion counter value.
    pub aged_promotions: u64,
    /// UINT64_MAX − requeue_count.
    pub requeue_counter_headroom: u64,
    /// UINT64_MAX − aged_promotions.
    pub aged_promotion_counter_headroom: u64,
    /// Largest age seen.
    pub max_priority_age: u32,
    /// 1: drain the counters into the next launch request (and reset them) now.
    pub should_drain: u32,
    /// Most urgent reason (`VYRE_PRIORITY_DRAIN_REASON_*`); vyre_priority_drain_reason_fix() says what to do.
    pub reason: vyre_priority_drain_reason,
}

// Layouts are ABI: pinned here and by _Static_assert in c_tests/test_policy_layout.c.
macro_rules! pin_layout {
    ($t:ty, size $size:expr, align $align:expr $(, $field:ident @ $off:expr)* $(,)?) => {
        const _: () = {
            assert!(size_of::<$t>() == $size);
            assert!(align_of::<$t>() == $align);
            $( assert!(offset_of!($t, $field) == $off); )*
        };
    };
}

pin_layout!(vyre_workload_hints, size 40, align 8, hot_opcode_count @ 0, hot_window_count @ 4,
    graph_node_count @ 8, graph_edge_count @ 12, frontier_density_bps @ 16, memory_pressure_bps @ 20,
    resident_device_bytes @ 24, device_memory_budget_bytes @ 32);
pin_layout!(vyre_megakernel_config, size 56, align 8, worker_count @ 0, expected_items_per_worker @ 4,
    max_wall_time_ns @ 8, workload @ 16);
pin_layout!(vyre_grid_limits, size 12, align 4, max_workgroup_size_x @ 0,
    max_compute_workgroups_per_dimension @ 4, max_compute_invocations_per_workgroup @ 8);
pin_layout!(vyre_launch_request, size 80, align 8, queue_len @ 0, requested_worker_groups @ 4,
    max_workgroup_size_x @ 8, max_compute_workgroups_per_dimension @ 12,
    max_compute_invocations_per_workgroup @ 16, requested_hit_capacity @ 20, expected_hits_per_item @ 24,
    hot_opcode_count @ 28, hot_window_count @ 32, max_priority_age @ 36, graph_node_count @ 40,
    graph_edge_count @ 44, frontier_density_bps @ 48, memory_pressure_bps @ 52, requeue_count @ 56,
    resident_device_bytes @ 64, device_memory_budget_bytes @ 72);
pin_layout!(vyre_launch_geometry, size 20, align 4, workgroup_size_x @ 0, slot_count @ 4, dispatch_grid @ 8);
pin_layout!(vyre_grid_plan, size 24, align 4, geometry @ 0, worker_groups @ 20);
pin_layout!(vyre_launch_dispatch_config, size 32, align 8, grid @ 0, workgroup_size @ 12, timeout_ns @ 24);
pin_layout!(vyre_launch_recommendation, size 80, align 8, geometry @ 0, worker_groups @ 20,
    hit_capacity @ 24, pressure @ 28, execution_mode @ 32, topology @ 36, promote_hot_opcodes @ 40,
    promote_hot_windows @ 44, age_priority_work @ 48, promotion_route @ 52, frontier_density_bps @ 56,
    memory_pressure_bps @ 60, estimated_peak_device_bytes @ 64, device_memory_budget_bytes @ 72);
pin_layout!(vyre_sizing_policy, size 16, align 4, max_dispatch_workgroups @ 0, occupancy_divisor @ 4,
    powerful_invocation_threshold @ 8, powerful_min_worker_groups @ 12);
pin_layout!(vyre_launch_policy, size 64, align 4, sizing @ 0, min_hit_capacity @ 16,
    hit_capacity_multiplier @ 20, saturated_waves @ 24, hot_opcode_threshold @ 28, hot_window_threshold @ 32,
    jit_queue_len_threshold @ 36, priority_age_threshold @ 40, sparse_frontier_threshold_bps @ 44,
    dense_frontier_threshold_bps @ 48, memory_pressure_threshold_bps @ 52, fusion_edge_threshold @ 56,
    scratch_bytes_per_hit @ 60);
pin_layout!(vyre_topology_evidence, size 48, align 8, schema_version @ 0, queue_pressure @ 4,
    frontier_density_bps @ 8, semiring_frontier_density_bps @ 12, memory_pressure_bps @ 16, topology @ 20,
    switch_class @ 24, output_parity_required @ 28, resident_device_bytes @ 32,
    estimated_peak_device_bytes @ 40);
pin_layout!(vyre_promotion_evidence, size 52, align 4, schema_version @ 0, queue_len @ 4,
    jit_queue_len_threshold @ 8, hot_opcode_count @ 12, hot_opcode_threshold @ 16, hot_window_count @ 20,
    hot_window_threshold @ 24, execution_mode @ 28, promote_hot_opcodes @ 32, promote_hot_windows @ 36,
    route @ 40, fused_descriptor_window_required @ 44, output_parity_required @ 48);
pin_layout!(vyre_launch_cache_stats, size 24, align 8, entries @ 0, hits @ 8, misses @ 16);
pin_layout!(vyre_priority_requeue_accounting, size 24, align 8, requeue_count @ 0, aged_promotions @ 8,
    max_priority_age @ 16);
pin_layout!(vyre_priority_drain_recommendation, size 48, align 8, requeue_count @ 0, aged_promotions @ 8,
    requeue_counter_headroom @ 16, aged_promotion_counter_headroom @ 24, max_priority_age @ 32,
    should_drain @ 36, reason @ 40);

// ---------------------------------------------------------------------------------------
// Conversions (C → Rust validate; Rust → C cannot fail)
// ---------------------------------------------------------------------------------------

fn bps_in(name: &str, value: u32) -> Result<u16> {
    launch::check_bps(name, value)?;
    Ok(value as u16)
}

fn enum_in<T>(name: &str, raw: u32, from_raw: fn(u32) -> Option<T>, count: usize) -> Result<T> {
    from_raw(raw).ok_or_else(|| {
        Error::invalid(format!(
            "{name} is {raw}; valid values are 0..={} (see the VYRE_* constants)",
            count - 1
        ))
    })
}

const fn flag(b: bool) -> u32 {
    b as u32
}

fn duration_ns(d: Duration) -> u64 {
    u64::try_from(d.as_nanos()).unwrap_or(u64::MAX)
}

impl vyre_workload_hints {
    fn to_rust(&self) -> Result<config::WorkloadHints> {
        Ok(config::WorkloadHints {
            hot_opcode_count: self.hot_opcode_count,
            hot_window_count: self.hot_window_count,
            graph_node_count: self.graph_node_count,
            graph_edge_count: self.graph_edge_count,
            frontier_density_bps: bps_in(
                "workload.frontier_density_bps",
                self.frontier_density_bps,
            )?,
            memory_pressure_bps: bps_in("workload.memory_pressure_bps", self.memory_pressure_bps)?,
            resident_device_bytes: self.resident_device_bytes,
            device_memory_budget_bytes: self.device_memory_budget_bytes,
        })
    }
    fn from_rust(h: &config::WorkloadHints) -> Self {
        vyre_workload_hints {
            hot_opcode_count: h.hot_opcode_count,
            hot_window_count: h.hot_window_count,
            graph_node_count: h.graph_node_count,
            graph_edge_count: h.graph_edge_count,
            frontier_density_bps: h.frontier_density_bps.into(),
            memory_pressure_bps: h.memory_pressure_bps.into(),
            resident_device_bytes: h.resident_device_bytes,
            device_memory_budget_bytes: h.device_memory_budget_bytes,
        }
    }
}

impl vyre_megakernel_config {
    fn to_rust(&self) -> Result<config::MegakernelConfig> {
        Ok(config::MegakernelConfig {
            worker_count: self.worker_count,
            max_wall_time: Duration::from_nanos(self.max_wall_time_ns),
            expected_items_per_worker: self.expected_items_per_worker,
            workload: self.workload.to_rust()?,
        })
    }
    fn from_rust(c: &config::MegakernelConfig) -> Self {
        vyre_megakernel_config {
            worker_count: c.worker_count,
            expected_items_per_worker: c.expected_items_per_worker,
            max_wall_time_ns: duration_ns(c.max_wall_time),
            workload: vyre_workload_hints::from_rust(&c.workload),
        }
    }
}

impl vyre_grid_limits {
    fn to_rust(self) -> sizing::GridLimits {
        sizing::GridLimits::new(
            self.max_workgroup_size_x,
            self.max_compute_workgroups_per_dimension,
            self.max_compute_invocations_per_workgroup,
        )
    }
}

impl vyre_launch_request {
    fn to_rust(&self) -> Result<launch::LaunchRequest> {
        Ok(launch::LaunchRequest {
            queue_len: self.queue_len,
            requested_worker_groups: self.requested_worker_groups,
            max_workgroup_size_x: self.max_workgroup_size_x,
            max_compute_workgroups_per_dimension: self.max_compute_workgroups_per_dimension,
            max_compute_invocations_per_workgroup: self.max_compute_invocations_per_workgroup,
            requested_hit_capacity: self.requested_hit_capacity,
            expected_hits_per_item: self.expected_hits_per_item,
            hot_opcode_count: self.hot_opcode_count,
            hot_window_count: self.hot_window_count,
            requeue_count: self.requeue_count,
            max_priority_age: self.max_priority_age,
            graph_node_count: self.graph_node_count,
            graph_edge_count: self.graph_edge_count,
            frontier_density_bps: bps_in(
                "request.frontier_density_bps",
                self.frontier_density_bps,
            )?,
            memory_pressure_bps: bps_in("request.memory_pressure_bps", self.memory_pressure_bps)?,
            resident_device_bytes: self.resident_device_bytes,
            device_memory_budget_bytes: self.device_memory_budget_bytes,
        })
    }
    fn from_rust(r: &launch::LaunchRequest) -> Self {
        vyre_launch_request {
            queue_len: r.queue_len,
            requested_worker_groups: r.requested_worker_groups,
            max_workgroup_size_x: r.max_workgroup_size_x,
            max_compute_workgroups_per_dimension: r.max_compute_workgroups_per_dimension,
            max_compute_invocations_per_workgroup: r.max_compute_invocations_per_workgroup,
            requested_hit_capacity: r.requested_hit_capacity,
            expected_hits_per_item: r.expected_hits_per_item,
            hot_opcode_count: r.hot_opcode_count,
            hot_window_count: r.hot_window_count,
            max_priority_age: r.max_priority_age,
            graph_node_count: r.graph_node_count,
            graph_edge_count: r.graph_edge_count,
            frontier_density_bps: r.frontier_density_bps.into(),
            memory_pressure_bps: r.memory_pressure_bps.into(),
            requeue_count: r.requeue_count,
            resident_device_bytes: r.resident_device_bytes,
            device_memory_budget_bytes: r.device_memory_budget_bytes,
        }
    }
}

impl vyre_launch_geometry {
    fn to_rust(self) -> geometry::LaunchGeometry {
        geometry::LaunchGeometry {
            workgroup_size_x: self.workgroup_size_x,
            slot_count: self.slot_count,
            dispatch_grid: self.dispatch_grid,
        }
    }
    fn from_rust(g: &geometry::LaunchGeometry) -> Self {
        vyre_launch_geometry {
            workgroup_size_x: g.workgroup_size_x,
            slot_count: g.slot_count,
            dispatch_grid: g.dispatch_grid,
        }
    }
}

impl vyre_launch_recommendation {
    fn from_rust(r: &launch::LaunchRecommendation) -> Self {
        vyre_launch_recommendation {
            geometry: vyre_launch_geometry::from_rust(&r.geometry),
            worker_groups: r.worker_groups,
            hit_capacity: r.hit_capacity,
            pressure: r.pressure.raw(),
            execution_mode: r.execution_mode.raw(),
            topology: r.topology.raw(),
            promote_hot_opcodes: flag(r.promote_hot_opcodes),
            promote_hot_windows: flag(r.promote_hot_windows),
            age_priority_work: flag(r.age_priority_work),
            promotion_route: r.promotion_route().raw(),
            frontier_density_bps: r.frontier_density_bps.into(),
            memory_pressure_bps: r.memory_pressure_bps.into(),
            estimated_peak_device_bytes: r.estimated_peak_device_bytes,
            device_memory_budget_bytes: r.device_memory_budget_bytes,
        }
    }
}

impl vyre_launch_policy {
    fn to_rust(&self) -> Result<launch::LaunchPolicy> {
        let s = &self.sizing;
        let p = launch::LaunchPolicy {
            sizing: sizing::SizingPolicy {
                max_dispatch_workgroups: s.max_dispatch_workgroups,
                occupancy_divisor: s.occupancy_divisor,
                powerful_invocation_threshold: s.powerful_invocation_threshold,
                powerful_min_worker_groups: s.powerful_min_worker_groups,
            },
            min_hit_capacity: self.min_hit_capacity,
            hit_capacity_multiplier: self.hit_capacity_multiplier,
            saturated_waves: self.saturated_waves,
            hot_opcode_threshold: self.hot_opcode_threshold,
            hot_window_threshold: self.hot_window_threshold,
            jit_queue_len_threshold: self.jit_queue_len_threshold,
            priority_age_threshold: self.priority_age_threshold,
            sparse_frontier_threshold_bps: bps_in(
                "policy.sparse_frontier_threshold_bps",
                self.sparse_frontier_threshold_bps,
            )?,
            dense_frontier_threshold_bps: bps_in(
                "policy.dense_frontier_threshold_bps",
                self.dense_frontier_threshold_bps,
            )?,
            memory_pressure_threshold_bps: bps_in(
                "policy.memory_pressure_threshold_bps",
                self.memory_pressure_threshold_bps,
            )?,
            fusion_edge_threshold: self.fusion_edge_threshold,
            scratch_bytes_per_hit: self.scratch_bytes_per_hit,
        };
        p.validate()?;
        Ok(p)
    }
    fn from_rust(p: &launch::LaunchPolicy) -> Self {
        vyre_launch_policy {
            sizing: vyre_sizing_policy {
                max_dispatch_workgroups: p.sizing.max_dispatch_workgroups,
                occupancy_divisor: p.sizing.occupancy_divisor,
                powerful_invocation_threshold: p.sizing.powerful_invocation_threshold,
                powerful_min_worker_groups: p.sizing.powerful_min_worker_groups,
            },
            min_hit_capacity: p.min_hit_capacity,
            hit_capacity_multiplier: p.hit_capacity_multiplier,
            saturated_waves: p.saturated_waves,
            hot_opcode_threshold: p.hot_opcode_threshold,
            hot_window_threshold: p.hot_window_threshold,
            jit_queue_len_threshold: p.jit_queue_len_threshold,
            priority_age_threshold: p.priority_age_threshold,
            sparse_frontier_threshold_bps: p.sparse_frontier_threshold_bps.into(),
            dense_frontier_threshold_bps: p.dense_frontier_threshold_bps.into(),
            memory_pressure_threshold_bps: p.memory_pressure_threshold_bps.into(),
            fusion_edge_threshold: p.fusion_edge_threshold,
            scratch_bytes_per_hit: p.scratch_bytes_per_hit,
        }
    }
}

impl vyre_topology_evidence {
    fn to_rust(&self) -> Result<evidence::TopologyEvidence> {
        Ok(evidence::TopologyEvidence {
            schema_version: self.schema_version,
            queue_pressure: enum_in(
                "evidence.queue_pressure",
                self.queue_pressure,
                QueuePressure::from_raw,
                QueuePressure::ALL.len(),
            )?,
            frontier_density_bps: self.frontier_density_bps,
            semiring_frontier_density_bps: self.semiring_frontier_density_bps,
            memory_pressure_bps: self.memory_pressure_bps,
            topology: enum_in(
                "evidence.topology",
                self.topology,
                Topology::from_raw,
                Topology::ALL.len(),
            )?,
            switch_class: enum_in(
                "evidence.switch_class",
                self.switch_class,
                GraphBlasSwitchClass::from_raw,
                GraphBlasSwitchClass::ALL.len(),
            )?,
            resident_device_bytes: self.resident_device_bytes,
            estimated_peak_device_bytes: self.estimated_peak_device_bytes,
            output_parity_required: self.output_parity_required != 0,
        })
    }
    fn from_rust(e: &evidence::TopologyEvidence) -> Self {
        vyre_topology_evidence {
            schema_version: e.schema_version,
            queue_pressure: e.queue_pressure.raw(),
            frontier_density_bps: e.frontier_density_bps,
            semiring_frontier_density_bps: e.semiring_frontier_density_bps,
            memory_pressure_bps: e.memory_pressure_bps,
            topology: e.topology.raw(),
            switch_class: e.switch_class.raw(),
            output_parity_required: flag(e.output_parity_required),
            resident_device_bytes: e.resident_device_bytes,
            estimated_peak_device_bytes: e.estimated_peak_device_bytes,
        }
    }
}

impl vyre_promotion_evidence {
    fn to_rust(&self) -> Result<evidence::PromotionEvidence> {
        Ok(evidence::PromotionEvidence {
            schema_version: self.schema_version,
            queue_len: self.queue_len,
            jit_queue_len_threshold: self.jit_queue_len_threshold,
            hot_opcode_count: self.hot_opcode_count,
            hot_opcode_threshold: self.hot_opcode_threshold,
            hot_window_count: self.hot_window_count,
            hot_window_threshold: self.hot_window_threshold,
            execution_mode: enum_in(
                "evidence.execution_mode",
                self.execution_mode,
                ExecutionMode::from_raw,
                ExecutionMode::ALL.len(),
            )?,
            promote_hot_opcodes: self.promote_hot_opcodes != 0,
            promote_hot_windows: self.promote_hot_windows != 0,
            route: enum_in(
                "evidence.route",
                self.route,
                PromotionRoute::from_raw,
                PromotionRoute::ALL.len(),
            )?,
            fused_descriptor_window_required: self.fused_descriptor_window_required != 0,
            output_parity_required: self.output_parity_required != 0,
        })
    }
    fn from_rust(e: &evidence::PromotionEvidence) -> Self {
        vyre_promotion_evidence {
            schema_version: e.schema_version,
            queue_len: e.queue_len,
            jit_queue_len_threshold: e.jit_queue_len_threshold,
            hot_opcode_count: e.hot_opcode_count,
            hot_opcode_threshold: e.hot_opcode_threshold,
            hot_window_count: e.hot_window_count,
            hot_window_threshold: e.hot_window_threshold,
            execution_mode: e.execution_mode.raw(),
            promote_hot_opcodes: flag(e.promote_hot_opcodes),
            promote_hot_windows: flag(e.promote_hot_windows),
            route: e.route.raw(),
            fused_descriptor_window_required: flag(e.fused_descriptor_window_required),
            output_parity_required: flag(e.output_parity_required),
        }
    }
}

impl vyre_priority_requeue_accounting {
    fn to_rust(self) -> priority::PriorityRequeueAccounting {
        priority::PriorityRequeueAccounting {
            requeue_count: self.requeue_count,
            aged_promotions: self.aged_promotions,
            max_priority_age: self.max_priority_age,
        }
    }
    fn from_rust(a: &priority::PriorityRequeueAccounting) -> Self {
        vyre_priority_requeue_accounting {
            requeue_count: a.requeue_count,
            aged_promotions: a.aged_promotions,
            max_priority_age: a.max_priority_age,
        }
    }
}

impl vyre_priority_drain_recommendation {
    fn from_rust(d: &priority::DrainRecommendation) -> Self {
        vyre_priority_drain_recommendation {
            requeue_count: d.requeue_count,
            aged_promotions: d.aged_promotions,
            requeue_counter_headroom: d.requeue_counter_headroom,
            aged_promotion_counter_headroom: d.aged_promotion_counter_headroom,
            max_priority_age: d.max_priority_age,
            should_drain: flag(d.should_drain),
            reason: d.reason.raw(),
        }
    }
}

/// Panic boundary for exported functions that return a plain value instead of a status.
fn guarded<T: Copy>(fallback: T, f: impl FnOnce() -> T) -> T {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or(fallback)
}

/// `grid` must point to 3 writable `u32`.
unsafe fn write_grid(out_grid: *mut u32, grid: [u32; 3]) {
    std::ptr::copy_nonoverlapping(grid.as_ptr(), out_grid, 3);
}

/// Borrow a ring of `task_count` 16-word tasks.
unsafe fn task_words<'a>(task_words: *const u32, task_count: usize) -> Result<&'a [u32]> {
    let words = task_count
        .checked_mul(tasks::TASK_WORDS)
        .ok_or_else(|| Error::overflow(format!("{task_count} tasks × 16 words overflow size_t")))?;
    slice_ref(task_words, words, "task_words")
}

// ---------------------------------------------------------------------------------------
// Enum names
// ---------------------------------------------------------------------------------------

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

// ---------------------------------------------------------------------------------------
// Config
// ---------------------------------------------------------------------------------------

/// Fill `out` with the default config: 64 workers, 60 s wall time, 0 expected items per
/// worker, zeroed workload hints. Errors: NULL `out`. Thread-safe.
///
/// # Safety
/// `out` is NULL or valid for writing one struct; `out_error` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_init_default(
    out: *mut vyre_megakernel_config,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let out = obj_mut(out, "out")?;
        *out = vyre_megakernel_config::from_rust(&config::MegakernelConfig::default());
        Ok(())
    })
}

/// Check a config: worker_count 0 or max_wall_time_ns 0 → VYRE_ERROR_INVALID_ARGUMENT
/// (either makes a dispatch unschedulable); workload basis points > 10000 likewise.
/// Thread-safe.
///
/// # Safety
/// `config` is NULL or a valid struct; `out_error` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_validate(
    config: *const vyre_megakernel_config,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        obj_ref(config, "config")?.to_rust()?.validate()
    })
}

/// Direct-dispatch grid for `queue_len` slots: `{min(max(1, ceil(q / max(max_x, 1))),
/// max(worker_count, 1), 1024), 1, 1}` written to `out_grid` (3 × uint32_t). The config
/// is not validated (worker_count 0 counts as 1). Thread-safe.
///
/// # Safety
/// `config` is NULL or valid; `out_grid` is NULL or valid for 3 `uint32_t`.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_dispatch_grid(
    config: *const vyre_megakernel_config,
    queue_len: u32,
    max_workgroup_size_x: u32,
    out_grid: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?;
        require_out(out_grid, "out_grid")?;
        let grid = sizing::dispatch_grid_for(config.worker_count, queue_len, max_workgroup_size_x);
        write_grid(out_grid, grid);
        Ok(())
    })
}

/// Build a launch request: hints copied, requested_worker_groups = worker_count,
/// expected_hits_per_item = max(expected_items_per_worker, 1), limits copied (not
/// checked here; vyre_launch_policy_recommend() rejects zero limits). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_request(
    config: *const vyre_megakernel_config,
    queue_len: u32,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_request,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        let out = obj_mut(out, "out")?;
        *out = vyre_launch_request::from_rust(&config.launch_request(queue_len, limits));
        Ok(())
    })
}

/// Build a launch request for a task ring: `task_words` holds `task_count` task work
/// items of 16 `uint32_t` each (64 bytes, SPEC §1.7 layout; an array of the protocol's
/// task struct can be passed cast to `const uint32_t *`). queue_len = ready + yielded +
/// requeued tasks; requeue_count = yielded + requeued + Σ task requeue counters;
/// max_priority_age = largest task age. Errors: unknown task state word
/// (VYRE_ERROR_MALFORMED_BUFFER, the message names the task), counter overflow
/// (VYRE_ERROR_OVERFLOW). Thread-safe.
///
/// # Safety
/// `task_words` is NULL (only with `task_count` 0) or valid for `task_count * 16`
/// `uint32_t`; other pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_request_for_tasks(
    config: *const vyre_megakernel_config,
    task_words_ptr: *const u32,
    task_count: usize,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_request,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        require_out(out, "out")?;
        let request =
            config.launch_request_for_tasks(task_words(task_words_ptr, task_count)?, limits)?;
        *out = vyre_launch_request::from_rust(&request);
        Ok(())
    })
}

/// Recommend a launch for `queue_len` slots with the standard policy (through the
/// calling thread's cache). Errors as vyre_launch_policy_recommend(). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_recommendation(
    config: *const vyre_megakernel_config,
    queue_len: u32,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        require_out(out, "out")?;
        let rec = config.launch_recommendation(queue_len, limits)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        Ok(())
    })
}

/// Recommend a launch for a task ring (see
/// vyre_megakernel_config_launch_request_for_tasks()) with the standard policy.
/// Thread-safe.
///
/// # Safety
/// As vyre_megakernel_config_launch_request_for_tasks().
#[no_mangle]
pub unsafe extern "C" fn vyre_megakernel_config_launch_recommendation_for_tasks(
    config: *const vyre_megakernel_config,
    task_words_ptr: *const u32,
    task_count: usize,
    limits: *const vyre_grid_limits,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let config = obj_ref(config, "config")?.to_rust()?;
        let limits = obj_ref(limits, "limits")?.to_rust();
        require_out(out, "out")?;
        let rec = config
            .launch_recommendation_for_tasks(task_words(task_words_ptr, task_count)?, limits)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Geometry and sizing
// ---------------------------------------------------------------------------------------

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
/// `timeout_ns` (0 = no limit). Thread-safe.
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

// ---------------------------------------------------------------------------------------
// Launch policy
// ---------------------------------------------------------------------------------------

/// Fill `out` with the standard policy (SPEC §2 values). Errors: NULL `out`. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_init_default(
    out: *mut vyre_launch_policy,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        *obj_mut(out, "out")? = vyre_launch_policy::from_rust(&launch::LaunchPolicy::standard());
        Ok(())
    })
}

/// Check a policy: sizing.max_dispatch_workgroups and sizing.occupancy_divisor ≥ 1, basis
/// point thresholds ≤ 10000 (else VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_validate(
    policy: *const vyre_launch_policy,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        obj_ref(policy, "policy")?.to_rust().map(|_| ())
    })
}

unsafe fn policy_and_request(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
) -> Result<(launch::LaunchPolicy, launch::LaunchRequest)> {
    Ok((
        obj_ref(policy, "policy")?.to_rust()?,
        obj_ref(request, "request")?.to_rust()?,
    ))
}

/// Recommend geometry, hit capacity, topology and route for `request` (SPEC §2). Served
/// from the calling thread's 128-entry cache when the same policy and request were seen.
///
/// Errors: NULL pointers; a zero adapter limit, basis points > 10000 or an invalid policy
/// (VYRE_ERROR_INVALID_ARGUMENT); values that do not fit the u32 protocol
/// (VYRE_ERROR_OVERFLOW); estimated peak device bytes above a non-zero budget
/// (VYRE_ERROR_OUT_OF_MEMORY; the message carries both numbers). Thread-safe (the cache
/// is per thread).
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        require_out(out, "out")?;
        *out = vyre_launch_recommendation::from_rust(&policy.recommend(request)?);
        Ok(())
    })
}

/// vyre_launch_policy_recommend() plus the topology evidence of the decision. Both
/// outputs are written only on success. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend_with_topology_evidence(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    out: *mut vyre_launch_recommendation,
    out_evidence: *mut vyre_topology_evidence,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        require_out(out, "out")?;
        require_out(out_evidence, "out_evidence")?;
        let (rec, ev) = policy.recommend_with_topology_evidence(request)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        *out_evidence = vyre_topology_evidence::from_rust(&ev);
        Ok(())
    })
}

/// vyre_launch_policy_recommend() plus the hot opcode/window promotion evidence. Both
/// outputs are written only on success. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend_with_promotion_evidence(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    out: *mut vyre_launch_recommendation,
    out_evidence: *mut vyre_promotion_evidence,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        require_out(out, "out")?;
        require_out(out_evidence, "out_evidence")?;
        let (rec, ev) = policy.recommend_with_promotion_evidence(request)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        *out_evidence = vyre_promotion_evidence::from_rust(&ev);
        Ok(())
    })
}

/// Like vyre_launch_policy_recommend(), but keeps `previous_topology` (the topology of
/// the last launch) while density and pressure stay within 250 bps of the thresholds, so
/// borderline telemetry does not flip kernel variants. Bypasses the cache. Errors as
/// vyre_launch_policy_recommend(), plus an out-of-range `previous_topology`
/// (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_recommend_with_previous_topology(
    policy: *const vyre_launch_policy,
    request: *const vyre_launch_request,
    previous_topology: vyre_topology,
    out: *mut vyre_launch_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let (policy, request) = policy_and_request(policy, request)?;
        let previous = enum_in(
            "previous_topology",
            previous_topology,
            Topology::from_raw,
            Topology::ALL.len(),
        )?;
        require_out(out, "out")?;
        let rec = policy.recommend_with_previous_topology(request, previous)?;
        *out = vyre_launch_recommendation::from_rust(&rec);
        Ok(())
    })
}

/// Best hit-capacity multiplier: the candidate whose cost is smallest (pairs beyond the
/// shorter array are ignored, ties → first, NaN costs skipped); the policy's own
/// multiplier when there is no pair. Thread-safe.
///
/// # Safety
/// Arrays are NULL (only with count 0) or valid for their counts; other pointers NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_autotune_hit_capacity_multiplier(
    policy: *const vyre_launch_policy,
    candidates: *const u32,
    candidate_count: usize,
    costs: *const f64,
    cost_count: usize,
    out_multiplier: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let policy = obj_ref(policy, "policy")?.to_rust()?;
        let candidates = slice_ref(candidates, candidate_count, "candidates")?;
        let costs = slice_ref(costs, cost_count, "costs")?;
        *obj_mut(out_multiplier, "out_multiplier")? =
            policy.autotune_hit_capacity_multiplier(candidates, costs);
        Ok(())
    })
}

/// Best workgroup size: the candidate whose cost is smallest (as above); `current_size`
/// when there is no pair. Thread-safe.
///
/// # Safety
/// As vyre_launch_policy_autotune_hit_capacity_multiplier().
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_policy_autotune_workgroup_size(
    policy: *const vyre_launch_policy,
    candidates: *const u32,
    candidate_count: usize,
    costs: *const f64,
    cost_count: usize,
    current_size: u32,
    out_size: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let policy = obj_ref(policy, "policy")?.to_rust()?;
        let candidates = slice_ref(candidates, candidate_count, "candidates")?;
        let costs = slice_ref(costs, cost_count, "costs")?;
        *obj_mut(out_size, "out_size")? =
            policy.autotune_workgroup_size(candidates, costs, current_size);
        Ok(())
    })
}

/// Launch cache counters of the calling thread (entries, hits, misses). Thread-safe: each
/// thread has its own cache.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_launch_cache_get_stats(
    out: *mut vyre_launch_cache_stats,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let out = obj_mut(out, "out")?;
        let s = cache::launch_cache_stats();
        *out = vyre_launch_cache_stats {
            entries: s.entries as u64,
            hits: s.hits,
            misses: s.misses,
        };
        Ok(())
    })
}

/// Drop every cached recommendation of the calling thread and zero its counters.
/// Thread-safe (affects only the calling thread).
#[no_mangle]
pub extern "C" fn vyre_launch_cache_reset() {
    guarded((), policy::reset_launch_cache_for_thread);
}

// ---------------------------------------------------------------------------------------
// Evidence
// ---------------------------------------------------------------------------------------

/// `*out_complete = 1` when the record has schema 1, densities and pressure ≤ 10000 bps
/// and parity required, else 0. Errors: NULL pointers, out-of-range enum fields
/// (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_topology_evidence_is_complete(
    evidence: *const vyre_topology_evidence,
    out_complete: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let ev = obj_ref(evidence, "evidence")?.to_rust()?;
        *obj_mut(out_complete, "out_complete")? = flag(ev.is_complete());
        Ok(())
    })
}

/// `*out_complete = 1` when the record has schema 1, non-zero thresholds and parity
/// required, else 0. Errors: NULL pointers, out-of-range enum fields
/// (VYRE_ERROR_INVALID_ARGUMENT). Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_promotion_evidence_is_complete(
    evidence: *const vyre_promotion_evidence,
    out_complete: *mut u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let ev = obj_ref(evidence, "evidence")?.to_rust()?;
        *obj_mut(out_complete, "out_complete")? = flag(ev.is_complete());
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Autotune step, priority accounting and diffusion
// ---------------------------------------------------------------------------------------

/// Natural-gradient step `delta = -learning_rate * M * grad` for the `n × n` row-major
/// matrix `m_inv_sqrt` (identity = plain gradient descent), written as `n` doubles into
/// caller storage. Too-short inputs (`m_len < n*n` or `grad_len < n`) give an empty result
/// (`*out_written = 0`). Size query: `out` NULL → `*out_written` = elements needed.
/// Too small `out_len` → VYRE_ERROR_INSUFFICIENT_SIZE with the size in `*out_written`,
/// `out` untouched. `out` may overlap the inputs. Thread-safe.
///
/// # Safety
/// `m_inv_sqrt`/`grad` are NULL (only with length 0) or valid for their lengths; `out` is
/// NULL or valid for `out_len` doubles; `out_written` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_autotune_natural_gradient_step(
    m_inv_sqrt: *const f64,
    m_len: usize,
    grad: *const f64,
    grad_len: usize,
    n: u32,
    learning_rate: f64,
    out: *mut f64,
    out_len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let delta = {
            let m = slice_ref(m_inv_sqrt, m_len, "m_inv_sqrt")?;
            let g = slice_ref(grad, grad_len, "grad")?;
            autotune::natural_gradient_step(m, g, n, learning_rate)
        };
        write_out(out, out_len, out_written, delta.len(), "out", |dst| {
            dst.copy_from_slice(&delta);
            Ok(())
        })
    })
}

/// Record one requeue of a slot aged `age_ticks`: requeue_count + 1, max_priority_age
/// raised. At UINT64_MAX → VYRE_ERROR_OVERFLOW and the struct is unchanged. The struct
/// is the caller's; do not share it between threads without a lock.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_requeue_accounting_record_requeue(
    accounting: *mut vyre_priority_requeue_accounting,
    age_ticks: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let acct = obj_mut(accounting, "accounting")?;
        let mut a = acct.to_rust();
        a.record_requeue(age_ticks)?;
        *acct = vyre_priority_requeue_accounting::from_rust(&a);
        Ok(())
    })
}

/// Record one aging promotion of a slot aged `age_ticks` (aged_promotions + 1). At
/// UINT64_MAX → VYRE_ERROR_OVERFLOW, struct unchanged. Caller-owned struct.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_requeue_accounting_record_aged_promotion(
    accounting: *mut vyre_priority_requeue_accounting,
    age_ticks: u32,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let acct = obj_mut(accounting, "accounting")?;
        let mut a = acct.to_rust();
        a.record_aged_promotion(age_ticks)?;
        *acct = vyre_priority_requeue_accounting::from_rust(&a);
        Ok(())
    })
}

/// Drain recommendation for the counters: headroom = UINT64_MAX − counter; reason by
/// urgency: exhausted (headroom 0) > near limit (headroom ≤ 1024) > pending telemetry
/// (any counter non-zero) > none; should_drain = reason != NONE. Thread-safe.
///
/// # Safety
/// Pointers are NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_requeue_accounting_drain_recommendation(
    accounting: *const vyre_priority_requeue_accounting,
    out: *mut vyre_priority_drain_recommendation,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let a = obj_ref(accounting, "accounting")?.to_rust();
        *obj_mut(out, "out")? =
            vyre_priority_drain_recommendation::from_rust(&a.drain_recommendation());
        Ok(())
    })
}

/// Diffuse priorities across siblings: per iteration `x[i] -= damping * diag[i] * x[i]`;
/// result (`count` doubles) into caller storage. When `diag_count != count` the priorities
/// are copied unchanged. Size query: `out` NULL → `*out_written = count`; too small →
/// VYRE_ERROR_INSUFFICIENT_SIZE, `out` untouched. `out` may equal `priorities` (in place).
/// Thread-safe.
///
/// # Safety
/// `priorities`/`restriction_diag` are NULL (only with count 0) or valid for their counts;
/// `out` is NULL or valid for `out_len` doubles; `out_written` is NULL or valid.
#[no_mangle]
pub unsafe extern "C" fn vyre_priority_diffuse_across_siblings(
    priorities: *const f64,
    count: usize,
    restriction_diag: *const f64,
    diag_count: usize,
    damping: f64,
    iterations: u32,
    out: *mut f64,
    out_len: usize,
    out_written: *mut usize,
    out_error: *mut *mut vyre_error,
) -> vyre_status {
    boundary(out_error, || {
        let result = {
            let x = slice_ref(priorities, count, "priorities")?;
            let d = slice_ref(restriction_diag, diag_count, "restriction_diag")?;
            if out.is_null() {
                Vec::new() // size query: no work
            } else {
                policy::diffuse_priority_across_siblings(x, d, damping, iterations)
            }
        };
        write_out(out, out_len, out_written, count, "out", |dst| {
            dst.copy_from_slice(&result);
            Ok(())
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ffi::core::{vyre_error_free, vyre_error_message, vyre_error_status};
    use crate::ffi::{
        VYRE_ERROR_INVALID_ARGUMENT, VYRE_ERROR_NULL_POINTER, VYRE_ERROR_OUT_OF_MEMORY, VYRE_OK,
    };
    use std::ptr::{null, null_mut};

    fn limits() -> vyre_grid_limits {
        vyre_grid_limits {
            max_workgroup_size_x: 256,
            max_compute_workgroups_per_dimension: 65_535,
            max_compute_invocations_per_workgroup: 256,
        }
    }

    #[test]
    fn struct_round_trips_are_lossless() {
        let mut p = vyre_launch_policy::default();
        unsafe { assert_eq!(vyre_launch_policy_init_default(&mut p, null_mut()), VYRE_OK) };
        assert_eq!(p.to_rust().unwrap(), launch::LaunchPolicy::standard());
        let mut c = vyre_megakernel_config::default();
        unsafe {
            assert_eq!(
                vyre_megakernel_config_init_default(&mut c, null_mut()),
                VYRE_OK
            )
        };
        assert_eq!(c.worker_count, 64);
        assert_eq!(c.max_wall_time_ns, 60_000_000_000);
        assert_eq!(c.to_rust().unwrap(), config::MegakernelConfig::default());
    }

    #[test]
    fn recommend_pins_through_c() {
        let mut p = vyre_launch_policy::default();
        let mut rec = vyre_launch_recommendation::default();
        let req = vyre_launch_request {
            queue_len: 300,
            requested_worker_groups: 64,
            max_workgroup_size_x: 256,
            max_compute_workgroups_per_dimension: 64,
            max_compute_invocations_per_workgroup: 256,
            expected_hits_per_item: 3,
            ..Default::default()
        };
        unsafe {
            vyre_launch_policy_init_default(&mut p, null_mut());
            assert_eq!(
                vyre_launch_policy_recommend(&p, &req, &mut rec, null_mut()),
                VYRE_OK
            );
        }
        assert_eq!(rec.geometry.dispatch_grid, [5, 1, 1]);
        assert_eq!(
            (rec.geometry.workgroup_size_x, rec.geometry.slot_count),
            (64, 320)
        );
        assert_eq!(
            (rec.hit_capacity, rec.estimated_peak_device_bytes),
            (1800, 28_800)
        );
        assert_eq!(rec.topology, VYRE_TOPOLOGY_SPARSE_FRONTIER);

        let oom = vyre_launch_request {
            queue_len: 1024,
            expected_hits_per_item: 4,
            resident_device_bytes: 1024,
            device_memory_budget_bytes: 65_536,
            ..req
        };
        let before = rec;
        let mut err: *mut vyre_error = null_mut();
        unsafe {
            assert_eq!(
                vyre_launch_policy_recommend(&p, &oom, &mut rec, &mut err),
                VYRE_ERROR_OUT_OF_MEMORY
            );
            assert_eq!(vyre_error_status(err), VYRE_ERROR_OUT_OF_MEMORY);
            let msg = CStr::from_ptr(vyre_error_message(err)).to_str().unwrap();
            assert!(msg.contains("132096") && msg.contains("65536"), "{msg}");
            vyre_error_free(err);
        }
        assert_eq!(rec, before, "failed call leaves the output alone");
    }

    #[test]
    fn invalid_inputs_are_rejected() {
        let mut p = vyre_launch_policy::default();
        let mut rec = vyre_launch_recommendation::default();
        let mut c = vyre_megakernel_config::default();
        unsafe {
            vyre_launch_policy_init_default(&mut p, null_mut());
            vyre_megakernel_config_init_default(&mut c, null_mut());
            let l = limits();
            assert_eq!(
                vyre_megakernel_config_launch_recommendation(&c, 10, &l, &mut rec, null_mut()),
                VYRE_OK
            );
            let req = vyre_launch_request {
                queue_len: 1,
                max_workgroup_size_x: 1,
                max_compute_workgroups_per_dimension: 1,
                max_compute_invocations_per_workgroup: 1,
                ..Default::default()
            };
            assert_eq!(
                vyre_launch_policy_recommend_with_previous_topology(
                    &p,
                    &req,
                    6,
                    &mut rec,
                    null_mut()
                ),
                VYRE_ERROR_INVALID_ARGUMENT
            );
            assert_eq!(
                vyre_launch_policy_recommend(&p, &req, null_mut(), null_mut()),
                VYRE_ERROR_NULL_POINTER
            );
            assert_eq!(
                vyre_launch_policy_recommend(null(), &req, &mut rec, null_mut()),
                VYRE_ERROR_NULL_POINTER
            );
            let bad_bps = vyre_launch_request {
                frontier_density_bps: 70_000,
                ..req
            };
            assert_eq!(
                vyre_launch_policy_recommend(&p, &bad_bps, &mut rec, null_mut()),
                VYRE_ERROR_INVALID_ARGUMENT
            );
            let zero = vyre_launch_request {
                max_compute_invocations_per_workgroup: 0,
                ..req
            };
            assert_eq!(
                vyre_launch_policy_recommend(&p, &zero, &mut rec, null_mut()),
                VYRE_ERROR_INVALID_ARGUMENT
            );
            let bad_policy = vyre_launch_policy {
                memory_pressure_threshold_bps: 10_001,
                ..p
            };
            assert_eq!(
                vyre_launch_policy_validate(&bad_policy, null_mut()),
                VYRE_ERROR_INVALID_ARGUMENT
            );
            let bad_ev = vyre_topology_evidence {
                topology: 99,
                ..Default::default()
            };
            let mut complete = 7u32;
            assert_eq!(
                vyre_topology_evidence_is_complete(&bad_ev, &mut complete, null_mut()),
                VYRE_ERROR_INVALID_ARGUMENT
            );
            assert_eq!(complete, 7);
        }
    }

    #[test]
    fn names_are_static_and_unknown_for_bad_values() {
        let s = |p: *const c_char| unsafe { CStr::from_ptr(p) }.to_str().unwrap();
        assert_eq!(
            s(vyre_topology_name(VYRE_TOPOLOGY_FUSED_DENSE)),
            "fused_dense"
        );
        assert_eq!(s(vyre_topology_name(6)), "unknown");
        assert_eq!(
            s(vyre_queue_pressure_name(VYRE_QUEUE_PRESSURE_SATURATED)),
            "saturated"
        );
        assert_eq!(s(vyre_execution_mode_name(2)), "unknown");
        assert_eq!(
            s(vyre_promotion_route_name(VYRE_PROMOTION_ROUTE_WINDOW_JIT)),
            "window_jit"
        );
        assert_eq!(
            s(vyre_graphblas_switch_class_name(
                VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE
            )),
            "dense"
        );
        assert_eq!(s(vyre_priority_drain_reason_name(u32::MAX)), "unknown");
        assert!(s(vyre_priority_drain_reason_fix(
            VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY
        ))
        .contains("launch request"));
    }
}
