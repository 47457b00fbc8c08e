/* Resident sets, batches of resident sets and decoded readback through the C API, with
 * buffers encoded by the protocol C API. */
#include "gpu_util.h"

_Static_assert(sizeof(vyre_readback) == 304 + 6 * sizeof(size_t), "vyre_readback layout");
_Static_assert(sizeof(vyre_read_range) == 8 + 3 * sizeof(size_t), "vyre_read_range layout");

static uint8_t *encode_control(uint32_t observable, size_t *len) {
    size_t need = 0;
    CHECK_STATUS(VYRE_OK, vyre_control_encode(0, 2, observable, 256, NULL, 0, &need, ERR));
    uint8_t *c = calloc(1, need);
    CHECK_STATUS(VYRE_OK, vyre_control_encode(0, 2, observable, 256, c, need, &need, ERR));
    *len = need;
    return c;
}

static uint8_t *atomic_ring(uint32_t slots, uint32_t count, uint32_t value) {
    uint8_t *ring = calloc(slots, 64);
    for (uint32_t i = 0; i < count; i++) {
        uint32_t args[2] = {value, 170};
        CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, (size_t)slots * 64, i, 1, i % 5, GU_ATOMIC_ADD, args, 2, ERR));
    }
    return ring;
}

static uint32_t control_word(vyre_resident *set, uint32_t index) {
    uint32_t w = 0xFFFFFFFF;
    CHECK_STATUS(VYRE_OK, vyre_resident_read(set, VYRE_BUFFER_CONTROL, (size_t)index * 4, (uint8_t *)&w, 4, ERR));
    return w;
}

static void test_resident(vyre_megakernel *mk) {
    vyre_resident *set = NULL;
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_resident_create(NULL, NULL, &set, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_resident_create(mk, NULL, NULL, ERR));
    vyre_resident_options o;
    memset(&o, 0, sizeof o);
    o.flags = 8;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_resident_create(mk, &o, &set, ERR));
    uint64_t extra = 64;
    o.flags = 0;
    o.extra_sizes = &extra;
    o.extra_count = 1; /* the bootstrap megakernel has no extra buffers */
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_resident_create(mk, &o, &set, ERR));
    CHECK(set == NULL);
    CHECK_STATUS(VYRE_OK, vyre_resident_create(mk, NULL, &set, ERR));

    size_t size = 0;
    CHECK_STATUS(VYRE_OK, vyre_resident_buffer_size(set, VYRE_BUFFER_RING, &size, ERR));
    CHECK(size == 256 * 64);
    CHECK_STATUS(VYRE_OK, vyre_resident_buffer_size(set, VYRE_BUFFER_CONTROL, &size, ERR));
    CHECK(size == (160 + 64) * 4);
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_resident_buffer_size(set, VYRE_BUFFER_EXTRA, &size, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_resident_buffer_size(set, 0, NULL, ERR));

    size_t clen = 0;
    uint8_t *control = encode_control(64, &clen);
    uint8_t *ring = atomic_ring(256, 256, 3);
    CHECK_STATUS(VYRE_OK, vyre_resident_write(set, VYRE_BUFFER_CONTROL, 0, control, clen, ERR));
    CHECK_STATUS(VYRE_OK, vyre_resident_write(set, VYRE_BUFFER_RING, 0, ring, 256 * 64, ERR));
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_resident_write(set, VYRE_BUFFER_RING, 256 * 64 - 2, ring, 4, ERR));
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_resident_write(set, 99, 0, ring, 4, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_resident_write(set, VYRE_BUFFER_RING, 0, NULL, 4, ERR));

    vyre_dispatch_stats s;
    CHECK_STATUS(VYRE_OK, vyre_resident_dispatch(set, NULL, &s, ERR));
    CHECK(s.done == 256 && s.waves == 1 && s.remaining == 0 && s.stop == VYRE_STOP_COMPLETE);
    CHECK(control_word(set, 170) == 768);

    /* Republish one slot; dispatch with the control block read in the same submission. */
    uint8_t one[64];
    memset(one, 0, sizeof one);
    uint32_t args[2] = {1000, 170};
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(one, 64, 0, 0, 2, GU_ATOMIC_ADD, args, 2, ERR));
    CHECK_STATUS(VYRE_OK, vyre_resident_write(set, VYRE_BUFFER_RING, 64 * 17, one, 64, ERR));
    uint8_t *back = calloc(1, clen);
    vyre_read_range range = {VYRE_BUFFER_CONTROL, 0, 0, back, clen};
    CHECK_STATUS(VYRE_OK, vyre_resident_dispatch_read(set, NULL, &range, 1, &s, ERR));
    CHECK(s.done == 1 && s.bytes_in == 64 && s.sync_points == 1);
    uint32_t done = 0, w170 = 0;
    CHECK_STATUS(VYRE_OK, vyre_control_read_done_count(back, clen, &done, ERR));
    CHECK_STATUS(VYRE_OK, vyre_control_read_word(back, clen, 170, &w170, ERR));
    CHECK(done == 257 && w170 == 1768);

    /* Failed reads leave the destination unchanged. */
    uint8_t guard[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    CHECK_STATUS(VYRE_ERROR_OUT_OF_RANGE, vyre_resident_read(set, VYRE_BUFFER_CONTROL, clen - 4, guard, 8, ERR));
    CHECK(guard[0] == 1 && guard[7] == 8);
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_resident_read(set, VYRE_BUFFER_CONTROL, 0, NULL, 8, ERR));
    range.reserved = 1;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_resident_dispatch_read(set, NULL, &range, 1, &s, ERR));
    vyre_dispatch_options bad;
    memset(&bad, 0, sizeof bad);
    bad.reserved = 3;
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_resident_dispatch(set, &bad, &s, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_resident_dispatch(NULL, NULL, &s, ERR));
    free(back);
    free(control);
    free(ring);
    vyre_resident_destroy(set);
    vyre_resident_destroy(NULL);
}

