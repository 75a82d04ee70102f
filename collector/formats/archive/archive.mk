# Archive recognition and listing: libFuzzer campaign, and the libraries a
# static libarchive needs once its RAR/7z/zip readers and gzip/bzip2/xz
# filters are linked (archive_list.c). `make fuzz-archive FUZZ_TIME=600`.

.PHONY: fuzz-archive
fuzz: fuzz-archive

ARCHIVE_DIR := collector/formats/archive
FUZZ_ARCHIVE_DIR := $(B)/fuzz/archive
FUZZ_ARCHIVE_SRC := $(filter-out %/fuzz_archive.c,$(sort $(wildcard $(ARCHIVE_DIR)/*.c))) $(FUZZ_CORE_SRC)

# With libarchive.a in the static group, its readers' decompressors and
# zip's decryption (nettle) must be there too; each only where Debian
# ships the archive (the shared build gets them through libarchive.so).
ARCHIVE_STATIC_DEPS := $(foreach l,z bz2 lzma nettle,$(if $(wildcard $(LIBDIR)/lib$(l).a),-l$(l)))
LINK_LIBS := $(patsubst -lzstd,-lzstd $(ARCHIVE_STATIC_DEPS),$(LINK_LIBS))

$(B)/fuzz/fuzz_archive: $(ARCHIVE_DIR)/fuzz_archive.c $(FUZZ_ARCHIVE_SRC) $(wildcard $(ARCHIVE_DIR)/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(CSTD) $(WARN) -Wno-unknown-warning-option -O1 -g -fno-omit-frame-pointer \
	    -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	    $(FUZZ_INCLUDES) -o $@ $(ARCHIVE_DIR)/fuzz_archive.c $(FUZZ_ARCHIVE_SRC) $(shell pkg-config --libs libarchive)

# Seeds: archives bsdtar writes in every format it can, and the corpus
# archives (copied under $(B)/ at run time, never into the repository).
fuzz-archive: $(B)/fuzz/fuzz_archive
	@rm -rf $(FUZZ_ARCHIVE_DIR)/seeds
	@mkdir -p $(FUZZ_ARCHIVE_DIR)/seeds/src $(FUZZ_ARCHIVE_DIR)/corpus $(FUZZ_ARCHIVE_DIR)/crashes
	cd $(FUZZ_ARCHIVE_DIR)/seeds && printf 'quarterly numbers\n' > src/a.txt && printf 'x' > src/b.bin && \
	    for f in ustar gnutar pax v7 zip 7zip; do bsdtar -cf s-$$f --format $$f -C src .; done && \
	    bsdtar -czf s.tgz -C src . && bsdtar -cjf s.tbz -C src . && bsdtar -cJf s.txz -C src . && \
	    bsdtar --zstd -cf s.tzst -C src . && \
	    bsdtar -cf s-aes.zip --format zip --options zip:encryption=aes256 --passphrase pw -C src . && \
	    { printf 'MZ'; head -c 2000 /dev/zero; cat s-7zip; } > s-sfx.exe && rm -r src
	-for f in ../shared/corpus/dev/archives/*; do [ -f "$$f" ] && cp "$$f" $(FUZZ_ARCHIVE_DIR)/seeds/; done; true
	$(FUZZ_CLOCK) archive $(B)/fuzz/fuzz_archive -max_total_time=$(FUZZ_TIME) -max_len=131072 -timeout=20 \
	    -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_ARCHIVE_DIR)/crashes/ $(FUZZ_ARCHIVE_DIR)/corpus $(FUZZ_ARCHIVE_DIR)/seeds
