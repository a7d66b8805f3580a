//go:build !purego

#include "textflag.h"

// SSE3 versions of the kernels in kernels.go, summing in the same order so
// that they give the same results. A complex value (re, im) is one XMM
// register, low lane re. SSE3 for MOVDDUP: it loads a float64 into both
// lanes in one instruction, where SSE2 needs a load and a shuffle, and the
// shuffles were what bound these loops.

// signLo flips the sign of the low lane.
DATA signLo<>+0(SB)/8, $0x8000000000000000
DATA signLo<>+8(SB)/8, $0
GLOBL signLo<>(SB), RODATA|NOPTR, $16

// RESULT stores X0 as the results at offsets RE and IM.
#define RESULT(RE, IM) \
	MOVSD X0, RE(FP); \
	UNPCKHPD X0, X0; \
	MOVSD X0, IM(FP)

// DOT4STEP adds the four taps h in X4-X7 (each in both lanes) times the
// samples x in X8-X11 to the sums X0-X3, and moves on four taps.
#define DOT4STEP \
	MULPD X4, X8; \
	MULPD X5, X9; \
	MULPD X6, X10; \
	MULPD X7, X11; \
	ADDPD X8, X0; \
	ADDPD X9, X1; \
	ADDPD X10, X2; \
	ADDPD X11, X3; \
	ADDQ $64, SI; \
	ADDQ $32, DI; \
	SUBQ $4, CX

// func dotRealSSE3(x []Complex, h []float64) (re, im float64)
// Four taps a step into X0-X3, then (X0+X1)+(X2+X3). The loop is bound by
// loads, so it loads two taps and a whole complex sample at once, except
// for the first four samples: the newest, which the demodulator has just
// stored one part at a time, and a 16-byte load of parts just stored
// apart waits for the stores (no store-to-load forwarding), so their parts
// are loaded one by one.
TEXT ·dotRealSSE3(SB), NOSPLIT, $0-64
	CMPB ·haveSSE3(SB), $0
	JEQ  dotRealSSE3_go
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ h_base+24(FP), DI
	XORPD X0, X0
	XORPD X1, X1
	XORPD X2, X2
	XORPD X3, X3
	CMPQ CX, $4
	JLT  dot1
	MOVDDUP 0(DI), X4  // h0 h0
	MOVDDUP 8(DI), X5
	MOVDDUP 16(DI), X6
	MOVDDUP 24(DI), X7
	MOVSD 0(SI), X8
	MOVHPD 8(SI), X8   // x0
	MOVSD 16(SI), X9
	MOVHPD 24(SI), X9
	MOVSD 32(SI), X10
	MOVHPD 40(SI), X10
	MOVSD 48(SI), X11
	MOVHPD 56(SI), X11
	DOT4STEP

dot4:
	CMPQ CX, $4
	JLT  dot1
	MOVDDUP 0(DI), X4  // h0 h0
	MOVDDUP 8(DI), X5  // h1 h1
	MOVDDUP 16(DI), X6
	MOVDDUP 24(DI), X7
	MOVUPD 0(SI), X8
	MOVUPD 16(SI), X9
	MOVUPD 32(SI), X10
	MOVUPD 48(SI), X11
	DOT4STEP
	JMP  dot4

dot1:
	TESTQ CX, CX
	JEQ   dotdone
	MOVDDUP 0(DI), X4
	MOVSD 0(SI), X8
	MOVHPD 8(SI), X8
	MULPD X4, X8
	ADDPD X8, X0
	ADDQ $16, SI
	ADDQ $8, DI
	DECQ CX
	JMP  dot1

dotdone:
	ADDPD X1, X0
	ADDPD X3, X2
	ADDPD X2, X0
	RESULT(re+48, im+56)
	RET

dotRealSSE3_go: // no SSE3: the Go version, on the same arguments
	JMP ·dotRealGo(SB)

// MAC adds w·Re(x) to A and w·Im(x) to B, w in W (kept), x at memory
// operand M (real part) and M+8 (imaginary part): each part loaded by
// itself, as the receiver stored it, so that store-to-load forwarding
// works for the newest inputs. X and T are scratch registers.
#define MAC(W, M, X, T, A, B) \
	MOVDDUP M, X; \
	MOVDDUP 8+M, T; \
	MULPD W, X; \
	MULPD W, T; \
	ADDPD X, A; \
	ADDPD T, B

// STEP adds e·conj(u) to W, with X12 = (er, ei) and X13 = (ei, -er), u at
// memory operand M and M+8: W + (X12·Re(u) + X13·Im(u)). U and T are
// scratch registers.
#define STEP(W, M, U, T) \
	MOVDDUP M, U; \
	MOVDDUP 8+M, T; \
	MULPD X12, U; \
	MULPD X13, T; \
	ADDPD T, U; \
	ADDPD U, W

