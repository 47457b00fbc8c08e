/* Launch policy error paths from C: NULL pointers, out-of-range enums and basis points,
 * zero adapter limits, overflow, out of memory, too-small buffers, and that every failed
 * call leaves the caller's outputs byte-for-byte unchanged. */
#include "vyre_test.h"

/* Fill `obj` with a pattern, run `call` (expected to fail with `status`), and check that
 * `obj` still holds the pattern and that the error object says the same status. */
#define CHECK_FAILS_UNCHANGED(status, obj, call)                                          \
    do {                                                                                  \
        unsigned char vt_before[sizeof(obj)];                                             \
        memset(&(obj), 0x5A, sizeof(obj));                                                \
        memcpy(vt_before, &(obj), sizeof(obj));                                           \
        vyre_error *vt_e = NULL;                                                          \
        vyre_status vt_s = (call);                                                        \
        if (vt_s != (status)) {                                                           \
            fprintf(stderr, "%s:%d: %s returned %d, expected %d\n", __FILE__, __LINE__,   \
                    #call, (int)vt_s, (int)(status));                                     \
            vt_failures++;                                                                \
        }                                                                                 \
        CHECK(vt_e != NULL && vyre_error_status(vt_e) == (status));                       \
        CHECK(vt_e == NULL || strlen(vyre_error_message(vt_e)) > 0);                      \
        CHECK(memcmp(vt_before, &(obj), sizeof(obj)) == 0);                               \
        vyre_error_free(vt_e);                                                            \
    } while (0)
#define E (&vt_e)

static vyre_launch_policy policy(void) {
    vyre_launch_policy p;
    vyre_launch_policy_init_default(&p, NULL);
    return p;
}

static vyre_launch_request request(void) {
    vyre_launch_request r;
    memset(&r, 0, sizeof r);
    r.queue_len = 100;
    r.requested_worker_groups = 64;
    r.max_workgroup_size_x = 256;
    r.max_compute_workgroups_per_dimension = 65535;
    r.max_compute_invocations_per_workgroup = 256;
    return r;
}

static void test_null_pointers(void) {
    vyre_launch_policy p = policy();
    vyre_launch_request r = request();
    vyre_megakernel_config c;
    vyre_megakernel_config_init_default(&c, NULL);
    vyre_grid_limits l = {256, 65535, 256};
    vyre_launch_recommendation rec;
    vyre_launch_request req_out;
    vyre_topology_evidence te;
    vyre_promotion_evidence pe;
    vyre_launch_geometry g;
    uint32_t u;
    uint32_t grid[3];

    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_config_init_default(NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_policy_init_default(NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_sizing_policy_init_default(NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_config_validate(NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_policy_validate(NULL, ERR));

    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, grid, vyre_megakernel_config_dispatch_grid(NULL, 1, 1, grid, E));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_config_dispatch_grid(&c, 1, 1, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_sizing_dispatch_grid_for(1, 1, 1, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, req_out, vyre_megakernel_config_launch_request(NULL, 1, &l, &req_out, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, req_out, vyre_megakernel_config_launch_request(&c, 1, NULL, &req_out, E));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_config_launch_request(&c, 1, &l, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, req_out,
                          vyre_megakernel_config_launch_request_for_tasks(&c, NULL, 1, &l, &req_out, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, rec,
                          vyre_megakernel_config_launch_recommendation(&c, 1, NULL, &rec, E));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_config_launch_recommendation(&c, 1, &l, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, rec,
                          vyre_megakernel_config_launch_recommendation_for_tasks(NULL, NULL, 0, &l, &rec, E));

    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_geometry_from_item_count(1, 1, 1, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_geometry_from_slots(1, 1, 1, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, u, vyre_launch_geometry_covering_worker_groups(NULL, &u, E));
    vyre_launch_geometry_from_slots(300, 64, 256, &g, NULL);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_geometry_covering_worker_groups(&g, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_geometry_dispatch_config(&g, 0, NULL, ERR));
    vyre_grid_plan plan;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, plan, vyre_sizing_calculate_optimal_grid(1, 1, NULL, &plan, E));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_sizing_calculate_optimal_grid(1, 1, &l, NULL, ERR));

    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, rec, vyre_launch_policy_recommend(NULL, &r, &rec, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, rec, vyre_launch_policy_recommend(&p, NULL, &rec, E));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_policy_recommend(&p, &r, NULL, ERR));
    /* Two outputs: neither is written when the other is NULL. */
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, rec,
                          vyre_launch_policy_recommend_with_topology_evidence(&p, &r, &rec, NULL, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, te,
                          vyre_launch_policy_recommend_with_topology_evidence(&p, &r, NULL, &te, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, rec,
                          vyre_launch_policy_recommend_with_promotion_evidence(&p, &r, &rec, NULL, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, pe,
                          vyre_launch_policy_recommend_with_promotion_evidence(&p, &r, NULL, &pe, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, rec,
                          vyre_launch_policy_recommend_with_previous_topology(&p, NULL, 0, &rec, E));

    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, u,
                          vyre_launch_policy_autotune_hit_capacity_multiplier(&p, NULL, 2, NULL, 0, &u, E));
    double cost = 1.0;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, u,
                          vyre_launch_policy_autotune_workgroup_size(&p, NULL, 1, &cost, 1, 32, &u, E));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_policy_autotune_workgroup_size(&p, NULL, 0, NULL, 0, 32, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_launch_cache_get_stats(NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, u, vyre_topology_evidence_is_complete(NULL, &u, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, u, vyre_promotion_evidence_is_complete(NULL, &u, E));

    double out[2];
    size_t written = 7;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, out,
                          vyre_autotune_natural_gradient_step(NULL, 4, NULL, 2, 2, 1.0, out, 2, &written, E));
    CHECK(written == 7);
    double m[4] = {1, 0, 0, 1}, gr[2] = {1, 1};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, out,
                          vyre_autotune_natural_gradient_step(m, 4, gr, 2, 2, 1.0, out, 2, NULL, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, out,
                          vyre_priority_diffuse_across_siblings(NULL, 2, gr, 2, 0.5, 1, out, 2, &written, E));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_priority_requeue_accounting_record_requeue(NULL, 1, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_priority_requeue_accounting_record_aged_promotion(NULL, 1, ERR));
    vyre_priority_drain_recommendation d;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, d, vyre_priority_requeue_accounting_drain_recommendation(NULL, &d, E));

    /* out_error may be NULL: the status alone still reports the failure. */
    CHECK(vyre_launch_policy_recommend(&p, &r, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
}

static void test_invalid_enums_and_bps(void) {
    vyre_launch_policy p = policy();
    vyre_launch_request r = request();
    vyre_launch_recommendation rec;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec,
                          vyre_launch_policy_recommend_with_previous_topology(&p, &r, 6, &rec, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec,
                          vyre_launch_policy_recommend_with_previous_topology(&p, &r, UINT32_MAX, &rec, E));

    vyre_topology_evidence te;
    vyre_launch_policy_recommend_with_topology_evidence(&p, &r, &rec, &te, NULL);
    uint32_t complete;
    vyre_topology_evidence bad = te;
    bad.queue_pressure = 4;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_topology_evidence_is_complete(&bad, &complete, E));
    bad = te;
    bad.topology = 6;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_topology_evidence_is_complete(&bad, &complete, E));
    bad = te;
    bad.switch_class = 5;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_topology_evidence_is_complete(&bad, &complete, E));

    vyre_promotion_evidence pe;
    vyre_launch_policy_recommend_with_promotion_evidence(&p, &r, &rec, &pe, NULL);
    vyre_promotion_evidence bad_pe = pe;
    bad_pe.execution_mode = 2;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_promotion_evidence_is_complete(&bad_pe, &complete, E));
    bad_pe = pe;
    bad_pe.route = 5;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_promotion_evidence_is_complete(&bad_pe, &complete, E));
    /* Booleans are exactly 0 or 1: 2 is a corrupt record, not "true". */
    bad = te;
    bad.output_parity_required = 2;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_topology_evidence_is_complete(&bad, &complete, E));
    bad_pe = pe;
    bad_pe.output_parity_required = 2;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_promotion_evidence_is_complete(&bad_pe, &complete, E));
    bad_pe = pe;
    bad_pe.promote_hot_opcodes = 0xFFFFFFFFu;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_promotion_evidence_is_complete(&bad_pe, &complete, E));
    bad_pe = pe;
    bad_pe.promote_hot_windows = 2;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_promotion_evidence_is_complete(&bad_pe, &complete, E));
    bad_pe = pe;
    bad_pe.fused_descriptor_window_required = 3;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, complete, vyre_promotion_evidence_is_complete(&bad_pe, &complete, E));

    /* Basis points above 10000 in a request, a config or a policy. */
    vyre_launch_request bad_r = r;
    bad_r.frontier_density_bps = 10001;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec, vyre_launch_policy_recommend(&p, &bad_r, &rec, E));
    bad_r = r;
    bad_r.memory_pressure_bps = 70000; /* would wrap a 16-bit field */
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec, vyre_launch_policy_recommend(&p, &bad_r, &rec, E));
    vyre_megakernel_config c;
    vyre_megakernel_config_init_default(&c, NULL);
    c.workload.frontier_density_bps = 10001;
    vyre_grid_limits l = {256, 65535, 256};
    vyre_launch_request req_out;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, req_out, vyre_megakernel_config_launch_request(&c, 1, &l, &req_out, E));
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_config_validate(&c, ERR));
    vyre_launch_policy bad_p = p;
    bad_p.dense_frontier_threshold_bps = 10001;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_launch_policy_validate(&bad_p, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec, vyre_launch_policy_recommend(&bad_p, &r, &rec, E));
    bad_p = p;
    bad_p.sizing.max_dispatch_workgroups = 0;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec, vyre_launch_policy_recommend(&bad_p, &r, &rec, E));
    bad_p = p;
    bad_p.sizing.occupancy_divisor = 0;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_launch_policy_validate(&bad_p, ERR));
    uint32_t u;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, u,
                          vyre_launch_policy_autotune_hit_capacity_multiplier(&bad_p, NULL, 0, NULL, 0, &u, E));
}

