package livempu

// Hooks for the external tests of this package (package livempu_test).

// DecodeTaskPage decodes a task page body as a call does, without
// encoding/json's validation pass in front.
func DecodeTaskPage(body string) (ListRtcMPUTaskDetailResponse, error) {
	var r ListRtcMPUTaskDetailResponse
	err := r.decode(body)
	return r, err
}

// DecodeRecordPage decodes a record page body as a call does.
func DecodeRecordPage(body string) (ListRtcMPUEventSubRecordResponse, error) {
	var r ListRtcMPUEventSubRecordResponse
	err := r.decode(body)
	return r, err
}
