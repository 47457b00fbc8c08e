/* Protocol C API: control buffer, tenants, opcode classes (SPEC §1.1, §1.5). Every
 * exported function: success path and each error path; failures leave buffers as
 * they were. */
#include "protocol_test.h"

#define OBS 4
#define CTRL_BYTES ((160 + OBS) * 4)

static void encode(uint8_t *buf, uint32_t tenants, uint32_t ring_slots) {
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_control_encode(0, tenants, OBS, ring_slots, buf, CTRL_BYTES, &written, ERR));
    CHECK(written == CTRL_BYTES);
}

static void test_pinned_constants(void) {
    CHECK(VYRE_CONTROL_WORDS == 160 && VYRE_SLOT_WORDS == 16 && VYRE_SLOT_BYTES == 64);
    CHECK(VYRE_SLOT_MAX_ARGS == 12 && VYRE_IO_SLOT_WORDS == 8 && VYRE_DEBUG_RECORD_WORDS == 4);
    CHECK(VYRE_MAX_TENANTS == 928 && VYRE_MAX_RING_SLOTS == 1048576 && VYRE_PACKED_MAX_OPS == 23);
    CHECK(VYRE_CONTROL_WORD_EPOCH == 128 && VYRE_CONTROL_WORD_PRIORITY_OFFSETS == 129);
    CHECK(VYRE_CONTROL_WORD_FAULT_COUNT == 141 && VYRE_CONTROL_WORD_OBSERVABLE == 160);
    CHECK(VYRE_CONTROL_WORD_METRICS == 96 && VYRE_CONTROL_WORD_TENANT_QUOTA == 32);
    CHECK(VYRE_STATE_FAULT == 7 && VYRE_IO_STATUS_OK == 0x10 && VYRE_IO_STATUS_ERROR == 0x11);
    CHECK(VYRE_OP_BATCH_FENCE == 7 && VYRE_OP_LOAD_MISS == 0xFFFD && VYRE_OP_PRINTF == 0xFFFE);
    CHECK(VYRE_OP_PACKED_SLOT == 0x80000001u && VYRE_OP_SHUTDOWN == 0xFFFFFFFFu);
    CHECK(VYRE_PRIORITY_CRITICAL == 0 && VYRE_PRIORITY_IDLE == 4);
}

