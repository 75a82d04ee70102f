# Bundle reading (verify, bundle: sources, the streaming manifest reader):
# libFuzzer campaign, `make fuzz-bundle FUZZ_TIME=300`. Seeds: tar streams of
# small generated bundles, and manifests ('#' + text) cut from them.

.PHONY: fuzz-bundle
fuzz: fuzz-bundle

FUZZ_BUNDLE_DIR := $(B)/fuzz/bundle
FUZZ_BUNDLE_SRC := collector/source/bundle_read.c collector/source/manifest_stream.c collector/source/bundle_crypt.c \
                   collector/source/cms_der.c collector/core/sha256.c

$(B)/fuzz/fuzz_bundle: collector/source/fuzz_bundle.c $(FUZZ_BUNDLE_SRC) $(wildcard collector/source/*.h) $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) $(PKG_CFLAGS) -o $@ collector/source/fuzz_bundle.c $(FUZZ_BUNDLE_SRC) $(FUZZ_CORE_SRC) \
	    $(PKG_LIBS) -lm

fuzz-bundle: $(B)/fuzz/fuzz_bundle
	@rm -rf $(FUZZ_BUNDLE_DIR)/seeds
	@mkdir -p $(FUZZ_BUNDLE_DIR)/corpus $(FUZZ_BUNDLE_DIR)/crashes $(FUZZ_BUNDLE_DIR)/seeds
	cd $(FUZZ_BUNDLE_DIR)/seeds && for n in 1 3 20; do \
	    /usr/bin/python3 $(CURDIR)/tests/tools/many_members.py b$$n.tar.zst $$n && \
	    zstd -q -d -c b$$n.tar.zst > b$$n.tar && \
	    { printf '#'; tar -xOf b$$n.tar manifest.json; } > m$$n.json && rm -f b$$n.tar.zst b$$n.tar.zst.sha256; done
	$(FUZZ_CLOCK) bundle $(B)/fuzz/fuzz_bundle -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUNDLE_DIR)/crashes/ $(FUZZ_BUNDLE_DIR)/corpus $(FUZZ_BUNDLE_DIR)/seeds
