/* Protocol C API: debug log (SPEC §1.3) and io queue host operations (SPEC §1.4). */
#include "protocol_test.h"

static void test_debug_log(void) {
    size_t written = 0;
    /* Capacity 64 → 257 words; any capacity, 0 included. */
    CHECK_STATUS(VYRE_OK, vyre_debug_log_encode_empty(64, NULL, 0, &written, ERR));
    CHECK(written == 257 * 4);
    CHECK_STATUS(VYRE_OK, vyre_debug_log_encode_empty(0, NULL, 0, &written, ERR));
    CHECK(written == 4);
    uint8_t log[(1 + 4 * 2) * 4];
    memset(log, 0x5A, sizeof log);
    CHECK_STATUS(VYRE_OK, vyre_debug_log_encode_empty(2, log, sizeof log, &written, ERR));
    CHECK(written == sizeof log);
    for (size_t i = 0; i < sizeof log; i++) CHECK(log[i] == 0);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, log, sizeof log,
                          vyre_debug_log_encode_empty(VYRE_MAX_DEBUG_RECORDS + 1, log, sizeof log, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, log, sizeof log, vyre_debug_log_encode_empty(2, log, sizeof log, NULL, ERR));
    memset(log, 0x5A, sizeof log);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, log, sizeof log, vyre_debug_log_encode_empty(2, log, sizeof log - 1, &written, ERR));
    CHECK_TOO_SMALL(1028, vyre_debug_log_encode_empty(64, log, sizeof log, &written, &err));

    /* Five PRINTF records into a 2-record log: the cursor (in words) advances to 20;
     * FIX: the reader returns the 2 that fit and reports 3 dropped, not an error. */
    memset(log, 0, sizeof log);
    wr(log, 0, 20);
    for (uint32_t i = 0; i < 2; i++) {
        wr(log, 1 + 4 * i, 100 + i);
        wr(log, 2 + 4 * i, 10 + i);
        wr(log, 3 + 4 * i, 20 + i);
        wr(log, 4 + 4 * i, 16 * i);
    }
    vyre_debug_record recs[3];
    memset(recs, 0, sizeof recs);
    uint32_t dropped = 0;
    CHECK_STATUS(VYRE_OK, vyre_debug_log_read(log, sizeof log, NULL, 0, &written, &dropped, ERR));
    CHECK(written == 2 && dropped == 3);
    dropped = 0;
    CHECK_STATUS(VYRE_OK, vyre_debug_log_read(log, sizeof log, recs, 3, &written, &dropped, ERR));
    CHECK(written == 2 && dropped == 3);
    CHECK(recs[1].fmt_id == 101 && recs[1].arg1 == 11 && recs[1].arg2 == 21 && recs[1].slot_word_offset == 16);
    CHECK(recs[2].fmt_id == 0);
    CHECK_STATUS(VYRE_OK, vyre_debug_log_read(log, sizeof log, recs, 3, &written, NULL, ERR)); /* dropped optional */

    vyre_debug_record one[1] = {{7, 7, 7, 7}};
    dropped = 99;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, one, sizeof one, vyre_debug_log_read(log, sizeof log, one, 1, &written, &dropped, ERR));
    CHECK(dropped == 99);
    CHECK_TOO_SMALL(2, vyre_debug_log_read(log, sizeof log, one, 1, &written, NULL, &err));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_debug_log_read(NULL, sizeof log, recs, 3, &written, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_debug_log_read(log, sizeof log, recs, 3, NULL, NULL, ERR));
    /* Malformed: length not 1 + 4k words, not whole words, cursor inside a record. */
    memcpy(recs, one, sizeof one);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, recs, sizeof recs, vyre_debug_log_read(log, 8, recs, 3, &written, &dropped, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, recs, sizeof recs, vyre_debug_log_read(log, sizeof log - 2, recs, 3, &written, &dropped, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, recs, sizeof recs, vyre_debug_log_read(log, 0, recs, 3, &written, &dropped, ERR));
    wr(log, 0, 6);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, recs, sizeof recs, vyre_debug_log_read(log, sizeof log, recs, 3, &written, &dropped, ERR));
    CHECK(dropped == 99);
}

#define IO_SLOTS 4
#define IO_BYTES (IO_SLOTS * 32)

