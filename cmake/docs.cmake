# API reference: doxygen over include/vyre.h (configuration in Doxyfile).
#   cmake --build build --target docs     -> build/docs/html/index.html
# Any doxygen warning fails, in particular an undocumented public item.
add_custom_target(docs
  COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/scripts/docs ${CMAKE_CURRENT_BINARY_DIR}/docs
  WORKING_DIRECTORY ${CMAKE_CURRENT_SOURCE_DIR}
  USES_TERMINAL
  COMMENT "doxygen: C API reference")

if(BUILD_TESTING)
  find_program(VYRE_GCC NAMES gcc)  # gcc -aux-info lists the header's declarations
  add_test(NAME api_reference
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/c_tests/docs/check_docs.sh
            ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/docs-test ${VYRE_GCC})
  set_tests_properties(api_reference PROPERTIES LABELS packaging)
endif()
