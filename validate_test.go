package livempu_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	livempu "github.com/livempu/livempu-go"
)

// Regression tests: validation names the field that is wrong and the
// character as the caller wrote it (issue 12, item 4).
func TestValidationNamesTheRightThing(t *testing.T) {
	tests := []struct {
		name        string
		call        func(*livempu.Client) error
		field, want string
	}{
		{"EndTime in year 10000", func(c *livempu.Client) error {
			r := recordReq()
			r.EndTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC)
			_, err := c.ListRtcMPUEventSubRecord(context.Background(), r)
			return err
		}, "EndTime", "9999"},
		{"StartTime in year 1969", func(c *livempu.Client) error {
			r := recordReq()
			r.StartTime = time.Date(1969, 12, 31, 0, 0, 0, 0, time.UTC)
			_, err := c.ListRtcMPUEventSubRecord(context.Background(), r)
			return err
		}, "StartTime", "1970"},
		{"AppID with a non-ASCII letter", func(c *livempu.Client) error {
			_, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "appé", PageSize: 1, PageNo: 1})
			return err
		}, "AppID", "'é' at byte 3"},
		{"AppID with invalid UTF-8", func(c *livempu.Client) error {
			_, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "ab\xffc", PageSize: 1, PageNo: 1})
			return err
		}, "AppID", `byte 0xff at byte 2`},
		{"long AppID with a non-ASCII letter", func(c *livempu.Client) error {
			r := recordReq()
			r.AppID = strings.Repeat("a", 63) + "é"
			_, err := c.ListRtcMPUEventSubRecord(context.Background(), r)
			return err
		}, "AppID", "'é' at byte 63"},
		{"TaskID with a non-ASCII letter", func(c *livempu.Client) error {
			_, err := c.ListRtcMPUTaskDetail(context.Background(), &livempu.ListRtcMPUTaskDetailRequest{AppID: "a", TaskID: "t-ü"})
			return err
		}, "TaskID", "'ü' at byte 2"},
		{"SubID with invalid UTF-8", func(c *livempu.Client) error {
			r := recordReq()
			r.SubID = "sub\xff1"
			_, err := c.ListRtcMPUEventSubRecord(context.Background(), r)
			return err
		}, "SubID", "byte 0xff at byte 3"},
	}
	f := newFakeServer(t, func(n int, a attempt, w http.ResponseWriter) { writeJSON(w, 200, oneTaskBody) })
	c := newTestClient(t, f)
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call(c)
			var ve *livempu.ValidationError
			if !errors.As(err, &ve) {
				t.Fatalf("err = %v, want a ValidationError", err)
			}
			if ve.Field != tc.field || !strings.Contains(ve.Reason, tc.want) {
				t.Errorf("Field %q, Reason %q; want field %s and %q", ve.Field, ve.Reason, tc.field, tc.want)
			}
		})
	}
	if n := len(f.attempts()); n != 0 {
		t.Errorf("%d requests sent for invalid requests", n)
	}
}
