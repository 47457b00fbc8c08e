/* Scan throughput: vyre GPU with the haystack resident (vyre_scanner_load once, then
 * vyre_haystack_scan_callback) and from host memory (vyre_scanner_scan_callback: upload
 * every call), and the vyre CPU backend, vs Hyperscan block mode on all cores (one slice
 * per thread), on (a) the bundled secret rules and (b) a 2,500-word literal dictionary.
 * Best of REPS timed runs after one warm-up run.
 * usage: scan_bench RULES [MIB] [REPS] [SETS] [TEXT]   (SETS: all (default: rules then
 * dict), rules, dict, or a comma list run in order such as dict,dict; TEXT: a file whose bytes, repeated, make the haystack instead of the generated
 * word text with planted matches; prints one line per engine and set). Environment:
 * VYRE_BENCH_GPU_ONLY=1 skips the vyre CPU backend (quick GPU A/B runs). */
#define _POSIX_C_SOURCE 200809L
#include <hs/hs.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "vyre.h"

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}
static uint64_t rng = 88172645463325252ull;
static uint64_t next(void) {
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return rng;
}

typedef struct {
    hs_database_t *db;
    const char *data;
    size_t len;
    unsigned long long hits;
} job;
static int on_hs(unsigned id, unsigned long long f, unsigned long long t, unsigned fl, void *c) {
    (void)id, (void)f, (void)t, (void)fl;
    ((job *)c)->hits++;
    return 0;
}
static void *hs_worker(void *p) {
    job *j = p;
    hs_scratch_t *s = NULL;
    hs_alloc_scratch(j->db, &s);
    hs_scan(j->db, j->data, (unsigned)j->len, 0, s, on_hs, j);
    hs_free_scratch(s);
    return NULL;
}
static int32_t count_cb(const vyre_hit *h, void *u) {
    (void)h;
    (*(unsigned long long *)u)++;
    return 0;
}

static int reps = 3;

