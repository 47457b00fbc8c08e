/* Devices, adapters and megakernel creation through the C API (runs on lavapipe in CI). */
#define _POSIX_C_SOURCE 200809L
#include "gpu_util.h"

_Static_assert(sizeof(vyre_adapter_info) == 568, "vyre_adapter_info layout");
_Static_assert(sizeof(vyre_dispatch_options) == 32, "vyre_dispatch_options layout");
_Static_assert(sizeof(vyre_dispatch_stats) == 112, "vyre_dispatch_stats layout");

static void test_list_adapters(void) {
    size_t n = 0;
    CHECK_STATUS(VYRE_OK, vyre_device_list_adapters(NULL, 0, &n, ERR));
    CHECK(n >= 1);
    vyre_adapter_info one;
    memset(&one, 0xAB, sizeof one);
    vyre_adapter_info before = one;
    size_t need = 0;
    vyre_error *err = NULL;
    if (n > 1) {
        CHECK(vyre_device_list_adapters(&one, 1, &need, &err) == VYRE_ERROR_INSUFFICIENT_SIZE);
        CHECK(need == n && vyre_error_required_size(err) == n);
        CHECK(memcmp(&one, &before, sizeof one) == 0);
        vyre_error_free(err);
    }
    vyre_adapter_info *all = calloc(n, sizeof *all);
    CHECK_STATUS(VYRE_OK, vyre_device_list_adapters(all, n, &need, ERR));
    CHECK(need == n);
    for (size_t i = 0; i < n; i++) {
        CHECK(all[i].name[0] != '\0');
        CHECK(all[i].backend >= VYRE_BACKEND_VULKAN && all[i].backend <= VYRE_BACKEND_NOOP);
        CHECK(all[i].device_type >= VYRE_DEVICE_TYPE_DISCRETE && all[i].device_type <= VYRE_DEVICE_TYPE_OTHER);
        CHECK(all[i].max_storage_buffer_binding_size >= 128u * 1024 * 1024);
        printf("adapter %zu: %s (backend %u, type %u)\n", i, all[i].name, all[i].backend, all[i].device_type);
    }
    free(all);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_device_list_adapters(NULL, 0, NULL, ERR));
}

static void test_device_selection(void) {
    vyre_device *dev = NULL;
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_device_create(NULL, NULL, ERR));
    vyre_device_options opts = {0};
    opts.adapter = "no-such-adapter-anywhere";
    vyre_error *err = NULL;
    CHECK(vyre_device_create(&opts, &dev, &err) == VYRE_ERROR_NO_ADAPTER);
    CHECK(dev == NULL);
    CHECK(strstr(vyre_error_message(err), "adapters seen") != NULL);
    vyre_error_free(err);
    opts.adapter = "vendor:nvidia";
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_device_create(&opts, &dev, ERR));
    opts.adapter = NULL;
    opts.flags = 1;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_device_create(&opts, &dev, ERR));
    CHECK(dev == NULL);

    /* The environment variable selects when the option is NULL. */
    setenv("VYRE_ADAPTER", "type:virtual,name:zzz-none", 1);
    CHECK_STATUS(VYRE_ERROR_NO_ADAPTER, vyre_device_create(NULL, &dev, ERR));
    unsetenv("VYRE_ADAPTER");

    /* Select the first listed adapter by its name. */
    vyre_adapter_info first;
    size_t n = 1;
    vyre_adapter_info *all = NULL;
    CHECK_STATUS(VYRE_OK, vyre_device_list_adapters(NULL, 0, &n, ERR));
    all = calloc(n, sizeof *all);
    CHECK_STATUS(VYRE_OK, vyre_device_list_adapters(all, n, &n, ERR));
    first = all[0];
    free(all);
    char sel[300];
    snprintf(sel, sizeof sel, "name:%s", first.name);
    opts.flags = 0;
    opts.adapter = sel;
    CHECK_STATUS(VYRE_OK, vyre_device_create(&opts, &dev, ERR));
    vyre_adapter_info info;
    CHECK_STATUS(VYRE_OK, vyre_device_info(dev, &info, ERR));
    CHECK(strcmp(info.name, first.name) == 0);
    uint64_t gen = 0;
    CHECK_STATUS(VYRE_OK, vyre_device_generation(dev, &gen, ERR));
    CHECK(gen == 1);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_device_info(NULL, &info, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_device_info(dev, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_device_generation(dev, NULL, ERR));
    vyre_device_destroy(dev);
    vyre_device_destroy(NULL);
}