static void test_zero_limits_and_config(void) {
    vyre_launch_policy p = policy();
    vyre_launch_recommendation rec;
    for (int which = 0; which < 3; which++) {
        vyre_launch_request r = request();
        if (which == 0) r.max_workgroup_size_x = 0;
        if (which == 1) r.max_compute_workgroups_per_dimension = 0;
        if (which == 2) r.max_compute_invocations_per_workgroup = 0;
        CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec, vyre_launch_policy_recommend(&p, &r, &rec, E));
        CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec,
                              vyre_launch_policy_recommend_with_previous_topology(&p, &r, VYRE_TOPOLOGY_EMPTY, &rec, E));
    }
    /* A zeroed request has zero limits. */
    vyre_launch_request zero;
    memset(&zero, 0, sizeof zero);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec, vyre_launch_policy_recommend(&p, &zero, &rec, E));
    vyre_grid_limits zl = {256, 0, 256};
    vyre_grid_plan plan;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, plan, vyre_sizing_calculate_optimal_grid(10, 0, &zl, &plan, E));
    vyre_megakernel_config c;
    vyre_megakernel_config_init_default(&c, NULL);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, rec, vyre_megakernel_config_launch_recommendation(&c, 10, &zl, &rec, E));

    /* Config validation: zero workers, zero wall time, and a zeroed struct. */
    c.worker_count = 0;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_config_validate(&c, ERR));
    vyre_megakernel_config_init_default(&c, NULL);
    c.max_wall_time_ns = 0;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_config_validate(&c, ERR));
    memset(&c, 0, sizeof c);
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_config_validate(&c, ERR));

    /* A zero workgroup size cannot cover anything. */
    vyre_launch_geometry g;
    memset(&g, 0, sizeof g);
    g.slot_count = 64;
    uint32_t groups;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, groups, vyre_launch_geometry_covering_worker_groups(&g, &groups, E));
}

