/* Downstream consumer used by the install test: checks header and library agree, then
 * encodes and publishes real protocol buffers through the installed library. */
#include <stdio.h>
#include <string.h>
#include <vyre.h>

int main(void) {
    if (vyre_version() != VYRE_VERSION_NUMBER) {
        fprintf(stderr, "header %u != library %u\n", (unsigned)VYRE_VERSION_NUMBER, (unsigned)vyre_version());
        return 1;
    }
    if (strcmp(vyre_status_string(VYRE_OK), "ok") != 0) return 1;

    /* Control for a 4-slot ring, then a ring with a batch of two work slots + fence. */
    unsigned char control[(VYRE_CONTROL_WORDS + 1) * 4];
    unsigned char ring[4 * VYRE_SLOT_BYTES];
    size_t written = 0;
    if (vyre_control_encode(0, 2, 1, 4, control, sizeof control, &written, NULL) != VYRE_OK ||
        written != sizeof control)
        return 2;
    if (vyre_ring_encode_empty(4, ring, sizeof ring, &written, NULL) != VYRE_OK) return 3;
    vyre_batch_item items[2] = {{VYRE_OP_STORE_U32, 2, {7, VYRE_CONTROL_WORD_OBSERVABLE}}, {VYRE_OP_NOP, 0, {0}}};
    unsigned published = 0;
    uint32_t n = 0;
    if (vyre_ring_batch_publish(ring, sizeof ring, 0, 1, VYRE_PRIORITY_NORMAL, items, 2, 99, &n, NULL) != VYRE_OK ||
        n != 3)
        return 4;
    for (uint32_t i = 0; i < 4; i++) {
        vyre_slot s;
        if (vyre_ring_read_slot(ring, sizeof ring, i, &s, NULL) != VYRE_OK) return 5;
        published += s.status == VYRE_STATE_PUBLISHED;
    }
    /* The fourth slot is still free; slot 0 is in flight. */
    vyre_error *err = NULL;
    if (vyre_ring_publish(ring, sizeof ring, 0, 1, VYRE_PRIORITY_NORMAL, VYRE_OP_NOP, NULL, 0, &err) !=
            VYRE_ERROR_SLOT_IN_FLIGHT ||
        vyre_error_status(err) != VYRE_ERROR_SLOT_IN_FLIGHT)
        return 6;
    vyre_error_free(err);
    if (published != 3) return 7;
    printf("consumer ok: vyre %s, published %u slots\n", vyre_version_string(), published);
    return 0;
}
