package signer

import (
	"context"
	"path/filepath"
	"testing"
)

// BenchmarkDefaultChainRetrieve is the per-attempt cost of the default
// chain, which the default Client asks before signing every attempt: one
// case per source the chain settles on.
func BenchmarkDefaultChainRetrieve(b *testing.B) {
	cli := readFixture(b, cliFixture)
	ini := readFixture(b, iniFixture)
	cases := []struct {
		name     string
		env      map[string]string
		cli, ini string
	}{
		{name: "env", env: map[string]string{
			"ALIBABA_CLOUD_ACCESS_KEY_ID": "LTAI-bench", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSecret,
			"ALIBABA_CLOUD_SECURITY_TOKEN": testToken}},
		{name: "cli-profile", cli: cli, ini: ini},
		{name: "ini-profile", ini: ini},
	}
	for _, tc := range cases {
		b.Run(tc.name, func(b *testing.B) {
			clearCredEnv(b)
			home := b.TempDir()
			b.Setenv("HOME", home)
			b.Setenv("USERPROFILE", home)
			for k, v := range tc.env {
				b.Setenv(k, v)
			}
			if tc.cli != "" {
				writeFile(b, filepath.Join(home, ".aliyun", "config.json"), tc.cli)
			}
			if tc.ini != "" {
				writeFile(b, filepath.Join(home, ".alibabacloud", "credentials"), tc.ini)
			}
			chain := NewDefaultChain()
			ctx := context.Background()
			if _, err := chain.Retrieve(ctx); err != nil {
				b.Fatal(err)
			}
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if _, err := chain.Retrieve(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