static void test_overflow_oom_and_tasks(void) {
    vyre_launch_policy p = policy();
    vyre_launch_recommendation rec;
    vyre_launch_request r = request();
    r.queue_len = UINT32_MAX / 2;
    r.expected_hits_per_item = 3;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OVERFLOW, rec, vyre_launch_policy_recommend(&p, &r, &rec, E));
    r = request();
    r.resident_device_bytes = UINT64_MAX;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OVERFLOW, rec, vyre_launch_policy_recommend(&p, &r, &rec, E));
    r = request();
    r.resident_device_bytes = 1000;
    r.device_memory_budget_bytes = 1000;
    vyre_topology_evidence te;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_MEMORY, rec, vyre_launch_policy_recommend(&p, &r, &rec, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_MEMORY, te,
                          vyre_launch_policy_recommend_with_topology_evidence(&p, &r, &rec, &te, E));

    vyre_launch_geometry g;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OVERFLOW, g, vyre_launch_geometry_from_item_count(UINT32_MAX, 64, 256, &g, E));
    if (sizeof(size_t) > 4) {
        CHECK_FAILS_UNCHANGED(VYRE_ERROR_OVERFLOW, g,
                              vyre_launch_geometry_from_item_count((size_t)UINT32_MAX + 1, 1, 256, &g, E));
    }
    vyre_grid_limits l = {256, 65535, 256};
    vyre_grid_plan plan;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OVERFLOW, plan, vyre_sizing_calculate_optimal_grid(UINT32_MAX, 100, &l, &plan, E));

    /* Unknown task state word → malformed buffer, output untouched. */
    vyre_task tasks[2];
    memset(tasks, 0, sizeof tasks);
    tasks[0].state = VYRE_TASK_READY;
    tasks[1].state = 8;
    vyre_megakernel_config c;
    vyre_megakernel_config_init_default(&c, NULL);
    vyre_launch_request req_out;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, req_out,
                          vyre_megakernel_config_launch_request_for_tasks(&c, tasks, 2, &l, &req_out, E));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, rec,
                          vyre_megakernel_config_launch_recommendation_for_tasks(&c, tasks, 2, &l, &rec, E));
    vyre_error *err = NULL;
    vyre_megakernel_config_launch_request_for_tasks(&c, tasks, 2, &l, &req_out, &err);
    CHECK(err != NULL && strstr(vyre_error_message(err), "task 1") != NULL);
    vyre_error_free(err);

    /* Counters at their limit reject further events and stay unchanged. */
    vyre_priority_requeue_accounting a, before;
    memset(&a, 0, sizeof a);
    a.requeue_count = UINT64_MAX;
    a.max_priority_age = 1;
    memcpy(&before, &a, sizeof a);
    CHECK_STATUS(VYRE_ERROR_OVERFLOW, vyre_priority_requeue_accounting_record_requeue(&a, 99, ERR));
    CHECK(memcmp(&a, &before, sizeof a) == 0);
    a.requeue_count = 0;
    a.aged_promotions = UINT64_MAX;
    memcpy(&before, &a, sizeof a);
    CHECK_STATUS(VYRE_ERROR_OVERFLOW, vyre_priority_requeue_accounting_record_aged_promotion(&a, 99, ERR));
    CHECK(memcmp(&a, &before, sizeof a) == 0);
}

static void test_too_small_buffers(void) {
    double m[4] = {1, 0, 0, 1}, g[2] = {1, 1};
    double out[1];
    size_t written = 0;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, out,
                          vyre_autotune_natural_gradient_step(m, 4, g, 2, 2, 1.0, out, 1, &written, E));
    CHECK(written == 2);
    vyre_error *err = NULL;
    CHECK(vyre_autotune_natural_gradient_step(m, 4, g, 2, 2, 1.0, out, 1, &written, &err) == VYRE_ERROR_INSUFFICIENT_SIZE);
    CHECK(vyre_error_required_size(err) == 2);
    vyre_error_free(err);

    double x[3] = {1, 2, 3}, d[3] = {1, 1, 1};
    double small[2];
    written = 0;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, small,
                          vyre_priority_diffuse_across_siblings(x, 3, d, 3, 0.5, 1, small, 2, &written, E));
    CHECK(written == 3);
}

int main(void) {
    test_null_pointers();
    test_invalid_enums_and_bps();
    test_zero_limits_and_config();
    test_overflow_oom_and_tasks();
    test_too_small_buffers();
    TEST_MAIN_END();
}
