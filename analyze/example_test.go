package analyze_test

import (
	"fmt"
	"os"

	"github.com/softfax/softfax/analyze"
)

// A spandsp-to-spandsp call recorded on one channel in mu-law: the first
// training check fails (a noise burst), the sender falls back to 12000
// bit/s and the page goes through.
func ExampleFile() {
	wav, err := os.ReadFile("testdata/spandsp-ftt.wav")
	if err != nil {
		fmt.Println(err)
		return
	}
	r, err := analyze.File(wav)
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, e := range r.Events {
		if e.Kind == analyze.KindFrame {
			fmt.Printf("%s %s\n", e.Dir.Arrow(), e.Name)
		}
	}
	fmt.Println(r.Outcome())
	fmt.Println(r.Problems[0])
	// Output:
	// -> CSI
	// -> DIS
	// <- TSI
	// <- DCS
	// -> FTT
	// <- TSI
	// <- DCS
	// -> CFR
	// <- EOP
	// -> MCF
	// <- DCN
	// document complete (1 page confirmed) after 1 problem
	// 11.050s  FTT: the receiver rejected the training check at V.17 14400 (TCF had 4359 ones among 17241 zeros)
}
