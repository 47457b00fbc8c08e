/* Helpers shared by the protocol C tests (test_protocol*.c). */
#ifndef VYRE_PROTOCOL_TEST_H
#define VYRE_PROTOCOL_TEST_H

#include <stdint.h>
#include "vyre_test.h"

/* POD layouts are ABI: pinned here as well as by Rust const asserts. */
_Static_assert(sizeof(vyre_work_item) == 16, "vyre_work_item is 16 bytes");
_Static_assert(offsetof(vyre_work_item, param) == 12, "vyre_work_item.param");
_Static_assert(sizeof(vyre_slot) == 64, "vyre_slot is one 64-byte slot");
_Static_assert(offsetof(vyre_slot, args) == 16, "vyre_slot.args");
_Static_assert(sizeof(vyre_task) == 64, "vyre_task is one 64-byte slot");
_Static_assert(offsetof(vyre_task, continuation_pc) == 28, "vyre_task.continuation_pc");
_Static_assert(offsetof(vyre_task, task_id) == 40, "vyre_task.task_id");
_Static_assert(offsetof(vyre_task, flags) == 60, "vyre_task.flags");
_Static_assert(sizeof(vyre_debug_record) == 16, "vyre_debug_record is 16 bytes");
_Static_assert(offsetof(vyre_debug_record, slot_word_offset) == 12, "vyre_debug_record.slot_word_offset");
_Static_assert(sizeof(vyre_packed_op) == 52, "vyre_packed_op is 52 bytes");
_Static_assert(offsetof(vyre_packed_op, args) == 8, "vyre_packed_op.args");
_Static_assert(sizeof(vyre_batch_item) == 56, "vyre_batch_item is 56 bytes");
_Static_assert(offsetof(vyre_batch_item, args) == 8, "vyre_batch_item.args");
_Static_assert(sizeof(vyre_io_request) == 32, "vyre_io_request is one 32-byte io slot");
_Static_assert(offsetof(vyre_io_request, status) == 24, "vyre_io_request.status");
_Static_assert(offsetof(vyre_io_request, tag) == 28, "vyre_io_request.tag");
_Static_assert(sizeof(vyre_io_completion) == 8, "vyre_io_completion is 8 bytes");

/* Little-endian word access, independent of the host's byte order. */
static inline uint32_t rd(const uint8_t *b, size_t word) {
    const uint8_t *p = b + 4 * word;
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}
static inline void wr(uint8_t *b, size_t word, uint32_t v) {
    uint8_t *p = b + 4 * word;
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

/* `call` must return `expected` and leave the `len` bytes at `buf` unchanged. */
#define CHECK_FAILS_UNCHANGED(expected, buf, len, call)                                \
    do {                                                                             \
        size_t vt_len = (len);                                                       \
        unsigned char *vt_copy = (unsigned char *)malloc(vt_len ? vt_len : 1);       \
        memcpy(vt_copy, (buf), vt_len);                                              \
        CHECK_STATUS(expected, call);                                                \
        if (memcmp(vt_copy, (buf), vt_len) != 0) {                                   \
            fprintf(stderr, "%s:%d: %s modified the buffer on failure\n", __FILE__, \
                    __LINE__, #call);                                                \
            vt_failures++;                                                           \
        }                                                                            \
        free(vt_copy);                                                               \
    } while (0)

/* A failed call must report VYRE_ERROR_INSUFFICIENT_SIZE with `needed` both in
 * *out_written and in the error object. `call` must take `&written` and `&err`. */
#define CHECK_TOO_SMALL(needed, call)                                                   \
    do {                                                                              \
        size_t written = 0;                                                           \
        vyre_error *err = NULL;                                                       \
        vyre_status vt_st = (call);                                                   \
        CHECK(vt_st == VYRE_ERROR_INSUFFICIENT_SIZE);                                 \
        CHECK(written == (size_t)(needed));                                           \
        CHECK(err != NULL && vyre_error_status(err) == VYRE_ERROR_INSUFFICIENT_SIZE); \
        CHECK(vyre_error_required_size(err) == (size_t)(needed));                     \
        CHECK(strlen(vyre_error_message(err)) > 0);                                   \
        vyre_error_free(err);                                                         \
    } while (0)

#endif
