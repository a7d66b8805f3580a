#!/usr/bin/env bash
# bench/t4.sh — softfax's page codecs against libtiff's, on one 100-page fax.
#
# Builds softfax, renders a 100-page text document (dense 80-column text,
# the common case of an office fax) to a fax TIFF once, stores it
# uncompressed with tiffcp -c none, then times in one run
#   softfax convert -compression mmr IN.tif OUT.tif   vs   tiffcp -c g4 -r 65535 IN.tif OUT.tif
#   softfax convert -compression mh  IN.tif OUT.tif   vs   tiffcp -c g3 -r 65535 IN.tif OUT.tif
# printing the best of REPS runs of each, the output sizes and the ratios
# (time: libtiff / softfax, > 1 means softfax is faster; size: softfax / libtiff).
#
# Usage: bench/t4.sh [REPS]   (needs go, tiffcp from libtiff-tools)
set -euo pipefail

reps=${1:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
trap '[[ -n ${KEEP:-} ]] || rm -rf "$work"' EXIT

command -v tiffcp >/dev/null || { echo "bench/t4.sh: tiffcp not found (apt-get install libtiff-tools)" >&2; exit 1; }
(cd "$root" && go build -o "$work/softfax" ./cmd/softfax)
softfax=$work/softfax

# 100 pages of 64 lines (A4 at 6 lines an inch), separated by form feeds.
awk 'BEGIN {
	srand(1);
	split("the quick brown fox jumps over lazy dog facsimile page line modem T.30 T.4 T.6 receive transmit resolution", w, " ");
	for (p = 1; p <= 100; p++) {
		printf "Page %d of 100\n\n", p;
		for (l = 3; l <= 64; l++) {
			s = "";
			while (length(s) < 70) s = s w[int(rand() * 19) + 1] " ";
			print s;
		}
		if (p < 100) printf "\f";
	}
}' >"$work/doc.txt"
"$softfax" convert -resolution fine -compression mmr "$work/doc.txt" "$work/doc.tif"
tiffcp -c none "$work/doc.tif" "$work/in.tif"
pages=$(tiffinfo "$work/in.tif" 2>/dev/null | grep -c 'TIFF Directory' || true)
echo "input: $pages pages, $(stat -c %s "$work/in.tif") bytes uncompressed (1728 px, fine)"

# best_time CMD... : the least wall time of $reps runs, in seconds.
best_time() {
	local best= t0 t1 t
	for ((i = 0; i < reps; i++)); do
		t0=$(date +%s.%N)
		"$@" >/dev/null
		t1=$(date +%s.%N)
		t=$(echo "$t1 - $t0" | bc -l)
		if [[ -z $best ]] || (($(echo "$t < $best" | bc -l))); then best=$t; fi
	done
	printf '%.4f' "$best"
}

compare() { # name softfax-compression tiffcp-compression
	local name=$1 ours=$2 theirs=$3
	local to tl so sl
	to=$(best_time "$softfax" convert -compression "$ours" "$work/in.tif" "$work/ours-$name.tif")
	# -r 65535: one strip per page, as softfax writes (libtiff's default
	# of 8 KB strips restarts the coding every 37 rows, costing ~4% in G4).
	tl=$(best_time tiffcp -c "$theirs" -r 65535 "$work/in.tif" "$work/libtiff-$name.tif")
	so=$(stat -c %s "$work/ours-$name.tif")
	sl=$(stat -c %s "$work/libtiff-$name.tif")
	printf '%-4s softfax -compression %-3s %8.4f s %9d bytes | tiffcp -c %-2s %8.4f s %9d bytes | time libtiff/softfax %5.2f | size softfax/libtiff %6.4f\n' \
		"$name" "$ours" "$to" "$so" "$theirs" "$tl" "$sl" \
		"$(echo "$tl / $to" | bc -l)" "$(echo "$so / $sl" | bc -l)"
}

echo "best of $reps runs each:"
compare mmr mmr g4
compare mh mh g3

# PDF: ours embeds Flate-compressed 1-bit images (gofpdf cannot embed G4);
# tiff2pdf passes the G4 data through. The size ratio is the price of that.
if command -v tiff2pdf >/dev/null; then
	tiffcp -c g4 -r 65535 "$work/in.tif" "$work/g4.tif"
	to=$(best_time "$softfax" convert "$work/in.tif" "$work/ours.pdf")
	tl=$(best_time tiff2pdf -o "$work/libtiff.pdf" "$work/g4.tif")
	so=$(stat -c %s "$work/ours.pdf")
	sl=$(stat -c %s "$work/libtiff.pdf")
	printf '%-4s softfax convert IN.tif X.pdf %8.4f s %9d bytes | tiff2pdf G4.tif %8.4f s %9d bytes | time tiff2pdf/softfax %5.2f | size softfax/tiff2pdf %6.4f\n' \
		pdf "$to" "$so" "$tl" "$sl" "$(echo "$tl / $to" | bc -l)" "$(echo "$so / $sl" | bc -l)"
fi
