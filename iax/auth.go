package iax

import (
	"crypto/hmac"
	"crypto/md5"
	"crypto/rand"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// md5Response is the MD5_RESULT for a challenge: the lower-case hex MD5 of
// the challenge followed by the secret (RFC 5456 section 8.6.15; checked
// against Asterisk in the reference transcripts).
func md5Response(challenge, secret string) string {
	sum := md5.Sum([]byte(challenge + secret))
	return hex.EncodeToString(sum[:])
}

// newChallenge returns a 9-digit decimal challenge, as Asterisk sends.
func newChallenge() string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return strconv.Itoa(100000000 + int(binary.BigEndian.Uint32(b[:])%900000000))
}

// verifyAuth checks an AUTHREP/REGREQ's answer to challenge against secret,
// accepting the methods in allowed.
func verifyAuth(ies IEs, challenge, secret string, allowed AuthMethod) bool {
	if allowed&AuthMD5 != 0 {
		if got, ok := ies.Get(IEMD5Result); ok {
			want := md5Response(challenge, secret)
			return subtle.ConstantTimeCompare([]byte(strings.ToLower(string(got))), []byte(want)) == 1
		}
	}
	if allowed&AuthPlaintext != 0 {
		if got, ok := ies.Get(IEPassword); ok {
			return subtle.ConstantTimeCompare(got, []byte(secret)) == 1
		}
	}
	return false
}

// answerAuth adds to ies the answer to an AUTHREQ/REGAUTH: MD5 when the
// far end offers it, plaintext only when it offers nothing else and the
// local policy allows it.
func answerAuth(ies *IEs, req IEs, secret string, allowPlaintext bool) error {
	m, _ := req.Uint(IEAuthMethods)
	methods := AuthMethod(m)
	switch {
	case methods&AuthMD5 != 0:
		ies.AddString(IEMD5Result, md5Response(req.String(IEChallenge), secret))
	case methods&AuthPlaintext != 0 && allowPlaintext:
		ies.AddString(IEPassword, secret)
	default:
		return fmt.Errorf("iax: no usable authentication method in %#x", methods)
	}
	return nil
}

// tokenMaxAge is how long a call token stays valid; Asterisk uses 10 s.
const tokenMaxAge = 10 * time.Second

// tokenIssuer makes and checks CALLTOKENs: "unixtime?hmac(addr, time)", so
// that a token proves the requester receives datagrams at its address
// without the endpoint keeping state per requester.
type tokenIssuer struct{ key [20]byte }

func newTokenIssuer() *tokenIssuer {
	var t tokenIssuer
	_, _ = rand.Read(t.key[:])
	return &t
}

func (ti *tokenIssuer) mac(addr netip.AddrPort, ts string) string {
	h := hmac.New(sha1.New, ti.key[:])
	h.Write([]byte(addr.String()))
	h.Write([]byte{0})
	h.Write([]byte(ts))
	return hex.EncodeToString(h.Sum(nil))
}

func (ti *tokenIssuer) issue(addr netip.AddrPort, now time.Time) string {
	ts := strconv.FormatInt(now.Unix(), 10)
	return ts + "?" + ti.mac(addr, ts)
}

func (ti *tokenIssuer) valid(addr netip.AddrPort, token string, now time.Time) bool {
	ts, mac, ok := strings.Cut(token, "?")
	if !ok {
		return false
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return false
	}
	age := now.Sub(time.Unix(sec, 0))
	if age < -time.Second || age > tokenMaxAge {
		return false
	}
	return hmac.Equal([]byte(mac), []byte(ti.mac(addr, ts)))
}
