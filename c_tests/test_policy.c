/* Launch policy from C: every pinned value of SPEC §2 and every public policy function's
 * success path. Errors and layouts are in test_policy_errors.c / test_policy_layout.c. */
#include "vyre_test.h"

static vyre_grid_limits big_limits(void) {
    vyre_grid_limits l = {256, 65535, 256};
    return l;
}

static vyre_launch_policy standard_policy(void) {
    vyre_launch_policy p;
    memset(&p, 0xAB, sizeof p);
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_init_default(&p, ERR));
    return p;
}

/* A request with the given queue and workers on a 256/65535/256 adapter. */
static vyre_launch_request request(uint32_t queue_len, uint32_t workers) {
    vyre_launch_request r;
    memset(&r, 0, sizeof r);
    r.queue_len = queue_len;
    r.requested_worker_groups = workers;
    r.max_workgroup_size_x = 256;
    r.max_compute_workgroups_per_dimension = 65535;
    r.max_compute_invocations_per_workgroup = 256;
    r.expected_hits_per_item = 1;
    return r;
}

static void test_constants_and_defaults(void) {
    CHECK(VYRE_DEFAULT_WORKER_COUNT == 64);
    CHECK(VYRE_DEFAULT_WORKGROUP_SIZE_X == 64);
    CHECK(VYRE_MAX_DISPATCH_WORKGROUPS == 1024);
    CHECK(VYRE_OCCUPANCY_DIVISOR == 256);
    CHECK(VYRE_POWERFUL_INVOCATION_THRESHOLD == 4096);
    CHECK(VYRE_POWERFUL_MIN_WORKER_GROUPS == 64);
    CHECK(VYRE_DEFAULT_MAX_WALL_TIME_NS == 60000000000ull);
    CHECK(VYRE_TOPOLOGY_HYSTERESIS_BPS == 250);
    CHECK(VYRE_LAUNCH_CACHE_CAPACITY == 128);
    CHECK(VYRE_EVIDENCE_SCHEMA_VERSION == 1);
    CHECK(VYRE_BPS_MAX == 10000);

    vyre_megakernel_config c;
    memset(&c, 0xCD, sizeof c);
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_init_default(&c, ERR));
    CHECK(c.worker_count == 64);
    CHECK(c.max_wall_time_ns == 60000000000ull);
    CHECK(c.expected_items_per_worker == 0);
    vyre_workload_hints zero;
    memset(&zero, 0, sizeof zero);
    CHECK(memcmp(&c.workload, &zero, sizeof zero) == 0);
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_validate(&c, ERR));

    vyre_sizing_policy sp;
    memset(&sp, 0xEF, sizeof sp);
    CHECK_STATUS(VYRE_OK, vyre_sizing_policy_init_default(&sp, ERR));
    CHECK(sp.max_dispatch_workgroups == 1024 && sp.occupancy_divisor == 256);
    CHECK(sp.powerful_invocation_threshold == 4096 && sp.powerful_min_worker_groups == 64);

    vyre_launch_policy p = standard_policy();
    CHECK(p.sizing.max_dispatch_workgroups == 1024 && p.sizing.occupancy_divisor == 256);
    CHECK(p.sizing.powerful_invocation_threshold == 4096 && p.sizing.powerful_min_worker_groups == 64);
    CHECK(p.min_hit_capacity == 1024);
    CHECK(p.hit_capacity_multiplier == 2);
    CHECK(p.saturated_waves == 4);
    CHECK(p.hot_opcode_threshold == 8);
    CHECK(p.hot_window_threshold == 4);
    CHECK(p.jit_queue_len_threshold == 4096);
    CHECK(p.priority_age_threshold == 32);
    CHECK(p.sparse_frontier_threshold_bps == 500);
    CHECK(p.dense_frontier_threshold_bps == 4000);
    CHECK(p.memory_pressure_threshold_bps == 8500);
    CHECK(p.fusion_edge_threshold == 65536);
    CHECK(p.scratch_bytes_per_hit == 16);
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_validate(&p, ERR));
}

