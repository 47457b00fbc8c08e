/* vyre_dfa_* and vyre_scanner_* / vyre_scan_stream_* on the CPU backend (also run under
 * valgrind). The GPU backend is covered by test_scan_gpu.c. */
#include "vyre_test.h"

_Static_assert(sizeof(vyre_hit) == 16, "vyre_hit is 16 bytes");
_Static_assert(offsetof(vyre_hit, pattern) == 4 && offsetof(vyre_hit, end) == 8, "vyre_hit layout");
_Static_assert(sizeof(vyre_dfa_info) == 32, "vyre_dfa_info layout");
_Static_assert(offsetof(vyre_dfa_info, table_bytes) == 16, "vyre_dfa_info layout");
_Static_assert(offsetof(vyre_dfa_info, group_count) == 24, "vyre_dfa_info layout");
_Static_assert(sizeof(vyre_scan_item) == 24, "vyre_scan_item layout");

typedef struct {
    vyre_hit hits[64];
    size_t count;
    size_t stop_after; /* 0 = never stop */
} collector;

static int32_t collect(const vyre_hit *hit, void *userdata) {
    collector *c = (collector *)userdata;
    if (c->count < 64) c->hits[c->count] = *hit;
    c->count++;
    return (c->stop_after && c->count >= c->stop_after) ? 1 : 0;
}

/* A callback that scans its haystack again (size query) on the first hit: the
 * haystack's reused hit buffer is in use then, and the nested scan must neither wait
 * for it (a hang) nor disturb the hits being delivered. */
typedef struct {
    vyre_haystack *h;
    size_t inner;
    collector c;
} reenter;

static int32_t scan_again(const vyre_hit *hit, void *userdata) {
    reenter *r = (reenter *)userdata;
    if (r->c.count == 0) CHECK_STATUS(VYRE_OK, vyre_haystack_scan(r->h, 5, NULL, 0, &r->inner, ERR));
    return collect(hit, &r->c);
}

static vyre_dfa *compile_basic(void) {
    /* aa (7), a+ (9), literal "ab" (3), caseless "key" with word boundaries (4), end$ (5) */
    vyre_dfa_pattern p[5] = {
        {"aa", 0, 7, 0},
        {"a+", 0, 9, 0},
        {"ab", 2, 3, VYRE_PATTERN_LITERAL},
        {"\\bkey\\b", 0, 4, VYRE_PATTERN_CASELESS},
        {"end$", 0, 5, 0},
    };
    vyre_dfa *dfa = NULL;
    CHECK_STATUS(VYRE_OK, vyre_dfa_compile(p, 5, NULL, &dfa, ERR));
    return dfa;
}

