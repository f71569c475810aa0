package livempu_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/internal/acsauth"
	"github.com/livempu/livempu-go/internal/servicejson"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// The fuzz targets of the root package. CI runs each for a few seconds on
// top of its seeds (the f.Add calls and testdata/fuzz/<target>); a crasher
// found once is committed under testdata/fuzz/<target> as a regression case.
//
// Intended leniencies of the hand-written decoder, which the targets allow:
//   - encoding/json.Valid is the reference for syntax: a document it rejects
//     is rejected by every decoder here, except ParseMPUEvent's documented
//     second unescaping of a callback body that arrives escaped twice
//     ({\"EventType\":1}), which is accepted when it is a valid JSON
//     string's content holding a valid document;
//   - the decoder rejects some documents json.Valid accepts: nesting deeper
//     than 64 levels, and values of the wrong kind for a field.

// fuzzSeedData returns realistic pages in both encodings (the service's
// quoted wire form and json.Marshal's typed form).
func fuzzSeedData() (tasks [][]byte, records [][]byte, events []string) {
	now := time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC)
	ts, rs := livetest.Generate(3, 4, 7, now)
	tp := &livempu.ListRtcMPUTaskDetailResponse{RequestID: "R-1", MPUTasks: ts}
	rp := &livempu.ListRtcMPUEventSubRecordResponse{RequestID: "R-2", Count: len(rs), HasMore: true, Logs: rs}
	tj, _ := json.Marshal(tp)
	rj, _ := json.Marshal(rp)
	tasks = [][]byte{servicejson.Append(nil, tp), tj}
	records = [][]byte{servicejson.Append(nil, rp), rj}
	for _, r := range rs[:2] {
		events = append(events, r.Data)
	}
	return tasks, records, events
}

// commonJSONSeeds are documents that probe the scanner: malformed syntax,
// escapes, odd scalars, deep nesting, trailing data.
var commonJSONSeeds = []string{
	``, ` `, `null`, `{}`, `[]`, `"x"`, `1`, `{`, `}`, `{"RequestId"`, `{"RequestId":}`,
	`{"RequestId":"a",}`, `{"RequestId":"a"}x`, `{"RequestId":"a"} `, `{"RequestId":"\u00e9\ud83d\ude00\ud800"}`,
	"{\"RequestId\":\"\xff\xfe\"}", `{"RequestId":"\x"}`, `{"RequestId":1e400}`, `{"RequestId":-0}`,
	`{"a":` + strings.Repeat(`[`, 70) + strings.Repeat(`]`, 70) + `}`,
	`{"a":{"b":[1,2,{"c":null}]},"RequestId":"r"}`, `{"RequestId":"r","RequestId":"s"}`,
	`{"RequestId":01}`, `{"RequestId":1.}`, `{"RequestId":.5}`, `{"RequestId":tru}`, `{"RequestId":nul}`,
	"{\"RequestId\":\"a\tb\"}", `{"\u0052equestId":"r"}`,
}

// watchdog crashes the fuzz worker, naming the input, when one input takes
// longer than a few seconds: the fuzzer itself reports a hung worker only
// as a stall, and go test -fuzz would then pass.
func watchdog(input any) (stop func()) {
	timer := time.AfterFunc(5*time.Second, func() {
		panic(fmt.Sprintf("fuzz input still running after 5s: %#v", input))
	})
	return func() { timer.Stop() }
}

