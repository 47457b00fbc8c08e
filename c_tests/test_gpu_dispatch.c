/* Dispatch on caller-owned buffers: results, statistics, io queue round trip, drain at
 * max_wall_time, error paths (buffers unchanged), concurrent dispatch from 8 threads. */
#include <pthread.h>
#include "gpu_util.h"

typedef struct {
    uint32_t *control, *ring, *debug, *io;
    size_t control_bytes, ring_bytes, debug_bytes, io_bytes;
} bufs;

static bufs make(uint32_t slots, uint32_t observable) {
    bufs b;
    b.control = gu_control(2, observable, &b.control_bytes);
    b.ring_bytes = (size_t)slots * 64;
    b.ring = calloc(slots, 64);
    b.debug_bytes = (1 + 4 * 8) * 4;
    b.debug = calloc(1, b.debug_bytes);
    b.io_bytes = 4 * 32;
    b.io = calloc(4, 32);
    return b;
}

static void release(bufs *b) {
    free(b->control);
    free(b->ring);
    free(b->debug);
    free(b->io);
}

static void test_plain_dispatch(vyre_megakernel *mk) {
    bufs b = make(256, 16);
    for (uint32_t i = 0; i < 200; i++) {
        uint32_t args[2] = {i, 170};
        gu_publish(b.ring, i, i % 2, i % 5, GU_ATOMIC_ADD, args, 2);
    }
    uint32_t store[2] = {77, 171};
    gu_publish(b.ring, 200, 0, 2, GU_STORE, store, 2);
    gu_publish(b.ring, 201, 5, 2, GU_NOP, NULL, 0); /* tenant 5: denied */
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch(mk, (uint8_t *)b.control, b.control_bytes, (uint8_t *)b.ring,
                                                   b.ring_bytes, (uint8_t *)b.debug, b.debug_bytes, ERR));
    CHECK(b.control[170] == 199u * 200u / 2u);
    CHECK(b.control[171] == 77);
    CHECK(b.control[1] == 201); /* DONE_COUNT */
    CHECK(b.control[96 + GU_ATOMIC_ADD] == 200);
    CHECK(b.control[64] == 101 && b.control[65] == 100); /* TENANT_FAIRNESS */
    for (uint32_t i = 0; i <= 200; i++) CHECK(b.ring[i * 16] == GU_DONE);
    CHECK(b.ring[201 * 16] == GU_PUBLISHED);
    release(&b);
}

