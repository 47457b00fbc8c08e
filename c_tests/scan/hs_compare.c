/* Match-for-match comparison with Hyperscan (all match ends per pattern, block mode) on
 * the bundled rule file + corpus and on a generated adversarial buffer full of token
 * alphabets and planted prefixes. usage: hs_compare RULES CORPUS_FILE... */
#define _POSIX_C_SOURCE 200809L
#include <hs/hs.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "vyre.h"

typedef struct {
    uint32_t id;
    uint64_t end;
} m;

typedef struct {
    m *v;
    size_t n, cap;
} list;

static void push(list *l, uint32_t id, uint64_t end) {
    if (l->n == l->cap) {
        l->cap = l->cap ? l->cap * 2 : 256;
        l->v = realloc(l->v, l->cap * sizeof *l->v);
        if (!l->v) exit(3);
    }
    l->v[l->n].id = id;
    l->v[l->n].end = end;
    l->n++;
}

static int cmp(const void *a, const void *b) {
    const m *x = a, *y = b;
    if (x->end != y->end) return x->end < y->end ? -1 : 1;
    return (x->id > y->id) - (x->id < y->id);
}

static int on_hs(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags, void *ctx) {
    (void)from;
    (void)flags;
    push((list *)ctx, id, to);
    return 0;
}

static int32_t on_vyre(const vyre_hit *h, void *ud) {
    push((list *)ud, h->pattern, h->end);
    return 0;
}

static char *slurp(const char *path, size_t *len) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        perror(path);
        exit(3);
    }
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *d = malloc((size_t)n + 1);
    if (!d || fread(d, 1, (size_t)n, f) != (size_t)n) exit(3);
    d[n] = 0;
    fclose(f);
    *len = (size_t)n;
    return d;
}

