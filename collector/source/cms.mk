# CMS EnvelopedData walker (encrypted bundles, collector/source/cms_der.c):
# libFuzzer campaign, `make fuzz-cms FUZZ_TIME=300`. Seeds are made at run
# time by openssl (streamed and definite-length shapes, RSA and EC recipients).

.PHONY: fuzz-cms
fuzz: fuzz-cms

FUZZ_CMS_DIR := $(B)/fuzz/cms

$(B)/fuzz/fuzz_cms: collector/source/fuzz_cms.c collector/source/cms_der.c collector/source/cms_der.h $(FUZZ_CORE_SRC)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ collector/source/fuzz_cms.c collector/source/cms_der.c $(FUZZ_CORE_SRC)

fuzz-cms: $(B)/fuzz/fuzz_cms
	@rm -rf $(FUZZ_CMS_DIR)/seeds
	@mkdir -p $(FUZZ_CMS_DIR)/corpus $(FUZZ_CMS_DIR)/crashes $(FUZZ_CMS_DIR)/seeds
	cd $(FUZZ_CMS_DIR)/seeds && \
	    openssl req -x509 -newkey rsa:2048 -nodes -keyout r.key -out r.pem -days 2 -subj /CN=r 2>/dev/null && \
	    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout e.key -out e.pem -days 2 -subj /CN=e 2>/dev/null && \
	    head -c 20000 /dev/urandom > clear && \
	    openssl cms -encrypt -binary -aes-256-cbc -outform DER -in clear -out definite.p7m r.pem && \
	    openssl cms -encrypt -binary -stream -aes-256-cbc -outform DER -in clear -out streamed.p7m r.pem e.pem && \
	    rm -f r.key r.pem e.key e.pem clear
	$(FUZZ_CLOCK) cms $(B)/fuzz/fuzz_cms -max_total_time=$(FUZZ_TIME) -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
	    -print_final_stats=1 -artifact_prefix=$(FUZZ_CMS_DIR)/crashes/ $(FUZZ_CMS_DIR)/corpus $(FUZZ_CMS_DIR)/seeds
