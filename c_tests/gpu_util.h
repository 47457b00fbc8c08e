/* Helpers shared by the GPU C tests: open the default device, build protocol buffers as
 * little-endian u32 words (x86/ARM hosts), publish slots. */
#ifndef VYRE_GPU_UTIL_H
#define VYRE_GPU_UTIL_H

#include <stdint.h>
#include "vyre_test.h"

enum { GU_CONTROL_WORDS = 160, GU_SLOT_WORDS = 16 };
enum { GU_PUBLISHED = 1, GU_DONE = 3, GU_WAIT_IO = 4, GU_YIELD = 5, GU_FAULT = 7 };
enum { GU_IO_OK = 0x10, GU_IO_ERROR = 0x11 };
enum { GU_NOP = 0, GU_STORE = 1, GU_ATOMIC_ADD = 2, GU_LOAD = 3, GU_MEMCPY = 5, GU_LOAD_MISS = 0xFFFD };

static inline vyre_device *gu_open_device(void) {
    vyre_device *dev = NULL;
    vyre_error *err = NULL;
    if (vyre_device_create(NULL, &dev, &err) != VYRE_OK) {
        fprintf(stderr, "no GPU device: %s\n", vyre_error_message(err));
        vyre_error_free(err);
        exit(1);
    }
    return dev;
}

/* Control block allowing tenants 0..tenants-1, observable words after word 160. */
static inline uint32_t *gu_control(uint32_t tenants, uint32_t observable, size_t *out_bytes) {
    size_t words = GU_CONTROL_WORDS + observable;
    uint32_t *c = calloc(words, 4);
    c[2] = 3;
    for (uint32_t t = 0; t < tenants; t++) c[3 + t / 32] |= 1u << (t % 32);
    *out_bytes = words * 4;
    return c;
}

static inline void gu_publish(uint32_t *ring, size_t slot, uint32_t tenant, uint32_t prio, uint32_t opcode,
                       const uint32_t *args, size_t nargs) {
    uint32_t *s = ring + slot * GU_SLOT_WORDS;
    s[1] = opcode;
    s[2] = tenant;
    s[3] = prio;
    for (size_t i = 0; i < 12; i++) s[4 + i] = i < nargs ? args[i] : 0;
    s[0] = GU_PUBLISHED;
}

#endif
