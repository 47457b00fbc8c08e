/* Device loss through the C API: vyre_device_debug_destroy destroys the wgpu device for
 * real; dispatches detect it and rebuild (reported in stats), or fail with
 * VYRE_ERROR_DEVICE_LOST when recovery is disabled, leaving buffers unchanged. */
#include "gpu_util.h"

int main(void) {
    vyre_device *dev = gu_open_device();
    vyre_megakernel *mk = NULL;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_bootstrap(dev, &mk, ERR));
    size_t clen = 0;
    uint32_t *control = gu_control(1, 16, &clen);
    uint32_t *ring = calloc(256, 64);
    uint32_t *log = calloc(257, 4);
    for (uint32_t i = 0; i < 100; i++) {
        uint32_t args[2] = {1, 170};
        gu_publish(ring, i, 0, 2, GU_ATOMIC_ADD, args, 2);
    }
    vyre_dispatch_buffers db;
    memset(&db, 0, sizeof db);
    db.control.data = (uint8_t *)control;
    db.control.len = clen;
    db.ring.data = (uint8_t *)ring;
    db.ring.len = 256 * 64;
    db.debug_log.data = (uint8_t *)log;
    db.debug_log.len = 257 * 4;

    vyre_resident *set = NULL;
    CHECK_STATUS(VYRE_OK, vyre_resident_create(mk, NULL, &set, ERR));
    CHECK_STATUS(VYRE_OK, vyre_resident_write(set, VYRE_BUFFER_CONTROL, 0, (uint8_t *)control, clen, ERR));
    CHECK_STATUS(VYRE_OK, vyre_resident_write(set, VYRE_BUFFER_RING, 0, (uint8_t *)ring, 256 * 64, ERR));
    vyre_dispatch_stats s;
    CHECK_STATUS(VYRE_OK, vyre_resident_dispatch(set, NULL, &s, ERR));
    CHECK(s.done == 100 && s.recovered == 0);

    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_device_debug_destroy(NULL, ERR));
    CHECK_STATUS(VYRE_OK, vyre_device_debug_destroy(dev, ERR));

    /* Recovery disabled: DEVICE_LOST, nothing modified. */
    uint32_t *ring_copy = malloc(256 * 64);
    memcpy(ring_copy, ring, 256 * 64);
    vyre_dispatch_options o;
    memset(&o, 0, sizeof o);
    o.flags = VYRE_DISPATCH_NO_RECOVERY;
    memset(&s, 0x3C, sizeof s);
    vyre_dispatch_stats s_before = s;
    vyre_error *err = NULL;
    CHECK(vyre_megakernel_dispatch_ex(mk, &db, &o, &s, &err) == VYRE_ERROR_DEVICE_LOST);
    CHECK(strstr(vyre_error_message(err), "lost") != NULL);
    vyre_error_free(err);
    CHECK(memcmp(ring, ring_copy, 256 * 64) == 0 && memcmp(&s, &s_before, sizeof s) == 0);

    /* Default policy: rebuilt and retried once. */
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_ex(mk, &db, NULL, &s, ERR));
    CHECK(s.recovered == 1 && s.done == 100 && control[170] == 100);
    uint64_t gen = 0;
    CHECK_STATUS(VYRE_OK, vyre_device_generation(dev, &gen, ERR));
    CHECK(gen == 2);

    /* The resident set is rebuilt from its host mirror on its next dispatch. */
    CHECK_STATUS(VYRE_OK, vyre_resident_dispatch(set, NULL, &s, ERR));
    CHECK(s.done == 100 && s.recovered == 1);
    uint32_t w = 0;
    CHECK_STATUS(VYRE_OK, vyre_resident_read(set, VYRE_BUFFER_CONTROL, 170 * 4, (uint8_t *)&w, 4, ERR));
    CHECK(w == 100);

    vyre_resident_destroy(set);
    vyre_megakernel_destroy(mk);
    vyre_device_destroy(dev);
    free(ring_copy);
    free(control);
    free(ring);
    free(log);
    TEST_MAIN_END();
}
