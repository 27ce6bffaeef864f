# Convenience front door; CMake does the real work. `make memfit` builds only the command-line tool (the newcomer's
# first command); `make build` builds everything (tool, tests, benchmarks); both leave the binary at build/memfit.
BUILD ?= build
JOBS ?= $(shell nproc)

.PHONY: memfit build test bench deps clean fuzz

deps:
	bash scripts/bootstrap.sh

memfit:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target memfit

build:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# The tests need the tool, its server module and the test binary (the benchmarks are built by `make build`).
test:
	cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
	cmake --build $(BUILD) -j $(JOBS) --target memfit memfit_tests
	ctest --test-dir $(BUILD) --output-on-failure -j $(JOBS)

bench: build
	$(BUILD)/memfit_bench

# Longer fuzzing than the 5 s per target that `make test` does: FUZZ_SECONDS per target.
FUZZ_SECONDS ?= 60
fuzz:
	bash scripts/fuzz.sh $(abspath $(BUILD))/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf $(BUILD)
