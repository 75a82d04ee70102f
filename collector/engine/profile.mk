# Profile files and run-limit values: libFuzzer campaign,
# `make fuzz-profile FUZZ_TIME=300`. Seeds: the built-in profiles.

.PHONY: fuzz-profile
fuzz: fuzz-profile

FUZZ_PROFILE_DIR := $(B)/fuzz/profile
# The profile parser resolves `include` against the embedded profiles; the
# limit parsers come along (runlimits.c) with bundle_read.c for the
# unpacking defaults.
FUZZ_PROFILE_SRC := collector/engine/profile.c collector/engine/runlimits.c collector/core/embedded.c \
                    collector/source/bundle_read.c collector/source/manifest_stream.c collector/source/bundle_crypt.c \
                    collector/source/cms_der.c collector/core/sha256.c

$(B)/fuzz/fuzz_profile: collector/engine/fuzz_profile.c $(FUZZ_PROFILE_SRC) $(B)/gen/embedded.c $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) $(PKG_CFLAGS) -o $@ collector/engine/fuzz_profile.c $(FUZZ_PROFILE_SRC) $(B)/gen/embedded.c \
	    $(FUZZ_CORE_SRC) $(PKG_LIBS) -lm

fuzz-profile: $(B)/fuzz/fuzz_profile
	@mkdir -p $(FUZZ_PROFILE_DIR)/corpus $(FUZZ_PROFILE_DIR)/crashes
	$(FUZZ_CLOCK) profile $(B)/fuzz/fuzz_profile -max_total_time=$(FUZZ_TIME) -max_len=8192 -timeout=10 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_PROFILE_DIR)/crashes/ $(FUZZ_PROFILE_DIR)/corpus profiles