static void test_errors_leave_buffers_unchanged(vyre_megakernel *mk) {
    bufs b = make(64, 16);
    gu_publish(b.ring, 0, 0, 2, GU_NOP, NULL, 0);
    uint32_t *copy = malloc(b.ring_bytes);
    memcpy(copy, b.ring, b.ring_bytes);
    vyre_error *err = NULL;
    /* Control shorter than 160 words. */
    CHECK(vyre_megakernel_dispatch(mk, (uint8_t *)b.control, 100, (uint8_t *)b.ring, b.ring_bytes, (uint8_t *)b.debug,
                                   b.debug_bytes, &err) == VYRE_ERROR_MALFORMED_BUFFER);
    CHECK(strstr(vyre_error_message(err), "control") != NULL);
    vyre_error_free(err);
    /* Ring not a multiple of 64 bytes; debug log not 1 + 4k words. */
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER,
                 vyre_megakernel_dispatch(mk, (uint8_t *)b.control, b.control_bytes, (uint8_t *)b.ring, 100,
                                          (uint8_t *)b.debug, b.debug_bytes, ERR));
    CHECK_STATUS(VYRE_ERROR_MALFORMED_BUFFER,
                 vyre_megakernel_dispatch(mk, (uint8_t *)b.control, b.control_bytes, (uint8_t *)b.ring, b.ring_bytes,
                                          (uint8_t *)b.debug, 8, ERR));
    /* NULL buffers and handles. */
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER,
                 vyre_megakernel_dispatch(NULL, (uint8_t *)b.control, b.control_bytes, (uint8_t *)b.ring, b.ring_bytes,
                                          (uint8_t *)b.debug, b.debug_bytes, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER,
                 vyre_megakernel_dispatch(mk, (uint8_t *)b.control, b.control_bytes, NULL, b.ring_bytes,
                                          (uint8_t *)b.debug, b.debug_bytes, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER,
                 vyre_megakernel_dispatch_with_io_queue(mk, (uint8_t *)b.control, b.control_bytes, (uint8_t *)b.ring,
                                                        b.ring_bytes, (uint8_t *)b.debug, b.debug_bytes, NULL, 0, ERR));
    /* Overlapping buffers. */
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT,
                 vyre_megakernel_dispatch(mk, (uint8_t *)b.ring, 640, (uint8_t *)b.ring, b.ring_bytes,
                                          (uint8_t *)b.debug, b.debug_bytes, ERR));
    /* Bad options. */
    vyre_dispatch_buffers db;
    memset(&db, 0, sizeof db);
    db.control.data = (uint8_t *)b.control;
    db.control.len = b.control_bytes;
    db.ring.data = (uint8_t *)b.ring;
    db.ring.len = b.ring_bytes;
    db.debug_log.data = (uint8_t *)b.debug;
    db.debug_log.len = b.debug_bytes;
    vyre_dispatch_options o;
    memset(&o, 0, sizeof o);
    vyre_dispatch_stats stats;
    memset(&stats, 0x5A, sizeof stats);
    vyre_dispatch_stats stats_before = stats;
    o.flags = 0x80;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_dispatch_ex(mk, &db, &o, &stats, ERR));
    o.flags = 0;
    o.work_budget = VYRE_DISPATCH_MAX_WORK_BUDGET + 1;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_dispatch_ex(mk, &db, &o, &stats, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_dispatch_ex(mk, NULL, NULL, &stats, ERR));
    /* The megakernel has no extra buffers: passing one is an error. */
    uint32_t extra_words[4] = {0};
    vyre_buffer extra = {(uint8_t *)extra_words, sizeof extra_words};
    db.extras = &extra;
    db.extra_count = 1;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_dispatch_ex(mk, &db, NULL, &stats, ERR));
    CHECK(memcmp(&stats, &stats_before, sizeof stats) == 0);
    CHECK(memcmp(copy, b.ring, b.ring_bytes) == 0);
    free(copy);
    release(&b);
}

static void test_stats_and_drain(vyre_megakernel *mk) {
    /* A 1,000,000-word MEMCPY needs ~31 waves at the default budget: stop after 2. */
    const uint32_t len = 1000000;
    bufs b = make(256, 2 * len + 16);
    for (uint32_t i = 0; i < len; i++) b.control[160 + len + 8 + i] = i * 3u + 1u;
    uint32_t args[3] = {160 + len + 8, 160, len};
    gu_publish(b.ring, 0, 0, 0, GU_MEMCPY, args, 3);
    vyre_dispatch_buffers db;
    memset(&db, 0, sizeof db);
    db.control.data = (uint8_t *)b.control;
    db.control.len = b.control_bytes;
    db.ring.data = (uint8_t *)b.ring;
    db.ring.len = b.ring_bytes;
    db.debug_log.data = (uint8_t *)b.debug;
    db.debug_log.len = b.debug_bytes;
    vyre_dispatch_options o;
    memset(&o, 0, sizeof o);
    o.max_waves = 2;
    vyre_dispatch_stats s;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_ex(mk, &db, &o, &s, ERR));
    CHECK(s.waves == 2 && s.kernel_launches == 2 && s.stop == VYRE_STOP_TIME_LIMIT);
    CHECK(s.remaining == 1 && s.claimable == 1 && s.done == 0);
    CHECK(s.bytes_in >= b.control_bytes + b.ring_bytes && s.bytes_out >= b.control_bytes);
    CHECK(s.sync_points >= 2 && s.latency_ns > 0 && s.recovered == 0);
    CHECK(b.ring[0] == GU_YIELD);
    CHECK(b.ring[6] == len - 2 * VYRE_DISPATCH_DEFAULT_WORK_BUDGET); /* progress saved in args */
    /* Finish: the copy is exact. */
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_ex(mk, &db, NULL, &s, ERR));
    CHECK(s.stop == VYRE_STOP_COMPLETE && s.remaining == 0 && s.done == 1);
    CHECK(memcmp(b.control + 160, b.control + 160 + len + 8, (size_t)len * 4) == 0);
    /* max_wall_time: 1 microsecond allows exactly one wave. */
    b.ring[0] = 3;
    gu_publish(b.ring, 0, 0, 0, GU_MEMCPY, args, 3);
    o.max_waves = 0;
    o.max_wall_time_us = 1;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_ex(mk, &db, &o, &s, ERR));
    CHECK(s.waves == 1 && s.stop == VYRE_STOP_TIME_LIMIT && s.remaining == 1);
    release(&b);
}

