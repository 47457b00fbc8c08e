/* launch-sizing: size a megakernel launch from adapter limits with vyre's launch policy.
 *
 * A real program reads the limits from its GPU adapter (wgpu Limits, Vulkan
 * VkPhysicalDeviceLimits, or vyre's device API); here they are hard-coded so the example
 * runs anywhere. Usage: launch-sizing [QUEUE_LEN [RESIDENT_BYTES BUDGET_BYTES]] */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include "vyre.h"

/* Print an error's status and message, then release it. */
static int fail(const char *what, vyre_status status, vyre_error *err) {
    fprintf(stderr, "%s failed: %s: %s\n", what, vyre_status_string(status), vyre_error_message(err));
    vyre_error_free(err);
    return 1;
}

int main(int argc, char **argv) {
    uint32_t queue_len = argc > 1 ? (uint32_t)strtoul(argv[1], NULL, 0) : 100000;

    /* 1. Adapter limits (example values of a large discrete GPU under Vulkan). */
    vyre_grid_limits limits = {
        .max_workgroup_size_x = 1024,
        .max_compute_workgroups_per_dimension = 65535,
        .max_compute_invocations_per_workgroup = 1024,
    };

    /* 2. A dispatch config: defaults (64 workers, 60 s), then what we know about the work. */
    vyre_megakernel_config config;
    vyre_error *err = NULL;
    vyre_status st = vyre_megakernel_config_init_default(&config, &err);
    if (st != VYRE_OK) return fail("vyre_megakernel_config_init_default", st, err);
    config.expected_items_per_worker = 2; /* about two hits per scanned item */
    if (argc > 3) {                       /* optional device memory budget */
        config.workload.resident_device_bytes = strtoull(argv[2], NULL, 0);
        config.workload.device_memory_budget_bytes = strtoull(argv[3], NULL, 0);
    }

    /* 3. Ask the standard policy. Errors (zero limits, over budget, ...) come back as a
     *    status plus an error object whose message says what to change. */
    vyre_launch_recommendation rec;
    st = vyre_megakernel_config_launch_recommendation(&config, queue_len, &limits, &rec, &err);
    if (st != VYRE_OK) return fail("vyre_megakernel_config_launch_recommendation", st, err);

    /* 4. Use it: compile/launch with workgroup_size_x lanes, submit dispatch_grid,
     *    size the ring to slot_count and the hit buffer to hit_capacity. */
    printf("queue_len            %" PRIu32 "\n", queue_len);
    printf("workgroup_size_x     %" PRIu32 "\n", rec.geometry.workgroup_size_x);
    printf("slot_count           %" PRIu32 "\n", rec.geometry.slot_count);
    printf("dispatch_grid        %" PRIu32 " x %" PRIu32 " x %" PRIu32 "\n", rec.geometry.dispatch_grid[0],
           rec.geometry.dispatch_grid[1], rec.geometry.dispatch_grid[2]);
    printf("worker_groups        %" PRIu32 "\n", rec.worker_groups);
    printf("hit_capacity         %" PRIu32 "\n", rec.hit_capacity);
    printf("pressure             %s\n", vyre_queue_pressure_name(rec.pressure));
    printf("topology             %s\n", vyre_topology_name(rec.topology));
    printf("execution_mode       %s (%s)\n", vyre_execution_mode_name(rec.execution_mode),
           vyre_promotion_route_name(rec.promotion_route));
    printf("peak_device_bytes    %" PRIu64 "\n", rec.estimated_peak_device_bytes);

    /* 5. The next launch: pass the previous topology so borderline telemetry does not
     *    flip kernel variants (±250 bps hysteresis). */
    vyre_launch_policy policy;
    vyre_launch_request request;
    vyre_launch_policy_init_default(&policy, NULL);
    st = vyre_megakernel_config_launch_request(&config, queue_len, &limits, &request, &err);
    if (st != VYRE_OK) return fail("vyre_megakernel_config_launch_request", st, err);
    st = vyre_launch_policy_recommend_with_previous_topology(&policy, &request, rec.topology, &rec, &err);
    if (st != VYRE_OK) return fail("vyre_launch_policy_recommend_with_previous_topology", st, err);
    printf("next topology        %s\n", vyre_topology_name(rec.topology));
    return 0;
}
