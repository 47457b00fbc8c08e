/* Core ABI conventions: status strings, error objects, versions, the panic boundary. */
#include "vyre_test.h"

static void test_version(void) {
    char expected[32];
    snprintf(expected, sizeof expected, "%u.%u.%u", (unsigned)VYRE_VERSION_MAJOR,
             (unsigned)VYRE_VERSION_MINOR, (unsigned)VYRE_VERSION_PATCH);
    CHECK(strcmp(vyre_version_string(), expected) == 0);
    /* VYRE_EXPECTED_VERSION comes from Cargo.toml via CMake. */
    CHECK(strcmp(vyre_version_string(), VYRE_EXPECTED_VERSION) == 0);
    CHECK(vyre_version() == VYRE_VERSION_NUMBER);
    CHECK(VYRE_VERSION_NUMBER ==
          VYRE_VERSION_MAJOR * 1000000u + VYRE_VERSION_MINOR * 1000u + VYRE_VERSION_PATCH);
}

static void test_status_strings(void) {
    CHECK(strcmp(vyre_status_string(VYRE_OK), "ok") == 0);
    for (int s = VYRE_OK; s <= VYRE_ERROR_IO; s++) {
        const char *text = vyre_status_string(s);
        CHECK(text != NULL && text[0] != '\0');
        CHECK(strcmp(text, "unknown vyre status") != 0);
    }
    CHECK(strcmp(vyre_status_string(-1), "unknown vyre status") == 0);
    CHECK(strcmp(vyre_status_string(VYRE_ERROR_IO + 1), "unknown vyre status") == 0);
    /* Pinned numbers: these are ABI. */
    CHECK(VYRE_ERROR_NULL_POINTER == 1 && VYRE_ERROR_INSUFFICIENT_SIZE == 3 &&
          VYRE_ERROR_SLOT_IN_FLIGHT == 4 && VYRE_ERROR_UNSUPPORTED == 8 && VYRE_ERROR_PANIC == 15);
}

static void test_error_object_null_safety(void) {
    CHECK(strcmp(vyre_error_message(NULL), "") == 0);
    CHECK(vyre_error_status(NULL) == VYRE_ERROR_NULL_POINTER);
    CHECK(vyre_error_required_size(NULL) == 0);
    vyre_error_free(NULL); /* no-op */
}

static void test_panic_boundary(void) {
    /* Without an error object. */
    CHECK(vyre_debug_trigger_panic(NULL) == VYRE_ERROR_PANIC);
    /* With one: status and message describe the panic. */
    vyre_error *err = NULL;
    CHECK(vyre_debug_trigger_panic(&err) == VYRE_ERROR_PANIC);
    CHECK(err != NULL);
    CHECK(vyre_error_status(err) == VYRE_ERROR_PANIC);
    CHECK(strstr(vyre_error_message(err), "vyre_debug_trigger_panic") != NULL);
    vyre_error_free(err);
}

int main(void) {
    test_version();
    test_status_strings();
    test_error_object_null_safety();
    test_panic_boundary();
    TEST_MAIN_END();
}