static void test_sizing_helpers(void) {
    CHECK(vyre_sizing_worker_workgroup_size(0, 256) == 1);
    CHECK(vyre_sizing_worker_workgroup_size(64, 256) == 64);
    CHECK(vyre_sizing_worker_workgroup_size(1000, 256) == 256);
    CHECK(vyre_sizing_padded_slot_count(300, 64) == 320);
    CHECK(vyre_sizing_padded_slot_count(0, 64) == 64);
    CHECK(vyre_sizing_padded_slot_count(UINT32_MAX, 64) == UINT32_MAX);
    CHECK(vyre_sizing_default_worker_groups_from_limits(65535, 256) == 255);
    CHECK(vyre_sizing_default_worker_groups_from_limits(1024, 4096) == 64);
    CHECK(vyre_sizing_default_worker_groups_from_limits(0, 0) == 1);
    CHECK(vyre_sizing_default_worker_groups_from_limits(UINT32_MAX, 0) == 1024);

    uint32_t grid[3] = {0, 0, 0};
    CHECK_STATUS(VYRE_OK, vyre_sizing_dispatch_grid_for(64, 320, 64, grid, ERR));
    CHECK(grid[0] == 5 && grid[1] == 1 && grid[2] == 1);
    CHECK_STATUS(VYRE_OK, vyre_sizing_dispatch_grid_for(UINT32_MAX, UINT32_MAX, 1, grid, ERR));
    CHECK(grid[0] == 1024);

    vyre_grid_limits l = big_limits();
    vyre_grid_plan plan;
    CHECK_STATUS(VYRE_OK, vyre_sizing_calculate_optimal_grid(300, 64, &l, &plan, ERR));
    CHECK(plan.worker_groups == 64);
    CHECK(plan.geometry.workgroup_size_x == 64 && plan.geometry.slot_count == 320);
    CHECK(plan.geometry.dispatch_grid[0] == 5);
    CHECK_STATUS(VYRE_OK, vyre_sizing_calculate_optimal_grid(0, 0, &l, &plan, ERR));
    CHECK(plan.worker_groups == 255 && plan.geometry.slot_count == 255);
}

static void test_geometry(void) {
    vyre_launch_geometry g;
    CHECK_STATUS(VYRE_OK, vyre_launch_geometry_from_slots(300, 64, 256, &g, ERR));
    CHECK(g.workgroup_size_x == 64 && g.slot_count == 320);
    CHECK(g.dispatch_grid[0] == 5 && g.dispatch_grid[1] == 1 && g.dispatch_grid[2] == 1);
    CHECK_STATUS(VYRE_OK, vyre_launch_geometry_from_slots(1, 1000, 256, &g, ERR));
    CHECK(g.workgroup_size_x == 256 && g.slot_count == 256);
    CHECK(g.dispatch_grid[0] == 1 && g.dispatch_grid[1] == 1 && g.dispatch_grid[2] == 1);

    CHECK_STATUS(VYRE_OK, vyre_launch_geometry_from_item_count(300, 64, 256, &g, ERR));
    CHECK(g.slot_count == 320 && g.dispatch_grid[0] == 5);
    uint32_t groups = 0;
    CHECK_STATUS(VYRE_OK, vyre_launch_geometry_covering_worker_groups(&g, &groups, ERR));
    CHECK(groups == 5);

    vyre_launch_dispatch_config dc;
    CHECK_STATUS(VYRE_OK, vyre_launch_geometry_dispatch_config(&g, 5000000u, &dc, ERR));
    CHECK(dc.grid[0] == 5 && dc.grid[1] == 1 && dc.grid[2] == 1);
    CHECK(dc.workgroup_size[0] == 64 && dc.workgroup_size[1] == 1 && dc.workgroup_size[2] == 1);
    CHECK(dc.timeout_ns == 5000000u);
    CHECK_STATUS(VYRE_OK, vyre_launch_geometry_dispatch_config(&g, 0, &dc, ERR));
    CHECK(dc.timeout_ns == 0);
}

