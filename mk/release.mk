# Release: static binaries for Linux x64 (musl) and Windows x64
# (mingw-w64) in dist/, with SHA256SUMS (release/README.md).
.PHONY: release release-check release-smoke
release:
	sh release/build.sh dist
# Builds twice, from two copies of the tree at different paths, and
# compares the bytes.
release-check:
	sh release/check-repro.sh

# One release binary; release/build.sh runs this with CC, CFLAGS,
# PKG_CFLAGS, RELEASE_LDFLAGS and RELEASE_LIBS set for its target.
$(B)/release/gleaner $(B)/release/gleaner.exe: $(rel_OBJ) $(B)/rel/collector/cli/main.o
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(RELEASE_LDFLAGS) -o $@ $(rel_OBJ) $(B)/rel/collector/cli/main.o $(RELEASE_LIBS)

# The Windows binary under wine against the Linux one (release/wine-smoke.sh).
release-smoke: $(FIXTURES)
	sh release/wine-smoke.sh dist/gleaner-$(VERSION)-windows-x64.exe dist/gleaner-$(VERSION)-linux-x64 \
	    $(B)/fixtures/sample-host