static void test_batch(vyre_megakernel *mk) {
    enum { N = 64 };
    vyre_resident *sets[N];
    size_t clen = 0;
    uint8_t *control = encode_control(64, &clen);
    for (uint32_t k = 0; k < N; k++) {
        CHECK_STATUS(VYRE_OK, vyre_resident_create(mk, NULL, &sets[k], ERR));
        uint8_t *ring = atomic_ring(256, k + 1, k + 1);
        CHECK_STATUS(VYRE_OK, vyre_resident_write(sets[k], VYRE_BUFFER_CONTROL, 0, control, clen, ERR));
        CHECK_STATUS(VYRE_OK, vyre_resident_write(sets[k], VYRE_BUFFER_RING, 0, ring, 256 * 64, ERR));
        free(ring);
    }
    vyre_dispatch_stats stats[N];
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_batch(mk, sets, N, NULL, stats, ERR));
    for (uint32_t k = 0; k < N; k++) {
        CHECK(stats[k].done == k + 1 && stats[k].waves == 1 && stats[k].stop == VYRE_STOP_COMPLETE);
        CHECK(control_word(sets[k], 170) == (k + 1) * (k + 1));
    }
    /* A set listed twice: refused, stats untouched. */
    vyre_resident *dup[3] = {sets[0], sets[1], sets[0]};
    vyre_dispatch_stats before[3], after[3];
    memset(before, 0x77, sizeof before);
    memcpy(after, before, sizeof after);
    CHECK_STATUS(VYRE_ERROR_INVALID_ARGUMENT, vyre_megakernel_dispatch_batch(mk, dup, 3, NULL, after, ERR));
    CHECK(memcmp(before, after, sizeof after) == 0);
    vyre_resident *with_null[2] = {sets[0], NULL};
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_dispatch_batch(mk, with_null, 2, NULL, NULL, ERR));
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_dispatch_batch(mk, NULL, 2, NULL, NULL, ERR));
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_batch(mk, NULL, 0, NULL, NULL, ERR));
    for (uint32_t k = 0; k < N; k++) vyre_resident_destroy(sets[k]);
    free(control);
}

