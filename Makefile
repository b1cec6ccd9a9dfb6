# rspmux — one GNU Makefile for the host programs, the demo kernel and the tests.
#
#   make            build the host programs and the demo kernel (build/)
#   make os         build build/os/kernel.elf and build/os/user/<name>.elf
#   make run        boot the demo kernel in QEMU with its gdbstub (installs deps)
#   make test       build everything and run every test (installs deps)
#   make bench      run the benchmarks
#   make fuzz       build the libFuzzer harnesses
#   make clean

BUILD    := build
V        ?= 0
ifeq ($(V),0)
say       = @printf '  %-6s %s\n' $(1) $(2);
else
say       =
endif
OS_BUILD := $(BUILD)/os
SAN_DIR  := $(BUILD)/san
FUZZ_DIR := $(BUILD)/fuzz

.DEFAULT_GOAL := all
.PHONY: all host os agent bench-bins run test bench fuzz clean deps unit-tests test-run bench-run
.DELETE_ON_ERROR:
.SECONDARY:

# ---------------------------------------------------------------- host side
CC       ?= cc
WARN     := -Wall -Wextra -Werror
HOST_CFLAGS := -std=c11 $(WARN) -O2 -g
SAN_FLAGS   := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
FUZZ_CC     := clang
FUZZ_FLAGS  := -std=c11 $(WARN) -O1 -g -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

HOST_LIBS   := $(shell pkg-config --libs libuv libcjson 2>/dev/null || echo -luv -lcjson)
ELF_LIBS    := $(shell pkg-config --libs libelf libdw 2>/dev/null || echo -ldw -lelf)
HOST_INC    := -iquote rsp -iquote proxy -iquote elf -iquote target-agent

