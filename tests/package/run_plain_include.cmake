# Compiles the consumer with nothing but include paths: no CMake package at all.
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)
run_step(${CXX} -std=c++17 -O1 -I${SOURCE_DIR}/include -I${EIGEN_DIR} -I${LBFGSPP_DIR}
         ${SOURCE_DIR}/tests/package/consumer/main.cpp -o ${WORK_DIR}/consumer)
run_step(${WORK_DIR}/consumer)
