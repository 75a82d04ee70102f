# The Windows build collecting a live host under wine (tests/wine/e2e.sh):
# planted registry, tasks, logs and staged archives in a fresh prefix,
# `gleaner.exe collect` live, the bundle checked with the Linux build.
# WINE_EXE=<path to an .exe> tests that one; otherwise this commit's
# Windows release is built first (static libraries cached outside the
# tree, release/README.md).
.PHONY: test-wine
test-wine: gleaner
	GLEANER_LINUX=$(CURDIR)/gleaner sh tests/wine/e2e.sh $(WINE_EXE)
