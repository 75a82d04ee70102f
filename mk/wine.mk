# The Windows build collecting a live host under wine (tests/wine/e2e.sh):
# planted registry, tasks, logs, staged archives and a running process in
# a fresh prefix, `gleaner.exe collect` live, the bundle checked with the
# Linux test build (the one test-plain uses). WINE_EXE=<path to an .exe>
# tests that one; otherwise this commit's Windows release is built first
# (static libraries cached outside the tree, release/README.md). `make
# test` runs it last, once the Linux suites passed (Makefile).
.PHONY: test-wine
test-wine: $(B)/test/gleaner
	GLEANER_LINUX=$(abspath $(B))/test/gleaner sh tests/wine/e2e.sh $(WINE_EXE)
