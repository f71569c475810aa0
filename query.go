package livempu

import (
	"strconv"
	"time"

	"github.com/livempu/livempu-go/internal/acsauth"
)

// query builds a query string from parameters given in ascending key order,
// encoded as the signer encodes (so V3's canonical query is the wire query).
type query struct{ b []byte }

func (q *query) add(key, value string) {
	if value == "" {
		return
	}
	if q.b == nil {
		q.b = make([]byte, 0, 160) // room for every parameter of either operation
	}
	if len(q.b) > 0 {
		q.b = append(q.b, '&')
	}
	q.b = append(q.b, key...)
	q.b = append(q.b, '=')
	q.b = acsauth.AppendPercentEncode(q.b, value)
}

func (q *query) addInt(key string, n int) {
	if n != 0 {
		q.add(key, strconv.Itoa(n))
	}
}

func (q *query) addTime(key string, t time.Time) {
	var buf [len(timeLayout) + 8]byte
	q.add(key, string(t.UTC().AppendFormat(buf[:0], timeLayout)))
}

func (q *query) String() string { return string(q.b) }

// timeLayout is the service's request time format.
const timeLayout = "2006-01-02T15:04:05Z"