static void test_config(void) {
    vyre_megakernel_config c;
    vyre_megakernel_config_init_default(&c, NULL);
    uint32_t grid[3];
    c.worker_count = 2;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_dispatch_grid(&c, 4096, 64, grid, ERR));
    CHECK(grid[0] == 2 && grid[1] == 1 && grid[2] == 1);
    c.worker_count = 64;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_dispatch_grid(&c, 300, 256, grid, ERR));
    CHECK(grid[0] == 2 && grid[1] == 1 && grid[2] == 1);

    c.worker_count = 32;
    c.expected_items_per_worker = 3;
    c.workload.hot_opcode_count = 7;
    c.workload.hot_window_count = 11;
    c.workload.graph_node_count = 1000;
    c.workload.graph_edge_count = 4000;
    c.workload.frontier_density_bps = 7500;
    c.workload.memory_pressure_bps = 8000;
    c.workload.resident_device_bytes = 1u << 20;
    c.workload.device_memory_budget_bytes = 1u << 24;
    vyre_grid_limits l = {256, 65535, 1024};
    vyre_launch_request r;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_launch_request(&c, 128, &l, &r, ERR));
    CHECK(r.queue_len == 128 && r.requested_worker_groups == 32 && r.expected_hits_per_item == 3);
    CHECK(r.max_workgroup_size_x == 256 && r.max_compute_workgroups_per_dimension == 65535 &&
          r.max_compute_invocations_per_workgroup == 1024);
    CHECK(r.hot_opcode_count == 7 && r.hot_window_count == 11);
    CHECK(r.graph_node_count == 1000 && r.graph_edge_count == 4000);
    CHECK(r.frontier_density_bps == 7500 && r.memory_pressure_bps == 8000);
    CHECK(r.resident_device_bytes == (1u << 20) && r.device_memory_budget_bytes == (1u << 24));
    CHECK(r.requested_hit_capacity == 0 && r.requeue_count == 0 && r.max_priority_age == 0);
    c.expected_items_per_worker = 0;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_launch_request(&c, 1, &l, &r, ERR));
    CHECK(r.expected_hits_per_item == 1);
}

/* SPEC §2: q 1024, workers 128, resident 900,000, budget 1,000,000. */
static void test_config_recommendation_memory_constrained(void) {
    vyre_megakernel_config c;
    vyre_megakernel_config_init_default(&c, NULL);
    c.worker_count = 128;
    c.workload.resident_device_bytes = 900000;
    c.workload.device_memory_budget_bytes = 1000000;
    vyre_grid_limits l = big_limits();
    vyre_launch_recommendation rec;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_launch_recommendation(&c, 1024, &l, &rec, ERR));
    CHECK(rec.memory_pressure_bps == 9000);
    CHECK(rec.topology == VYRE_TOPOLOGY_MEMORY_CONSTRAINED);
    CHECK(rec.estimated_peak_device_bytes == 916384);
    CHECK(rec.worker_groups < 128);
    CHECK(rec.worker_groups == 85);
    CHECK(rec.hit_capacity == 1024);
    CHECK(rec.device_memory_budget_bytes == 1000000);
}

static void test_task_requests(void) {
    /* Six tasks built with the protocol's task transitions. */
    vyre_task tasks[6];
    for (uint32_t i = 0; i < 6; i++) {
        CHECK_STATUS(VYRE_OK, vyre_task_init(&tasks[i], 100 + i, 8, 0, VYRE_PRIORITY_NORMAL, 0, 0, 0, ERR));
    }
    tasks[0].age_ticks = 2;                                                          /* ready */
    CHECK_STATUS(VYRE_OK, vyre_task_yield(&tasks[1], 10, 0, ERR));                   /* yielded */
    tasks[1].age_ticks = 9;
    CHECK_STATUS(VYRE_OK, vyre_task_requeue(&tasks[2], 10, 0, VYRE_PRIORITY_NORMAL, ERR)); /* requeued */
    tasks[2].requeue_count = 3;
    tasks[2].age_ticks = 33;
    CHECK_STATUS(VYRE_OK, vyre_task_pause(&tasks[3], 10, 0, 7, ERR));                /* paused */
    tasks[3].requeue_count = 1;
    tasks[3].age_ticks = 50;
    CHECK_STATUS(VYRE_OK, vyre_task_complete(&tasks[4], ERR));                       /* done */
    tasks[5].state = VYRE_TASK_RUNNING;                                              /* claimed */
    vyre_megakernel_config c;
    vyre_megakernel_config_init_default(&c, NULL);
    vyre_grid_limits l = big_limits();
    vyre_launch_request r;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_launch_request_for_tasks(&c, tasks, 6, &l, &r, ERR));
    CHECK(r.queue_len == 3);             /* ready + yielded + requeued */
    CHECK(r.requeue_count == 1 + 1 + 4); /* yielded + requeued + sum of task requeue counters */
    CHECK(r.max_priority_age == 50);
    vyre_launch_recommendation rec;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_launch_recommendation_for_tasks(&c, tasks, 6, &l, &rec, ERR));
    CHECK(rec.age_priority_work == 1);
    CHECK(rec.pressure == VYRE_QUEUE_PRESSURE_SATURATED); /* requeues observed */
    CHECK_STATUS(VYRE_OK, vyre_megakernel_config_launch_request_for_tasks(&c, NULL, 0, &l, &r, ERR));
    CHECK(r.queue_len == 0 && r.requeue_count == 0);
}

