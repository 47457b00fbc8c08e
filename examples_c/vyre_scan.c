/* vyre-scan: scan files and directories for many patterns at once with one DFA on the
 * GPU (vyre megakernel), grep-style.
 *
 *   vyre-scan [-e PATTERN]... [-f FILE] [-i] [--adapter NAME] [--cpu] [--json] PATH...
 *
 * Prints one line per match, `path:offset:pattern` (offset = end of the match, in bytes),
 * or JSON lines with --json. Rule files hold one pattern per line, optionally named as
 * `NAME<TAB>REGEX`; blank lines and lines starting with `#` are ignored.
 * Exit status: 0 if something matched, 1 if nothing matched, 2 if an error occurred
 * (bad pattern, unreadable file); the other files are still scanned.
 */
#define _POSIX_C_SOURCE 200809L
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "vyre.h"

typedef struct {
    char *name;   /* printed name */
    char *regex;  /* expression */
    char *origin; /* where it came from, for messages */
} rule;

typedef struct {
    char *path;
    uint8_t *data;
    size_t len;
} file_buf;

static rule *rules;
static size_t rule_count, rule_cap;
static int had_error;
static int json;
static uint64_t total_bytes, total_files, total_matches;
static double t_start;
static int show_progress;

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static char *dup_str(const char *s) {
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (!d) {
        fprintf(stderr, "vyre-scan: out of memory\n");
        exit(2);
    }
    memcpy(d, s, n);
    return d;
}

static void add_rule(const char *name, const char *regex, const char *origin) {
    if (rule_count == rule_cap) {
        rule_cap = rule_cap ? rule_cap * 2 : 16;
        rules = realloc(rules, rule_cap * sizeof *rules);
        if (!rules) {
            fprintf(stderr, "vyre-scan: out of memory\n");
            exit(2);
        }
    }
    rules[rule_count].name = dup_str(name);
    rules[rule_count].regex = dup_str(regex);
    rules[rule_count].origin = dup_str(origin);
    rule_count++;
}

static void load_rule_file(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "vyre-scan: cannot read rule file %s: %s\n", path, strerror(errno));
        had_error = 1;
        return;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned lineno = 0;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r')) line[--n] = '\0';
        if (n == 0 || line[0] == '#') continue;
        char origin[512];
        snprintf(origin, sizeof origin, "%s:%u", path, lineno);
        char *tab = strchr(line, '\t');
        if (tab) {
            *tab = '\0';
            char *re = tab + 1;
            while (*re == '\t') re++;
            add_rule(line, re, origin);
        } else {
            add_rule(line, line, origin);
        }
    }
    free(line);
    fclose(f);
}

static void free_rule(rule *r) {
    free(r->name);
    free(r->regex);
    free(r->origin);
}

/* Compile all rules; a bad rule is reported, dropped, and the rest compiled again. */
static vyre_dfa *compile_rules(uint32_t flags) {
    for (;;) {
        if (rule_count == 0) return NULL;
        vyre_dfa_pattern *p = calloc(rule_count, sizeof *p);
        if (!p) exit(2);
        for (size_t i = 0; i < rule_count; i++) {
            p[i].expression = rules[i].regex;
            p[i].id = (uint32_t)i;
            p[i].flags = flags;
        }
        vyre_dfa *dfa = NULL;
        vyre_error *err = NULL;
        vyre_status st = vyre_dfa_compile(p, rule_count, NULL, &dfa, &err);
        free(p);
        if (st == VYRE_OK) return dfa;
        const char *msg = vyre_error_message(err);
        unsigned long bad = 0;
        if (st == VYRE_ERROR_PATTERN && sscanf(msg, "pattern %lu:", &bad) == 1 && bad < rule_count) {
            fprintf(stderr, "vyre-scan: bad pattern `%s` (%s): %s\n", rules[bad].regex, rules[bad].origin,
                    strchr(msg, ':') ? strchr(msg, ':') + 2 : msg);
            vyre_error_free(err);
            had_error = 1;
            free_rule(&rules[bad]);
            memmove(&rules[bad], &rules[bad + 1], (rule_count - bad - 1) * sizeof *rules);
            rule_count--;
            continue;
        }
        fprintf(stderr, "vyre-scan: cannot compile the pattern set: %s (%s)\n", msg, vyre_status_string(st));
        vyre_error_free(err);
        return NULL;
    }
}

static void json_string(const char *s) {
    putchar('"');
    for (const unsigned char *c = (const unsigned char *)s; *c; c++) {
        if (*c == '"' || *c == '\\') {
            putchar('\\');
            putchar(*c);
        } else if (*c < 0x20) {
            printf("\\u%04x", *c);
        } else {
            putchar(*c);
        }
    }
    putchar('"');
}

typedef struct {
    file_buf *files;
} batch_ctx;

static int32_t on_hit(const vyre_hit *hit, void *userdata) {
    batch_ctx *ctx = (batch_ctx *)userdata;
    const char *path = ctx->files[hit->tag].path;
    const rule *r = &rules[hit->pattern];
    if (json) {
        printf("{\"path\":");
        json_string(path);
        printf(",\"offset\":%llu,\"pattern\":", (unsigned long long)hit->end);
        json_string(r->name);
        printf(",\"id\":%u}\n", (unsigned)hit->pattern);
    } else {
        printf("%s:%llu:%s\n", path, (unsigned long long)hit->end, r->name);
    }
    total_matches++;
    return 0;
}

