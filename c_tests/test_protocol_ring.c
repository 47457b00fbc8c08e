/* Protocol C API: ring encoders, every publisher and the ring readers (SPEC §1.2,
 * §1.6, §1.7, §1.8). Failures must leave the ring byte-for-byte unchanged. */
#include "protocol_test.h"

#define SLOTS 8
#define RING_BYTES (SLOTS * 64)

static uint8_t ring[RING_BYTES];

static void empty_ring(void) {
    size_t written = 0;
    memset(ring, 0xCD, sizeof ring);
    CHECK_STATUS(VYRE_OK, vyre_ring_encode_empty(SLOTS, ring, sizeof ring, &written, ERR));
    CHECK(written == RING_BYTES);
}

static void test_encode_empty_and_slot_count(void) {
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_ring_encode_empty(SLOTS, NULL, 0, &written, ERR));
    CHECK(written == RING_BYTES);
    empty_ring();
    for (size_t i = 0; i < RING_BYTES; i++) CHECK(ring[i] == 0);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_encode_empty(0, ring, sizeof ring, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring,
                          vyre_ring_encode_empty(VYRE_MAX_RING_SLOTS + 1, ring, sizeof ring, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_encode_empty(SLOTS, ring, sizeof ring, NULL, ERR));
    memset(ring, 0x77, sizeof ring);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, ring, sizeof ring,
                          vyre_ring_encode_empty(SLOTS, ring, RING_BYTES - 1, &written, ERR));
    CHECK_TOO_SMALL(RING_BYTES, vyre_ring_encode_empty(SLOTS, ring, 64, &written, &err));
    CHECK_TOO_SMALL((size_t)VYRE_MAX_RING_SLOTS * 64, vyre_ring_encode_empty(VYRE_MAX_RING_SLOTS, ring, 64, &written, &err));

    uint32_t n = 0;
    CHECK_STATUS(VYRE_OK, vyre_ring_slot_count(ring, sizeof ring, &n, ERR));
    CHECK(n == SLOTS);
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_ring_slot_count(ring, 65, &n, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_ring_slot_count(ring, 0, &n, ERR));
    CHECK(n == SLOTS);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_slot_count(NULL, 64, &n, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_slot_count(ring, 64, NULL, ERR));
}

static void test_publish(void) {
    empty_ring();
    /* Republishing a DONE slot zeroes every arg before writing the new ones. */
    for (int i = 0; i < 16; i++) wr(ring, 16 + i, 0xDEAD);
    wr(ring, 16, VYRE_STATE_DONE);
    uint32_t args[2] = {9, 170};
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, sizeof ring, 1, 5, VYRE_PRIORITY_HIGH, VYRE_OP_STORE_U32, args, 2, ERR));
    vyre_slot s;
    CHECK_STATUS(VYRE_OK, vyre_ring_read_slot(ring, sizeof ring, 1, &s, ERR));
    CHECK(s.status == VYRE_STATE_PUBLISHED && s.opcode == VYRE_OP_STORE_U32 && s.tenant == 5);
    CHECK(s.priority == VYRE_PRIORITY_HIGH && s.args[0] == 9 && s.args[1] == 170);
    for (int i = 2; i < 12; i++) CHECK(s.args[i] == 0);
    CHECK(rd(ring, 16 + VYRE_SLOT_WORD_ARGS + 1) == 170);
    /* No args: NULL is fine. Tenant 927 is the last valid tenant. */
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, sizeof ring, 0, 927, VYRE_PRIORITY_IDLE, VYRE_OP_NOP, NULL, 0, ERR));
    uint32_t twelve[13] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13};
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, sizeof ring, 2, 0, VYRE_PRIORITY_NORMAL, 8, twelve, 12, ERR));
    CHECK(rd(ring, 32 + 15) == 12);

    /* Errors, ring unchanged. */
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_publish(NULL, sizeof ring, 3, 0, 2, 8, NULL, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 3, 0, 2, 8, NULL, 1, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, ring, sizeof ring, vyre_ring_publish(ring, 100, 0, 0, 2, 8, NULL, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, SLOTS, 0, 2, 8, NULL, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 3, 928, 2, 8, NULL, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 3, 0, 5, 8, NULL, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 3, 0, 2, 8, twelve, 13, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 3, 0, 2, 0xFFF7, NULL, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 3, 0, 2, 0x80000000u, NULL, 0, ERR));
    /* Opcode 0x40300001 belongs to tenant 3's window. */
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 3, 4, 2, 0x40300001u, NULL, 0, ERR));
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, sizeof ring, 3, 3, 2, 0x40300001u, NULL, 0, ERR));
    /* A raw PACKED_SLOT must carry a valid packed layout. */
    uint32_t bad_packed[1] = {0};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring,
                          vyre_ring_publish(ring, sizeof ring, 4, 0, 2, VYRE_OP_PACKED_SLOT, bad_packed, 1, ERR));
    /* Slot in flight: PUBLISHED, CLAIMED, WAIT_IO, YIELD, REQUEUE, FAULT and garbage. */
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 1, 0, 2, 8, NULL, 0, ERR));
    uint32_t states[] = {VYRE_STATE_CLAIMED, VYRE_STATE_WAIT_IO, VYRE_STATE_YIELD, VYRE_STATE_REQUEUE, VYRE_STATE_FAULT, 8, 0xFFFFFFFFu};
    for (size_t i = 0; i < sizeof states / sizeof states[0]; i++) {
        wr(ring, 5 * 16, states[i]);
        CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, ring, sizeof ring, vyre_ring_publish(ring, sizeof ring, 5, 0, 2, 8, NULL, 0, ERR));
    }
}