static void test_recommend_pins(void) {
    vyre_launch_policy p = standard_policy();
    vyre_launch_cache_reset();

    /* SPEC §2: q 300, workers 64, max_x 256, 3 hits per item. */
    vyre_launch_request r = request(300, 64);
    r.max_compute_workgroups_per_dimension = 64;
    r.expected_hits_per_item = 3;
    vyre_launch_recommendation rec;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &r, &rec, ERR));
    CHECK(rec.geometry.workgroup_size_x == 64);
    CHECK(rec.geometry.slot_count == 320);
    CHECK(rec.geometry.dispatch_grid[0] == 5 && rec.geometry.dispatch_grid[1] == 1 &&
          rec.geometry.dispatch_grid[2] == 1);
    CHECK(rec.hit_capacity == 1800);
    CHECK(rec.estimated_peak_device_bytes == 28800);
    CHECK(rec.topology == VYRE_TOPOLOGY_SPARSE_FRONTIER);
    CHECK(rec.execution_mode == VYRE_EXECUTION_MODE_INTERPRETER);
    CHECK(rec.promotion_route == VYRE_PROMOTION_ROUTE_INTERPRETER);
    CHECK(rec.pressure == VYRE_QUEUE_PRESSURE_LIGHT);
    CHECK(rec.age_priority_work == 0);

    /* SPEC §2: q 1024, 4 hits, resident 1024, budget 65,536 → out of memory. */
    vyre_launch_request oom = request(1024, 64);
    oom.expected_hits_per_item = 4;
    oom.resident_device_bytes = 1024;
    oom.device_memory_budget_bytes = 65536;
    vyre_error *err = NULL;
    CHECK(vyre_launch_policy_recommend(&p, &oom, &rec, &err) == VYRE_ERROR_OUT_OF_MEMORY);
    CHECK(err != NULL);
    CHECK(vyre_error_status(err) == VYRE_ERROR_OUT_OF_MEMORY);
    CHECK(strstr(vyre_error_message(err), "132096") != NULL);
    CHECK(strstr(vyre_error_message(err), "65536") != NULL);
    vyre_error_free(err);

    /* Telemetry: long queue, hot opcodes, requeues → JIT, saturated, aging. */
    vyre_launch_request hot = request(8192, 64);
    hot.hot_opcode_count = 8;
    hot.requeue_count = 1;
    hot.max_priority_age = 64;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &hot, &rec, ERR));
    CHECK(rec.execution_mode == VYRE_EXECUTION_MODE_JIT);
    CHECK(rec.promotion_route == VYRE_PROMOTION_ROUTE_OPCODE_JIT);
    CHECK(rec.pressure == VYRE_QUEUE_PRESSURE_SATURATED);
    CHECK(rec.promote_hot_opcodes == 1 && rec.promote_hot_windows == 0 && rec.age_priority_work == 1);

    /* Fused dense: dense frontier, big graph, hot windows. */
    vyre_launch_request fused = request(1000, 64);
    fused.graph_node_count = 1000;
    fused.graph_edge_count = 65536;
    fused.frontier_density_bps = 4000;
    fused.hot_window_count = 4;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &fused, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_FUSED_DENSE);
    CHECK(rec.promotion_route == VYRE_PROMOTION_ROUTE_WINDOW_JIT);
}

