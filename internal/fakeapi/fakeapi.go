// Package fakeapi writes the parts of the Live API's answers that the fake
// servers (livetest and livetest/httpmockmatch) both send: the error
// document and request ids, so that the two fakes answer alike.
package fakeapi

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/url"
	"strings"
)

// HostID is the HostId of the fakes' error documents.
const HostID = "live.aliyuncs.com"

// ErrorBody encodes the service's error document (RequestId, HostId, Code,
// Message, Recommend) as the service sends it.
func ErrorBody(requestID, code, message string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(struct {
		RequestID string `json:"RequestId"`
		HostID    string `json:"HostId"`
		Code      string `json:"Code"`
		Message   string `json:"Message"`
		Recommend string `json:"Recommend"`
	}{
		RequestID: requestID,
		HostID:    HostID,
		Code:      code,
		Message:   message,
		Recommend: "https://api.aliyun.com/troubleshoot?q=" + url.QueryEscape(code) + "&product=live&requestId=" + requestID,
	})
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
}

// NewRequestID returns a fresh request id in the service's form,
// 8-4-4-4-12 upper-case hex digits.
func NewRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	var h [32]byte
	hex.Encode(h[:], b[:])
	id := strings.ToUpper(string(h[:]))
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}
