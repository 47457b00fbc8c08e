/* Launch policy struct layouts and enum numbers are ABI: pinned here with _Static_assert
 * (the same numbers are pinned by const asserts in src/ffi/policy.rs). */
#include <stdalign.h>
#include <stddef.h>
#include "vyre_test.h"

#define PIN_SIZE(T, size, align) \
    _Static_assert(sizeof(T) == (size), #T " size"); \
    _Static_assert(alignof(T) == (align), #T " alignment")
#define PIN_OFF(T, field, off) _Static_assert(offsetof(T, field) == (off), #T "." #field " offset")

PIN_SIZE(vyre_workload_hints, 40, 8);
PIN_OFF(vyre_workload_hints, hot_opcode_count, 0);
PIN_OFF(vyre_workload_hints, hot_window_count, 4);
PIN_OFF(vyre_workload_hints, graph_node_count, 8);
PIN_OFF(vyre_workload_hints, graph_edge_count, 12);
PIN_OFF(vyre_workload_hints, frontier_density_bps, 16);
PIN_OFF(vyre_workload_hints, memory_pressure_bps, 20);
PIN_OFF(vyre_workload_hints, resident_device_bytes, 24);
PIN_OFF(vyre_workload_hints, device_memory_budget_bytes, 32);

PIN_SIZE(vyre_megakernel_config, 56, 8);
PIN_OFF(vyre_megakernel_config, worker_count, 0);
PIN_OFF(vyre_megakernel_config, expected_items_per_worker, 4);
PIN_OFF(vyre_megakernel_config, max_wall_time_ns, 8);
PIN_OFF(vyre_megakernel_config, workload, 16);

PIN_SIZE(vyre_grid_limits, 12, 4);
PIN_OFF(vyre_grid_limits, max_workgroup_size_x, 0);
PIN_OFF(vyre_grid_limits, max_compute_workgroups_per_dimension, 4);
PIN_OFF(vyre_grid_limits, max_compute_invocations_per_workgroup, 8);

PIN_SIZE(vyre_launch_request, 80, 8);
PIN_OFF(vyre_launch_request, queue_len, 0);
PIN_OFF(vyre_launch_request, requested_worker_groups, 4);
PIN_OFF(vyre_launch_request, max_workgroup_size_x, 8);
PIN_OFF(vyre_launch_request, max_compute_workgroups_per_dimension, 12);
PIN_OFF(vyre_launch_request, max_compute_invocations_per_workgroup, 16);
PIN_OFF(vyre_launch_request, requested_hit_capacity, 20);
PIN_OFF(vyre_launch_request, expected_hits_per_item, 24);
PIN_OFF(vyre_launch_request, hot_opcode_count, 28);
PIN_OFF(vyre_launch_request, hot_window_count, 32);
PIN_OFF(vyre_launch_request, max_priority_age, 36);
PIN_OFF(vyre_launch_request, graph_node_count, 40);
PIN_OFF(vyre_launch_request, graph_edge_count, 44);
PIN_OFF(vyre_launch_request, frontier_density_bps, 48);
PIN_OFF(vyre_launch_request, memory_pressure_bps, 52);
PIN_OFF(vyre_launch_request, requeue_count, 56);
PIN_OFF(vyre_launch_request, resident_device_bytes, 64);
PIN_OFF(vyre_launch_request, device_memory_budget_bytes, 72);

PIN_SIZE(vyre_launch_geometry, 20, 4);
PIN_OFF(vyre_launch_geometry, workgroup_size_x, 0);
PIN_OFF(vyre_launch_geometry, slot_count, 4);
PIN_OFF(vyre_launch_geometry, dispatch_grid, 8);

PIN_SIZE(vyre_grid_plan, 24, 4);
PIN_OFF(vyre_grid_plan, geometry, 0);
PIN_OFF(vyre_grid_plan, worker_groups, 20);

PIN_SIZE(vyre_launch_dispatch_config, 32, 8);
PIN_OFF(vyre_launch_dispatch_config, grid, 0);
PIN_OFF(vyre_launch_dispatch_config, workgroup_size, 12);
PIN_OFF(vyre_launch_dispatch_config, timeout_ns, 24);

PIN_SIZE(vyre_launch_recommendation, 80, 8);
PIN_OFF(vyre_launch_recommendation, geometry, 0);
PIN_OFF(vyre_launch_recommendation, worker_groups, 20);
PIN_OFF(vyre_launch_recommendation, hit_capacity, 24);
PIN_OFF(vyre_launch_recommendation, pressure, 28);
PIN_OFF(vyre_launch_recommendation, execution_mode, 32);
PIN_OFF(vyre_launch_recommendation, topology, 36);
PIN_OFF(vyre_launch_recommendation, promote_hot_opcodes, 40);
PIN_OFF(vyre_launch_recommendation, promote_hot_windows, 44);
PIN_OFF(vyre_launch_recommendation, age_priority_work, 48);
PIN_OFF(vyre_launch_recommendation, promotion_route, 52);
PIN_OFF(vyre_launch_recommendation, frontier_density_bps, 56);
PIN_OFF(vyre_launch_recommendation, memory_pressure_bps, 60);
PIN_OFF(vyre_launch_recommendation, estimated_peak_device_bytes, 64);
PIN_OFF(vyre_launch_recommendation, device_memory_budget_bytes, 72);

PIN_SIZE(vyre_sizing_policy, 16, 4);
PIN_OFF(vyre_sizing_policy, max_dispatch_workgroups, 0);
PIN_OFF(vyre_sizing_policy, occupancy_divisor, 4);
PIN_OFF(vyre_sizing_policy, powerful_invocation_threshold, 8);
PIN_OFF(vyre_sizing_policy, powerful_min_worker_groups, 12);

PIN_SIZE(vyre_launch_policy, 64, 4);
PIN_OFF(vyre_launch_policy, sizing, 0);
PIN_OFF(vyre_launch_policy, min_hit_capacity, 16);
PIN_OFF(vyre_launch_policy, hit_capacity_multiplier, 20);
PIN_OFF(vyre_launch_policy, saturated_waves, 24);
PIN_OFF(vyre_launch_policy, hot_opcode_threshold, 28);
PIN_OFF(vyre_launch_policy, hot_window_threshold, 32);
PIN_OFF(vyre_launch_policy, jit_queue_len_threshold, 36);
PIN_OFF(vyre_launch_policy, priority_age_threshold, 40);
PIN_OFF(vyre_launch_policy, sparse_frontier_threshold_bps, 44);
PIN_OFF(vyre_launch_policy, dense_frontier_threshold_bps, 48);
PIN_OFF(vyre_launch_policy, memory_pressure_threshold_bps, 52);
PIN_OFF(vyre_launch_policy, fusion_edge_threshold, 56);
PIN_OFF(vyre_launch_policy, scratch_bytes_per_hit, 60);

PIN_SIZE(vyre_topology_evidence, 48, 8);
PIN_OFF(vyre_topology_evidence, schema_version, 0);
PIN_OFF(vyre_topology_evidence, queue_pressure, 4);
PIN_OFF(vyre_topology_evidence, frontier_density_bps, 8);
PIN_OFF(vyre_topology_evidence, semiring_frontier_density_bps, 12);
PIN_OFF(vyre_topology_evidence, memory_pressure_bps, 16);
PIN_OFF(vyre_topology_evidence, topology, 20);
PIN_OFF(vyre_topology_evidence, switch_class, 24);
PIN_OFF(vyre_topology_evidence, output_parity_required, 28);
PIN_OFF(vyre_topology_evidence, resident_device_bytes, 32);
PIN_OFF(vyre_topology_evidence, estimated_peak_device_bytes, 40);

PIN_SIZE(vyre_promotion_evidence, 52, 4);
PIN_OFF(vyre_promotion_evidence, schema_version, 0);
PIN_OFF(vyre_promotion_evidence, queue_len, 4);
PIN_OFF(vyre_promotion_evidence, jit_queue_len_threshold, 8);
PIN_OFF(vyre_promotion_evidence, hot_opcode_count, 12);
PIN_OFF(vyre_promotion_evidence, hot_opcode_threshold, 16);
PIN_OFF(vyre_promotion_evidence, hot_window_count, 20);
PIN_OFF(vyre_promotion_evidence, hot_window_threshold, 24);
PIN_OFF(vyre_promotion_evidence, execution_mode, 28);
PIN_OFF(vyre_promotion_evidence, promote_hot_opcodes, 32);
PIN_OFF(vyre_promotion_evidence, promote_hot_windows, 36);
PIN_OFF(vyre_promotion_evidence, route, 40);
PIN_OFF(vyre_promotion_evidence, fused_descriptor_window_required, 44);
PIN_OFF(vyre_promotion_evidence, output_parity_required, 48);

PIN_SIZE(vyre_launch_cache_stats, 24, 8);
PIN_OFF(vyre_launch_cache_stats, entries, 0);
PIN_OFF(vyre_launch_cache_stats, hits, 8);
PIN_OFF(vyre_launch_cache_stats, misses, 16);

PIN_SIZE(vyre_priority_requeue_accounting, 24, 8);
PIN_OFF(vyre_priority_requeue_accounting, requeue_count, 0);
PIN_OFF(vyre_priority_requeue_accounting, aged_promotions, 8);
PIN_OFF(vyre_priority_requeue_accounting, max_priority_age, 16);

PIN_SIZE(vyre_priority_drain_recommendation, 48, 8);
PIN_OFF(vyre_priority_drain_recommendation, requeue_count, 0);
PIN_OFF(vyre_priority_drain_recommendation, aged_promotions, 8);
PIN_OFF(vyre_priority_drain_recommendation, requeue_counter_headroom, 16);
PIN_OFF(vyre_priority_drain_recommendation, aged_promotion_counter_headroom, 24);
PIN_OFF(vyre_priority_drain_recommendation, max_priority_age, 32);
PIN_OFF(vyre_priority_drain_recommendation, should_drain, 36);
PIN_OFF(vyre_priority_drain_recommendation, reason, 40);

/* Enum typedefs are 32-bit and their numbers never change. */
_Static_assert(sizeof(vyre_topology) == 4 && sizeof(vyre_queue_pressure) == 4, "enum width");
_Static_assert(sizeof(vyre_execution_mode) == 4 && sizeof(vyre_promotion_route) == 4, "enum width");
_Static_assert(sizeof(vyre_graphblas_switch_class) == 4 && sizeof(vyre_priority_drain_reason) == 4, "enum width");
_Static_assert(VYRE_TOPOLOGY_EMPTY == 0 && VYRE_TOPOLOGY_SPARSE_FRONTIER == 1 && VYRE_TOPOLOGY_HYBRID_FRONTIER == 2 &&
                   VYRE_TOPOLOGY_DENSE_FRONTIER == 3 && VYRE_TOPOLOGY_FUSED_DENSE == 4 &&
                   VYRE_TOPOLOGY_MEMORY_CONSTRAINED == 5,
               "topology numbers");
_Static_assert(VYRE_QUEUE_PRESSURE_EMPTY == 0 && VYRE_QUEUE_PRESSURE_LIGHT == 1 && VYRE_QUEUE_PRESSURE_BALANCED == 2 &&
                   VYRE_QUEUE_PRESSURE_SATURATED == 3,
               "queue pressure numbers");
_Static_assert(VYRE_EXECUTION_MODE_INTERPRETER == 0 && VYRE_EXECUTION_MODE_JIT == 1, "execution mode numbers");
_Static_assert(VYRE_PROMOTION_ROUTE_INTERPRETER == 0 && VYRE_PROMOTION_ROUTE_QUEUE_JIT == 1 &&
                   VYRE_PROMOTION_ROUTE_OPCODE_JIT == 2 && VYRE_PROMOTION_ROUTE_WINDOW_JIT == 3 &&
                   VYRE_PROMOTION_ROUTE_OPCODE_AND_WINDOW_JIT == 4,
               "promotion route numbers");
_Static_assert(VYRE_GRAPHBLAS_SWITCH_CLASS_EMPTY == 0 && VYRE_GRAPHBLAS_SWITCH_CLASS_SPARSE == 1 &&
                   VYRE_GRAPHBLAS_SWITCH_CLASS_HYBRID == 2 && VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE == 3 &&
                   VYRE_GRAPHBLAS_SWITCH_CLASS_MEMORY_CONSTRAINED == 4,
               "switch class numbers");
_Static_assert(VYRE_PRIORITY_DRAIN_REASON_NONE == 0 && VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY == 1 &&
                   VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_NEAR_LIMIT == 2 &&
                   VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_NEAR_LIMIT == 3 &&
                   VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_EXHAUSTED == 4 &&
                   VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_EXHAUSTED == 5,
               "drain reason numbers");

/* The library writes exactly these layouts: a recommendation filled through the ABI must
 * read back the pinned values at the pinned offsets. */
int main(void) {
    vyre_launch_policy p;
    vyre_launch_policy_init_default(&p, NULL);
    const unsigned char *pb = (const unsigned char *)&p;
    uint32_t word;
    memcpy(&word, pb + 60, 4);
    CHECK(word == 16); /* scratch_bytes_per_hit */
    memcpy(&word, pb + 52, 4);
    CHECK(word == 8500); /* memory_pressure_threshold_bps */

    vyre_launch_request r;
    memset(&r, 0, sizeof r);
    r.queue_len = 300;
    r.requested_worker_groups = 64;
    r.max_workgroup_size_x = 256;
    r.max_compute_workgroups_per_dimension = 64;
    r.max_compute_invocations_per_workgroup = 256;
    r.expected_hits_per_item = 3;
    vyre_launch_recommendation rec;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &r, &rec, ERR));
    const unsigned char *rb = (const unsigned char *)&rec;
    uint64_t peak;
    memcpy(&word, rb + 8, 4);
    CHECK(word == 5); /* dispatch_grid[0] */
    memcpy(&word, rb + 24, 4);
    CHECK(word == 1800); /* hit_capacity */
    memcpy(&peak, rb + 64, 8);
    CHECK(peak == 28800); /* estimated_peak_device_bytes */
    TEST_MAIN_END();
}