static void test_hysteresis(void) {
    vyre_launch_policy p = standard_policy();
    vyre_launch_request r = request(100, 64);
    r.graph_node_count = 1000;
    r.graph_edge_count = 100000;
    vyre_launch_recommendation rec;
    r.frontier_density_bps = 750;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &r, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_HYBRID_FRONTIER);
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_previous_topology(
                              &p, &r, VYRE_TOPOLOGY_SPARSE_FRONTIER, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_SPARSE_FRONTIER);
    r.frontier_density_bps = 751;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_previous_topology(
                              &p, &r, VYRE_TOPOLOGY_SPARSE_FRONTIER, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_HYBRID_FRONTIER);
    r.frontier_density_bps = 3750;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_previous_topology(
                              &p, &r, VYRE_TOPOLOGY_DENSE_FRONTIER, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_DENSE_FRONTIER);
    r.frontier_density_bps = 4250;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_previous_topology(
                              &p, &r, VYRE_TOPOLOGY_HYBRID_FRONTIER, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_HYBRID_FRONTIER);
    r.frontier_density_bps = 1000;
    r.memory_pressure_bps = 8250;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_previous_topology(
                              &p, &r, VYRE_TOPOLOGY_MEMORY_CONSTRAINED, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_MEMORY_CONSTRAINED);
    r.memory_pressure_bps = 8249;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_previous_topology(
                              &p, &r, VYRE_TOPOLOGY_MEMORY_CONSTRAINED, &rec, ERR));
    CHECK(rec.topology == VYRE_TOPOLOGY_HYBRID_FRONTIER);
}

static void test_evidence(void) {
    vyre_launch_policy p = standard_policy();
    vyre_launch_request r = request(100, 64);
    r.graph_node_count = 1000;
    r.resident_device_bytes = 4096;
    r.device_memory_budget_bytes = 1u << 20;
    vyre_launch_recommendation rec;
    vyre_topology_evidence te;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_topology_evidence(&p, &r, &rec, &te, ERR));
    CHECK(te.schema_version == VYRE_EVIDENCE_SCHEMA_VERSION);
    CHECK(te.queue_pressure == rec.pressure);
    CHECK(te.frontier_density_bps == 0);
    CHECK(te.semiring_frontier_density_bps == 1000);
    CHECK(te.memory_pressure_bps == 39);
    CHECK(te.topology == VYRE_TOPOLOGY_HYBRID_FRONTIER);
    CHECK(te.switch_class == VYRE_GRAPHBLAS_SWITCH_CLASS_HYBRID);
    CHECK(te.output_parity_required == 1);
    CHECK(te.resident_device_bytes == 4096);
    CHECK(te.estimated_peak_device_bytes == rec.estimated_peak_device_bytes);
    uint32_t complete = 99;
    CHECK_STATUS(VYRE_OK, vyre_topology_evidence_is_complete(&te, &complete, ERR));
    CHECK(complete == 1);
    te.semiring_frontier_density_bps = 10001;
    CHECK_STATUS(VYRE_OK, vyre_topology_evidence_is_complete(&te, &complete, ERR));
    CHECK(complete == 0);
    te.semiring_frontier_density_bps = 1000;
    te.output_parity_required = 0;
    CHECK_STATUS(VYRE_OK, vyre_topology_evidence_is_complete(&te, &complete, ERR));
    CHECK(complete == 0);

    vyre_promotion_evidence pe;
    r.queue_len = 4096;
    r.hot_opcode_count = 8;
    r.hot_window_count = 4;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_promotion_evidence(&p, &r, &rec, &pe, ERR));
    CHECK(pe.schema_version == 1 && pe.queue_len == 4096 && pe.jit_queue_len_threshold == 4096);
    CHECK(pe.hot_opcode_count == 8 && pe.hot_opcode_threshold == 8);
    CHECK(pe.hot_window_count == 4 && pe.hot_window_threshold == 4);
    CHECK(pe.execution_mode == VYRE_EXECUTION_MODE_JIT);
    CHECK(pe.promote_hot_opcodes == 1 && pe.promote_hot_windows == 1);
    CHECK(pe.route == VYRE_PROMOTION_ROUTE_OPCODE_AND_WINDOW_JIT);
    CHECK(pe.fused_descriptor_window_required == 1 && pe.output_parity_required == 1);
    CHECK_STATUS(VYRE_OK, vyre_promotion_evidence_is_complete(&pe, &complete, ERR));
    CHECK(complete == 1);
    pe.hot_window_threshold = 0;
    CHECK_STATUS(VYRE_OK, vyre_promotion_evidence_is_complete(&pe, &complete, ERR));
    CHECK(complete == 0);
}

