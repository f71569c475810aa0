package wire

import "testing"

// decodeWith decodes the document v with one call of read.
func decodeWith[T any](v string, read func(*Decoder) (T, error)) (got T, err error) {
	err = Decode(v, func(d *Decoder) (err error) { got, err = read(d); return err })
	return got, err
}

func TestIntegersAreExactOrRejected(t *testing.T) {
	if ts, err := decodeWith(`"1000000000000000001"`, (*Decoder).UnixMilli); err != nil || ts.UnixMilli() != 1000000000000000001 {
		t.Errorf("19 digits: %d, %v", ts.UnixMilli(), err)
	}
	if ts, err := decodeWith(`1712656430476`, (*Decoder).UnixMilli); err != nil || ts.UnixMilli() != 1712656430476 {
		t.Errorf("epoch ms: %d, %v", ts.UnixMilli(), err)
	}
	if _, err := decodeWith(`"99999999999999999999"`, (*Decoder).Int); err == nil {
		t.Error("an integer beyond int64 was accepted")
	}
	if n, err := decodeWith(`"1e3"`, (*Decoder).Int); err != nil || n != 1000 {
		t.Errorf("1e3: %d, %v", n, err)
	}
}