static void test_megakernel_accessors(vyre_device *dev) {
    vyre_megakernel *mk = NULL;
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_bootstrap(NULL, &mk, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_bootstrap(dev, NULL, ERR));
    CHECK_STATUS(VYRE_OK, vyre_megakernel_bootstrap(dev, &mk, ERR));
    CHECK(vyre_megakernel_slot_count(mk) == VYRE_MEGAKERNEL_DEFAULT_SLOT_COUNT);
    CHECK(vyre_megakernel_workgroup_size_x(mk) == VYRE_MEGAKERNEL_DEFAULT_WORKGROUP_SIZE_X);
    CHECK(vyre_megakernel_worker_groups(mk) == 1);
    CHECK(vyre_megakernel_slot_count(NULL) == 0);

    size_t need = 0;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_pipeline_id(mk, NULL, 0, &need, ERR));
    CHECK(need > 16);
    char small[4] = "xyz";
    size_t got = 0;
    CHECK_STATUS(VYRE_ERROR_INSUFFICIENT_SIZE, vyre_megakernel_pipeline_id(mk, small, sizeof small, &got, ERR));
    CHECK(got == need && strcmp(small, "xyz") == 0);
    char id[128];
    CHECK_STATUS(VYRE_OK, vyre_megakernel_pipeline_id(mk, id, sizeof id, &got, ERR));
    CHECK(strncmp(id, "vyre-megakernel-", 16) == 0 && strlen(id) + 1 == need);

    /* Same source => same cached pipeline id. */
    vyre_megakernel *again = NULL;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_create(dev, NULL, &again, ERR));
    char id2[128];
    CHECK_STATUS(VYRE_OK, vyre_megakernel_pipeline_id(again, id2, sizeof id2, &got, ERR));
    CHECK(strcmp(id, id2) == 0);
    vyre_megakernel_destroy(again);

    vyre_megakernel *sharded = NULL;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_bootstrap_sharded(dev, 300, 64, NULL, 0, &sharded, ERR));
    CHECK(vyre_megakernel_slot_count(sharded) == 300 && vyre_megakernel_workgroup_size_x(sharded) == 64);
    CHECK(vyre_megakernel_worker_groups(sharded) == 5);
    CHECK_STATUS(VYRE_OK, vyre_megakernel_pipeline_id(sharded, id2, sizeof id2, &got, ERR));
    CHECK(strcmp(id, id2) != 0);
    vyre_megakernel_destroy(sharded);
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_bootstrap_sharded(dev, 256, 0, NULL, 0, &sharded, ERR));
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_bootstrap_sharded(dev, 256, 1u << 20, NULL, 0, &sharded, ERR));

    uint32_t groups = 0;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_worker_groups_for_geometry(300, 64, &groups, ERR));
    CHECK(groups == 5);
    CHECK_STATUS(VYRE_OK, vyre_megakernel_worker_groups_for_geometry(1u << 30, 256, &groups, ERR));
    CHECK(groups == 1024);
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_worker_groups_for_geometry(0, 64, &groups, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_worker_groups_for_geometry(1, 1, NULL, ERR));

    vyre_megakernel_options o;
    memset(&o, 0, sizeof o);
    uint32_t kinds[2] = {VYRE_EXTRA_READ_ONLY, 7};
    o.extra_buffer_kinds = kinds;
    o.extra_buffer_count = 2;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_create(dev, &o, &sharded, ERR));
    o.extra_buffer_kinds = NULL;
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_create(dev, &o, &sharded, ERR));
    o.extra_buffer_count = 0;
    o.reserved = 1;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_create(dev, &o, &sharded, ERR));
    vyre_megakernel_destroy(mk);
    vyre_megakernel_destroy(NULL);
}

int main(void) {
    test_list_adapters();
    test_device_selection();
    vyre_device *dev = gu_open_device();
    test_megakernel_accessors(dev);
    vyre_device_destroy(dev);
    TEST_MAIN_END();
}
