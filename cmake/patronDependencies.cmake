# Finds patron's three header-only dependencies. Shared by the source tree and by the
# installed patronConfig.cmake, so both resolve them the same way.
include(CMakeFindDependencyMacro)
find_dependency(Eigen3 3.4 NO_MODULE)
find_dependency(Boost 1.74)
# rfm, kmeans, leads and abtest run optional std::thread workers (-pthread on old glibc).
find_dependency(Threads)

# LBFGS++ 0.1.0 ships no CMake config: find its header and wrap the path in a target.
if(NOT TARGET patron_lbfgspp)
  find_path(PATRON_LBFGSPP_INCLUDE_DIR LBFGS.h PATH_SUFFIXES include)
  if(NOT PATRON_LBFGSPP_INCLUDE_DIR)
    message(FATAL_ERROR "patron: LBFGS++ (LBFGS.h) not found; install liblbfgspp-dev "
                        "or set PATRON_LBFGSPP_INCLUDE_DIR")
  endif()
  add_library(patron_lbfgspp INTERFACE IMPORTED)
  set_target_properties(patron_lbfgspp PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${PATRON_LBFGSPP_INCLUDE_DIR}")
endif()
