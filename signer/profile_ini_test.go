package signer

import (
	"context"
	"fmt"
	"maps"
	"path/filepath"
	"strings"
	"testing"
)

const iniFixture = "testdata/creds/credentials"

func TestINIProfileProvider(t *testing.T) {
	fixture := readFixture(t, iniFixture)
	tests := []struct {
		name     string
		file     string // written as home/.alibabacloud/<file>; "" for no file
		content  string
		env      map[string]string
		opts     []ProfileOption
		want     Credentials
		wantErr  []string // "$PATH" is replaced by the file path
		notFound bool
	}{
		{name: "default section", file: "credentials", content: fixture,
			want: Credentials{AccessKeyID: "LTAI-test-id-ini", AccessKeySecret: testSecret}},
		{name: "named profile by env, quotes and colons", file: "credentials", content: fixture,
			env:  map[string]string{"ALIBABA_CLOUD_PROFILE": "quoted"},
			want: Credentials{AccessKeyID: "LTAI-test-id-quoted", AccessKeySecret: testSecret}},
		{name: "named profile by option, CRLF", file: "credentials", content: fixture,
			env: map[string]string{"ALIBABA_CLOUD_PROFILE": "quoted"}, opts: []ProfileOption{WithProfileName("crlf")},
			want: Credentials{AccessKeyID: "LTAI-test-id-crlf", AccessKeySecret: testSecret}},
		{name: "credentials.ini fallback", file: "credentials.ini", content: fixture,
			want: Credentials{AccessKeyID: "LTAI-test-id-ini", AccessKeySecret: testSecret}},

		{name: "malformed line", file: "credentials", content: "[default]\ntype = access_key\n" + testSecret + "\n",
			wantErr: []string{"ini profile: $PATH: ", `profile "default"`, "line 3: expected [section] or key = value"}},
		{name: "unterminated quote", file: "credentials", content: "[default]\naccess_key_secret = \"" + testSecret + "\n",
			env:     map[string]string{"ALIBABA_CLOUD_PROFILE": "dev"},
			wantErr: []string{"$PATH", `profile "dev"`, "line 2: quoted value has no closing quote"}},
		{name: "text after a quoted value", file: "credentials", content: "[default]\naccess_key_secret = 'a'" + testSecret + "\n",
			wantErr: []string{"$PATH", "line 2: unexpected text after the quoted value"}},
		{name: "unclosed section", file: "credentials", content: "\n\n[" + testSecret + "\n",
			wantErr: []string{"$PATH", "line 3: section header has no closing ]"}},
		{name: "text after section", file: "credentials", content: "[default] " + testSecret + "\n",
			wantErr: []string{"$PATH", "line 1: unexpected text after the section header"}},
		{name: "empty section name", file: "credentials", content: "[ ]\n", wantErr: []string{"$PATH", "line 1: empty section name"}},
		{name: "missing key", file: "credentials", content: "[default]\n= " + testSecret + "\n",
			wantErr: []string{"$PATH", "line 2: missing key"}},
		{name: "unsupported type", file: "credentials", content: fixture, opts: []ProfileOption{WithProfileName("role")},
			wantErr: []string{"$PATH", `profile "role"`, `type "ram_role_arn" not supported by this provider`}},
		{name: "unknown type is not quoted", file: "credentials", content: fixture, opts: []ProfileOption{WithProfileName("garbled-type")},
			wantErr: []string{"$PATH", `profile "garbled-type"`, "type (unrecognised value not shown) not supported"}},
		{name: "missing type", file: "credentials", content: fixture, opts: []ProfileOption{WithProfileName("no-type")},
			wantErr: []string{"$PATH", `profile "no-type"`, "section has no type"}},
		{name: "missing secret", file: "credentials", content: fixture, opts: []ProfileOption{WithProfileName("no-secret")},
			wantErr: []string{"$PATH", `profile "no-secret"`, "type access_key requires access_key_secret, which is missing or empty"}},
		{name: "missing id", file: "credentials", content: fixture, opts: []ProfileOption{WithProfileName("no-id")},
			wantErr: []string{"$PATH", `profile "no-id"`, "requires access_key_id,"}},
		{name: "missing section", file: "credentials", content: fixture, env: map[string]string{"ALIBABA_CLOUD_PROFILE": "nope"},
			wantErr: []string{"ini profile: $PATH: ", `profile "nope"`, "no such section"}, notFound: true},
		{name: "missing file", wantErr: []string{`ini profile: profile "default": neither $PATH nor $PATH.ini exists`}, notFound: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearCredEnv(t)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			home := t.TempDir()
			path := filepath.Join(home, ".alibabacloud", "credentials")
			if tt.file != "" {
				path = writeFile(t, filepath.Join(home, ".alibabacloud", tt.file), tt.content)
			}
			p := NewINIProfileProvider(append([]ProfileOption{withHomeDir(home)}, tt.opts...)...)
			c, err := p.Retrieve(context.Background())
			if tt.wantErr != nil {
				want := make([]string, len(tt.wantErr))
				for i, w := range tt.wantErr {
					want[i] = strings.ReplaceAll(w, "$PATH", path)
				}
				assertErr(t, err, p, tt.notFound, want...)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if c != tt.want {
				t.Errorf("got %#v, want %#v", c, tt.want)
			}
			if c.AccessKeySecret != tt.want.AccessKeySecret {
				t.Errorf("secret differs")
			}
			assertNoLeak(t, nil, p)
		})
	}
}

