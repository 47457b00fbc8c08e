/* vyre_scanner_load / vyre_haystack_scan on the GPU backend (lavapipe in CI): a loaded
 * haystack scanned repeatedly gives exactly the hits of vyre_scanner_scan on the same
 * bytes, with plain scans in between (they use the scanner's own resident buffers). */
#include "vyre_test.h"

static uint64_t rng = 12345;
static uint32_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (uint32_t)rng;
}

int main(void) {
    vyre_dfa_pattern p[4] = {
        {"ghp_[A-Za-z0-9]{4}", 0, 1, 0},
        {"key", 0, 2, VYRE_PATTERN_CASELESS},
        {"a[^z]*z", 0, 3, 0},
        {"end$", 0, 4, 0},
    };
    vyre_dfa *dfa = NULL;
    CHECK_STATUS(VYRE_OK, vyre_dfa_compile(p, 4, NULL, &dfa, ERR));
    vyre_scanner *s = NULL;
    CHECK_STATUS(VYRE_OK, vyre_scanner_create(dfa, NULL, &s, ERR));
    enum { LEN = 200003 };
    static uint8_t hay[LEN], other[4097];
    static const char alphabet[] = "ghp_KEYkeyaz0Ab \nend";
    for (size_t i = 0; i < LEN; i++) hay[i] = (uint8_t)alphabet[next() % (sizeof alphabet - 1)];
    for (size_t i = 0; i < sizeof other; i++) other[i] = (uint8_t)alphabet[next() % (sizeof alphabet - 1)];
    size_t want_n = 0;
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, hay, LEN, NULL, 0, &want_n, ERR));
    CHECK(want_n > 1000);
    vyre_hit *want = calloc(want_n, sizeof *want), *got = calloc(want_n, sizeof *got);
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, hay, LEN, want, want_n, &want_n, ERR));
    vyre_haystack *h = NULL;
    CHECK_STATUS(VYRE_OK, vyre_scanner_load(s, hay, LEN, &h, ERR));
    for (int round = 0; round < 3; round++) {
        size_t n = 0;
        CHECK_STATUS(VYRE_OK, vyre_haystack_scan(h, 0, got, want_n, &n, ERR));
        CHECK(n == want_n);
        CHECK(memcmp(got, want, want_n * sizeof *want) == 0);
        size_t m = 0;
        CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, other, sizeof other, NULL, 0, &m, ERR));
    }
    /* too small: buffer untouched, required count reported */
    vyre_hit small[2], copy[2];
    memset(small, 0x33, sizeof small);
    memcpy(copy, small, sizeof small);
    size_t need = 0;
    CHECK(vyre_haystack_scan(h, 0, small, 2, &need, NULL) == VYRE_ERROR_INSUFFICIENT_SIZE);
    CHECK(need == want_n);
    CHECK(memcmp(small, copy, sizeof small) == 0);
    vyre_haystack_destroy(h);
    vyre_scanner_destroy(s);
    vyre_dfa_destroy(dfa);
    free(want);
    free(got);
    TEST_MAIN_END();
}
