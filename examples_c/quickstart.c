/* vyre quickstart: the first program a C developer reads.
 *
 * It shows the whole host side of the megakernel protocol with caller-owned buffers:
 *   1. size and encode the four ABI buffers (control, ring, debug log, io queue),
 *   2. publish a batch of work into the ring (items + a BATCH_FENCE),
 *   3. (run the kernel on the GPU: see the marked step below),
 *   4. decode what the host can read back: slot states, counters, debug records.
 *
 * Every vyre call returns a vyre_status (VYRE_OK == 0) and can hand back a vyre_error
 * with a message; the CALL macro below prints it and exits.
 *
 * Build: cmake -S . -B build && cmake --build build && build/quickstart  (or scripts/run)
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <vyre.h>

#define RING_SLOTS 16
#define OBSERVABLE 4

/* Run a vyre call; on failure print the library's message and stop. */
#define CALL(expr)                                                                   \
    do {                                                                             \
        vyre_error *err_ = NULL;                                                     \
        vyre_status st_ = (expr);                                                    \
        (void)err_;                                                                  \
        if (st_ != VYRE_OK) {                                                        \
            fprintf(stderr, "%s failed: %s (%s)\n", #expr, vyre_status_string(st_), \
                    vyre_error_message(err_));                                       \
            vyre_error_free(err_);                                                   \
            exit(1);                                                                 \
        }                                                                            \
    } while (0)
#define ERR (&err_)

/* An ABI buffer owned by this program. */
typedef struct {
    uint8_t *bytes;
    size_t len;
} buffer;

/* Size query (NULL buffer), allocate, then encode for real. */
#define ENCODE(buf, call_with)                              \
    do {                                                    \
        uint8_t *b_ = NULL;                                 \
        size_t n_ = 0;                                      \
        CALL(call_with);                                    \
        (buf).bytes = b_ = (uint8_t *)malloc(n_);           \
        if (!b_) {                                          \
            perror("malloc");                               \
            exit(1);                                        \
        }                                                   \
        CALL(call_with);                                    \
        (buf).len = n_;                                     \
    } while (0)

static const char *state_name(uint32_t s) {
    static const char *names[] = {"EMPTY", "PUBLISHED", "CLAIMED", "DONE", "WAIT_IO", "YIELD", "REQUEUE", "FAULT"};
    return s < 8 ? names[s] : "garbage";
}

static const char *op_name(uint32_t op) {
    switch (op) {
    case VYRE_OP_NOP: return "NOP";
    case VYRE_OP_STORE_U32: return "STORE_U32";
    case VYRE_OP_ATOMIC_ADD: return "ATOMIC_ADD";
    case VYRE_OP_BATCH_FENCE: return "BATCH_FENCE";
    case VYRE_OP_PRINTF: return "PRINTF";
    default: return "other";
    }
}

int main(void) {
    printf("vyre %s quickstart\n", vyre_version_string());

    /* 1. The four ABI buffers. Control: SHUTDOWN off, tenant 0 allowed, 4 observable
     *    result words, priority partitions for a 16-slot ring. */
    buffer control, ring, debug_log, io_queue;
    ENCODE(control, vyre_control_encode(0, 1, OBSERVABLE, RING_SLOTS, b_, n_, &n_, ERR));
    ENCODE(ring, vyre_ring_encode_empty(RING_SLOTS, b_, n_, &n_, ERR));
    ENCODE(debug_log, vyre_debug_log_encode_empty(VYRE_DEFAULT_DEBUG_RECORDS, b_, n_, &n_, ERR));
    ENCODE(io_queue, vyre_io_queue_encode(VYRE_DEFAULT_IO_SLOTS, b_, n_, &n_, ERR));
    printf("buffers: control %zu B, ring %zu B (%d slots), debug log %zu B, io queue %zu B\n", control.len,
           ring.len, RING_SLOTS, debug_log.len, io_queue.len);

    /* 2. A batch for tenant 0: store 42 into observable word 1, add 7 to observable
     *    word 2, print a debug record, and a NOP. batch_publish appends a BATCH_FENCE
     *    (args: item count, tag) and returns items + 1. Nothing is written unless the
     *    whole batch is valid. */
    vyre_batch_item items[4] = {
        {VYRE_OP_STORE_U32, 2, {42, VYRE_CONTROL_WORD_OBSERVABLE + 1}},
        {VYRE_OP_ATOMIC_ADD, 2, {7, VYRE_CONTROL_WORD_OBSERVABLE + 2}},
        {VYRE_OP_PRINTF, 3, {1 /* format id */, 1234, 5678}},
        {VYRE_OP_NOP, 0, {0}},
    };
    uint32_t published = 0;
    CALL(vyre_ring_batch_publish(ring.bytes, ring.len, 0, 0, VYRE_PRIORITY_NORMAL, items, 4, 0xC0FFEE, &published, ERR));
    printf("published %u slots (4 items + 1 BATCH_FENCE, tag 0xC0FFEE)\n", published);

    /* The same slot cannot be published twice while it is in flight: */
    vyre_error *err = NULL;
    vyre_status st = vyre_ring_publish(ring.bytes, ring.len, 0, 0, VYRE_PRIORITY_NORMAL, VYRE_OP_NOP, NULL, 0, &err);
    printf("republishing slot 0: %s (%s)\n", vyre_status_string(st), vyre_error_message(err));
    vyre_error_free(err);

    /* 3. Run the kernel: a GPU dispatch goes here. This example does not dispatch yet,
     *    so every published slot is still PUBLISHED below and the counters are 0. */

    /* 4. Decode. */
    for (uint32_t i = 0; i < published; i++) {
        vyre_slot s;
        CALL(vyre_ring_read_slot(ring.bytes, ring.len, i, &s, ERR));
        printf("  slot %u: %-9s %-11s tenant %u args [%u, %u, %u]\n", i, state_name(s.status), op_name(s.opcode),
               s.tenant, s.args[0], s.args[1], s.args[2]);
    }
    uint64_t done = 0;
    uint32_t done_count = 0, epoch = 0, faults = 0, observable1 = 0;
    size_t records = 0;
    uint32_t dropped = 0;
    CALL(vyre_ring_count_done(ring.bytes, ring.len, published, &done, ERR));
    CALL(vyre_control_read_done_count(control.bytes, control.len, &done_count, ERR));
    CALL(vyre_control_read_epoch(control.bytes, control.len, &epoch, ERR));
    CALL(vyre_control_read_fault_count(control.bytes, control.len, &faults, ERR));
    CALL(vyre_control_read_observable(control.bytes, control.len, 1, &observable1, ERR));
    CALL(vyre_debug_log_read(debug_log.bytes, debug_log.len, NULL, 0, &records, &dropped, ERR));
    printf("DONE slots %llu of %u, DONE_COUNT %u, EPOCH %u, FAULT_COUNT %u, observable[1] %u\n",
           (unsigned long long)done, published, done_count, epoch, faults, observable1);
    printf("debug log: %zu records, %u dropped\n", records, dropped);

    free(control.bytes);
    free(ring.bytes);
    free(debug_log.bytes);
    free(io_queue.bytes);
    return 0;
}
