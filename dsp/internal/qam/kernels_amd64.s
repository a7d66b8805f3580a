//go:build !purego

#include "textflag.h"

// SSE2 versions of the kernels in kernels.go, summing in the same order so
// that they give the same results. A complex value (re, im) is one XMM
// register, low lane re.

// signLo flips the sign of the low lane.
DATA signLo<>+0(SB)/8, $0x8000000000000000
DATA signLo<>+8(SB)/8, $0
GLOBL signLo<>(SB), RODATA|NOPTR, $16

// func dotRealSSE2(x []Complex, h []float64) (re, im float64)
// Four taps a step into X0-X3, then (X0+X1)+(X2+X3). Each part of x is
// loaded by itself, as the demodulator stored it: a 16-byte load of two
// values just stored one by one would wait for the stores (no
// store-to-load forwarding).
TEXT ·dotRealSSE2(SB), NOSPLIT, $0-64
	MOVQ x_base+0(FP), SI
	MOVQ x_len+8(FP), CX
	MOVQ h_base+24(FP), DI
	XORPD X0, X0
	XORPD X1, X1
	XORPD X2, X2
	XORPD X3, X3

dot4:
	CMPQ CX, $4
	JLT  dot1
	MOVSD 0(DI), X4
	MOVSD 8(DI), X5
	MOVSD 16(DI), X6
	MOVSD 24(DI), X7
	UNPCKLPD X4, X4    // h0 h0
	UNPCKLPD X5, X5
	UNPCKLPD X6, X6
	UNPCKLPD X7, X7
	MOVSD 0(SI), X8
	MOVHPD 8(SI), X8   // x0
	MOVSD 16(SI), X9
	MOVHPD 24(SI), X9
	MOVSD 32(SI), X10
	MOVHPD 40(SI), X10
	MOVSD 48(SI), X11
	MOVHPD 56(SI), X11
	MULPD X4, X8
	MULPD X5, X9
	MULPD X6, X10
	MULPD X7, X11
	ADDPD X8, X0
	ADDPD X9, X1
	ADDPD X10, X2
	ADDPD X11, X3
	ADDQ $64, SI
	ADDQ $32, DI
	SUBQ $4, CX
	JMP  dot4

dot1:
	TESTQ CX, CX
	JEQ   dotdone
	MOVSD 0(DI), X4
	UNPCKLPD X4, X4
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
	MOVSD X0, re+48(FP)
	UNPCKHPD X0, X0
	MOVSD X0, im+56(FP)
	RET

// MAC adds w·Re(x) to A and w·Im(x) to B, w in W (kept), x at memory
// operand M (real part) and M+8 (imaginary part): each part loaded by
// itself, as the receiver stored it, so that store-to-load forwarding
// works for the newest inputs. X and T are scratch registers.
#define MAC(W, M, X, T, A, B) \
	MOVSD M, X; \
	MOVSD 8+M, T; \
	UNPCKLPD X, X; \
	UNPCKLPD T, T; \
	MULPD W, X; \
	MULPD W, T; \
	ADDPD X, A; \
	ADDPD T, B

// STEP adds e·conj(u) to W, with E1 = (er, ei) and E2 = (ei, -er), u in U
// (lost), T a scratch register: W + (E1·Re(u) + E2·Im(u)).
#define STEP(W, U, T) \
	MOVAPD U, T; \
	UNPCKLPD U, U; \
	UNPCKHPD T, T; \
	MULPD X12, U; \
	MULPD X13, T; \
	ADDPD T, U; \
	ADDPD U, W

// FINISH leaves Σ w·x in A: A = A+A1, B = B+B1, then (Re A - Im B,
// Im A + Re B). Uses X14.
#define FINISH(A, B, A1, B1) \
	ADDPD A1, A; \
	ADDPD B1, B; \
	SHUFPD $1, B, B; \
	MOVUPD signLo<>(SB), X14; \
	XORPD X14, B; \
	ADDPD B, A

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

// func eqOutputSSE2(w, x []Complex) (re, im float64)
// Even taps into X0 (A) and X1 (B), odd taps into X2 and X3.
TEXT ·eqOutputSSE2(SB), NOSPLIT, $0-64
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	XORPD X0, X0
	XORPD X1, X1
	XORPD X2, X2
	XORPD X3, X3

out2:
	CMPQ CX, $2
	JLT  out1
	MOVUPD 0(DI), X4
	MOVUPD 16(DI), X5
	MAC(X4, 0(SI), X6, X8, X0, X1)
	MAC(X5, 16(SI), X7, X9, X2, X3)
	ADDQ $32, DI
	ADDQ $32, SI
	SUBQ $2, CX
	JMP  out2

out1:
	TESTQ CX, CX
	JEQ   outdone
	MOVUPD 0(DI), X4
	MAC(X4, 0(SI), X6, X8, X0, X1)

outdone:
	FINISH(X0, X1, X2, X3)
	MOVSD X0, re+48(FP)
	UNPCKHPD X0, X0
	MOVSD X0, im+56(FP)
	RET

// func eqAdaptSSE2(w, u []Complex, er, ei float64)
TEXT ·eqAdaptSSE2(SB), NOSPLIT, $0-64
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ u_base+24(FP), SI
	LOADE(er+48, ei+56)

adapt1:
	TESTQ CX, CX
	JEQ   adaptdone
	MOVUPD 0(DI), X4
	MOVUPD 0(SI), X6
	STEP(X4, X6, X8)
	MOVUPD X4, 0(DI)
	ADDQ $16, DI
	ADDQ $16, SI
	DECQ CX
	JMP  adapt1

adaptdone:
	RET

// func eqAdaptOutputSSE2(w, x, u []Complex, er, ei float64) (re, im float64)
TEXT ·eqAdaptOutputSSE2(SB), NOSPLIT, $0-104
	MOVQ w_base+0(FP), DI
	MOVQ w_len+8(FP), CX
	MOVQ x_base+24(FP), SI
	MOVQ u_base+48(FP), DX
	LOADE(er+72, ei+80)
	XORPD X0, X0
	XORPD X1, X1
	XORPD X2, X2
	XORPD X3, X3

ao2:
	CMPQ CX, $2
	JLT  ao1
	MOVUPD 0(DI), X4
	MOVUPD 16(DI), X5
	MOVUPD 0(DX), X6
	MOVUPD 16(DX), X7
	STEP(X4, X6, X8)
	STEP(X5, X7, X9)
	MOVUPD X4, 0(DI)
	MOVUPD X5, 16(DI)
	MAC(X4, 0(SI), X6, X8, X0, X1)
	MAC(X5, 16(SI), X7, X9, X2, X3)
	ADDQ $32, DI
	ADDQ $32, SI
	ADDQ $32, DX
	SUBQ $2, CX
	JMP  ao2

ao1:
	TESTQ CX, CX
	JEQ   aodone
	MOVUPD 0(DI), X4
	MOVUPD 0(DX), X6
	STEP(X4, X6, X8)
	MOVUPD X4, 0(DI)
	MAC(X4, 0(SI), X6, X8, X0, X1)

aodone:
	FINISH(X0, X1, X2, X3)
	MOVSD X0, re+88(FP)
	UNPCKHPD X0, X0
	MOVSD X0, im+96(FP)
	RET
