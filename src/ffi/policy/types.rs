//! The plain-data structs and their pinned layouts.

#[allow(unused_imports)]
use super::*;

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