static void progress(void) {
    if (!show_progress) return;
    double dt = now() - t_start;
    double gbs = dt > 0 ? (double)total_bytes / dt / 1e9 : 0.0;
    fprintf(stderr, "\r\033[K[vyre-scan] %.1f MB  %llu files  %.2f GB/s", (double)total_bytes / 1e6,
            (unsigned long long)total_files, gbs);
    fflush(stderr);
}

/* Pending batch of files scanned together in one call. */
static file_buf *pending;
static size_t pending_count, pending_cap, pending_bytes;
static const size_t BATCH_BYTES = 64u << 20;
static const size_t BATCH_FILES = 4096;

static void flush_batch(const vyre_scanner *scanner) {
    if (pending_count == 0) return;
    vyre_scan_item *items = calloc(pending_count, sizeof *items);
    if (!items) exit(2);
    for (size_t i = 0; i < pending_count; i++) {
        items[i].data = pending[i].data;
        items[i].length = pending[i].len;
        items[i].tag = (uint32_t)i;
    }
    batch_ctx ctx = {pending};
    vyre_error *err = NULL;
    vyre_status st = vyre_scanner_scan_batch_callback(scanner, items, pending_count, on_hit, &ctx, &err);
    if (st != VYRE_OK) {
        fprintf(stderr, "vyre-scan: scan failed: %s\n", vyre_error_message(err));
        vyre_error_free(err);
        had_error = 1;
    }
    fflush(stdout);
    free(items);
    for (size_t i = 0; i < pending_count; i++) {
        total_bytes += pending[i].len;
        free(pending[i].path);
        free(pending[i].data);
    }
    total_files += pending_count;
    pending_count = 0;
    pending_bytes = 0;
    progress();
}

static void add_file(const vyre_scanner *scanner, const char *path) {
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "vyre-scan: %s: %s\n", path, strerror(errno));
        had_error = 1;
        return;
    }
    size_t cap = 1 << 16, len = 0;
    uint8_t *data = malloc(cap);
    for (;;) {
        if (!data) {
            fprintf(stderr, "vyre-scan: %s: out of memory\n", path);
            had_error = 1;
            fclose(f);
            return;
        }
        size_t n = fread(data + len, 1, cap - len, f);
        len += n;
        if (n == 0) break;
        if (len == cap) {
            cap *= 2;
            uint8_t *grown = realloc(data, cap);
            if (!grown) free(data);
            data = grown;
        }
    }
    if (ferror(f)) {
        fprintf(stderr, "vyre-scan: %s: read error: %s\n", path, strerror(errno));
        had_error = 1;
        free(data);
        fclose(f);
        return;
    }
    fclose(f);
    if (pending_count == pending_cap) {
        pending_cap = pending_cap ? pending_cap * 2 : 64;
        pending = realloc(pending, pending_cap * sizeof *pending);
        if (!pending) exit(2);
    }
    pending[pending_count].path = dup_str(path);
    pending[pending_count].data = data;
    pending[pending_count].len = len;
    pending_count++;
    pending_bytes += len;
    if (pending_bytes >= BATCH_BYTES || pending_count >= BATCH_FILES) flush_batch(scanner);
}

static int cmp_str(const void *a, const void *b) {
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void walk(const vyre_scanner *scanner, const char *path) {
    struct stat sb;
    if (stat(path, &sb) != 0) {
        fprintf(stderr, "vyre-scan: %s: %s\n", path, strerror(errno));
        had_error = 1;
        return;
    }
    if (!S_ISDIR(sb.st_mode)) {
        if (S_ISREG(sb.st_mode)) add_file(scanner, path);
        return;
    }
    DIR *d = opendir(path);
    if (!d) {
        fprintf(stderr, "vyre-scan: %s: %s\n", path, strerror(errno));
        had_error = 1;
        return;
    }
    char **names = NULL;
    size_t n = 0, cap = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0) continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 32;
            names = realloc(names, cap * sizeof *names);
            if (!names) exit(2);
        }
        size_t len = strlen(path) + strlen(e->d_name) + 2;
        names[n] = malloc(len);
        if (!names[n]) exit(2);
        snprintf(names[n], len, "%s%s%s", path, path[strlen(path) - 1] == '/' ? "" : "/", e->d_name);
        n++;
    }
    closedir(d);
    qsort(names, n, sizeof *names, cmp_str); /* deterministic output order */
    for (size_t i = 0; i < n; i++) {
        struct stat ls;
        if (lstat(names[i], &ls) == 0 && S_ISLNK(ls.st_mode)) {
            free(names[i]); /* do not follow links inside trees (no cycles) */
            continue;
        }
        walk(scanner, names[i]);
        free(names[i]);
    }
    free(names);
}