static void test_io_queue_round_trip(vyre_megakernel *mk) {
    bufs b = make(256, 16);
    uint32_t args[6] = {11, 22, 4096, 0, 512, 0xBEEF};
    gu_publish(b.ring, 3, 1, 2, GU_LOAD_MISS, args, 6);
    vyre_dispatch_buffers db;
    memset(&db, 0, sizeof db);
    db.control.data = (uint8_t *)b.control;
    db.control.len = b.control_bytes;
    db.ring.data = (uint8_t *)b.ring;
    db.ring.len = b.ring_bytes;
    db.debug_log.data = (uint8_t *)b.debug;
    db.debug_log.len = b.debug_bytes;
    db.io_queue.data = (uint8_t *)b.io;
    db.io_queue.len = b.io_bytes;
    vyre_dispatch_stats s;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_ex(mk, &db, NULL, &s, ERR));
    CHECK(b.ring[3 * 16] == GU_WAIT_IO && s.waiting_io == 1 && s.stop == VYRE_STOP_COMPLETE);
    uint32_t io_slot = b.ring[3 * 16 + 14] - 1;
    CHECK(io_slot < 4);
    uint32_t *req = b.io + io_slot * 8;
    CHECK(req[0] == 1 && req[1] == 11 && req[2] == 22 && req[3] == 4096 && req[5] == 512);
    CHECK(req[6] == GU_PUBLISHED && req[7] == 0xBEEF);
    req[6] = GU_IO_OK; /* the host served the read */
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_with_io_queue(mk, (uint8_t *)b.control, b.control_bytes,
                                                                 (uint8_t *)b.ring, b.ring_bytes, (uint8_t *)b.debug,
                                                                 b.debug_bytes, (uint8_t *)b.io, b.io_bytes, ERR));
    CHECK(b.ring[3 * 16] == GU_DONE);
    CHECK(req[6] == 0); /* io slot free again */
    release(&b);
}

typedef struct {
    vyre_megakernel *mk;
    uint32_t id;
    int failures;
} worker;

static void *dispatch_worker(void *p) {
    worker *w = p;
    for (uint32_t round = 0; round < 10; round++) {
        bufs b = make(256, 16);
        for (uint32_t i = 0; i < 256; i++) {
            uint32_t args[2] = {w->id * 1000 + round, 170 + i % 3};
            gu_publish(b.ring, i, 0, i % 5, GU_ATOMIC_ADD, args, 2);
        }
        if (vyre_megakernel_dispatch(w->mk, (uint8_t *)b.control, b.control_bytes, (uint8_t *)b.ring, b.ring_bytes,
                                     (uint8_t *)b.debug, b.debug_bytes, NULL) != VYRE_OK)
            w->failures++;
        uint32_t v = w->id * 1000 + round;
        if (b.control[170] != 86 * v || b.control[171] != 85 * v || b.control[172] != 85 * v || b.control[1] != 256)
            w->failures++;
        release(&b);
    }
    return NULL;
}

static void test_eight_threads(vyre_megakernel *mk) {
    pthread_t t[8];
    worker w[8];
    for (uint32_t i = 0; i < 8; i++) {
        w[i].mk = mk;
        w[i].id = i + 1;
        w[i].failures = 0;
        CHECK(pthread_create(&t[i], NULL, dispatch_worker, &w[i]) == 0);
    }
    for (int i = 0; i < 8; i++) {
        pthread_join(t[i], NULL);
        CHECK(w[i].failures == 0);
    }
}

int main(void) {
    vyre_device *dev = gu_open_device();
    vyre_megakernel *mk = NULL;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_bootstrap(dev, &mk, ERR));
    vyre_device_destroy(dev); /* the megakernel keeps the device alive */
    test_plain_dispatch(mk);
    test_errors_leave_buffers_unchanged(mk);
    test_stats_and_drain(mk);
    test_io_queue_round_trip(mk);
    test_eight_threads(mk);
    vyre_megakernel_destroy(mk);
    TEST_MAIN_END();
}
