# rmm module: walking real file trees of 100 000 and 200 000 files must
# stay near-linear (`make bench-rmm-tree`; the catalog lookups alone are
# bench-rmm-catalog in collector/formats/rmmcatalog/rmmcatalog.mk).

.PHONY: bench-rmm-tree
bench: bench-rmm-tree

bench-rmm-tree: gleaner
	sh tests/bench/bench_rmm_tree.sh ./gleaner
