/* Downstream consumer used by the install test: checks header and library agree. */
#include <stdio.h>
#include <string.h>
#include <vyre.h>

int main(void) {
    if (vyre_version() != VYRE_VERSION_NUMBER) {
        fprintf(stderr, "header %u != library %u\n", (unsigned)VYRE_VERSION_NUMBER, (unsigned)vyre_version());
        return 1;
    }
    if (strcmp(vyre_status_string(VYRE_OK), "ok") != 0) return 1;
    printf("consumer ok: vyre %s\n", vyre_version_string());
    return 0;
}
