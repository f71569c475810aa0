package livempu

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/livempu/livempu-go/internal/wire"
)

// The response types are encoded and decoded by hand-written codecs
// (*_json.go) that do not read the struct tags; the tags still document the
// API's field names, give them to any tool that reads tags, and are what
// encoding/json uses for a nested value (a Layout, a UserPane) marshalled on
// its own. These defined types drop the codecs, so encoding/json encodes the
// tags' names.
type (
	plainTaskPage        ListRtcMPUTaskDetailResponse
	plainRecordPage      ListRtcMPUEventSubRecordResponse
	plainTask            MPUTask
	plainRelayURL        RelayURL
	plainSingleSubParams SingleSubParams
	plainTranscode       TranscodeParams
	plainBackground      Background
	plainEncodeParams    EncodeParams
	plainLayout          Layout
	plainUserPane        UserPane
	plainUserInfo        UserInfo
	plainSEIParams       SEIParams
	plainSEISettings     SEISettings
	plainSEIPassThrough  SEIPassThrough
	plainRecord          EventSubRecord
	plainEvent           MPUEvent
	plainPayload         EventPayload
)

// codec is the hand-written codec of a type (a pointer to it), used by its
// own MarshalJSON and UnmarshalJSON or by those of the document it is part
// of.
type codec[T any] interface {
	*T
	encodeFields(w *wire.Writer)
	decodeFrom(d *wire.Decoder) error
}

// tagCase is one type whose struct tags and codec must agree.
type tagCase struct {
	name   string
	plain  any                              // a value with every field set, as its plain type
	encode func() []byte                    // the same value through its codec
	decode func(doc string) ([]byte, error) // a fresh value decoded from doc by the codec, encoded again
}

// TestStructTagsMatchCodecs fails when a struct tag and the hand-written
// codec of its type name a field differently: encoding writes exactly the
// tags' names, and decoding a document with one tag's name sets the field.
func TestStructTagsMatchCodecs(t *testing.T) {
	cases := []tagCase{
		tc[ListRtcMPUTaskDetailResponse, plainTaskPage]("ListRtcMPUTaskDetailResponse"),
		tc[ListRtcMPUEventSubRecordResponse, plainRecordPage]("ListRtcMPUEventSubRecordResponse"),
		tc[MPUTask, plainTask]("MPUTask"),
		tc[RelayURL, plainRelayURL]("RelayURL"),
		tc[SingleSubParams, plainSingleSubParams]("SingleSubParams"),
		tc[TranscodeParams, plainTranscode]("TranscodeParams"),
		tc[Background, plainBackground]("Background"),
		tc[EncodeParams, plainEncodeParams]("EncodeParams"),
		tc[Layout, plainLayout]("Layout"),
		tc[UserPane, plainUserPane]("UserPane"),
		tc[UserInfo, plainUserInfo]("UserInfo"),
		tc[SEIParams, plainSEIParams]("SEIParams"),
		tc[SEISettings, plainSEISettings]("SEISettings"),
		tc[SEIPassThrough, plainSEIPassThrough]("SEIPassThrough"),
		tc[EventSubRecord, plainRecord]("EventSubRecord"),
		tc[MPUEvent, plainEvent]("MPUEvent"),
		tc[EventPayload, plainPayload]("EventPayload"),
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			plain, err := json.Marshal(c.plain)
			if err != nil {
				t.Fatal(err)
			}
			tagged := members(t, plain)
			coded := members(t, c.encode())
			if !slices.Equal(keys(tagged), keys(coded)) {
				t.Errorf("encoding: the tags name %v, the codec writes %v", keys(tagged), keys(coded))
			}
			zero, _ := c.decode("{}")
			for _, k := range keys(tagged) {
				val := tagged[k]
				if cv, ok := coded[k]; ok {
					val = cv // the codec's own form of the value (epoch ms for a time)
				}
				doc := `{"` + k + `":` + string(val) + `}`
				got, err := c.decode(doc)
				if err != nil {
					t.Errorf("decoding %s: %v", doc, err)
					continue
				}
				if string(got) == string(zero) {
					t.Errorf("decoding: the codec ignores the tag's name %q", k)
				}
			}
		})
	}
}

// tc builds the case of type T, whose plain type is P.
func tc[T any, P any, PT codec[T]](name string) tagCase {
	v := new(T)
	fill(reflect.ValueOf(v).Elem())
	return tagCase{
		name:   name,
		plain:  (*P)(reflect.ValueOf(v).Convert(reflect.TypeFor[*P]()).UnsafePointer()),
		encode: func() []byte { b, _ := marshalObject(PT(v).encodeFields); return b },
		decode: func(doc string) ([]byte, error) {
			fresh := PT(new(T))
			if err := wire.Decode(doc, fresh.decodeFrom); err != nil {
				return nil, err
			}
			return marshalObject(fresh.encodeFields)
		},
	}
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

// members returns the top-level members of the JSON object b.
func members(t *testing.T, b []byte) map[string]json.RawMessage {
	t.Helper()
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