static void usage(FILE *to) {
    fprintf(to,
            "usage: vyre-scan [-e PATTERN]... [-f FILE] [-i] [--adapter NAME] [--cpu] [--json] PATH...\n"
            "  -e PATTERN      add a regex (repeatable)\n"
            "  -f FILE         add the patterns of FILE (one per line, `NAME<TAB>REGEX` or `REGEX`)\n"
            "  -i              ASCII case-insensitive matching\n"
            "  --adapter NAME  GPU adapter (substring of its name; default: VYRE_ADAPTER or the best)\n"
            "  --cpu           scan on the CPU instead of the GPU\n"
            "  --json          print JSON lines {\"path\",\"offset\",\"pattern\",\"id\"}\n"
            "Prints path:offset:pattern per match (offset = end of the match). Exit 0 match, 1 none, 2 error.\n");
}

int main(int argc, char **argv) {
    const char *adapter = NULL;
    int caseless = 0, force_cpu = 0;
    char **paths = calloc((size_t)argc, sizeof *paths);
    size_t path_count = 0;
    if (!paths) return 2;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-e") == 0 || strcmp(a, "-f") == 0 || strcmp(a, "--adapter") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "vyre-scan: %s needs an argument\n", a);
                usage(stderr);
                return 2;
            }
            const char *v = argv[++i];
            if (a[1] == 'e') {
                char origin[64];
                snprintf(origin, sizeof origin, "-e #%zu", rule_count + 1);
                add_rule(v, v, origin);
            } else if (a[1] == 'f') {
                load_rule_file(v);
            } else {
                adapter = v;
            }
        } else if (strcmp(a, "-i") == 0) {
            caseless = 1;
        } else if (strcmp(a, "--json") == 0) {
            json = 1;
        } else if (strcmp(a, "--cpu") == 0) {
            force_cpu = 1;
        } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            usage(stdout);
            return 0;
        } else if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "vyre-scan: unknown option %s\n", a);
            usage(stderr);
            return 2;
        } else {
            paths[path_count++] = argv[i];
        }
    }
    if (rule_count == 0 && !had_error) {
        fprintf(stderr, "vyre-scan: no patterns given (use -e PATTERN or -f FILE)\n");
        usage(stderr);
        return 2;
    }
    if (path_count == 0) {
        fprintf(stderr, "vyre-scan: no PATH given\n");
        usage(stderr);
        return 2;
    }
    vyre_dfa *dfa = compile_rules(caseless ? VYRE_PATTERN_CASELESS : 0);
    if (!dfa) {
        if (rule_count == 0) fprintf(stderr, "vyre-scan: no usable pattern left\n");
        return 2;
    }
    vyre_scanner_options opts;
    memset(&opts, 0, sizeof opts);
    opts.backend = force_cpu ? VYRE_SCAN_BACKEND_CPU : VYRE_SCAN_BACKEND_GPU;
    opts.adapter = adapter;
    vyre_scanner *scanner = NULL;
    vyre_error *err = NULL;
    vyre_status st = vyre_scanner_create(dfa, &opts, &scanner, &err);
    if (st == VYRE_ERROR_UNSUPPORTED && !force_cpu && !adapter) {
        fprintf(stderr, "vyre-scan: GPU scan unavailable (%s); scanning on the CPU\n", vyre_error_message(err));
        vyre_error_free(err);
        err = NULL;
        opts.backend = VYRE_SCAN_BACKEND_CPU;
        st = vyre_scanner_create(dfa, &opts, &scanner, &err);
    }
    if (st != VYRE_OK) {
        fprintf(stderr, "vyre-scan: cannot create the scanner: %s (%s)\n", vyre_error_message(err),
                vyre_status_string(st));
        vyre_error_free(err);
        vyre_dfa_destroy(dfa);
        return 2;
    }
    char backend[256] = "?";
    size_t w = 0;
    (void)vyre_scanner_backend_name(scanner, backend, sizeof backend, &w, NULL);
    vyre_dfa_info info;
    memset(&info, 0, sizeof info);
    (void)vyre_dfa_get_info(dfa, &info, NULL);

    show_progress = isatty(STDERR_FILENO);
    t_start = now();
    for (size_t i = 0; i < path_count; i++) walk(scanner, paths[i]);
    flush_batch(scanner);
    double dt = now() - t_start;
    if (show_progress) fprintf(stderr, "\r\033[K");
    fprintf(stderr,
            "vyre-scan: %llu files, %llu bytes, %llu matches in %.3f s (%.3f GB/s) on %s; %zu patterns, %u DFA(s), %u "
            "states, %llu table bytes\n",
            (unsigned long long)total_files, (unsigned long long)total_bytes, (unsigned long long)total_matches, dt,
            dt > 0 ? (double)total_bytes / dt / 1e9 : 0.0, backend, rule_count, (unsigned)info.group_count,
            (unsigned)info.state_count,
            (unsigned long long)info.table_bytes);

    vyre_scanner_destroy(scanner);
    vyre_dfa_destroy(dfa);
    for (size_t i = 0; i < rule_count; i++) free_rule(&rules[i]);
    free(rules);
    free(pending);
    free(paths);
    if (had_error) return 2;
    return total_matches ? 0 : 1;
}
