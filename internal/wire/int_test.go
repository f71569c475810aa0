package wire

import "testing"

func TestIntegersAreExactOrRejected(t *testing.T) {
	if n, err := Int64(`"1000000000000000001"`); err != nil || n != 1000000000000000001 {
		t.Errorf("19 digits: %d, %v", n, err)
	}
	if n, err := Int64(`1712656430476`); err != nil || n != 1712656430476 {
		t.Errorf("epoch ms: %d, %v", n, err)
	}
	if _, err := Int(`"99999999999999999999"`); err == nil {
		t.Error("an integer beyond int64 was accepted")
	}
	if n, err := Int(`"1e3"`); err != nil || n != 1000 {
		t.Errorf("1e3: %d, %v", n, err)
	}
}