// FINISH leaves Σ w·x in X0 from the sums A in X0-X3 and B in X4-X7:
// A = (X0+X1)+(X2+X3), B likewise, then (Re A - Im B, Im A + Re B).
#define FINISH \
	ADDPD X1, X0; \
	ADDPD X3, X2; \
	ADDPD X2, X0; \
	ADDPD X5, X4; \
	ADDPD X7, X6; \
	ADDPD X6, X4; \
	SHUFPD $1, X4, X4; \
	MOVUPD signLo<>(SB), X14; \
	XORPD X14, X4; \
	ADDPD X4, X0

// LOADE sets X12 = (er, ei) and X13 = (ei, -er) from the arguments at
// offsets ER and EI.
#define LOADE(ER, EI) \
	MOVSD ER(FP), X12; \
	MOVSD EI(FP), X13; \
	MOVAPD X12, X14; \
	MOVUPD signLo<>(SB), X11; \
	XORPD X11, X14; \
	UNPCKLPD X13, X12; \
	UNPCKLPD X14, X13

#define ZERO8 \
	XORPD X0, X0; \
	XORPD X1, X1; \
	XORPD X2, X2; \
	XORPD X3, X3; \
	XORPD X4, X4; \
	XORPD X5, X5; \
	XORPD X6, X6; \
	XORPD X7, X7

// func eqOutputSSE3(w, x []Complex) (re, im float64)
// Tap k into A and B sums X(k mod 4) and X(4 + k mod 4); the tail into
// X0 and X4.
TEXT ·eqOutputSSE3(SB), NOSPLIT, $0-64
	CMPB ·haveSSE3(SB), $0
	JEQ  eqOutputSSE3_go
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	ZERO8

out4:
	CMPQ CX, $4
	JLT  out1
	MOVUPD 0(DI), X8
	MAC(X8, 0(SI), X9, X10, X0, X4)
	MOVUPD 16(DI), X8
	MAC(X8, 16(SI), X9, X10, X1, X5)
	MOVUPD 32(DI), X8
	MAC(X8, 32(SI), X9, X10, X2, X6)
	MOVUPD 48(DI), X8
	MAC(X8, 48(SI), X9, X10, X3, X7)
	ADDQ $64, DI
	ADDQ $64, SI
	SUBQ $4, CX
	JMP  out4

out1:
	TESTQ CX, CX
	JEQ   outdone
	MOVUPD 0(DI), X8
	MAC(X8, 0(SI), X9, X10, X0, X4)
	ADDQ $16, DI
	ADDQ $16, SI
	DECQ CX
	JMP  out1

outdone:
	FINISH
	RESULT(re+48, im+56)
	RET

eqOutputSSE3_go: // no SSE3: the Go version, on the same arguments
	JMP ·eqOutputGo(SB)

// func eqAdaptSSE3(w, u []Complex, er, ei float64)
TEXT ·eqAdaptSSE3(SB), NOSPLIT, $0-64
	CMPB ·haveSSE3(SB), $0
	JEQ  eqAdaptSSE3_go
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ u_base+24(FP), SI
	LOADE(er+48, ei+56)

adapt1:
	TESTQ CX, CX
	JEQ   adaptdone
	MOVUPD 0(DI), X4
	STEP(X4, 0(SI), X6, X8)
	MOVUPD X4, 0(DI)
	ADDQ $16, DI
	ADDQ $16, SI
	DECQ CX
	JMP  adapt1

adaptdone:
	RET

eqAdaptSSE3_go: // no SSE3: the Go version, on the same arguments
	JMP ·eqAdaptGo(SB)

// ADAPTMAC steps the tap at OFF(DI) by u at OFF(DX), stores it, and adds
// it times x at OFF(SI) to sums A and B.
#define ADAPTMAC(OFF, A, B) \
	MOVUPD OFF(DI), X8; \
	STEP(X8, OFF(DX), X9, X10); \
	MOVUPD X8, OFF(DI); \
	MAC(X8, OFF(SI), X9, X10, A, B)

// func eqAdaptOutputSSE3(w, x, u []Complex, er, ei float64) (re, im float64)
TEXT ·eqAdaptOutputSSE3(SB), NOSPLIT, $0-104
	CMPB ·haveSSE3(SB), $0
	JEQ  eqAdaptOutputSSE3_go
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ u_base+48(FP), DX
	LOADE(er+72, ei+80)
	ZERO8

ao4:
	CMPQ CX, $4
	JLT  ao1
	ADAPTMAC(0, X0, X4)
	ADAPTMAC(16, X1, X5)
	ADAPTMAC(32, X2, X6)
	ADAPTMAC(48, X3, X7)
	ADDQ $64, DI
	ADDQ $64, SI
	ADDQ $64, DX
	SUBQ $4, CX
	JMP  ao4

ao1:
	TESTQ CX, CX
	JEQ   aodone
	ADAPTMAC(0, X0, X4)
	ADDQ $16, DI
	ADDQ $16, SI
	ADDQ $16, DX
	DECQ CX
	JMP  ao1

aodone:
	FINISH
	RESULT(re+88, im+96)
	RET

eqAdaptOutputSSE3_go: // no SSE3: the Go version, on the same arguments
	JMP ·eqAdaptOutputGo(SB)
