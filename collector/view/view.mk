# Registry view: libFuzzer campaign over whole scratch trees whose hives are
# the fuzz input (collector/view/fuzz_regview.c). `make fuzz-regview FUZZ_TIME=600`.

.PHONY: fuzz-regview
fuzz: fuzz-regview

FUZZ_REGVIEW_DIR := $(B)/fuzz/regview
# The view reads through the source, which brings the bundle reader along.
FUZZ_REGVIEW_SRC := collector/view/regview.c collector/view/regview_files.c collector/view/regview_live_posix.c \
                    collector/source/source.c collector/source/source_posix.c collector/source/liveroot_posix.c \
                    collector/source/manifest_stream.c \
                    collector/source/bundle_read.c collector/source/bundle_crypt.c collector/source/cms_der.c \
                    collector/core/spool.c collector/core/sha256.c $(FUZZ_REGF_SRC)

$(B)/fuzz/fuzz_regview: collector/view/fuzz_regview.c $(FUZZ_REGVIEW_SRC) $(wildcard collector/*/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) $(PKG_CFLAGS) -o $@ collector/view/fuzz_regview.c $(sort $(FUZZ_REGVIEW_SRC)) $(PKG_LIBS) -lm

# Seeds: the view's generated hives and the corpus hives (copied under
# build/ at run time only).
fuzz-regview: $(B)/fuzz/fuzz_regview $(FIXTURES)
	@rm -rf $(FUZZ_REGVIEW_DIR)/seeds
	@mkdir -p $(FUZZ_REGVIEW_DIR)/seeds $(FUZZ_REGVIEW_DIR)/corpus $(FUZZ_REGVIEW_DIR)/crashes
	cp $(B)/fixtures/hives/regview-*.hive $(B)/fixtures/hives/deleted*.hive $(FUZZ_REGVIEW_DIR)/seeds/
	-for f in ../shared/corpus/dev/hives/system/* ../shared/corpus/dev/hives/ntuser/*; do \
	    [ -f "$$f" ] && cp "$$f" $(FUZZ_REGVIEW_DIR)/seeds/; done; true
	$(FUZZ_CLOCK) regview $(B)/fuzz/fuzz_regview -max_total_time=$(FUZZ_TIME) -max_len=$(FUZZ_MAX_LEN) -timeout=30 \
	    -rss_limit_mb=2048 -print_final_stats=1 -dict=$(REGF_DIR)/regf.dict \
	    -artifact_prefix=$(FUZZ_REGVIEW_DIR)/crashes/ $(FUZZ_REGVIEW_DIR)/corpus $(FUZZ_REGVIEW_DIR)/seeds
