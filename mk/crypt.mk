# Encrypted bundles over 2 GiB: collect --encrypt-to, decrypt with gleaner
# and with openssl cms, compare, and check gleaner's memory stays flat.
.PHONY: bench-crypt
bench: bench-crypt
bench-crypt: gleaner
	sh tests/bench/bench_crypt.sh 2200M $(B)/bench/crypt