static int compare(const char *what, hs_database_t *db, hs_scratch_t *scratch, const vyre_scanner *sc,
                   const char *data, size_t len, size_t *total) {
    list a = {0}, b = {0};
    if (hs_scan(db, data, (unsigned)len, 0, scratch, on_hs, &a) != HS_SUCCESS) {
        fprintf(stderr, "hs_scan failed\n");
        return 1;
    }
    vyre_error *err = NULL;
    if (vyre_scanner_scan_callback(sc, (const uint8_t *)data, len, on_vyre, &b, &err) != VYRE_OK) {
        fprintf(stderr, "vyre scan failed: %s\n", vyre_error_message(err));
        return 1;
    }
    qsort(a.v, a.n, sizeof *a.v, cmp);
    qsort(b.v, b.n, sizeof *b.v, cmp);
    int bad = a.n != b.n;
    for (size_t i = 0; !bad && i < a.n; i++) bad = a.v[i].id != b.v[i].id || a.v[i].end != b.v[i].end;
    if (bad) {
        fprintf(stderr, "MISMATCH in %s: hyperscan %zu matches, vyre %zu\n", what, a.n, b.n);
        for (size_t i = 0; i < a.n || i < b.n; i++) {
            if (i < 20)
                fprintf(stderr, "  hs %u@%llu   vyre %u@%llu\n", i < a.n ? a.v[i].id : 0u,
                        i < a.n ? (unsigned long long)a.v[i].end : 0ull, i < b.n ? b.v[i].id : 0u,
                        i < b.n ? (unsigned long long)b.v[i].end : 0ull);
        }
    }
    *total += a.n;
    free(a.v);
    free(b.v);
    return bad;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: hs_compare RULES FILE...\n");
        return 3;
    }
    size_t rlen;
    char *rules = slurp(argv[1], &rlen);
    const char *exprs[256];
    unsigned ids[256], flags[256];
    vyre_dfa_pattern pats[256];
    unsigned n = 0;
    for (char *line = strtok(rules, "\n"); line && n < 256; line = strtok(NULL, "\n")) {
        if (!*line || *line == '#') continue;
        char *tab = strchr(line, '\t');
        char *re = tab ? tab + 1 : line;
        while (*re == '\t') re++;
        exprs[n] = re;
        ids[n] = n;
        flags[n] = 0;
        memset(&pats[n], 0, sizeof pats[n]);
        pats[n].expression = re;
        pats[n].id = n;
        n++;
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *cerr = NULL;
    if (hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, &db, &cerr) != HS_SUCCESS) {
        fprintf(stderr, "hyperscan rejects pattern %d: %s\n", cerr->expression, cerr->message);
        return 3;
    }
    hs_scratch_t *scratch = NULL;
    hs_alloc_scratch(db, &scratch);
    vyre_dfa *dfa = NULL;
    vyre_error *err = NULL;
    if (vyre_dfa_compile(pats, n, NULL, &dfa, &err) != VYRE_OK) {
        fprintf(stderr, "vyre rejects the rules: %s\n", vyre_error_message(err));
        return 3;
    }
    /* Every backend this build offers: CPU always, the GPU when it is available. */
    int failures = 0;
    size_t total = 0, compared = 0;
    for (uint32_t backend = 0; backend <= VYRE_SCAN_BACKEND_CPU; backend++) {
        vyre_scanner_options o;
        memset(&o, 0, sizeof o);
        o.backend = backend;
        o.chunk_bytes = 4096;
        vyre_scanner *sc = NULL;
        vyre_status st = vyre_scanner_create(dfa, &o, &sc, &err);
        if (st != VYRE_OK) {
            printf("backend %u unavailable: %s\n", backend, vyre_error_message(err));
            vyre_error_free(err);
            err = NULL;
            if (backend == VYRE_SCAN_BACKEND_CPU) failures++;
            continue;
        }
        char name[256];
        size_t w;
        vyre_scanner_backend_name(sc, name, sizeof name, &w, NULL);
        for (int i = 2; i < argc; i++) {
            size_t len;
            char *data = slurp(argv[i], &len);
            failures += compare(argv[i], db, scratch, sc, data, len, &total);
            free(data);
        }
        /* Adversarial: 2 MiB of token alphabets, separators and planted prefixes. */
        size_t len = 2u << 20;
        char *buf = malloc(len);
        uint64_t x = 0x9E3779B97F4A7C15ull;
        static const char *plants[] = {"AKIA", "ghp_", "gho_", "ghs_", "glpat-", "xoxb-", "AIza", "sk_live_", "SK",
                                       "npm_", "key-", "token=", "api_key: '", "-----BEGIN RSA PRIVATE KEY-----",
                                       "https://hooks.slack.com/services/T0000000/B0000000/", "SECRET = ", "github_pat_"};
        static const char alpha[] = "0123456789abcdefABCDEFXYZxyz_-./+ :=\n'\"";
        for (size_t p = 0; p < len;) {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            if (x % 23 == 0) {
                const char *s = plants[(x >> 8) % (sizeof plants / sizeof *plants)];
                size_t k = strlen(s);
                if (p + k > len) k = len - p;
                memcpy(buf + p, s, k);
                p += k;
            } else {
                buf[p++] = alpha[(x >> 16) % (sizeof alpha - 1)];
            }
        }
        failures += compare("adversarial buffer", db, scratch, sc, buf, len, &total);
        free(buf);
        printf("%s: compared with hyperscan\n", name);
        compared++;
        vyre_scanner_destroy(sc);
    }
    printf("%zu hyperscan matches compared over %zu backend(s)\n", total, compared);
    if (total < 20) {
        fprintf(stderr, "too few matches (%zu): the comparison would prove nothing\n", total);
        failures++;
    }
    vyre_dfa_destroy(dfa);
    hs_free_scratch(scratch);
    hs_free_database(db);
    free(rules);
    if (failures) {
        fprintf(stderr, "%d mismatch(es)\n", failures);
        return 1;
    }
    printf("ok\n");
    return 0;
}
