# patron quick start. `make demo` and `make test` are all a new user needs; both
# install missing Debian packages first when run as root.
.PHONY: demo test test-clang bench deps clean

DEPS := cmake g++ libeigen3-dev libboost-math-dev liblbfgspp-dev catch2 libbenchmark-dev
CLANG_DEPS := clang-14
# The Python module and its side-by-side tests (bindings/python); skipped, with a
# message, when these cannot be installed (not root and missing).
PY_DEPS := python3-dev pybind11-dev python3-pybind11 python3-numpy python3-pytest \
           python3-pandas python3-scipy python3-sklearn python3-statsmodels \
           python3-dask python3-distributed
PYTHON := /usr/bin/python3
JOBS ?= 2

deps:
	@./scripts/install-deps.sh $(DEPS)

demo: deps
	cmake --preset dev -DPATRON_BUILD_TESTS=OFF
	cmake --build --preset dev --target patron_cli -j $(JOBS)
	./build/dev/tools/patron/patron demo

test: deps
	if ./scripts/install-deps.sh $(PY_DEPS); then python=ON; else python=OFF; \
	  echo "Python dependencies missing: building without the Python module"; fi; \
	cmake --preset dev -DPATRON_BUILD_TESTS=ON -DPATRON_BUILD_PYTHON=$$python \
	  -DPython3_EXECUTABLE=$(PYTHON)
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan
	cmake --preset native
	cmake --build --preset native -j $(JOBS)
	ctest --preset native

test-clang: deps
	@./scripts/install-deps.sh $(CLANG_DEPS)
	cmake --preset clang
	cmake --build --preset clang -j $(JOBS)
	ctest --preset clang

bench: deps
	cmake --preset bench
	cmake --build --preset bench -j $(JOBS)
	@echo "benchmarks built in build/bench/benchmarks; peer comparisons: benchmarks/compare/"

clean:
	rm -rf build