static void test_cache(void) {
    vyre_launch_policy p = standard_policy();
    vyre_launch_cache_reset();
    vyre_launch_cache_stats s;
    CHECK_STATUS(VYRE_OK, vyre_launch_cache_get_stats(&s, ERR));
    CHECK(s.entries == 0 && s.hits == 0 && s.misses == 0);
    vyre_launch_request r = request(300, 64);
    vyre_launch_recommendation a, b;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &r, &a, ERR));
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &r, &b, ERR));
    CHECK(memcmp(&a, &b, sizeof a) == 0);
    CHECK_STATUS(VYRE_OK, vyre_launch_cache_get_stats(&s, ERR));
    CHECK(s.entries == 1 && s.hits == 1 && s.misses == 1);
    /* Previous-topology calls bypass the cache. */
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend_with_previous_topology(
                              &p, &r, VYRE_TOPOLOGY_SPARSE_FRONTIER, &b, ERR));
    CHECK_STATUS(VYRE_OK, vyre_launch_cache_get_stats(&s, ERR));
    CHECK(s.entries == 1 && s.hits == 1 && s.misses == 1);
    /* Capacity: 200 distinct requests leave 128 entries. */
    for (uint32_t q = 1; q <= 200; q++) {
        vyre_launch_request rq = request(q, 64);
        CHECK_STATUS(VYRE_OK, vyre_launch_policy_recommend(&p, &rq, &b, ERR));
    }
    CHECK_STATUS(VYRE_OK, vyre_launch_cache_get_stats(&s, ERR));
    CHECK(s.entries == VYRE_LAUNCH_CACHE_CAPACITY);
    vyre_launch_cache_reset();
    CHECK_STATUS(VYRE_OK, vyre_launch_cache_get_stats(&s, ERR));
    CHECK(s.entries == 0 && s.hits == 0 && s.misses == 0);
}

static void test_autotune(void) {
    vyre_launch_policy p = standard_policy();
    uint32_t candidates[4] = {1, 2, 4, 8};
    double costs[4] = {3.0, 1.5, 1.5, 9.0};
    uint32_t out = 0;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_autotune_hit_capacity_multiplier(&p, candidates, 4, costs, 4, &out, ERR));
    CHECK(out == 2); /* ties → first */
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_autotune_hit_capacity_multiplier(&p, NULL, 0, NULL, 0, &out, ERR));
    CHECK(out == 2); /* empty → the policy's multiplier */
    p.hit_capacity_multiplier = 3;
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_autotune_hit_capacity_multiplier(&p, NULL, 0, NULL, 0, &out, ERR));
    CHECK(out == 3);
    uint32_t sizes[3] = {64, 128, 256};
    double wg_costs[2] = {2.0, 1.0};
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_autotune_workgroup_size(&p, sizes, 3, wg_costs, 2, 32, &out, ERR));
    CHECK(out == 128);
    CHECK_STATUS(VYRE_OK, vyre_launch_policy_autotune_workgroup_size(&p, sizes, 0, wg_costs, 2, 32, &out, ERR));
    CHECK(out == 32);

    /* Natural gradient: size query, then the step into caller storage. */
    double m[4] = {1.0, 2.0, 3.0, 4.0};
    double g[2] = {1.0, 1.0};
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_autotune_natural_gradient_step(m, 4, g, 2, 2, 0.5, NULL, 0, &written, ERR));
    CHECK(written == 2);
    double delta[2] = {0.0, 0.0};
    CHECK_STATUS(VYRE_OK, vyre_autotune_natural_gradient_step(m, 4, g, 2, 2, 0.5, delta, 2, &written, ERR));
    CHECK(written == 2 && delta[0] == -1.5 && delta[1] == -3.5);
    /* Too-short inputs → empty result. */
    CHECK_STATUS(VYRE_OK, vyre_autotune_natural_gradient_step(m, 3, g, 2, 2, 0.5, delta, 2, &written, ERR));
    CHECK(written == 0);
    /* In place over the gradient. */
    double id[4] = {1.0, 0.0, 0.0, 1.0};
    double gi[2] = {2.0, -4.0};
    CHECK_STATUS(VYRE_OK, vyre_autotune_natural_gradient_step(id, 4, gi, 2, 2, 0.5, gi, 2, &written, ERR));
    CHECK(gi[0] == -1.0 && gi[1] == 2.0);
}