// fuzzDecodePage is the body of the two response-decoding targets.
func fuzzDecodePage[T any, P interface {
	*T
	json.Unmarshaler
}](t *testing.T, data []byte, strs func(*T) map[string]string) {
	defer watchdog(data)()
	// Through encoding/json, the public path.
	var viaJSON T
	jsonErr := json.Unmarshal(data, P(&viaJSON))
	// The hand-written decoder alone (encoding/json checks the syntax
	// before it calls UnmarshalJSON; the client does not).
	var direct T
	directErr := P(&direct).UnmarshalJSON(data)
	valid := json.Valid(data)
	if !valid && directErr == nil {
		t.Fatalf("the decoder accepts %q, which encoding/json.Valid rejects", data)
	}
	if valid && (jsonErr == nil) != (directErr == nil) {
		t.Fatalf("%q: json.Unmarshal error %v, UnmarshalJSON error %v", data, jsonErr, directErr)
	}
	if directErr != nil {
		return
	}
	if !cmp.Equal(viaJSON, direct) {
		t.Fatalf("%q: json.Unmarshal and UnmarshalJSON disagree:\n%s", data, cmp.Diff(viaJSON, direct))
	}
	// Strings decode as encoding/json decodes them.
	for path, want := range referenceStrings(data) {
		if got, ok := strs(&direct)[path]; ok && got != want {
			t.Fatalf("%q: %s decoded as %q, encoding/json says %q", data, path, got, want)
		}
	}

	// Typed form: decode → json.Marshal → decode gives an equal value.
	typed, err := json.Marshal(P(&direct))
	if err != nil {
		t.Fatalf("json.Marshal of a decoded page: %v", err)
	}
	if !json.Valid(typed) {
		t.Fatalf("json.Marshal gives invalid JSON %q", typed)
	}
	var back T
	if err := json.Unmarshal(typed, P(&back)); err != nil {
		t.Fatalf("decoding json.Marshal's output %q (from %q): %v", typed, data, err)
	}
	if !cmp.Equal(direct, back) {
		t.Fatalf("typed round trip of %q changes the value (-decoded +round-tripped):\n%s", data, cmp.Diff(direct, back))
	}

	// Wire form: servicejson.Append → decode gives an equal value.
	wireForm := servicejson.Append(nil, P(&direct))
	if !json.Valid(wireForm) {
		t.Fatalf("servicejson.Append gives invalid JSON %q", wireForm)
	}
	var fromWire T
	if err := json.Unmarshal(wireForm, P(&fromWire)); err != nil {
		t.Fatalf("decoding servicejson.Append's output %q (from %q): %v", wireForm, data, err)
	}
	if !cmp.Equal(direct, fromWire) {
		t.Fatalf("wire round trip of %q changes the value (-decoded +round-tripped):\n%s", data, cmp.Diff(direct, fromWire))
	}
}

// referenceStrings decodes, with encoding/json, the string values of the
// members RequestId and Logs[i].Data, keyed "RequestId" and "Logs.i.Data".
// It returns nothing for a document with \u escapes: one in a member name
// could spell a key that encoding/json matches and the decoder, which
// compares names as written, does not.
func referenceStrings(data []byte) map[string]string {
	out := map[string]string{}
	if bytes.Contains(data, []byte(`\u`)) {
		return out
	}
	var doc map[string]json.RawMessage
	if json.Unmarshal(data, &doc) != nil {
		return out
	}
	str := func(raw json.RawMessage, key string) {
		var s string
		if len(raw) > 0 && raw[0] == '"' && json.Unmarshal(raw, &s) == nil {
			out[key] = s
		}
	}
	str(doc["RequestId"], "RequestId")
	var logs []map[string]json.RawMessage
	if json.Unmarshal(doc["Logs"], &logs) == nil {
		for i, l := range logs {
			str(l["Data"], "Logs."+strconv.Itoa(i)+".Data")
		}
	}
	return out
}

func taskStrings(r *livempu.ListRtcMPUTaskDetailResponse) map[string]string {
	return map[string]string{"RequestId": r.RequestID}
}

func recordStrings(r *livempu.ListRtcMPUEventSubRecordResponse) map[string]string {
	m := map[string]string{"RequestId": r.RequestID}
	for i, l := range r.Logs {
		m["Logs."+strconv.Itoa(i)+".Data"] = l.Data
	}
	return m
}

func FuzzDecodeTaskPage(f *testing.F) {
	tasks, _, _ := fuzzSeedData()
	for _, b := range tasks {
		f.Add(b)
	}
	for _, s := range commonJSONSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"MPUTasks":null}`, `{"MPUTasks":[]}`, `{"MPUTasks":[null]}`, `{"MPUTasks":{}}`, `{"MPUTasks":"x"}`,
		`{"MPUTasks":[{"MixMode":"1.0","MaxIdleTime":"9223372036854775807","Region":"cn-SHANGHAI"}]}`,
		`{"MPUTasks":[{"MaxIdleTime":9223372037,"MultiStreamURL":[{"URL":"u","IsAliCdn":"TRUE"}]}]}`,
		`{"MPUTasks":[{"TranscodeParams":{"EncodeParams":{"EnhancedParam":{"profile":"high","preset":1}}}}]}`,
		`{"MPUTasks":[{"TranscodeParams":{"EncodeParams":{"EnhancedParam":"{\"profile\":\"main\"}","VideoBitrate":"1e3"}}}]}`,
		`{"MPUTasks":[{"TranscodeParams":{"Layout":{"UserPanes":[{"X":"0.5","Y":1e-320,"Height":-0,"Width":"1.7976931348623157e308"}]}}}]}`,
		`{"MPUTasks":[{"SeiParams":{"LayoutVolume":{"FollowIdr":"1","Interval":"-9223372036854"},"PassThrough":{"Interval":9223372036855}}}]}`,
		`{"MPUTasks":[{"SingleSubParams":{"SourceType":"shareScreen","StreamType":"2","UserId":123}}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecodePage(t, data, taskStrings) })
}