static void test_compile_errors(void) {
    vyre_dfa_pattern ok = {"abc", 0, 1, 0};
    vyre_dfa *sentinel = (vyre_dfa *)0x1;
    vyre_dfa *dfa = sentinel;
    vyre_error *err = NULL;

    CHECK(vyre_dfa_compile(NULL, 1, NULL, &dfa, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_dfa_compile(&ok, 1, NULL, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_dfa_compile(&ok, 0, NULL, &dfa, NULL) == VYRE_ERROR_INVALID_ARGUMENT);
    vyre_dfa_pattern nul = {NULL, 0, 1, 0};
    CHECK(vyre_dfa_compile(&nul, 1, NULL, &dfa, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_dfa_pattern flag = {"abc", 0, 1, 0x80};
    CHECK(vyre_dfa_compile(&flag, 1, NULL, &dfa, NULL) == VYRE_ERROR_INVALID_ARGUMENT);

    vyre_dfa_pattern bad[2] = {{"ok", 0, 1, 0}, {"a(b", 0, 2, 0}};
    CHECK(vyre_dfa_compile(bad, 2, NULL, &dfa, &err) == VYRE_ERROR_PATTERN);
    CHECK(vyre_error_status(err) == VYRE_ERROR_PATTERN);
    CHECK(strstr(vyre_error_message(err), "pattern 1") != NULL);
    CHECK(strstr(vyre_error_message(err), "unclosed group") != NULL);
    vyre_error_free(err);
    err = NULL;

    vyre_dfa_pattern empty = {"x*", 0, 1, 0};
    CHECK(vyre_dfa_compile(&empty, 1, NULL, &dfa, &err) == VYRE_ERROR_PATTERN);
    CHECK(strstr(vyre_error_message(err), "empty string") != NULL);
    vyre_error_free(err);
    err = NULL;

    vyre_dfa_pattern big = {"[ab]*a[ab]{14}", 0, 1, 0};
    vyre_dfa_options small = {64 * 1024};
    CHECK(vyre_dfa_compile(&big, 1, &small, &dfa, &err) == VYRE_ERROR_TOO_LARGE);
    CHECK(strstr(vyre_error_message(err), "too large") != NULL);
    vyre_error_free(err);
    CHECK(dfa == sentinel); /* never written on failure */
}

static void test_info(void) {
    vyre_dfa *dfa = compile_basic();
    vyre_dfa_info info;
    memset(&info, 0xAB, sizeof info);
    vyre_dfa_info before = info;
    CHECK(vyre_dfa_get_info(NULL, &info, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_dfa_get_info(dfa, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(memcmp(&info, &before, sizeof info) == 0);
    CHECK_STATUS(VYRE_OK, vyre_dfa_get_info(dfa, &info, ERR));
    CHECK(info.pattern_count == 5);
    CHECK(info.delay == 1);
    CHECK(info.state_count > 3 && info.class_count > 3);
    CHECK(info.table_bytes >= (uint64_t)info.state_count * info.class_count * 4);
    CHECK(info.group_count == 1 && info.reserved == 0);
    vyre_dfa_destroy(dfa);
    vyre_dfa_destroy(NULL);

    /* Pure literal set: Aho-Corasick path, no delay. */
    vyre_dfa_pattern lits[2] = {{"he", 0, 1, VYRE_PATTERN_LITERAL}, {"she", 0, 2, VYRE_PATTERN_LITERAL}};
    CHECK_STATUS(VYRE_OK, vyre_dfa_compile(lits, 2, NULL, &dfa, ERR));
    CHECK_STATUS(VYRE_OK, vyre_dfa_get_info(dfa, &info, ERR));
    CHECK(info.delay == 0 && info.pattern_count == 2);
    vyre_dfa_destroy(dfa);
}

static vyre_scanner *cpu_scanner(const vyre_dfa *dfa) {
    vyre_scanner_options o;
    memset(&o, 0, sizeof o);
    o.backend = VYRE_SCAN_BACKEND_CPU;
    o.threads = 2;
    o.chunk_bytes = 3; /* tiny chunks: exercise the boundary fix-up */
    vyre_scanner *s = NULL;
    CHECK_STATUS(VYRE_OK, vyre_scanner_create(dfa, &o, &s, ERR));
    return s;
}

static void test_scan_into_storage(void) {
    vyre_dfa *dfa = compile_basic();
    vyre_scanner *s = cpu_scanner(dfa);
    vyre_dfa_destroy(dfa); /* the scanner keeps it alive */
    const char *text = "aaab KEY end";
    size_t len = strlen(text);
    size_t n = 0;
    /* size query */
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, (const uint8_t *)text, len, NULL, 0, &n, ERR));
    CHECK(n == 8);
    /* too small: required size reported, buffer untouched */
    vyre_hit small[3];
    memset(small, 0x5A, sizeof small);
    vyre_hit copy[3];
    memcpy(copy, small, sizeof small);
    size_t need = 0;
    vyre_error *err = NULL;
    CHECK(vyre_scanner_scan(s, (const uint8_t *)text, len, small, 3, &need, &err) == VYRE_ERROR_INSUFFICIENT_SIZE);
    CHECK(need == 8 && vyre_error_required_size(err) == 8);
    CHECK(memcmp(small, copy, sizeof small) == 0);
    vyre_error_free(err);
    /* exact values: a+ ends 1,2,3; aa ends 2,3; ab ends 4; key ends 8; end$ ends 12 */
    vyre_hit hits[8];
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, (const uint8_t *)text, len, hits, 8, &n, ERR));
    const uint32_t want_p[8] = {9, 7, 9, 7, 9, 3, 4, 5};
    const uint64_t want_e[8] = {1, 2, 2, 3, 3, 4, 8, 12};
    CHECK(n == 8);
    for (size_t i = 0; i < 8 && i < n; i++) {
        CHECK(hits[i].pattern == want_p[i]);
        CHECK(hits[i].end == want_e[i]);
        CHECK(hits[i].tag == 0);
    }
    /* 0-length input */
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, NULL, 0, hits, 8, &n, ERR));
    CHECK(n == 0);
    /* error paths */
    CHECK(vyre_scanner_scan(NULL, (const uint8_t *)text, len, hits, 8, &n, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scanner_scan(s, NULL, 5, hits, 8, &n, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scanner_scan(s, (const uint8_t *)text, len, hits, 8, NULL, NULL) == VYRE_ERROR_NULL_POINTER);

    /* backend name */
    char name[64];
    size_t w = 0;
    CHECK_STATUS(VYRE_OK, vyre_scanner_backend_name(s, NULL, 0, &w, ERR));
    CHECK(w == strlen("cpu (2 threads)") + 1);
    memset(name, 'z', sizeof name);
    CHECK(vyre_scanner_backend_name(s, name, 4, &w, NULL) == VYRE_ERROR_INSUFFICIENT_SIZE);
    CHECK(name[0] == 'z');
    CHECK_STATUS(VYRE_OK, vyre_scanner_backend_name(s, name, sizeof name, &w, ERR));
    CHECK(strcmp(name, "cpu (2 threads)") == 0);
    CHECK(vyre_scanner_backend_name(NULL, name, sizeof name, &w, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_scanner_destroy(s);
    vyre_scanner_destroy(NULL);
}

static void test_callback_and_batch(void) {
    vyre_dfa *dfa = compile_basic();
    vyre_scanner *s = cpu_scanner(dfa);
    collector c;
    memset(&c, 0, sizeof c);
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan_callback(s, (const uint8_t *)"aa", 2, collect, &c, ERR));
    CHECK(c.count == 3); /* a+@1, aa@2, a+@2 */
    CHECK(c.hits[0].pattern == 9 && c.hits[0].end == 1);
    CHECK(c.hits[1].pattern == 7 && c.hits[1].end == 2);
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan_callback(s, (const uint8_t *)"aaaa", 4, collect, &c, ERR));
    CHECK(c.count == 2); /* the callback stopped delivery */
    CHECK(vyre_scanner_scan_callback(s, (const uint8_t *)"aa", 2, NULL, &c, NULL) == VYRE_ERROR_NULL_POINTER);

    vyre_scan_item items[3] = {
        {(const uint8_t *)"ab", 2, 10, 0},
        {(const uint8_t *)"zzz", 3, 11, 0},
        {(const uint8_t *)"the end", 7, 12, 0},
    };
    vyre_hit hits[8];
    size_t n = 0;
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan_batch(s, items, 3, hits, 8, &n, ERR));
    CHECK(n == 3);
    CHECK(hits[0].tag == 10 && hits[0].pattern == 9 && hits[0].end == 1);
    CHECK(hits[1].tag == 10 && hits[1].pattern == 3 && hits[1].end == 2);
    CHECK(hits[2].tag == 12 && hits[2].pattern == 5 && hits[2].end == 7);
    vyre_hit small[1];
    memset(small, 0x11, sizeof small);
    vyre_hit copy[1];
    memcpy(copy, small, sizeof small);
    CHECK(vyre_scanner_scan_batch(s, items, 3, small, 1, &n, NULL) == VYRE_ERROR_INSUFFICIENT_SIZE);
    CHECK(n == 3 && memcmp(small, copy, sizeof small) == 0);
    vyre_scan_item bad = {NULL, 4, 0, 0};
    CHECK(vyre_scanner_scan_batch(s, &bad, 1, hits, 8, &n, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scanner_scan_batch(s, NULL, 2, hits, 8, &n, NULL) == VYRE_ERROR_NULL_POINTER);
    memset(&c, 0, sizeof c);
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan_batch_callback(s, items, 3, collect, &c, ERR));
    CHECK(c.count == 3 && c.hits[2].tag == 12);
    CHECK(vyre_scanner_scan_batch_callback(s, items, 3, NULL, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_scanner_destroy(s);
    vyre_dfa_destroy(dfa);
}

static void test_stream(void) {
    vyre_dfa_pattern p[2] = {{"secret=[0-9]+x", 0, 1, 0}, {"end$", 0, 2, 0}};
    vyre_dfa *dfa = NULL;
    CHECK_STATUS(VYRE_OK, vyre_dfa_compile(p, 2, NULL, &dfa, ERR));
    vyre_scanner *s = cpu_scanner(dfa);
    vyre_scan_stream *st = NULL;
    CHECK(vyre_scan_stream_open(NULL, 5, &st, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scan_stream_open(s, 5, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK_STATUS(VYRE_OK, vyre_scan_stream_open(s, 5, &st, ERR));
    vyre_scanner_destroy(s); /* the stream keeps it alive */
    vyre_dfa_destroy(dfa);
    collector c;
    memset(&c, 0, sizeof c);
    /* The match spans three pieces. */
    CHECK_STATUS(VYRE_OK, vyre_scan_stream_write(st, (const uint8_t *)"xx secr", 7, collect, &c, ERR));
    CHECK_STATUS(VYRE_OK, vyre_scan_stream_write(st, (const uint8_t *)"et=12", 5, collect, &c, ERR));
    CHECK(c.count == 0);
    CHECK_STATUS(VYRE_OK, vyre_scan_stream_write(st, (const uint8_t *)"3x the end", 10, collect, &c, ERR));
    CHECK(c.count == 1 && c.hits[0].pattern == 1 && c.hits[0].end == 14 && c.hits[0].tag == 5);
    uint64_t off = 0;
    CHECK_STATUS(VYRE_OK, vyre_scan_stream_offset(st, &off, ERR));
    CHECK(off == 22);
    CHECK(vyre_scan_stream_offset(st, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scan_stream_offset(NULL, &off, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK_STATUS(VYRE_OK, vyre_scan_stream_close(st, collect, &c, ERR));
    CHECK(c.count == 2 && c.hits[1].pattern == 2 && c.hits[1].end == 22);
    /* reset after close */
    CHECK_STATUS(VYRE_OK, vyre_scan_stream_offset(st, &off, ERR));
    CHECK(off == 0);
    CHECK(vyre_scan_stream_write(st, (const uint8_t *)"a", 1, NULL, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scan_stream_write(NULL, (const uint8_t *)"a", 1, collect, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scan_stream_write(st, NULL, 1, collect, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scan_stream_close(st, NULL, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scan_stream_close(NULL, collect, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_scan_stream_destroy(st);
    vyre_scan_stream_destroy(NULL);
}

static void test_scanner_create_errors(void) {
    vyre_dfa *dfa = compile_basic();
    vyre_scanner *s = NULL;
    vyre_scanner_options o;
    memset(&o, 0, sizeof o);
    o.backend = 7;
    CHECK(vyre_scanner_create(dfa, &o, &s, NULL) == VYRE_ERROR_INVALID_ARGUMENT);
    CHECK(s == NULL);
    o.backend = VYRE_SCAN_BACKEND_CPU;
    CHECK(vyre_scanner_create(NULL, &o, &s, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scanner_create(dfa, &o, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_dfa_destroy(dfa);
}

static void test_import(void) {
    /* Two states: every 'x' is a match of id 5, no delay. */
    uint8_t class_map[256];
    memset(class_map, 0, sizeof class_map);
    class_map['x'] = 1;
    uint32_t trans[4] = {0, 1, 0, 1};
    uint32_t moff[3] = {0, 0, 1};
    uint32_t mids[1] = {5};
    vyre_dfa_table t = {2, 2, 0, 0, class_map, trans, moff, mids, 1, NULL, NULL, 0};
    vyre_dfa *dfa = NULL;
    CHECK_STATUS(VYRE_OK, vyre_dfa_import(&t, NULL, &dfa, ERR));
    vyre_dfa_info info;
    CHECK_STATUS(VYRE_OK, vyre_dfa_get_info(dfa, &info, ERR));
    CHECK(info.state_count == 2 && info.class_count == 2 && info.pattern_count == 1 && info.delay == 0);
    vyre_scanner *s = cpu_scanner(dfa);
    vyre_hit hits[4];
    size_t n = 0;
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, (const uint8_t *)"axxa x", 6, hits, 4, &n, ERR));
    CHECK(n == 3 && hits[0].end == 2 && hits[1].end == 3 && hits[2].end == 6 && hits[2].pattern == 5);
    vyre_scanner_destroy(s);
    vyre_dfa_destroy(dfa);

    vyre_dfa *out = NULL;
    CHECK(vyre_dfa_import(NULL, NULL, &out, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_dfa_import(&t, NULL, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_dfa_table u = t;
    u.class_map = NULL;
    CHECK(vyre_dfa_import(&u, NULL, &out, NULL) == VYRE_ERROR_NULL_POINTER);
    u = t;
    u.transitions = NULL;
    CHECK(vyre_dfa_import(&u, NULL, &out, NULL) == VYRE_ERROR_NULL_POINTER);
    uint32_t bad_trans[4] = {0, 2, 0, 1};
    u = t;
    u.transitions = bad_trans;
    CHECK(vyre_dfa_import(&u, NULL, &out, NULL) == VYRE_ERROR_OUT_OF_RANGE);
    uint32_t bad_off[3] = {0, 1, 0};
    u = t;
    u.match_offsets = bad_off;
    CHECK(vyre_dfa_import(&u, NULL, &out, NULL) == VYRE_ERROR_MALFORMED_BUFFER);
    u = t;
    u.delay = 3;
    CHECK(vyre_dfa_import(&u, NULL, &out, NULL) == VYRE_ERROR_INVALID_ARGUMENT);
    u = t;
    u.start_state = 9;
    CHECK(vyre_dfa_import(&u, NULL, &out, NULL) == VYRE_ERROR_OUT_OF_RANGE);
    u = t;
    u.eoi_id_count = 1;
    CHECK(vyre_dfa_import(&u, NULL, &out, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_dfa_options tiny = {8};
    CHECK(vyre_dfa_import(&t, &tiny, &out, NULL) == VYRE_ERROR_TOO_LARGE);
    CHECK(out == NULL);
}

static void test_haystack(void) {
    vyre_dfa *dfa = compile_basic();
    vyre_scanner *s = cpu_scanner(dfa);
    vyre_dfa_destroy(dfa);
    char text[] = "aaab KEY end";
    size_t len = strlen(text);
    vyre_haystack *sentinel = (vyre_haystack *)0x1;
    vyre_haystack *h = sentinel;
    /* error paths leave *out_haystack untouched */
    CHECK(vyre_scanner_load(NULL, (const uint8_t *)text, len, &h, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scanner_load(s, NULL, 3, &h, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_scanner_load(s, (const uint8_t *)text, len, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(h == sentinel);
    CHECK_STATUS(VYRE_OK, vyre_scanner_load(s, (const uint8_t *)text, len, &h, ERR));
    CHECK(h != sentinel && h != NULL);
    vyre_scanner_destroy(s); /* the haystack keeps its scanner alive */
    memset(text, 'z', len);   /* the haystack holds its own copy */
    const uint32_t want_p[8] = {9, 7, 9, 7, 9, 3, 4, 5};
    const uint64_t want_e[8] = {1, 2, 2, 3, 3, 4, 8, 12};
    for (int round = 0; round < 3; round++) {
        size_t n = 0;
        CHECK_STATUS(VYRE_OK, vyre_haystack_scan(h, 6, NULL, 0, &n, ERR));
        CHECK(n == 8);
        vyre_hit hits[8];
        CHECK_STATUS(VYRE_OK, vyre_haystack_scan(h, 6, hits, 8, &n, ERR));
        CHECK(n == 8);
        for (size_t i = 0; i < 8 && i < n; i++) {
            CHECK(hits[i].pattern == want_p[i] && hits[i].end == want_e[i] && hits[i].tag == 6);
        }
    }
    /* too small: required size reported, buffer untouched */
    vyre_hit small[3], copy[3];
    memset(small, 0x5A, sizeof small);
    memcpy(copy, small, sizeof small);
    size_t need = 0;
    vyre_error *err = NULL;
    CHECK(vyre_haystack_scan(h, 0, small, 3, &need, &err) == VYRE_ERROR_INSUFFICIENT_SIZE);
    CHECK(need == 8 && vyre_error_required_size(err) == 8);
    CHECK(memcmp(small, copy, sizeof small) == 0);
    vyre_error_free(err);
    CHECK(vyre_haystack_scan(NULL, 0, small, 3, &need, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_haystack_scan(h, 0, small, 3, NULL, NULL) == VYRE_ERROR_NULL_POINTER);
    /* callback: all hits in order, stop early on non-zero return */
    collector c;
    memset(&c, 0, sizeof c);
    CHECK_STATUS(VYRE_OK, vyre_haystack_scan_callback(h, 2, collect, &c, ERR));
    CHECK(c.count == 8);
    CHECK(c.hits[6].pattern == 4 && c.hits[6].end == 8 && c.hits[6].tag == 2);
    memset(&c, 0, sizeof c);
    c.stop_after = 2;
    CHECK_STATUS(VYRE_OK, vyre_haystack_scan_callback(h, 0, collect, &c, ERR));
    CHECK(c.count == 2);
    reenter r;
    memset(&r, 0, sizeof r);
    r.h = h;
    CHECK_STATUS(VYRE_OK, vyre_haystack_scan_callback(h, 2, scan_again, &r, ERR));
    CHECK(r.inner == 8 && r.c.count == 8);
    CHECK(r.c.hits[6].pattern == 4 && r.c.hits[6].end == 8 && r.c.hits[6].tag == 2);
    CHECK(vyre_haystack_scan_callback(NULL, 0, collect, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_haystack_scan_callback(h, 0, NULL, &c, NULL) == VYRE_ERROR_NULL_POINTER);
    vyre_haystack_destroy(h);
    vyre_haystack_destroy(NULL);
    /* empty haystack */
    vyre_dfa *d2 = compile_basic();
    vyre_scanner *s2 = cpu_scanner(d2);
    vyre_haystack *e = NULL;
    CHECK_STATUS(VYRE_OK, vyre_scanner_load(s2, NULL, 0, &e, ERR));
    size_t n = 99;
    CHECK_STATUS(VYRE_OK, vyre_haystack_scan(e, 0, NULL, 0, &n, ERR));
    CHECK(n == 0);
    vyre_haystack_destroy(e);
    vyre_scanner_destroy(s2);
    vyre_dfa_destroy(d2);
}

/* A set whose combined DFA exceeds the limit is split into groups; scanning it gives
 * exactly the union of scanning each pattern on its own. */
static size_t scan_cpu(const vyre_dfa_pattern *p, size_t count, const vyre_dfa_options *o, const char *text,
                       vyre_hit *hits, size_t cap, uint32_t *groups) {
    vyre_dfa *dfa = NULL;
    CHECK_STATUS(VYRE_OK, vyre_dfa_compile(p, count, o, &dfa, ERR));
    vyre_dfa_info info;
    CHECK_STATUS(VYRE_OK, vyre_dfa_get_info(dfa, &info, ERR));
    *groups = info.group_count;
    CHECK(info.pattern_count == count);
    vyre_scanner *s = cpu_scanner(dfa);
    size_t n = 0;
    CHECK_STATUS(VYRE_OK, vyre_scanner_scan(s, (const uint8_t *)text, strlen(text), hits, cap, &n, ERR));
    vyre_scanner_destroy(s);
    vyre_dfa_destroy(dfa);
    return n;
}

static int hit_order(const void *a, const void *b) {
    const vyre_hit *x = a, *y = b;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return x->pattern < y->pattern ? -1 : x->pattern > y->pattern;
}

static void test_groups(void) {
    vyre_dfa_pattern p[5] = {{"a[ab]{6}b", 0, 1, 0},
                             {"b[ab]{5}a", 0, 2, 0},
                             {"[ab]a[ab]{7}", 0, 3, 0},
                             {"bab", 0, 4, VYRE_PATTERN_LITERAL},
                             {"x[ab]{4}x", 0, 5, 0}};
    vyre_dfa_options small = {20 * 1024};
    const char *text = "abbabababbbaab xabbax aaaaaaaaab bbbbbbba babababababab abx";
    vyre_hit all[256], one[256], want[256];
    uint32_t groups = 0;
    size_t n = scan_cpu(p, 5, &small, text, all, 256, &groups);
    CHECK(groups >= 2);
    size_t m = 0;
    for (size_t i = 0; i < 5; i++) {
        uint32_t g = 0;
        size_t k = scan_cpu(&p[i], 1, &small, text, one, 256, &g);
        CHECK(g == 1);
        for (size_t j = 0; j < k && m < 256; j++) want[m++] = one[j];
    }
    qsort(want, m, sizeof want[0], hit_order);
    CHECK(m > 20 && n == m);
    for (size_t i = 0; i < n && i < m; i++) {
        CHECK(all[i].pattern == want[i].pattern && all[i].end == want[i].end);
    }
    /* One pattern too large on its own: refused, named. */
    vyre_dfa_pattern big[2] = {{"ab", 0, 1, 0}, {"[ab]*a[ab]{14}", 0, 2, 0}};
    vyre_dfa *dfa = NULL;
    vyre_error *err = NULL;
    CHECK(vyre_dfa_compile(big, 2, &small, &dfa, &err) == VYRE_ERROR_TOO_LARGE);
    CHECK(strstr(vyre_error_message(err), "pattern 1") != NULL);
    CHECK(dfa == NULL);
    vyre_error_free(err);
}

int main(void) {
    test_compile_errors();
    test_info();
    test_scan_into_storage();
    test_callback_and_batch();
    test_stream();
    test_scanner_create_errors();
    test_import();
    test_haystack();
    test_groups();
    TEST_MAIN_END();
}
