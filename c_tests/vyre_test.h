/* Minimal test helpers shared by the C tests: fail loudly with file:line. */
#ifndef VYRE_TEST_H
#define VYRE_TEST_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "vyre.h"

static int vt_failures = 0;

#define CHECK(cond)                                                                   \
    do {                                                                              \
        if (!(cond)) {                                                                \
            fprintf(stderr, "%s:%d: CHECK failed: %s\n", __FILE__, __LINE__, #cond); \
            vt_failures++;                                                            \
        }                                                                             \
    } while (0)

/* Expect `call` to return `expected`; on mismatch print the library's message. */
#define CHECK_STATUS(expected, call)                                                          \
    do {                                                                                      \
        vyre_error *vt_err = NULL;                                                            \
        vyre_status vt_st = (call);                                                           \
        (void)vt_err;                                                                         \
        if (vt_st != (expected)) {                                                            \
            fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d\n", __FILE__, __LINE__, \
                    #call, (int)vt_st, vyre_status_string(vt_st), (int)(expected));           \
            vt_failures++;                                                                    \
        }                                                                                     \
        vyre_error_free(vt_err);                                                              \
    } while (0)

/* Variant that passes &vt_err as the call's out_error: write `ERR` in the call. */
#define ERR (&vt_err)

#define TEST_MAIN_END()                                         \
    do {                                                        \
        if (vt_failures) {                                      \
            fprintf(stderr, "%d check(s) failed\n", vt_failures); \
            return 1;                                           \
        }                                                       \
        printf("ok\n");                                         \
        return 0;                                               \
    } while (0)

#endif
