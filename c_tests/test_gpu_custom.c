/* Custom opcodes, extra buffers and the fused variant through the C API; WGSL errors come
 * back as VYRE_ERROR_SHADER with naga's message, reserved ids as INVALID_ARGUMENT. */
#include "gpu_util.h"

static const char *SCALE =
    "fn scale(slot: u32) -> u32 {\n"
    "    let i = vyre_arg(0u);\n"
    "    if i >= arrayLength(&user0) || i >= arrayLength(&user1) {\n"
    "        return vyre_fault(VYRE_FAULT_OUT_OF_BOUNDS);\n"
    "    }\n"
    "    user1[i] = user0[i] * vyre_arg(1u);\n"
    "    return VYRE_DONE;\n"
    "}\n";

static void test_custom_with_extra_buffers(vyre_device *dev) {
    vyre_custom_opcode op = {0x1234, 0, "scale", SCALE};
    uint32_t kinds[2] = {VYRE_EXTRA_READ_ONLY, VYRE_EXTRA_READ_WRITE};
    vyre_megakernel_options o;
    memset(&o, 0, sizeof o);
    o.opcodes = &op;
    o.opcode_count = 1;
    o.extra_buffer_kinds = kinds;
    o.extra_buffer_count = 2;
    o.slot_count = 64;
    o.workgroup_size_x = 64;
    vyre_megakernel *mk = NULL;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_create(dev, &o, &mk, ERR));
    if (!mk) return;

    size_t clen = 0;
    uint32_t *control = gu_control(1, 8, &clen);
    uint32_t *ring = calloc(64, 64);
    uint32_t *log = calloc(5, 4);
    uint32_t in[40], out[40];
    for (uint32_t i = 0; i < 40; i++) {
        in[i] = i + 1;
        out[i] = 0;
        uint32_t args[2] = {i, 3};
        gu_publish(ring, i, 0, 2, 0x1234, args, 2);
    }
    uint32_t oob[2] = {40, 3};
    gu_publish(ring, 40, 0, 2, 0x1234, oob, 2);
    vyre_buffer extras[2] = {{(uint8_t *)in, sizeof in}, {(uint8_t *)out, sizeof out}};
    vyre_dispatch_buffers db;
    memset(&db, 0, sizeof db);
    db.control.data = (uint8_t *)control;
    db.control.len = clen;
    db.ring.data = (uint8_t *)ring;
    db.ring.len = 64 * 64;
    db.debug_log.data = (uint8_t *)log;
    db.debug_log.len = 5 * 4;
    db.extras = extras;
    db.extra_count = 2;
    vyre_dispatch_stats s;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_ex(mk, &db, NULL, &s, ERR));
    for (uint32_t i = 0; i < 40; i++) CHECK(out[i] == 3 * (i + 1));
    CHECK(s.done == 40 && s.faulted == 1);
    CHECK(ring[40 * 16] == GU_FAULT && ring[40 * 16 + 15] == 2 /* OUT_OF_BOUNDS */);
    /* Missing extra buffers: refused before anything runs. */
    db.extra_count = 1;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_dispatch_ex(mk, &db, NULL, &s, ERR));
    free(control);
    free(ring);
    free(log);
    vyre_megakernel_destroy(mk);
}

static void test_errors(vyre_device *dev) {
    vyre_megakernel *mk = NULL;
    vyre_custom_opcode bad = {9, 0, "f", "fn f(slot: u32) -> u32 { return 1u + ; }"};
    vyre_error *err = NULL;
    CHECK(vyre_megakernel_bootstrap_with_opcodes(dev, &bad, 1, &mk, &err) == VYRE_ERROR_SHADER);
    CHECK(strstr(vyre_error_message(err), "error") != NULL && strstr(vyre_error_message(err), "megakernel.wgsl") != NULL);
    vyre_error_free(err);
    CHECK(mk == NULL);
    vyre_custom_opcode reserved = {0xFFFE, 0, "f", "fn f(slot: u32) -> u32 { return VYRE_DONE; }"};
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_bootstrap_with_opcodes(dev, &reserved, 1, &mk, ERR));
    reserved.opcode = 0xFFF0; /* the scanner range is not open to callers */
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_bootstrap_with_opcodes(dev, &reserved, 1, &mk, ERR));
    reserved.opcode = 3;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_bootstrap_sharded(dev, 64, 64, &reserved, 1, &mk, ERR));
    vyre_custom_opcode null_src = {9, 0, "f", NULL};
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_bootstrap_with_opcodes(dev, &null_src, 1, &mk, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_bootstrap_with_opcodes(dev, NULL, 1, &mk, ERR));
    vyre_custom_opcode nonzero = {9, 1, "f", "fn f(slot: u32) -> u32 { return VYRE_DONE; }"};
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_bootstrap_with_opcodes(dev, &nonzero, 1, &mk, ERR));
    CHECK_STATUS(VYRE_ERROR_SHADER, vyre_megakernel_bootstrap_fused(dev, 64, 64, "p", "fn p(x: f32) -> u32 { return 0u; }", &mk, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_bootstrap_fused(dev, 64, 64, "p", NULL, &mk, ERR));
    CHECK(mk == NULL);
}

static void test_fused(vyre_device *dev) {
    vyre_megakernel *mk = NULL;
    const char *payload =
        "fn count_it(slot: u32) -> u32 {\n"
        "    atomicAdd(&control[170], vyre_arg(0u));\n"
        "    return VYRE_DONE;\n"
        "}\n";
    CHECK_STATUS(VYRE_OK, vyre_megakernel_bootstrap_fused(dev, 1024, 128, "count_it", payload, &mk, ERR));
    if (!mk) return;
    CHECK(vyre_megakernel_worker_groups(mk) == 8);
    size_t clen = 0;
    uint32_t *control = gu_control(1, 16, &clen);
    uint32_t *ring = calloc(1024, 64);
    uint32_t *log = calloc(5, 4);
    for (uint32_t i = 0; i < 1024; i++) {
        uint32_t args[1] = {i};
        gu_publish(ring, i, 0, i % 5, 0x5555 /* any opcode: the payload runs for all */, args, 1);
    }
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch(mk, (uint8_t *)control, clen, (uint8_t *)ring, 1024 * 64,
                                                   (uint8_t *)log, 5 * 4, ERR));
    CHECK(control[170] == 1023u * 1024u / 2u && control[1] == 1024);
    free(control);
    free(ring);
    free(log);
    vyre_megakernel_destroy(mk);
}

int main(void) {
    vyre_device *dev = gu_open_device();
    test_custom_with_extra_buffers(dev);
    test_errors(dev);
    test_fused(dev);
    vyre_device_destroy(dev);
    TEST_MAIN_END();
}
