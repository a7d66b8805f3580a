package analyze

import (
	"os"
	"testing"
)

// BenchmarkFile analyzes the 24 s golden recording (one channel, mu-law).
func BenchmarkFile(b *testing.B) {
	wav, err := os.ReadFile("testdata/spandsp-ftt.wav")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := File(wav); err != nil {
			b.Fatal(err)
		}
	}
}