func FuzzDecodeRecordPage(f *testing.F) {
	_, records, _ := fuzzSeedData()
	for _, b := range records {
		f.Add(b)
	}
	for _, s := range commonJSONSeeds {
		f.Add([]byte(s))
	}
	for _, s := range []string{
		`{"Count":"3","HasMore":"true","Logs":null}`, `{"Logs":[{}]}`, `{"Logs":[1]}`,
		`{"Logs":[{"Time":"2024-04-09T10:00:00Z","Cost":"12","HTTPCode":"200"}]}`,
		`{"Logs":[{"Time":"2024-04-09T10:00:00.123456789+08:00"}]}`,
		`{"Logs":[{"Time":"2024-04-09T10:00:00"}]}`,
		`{"Logs":[{"Time":1712656800123}]}`, `{"Logs":[{"Time":"1712656800123"}]}`,
		`{"Logs":[{"Time":253402300800000}]}`, `{"Logs":[{"Time":-62135596800001}]}`,
		`{"Logs":[{"Time":"0000-01-01T00:00:00+01:00"}]}`, `{"Logs":[{"Time":"9999-12-31T23:59:59-01:00"}]}`,
		`{"Logs":[{"Cost":9223372036854775807}]}`, `{"Logs":[{"Cost":"9223372036854"}]}`,
		`{"Logs":[{"Data":"{\"EventType\":1}","HTTPCode":"5e2"}]}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { fuzzDecodePage(t, data, recordStrings) })
}

func FuzzParseMPUEvent(f *testing.F) {
	_, _, events := fuzzSeedData()
	for _, s := range events {
		f.Add(s)
		// The documentation's sample is escaped twice.
		q, _ := json.Marshal(s)
		f.Add(string(q[1 : len(q)-1]))
	}
	for _, s := range commonJSONSeeds {
		f.Add(s)
	}
	for _, s := range []string{
		`{"EventType":"1","CallbackTs":"1712656800123","Payload":{"EventTs":1712656800000,"EventCode":"3","ErrorCode":"0"}}`,
		`{\"EventType\":1,\"Payload\":{\"ErrorMessage\":\"a\\\"b\"}}`, `{\"EventType\":1`, `\"x\"`, `{\u0022EventType\u0022:1}`,
		`{"CallbackTs":9223372036854775807}`, `{"CallbackTs":-1}`, `{"Payload":null}`, `{"Payload":[]}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data string) {
		defer watchdog(data)()
		ev, err := livempu.ParseMPUEvent(data)
		if err != nil {
			if !errors.Is(err, livempu.ErrMalformedEvent) {
				t.Fatalf("ParseMPUEvent(%q) error %v does not match ErrMalformedEvent", data, err)
			}
			return
		}
		if !json.Valid([]byte(data)) {
			// The one intended leniency: a document escaped twice.
			var inner string
			if json.Unmarshal([]byte(`"`+data+`"`), &inner) != nil || !json.Valid([]byte(inner)) {
				t.Fatalf("ParseMPUEvent accepts %q, which is neither valid JSON nor a valid document escaped twice", data)
			}
		}
		var direct livempu.MPUEvent
		if json.Valid([]byte(data)) {
			if err := direct.UnmarshalJSON([]byte(data)); err == nil && !cmp.Equal(ev, direct) {
				t.Fatalf("%q: ParseMPUEvent and UnmarshalJSON disagree:\n%s", data, cmp.Diff(ev, direct))
			}
		}
		b, err := json.Marshal(ev)
		if err != nil || !json.Valid(b) {
			t.Fatalf("json.Marshal of a parsed event: %q, %v", b, err)
		}
		back, err := livempu.ParseMPUEvent(string(b))
		if err != nil {
			t.Fatalf("parsing json.Marshal's output %q (from %q): %v", b, data, err)
		}
		if !cmp.Equal(ev, back) {
			t.Fatalf("round trip of %q changes the event (-parsed +round-tripped):\n%s", data, cmp.Diff(ev, back))
		}
	})
}

// recordingServer answers every request with an empty page and keeps the
// last request's decoded query, checking its signature.
type recordingServer struct {
	srv  *httptest.Server
	mu   sync.Mutex
	hits int
	last url.Values
	err  error
}

const fuzzKeyID, fuzzSecret = "LTAI5tFuzzRequestKey", "fuzz-request-secret"

func newRecordingServer(tb testing.TB) *recordingServer {
	rs := &recordingServer{}
	rs.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, verr := acsauth.Verify(r, nil, func(id string) (string, bool) { return fuzzSecret, id == fuzzKeyID })
		rs.mu.Lock()
		rs.hits++
		rs.last, rs.err = url.ParseQuery(r.URL.RawQuery)
		if rs.err == nil {
			rs.err = verr
		}
		rs.mu.Unlock()
		body := `{"RequestId":"r","MPUTasks":[]}`
		if r.Header.Get("x-acs-action") == livempu.ActionListRtcMPUEventSubRecord || r.URL.Query().Get("Action") == livempu.ActionListRtcMPUEventSubRecord {
			body = `{"RequestId":"r","Count":0,"HasMore":false,"Logs":[]}`
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	tb.Cleanup(rs.srv.Close)
	return rs
}

// take returns and resets what the server saw since the last call.
func (rs *recordingServer) take() (int, url.Values, error) {
	rs.mu.Lock()
	defer rs.mu.Unlock()
	hits, last, err := rs.hits, rs.last, rs.err
	rs.hits, rs.last, rs.err = 0, nil, nil
	return hits, last, err
}

// fuzzTime builds a time in an arbitrary zone; sec == 0 gives the zero time.
func fuzzTime(sec int64, nsec int32, zoneMin int16) time.Time {
	if sec == 0 {
		return time.Time{}
	}
	return time.Unix(sec, int64(nsec)).In(time.FixedZone("fuzz", int(zoneMin)*60))
}

// FuzzRequest builds requests of either operation from arbitrary field
// values: each is either rejected by Validate with a *ValidationError (and
// the client sends nothing), or sent with every field correctly encoded, as
// a server decoding the query sees it.
func FuzzRequest(f *testing.F) {
	start := time.Date(2024, 4, 9, 9, 0, 0, 0, time.UTC).Unix()
	f.Add(false, false, "app-1", "", 10, 1, int64(0), int32(0), int64(0), int32(0), int16(0))
	f.Add(true, true, "app-1", "Sub-1", 100, 1, start, int32(0), start+3600, int32(0), int16(0))
	f.Add(true, false, "app_1-X", "sub with spaces/and*stars~+&=%", 1, 7, start, int32(999999999), start, int32(1), int16(480))
	f.Add(true, true, "app", "直播-é😀\u0085", 50, 2, start, int32(0), start+1, int32(0), int16(-720))
	f.Add(false, true, "app", "task_1", 0, 0, int64(0), int32(0), int64(0), int32(0), int16(0))
	f.Add(false, false, strings.Repeat("a", 65), "", 101, -1, int64(0), int32(0), int64(0), int32(0), int16(0))
	f.Add(true, false, "app", "a\x00b", 1, 1, start, int32(0), start, int32(0), int16(0))
	f.Add(true, false, "app", "\xff\xfe", 1, 1, start, int32(0), start, int32(0), int16(0))
	f.Add(true, false, "app", "", 1, 1, int64(-1), int32(0), start, int32(0), int16(0))                                // 1969
	f.Add(true, false, "app", "", 1, 1, int64(1800), int32(0), int64(1800), int32(0), int16(60))                       // 1970 both locally and in UTC
	f.Add(true, false, "app", "", 1, 1, int64(-1800), int32(0), int64(-1800), int32(0), int16(60))                     // 1970 locally, 1969 in UTC
	f.Add(true, false, "app", "", 1, 1, int64(253402300799), int32(0), int64(253402300799), int32(0), int16(0))        // 9999-12-31T23:59:59Z
	f.Add(true, false, "app", "", 1, 1, int64(253402300799), int32(0), int64(253402300800+1800), int32(0), int16(-60)) // 9999 locally, 10000 in UTC
	f.Add(true, false, "app", "", 1, 1, start+10, int32(0), start, int32(999999999), int16(0))                         // start after end
	f.Add(true, false, "app", "", 1, 1, start, int32(500000000), start, int32(100000000), int16(0))                    // same second
	f.Add(false, false, "app", strings.Repeat("t", 56), 1, 1, int64(0), int32(0), int64(0), int32(0), int16(0))        // TaskID too long
	f.Add(false, true, "app", "", 9223372036854775807, -9223372036854775808, int64(0), int32(0), int64(0), int32(0), int16(0))

	rs := newRecordingServer(f)
	clients := map[signer.Version]*livempu.Client{}
	for _, v := range []signer.Version{signer.V3, signer.V1} {
		c, err := livempu.NewClient(livempu.WithEndpoint(rs.srv.URL), livempu.WithStaticCredentials(fuzzKeyID, fuzzSecret, ""),
			livempu.WithSignatureVersion(v), livempu.WithMaxRetries(0),
			livempu.WithRateLimiter(livempu.ActionListRtcMPUTaskDetail, nil),
			livempu.WithRateLimiter(livempu.ActionListRtcMPUEventSubRecord, nil))
		if err != nil {
			f.Fatal(err)
		}
		clients[v] = c
	}

	f.Fuzz(func(t *testing.T, records, v1 bool, appID, id string, pageSize, pageNo int, startSec int64, startNsec int32, endSec int64, endNsec int32, zoneMin int16) {
		defer watchdog([]any{records, v1, appID, id, pageSize, pageNo, startSec, startNsec, endSec, endNsec, zoneMin})()
		if len(appID)+len(id) > 2048 {
			t.Skip() // beyond any server's URL limit; not what this target is about
		}
		ver := signer.V3
		if v1 {
			ver = signer.V1
		}
		c := clients[ver]
		ctx := context.Background()
		_, _, _ = rs.take() // forget what an earlier, failed input left
		want := map[string]string{"AppId": appID}
		addInt := func(k string, n int) {
			if n != 0 {
				want[k] = strconv.Itoa(n)
			}
		}
		addInt("PageNo", pageNo)
		addInt("PageSize", pageSize)
		var validateErr, callErr error
		if records {
			req := &livempu.ListRtcMPUEventSubRecordRequest{AppID: appID, SubID: id, PageSize: pageSize, PageNo: pageNo,
				StartTime: fuzzTime(startSec, startNsec, zoneMin), EndTime: fuzzTime(endSec, endNsec, zoneMin)}
			orig := *req
			validateErr = req.Validate()
			_, callErr = c.ListRtcMPUEventSubRecord(ctx, req)
			if !cmp.Equal(orig, *req) {
				t.Fatalf("the call modified the request")
			}
			if id != "" {
				want["SubId"] = id
			}
			if validateErr == nil {
				want["StartTime"] = checkSentTime(t, "StartTime", req.StartTime)
				want["EndTime"] = checkSentTime(t, "EndTime", req.EndTime)
			}
		} else {
			req := &livempu.ListRtcMPUTaskDetailRequest{AppID: appID, TaskID: id, PageSize: pageSize, PageNo: pageNo}
			validateErr = req.Validate()
			_, callErr = c.ListRtcMPUTaskDetail(ctx, req)
			if id != "" {
				want["TaskId"] = id
			}
		}
		hits, got, serverErr := rs.take()

		if validateErr != nil {
			var ve *livempu.ValidationError
			if !errors.As(validateErr, &ve) || !errors.Is(validateErr, livempu.ErrInvalidRequest) {
				t.Fatalf("Validate error %T %v is not a *ValidationError matching ErrInvalidRequest", validateErr, validateErr)
			}
			if callErr == nil || callErr.Error() != validateErr.Error() {
				t.Fatalf("Validate says %v but the call returned %v", validateErr, callErr)
			}
			if hits != 0 {
				t.Fatalf("a rejected request (%v) was sent %d times", validateErr, hits)
			}
			return
		}
		if callErr != nil {
			t.Fatalf("a valid request failed: %v", callErr)
		}
		if hits != 1 {
			t.Fatalf("a valid request was sent %d times", hits)
		}
		if serverErr != nil {
			t.Fatalf("the server could not read or verify the request: %v", serverErr)
		}
		// The operation's parameters, without V1's common ones.
		for k := range got {
			switch k {
			case "AccessKeyId", "Action", "Format", "SecurityToken", "Signature", "SignatureMethod", "SignatureNonce",
				"SignatureType", "SignatureVersion", "Timestamp", "Version", "RegionId":
				if ver == signer.V1 {
					delete(got, k)
				}
			}
		}
		for k, w := range want {
			if vs := got[k]; len(vs) != 1 || vs[0] != w {
				t.Errorf("%s sent as %q, want %q", k, vs, w)
			}
		}
		if len(got) != len(want) {
			t.Errorf("sent parameters %v, want exactly %v", got, want)
		}
	})
}

// checkSentTime returns how t must appear on the wire: UTC, second
// precision, the service's four-digit-year layout; it fails the test if t
// cannot be written so, which Validate should have caught.
func checkSentTime(t *testing.T, field string, tm time.Time) string {
	t.Helper()
	const layout = "2006-01-02T15:04:05Z"
	s := tm.UTC().Format(layout)
	back, err := time.Parse(layout, s)
	if err != nil || !back.Equal(tm.Truncate(time.Second)) || len(s) != len(layout) {
		t.Fatalf("Validate accepted %s %v, which cannot be sent in the service's format (%q)", field, tm, s)
	}
	return s
}
