package livempu_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// The response types are encoded and decoded by hand-written codecs
// (*_json.go) that do not read the struct tags; the tags still document the
// API's field names and give them to any tool that reads tags. These
// defined types drop the codecs, so encoding/json encodes the tags' names.
type (
	plainTaskPage        livempu.ListRtcMPUTaskDetailResponse
	plainRecordPage      livempu.ListRtcMPUEventSubRecordResponse
	plainTask            livempu.MPUTask
	plainRelayURL        livempu.RelayURL
	plainSingleSubParams livempu.SingleSubParams
	plainTranscode       livempu.TranscodeParams
	plainBackground      livempu.Background
	plainEncodeParams    livempu.EncodeParams
	plainLayout          livempu.Layout
	plainUserPane        livempu.UserPane
	plainUserInfo        livempu.UserInfo
	plainSEIParams       livempu.SEIParams
	plainSEISettings     livempu.SEISettings
	plainSEIPassThrough  livempu.SEIPassThrough
	plainRecord          livempu.EventSubRecord
	plainEvent           livempu.MPUEvent
	plainPayload         livempu.EventPayload
)

// tagCase is one type whose struct tags and codec must agree.
type tagCase struct {
	name  string
	value any // a pointer to a value with every field set
	plain any // the same value as its plain type
	fresh func() json.Unmarshaler
}

// TestStructTagsMatchCodecs fails when a struct tag and the hand-written
// codec of its type name a field differently: encoding writes exactly the
// tags' names, and decoding a document with one tag's name sets the field.
func TestStructTagsMatchCodecs(t *testing.T) {
	cases := []tagCase{
		tc[livempu.ListRtcMPUTaskDetailResponse, plainTaskPage]("ListRtcMPUTaskDetailResponse"),
		tc[livempu.ListRtcMPUEventSubRecordResponse, plainRecordPage]("ListRtcMPUEventSubRecordResponse"),
		tc[livempu.MPUTask, plainTask]("MPUTask"),
		tc[livempu.RelayURL, plainRelayURL]("RelayURL"),
		tc[livempu.SingleSubParams, plainSingleSubParams]("SingleSubParams"),
		tc[livempu.TranscodeParams, plainTranscode]("TranscodeParams"),
		tc[livempu.Background, plainBackground]("Background"),
		tc[livempu.EncodeParams, plainEncodeParams]("EncodeParams"),
		tc[livempu.Layout, plainLayout]("Layout"),
		tc[livempu.UserPane, plainUserPane]("UserPane"),
		tc[livempu.UserInfo, plainUserInfo]("UserInfo"),
		tc[livempu.SEIParams, plainSEIParams]("SEIParams"),
		tc[livempu.SEISettings, plainSEISettings]("SEISettings"),
		tc[livempu.SEIPassThrough, plainSEIPassThrough]("SEIPassThrough"),
		tc[livempu.EventSubRecord, plainRecord]("EventSubRecord"),
		tc[livempu.MPUEvent, plainEvent]("MPUEvent"),
		tc[livempu.EventPayload, plainPayload]("EventPayload"),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tagged := members(t, c.plain)
			coded := members(t, c.value)
			if !slices.Equal(keys(tagged), keys(coded)) {
				t.Errorf("encoding: the tags name %v, the codec writes %v", keys(tagged), keys(coded))
			}
			zero, _ := json.Marshal(c.fresh())
			for _, k := range keys(tagged) {
				v := c.fresh()
				val := tagged[k]
				if cv, ok := coded[k]; ok {
					val = cv // the codec's own form of the value (epoch ms for a time)
				}
				doc := `{"` + k + `":` + string(val) + `}`
				if err := json.Unmarshal([]byte(doc), v); err != nil {
					t.Errorf("decoding %s: %v", doc, err)
					continue
				}
				if got, _ := json.Marshal(v); string(got) == string(zero) {
					t.Errorf("decoding: the codec ignores the tag's name %q", k)
				}
			}
		})
	}
}

// tc builds the case of type T, whose plain type is P.
func tc[T any, P any](name string) tagCase {
	v := new(T)
	fill(reflect.ValueOf(v).Elem())
	p := reflect.ValueOf(v).Convert(reflect.TypeFor[*P]()).Interface().(*P)
	return tagCase{name: name, value: v, plain: p, fresh: func() json.Unmarshaler {
		return any(new(T)).(json.Unmarshaler)
	}}
}

// fill sets every field of v, recursively, to a value that is not zero.
func fill(v reflect.Value) {
	switch v.Kind() {
	case reflect.Struct:
		if v.Type() == reflect.TypeFor[time.Time]() {
			v.Set(reflect.ValueOf(time.Date(2024, 4, 9, 10, 0, 0, 0, time.UTC)))
			return
		}
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				fill(v.Field(i))
			}
		}
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 1, 1)
		fill(s.Index(0))
		v.Set(s)
	case reflect.String:
		v.SetString("1")
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int32, reflect.Int64:
		if v.Type() == reflect.TypeFor[time.Duration]() {
			v.SetInt(int64(2 * time.Second))
			return
		}
		v.SetInt(1)
	case reflect.Float64:
		v.SetFloat(1.5)
	}
}

// members encodes v with encoding/json and returns its top-level members.
func members(t *testing.T, v any) map[string]json.RawMessage {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", b, err)
	}
	return m
}

func keys(m map[string]json.RawMessage) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.SortFunc(out, strings.Compare)
	return out
}
