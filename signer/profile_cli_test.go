package signer

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const cliFixture = "testdata/creds/aliyun-config.json"

func readFixture(t testing.TB, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCLIProfileProvider(t *testing.T) {
	fixture := readFixture(t, cliFixture)
	ak := Credentials{AccessKeyID: "LTAI-test-id-cli", AccessKeySecret: testSecret}
	sts := Credentials{AccessKeyID: "STS.test-id-cli", AccessKeySecret: testSecret, SecurityToken: testToken}

	tests := []struct {
		name string
		// file content written to home/.aliyun/config.json unless empty;
		// "-" means no file.
		content  string
		env      map[string]string
		opts     []ProfileOption
		want     Credentials
		wantErr  []string // "$PATH" is replaced by the config path
		notFound bool
	}{
		{name: "AK profile from current", content: fixture, want: ak},
		{name: "StsToken profile by env", content: fixture, env: map[string]string{"ALIBABA_CLOUD_PROFILE": "sts"}, want: sts},
		{name: "StsToken profile by option over env", content: fixture,
			env: map[string]string{"ALIBABA_CLOUD_PROFILE": "default"}, opts: []ProfileOption{WithProfileName("sts")}, want: sts},
		{name: "current names the profile",
			content: strings.Replace(fixture, `"current": "default"`, `"current": "sts"`, 1), want: sts},
		{name: "env overrides current",
			content: strings.Replace(fixture, `"current": "default"`, `"current": "sts"`, 1),
			env:     map[string]string{"ALIBABA_CLOUD_PROFILE": "default"}, want: ak},
		{name: "no current means default",
			content: strings.Replace(fixture, `"current": "default"`, `"current": ""`, 1), want: ak},
		{name: "UTF-8 byte-order mark", content: "\ufeff" + fixture, want: ak},
		{name: "byte-order mark not at the start", content: " \ufeff" + fixture,
			wantErr: []string{"$PATH", "malformed JSON: syntax error at byte offset 2"}},
		{name: "disabled=false is not disabled", content: fixture,
			env: map[string]string{"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "false"}, want: ak},

		{name: "missing profile", content: fixture, env: map[string]string{"ALIBABA_CLOUD_PROFILE": "nope"},
			wantErr: []string{"cli profile: $PATH: ", `profile "nope"`, "no such profile"}, notFound: true},
		{name: "missing current profile",
			content: strings.Replace(fixture, `"current": "default"`, `"current": "gone"`, 1),
			wantErr: []string{"$PATH", `profile "gone"`, "no such profile"}, notFound: true},
		{name: "malformed JSON", content: `{"current":"default","profiles":[{"name":"default","mode":"AK","access_key_secret":` + testSecret + `}]}`,
			wantErr: []string{"$PATH", "malformed JSON: syntax error at byte offset"}},
		{name: "malformed JSON names the chosen profile", content: `{"profiles": [` + testToken,
			env:     map[string]string{"ALIBABA_CLOUD_PROFILE": "sts"},
			wantErr: []string{"$PATH", `profile "sts"`, "malformed JSON"}},
		{name: "numeric secret", content: `{"profiles":[{"name":"default","mode":"AK","access_key_id":"x","access_key_secret":987654321987}]}`,
			wantErr: []string{"$PATH", "field profiles.access_key_secret has the wrong type"}},
		{name: "not an object", content: `["` + testSecret + `"]`, wantErr: []string{"$PATH", "not a JSON object"}},
		{name: "empty file", content: " ", wantErr: []string{"$PATH", "malformed JSON"}},
		{name: "unsupported mode", content: fixture, opts: []ProfileOption{WithProfileName("role")},
			wantErr: []string{"$PATH", `profile "role"`, `mode "RamRoleArn" not supported by this provider`}},
		{name: "unknown mode is not quoted", content: fixture, opts: []ProfileOption{WithProfileName("garbled-mode")},
			wantErr: []string{"$PATH", `profile "garbled-mode"`, "mode (unrecognised value not shown) not supported"}},
		{name: "no mode", content: fixture, opts: []ProfileOption{WithProfileName("no-mode")},
			wantErr: []string{"$PATH", `profile "no-mode"`, "profile has no mode"}},
		{name: "AK without secret", content: fixture, opts: []ProfileOption{WithProfileName("no-secret")},
			wantErr: []string{"$PATH", `profile "no-secret"`, "mode AK requires access_key_secret, which is missing"}},
		{name: "StsToken without token", content: fixture, opts: []ProfileOption{WithProfileName("sts-no-token")},
			wantErr: []string{"$PATH", `profile "sts-no-token"`, "mode StsToken requires sts_token"}},
		{name: "disabled by env", content: fixture, env: map[string]string{"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "TRUE"},
			wantErr: []string{"cli profile: disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true"}, notFound: true},
		{name: "missing file", content: "-", wantErr: []string{"cli profile: $PATH: file does not exist"}, notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearCredEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			home := t.TempDir()
			path := filepath.Join(home, ".aliyun", "config.json")
			if tt.content != "-" {
				writeFile(t, path, tt.content)
			}
			p := NewCLIProfileProvider(append([]ProfileOption{withHomeDir(home)}, tt.opts...)...)
			c, err := p.Retrieve(context.Background())
			if tt.wantErr != nil {
				want := make([]string, len(tt.wantErr))
				for i, w := range tt.wantErr {
					want[i] = strings.ReplaceAll(w, "$PATH", path)
				}
				assertErr(t, err, p, tt.notFound, want...)
				// encoding/json's messages quote input (a character, a number).
				for _, bad := range []string{"987654321987", "invalid character", "cannot unmarshal"} {
					if strings.Contains(err.Error(), bad) {
						t.Errorf("error passes on encoding/json's text %q: %v", bad, err)
					}
				}
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

func TestCLIProfileProviderPaths(t *testing.T) {
	clearCredEnv(t)
	dir := t.TempDir()
	envPath := writeFile(t, filepath.Join(dir, "env.json"),
		`{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"from-env","access_key_secret":"s"}]}`)
	optPath := writeFile(t, filepath.Join(dir, "opt.json"),
		`{"current":"a","profiles":[{"name":"a","mode":"AK","access_key_id":"from-opt","access_key_secret":"s"}]}`)
	home := filepath.Join(dir, "home") // no config there

	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", envPath)
	p := NewCLIProfileProvider(withHomeDir(home))
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "from-env" {
		t.Errorf("ALIBABA_CLOUD_CONFIG_FILE: got %v, %v", c, err)
	}
	if got, want := fmt.Sprint(p), "cli-profile("+envPath+")"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}

	p = NewCLIProfileProvider(withHomeDir(home), WithProfileFile(optPath), WithProfileName("a"))
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "from-opt" {
		t.Errorf("WithProfileFile: got %v, %v", c, err)
	}
	if got, want := fmt.Sprintf("%#v", p), "cli-profile("+optPath+",a)"; got != want {
		t.Errorf("%%#v = %q, want %q", got, want)
	}

	t.Setenv("ALIBABA_CLOUD_CONFIG_FILE", "")
	p = NewCLIProfileProvider(withHomeDir(home))
	if got, want := fmt.Sprint(p), "cli-profile("+filepath.Join(home, ".aliyun", "config.json")+")"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}
}

func TestCLIProfileProviderUnreadable(t *testing.T) {
	clearCredEnv(t)
	dir := t.TempDir() // a directory is not a readable config file
	p := NewCLIProfileProvider(WithProfileFile(dir), WithProfileName("x"))
	_, err := p.Retrieve(context.Background())
	assertErr(t, err, p, false, "cli profile: "+dir+": ", `profile "x"`, "cannot read file")
}
