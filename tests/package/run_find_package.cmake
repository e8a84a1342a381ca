# Installs patron to a fresh prefix, then builds and runs a consumer that finds it with
# find_package(patron CONFIG).
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
run_step(${CMAKE_COMMAND} -S ${SOURCE_DIR} -B ${WORK_DIR}/patron-build
         -DCMAKE_CXX_COMPILER=${CXX} -DPATRON_INSTALL=ON -DPATRON_BUILD_TESTS=OFF
         -DPATRON_BUILD_EXAMPLES=OFF -DPATRON_BUILD_BENCHMARKS=OFF
         -DCMAKE_INSTALL_PREFIX=${WORK_DIR}/prefix)
run_step(${CMAKE_COMMAND} --install ${WORK_DIR}/patron-build)
run_step(${CMAKE_COMMAND} -S ${SOURCE_DIR}/tests/package/consumer -B ${WORK_DIR}/consumer-build
         -DCMAKE_CXX_COMPILER=${CXX} -DPATRON_CONSUME=find_package
         -DCMAKE_PREFIX_PATH=${WORK_DIR}/prefix)
run_step(${CMAKE_COMMAND} --build ${WORK_DIR}/consumer-build)
run_step(${WORK_DIR}/consumer-build/consumer)
