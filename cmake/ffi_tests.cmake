# The paths vyre's users take, each proven by running it:
#   exported_symbols  libvyre.so exports exactly the functions vyre.h declares
#   go_cgo            the Go example (cgo, `#cgo pkg-config: vyre`), shared and static
#   zig_translate_c   the Zig example (@cImport of vyre.h, linkSystemLibrary), shared and static
# The Go and Zig tests install this build tree into a temporary prefix first, so they
# run against the installed layout, never the source tree.
if(BUILD_TESTING)
  find_program(VYRE_GCC NAMES gcc)
  add_test(NAME exported_symbols
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/c_tests/exports/check_exports.sh
            ${VYRE_LIB_DIR}/${VYRE_SO_REAL} ${VYRE_LIB_DIR}/libvyre.a
            ${CMAKE_CURRENT_SOURCE_DIR}/include/vyre.h ${VYRE_GCC})
  add_test(NAME go_cgo
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/examples_go/run_tests.sh
            ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_CURRENT_BINARY_DIR}/go-test)
  add_test(NAME zig_translate_c
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/examples_zig/run_tests.sh
            ${CMAKE_CURRENT_BINARY_DIR} ${CMAKE_CURRENT_BINARY_DIR}/zig-test)
  set_tests_properties(exported_symbols go_cgo zig_translate_c PROPERTIES LABELS packaging)
  set_tests_properties(go_cgo zig_translate_c PROPERTIES TIMEOUT 900)
endif()
