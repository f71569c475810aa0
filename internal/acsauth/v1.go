package acsauth

import (
	"crypto/sha1"
	"encoding/base64"
	"hash"
	"io"
	"slices"
)

// paramSignature is the V1 parameter that carries the signature; it is never
// part of the signed set.
const paramSignature = "Signature"

// CanonicalQueryV1 returns the V1 CanonicalizedQueryString of params: every
// parameter except Signature, sorted by name in byte order (repeated names
// are all kept, ordered by value), each written as
// PercentEncode(name)=PercentEncode(value) and joined with '&'. An empty
// value gives "name=". The caller's slice is not modified.
func CanonicalQueryV1(params []Param) string {
	sorted := toQParams(params)
	slices.SortFunc(sorted, cmpQParam)
	return string(appendCanonicalV1(make([]byte, 0, 16*len(sorted)), sorted))
}

// appendCanonicalV1 writes the canonical query of sorted (already in
// cmpQParam order), skipping any Signature parameter.
func appendCanonicalV1(dst []byte, sorted []qparam) []byte {
	first := true
	for _, p := range sorted {
		if p.key == paramSignature {
			continue
		}
		if !first {
			dst = append(dst, '&')
		}
		first = false
		dst = appendEnc(dst, p.key)
		dst = append(dst, '=')
		dst = appendQValue(dst, p)
	}
	return dst
}

// StringToSignV1 returns method + "&" + PercentEncode("/") + "&" +
// PercentEncode(canonicalQuery), the V1 string to sign.
func StringToSignV1(method, canonicalQuery string) string {
	return string(appendStringToSignV1(make([]byte, 0, len(method)+5+len(canonicalQuery)*5/4), method, canonicalQuery))
}

func appendStringToSignV1[S ~string | ~[]byte](dst []byte, method string, canonicalQuery S) []byte {
	dst = append(dst, method...)
	dst = append(dst, "&%2F&"...)
	return appendEnc(dst, canonicalQuery)
}

// SignatureV1 returns the V1 signature of stringToSign: the standard base64
// of HMAC-SHA1 keyed with secret + "&".
func SignatureV1(secret, stringToSign string) string {
	buf := make([]byte, hmacBlockSize, hmacBlockSize+len(stringToSign))
	buf = append(buf, stringToSign...)
	sum := hmacSHA1(secret, "&", buf)
	return base64.StdEncoding.EncodeToString(sum[:])
}

// hmacBlockSize is the block size of both SHA-1 and SHA-256.
const hmacBlockSize = 64

// hmacKeyBlock returns the HMAC key k1+k2 as one block: zero-padded, or
// first hashed with newHash when longer than a block (RFC 2104).
func hmacKeyBlock(k1, k2 string, newHash func() hash.Hash) (blk [hmacBlockSize]byte) {
	if len(k1)+len(k2) <= hmacBlockSize {
		copy(blk[copy(blk[:], k1):], k2)
		return blk
	}
	h := newHash()
	_, _ = io.WriteString(h, k1)
	_, _ = io.WriteString(h, k2)
	copy(blk[:], h.Sum(nil)) // not h.Sum(blk[:0]): that would move blk to the heap
	return blk
}

// hmacSHA1 computes HMAC-SHA1 with key k1+k2 over buf[hmacBlockSize:]. The
// first hmacBlockSize bytes of buf are scratch space that it overwrites; this
// lets it hash the inner block and the message in one sha1.Sum call without
// allocating (crypto/hmac allocates several objects per key).
func hmacSHA1(k1, k2 string, buf []byte) [sha1.Size]byte {
	blk := hmacKeyBlock(k1, k2, sha1.New)
	for i := range hmacBlockSize {
		buf[i] = blk[i] ^ 0x36
	}
	inner := sha1.Sum(buf)
	var outer [hmacBlockSize + sha1.Size]byte
	for i := range hmacBlockSize {
		outer[i] = blk[i] ^ 0x5c
	}
	copy(outer[hmacBlockSize:], inner[:])
	return sha1.Sum(outer[:])
}
