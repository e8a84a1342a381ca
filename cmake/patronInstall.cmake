include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

install(DIRECTORY include/patron DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS patron EXPORT patronTargets)
set(PATRON_CMAKE_DIR ${CMAKE_INSTALL_DATADIR}/cmake/patron)
install(EXPORT patronTargets NAMESPACE patron:: DESTINATION ${PATRON_CMAKE_DIR})

configure_package_config_file(cmake/patronConfig.cmake.in
  ${CMAKE_CURRENT_BINARY_DIR}/patronConfig.cmake INSTALL_DESTINATION ${PATRON_CMAKE_DIR})
# Header-only: any architecture can consume it.
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/patronConfigVersion.cmake
  COMPATIBILITY SameMinorVersion ARCH_INDEPENDENT)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/patronConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/patronConfigVersion.cmake
              cmake/patronDependencies.cmake
        DESTINATION ${PATRON_CMAKE_DIR})
