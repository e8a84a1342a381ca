# Builds and runs a consumer that pulls patron in with add_subdirectory().
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
run_step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/consumer -B ${WORK_DIR}/consumer-build
         -DCMAKE_CXX_COMPILER=${CXX} -DPATRON_CONSUME=add_subdirectory
         -DPATRON_SOURCE_DIR=${SOURCE_DIR})
run_step(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run_step(${WORK_DIR}/consumer-build/consumer)