static void test_priority(void) {
    vyre_priority_requeue_accounting a;
    memset(&a, 0, sizeof a);
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_record_requeue(&a, 7, ERR));
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_record_requeue(&a, 3, ERR));
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_record_aged_promotion(&a, 40, ERR));
    CHECK(a.requeue_count == 2 && a.aged_promotions == 1 && a.max_priority_age == 40);

    vyre_priority_drain_recommendation d;
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_drain_recommendation(&a, &d, ERR));
    CHECK(d.reason == VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY && d.should_drain == 1);
    CHECK(d.requeue_count == 2 && d.aged_promotions == 1 && d.max_priority_age == 40);
    CHECK(d.requeue_counter_headroom == UINT64_MAX - 2);
    CHECK(d.aged_promotion_counter_headroom == UINT64_MAX - 1);

    vyre_priority_requeue_accounting zero;
    memset(&zero, 0, sizeof zero);
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_drain_recommendation(&zero, &d, ERR));
    CHECK(d.reason == VYRE_PRIORITY_DRAIN_REASON_NONE && d.should_drain == 0);

    a.requeue_count = UINT64_MAX - VYRE_PRIORITY_DRAIN_NEAR_LIMIT_HEADROOM;
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_drain_recommendation(&a, &d, ERR));
    CHECK(d.reason == VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_NEAR_LIMIT);
    CHECK(d.requeue_counter_headroom == 1024);
    a.requeue_count = UINT64_MAX - 1025;
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_drain_recommendation(&a, &d, ERR));
    CHECK(d.reason == VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY);
    a.requeue_count = 0;
    a.aged_promotions = UINT64_MAX - 1;
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_drain_recommendation(&a, &d, ERR));
    CHECK(d.reason == VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_NEAR_LIMIT);
    a.requeue_count = UINT64_MAX;
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_drain_recommendation(&a, &d, ERR));
    CHECK(d.reason == VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_EXHAUSTED && d.requeue_counter_headroom == 0);
    a.requeue_count = 5;
    a.aged_promotions = UINT64_MAX;
    CHECK_STATUS(VYRE_OK, vyre_priority_requeue_accounting_drain_recommendation(&a, &d, ERR));
    CHECK(d.reason == VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_EXHAUSTED);
    CHECK(strlen(vyre_priority_drain_reason_fix(d.reason)) > 0);

    /* Diffusion: 10·0.5² = 2.5; 4 unchanged; 8·0.75² = 4.5. */
    double x[3] = {10.0, 4.0, 8.0};
    double diag[3] = {1.0, 0.0, 0.5};
    double out[3] = {0, 0, 0};
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_priority_diffuse_across_siblings(x, 3, diag, 3, 0.5, 2, NULL, 0, &written, ERR));
    CHECK(written == 3);
    CHECK_STATUS(VYRE_OK, vyre_priority_diffuse_across_siblings(x, 3, diag, 3, 0.5, 2, out, 3, &written, ERR));
    CHECK(written == 3 && out[0] == 2.5 && out[1] == 4.0 && out[2] == 4.5);
    /* Mismatched lengths → input unchanged. */
    CHECK_STATUS(VYRE_OK, vyre_priority_diffuse_across_siblings(x, 3, diag, 2, 0.5, 2, out, 3, &written, ERR));
    CHECK(out[0] == 10.0 && out[1] == 4.0 && out[2] == 8.0);
    /* In place. */
    CHECK_STATUS(VYRE_OK, vyre_priority_diffuse_across_siblings(x, 3, diag, 3, 0.5, 1, x, 3, &written, ERR));
    CHECK(x[0] == 5.0 && x[1] == 4.0 && x[2] == 6.0);
}