static void run(const char *set, const char **exprs, unsigned *flags, unsigned n, const char *hay, size_t len, uint32_t vflags) {
    unsigned *ids = calloc(n, sizeof *ids);
    vyre_dfa_pattern *p = calloc(n, sizeof *p);
    for (unsigned i = 0; i < n; i++) {
        ids[i] = i;
        p[i].expression = exprs[i];
        p[i].id = i;
        p[i].flags = vflags | ((flags[i] & HS_FLAG_CASELESS) ? VYRE_PATTERN_CASELESS : 0);
    }
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    if (hs_compile_multi(exprs, flags, ids, n, HS_MODE_BLOCK, NULL, &db, &ce) != HS_SUCCESS) {
        fprintf(stderr, "hyperscan: %s\n", ce->message);
        exit(1);
    }
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    job *jobs = calloc((size_t)cores, sizeof *jobs);
    pthread_t *th = calloc((size_t)cores, sizeof *th);
    double best = 1e9;
    unsigned long long hs_hits = 0;
    for (int r = 0; r < reps; r++) {
        double t = now();
        for (long c = 0; c < cores; c++) {
            size_t a = len * (size_t)c / (size_t)cores, b = len * (size_t)(c + 1) / (size_t)cores;
            jobs[c] = (job){db, hay + a, b - a, 0};
            pthread_create(&th[c], NULL, hs_worker, &jobs[c]);
        }
        hs_hits = 0;
        for (long c = 0; c < cores; c++) {
            pthread_join(th[c], NULL);
            hs_hits += jobs[c].hits;
        }
        t = now() - t;
        if (t < best) best = t;
    }
    printf("%-10s hyperscan  %2ld cores       %8.3f GB/s  (%llu hits)\n", set, cores, (double)len / best / 1e9, hs_hits);
    vyre_dfa *dfa = NULL;
    vyre_error *err = NULL;
    double tc = now();
    if (vyre_dfa_compile(p, n, NULL, &dfa, &err) != VYRE_OK) {
        printf("%-10s vyre: %s\n", set, vyre_error_message(err));
        return;
    }
    vyre_dfa_info info;
    vyre_dfa_get_info(dfa, &info, NULL);
    printf("%-10s vyre DFA: %u group(s), %u states, %u classes, %llu table bytes, compiled in %.2f s\n", set,
           info.group_count, info.state_count,
           info.class_count, (unsigned long long)info.table_bytes, now() - tc);
    const char *gpu_only = getenv("VYRE_BENCH_GPU_ONLY");
    uint32_t last = gpu_only && strcmp(gpu_only, "0") != 0 ? 0 : 1;
    for (uint32_t be = 0; be <= last; be++) {
        vyre_scanner_options o;
        memset(&o, 0, sizeof o);
        o.backend = be;
        vyre_scanner *sc = NULL;
        if (vyre_scanner_create(dfa, &o, &sc, &err) != VYRE_OK) {
            printf("%-10s vyre backend %u: %s\n", set, be, vyre_error_message(err));
            vyre_error_free(err);
            err = NULL;
            continue;
        }
        char name[256];
        size_t w;
        vyre_scanner_backend_name(sc, name, sizeof name, &w, NULL);
        double bt = 1e9;
        unsigned long long hits = 0;
        for (int r = 0; r <= reps; r++) {
            hits = 0;
            double t = now();
            if (vyre_scanner_scan_callback(sc, (const uint8_t *)hay, len, count_cb, &hits, &err) != VYRE_OK) {
                printf("%-10s vyre scan: %s\n", set, vyre_error_message(err));
                vyre_error_free(err);
                err = NULL;
                break;
            }
            t = now() - t;
            if (r > 0 && t < bt) bt = t; /* run 0 is the warm-up */
        }
        printf("%-10s vyre %-30s %8.4f GB/s  (%llu hits, from host memory; best %.3f s)\n", set, name, (double)len / bt / 1e9,
               hits, bt);
        if (be == VYRE_SCAN_BACKEND_GPU) {
            vyre_haystack *h = NULL;
            double tl = now();
            if (vyre_scanner_load(sc, (const uint8_t *)hay, len, &h, &err) != VYRE_OK) {
                printf("%-10s vyre load: %s\n", set, vyre_error_message(err));
                vyre_error_free(err);
                err = NULL;
            } else {
                tl = now() - tl;
                bt = 1e9;
                for (int r = 0; r <= reps; r++) {
                    hits = 0;
                    double t = now();
                    vyre_haystack_scan_callback(h, 0, count_cb, &hits, NULL);
                    t = now() - t;
                    if (r > 0 && t < bt) bt = t;
                }
                printf("%-10s vyre %-30s %8.4f GB/s  (%llu hits, haystack resident; load %.3f s; best %.3f s)\n", set,
                       name, (double)len / bt / 1e9, hits, tl, bt);
                vyre_haystack_destroy(h);
            }
        }
        vyre_scanner_destroy(sc);
    }
    vyre_dfa_destroy(dfa);
    hs_free_database(db);
    free(ids);
    free(p);
    free(jobs);
    free(th);
}

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    size_t mib = argc > 2 ? (size_t)atoi(argv[2]) : 64;
    if (argc > 3) reps = atoi(argv[3]) > 0 ? atoi(argv[3]) : 1;
    size_t len = mib << 20;
    char *hay = malloc(len);
    static const char *words[] = {"the", "token", "key", "config", "deploy", "secret", "value", "region", "AKIA", "ghp_"};
    for (size_t i = 0; i < len;) {
        const char *w = words[next() % 10];
        size_t k = strlen(w);
        for (size_t j = 0; j < k && i < len; j++) hay[i++] = w[j];
        if (i < len) hay[i++] = (next() % 8) ? ' ' : '\n';
    }
    /* Plant matches so every engine reports hits: a dictionary word every 4 KiB and a
     * fake GitHub token / AWS key id every 64 KiB. */
    static char dict[2500][12];
    const char *dx[2500];
    unsigned dfl[2500];
    for (int i = 0; i < 2500; i++) {
        int k = 4 + (int)(next() % 7);
        for (int j = 0; j < k; j++) dict[i][j] = (char)('a' + next() % 26);
        dict[i][k] = 0;
        dx[i] = dict[i];
        dfl[i] = 0;
    }
    static const char an[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    for (size_t at = 1000; at + 64 < len; at += 4096) {
        const char *w = dict[next() % 2500];
        memcpy(hay + at, w, strlen(w));
        if (at % 65536 < 4096) {
            char tok[64];
            int k = snprintf(tok, sizeof tok, " ghp_");
            for (int j = 0; j < 36; j++) tok[k++] = an[next() % 62];
            k += snprintf(tok + k, sizeof tok - (size_t)k, " AKIA");
            for (int j = 0; j < 16; j++) tok[k++] = an[next() % 26];
            tok[k++] = ' ';
            memcpy(hay + at + 20, tok, (size_t)k);
        }
    }
    if (argc > 5) { /* a real text, repeated (e.g. the bundled corpus concatenated) */
        FILE *tf = fopen(argv[5], "rb");
        if (!tf) return 2;
        size_t n = fread(hay, 1, len, tf);
        fclose(tf);
        if (n == 0) return 2;
        for (size_t i = n; i < len; i++) hay[i] = hay[i - n];
        printf("haystack text: %s (%zu bytes, repeated)\n", argv[5], n);
    }
    /* (a) rules */
    FILE *f = fopen(argv[1], "r");
    if (!f) return 2;
    const char *rx[256];
    unsigned fl[256], n = 0;
    char line[4096];
    while (n < 256 && fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!line[0] || line[0] == '#') continue;
        char *t = strchr(line, '\t');
        char *re = t ? t + 1 : line;
        rx[n] = strdup(re);
        fl[n++] = 0;
    }
    fclose(f);
    char *sets = strdup(argc > 4 ? argv[4] : "all"), *save = NULL;
    for (char *set = strtok_r(sets, ",", &save); set; set = strtok_r(NULL, ",", &save)) {
        int all = strcmp(set, "all") == 0;
        if (!all && strcmp(set, "rules") != 0 && strcmp(set, "dict") != 0) {
            fprintf(stderr, "scan_bench: unknown set `%s` (all, rules, dict)\n", set);
            return 2;
        }
        if (all || strcmp(set, "rules") == 0) run("rules", rx, fl, n, hay, len, 0);
        /* (b) 2,500 random dictionary words (4..10 lowercase letters), as literals */
        if (all || strcmp(set, "dict") == 0)
            run("dict2500", dx, dfl, 2500, hay, len, VYRE_PATTERN_LITERAL);
    }
    free(sets);
    printf("haystack %zu MiB\n", mib);
    free(hay);
    return 0;
}