# rspmux: proxy/ on top of rsp/. build/rspmux is optimised; build/san/rspmux
# is the same under ASan+UBSan, and is what the integration tests run.
RSPMUX_SRCS := $(wildcard rsp/*.c) $(wildcard elf/*.c) $(wildcard proxy/*.c)
RSPMUX_OBJS := $(RSPMUX_SRCS:%.c=$(BUILD)/obj/%.o)
RSPMUX_SAN_OBJS := $(RSPMUX_SRCS:%.c=$(SAN_DIR)/obj/%.o)
HOST_PROGS  := $(BUILD)/rspmux $(SAN_DIR)/rspmux

host: $(HOST_PROGS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(HOST_CFLAGS) $(HOST_INC) -MMD -MP -c $< -o $@

$(SAN_DIR)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(HOST_INC) -MMD -MP -c $< -o $@

$(BUILD)/rspmux: $(RSPMUX_OBJS)
	$(call say,LD,$@)$(CC) $(HOST_CFLAGS) $^ -o $@ $(HOST_LIBS) $(ELF_LIBS)

$(SAN_DIR)/rspmux: $(RSPMUX_SAN_OBJS)
	$(call say,LD,$@)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $^ -o $@ $(HOST_LIBS) $(ELF_LIBS)

# ---------------------------------------------------------------- demo kernel
OS_DIR     := test/os
CROSS      := riscv64-unknown-elf-
OS_CC      := $(CROSS)gcc
OS_ARCH    := -march=rv64imac_zicsr_zifencei -mabi=lp64 -mcmodel=medany
OS_CFLAGS  := -std=c11 $(WARN) -Og -g -ffreestanding -nostdlib -fno-pie -fno-stack-protector \
              -fno-asynchronous-unwind-tables -fno-unwind-tables -mno-relax $(OS_ARCH) \
              -I$(OS_DIR)/include -I$(OS_DIR)/lib -MMD -MP
OS_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none -Wl,--no-relax

USER_PROGS := init compute syscalls sleeper forker crash
USER_ELFS  := $(USER_PROGS:%=$(OS_BUILD)/user/%.elf)
USER_LIB   := $(OS_BUILD)/user/obj/crt0.o $(OS_BUILD)/user/obj/ulib.o \
              $(OS_BUILD)/user/obj/fmt.o $(OS_BUILD)/user/obj/string.o

KERNEL_C   := $(wildcard $(OS_DIR)/kernel/*.c)
KERNEL_S   := $(wildcard $(OS_DIR)/kernel/*.S)
KERNEL_OBJ := $(KERNEL_C:$(OS_DIR)/kernel/%.c=$(OS_BUILD)/kernel/%.o) \
              $(KERNEL_S:$(OS_DIR)/kernel/%.S=$(OS_BUILD)/kernel/%.o) \
              $(OS_BUILD)/kernel/fmt.o $(OS_BUILD)/kernel/string.o
KERNEL_ELF := $(OS_BUILD)/kernel.elf

os: $(KERNEL_ELF) $(USER_ELFS)

$(OS_BUILD)/kernel/%.o: $(OS_DIR)/kernel/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(OS_CC) $(OS_CFLAGS) -c $< -o $@

$(OS_BUILD)/kernel/%.o: $(OS_DIR)/lib/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(OS_CC) $(OS_CFLAGS) -c $< -o $@

$(OS_BUILD)/kernel/%.o: $(OS_DIR)/kernel/%.S
	@mkdir -p $(@D)
	$(call say,CC,$@)$(OS_CC) $(OS_CFLAGS) -Wa,-I,$(OS_BUILD)/user -c $< -o $@

# The kernel image embeds every user program.
$(OS_BUILD)/kernel/embed.o: $(USER_ELFS)

$(KERNEL_ELF): $(KERNEL_OBJ) $(OS_DIR)/kernel/kernel.ld
	$(call say,LD,$@)$(OS_CC) $(OS_CFLAGS) $(OS_LDFLAGS) -T $(OS_DIR)/kernel/kernel.ld $(KERNEL_OBJ) -o $@

$(OS_BUILD)/user/obj/%.o: $(OS_DIR)/user/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(OS_CC) $(OS_CFLAGS) -ffunction-sections -c $< -o $@

$(OS_BUILD)/user/obj/%.o: $(OS_DIR)/user/%.S
	@mkdir -p $(@D)
	$(call say,CC,$@)$(OS_CC) $(OS_CFLAGS) -c $< -o $@

$(OS_BUILD)/user/obj/%.o: $(OS_DIR)/lib/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(OS_CC) $(OS_CFLAGS) -c $< -o $@

# A program's own object comes first; extra objects of one program are listed below.
$(OS_BUILD)/user/%.elf: $(OS_BUILD)/user/obj/%.o $(USER_LIB) $(OS_DIR)/user/user.ld
	$(call say,LD,$@)$(OS_CC) $(OS_CFLAGS) $(OS_LDFLAGS) -T $(OS_DIR)/user/user.ld $(filter %.o,$^) -o $@

$(OS_BUILD)/user/syscalls.elf: $(OS_BUILD)/user/obj/regcheck.o

# ---------------------------------------------------------------- target agent
# Freestanding C, built twice: for riscv64 (the check that it stays
# freestanding: no libc, no floating point) and for the host (tests, fuzzing,
# benchmarks, build/bpf-run). Each part adds its own rules in
# target-agent/mk/*.mk (unit tests, fuzzers, tools, benchmarks).
AGENT_SRCS   := $(wildcard target-agent/*.c)
AGENT_RV_DIR := $(BUILD)/agent-rv64
AGENT_RV_LIB := $(AGENT_RV_DIR)/libagent.a
AGENT_RV_CFLAGS := -std=c11 $(WARN) -O2 -g -ffreestanding -nostdlib -fno-pie \
                   -fno-stack-protector -march=rv64imac_zicsr_zifencei -mabi=lp64 \
                   -mcmodel=medany -iquote target-agent -MMD -MP
AGENT_TOOLS  :=
BENCH_BINS   :=

$(AGENT_RV_DIR)/%.o: target-agent/%.c
	@mkdir -p $(@D)
	$(call say,CC,$@)$(OS_CC) $(AGENT_RV_CFLAGS) -c $< -o $@

$(AGENT_RV_LIB): $(AGENT_SRCS:target-agent/%.c=$(AGENT_RV_DIR)/%.o)
	@mkdir -p $(@D)
	$(call say,AR,$@)rm -f $@ && $(CROSS)ar rcs $@ $^

all: host os agent

# ---------------------------------------------------------------- tests
# Unit tests of host-compilable code, built with ASan+UBSan and cmocka.
UNIT_TESTS := fmt fdt elf rsp-parser rsp-build rsp-dispatch rsp-packets config
UNIT_TESTS += sv39 fingerprint
UNIT_TESTS += elfsym conflicts
FUZZERS    := fdt elf rsp config
FUZZERS    += elfsym
# The target agent's parts add their unit tests, fuzzers, tools and benchmarks.
-include $(wildcard target-agent/mk/*.mk)
RSP_LIB    := $(wildcard rsp/*.c)
UNIT_BINS  := $(UNIT_TESTS:%=$(SAN_DIR)/unit/test-%)
UNIT_INC   := -iquote $(OS_DIR)/kernel -iquote $(OS_DIR)/lib -iquote rsp -iquote proxy
UNIT_INC   += -iquote elf -iquote target-agent

$(SAN_DIR)/unit/test-fmt: test/unit/test-fmt.c $(OS_DIR)/lib/fmt.c
$(SAN_DIR)/unit/test-fdt: test/unit/test-fdt.c test/unit/blob.c $(OS_DIR)/kernel/fdt.c $(OS_DIR)/lib/fmt.c
$(SAN_DIR)/unit/test-elf: test/unit/test-elf.c test/unit/blob.c $(OS_DIR)/kernel/elf.c $(OS_DIR)/lib/fmt.c
# (A static pattern: a plain pattern rule without a recipe would cancel, not add.)
RSP_UNIT_BINS := $(filter $(SAN_DIR)/unit/test-rsp-%,$(UNIT_BINS))
$(RSP_UNIT_BINS): $(SAN_DIR)/unit/test-rsp-%: test/unit/test-rsp-%.c $(RSP_LIB) rsp/rsp.h
$(SAN_DIR)/unit/test-config: test/unit/test-config.c proxy/config.c proxy/spacecfg.c proxy/jsonpath.c
$(SAN_DIR)/unit/test-sv39: test/unit/test-sv39.c proxy/sv39.c proxy/sv39.h
$(SAN_DIR)/unit/test-fingerprint: test/unit/test-fingerprint.c test/unit/blob.c proxy/fingerprint.c \
    proxy/fingerprint.h
# elf/ needs libelf and libdw.
$(SAN_DIR)/unit/test-elfsym: test/unit/test-elfsym.c test/unit/blob.c elf/elfsym.c elf/elfsym.h
$(SAN_DIR)/unit/test-elfsym: HOST_LIBS += $(ELF_LIBS)
$(SAN_DIR)/unit/test-conflicts: test/unit/test-conflicts.c proxy/spaces.c proxy/fingerprint.c \
    elf/elfsym.c proxy/spaces.h
$(SAN_DIR)/unit/test-conflicts: HOST_LIBS += $(ELF_LIBS)
$(UNIT_BINS): test/unit/blob.h
	@mkdir -p $(@D)
	$(call say,CC,$@)$(CC) $(HOST_CFLAGS) $(SAN_FLAGS) $(UNIT_INC) $(filter %.c,$^) -o $@ \
	    -lcmocka $(HOST_LIBS)

# Fuzz harnesses (clang libFuzzer) for the parsers of outside input.
FUZZ_BINS  := $(FUZZERS:%=$(FUZZ_DIR)/fuzz-%)

$(FUZZ_DIR)/fuzz-fdt: test/fuzz/fuzz-fdt.c $(OS_DIR)/kernel/fdt.c $(OS_DIR)/lib/fmt.c
$(FUZZ_DIR)/fuzz-elf: test/fuzz/fuzz-elf.c $(OS_DIR)/kernel/elf.c $(OS_DIR)/lib/fmt.c
$(FUZZ_DIR)/fuzz-rsp: test/fuzz/fuzz-rsp.c $(RSP_LIB) rsp/rsp.h
$(FUZZ_DIR)/fuzz-config: test/fuzz/fuzz-config.c proxy/config.c proxy/spacecfg.c proxy/jsonpath.c
$(FUZZ_DIR)/fuzz-elfsym: test/fuzz/fuzz-elfsym.c elf/elfsym.c elf/elfsym.h
$(FUZZ_DIR)/fuzz-elfsym: HOST_LIBS += $(ELF_LIBS)
$(FUZZ_BINS):
	@mkdir -p $(@D)
	$(call say,CC,$@)$(FUZZ_CC) $(FUZZ_FLAGS) $(UNIT_INC) $(filter %.c,$^) -o $@ $(HOST_LIBS)

fuzz: $(FUZZ_BINS)

agent: $(AGENT_RV_LIB) $(AGENT_TOOLS)

bench-bins: $(BENCH_BINS)

unit-tests: $(UNIT_BINS) $(BUILD)/test/virt.dtb

# A real device tree for the FDT unit tests, as QEMU hands it to the kernel.
# (-append needs a -kernel; QEMU writes the tree and exits before booting it.)
$(BUILD)/test/virt.dtb: $(KERNEL_ELF)
	@mkdir -p $(@D)
	$(call say,DTB,$@)qemu-system-riscv64 -machine virt,dumpdtb=$@ -m 256M -kernel $< \
	    -append "test; compute 5" -nographic >/dev/null 2>&1

deps:
	@scripts/install-deps.sh

test: deps
	@$(MAKE) --no-print-directory all unit-tests fuzz
	@test/run-tests.sh

bench: deps
	@$(MAKE) --no-print-directory all bench-bins
	@test/run-bench.sh

run: deps
	@$(MAKE) --no-print-directory all
	@scripts/run.sh

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