static void test_publish_packed(void) {
    empty_ring();
    vyre_packed_op ops[24];
    memset(ops, 0, sizeof ops);
    ops[0].opcode = VYRE_OP_STORE_U32;
    ops[0].arg_count = 2;
    ops[0].args[0] = 5;
    ops[0].args[1] = 170;
    ops[1].opcode = VYRE_OP_NOP;
    ops[2].opcode = VYRE_OP_ATOMIC_ADD;
    ops[2].arg_count = 2;
    ops[2].args[0] = 1;
    ops[2].args[1] = 171;
    CHECK_STATUS(VYRE_OK, vyre_ring_publish_packed(ring, sizeof ring, 1, 2, VYRE_PRIORITY_NORMAL, ops, 3, ERR));
    /* 3 ops: 2 metadata words; count 3, total 4, (op 1, off 0), (0, 2), (2, 2). */
    CHECK(rd(ring, 16) == VYRE_STATE_PUBLISHED && rd(ring, 17) == VYRE_OP_PACKED_SLOT && rd(ring, 18) == 2);
    CHECK(rd(ring, 20) == (3u | 4u << 8 | 1u << 16));
    CHECK(rd(ring, 21) == (2u << 8 | 2u << 16 | 2u << 24));
    CHECK(rd(ring, 22) == 5 && rd(ring, 23) == 170 && rd(ring, 24) == 1 && rd(ring, 25) == 171);
    /* 23 arg-less ops fit exactly (12 metadata words); 24 do not. */
    memset(ops, 0, sizeof ops);
    for (int i = 0; i < 24; i++) ops[i].opcode = (uint32_t)i;
    CHECK_STATUS(VYRE_OK, vyre_ring_publish_packed(ring, sizeof ring, 2, 0, VYRE_PRIORITY_NORMAL, ops, 23, ERR));
    CHECK((rd(ring, 32 + 4) & 0xFF) == 23);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 3, 0, 2, ops, 24, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 3, 0, 2, ops, 0, ERR));
    /* One op: 1 metadata word + 11 args fit; two ops with 6 args each do not. */
    memset(ops, 0, sizeof ops);
    ops[0].opcode = 9;
    ops[0].arg_count = 11;
    CHECK_STATUS(VYRE_OK, vyre_ring_publish_packed(ring, sizeof ring, 3, 0, 2, ops, 1, ERR));
    ops[0].arg_count = 6;
    ops[1].opcode = 9;
    ops[1].arg_count = 6;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 4, 0, 2, ops, 2, ERR));
    ops[1].arg_count = 12;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 4, 0, 2, ops, 2, ERR));
    ops[1].arg_count = 0;
    ops[1].opcode = 256;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 4, 0, 2, ops, 2, ERR));
    ops[1].opcode = 1;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 4, 0, 7, ops, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, SLOTS, 0, 2, ops, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 4, 928, 2, ops, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 1, 0, 2, ops, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, ring, sizeof ring, vyre_ring_publish_packed(ring, 63, 0, 0, 2, ops, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_publish_packed(ring, sizeof ring, 4, 0, 2, NULL, 2, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_publish_packed(NULL, sizeof ring, 4, 0, 2, ops, 2, ERR));
    /* The packed layout written by publish_packed is accepted by the raw publisher too. */
    uint32_t raw[12];
    for (int i = 0; i < 12; i++) raw[i] = rd(ring, 16 + 4 + i);
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, sizeof ring, 5, 0, 2, VYRE_OP_PACKED_SLOT, raw, 12, ERR));
}