static void test_io_encode_post_read(uint8_t *q) {
    size_t written = 0;
    CHECK_STATUS(VYRE_OK, vyre_io_queue_encode(VYRE_DEFAULT_IO_SLOTS, NULL, 0, &written, ERR));
    CHECK(written == 64 * 32);
    memset(q, 0x11, IO_BYTES);
    CHECK_STATUS(VYRE_OK, vyre_io_queue_encode(IO_SLOTS, q, IO_BYTES, &written, ERR));
    CHECK(written == IO_BYTES && q[0] == 0 && q[IO_BYTES - 1] == 0);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_encode(0, q, IO_BYTES, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, q, IO_BYTES, vyre_io_queue_encode(VYRE_MAX_IO_SLOTS + 1, q, IO_BYTES, &written, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, q, IO_BYTES, vyre_io_queue_encode(IO_SLOTS, q, IO_BYTES, NULL, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INSUFFICIENT_SIZE, q, IO_BYTES, vyre_io_queue_encode(IO_SLOTS, q, IO_BYTES - 1, &written, ERR));
    CHECK_TOO_SMALL(IO_BYTES, vyre_io_queue_encode(IO_SLOTS, q, 32, &written, &err));

    /* Post = the kernel's LOAD_MISS side: body, then status PUBLISHED. */
    vyre_io_request req = {VYRE_IO_READ, 1, 2, 5, 1, 4096, 0x99, 77};
    CHECK_STATUS(VYRE_OK, vyre_io_queue_post(q, IO_BYTES, 2, &req, ERR));
    CHECK(rd(q, 16 + VYRE_IO_WORD_OFFSET_LO) == 5 && rd(q, 16 + VYRE_IO_WORD_OFFSET_HI) == 1);
    CHECK(rd(q, 16 + VYRE_IO_WORD_STATUS) == VYRE_STATE_PUBLISHED && rd(q, 16 + VYRE_IO_WORD_TAG) == 77);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_SLOT_IN_FLIGHT, q, IO_BYTES, vyre_io_queue_post(q, IO_BYTES, 2, &req, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, q, IO_BYTES, vyre_io_queue_post(q, IO_BYTES, IO_SLOTS, &req, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, q, IO_BYTES, vyre_io_queue_post(q, 40, 0, &req, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, q, IO_BYTES, vyre_io_queue_post(q, IO_BYTES, 0, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_post(NULL, IO_BYTES, 0, &req, ERR));
    vyre_io_request bad = req;
    bad.op = 4;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_post(q, IO_BYTES, 0, &bad, ERR));
    bad.op = 0;
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_post(q, IO_BYTES, 0, &bad, ERR));

    vyre_io_request back;
    CHECK_STATUS(VYRE_OK, vyre_io_queue_read(q, IO_BYTES, 2, &back, ERR));
    CHECK(back.op == VYRE_IO_READ && back.bytes == 4096 && back.status == VYRE_STATE_PUBLISHED && back.offset_hi == 1);
    vyre_io_request keep = back;
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_io_queue_read(q, IO_BYTES, IO_SLOTS, &back, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_io_queue_read(q, 0, 0, &back, ERR));
    CHECK(memcmp(&keep, &back, sizeof back) == 0);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_read(q, IO_BYTES, 2, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_read(NULL, IO_BYTES, 2, &back, ERR));
}

static void test_io_find_claim_complete(uint8_t *q) {
    /* q holds a pending READ in slot 2 (from test_io_encode_post_read). */
    uint32_t slot = 99, found = 99;
    CHECK_STATUS(VYRE_OK, vyre_io_queue_find_pending(q, IO_BYTES, 0, &slot, &found, ERR));
    CHECK(found == 1 && slot == 2);
    slot = 99;
    CHECK_STATUS(VYRE_OK, vyre_io_queue_find_pending(q, IO_BYTES, 3, &slot, &found, ERR));
    CHECK(found == 0 && slot == 99);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_find_pending(q, IO_BYTES, 0, NULL, &found, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_find_pending(q, IO_BYTES, 0, &slot, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_find_pending(NULL, IO_BYTES, 0, &slot, &found, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER, vyre_io_queue_find_pending(q, 33, 0, &slot, &found, ERR));

    vyre_io_request req = {VYRE_IO_WRITE, 3, 4, 0, 0, 8, 0, 5};
    CHECK_STATUS(VYRE_OK, vyre_io_queue_post(q, IO_BYTES, 3, &req, ERR));
    vyre_io_request got;
    uint32_t claimed = 99;
    CHECK_STATUS(VYRE_OK, vyre_io_queue_claim(q, IO_BYTES, &slot, &got, &claimed, ERR));
    CHECK(claimed == 1 && slot == 2 && got.op == VYRE_IO_READ && got.status == VYRE_STATE_CLAIMED && got.tag == 77);
    CHECK(rd(q, 16 + VYRE_IO_WORD_STATUS) == VYRE_STATE_CLAIMED);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, q, IO_BYTES, vyre_io_queue_claim(q, IO_BYTES, NULL, &got, &claimed, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, q, IO_BYTES, vyre_io_queue_claim(q, IO_BYTES, &slot, NULL, &claimed, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, q, IO_BYTES, vyre_io_queue_claim(q, IO_BYTES, &slot, &got, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_claim(NULL, IO_BYTES, &slot, &got, &claimed, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, q, IO_BYTES, vyre_io_queue_claim(q, 31, &slot, &got, &claimed, ERR));

    /* Complete one OK; completing it again, an EMPTY slot, or with a bad status fails. */
    CHECK_STATUS(VYRE_OK, vyre_io_queue_complete(q, IO_BYTES, 2, VYRE_IO_STATUS_OK, ERR));
    CHECK(rd(q, 16 + VYRE_IO_WORD_STATUS) == 0x10);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_complete(q, IO_BYTES, 2, VYRE_IO_STATUS_OK, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_complete(q, IO_BYTES, 0, VYRE_IO_STATUS_OK, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_complete(q, IO_BYTES, 3, 0x12, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_complete(q, IO_BYTES, 3, VYRE_STATE_DONE, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, q, IO_BYTES, vyre_io_queue_complete(q, IO_BYTES, IO_SLOTS, VYRE_IO_STATUS_OK, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, q, IO_BYTES, vyre_io_queue_complete(q, 36, 3, VYRE_IO_STATUS_OK, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_complete(NULL, IO_BYTES, 3, VYRE_IO_STATUS_OK, ERR));

    /* Batch: all or nothing (slot 0 is not pending; duplicates rejected). */
    CHECK_STATUS(VYRE_OK, vyre_io_queue_post(q, IO_BYTES, 1, &req, ERR));
    vyre_io_completion bad_batch[2] = {{3, VYRE_IO_STATUS_ERROR}, {0, VYRE_IO_STATUS_OK}};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_complete_batch(q, IO_BYTES, bad_batch, 2, ERR));
    vyre_io_completion dup[2] = {{3, VYRE_IO_STATUS_ERROR}, {3, VYRE_IO_STATUS_OK}};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_complete_batch(q, IO_BYTES, dup, 2, ERR));
    vyre_io_completion bad_status[1] = {{3, 0}};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_INVALID_ARGUMENT, q, IO_BYTES, vyre_io_queue_complete_batch(q, IO_BYTES, bad_status, 1, ERR));
    vyre_io_completion oob[1] = {{IO_SLOTS, VYRE_IO_STATUS_OK}};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_OUT_OF_RANGE, q, IO_BYTES, vyre_io_queue_complete_batch(q, IO_BYTES, oob, 1, ERR));
    vyre_io_completion good[2] = {{3, VYRE_IO_STATUS_ERROR}, {1, VYRE_IO_STATUS_OK}};
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, q, IO_BYTES, vyre_io_queue_complete_batch(q, 12, good, 2, ERR));
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_NULL_POINTER, q, IO_BYTES, vyre_io_queue_complete_batch(q, IO_BYTES, NULL, 2, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_io_queue_complete_batch(NULL, IO_BYTES, good, 2, ERR));
    CHECK_STATUS(VYRE_OK, vyre_io_queue_complete_batch(q, IO_BYTES, NULL, 0, ERR));
    CHECK_STATUS(VYRE_OK, vyre_io_queue_complete_batch(q, IO_BYTES, good, 2, ERR));
    CHECK(rd(q, 24 + VYRE_IO_WORD_STATUS) == VYRE_IO_STATUS_ERROR && rd(q, 8 + VYRE_IO_WORD_STATUS) == VYRE_IO_STATUS_OK);

    /* Nothing pending: claimed = 0, other outputs untouched. */
    slot = 55;
    CHECK_STATUS(VYRE_OK, vyre_io_queue_claim(q, IO_BYTES, &slot, &got, &claimed, ERR));
    CHECK(claimed == 0 && slot == 55);
    /* A pending request with a garbage op is malformed and stays pending. */
    wr(q, 0, 9);
    wr(q, VYRE_IO_WORD_STATUS, VYRE_STATE_PUBLISHED);
    CHECK_FAILS_UNCHANGED(VYRE_ERROR_MALFORMED_BUFFER, q, IO_BYTES, vyre_io_queue_claim(q, IO_BYTES, &slot, &got, &claimed, ERR));
    CHECK(slot == 55 && claimed == 0);
}

int main(void) {
    uint8_t q[IO_BYTES];
    test_debug_log();
    test_io_encode_post_read(q);
    test_io_find_claim_complete(q);
    TEST_MAIN_END();
}
