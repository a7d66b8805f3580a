//go:build !purego

package qam

import "testing"

// TestKernelsWithoutSSE3 runs TestKernels through the kernels' jumps to
// the Go versions, the path of a processor without SSE3.
func TestKernelsWithoutSSE3(t *testing.T) {
	defer func(v bool) { haveSSE3 = v }(haveSSE3)
	haveSSE3 = false
	TestKernels(t)
}
