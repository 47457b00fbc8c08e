# Debian packages through CPack: libvyre0 (run time: the shared library and its soname
# link) and libvyre-dev (header, .so link, static archive, vyre.pc, CMake package), from
# the install components `runtime` and `dev`. Build them with scripts/package-deb, which
# configures with CMAKE_INSTALL_PREFIX=/usr so the libraries land in the multiarch
# directory (/usr/lib/<triplet>) and vyre.pc says prefix=/usr.

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME vyre)
set(CPACK_PACKAGE_VENDOR "vyre")
set(CPACK_PACKAGE_VERSION ${VYRE_VERSION})
set(CPACK_PACKAGE_CONTACT "vyre maintainers <vyre@example.org>")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)

set(CPACK_DEBIAN_RUNTIME_PACKAGE_NAME libvyre${VYRE_SOVERSION})
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SECTION libs)
# Descriptions: first line is the Debian summary, the rest the long description.
set(_vyre_about "vyre keeps a compiled interpreter kernel and its buffers resident on the GPU; \
C/C++ scanner engines publish small work items into a ring that GPU workers claim and run.")
set(CPACK_DEBIAN_RUNTIME_DESCRIPTION "GPU megakernel runtime for scanner engines (shared library)
${_vyre_about}
This package contains the shared library libvyre.so.${VYRE_SOVERSION}.")
# dpkg-shlibdeps derives libc6/libgcc-s1 from the ELF; the Vulkan loader is dlopen()ed
# by wgpu at run time, so it is named here. A Vulkan driver (Mesa's lavapipe at least)
# is recommended rather than required: the protocol and policy functions need no GPU.
set(CPACK_DEBIAN_RUNTIME_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_RUNTIME_PACKAGE_DEPENDS "libvulkan1")
set(CPACK_DEBIAN_RUNTIME_PACKAGE_RECOMMENDS "mesa-vulkan-drivers | vulkan-icd")
# DEBIAN/shlibs ("libvyre 0 libvyre0 (>= VERSION)") lets packages linking libvyre.so.0
# get a correct dependency from dpkg-shlibdeps; CPack also adds the ldconfig calls.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")

set(CPACK_DEBIAN_DEV_PACKAGE_NAME libvyre-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libvyre${VYRE_SOVERSION} (= ${VYRE_VERSION})")
set(CPACK_DEBIAN_DEV_DESCRIPTION "GPU megakernel runtime for scanner engines (development files)
${_vyre_about}
This package contains the header vyre.h, the libvyre.so link, the static archive \
libvyre.a, the pkg-config file vyre.pc and the CMake package (targets vyre::vyre and \
vyre::vyre_static).")

# Strip as Debian's dh_strip does, when installing with `cmake --install --strip` and in
# the packages (CPACK_STRIP_FILES): the shared library keeps only what dynamic linking
# needs, the archive loses its debug info (the release profile builds with debug=1,
# which makes them several times larger). These rules run after the install rules.
find_program(VYRE_STRIP NAMES strip)
set(_vyre_dest "\$ENV{DESTDIR}\${CMAKE_INSTALL_PREFIX}/${CMAKE_INSTALL_LIBDIR}")
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${VYRE_STRIP}\" --strip-unneeded --remove-section=.comment
                            --remove-section=.note \"${_vyre_dest}/${VYRE_SO_REAL}\"
                    COMMAND_ERROR_IS_FATAL ANY)
  endif()" COMPONENT runtime)
install(CODE "
  if(CMAKE_INSTALL_DO_STRIP)
    execute_process(COMMAND \"${VYRE_STRIP}\" --strip-debug \"${_vyre_dest}/libvyre.a\"
                    COMMAND_ERROR_IS_FATAL ANY)
  endif()" COMPONENT dev)
set(CPACK_STRIP_FILES TRUE)

include(CPack)

if(BUILD_TESTING)
  # Build both packages (a second, /usr-prefixed configure that reuses the cargo target
  # dir, so nothing is recompiled), unpack them into a temporary root with dpkg-deb -x
  # and build + run consumers against that root.
  add_test(NAME deb_packages
    COMMAND ${CMAKE_CURRENT_SOURCE_DIR}/c_tests/deb/run.sh
            ${CMAKE_CURRENT_SOURCE_DIR} ${CMAKE_CURRENT_BINARY_DIR}/deb-test ${CMAKE_C_COMPILER}
            ${VYRE_CARGO_TARGET_DIR} ${VYRE_CARGO_PROFILE})
  set_tests_properties(deb_packages PROPERTIES LABELS packaging TIMEOUT 600)
endif()