static void test_batch_publish(void) {
    empty_ring();
    vyre_batch_item items[3];
    memset(items, 0, sizeof items);
    items[0].opcode = VYRE_OP_STORE_U32;
    items[0].arg_count = 2;
    items[0].args[0] = 1;
    items[0].args[1] = 170;
    items[1].opcode = VYRE_OP_NOP;
    items[2].opcode = 9;
    items[2].arg_count = 12;
    for (int i = 0; i < 12; i++) items[2].args[i] = 3;
    uint32_t published = 0;
    CHECK_STATUS(VYRE_OK, vyre_ring_batch_publish(ring, sizeof ring, 2, 4, VYRE_PRIORITY_LOW, items, 3, 0xBEEF, &published, ERR));
    CHECK(published == 4); /* N + 1 */
    vyre_slot fence;
    CHECK_STATUS(VYRE_OK, vyre_ring_read_slot(ring, sizeof ring, 5, &fence, ERR));
    CHECK(fence.status == VYRE_STATE_PUBLISHED && fence.opcode == VYRE_OP_BATCH_FENCE && fence.tenant == 4);
    CHECK(fence.priority == VYRE_PRIORITY_LOW && fence.args[0] == 3 && fence.args[1] == 0xBEEF && fence.args[2] == 0);
    CHECK(rd(ring, 2 * 16 + 5) == 170 && rd(ring, 4 * 16 + 15) == 3);
    CHECK(rd(ring, 16) == VYRE_STATE_EMPTY && rd(ring, 6 * 16) == VYRE_STATE_EMPTY);
    /* An empty batch is the fence alone (items may be NULL). */
    CHECK_STATUS(VYRE_OK, vyre_ring_batch_publish(ring, sizeof ring, 6, 0, 2, NULL, 0, 1, &published, ERR));
    CHECK(published == 1 && rd(ring, 6 * 16 + 1) == VYRE_OP_BATCH_FENCE);

    /* All or nothing. */
    published = 99;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 7, 0, 2, items, 1, 0, &published, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 0, 0, 2, items, 2, 0, &published, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 0, 928, 2, items, 1, 0, &published, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 0, 0, 9, items, 1, 0, &published, ERR));
    CHECK(published == 99);
    empty_ring();
    items[1].opcode = 0xFFF9; /* reserved */
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 0, 0, 2, items, 3, 0, &published, ERR));
    items[1].opcode = VYRE_OP_NOP;
    items[1].arg_count = 13;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 0, 0, 2, items, 3, 0, &published, ERR));
    items[1].arg_count = 0;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, ring, sizeof ring, vyre_ring_batch_publish(ring, 65, 0, 0, 2, items, 3, 0, &published, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 0, 0, 2, items, 3, 0, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_batch_publish(ring, sizeof ring, 0, 0, 2, NULL, 3, 0, &published, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_batch_publish(NULL, sizeof ring, 0, 0, 2, items, 3, 0, &published, ERR));
    CHECK(published == 99);
}

