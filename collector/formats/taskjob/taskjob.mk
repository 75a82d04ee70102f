# Legacy .JOB files: libFuzzer campaign. `make fuzz-taskjob FUZZ_TIME=600`.

.PHONY: fuzz-taskjob
fuzz: fuzz-taskjob

TASKJOB_DIR := collector/formats/taskjob
FUZZ_TASKJOB_SRC := $(filter-out %/fuzz_taskjob.c,$(sort $(wildcard $(TASKJOB_DIR)/*.c))) $(FUZZ_CORE_SRC)
FUZZ_TASKJOB_DIR := $(B)/fuzz/taskjob

$(B)/fuzz/fuzz_taskjob: $(TASKJOB_DIR)/fuzz_taskjob.c $(FUZZ_TASKJOB_SRC) $(wildcard $(TASKJOB_DIR)/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(TASKJOB_DIR)/fuzz_taskjob.c $(FUZZ_TASKJOB_SRC)

# Seeds: the generated values (make fixtures). New inputs accumulate in
# $(FUZZ_TASKJOB_DIR)/corpus, crashes in $(FUZZ_TASKJOB_DIR)/crashes.
fuzz-taskjob: $(B)/fuzz/fuzz_taskjob $(FIXTURES)
	@rm -rf $(FUZZ_TASKJOB_DIR)/seeds
	@mkdir -p $(FUZZ_TASKJOB_DIR)/seeds $(FUZZ_TASKJOB_DIR)/corpus $(FUZZ_TASKJOB_DIR)/crashes
	cp $(B)/fixtures/taskcache/*.job $(FUZZ_TASKJOB_DIR)/seeds/
	$(FUZZ_CLOCK) taskjob $(B)/fuzz/fuzz_taskjob -max_total_time=$(FUZZ_TIME) -max_len=4096 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_TASKJOB_DIR)/crashes/ $(FUZZ_TASKJOB_DIR)/corpus $(FUZZ_TASKJOB_DIR)/seeds