static void test_decoded_readback(vyre_megakernel *mk) {
    size_t clen = 0;
    uint8_t *control = encode_control(8, &clen);
    uint8_t *ring = calloc(256, 64);
    uint32_t store[2] = {42, 165};
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, 256 * 64, 0, 1, 0, GU_STORE, store, 2, ERR));
    for (uint32_t i = 1; i <= 5; i++) {
        uint32_t p[3] = {i, 10 * i, 100 * i};
        CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, 256 * 64, i, 0, 2, 0xFFFE, p, 3, ERR));
    }
    uint32_t fence[2] = {5, 0xF00D};
    CHECK_STATUS(VYRE_OK, vyre_ring_publish(ring, 256 * 64, 6, 0, 4, 7, fence, 2, ERR));
    size_t dlen = 0;
    CHECK_STATUS(VYRE_OK, vyre_debug_log_encode_empty(4, NULL, 0, &dlen, ERR));
    uint8_t *log = calloc(1, dlen);
    vyre_dispatch_buffers db;
    memset(&db, 0, sizeof db);
    db.control.data = control;
    db.control.len = clen;
    db.ring.data = ring;
    db.ring.len = 256 * 64;
    db.debug_log.data = log;
    db.debug_log.len = dlen;

    uint32_t obs[8];
    vyre_debug_record recs[4];
    vyre_readback rb;
    memset(&rb, 0, sizeof rb);
    rb.observables = obs;
    rb.observable_capacity = 7; /* one short */
    rb.records = recs;
    rb.record_capacity = 4;
    uint8_t *ring_before = malloc(256 * 64);
    memcpy(ring_before, ring, 256 * 64);
    vyre_error *err = NULL;
    CHECK(vyre_megakernel_dispatch_readback(mk, &db, NULL, &rb, NULL, &err) == VYRE_ERROR_INSUFFICIENT_SIZE);
    CHECK(vyre_error_required_size(err) == 8);
    vyre_error_free(err);
    CHECK(memcmp(ring, ring_before, 256 * 64) == 0 && rb.done_count == 0);
    rb.observable_capacity = 8;
    rb.record_capacity = 3;
    CHECK_STATUS(VYRE_ERROR_INSUFFICIENT_SIZE, vyre_megakernel_dispatch_readback(mk, &db, NULL, &rb, NULL, ERR));
    rb.record_capacity = 4;
    CHECK_STATUS(VYRE_ERROR_NULL_POINTER, vyre_megakernel_dispatch_readback(mk, &db, NULL, NULL, NULL, ERR));
    vyre_dispatch_stats s;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_dispatch_readback(mk, &db, NULL, &rb, &s, ERR));
    CHECK(rb.done_count == 7 && rb.epoch == 1 && rb.fault_count == 0 && rb.shutdown == 0);
    CHECK(rb.observable_count == 8 && obs[0] == 0xF00D && obs[5] == 42);
    CHECK(rb.record_count == 4 && rb.dropped_records == 1);
    CHECK(rb.metrics[1] == 1 && rb.metrics[7] == 1);
    CHECK(rb.tenant_claims[0] == 6 && rb.tenant_claims[1] == 1);
    CHECK(rb.priority_claims[0] == 1 && rb.priority_claims[2] == 5 && rb.priority_claims[4] == 1);
    int seen = 0;
    for (size_t i = 0; i < rb.record_count; i++) {
        CHECK(recs[i].arg1 == 10 * recs[i].fmt_id && recs[i].arg2 == 100 * recs[i].fmt_id);
        CHECK(recs[i].slot_word_offset == recs[i].fmt_id * 16);
        seen |= 1 << recs[i].fmt_id;
    }
    int distinct = 0;
    for (int b = 1; b <= 5; b++) distinct += (seen >> b) & 1;
    CHECK(distinct == 4);
    CHECK(s.done == 7);
    free(ring_before);
    free(control);
    free(ring);
    free(log);
}

int main(void) {
    vyre_device *dev = gu_open_device();
    vyre_megakernel *mk = NULL;
    CHECK_STATUS(VYRE_OK, vyre_megakernel_bootstrap(dev, &mk, ERR));
    test_resident(mk);
    test_batch(mk);
    test_decoded_readback(mk);
    vyre_megakernel_destroy(mk);
    vyre_device_destroy(dev);
    TEST_MAIN_END();
}