static void test_control_encode(void) {
    uint8_t buf[CTRL_BYTES + 8];
    size_t written = 0;
    /* Size query. */
    CHECK_STATUS(VYRE_OK, vyre_control_encode(0, 1, OBS, 0, NULL, 0, &written, ERR));
    CHECK(written == CTRL_BYTES);
    /* Success: shutdown, 40 tenants, default partitions for 40 slots. */
    memset(buf, 0xAB, sizeof buf);
    CHECK_STATUS(VYRE_OK, vyre_control_encode(1, 40, OBS, 40, buf, sizeof buf, &written, ERR));
    CHECK(written == CTRL_BYTES);
    CHECK(rd(buf, 0) == 1 && rd(buf, 1) == 0 && rd(buf, 2) == 3);
    CHECK(rd(buf, 3) == 0xFFFFFFFFu && rd(buf, 4) == 0xFF && rd(buf, 5) == 0);
    CHECK(rd(buf, 32) == 0 && rd(buf, 63) == 0); /* quotas: 0 = unlimited */
    uint32_t want[6] = {0, 8, 16, 24, 32, 40};
    for (int i = 0; i < 6; i++) CHECK(rd(buf, 129 + i) == want[i]);
    CHECK(rd(buf, 141) == 0 && rd(buf, 163) == 0);
    CHECK(buf[CTRL_BYTES] == 0xAB); /* nothing past the length */
    /* 928 tenants fill the whole bitmap. */
    CHECK_STATUS(VYRE_OK, vyre_control_encode(0, 928, OBS, 0, buf, sizeof buf, &written, ERR));
    CHECK(rd(buf, 31) == 0xFFFFFFFFu && rd(buf, 32) == 0 && rd(buf, 134) == 0);

    /* Errors leave the buffer unchanged. */
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, buf, sizeof buf,
                          vyre_control_encode(0, 1, OBS, 0, buf, sizeof buf, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, buf, sizeof buf,
                          vyre_control_encode(2, 1, OBS, 0, buf, sizeof buf, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, buf, sizeof buf,
                          vyre_control_encode(0, 929, OBS, 0, buf, sizeof buf, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, buf, sizeof buf,
                          vyre_control_encode(0, 1, VYRE_MAX_OBSERVABLE_SLOTS + 1, 0, buf, sizeof buf, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, buf, sizeof buf,
                          vyre_control_encode(0, 1, OBS, VYRE_MAX_RING_SLOTS + 1, buf, sizeof buf, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, buf, sizeof buf,
                          vyre_control_encode(0, 1, OBS, 0, buf, CTRL_BYTES - 1, &written, ERR));
    CHECK_TOO_SMALL(CTRL_BYTES, vyre_control_encode(0, 1, OBS, 0, buf, 16, &written, &err));
    /* Bad arguments are reported even for a size query. */
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_control_encode(0, 929, OBS, 0, NULL, 0, &written, ERR));
}

static void test_control_writers(void) {
    uint8_t c[CTRL_BYTES];
    encode(c, 1, 0);
    /* set_shutdown */
    CHECK_STATUS(VYRE_OK, vyre_control_set_shutdown(c, sizeof c, 1, ERR));
    CHECK(rd(c, 0) == 1);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_set_shutdown(NULL, sizeof c, 1, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, c, sizeof c, vyre_control_set_shutdown(c, sizeof c, 7, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, c, sizeof c, vyre_control_set_shutdown(c, 159 * 4, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, c, sizeof c, vyre_control_set_shutdown(c, sizeof c - 2, 0, ERR));

    /* set_priority_partitions: 40 slots → 0,8,16,24,32,40; 42 → remainder to NORMAL. */
    CHECK_STATUS(VYRE_OK, vyre_control_set_priority_partitions(c, sizeof c, 42, ERR));
    uint32_t want42[6] = {0, 8, 16, 26, 34, 42};
    for (int i = 0; i < 6; i++) CHECK(rd(c, 129 + i) == want42[i]);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_set_priority_partitions(NULL, 4, 40, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, c, sizeof c,
                          vyre_control_set_priority_partitions(c, sizeof c, VYRE_MAX_RING_SLOTS + 1, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, c, sizeof c, vyre_control_set_priority_partitions(c, 100, 40, ERR));

    /* set_priority_offsets / read_priority_offsets */
    uint32_t table[6] = {0, 1, 2, 3, 4, 9};
    CHECK_STATUS(VYRE_OK, vyre_control_set_priority_offsets(c, sizeof c, table, 6, ERR));
    uint32_t back[6] = {0};
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_control_read_priority_offsets(c, sizeof c, back, 6, &written, ERR));
    CHECK(written == 6 && memcmp(back, table, sizeof table) == 0);
    uint32_t bad[6] = {0, 5, 4, 6, 7, 8};
    uint32_t huge[6] = {0, 0, 0, 0, 0, VYRE_MAX_RING_SLOTS + 1};
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_set_priority_offsets(NULL, sizeof c, table, 6, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, c, sizeof c, vyre_control_set_priority_offsets(c, sizeof c, NULL, 6, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, c, sizeof c, vyre_control_set_priority_offsets(c, sizeof c, table, 5, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, c, sizeof c, vyre_control_set_priority_offsets(c, sizeof c, bad, 6, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, c, sizeof c, vyre_control_set_priority_offsets(c, sizeof c, huge, 6, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, c, sizeof c, vyre_control_set_priority_offsets(c, 3, table, 6, ERR));

    CHECK_STATUS(VYRE_OK, vyre_control_read_priority_offsets(c, sizeof c, NULL, 0, &written, ERR));
    CHECK(written == 6);
    uint32_t small[5] = {7, 7, 7, 7, 7};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, small, sizeof small,
                          vyre_control_read_priority_offsets(c, sizeof c, small, 5, &written, ERR));
    CHECK_TOO_SMALL(6, vyre_control_read_priority_offsets(c, sizeof c, small, 5, &written, &err));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_priority_offsets(c, sizeof c, back, 6, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_priority_offsets(NULL, sizeof c, back, 6, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, back, sizeof back,
                          vyre_control_read_priority_offsets(c, 10, back, 6, &written, ERR));
}

typedef vyre_status (*reader_fn)(const uint8_t *, size_t, uint32_t *, vyre_error **);

/* Success + NULL + malformed paths of a plain word reader. */
static void check_reader(reader_fn f, uint8_t *c, size_t word, uint32_t value) {
    wr(c, word, value);
    uint32_t out = 0;
    CHECK_STATUS(VYRE_OK, f(c, CTRL_BYTES, &out, ERR));
    CHECK(out == value);
    out = 12345;
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, f(c, CTRL_BYTES, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, f(NULL, CTRL_BYTES, &out, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, f(c, 159 * 4, &out, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, f(c, CTRL_BYTES - 1, &out, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, f(NULL, 0, &out, ERR));
    CHECK(out == 12345); /* outputs untouched on failure */
}

static void test_control_readers(void) {
    uint8_t c[CTRL_BYTES];
    encode(c, 1, 0);
    check_reader(vyre_control_read_done_count, c, 1, 11);
    check_reader(vyre_control_read_epoch, c, 128, 22);
    check_reader(vyre_control_read_fault_count, c, 141, 33);
    check_reader(vyre_control_read_shutdown, c, 0, 1);
    uint32_t out = 0;
    CHECK_STATUS(VYRE_OK, vyre_control_observable_count(c, sizeof c, &out, ERR));
    CHECK(out == OBS);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_observable_count(c, sizeof c, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_control_observable_count(c, 40, &out, ERR));

    /* Observable words and any control word by index, strictly bounds-checked. */
    wr(c, 160 + 3, 55);
    CHECK_STATUS(VYRE_OK, vyre_control_read_observable(c, sizeof c, 3, &out, ERR));
    CHECK(out == 55);
    out = 9;
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_control_read_observable(c, sizeof c, OBS, &out, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_observable(c, sizeof c, 0, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_observable(NULL, sizeof c, 0, &out, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_control_read_observable(c, sizeof c - 3, 0, &out, ERR));
    CHECK(out == 9);
    wr(c, 135, 77);
    CHECK_STATUS(VYRE_OK, vyre_control_read_word(c, sizeof c, 135, &out, ERR));
    CHECK(out == 77);
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_control_read_word(c, sizeof c, 164, &out, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_word(c, sizeof c, 0, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_word(NULL, sizeof c, 0, &out, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_control_read_word(c, 8, 0, &out, ERR));

    /* Per-opcode metrics: 32 counters indexed by opcode. */
    wr(c, 96 + VYRE_OP_STORE_U32, 5);
    wr(c, 96 + 31, 6);
    uint32_t m[32];
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_control_read_metrics(c, sizeof c, NULL, 0, &written, ERR));
    CHECK(written == 32);
    CHECK_STATUS(VYRE_OK, vyre_control_read_metrics(c, sizeof c, m, 32, &written, ERR));
    CHECK(written == 32 && m[1] == 5 && m[31] == 6 && m[0] == 0);
    uint32_t small[31];
    memset(small, 0x3C, sizeof small);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, small, sizeof small,
                          vyre_control_read_metrics(c, sizeof c, small, 31, &written, ERR));
    CHECK_TOO_SMALL(32, vyre_control_read_metrics(c, sizeof c, small, 31, &written, &err));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_metrics(c, sizeof c, m, 32, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_control_read_metrics(NULL, sizeof c, m, 32, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, m, sizeof m, vyre_control_read_metrics(c, 600, m, 32, &written, ERR));
}

static void test_tenants(void) {
    uint8_t c[CTRL_BYTES];
    encode(c, 33, 0);
    uint32_t allowed = 9;
    CHECK_STATUS(VYRE_OK, vyre_tenant_is_allowed(c, sizeof c, 32, &allowed, ERR));
    CHECK(allowed == 1);
    CHECK_STATUS(VYRE_OK, vyre_tenant_is_allowed(c, sizeof c, 33, &allowed, ERR));
    CHECK(allowed == 0);
    /* FIX: a 928-tenant bitmap; 927 is valid, 928 is not. */
    CHECK_STATUS(VYRE_OK, vyre_tenant_set_allowed(c, sizeof c, 927, 1, ERR));
    CHECK(rd(c, 31) == 0x80000000u);
    CHECK_STATUS(VYRE_OK, vyre_tenant_is_allowed(c, sizeof c, 927, &allowed, ERR));
    CHECK(allowed == 1);
    CHECK_STATUS(VYRE_OK, vyre_tenant_set_allowed(c, sizeof c, 0, 0, ERR));
    CHECK(rd(c, 3) == 0xFFFFFFFEu);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, c, sizeof c, vyre_tenant_set_allowed(c, sizeof c, 928, 1, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, c, sizeof c, vyre_tenant_set_allowed(c, sizeof c, 5, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, c, sizeof c, vyre_tenant_set_allowed(c, 64, 5, 1, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_set_allowed(NULL, sizeof c, 5, 1, ERR));
    allowed = 9;
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_tenant_is_allowed(c, sizeof c, 928, &allowed, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_is_allowed(c, sizeof c, 1, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_is_allowed(NULL, sizeof c, 1, &allowed, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_tenant_is_allowed(c, 1, 1, &allowed, ERR));
    CHECK(allowed == 9);

    /* Quotas (t < 32, 0 = unlimited) and claim counters. */
    uint32_t q = 1;
    CHECK_STATUS(VYRE_OK, vyre_tenant_read_quota(c, sizeof c, 31, &q, ERR));
    CHECK(q == 0);
    CHECK_STATUS(VYRE_OK, vyre_tenant_set_quota(c, sizeof c, 31, 100, ERR));
    CHECK(rd(c, 63) == 100);
    CHECK_STATUS(VYRE_OK, vyre_tenant_read_quota(c, sizeof c, 31, &q, ERR));
    CHECK(q == 100);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, c, sizeof c, vyre_tenant_set_quota(c, sizeof c, 32, 1, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, c, sizeof c, vyre_tenant_set_quota(c, 6, 1, 1, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_set_quota(NULL, sizeof c, 1, 1, ERR));
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_tenant_read_quota(c, sizeof c, 32, &q, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_read_quota(c, sizeof c, 1, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_read_quota(NULL, sizeof c, 1, &q, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_tenant_read_quota(c, 6, 1, &q, ERR));
    wr(c, 64 + 4, 17);
    CHECK_STATUS(VYRE_OK, vyre_tenant_read_claims(c, sizeof c, 4, &q, ERR));
    CHECK(q == 17);
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_tenant_read_claims(c, sizeof c, 32, &q, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_read_claims(c, sizeof c, 4, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_read_claims(NULL, sizeof c, 4, &q, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_tenant_read_claims(c, 6, 4, &q, ERR));
}

static void test_opcodes(void) {
    uint32_t first = 0, end = 0, t = 0;
    CHECK_STATUS(VYRE_OK, vyre_tenant_opcode_window(3, &first, &end, ERR));
    CHECK(first == 0x40300000u && end == 0x40400000u);
    CHECK_STATUS(VYRE_OK, vyre_tenant_opcode_window(927, &first, &end, ERR));
    CHECK(first == 0x79F00000u && end == 0x7A000000u);
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_tenant_opcode_window(928, &first, &end, ERR));
    CHECK(first == 0x79F00000u);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_opcode_window(1, NULL, &end, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_tenant_opcode_window(1, &first, NULL, ERR));
    CHECK_STATUS(VYRE_OK, vyre_opcode_tenant(0x40300005u, &t, ERR));
    CHECK(t == 3);
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_opcode_tenant(0x3FFFFFFFu, &t, ERR));
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_opcode_tenant(0x7A000000u, &t, ERR));
    CHECK(t == 3);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_opcode_tenant(0x40300005u, NULL, ERR));

    /* System: high bit, 0xFFF0..0xFFFF, <= 7. User: 8..0xFFEF, 0x10000..0x7FFFFFFF. */
    CHECK(vyre_opcode_is_system(0) && vyre_opcode_is_system(7) && !vyre_opcode_is_system(8));
    CHECK(vyre_opcode_is_system(0xFFF0) && vyre_opcode_is_system(0xFFFF) && vyre_opcode_is_system(0x80000000u));
    CHECK(vyre_opcode_is_user(0xFFEF) && vyre_opcode_is_user(0x10000) && vyre_opcode_is_user(0x7FFFFFFFu));
    CHECK(!vyre_opcode_is_user(0xFFF5) && !vyre_opcode_is_user(VYRE_OP_SHUTDOWN));
    CHECK(vyre_opcode_is_builtin(VYRE_OP_BATCH_FENCE) && vyre_opcode_is_builtin(VYRE_OP_DFA_SCAN));
    CHECK(vyre_opcode_is_builtin(VYRE_OP_LOAD_MISS) && vyre_opcode_is_builtin(VYRE_OP_PRINTF));
    CHECK(vyre_opcode_is_builtin(VYRE_OP_PACKED_SLOT) && vyre_opcode_is_builtin(VYRE_OP_SHUTDOWN));
    CHECK(!vyre_opcode_is_builtin(8) && !vyre_opcode_is_builtin(0xFFF1) && !vyre_opcode_is_builtin(0xFFFF));
    CHECK(vyre_opcode_is_publishable(8) && vyre_opcode_is_publishable(VYRE_OP_NOP));
    CHECK(!vyre_opcode_is_publishable(0xFFF1) && !vyre_opcode_is_publishable(0x80000000u));
    CHECK(!vyre_opcode_is_publishable(0xFFFFFFFEu));
}

int main(void) {
    test_pinned_constants();
    test_control_encode();
    test_control_writers();
    test_control_readers();
    test_tenants();
    test_opcodes();
    TEST_MAIN_END();
}