static void test_names(void) {
    CHECK(strcmp(vyre_topology_name(VYRE_TOPOLOGY_EMPTY), "empty") == 0);
    CHECK(strcmp(vyre_topology_name(VYRE_TOPOLOGY_SPARSE_FRONTIER), "sparse_frontier") == 0);
    CHECK(strcmp(vyre_topology_name(VYRE_TOPOLOGY_HYBRID_FRONTIER), "hybrid_frontier") == 0);
    CHECK(strcmp(vyre_topology_name(VYRE_TOPOLOGY_DENSE_FRONTIER), "dense_frontier") == 0);
    CHECK(strcmp(vyre_topology_name(VYRE_TOPOLOGY_FUSED_DENSE), "fused_dense") == 0);
    CHECK(strcmp(vyre_topology_name(VYRE_TOPOLOGY_MEMORY_CONSTRAINED), "memory_constrained") == 0);
    CHECK(strcmp(vyre_topology_name(6), "unknown") == 0);
    CHECK(strcmp(vyre_queue_pressure_name(VYRE_QUEUE_PRESSURE_EMPTY), "empty") == 0);
    CHECK(strcmp(vyre_queue_pressure_name(VYRE_QUEUE_PRESSURE_LIGHT), "light") == 0);
    CHECK(strcmp(vyre_queue_pressure_name(VYRE_QUEUE_PRESSURE_BALANCED), "balanced") == 0);
    CHECK(strcmp(vyre_queue_pressure_name(VYRE_QUEUE_PRESSURE_SATURATED), "saturated") == 0);
    CHECK(strcmp(vyre_queue_pressure_name(4), "unknown") == 0);
    CHECK(strcmp(vyre_execution_mode_name(VYRE_EXECUTION_MODE_INTERPRETER), "interpreter") == 0);
    CHECK(strcmp(vyre_execution_mode_name(VYRE_EXECUTION_MODE_JIT), "jit") == 0);
    CHECK(strcmp(vyre_execution_mode_name(2), "unknown") == 0);
    CHECK(strcmp(vyre_promotion_route_name(VYRE_PROMOTION_ROUTE_INTERPRETER), "interpreter") == 0);
    CHECK(strcmp(vyre_promotion_route_name(VYRE_PROMOTION_ROUTE_QUEUE_JIT), "queue_jit") == 0);
    CHECK(strcmp(vyre_promotion_route_name(VYRE_PROMOTION_ROUTE_OPCODE_JIT), "opcode_jit") == 0);
    CHECK(strcmp(vyre_promotion_route_name(VYRE_PROMOTION_ROUTE_WINDOW_JIT), "window_jit") == 0);
    CHECK(strcmp(vyre_promotion_route_name(VYRE_PROMOTION_ROUTE_OPCODE_AND_WINDOW_JIT), "opcode_and_window_jit") == 0);
    CHECK(strcmp(vyre_promotion_route_name(5), "unknown") == 0);
    CHECK(strcmp(vyre_graphblas_switch_class_name(VYRE_GRAPHBLAS_SWITCH_CLASS_EMPTY), "empty") == 0);
    CHECK(strcmp(vyre_graphblas_switch_class_name(VYRE_GRAPHBLAS_SWITCH_CLASS_SPARSE), "sparse") == 0);
    CHECK(strcmp(vyre_graphblas_switch_class_name(VYRE_GRAPHBLAS_SWITCH_CLASS_HYBRID), "hybrid") == 0);
    CHECK(strcmp(vyre_graphblas_switch_class_name(VYRE_GRAPHBLAS_SWITCH_CLASS_DENSE), "dense") == 0);
    CHECK(strcmp(vyre_graphblas_switch_class_name(VYRE_GRAPHBLAS_SWITCH_CLASS_MEMORY_CONSTRAINED), "memory_constrained") == 0);
    CHECK(strcmp(vyre_graphblas_switch_class_name(5), "unknown") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_name(VYRE_PRIORITY_DRAIN_REASON_NONE), "none") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_name(VYRE_PRIORITY_DRAIN_REASON_PENDING_TELEMETRY), "pending_telemetry") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_name(VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_NEAR_LIMIT), "requeue_counter_near_limit") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_name(VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_NEAR_LIMIT), "aged_promotion_counter_near_limit") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_name(VYRE_PRIORITY_DRAIN_REASON_REQUEUE_COUNTER_EXHAUSTED), "requeue_counter_exhausted") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_name(VYRE_PRIORITY_DRAIN_REASON_AGED_PROMOTION_COUNTER_EXHAUSTED), "aged_promotion_counter_exhausted") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_name(6), "unknown") == 0);
    CHECK(strcmp(vyre_priority_drain_reason_fix(UINT32_MAX), "unknown") == 0);
}

int main(void) {
    test_constants_and_defaults();
    test_sizing_helpers();
    test_geometry();
    test_config();
    test_config_recommendation_memory_constrained();
    test_task_requests();
    test_recommend_pins();
    test_hysteresis();
    test_evidence();
    test_cache();
    test_autotune();
    test_priority();
    test_names();
    TEST_MAIN_END();
}
