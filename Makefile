# patron quick start. `make demo` and `make test` are all a new user needs; both
# install missing Debian packages first when run as root.
.PHONY: demo test test-clang bench deps clean

DEPS := cmake g++ libeigen3-dev libboost-math-dev liblbfgspp-dev catch2 libbenchmark-dev
CLANG_DEPS := clang-14
JOBS ?= 2

deps:
	@./scripts/install-deps.sh $(DEPS)

demo: deps
	cmake --preset dev -DPATRON_BUILD_TESTS=OFF
	cmake --build --preset dev --target patron_cli -j $(JOBS)
	./build/dev/tools/patron/patron demo

test: deps
	cmake --preset dev -DPATRON_BUILD_TESTS=ON
	cmake --build --preset dev -j $(JOBS)
	ctest --preset dev
	cmake --preset asan
	cmake --build --preset asan -j $(JOBS)
	ctest --preset asan

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