func TestINIProfileProviderPaths(t *testing.T) {
	clearCredEnv(t)
	home := t.TempDir()
	dir := filepath.Join(home, ".alibabacloud")
	writeFile(t, filepath.Join(dir, "credentials"), "[default]\ntype=access_key\naccess_key_id=plain\naccess_key_secret=s\n")
	writeFile(t, filepath.Join(dir, "credentials.ini"), "[default]\ntype=access_key\naccess_key_id=dot-ini\naccess_key_secret=s\n")
	envPath := writeFile(t, filepath.Join(home, "env-creds"), "[p]\ntype=access_key\naccess_key_id=from-env\naccess_key_secret=s\n")

	p := NewINIProfileProvider(withHomeDir(home))
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "plain" {
		t.Errorf("credentials should win over credentials.ini: got %v, %v", c, err)
	}
	if got, want := fmt.Sprint(p), "ini-profile("+filepath.Join(dir, "credentials")+",default)"; got != want {
		t.Errorf("String = %q, want %q", got, want)
	}

	t.Setenv("ALIBABA_CLOUD_CREDENTIALS_FILE", envPath)
	t.Setenv("ALIBABA_CLOUD_PROFILE", "p")
	if c, err := p.Retrieve(context.Background()); err != nil || c.AccessKeyID != "from-env" {
		t.Errorf("ALIBABA_CLOUD_CREDENTIALS_FILE: got %v, %v", c, err)
	}
	if got, want := fmt.Sprintf("%#v", p), "ini-profile("+envPath+",p)"; got != want {
		t.Errorf("%%#v = %q, want %q", got, want)
	}

	// An explicit file that does not exist has no .ini fallback.
	missing := filepath.Join(home, "missing")
	p = NewINIProfileProvider(withHomeDir(home), WithProfileFile(missing), WithProfileName("default"))
	_, err := p.Retrieve(context.Background())
	assertErr(t, err, p, true, "ini profile: "+missing+": file does not exist")
}

func TestParseINI(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want iniSections
		err  string
	}{
		{name: "empty", in: "", want: iniSections{}},
		{name: "comments and blanks", in: "# c\n; c\n\n   \n[a]\n  # indented comment\nk=v\n",
			want: iniSections{"a": {"k": "v"}}},
		{name: "keys before a section", in: "k = v\n[a]\n", want: iniSections{"": {"k": "v"}, "a": {}}},
		{name: "whitespace and tabs", in: "\t[ a b ]\t\n\tkey\t=\t value with spaces \t\n", want: iniSections{"a b": {"key": "value with spaces"}}},
		{name: "colon separator", in: "[a]\nk: v\n", want: iniSections{"a": {"k": "v"}}},
		{name: "first separator wins", in: "[a]\nk = v:w=x\nj: v=w\n", want: iniSections{"a": {"k": "v:w=x", "j": "v=w"}}},
		{name: "inline comments", in: "[a] # c\nk = v # c\nj = v ; c\n", want: iniSections{"a": {"k": "v", "j": "v"}}},
		{name: "hash without space is part of the value", in: "[a]\nk = v#w;x\n", want: iniSections{"a": {"k": "v#w;x"}}},
		{name: "quotes", in: "[a]\nd = \" v # w \"\ns = 'v;w' ; c\ne = \"\"\n", want: iniSections{"a": {"d": " v # w ", "s": "v;w", "e": ""}}},
		{name: "empty value", in: "[a]\nk =\n", want: iniSections{"a": {"k": ""}}},
		{name: "repeated section merges, later key wins", in: "[a]\nk=1\nj=1\n[b]\n[a]\nk=2\n",
			want: iniSections{"a": {"k": "2", "j": "1"}, "b": {}}},
		{name: "BOM and CRLF", in: "\ufeff[a]\r\nk = v\r\n", want: iniSections{"a": {"k": "v"}}},
		{name: "no separator", in: "[a]\nk\n", err: "line 2: expected [section] or key = value"},
		{name: "unclosed quote", in: "[a]\nk = 'v\n", err: "line 2: quoted value has no closing quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseINI([]byte(tt.in))
			if tt.err != "" {
				if err == nil || err.Error() != tt.err {
					t.Fatalf("err = %v, want %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !maps.EqualFunc(got, tt.want, maps.Equal) {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}
