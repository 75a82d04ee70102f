# Task definition XML: libFuzzer campaign. `make fuzz-taskxml FUZZ_TIME=600`.

.PHONY: fuzz-taskxml
fuzz: fuzz-taskxml

TASKXML_DIR := collector/formats/taskxml
FUZZ_TASKXML_SRC := $(filter-out %/fuzz_taskxml.c,$(sort $(wildcard $(TASKXML_DIR)/*.c))) $(FUZZ_CORE_SRC)
FUZZ_TASKXML_DIR := $(B)/fuzz/taskxml

$(B)/fuzz/fuzz_taskxml: $(TASKXML_DIR)/fuzz_taskxml.c $(FUZZ_TASKXML_SRC) $(wildcard $(TASKXML_DIR)/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(TASKXML_DIR)/fuzz_taskxml.c $(FUZZ_TASKXML_SRC)

# Seeds are assembled under $(B)/ at run time from the shared corpus task
# files (never copied into the repository) and a UTF-8 copy of each; new
# inputs accumulate in $(FUZZ_TASKXML_DIR)/corpus, crashes in .../crashes.
fuzz-taskxml: $(B)/fuzz/fuzz_taskxml
	@rm -rf $(FUZZ_TASKXML_DIR)/seeds
	@mkdir -p $(FUZZ_TASKXML_DIR)/seeds $(FUZZ_TASKXML_DIR)/corpus $(FUZZ_TASKXML_DIR)/crashes
	-for f in ../shared/corpus/dev/artifacts/tasks/*/*; do \
	    [ -f "$$f" ] || continue; b=$$(basename "$$f"); cp "$$f" $(FUZZ_TASKXML_DIR)/seeds/"$$b"; \
	    iconv -f UTF-16 -t UTF-8 "$$f" > $(FUZZ_TASKXML_DIR)/seeds/"$$b".utf8 || true; done; true
	printf '<Task><Actions><Exec><Command>a</Command></Exec></Actions></Task>' > $(FUZZ_TASKXML_DIR)/seeds/minimal.xml
	$(FUZZ_CLOCK) taskxml $(B)/fuzz/fuzz_taskxml -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(TASKXML_DIR)/taskxml.dict \
	    -artifact_prefix=$(FUZZ_TASKXML_DIR)/crashes/ $(FUZZ_TASKXML_DIR)/corpus $(FUZZ_TASKXML_DIR)/seeds