static void test_work_items(void) {
    vyre_work_item items[5];
    for (uint32_t i = 0; i < 5; i++) {
        items[i].op_handle = 8 + i;
        items[i].input_handle = i;
        items[i].output_handle = 100 + i;
        items[i].param = 7;
    }
    /* Window into an existing ring: other slots untouched. */
    empty_ring();
    wr(ring, 0, VYRE_STATE_CLAIMED);
    CHECK_STATUS(VYRE_OK, vyre_ring_publish_work_items(ring, sizeof ring, 2, 1, items, 3, ERR));
    vyre_slot s;
    CHECK_STATUS(VYRE_OK, vyre_ring_read_slot(ring, sizeof ring, 3, &s, ERR));
    CHECK(s.status == VYRE_STATE_PUBLISHED && s.opcode == 9 && s.tenant == 1 && s.priority == VYRE_PRIORITY_NORMAL);
    CHECK(s.args[0] == 1 && s.args[1] == 101 && s.args[2] == 7 && s.args[3] == 0);
    CHECK(rd(ring, 0) == VYRE_STATE_CLAIMED && rd(ring, 5 * 16) == VYRE_STATE_EMPTY);
    CHECK_STATUS(VYRE_OK, vyre_ring_publish_work_items(ring, sizeof ring, 7, 1, NULL, 0, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, ring, sizeof ring, vyre_ring_publish_work_items(ring, sizeof ring, 0, 1, items, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, ring, sizeof ring, vyre_ring_publish_work_items(ring, sizeof ring, 4, 1, items, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish_work_items(ring, sizeof ring, 6, 1, items, 3, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish_work_items(ring, sizeof ring, 5, 928, items, 1, ERR));
    vyre_work_item bad = {0xFFF3, 0, 0, 0};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_work_items(ring, sizeof ring, 5, 1, &bad, 1, ERR));
    bad.op_handle = VYRE_OP_PACKED_SLOT;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_work_items(ring, sizeof ring, 5, 1, &bad, 1, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, ring, sizeof ring, vyre_ring_publish_work_items(ring, 66, 5, 1, items, 1, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_publish_work_items(ring, sizeof ring, 5, 1, NULL, 1, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_publish_work_items(NULL, sizeof ring, 5, 1, items, 1, ERR));

    /* Whole ring, bytes and words forms agree. */
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_ring_encode_work_items(SLOTS, 1, items, 5, NULL, 0, &written, ERR));
    CHECK(written == RING_BYTES);
    memset(ring, 0xEE, sizeof ring);
    CHECK_STATUS(VYRE_OK, vyre_ring_encode_work_items(SLOTS, 1, items, 5, ring, sizeof ring, &written, ERR));
    CHECK(written == RING_BYTES);
    CHECK(rd(ring, 4 * 16) == VYRE_STATE_PUBLISHED && rd(ring, 4 * 16 + 1) == 12 && rd(ring, 4 * 16 + 5) == 104);
    for (size_t i = 5 * 64; i < RING_BYTES; i++) CHECK(ring[i] == 0);
    uint32_t words[SLOTS * 16];
    CHECK_STATUS(VYRE_OK, vyre_ring_encode_work_items_words(SLOTS, 1, items, 5, NULL, 0, &written, ERR));
    CHECK(written == SLOTS * 16);
    CHECK_STATUS(VYRE_OK, vyre_ring_encode_work_items_words(SLOTS, 1, items, 5, words, SLOTS * 16, &written, ERR));
    CHECK(written == SLOTS * 16);
    for (size_t i = 0; i < SLOTS * 16; i++) CHECK(words[i] == rd(ring, i));

    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, ring, sizeof ring, vyre_ring_encode_work_items(SLOTS, 1, items, 5, ring, RING_BYTES - 4, &written, ERR));
    CHECK_TOO_SMALL(RING_BYTES, vyre_ring_encode_work_items(SLOTS, 1, items, 5, ring, 4, &written, &err));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_encode_work_items(4, 1, items, 5, ring, sizeof ring, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_encode_work_items(SLOTS, 928, items, 5, ring, sizeof ring, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_encode_work_items(0, 1, items, 0, ring, sizeof ring, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_encode_work_items(SLOTS, 1, &bad, 1, ring, sizeof ring, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_encode_work_items(SLOTS, 1, items, 5, ring, sizeof ring, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_encode_work_items(SLOTS, 1, NULL, 5, ring, sizeof ring, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, words, sizeof words, vyre_ring_encode_work_items_words(SLOTS, 1, items, 5, words, SLOTS * 16 - 1, &written, ERR));
    CHECK_TOO_SMALL(SLOTS * 16, vyre_ring_encode_work_items_words(SLOTS, 1, items, 5, words, 1, &written, &err));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, words, sizeof words, vyre_ring_encode_work_items_words(4, 1, items, 5, words, SLOTS * 16, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, words, sizeof words, vyre_ring_encode_work_items_words(SLOTS, 1, &bad, 1, words, SLOTS * 16, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, words, sizeof words, vyre_ring_encode_work_items_words(SLOTS, 1, items, 5, words, SLOTS * 16, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, words, sizeof words, vyre_ring_encode_work_items_words(SLOTS, 1, NULL, 5, words, SLOTS * 16, &written, ERR));
}

static void test_readers(void) {
    empty_ring();
    wr(ring, 0, VYRE_STATE_DONE);
    wr(ring, 2 * 16, VYRE_STATE_DONE);
    wr(ring, 3 * 16, VYRE_STATE_FAULT);
    wr(ring, 3 * 16 + VYRE_SLOT_WORD_FAULT_CODE, VYRE_FAULT_UNKNOWN_OPCODE);
    uint64_t done = 0;
    CHECK_STATUS(VYRE_OK, vyre_ring_count_done(ring, sizeof ring, SLOTS, &done, ERR));
    CHECK(done == 2);
    CHECK_STATUS(VYRE_OK, vyre_ring_count_done(ring, sizeof ring, 1, &done, ERR));
    CHECK(done == 1);
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_ring_count_done(ring, sizeof ring, SLOTS + 1, &done, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_ring_count_done(ring, 100, 1, &done, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_count_done(ring, sizeof ring, 1, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_count_done(NULL, sizeof ring, 1, &done, ERR));
    CHECK(done == 1);

    vyre_slot s;
    CHECK_STATUS(VYRE_OK, vyre_ring_read_slot(ring, sizeof ring, 3, &s, ERR));
    CHECK(s.status == VYRE_STATE_FAULT && s.args[11] == VYRE_FAULT_UNKNOWN_OPCODE);
    vyre_slot before = s;
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_ring_read_slot(ring, sizeof ring, SLOTS, &s, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_ring_read_slot(ring, 10, 0, &s, ERR));
    CHECK(memcmp(&before, &s, sizeof s) == 0);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_read_slot(ring, sizeof ring, 0, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_read_slot(NULL, sizeof ring, 0, &s, ERR));
}

static void test_tasks_in_ring(void) {
    empty_ring();
    vyre_task t;
    CHECK_STATUS(VYRE_OK, vyre_task_init(&t, 42, 9, 3, VYRE_PRIORITY_NORMAL, 1, 2, 3, ERR));
    CHECK_STATUS(VYRE_OK, vyre_task_yield(&t, 20, 21, ERR));
    CHECK_STATUS(VYRE_OK, vyre_ring_publish_task(ring, sizeof ring, 1, &t, ERR));
    /* A task is exactly one slot: its state is the slot status, task_id is word 10. */
    CHECK(rd(ring, 16) == VYRE_TASK_YIELDED && rd(ring, 17) == 9 && rd(ring, 16 + 10) == 42);
    vyre_task back;
    CHECK_STATUS(VYRE_OK, vyre_ring_read_task(ring, sizeof ring, 1, &back, ERR));
    CHECK(memcmp(&back, &t, sizeof t) == 0);
    vyre_task other = t;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 1, &t, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, SLOTS, &t, ERR));
    other.state = VYRE_TASK_COMPLETED;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 2, &other, ERR));
    other.state = 9;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 2, &other, ERR));
    other = t;
    other.tenant = 928;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 2, &other, ERR));
    other = t;
    other.priority = 5;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 2, &other, ERR));
    other = t;
    other.flags = 16;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 2, &other, ERR));
    other = t;
    other.op_handle = 0xFFF8;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 2, &other, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, ring, sizeof ring, vyre_ring_publish_task(ring, 60, 0, &t, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, ring, sizeof ring, vyre_ring_publish_task(ring, sizeof ring, 2, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_publish_task(NULL, sizeof ring, 2, &t, ERR));

    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_ring_read_task(ring, sizeof ring, SLOTS, &back, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_ring_read_task(ring, 1, 0, &back, ERR));
    CHECK(memcmp(&back, &t, sizeof t) == 0);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_read_task(ring, sizeof ring, 1, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_ring_read_task(NULL, sizeof ring, 1, &back, ERR));
}

int main(void) {
    test_encode_empty_and_slot_count();
    test_publish();
    test_publish_packed();
    test_batch_publish();
    test_work_items();
    test_readers();
    test_tasks_in_ring();
    TEST_MAIN_END();
}
