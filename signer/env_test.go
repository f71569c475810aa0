package signer

import (
	"context"
	"testing"
)

func TestEnvProvider(t *testing.T) {
	tests := []struct {
		name     string
		env      map[string]string
		want     Credentials
		wantErr  []string
		notFound bool
	}{
		{
			name: "current names",
			env:  map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id1", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSecret},
			want: Credentials{AccessKeyID: "id1", AccessKeySecret: testSecret},
		},
		{
			name: "current names with token",
			env: map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id1", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSecret,
				"ALIBABA_CLOUD_SECURITY_TOKEN": testToken},
			want: Credentials{AccessKeyID: "id1", AccessKeySecret: testSecret, SecurityToken: testToken},
		},
		{
			name: "ALIBABA_CLOUD_ACCESS_KEY_Id (sic)",
			env: map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_Id": "id2", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSecret,
				"ALIBABA_CLOUD_SECURITY_TOKEN": testToken},
			want: Credentials{AccessKeyID: "id2", AccessKeySecret: testSecret, SecurityToken: testToken},
		},
		{
			name: "ALIBABACLOUD_",
			env: map[string]string{"ALIBABACLOUD_ACCESS_KEY_ID": "id3", "ALIBABACLOUD_ACCESS_KEY_SECRET": testSecret,
				"ALIBABACLOUD_SECURITY_TOKEN": testToken},
			want: Credentials{AccessKeyID: "id3", AccessKeySecret: testSecret, SecurityToken: testToken},
		},
		{
			name: "ALICLOUD_ACCESS_KEY_ID",
			env:  map[string]string{"ALICLOUD_ACCESS_KEY_ID": "id4", "ALICLOUD_ACCESS_KEY_SECRET": testSecret},
			want: Credentials{AccessKeyID: "id4", AccessKeySecret: testSecret},
		},
		{
			name: "ALICLOUD_ACCESS_KEY",
			env:  map[string]string{"ALICLOUD_ACCESS_KEY": "id5", "ALICLOUD_SECRET_KEY": testSecret},
			want: Credentials{AccessKeyID: "id5", AccessKeySecret: testSecret},
		},
		{
			name: "ALICLOUD_ACCESS_KEY with ALICLOUD_SECURITY_TOKEN",
			env: map[string]string{"ALICLOUD_ACCESS_KEY": "id5", "ALICLOUD_SECRET_KEY": testSecret,
				"ALICLOUD_SECURITY_TOKEN": testToken, "ALICLOUD_ACCESS_KEY_STS_TOKEN": "other"},
			want: Credentials{AccessKeyID: "id5", AccessKeySecret: testSecret, SecurityToken: testToken},
		},
		{
			name: "ALICLOUD_ACCESS_KEY with ALICLOUD_ACCESS_KEY_STS_TOKEN",
			env: map[string]string{"ALICLOUD_ACCESS_KEY": "id5", "ALICLOUD_SECRET_KEY": testSecret,
				"ALICLOUD_ACCESS_KEY_STS_TOKEN": testToken},
			want: Credentials{AccessKeyID: "id5", AccessKeySecret: testSecret, SecurityToken: testToken},
		},
		{
			name: "current names win over older ones",
			env: map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id1", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSecret,
				"ALICLOUD_ACCESS_KEY": "id5", "ALICLOUD_SECRET_KEY": "other"},
			want: Credentials{AccessKeyID: "id1", AccessKeySecret: testSecret},
		},
		{
			name: "token of another set is not mixed in",
			env: map[string]string{"ALICLOUD_ACCESS_KEY_ID": "id4", "ALICLOUD_ACCESS_KEY_SECRET": testSecret,
				"ALIBABA_CLOUD_SECURITY_TOKEN": testToken},
			want: Credentials{AccessKeyID: "id4", AccessKeySecret: testSecret},
		},
		{
			name:    "ID without secret",
			env:     map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "id1", "ALIBABA_CLOUD_SECURITY_TOKEN": testToken},
			wantErr: []string{"env: ALIBABA_CLOUD_ACCESS_KEY_ID is set but ALIBABA_CLOUD_ACCESS_KEY_SECRET is not"},
		},
		{
			name: "ID without secret is not skipped for a later complete set",
			env: map[string]string{"ALIBABACLOUD_ACCESS_KEY_ID": "id3",
				"ALICLOUD_ACCESS_KEY": "id5", "ALICLOUD_SECRET_KEY": testSecret},
			wantErr: []string{"ALIBABACLOUD_ACCESS_KEY_ID is set but ALIBABACLOUD_ACCESS_KEY_SECRET is not"},
		},
		{
			name:    "old ID without secret",
			env:     map[string]string{"ALICLOUD_ACCESS_KEY": "id5", "ALICLOUD_ACCESS_KEY_STS_TOKEN": testToken},
			wantErr: []string{"ALICLOUD_ACCESS_KEY is set but ALICLOUD_SECRET_KEY is not"},
		},
		{
			name:    "secret without ID",
			env:     map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSecret, "ALIBABA_CLOUD_SECURITY_TOKEN": testToken},
			wantErr: []string{"ALIBABA_CLOUD_ACCESS_KEY_SECRET is set but ALIBABA_CLOUD_ACCESS_KEY_ID or ALIBABA_CLOUD_ACCESS_KEY_Id is not"},
		},
		{
			name:    "old secret without ID",
			env:     map[string]string{"ALICLOUD_SECRET_KEY": testSecret},
			wantErr: []string{"ALICLOUD_SECRET_KEY is set but ALICLOUD_ACCESS_KEY is not"},
		},
		{
			name: "none set",
			env:  map[string]string{"ALIBABA_CLOUD_SECURITY_TOKEN": testToken},
			wantErr: []string{"env: none of the variables ",
				"ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET",
				"ALIBABA_CLOUD_ACCESS_KEY_Id/ALIBABA_CLOUD_ACCESS_KEY_SECRET",
				"ALIBABACLOUD_ACCESS_KEY_ID/ALIBABACLOUD_ACCESS_KEY_SECRET",
				"ALICLOUD_ACCESS_KEY_ID/ALICLOUD_ACCESS_KEY_SECRET",
				"ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY"},
			notFound: true,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearCredEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			p := NewEnvProvider()
			c, err := p.Retrieve(context.Background())
			if tt.wantErr != nil {
				assertErr(t, err, p, tt.notFound, tt.wantErr...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c != tt.want {
				t.Errorf("got %#v, want %#v", c, tt.want)
			}
			if c.AccessKeySecret != tt.want.AccessKeySecret || c.SecurityToken != tt.want.SecurityToken {
				t.Errorf("secret or token differ")
			}
			assertNoLeak(t, nil, p)
		})
	}
}

func TestEnvProviderReadsAtRetrieveTime(t *testing.T) {
	clearCredEnv(t)
	p := NewEnvProvider()
	if _, err := p.Retrieve(context.Background()); err == nil {
		t.Fatal("want an error with nothing set")
	}
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_ID", "later")
	t.Setenv("ALIBABA_CLOUD_ACCESS_KEY_SECRET", testSecret)
	c, err := p.Retrieve(context.Background())
	if err != nil || c.AccessKeyID != "later" {
		t.Fatalf("got %v, %v", c, err)
	}
	if s := p.(interface{ String() string }).String(); s != "env" {
		t.Errorf("String = %q", s)
	}
}
