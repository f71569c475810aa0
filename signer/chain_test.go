package signer

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/livempu/livempu-go/internal/leakcheck"
)

// countingProvider counts its calls and returns whatever result holds.
type countingProvider struct {
	name   string
	calls  atomic.Int32
	result atomic.Pointer[func() (Credentials, error)]
}

func newCounting(name string, f func() (Credentials, error)) *countingProvider {
	p := &countingProvider{name: name}
	p.set(f)
	return p
}

func (p *countingProvider) set(f func() (Credentials, error)) { p.result.Store(&f) }

func (p *countingProvider) Retrieve(context.Context) (Credentials, error) {
	p.calls.Add(1)
	return (*p.result.Load())()
}

func (p *countingProvider) String() string { return p.name }

func found(id string) func() (Credentials, error) {
	return func() (Credentials, error) { return Credentials{AccessKeyID: id, AccessKeySecret: testSecret}, nil }
}

func notFound(reason string) func() (Credentials, error) {
	return func() (Credentials, error) {
		return Credentials{}, fmt.Errorf("%s: %w", reason, ErrNoCredentials)
	}
}

func TestChainOrder(t *testing.T) {
	a := newCounting("a", notFound("a has nothing"))
	b := newCounting("b", found("B"))
	c := newCounting("c", found("C"))
	chain := NewChainProvider(a, nil, b, c)
	creds, err := chain.Retrieve(context.Background())
	if err != nil || creds.AccessKeyID != "B" {
		t.Fatalf("got %v, %v; want B", creds, err)
	}
	if a.calls.Load() != 1 || b.calls.Load() != 1 || c.calls.Load() != 0 {
		t.Errorf("calls a=%d b=%d c=%d, want 1 1 0", a.calls.Load(), b.calls.Load(), c.calls.Load())
	}
	if got := fmt.Sprint(chain); got != "chain(a, b, c)" {
		t.Errorf("String = %q", got)
	}
}

func TestChainRemembersFirstSuccess(t *testing.T) {
	a := newCounting("a", notFound("a has nothing"))
	b := newCounting("b", found("B"))
	chain := NewChainProvider(a, b)
	for i := range 3 {
		if creds, err := chain.Retrieve(context.Background()); err != nil || creds.AccessKeyID != "B" {
			t.Fatalf("call %d: got %v, %v", i, creds, err)
		}
	}
	if a.calls.Load() != 1 || b.calls.Load() != 3 {
		t.Errorf("calls a=%d b=%d, want 1 3 (b remembered)", a.calls.Load(), b.calls.Load())
	}

	// The remembered provider still wins over an earlier one that now has
	// credentials...
	a.set(found("A"))
	if creds, _ := chain.Retrieve(context.Background()); creds.AccessKeyID != "B" {
		t.Errorf("got %v, want the remembered B", creds)
	}
	// ...until it has none; then the chain is walked again from the start.
	b.set(notFound("b has nothing"))
	if creds, err := chain.Retrieve(context.Background()); err != nil || creds.AccessKeyID != "A" {
		t.Fatalf("got %v, %v; want A", creds, err)
	}
	if creds, _ := chain.Retrieve(context.Background()); creds.AccessKeyID != "A" || b.calls.Load() != 5 {
		t.Errorf("got %v with b called %d times, want A remembered (b: 5)", creds, b.calls.Load())
	}

	// A remembered provider that breaks stops the chain too.
	a.set(func() (Credentials, error) { return Credentials{}, errors.New("a broke") })
	if _, err := chain.Retrieve(context.Background()); err == nil || !strings.Contains(err.Error(), "a broke") {
		t.Errorf("err = %v, want a's error", err)
	}
}

func TestChainErrorListsEachProvider(t *testing.T) {
	clearCredEnv(t)
	home := t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Setenv("ALIBABA_CLOUD_SECURITY_TOKEN", testToken)

	chain := NewDefaultChain()
	_, err := chain.Retrieve(context.Background())
	cliPath := filepath.Join(home, ".aliyun", "config.json")
	iniPath := filepath.Join(home, ".alibabacloud", "credentials")
	assertErr(t, err, chain, true,
		"no credentials found: env: none of the variables ALIBABA_CLOUD_ACCESS_KEY_ID/",
		"; cli profile: "+cliPath+": file does not exist; ",
		`; ini profile: profile "default": neither `+iniPath+" nor "+iniPath+".ini exists")
	if !strings.HasPrefix(err.Error(), "no credentials found: env: ") || strings.Count(err.Error(), "; ") != 2 {
		t.Errorf("error shape: %v", err)
	}
	want := fmt.Sprintf("chain(env, cli-profile(%s), ini-profile(%s,default))", cliPath, iniPath)
	if got := fmt.Sprintf("%v", chain); got != want {
		t.Errorf("String = %q, want %q", got, want)
	}

	_, err = NewChainProvider().Retrieve(context.Background())
	assertErr(t, err, nil, true, "no credentials found: the chain has no providers")
	var nilChain *chainProvider
	_, err = nilChain.Retrieve(context.Background())
	assertErr(t, err, nil, true, "no credentials found")
}

func TestDefaultChain(t *testing.T) {
	cliConfig := readFixture(t, cliFixture)
	iniConfig := readFixture(t, iniFixture)
	tests := []struct {
		name    string
		env     map[string]string
		cli     string
		ini     string
		wantID  string
		wantErr []string
	}{
		{name: "env first", env: map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "from-env", "ALIBABA_CLOUD_ACCESS_KEY_SECRET": testSecret},
			cli: cliConfig, ini: iniConfig, wantID: "from-env"},
		{name: "cli before ini", cli: cliConfig, ini: iniConfig, wantID: "LTAI-test-id-cli"},
		{name: "ini last", ini: iniConfig, wantID: "LTAI-test-id-ini"},
		{name: "cli disabled", env: map[string]string{"ALIBABA_CLOUD_CLI_PROFILE_DISABLED": "true"},
			cli: cliConfig, ini: iniConfig, wantID: "LTAI-test-id-ini"},
		{name: "profile only in ini falls through cli", env: map[string]string{"ALIBABA_CLOUD_PROFILE": "quoted"},
			cli: cliConfig, ini: iniConfig, wantID: "LTAI-test-id-quoted"},
		{name: "broken env stops the chain", env: map[string]string{"ALIBABA_CLOUD_ACCESS_KEY_ID": "half"},
			cli: cliConfig, wantErr: []string{"credentials chain: env: ALIBABA_CLOUD_ACCESS_KEY_ID is set but"}},
		{name: "malformed cli config stops the chain", cli: "{" + testSecret, ini: iniConfig,
			wantErr: []string{"credentials chain: cli profile: ", "malformed JSON"}},
		{name: "unsupported cli mode stops the chain", env: map[string]string{"ALIBABA_CLOUD_PROFILE": "role"},
			cli: cliConfig, ini: iniConfig, wantErr: []string{`profile "role": mode "RamRoleArn" not supported`}},
		{name: "broken ini section", env: map[string]string{"ALIBABA_CLOUD_PROFILE": "no-secret"},
			ini: iniConfig, wantErr: []string{"credentials chain: ini profile: ", "requires access_key_secret"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			clearCredEnv(t)
			home := t.TempDir()
			t.Setenv("HOME", home)
			t.Setenv("USERPROFILE", home)
			for k, v := range tt.env {
				t.Setenv(k, v)
			}
			if tt.cli != "" {
				writeFile(t, filepath.Join(home, ".aliyun", "config.json"), tt.cli)
			}
			if tt.ini != "" {
				writeFile(t, filepath.Join(home, ".alibabacloud", "credentials"), tt.ini)
			}
			chain := NewDefaultChain()
			creds, err := chain.Retrieve(context.Background())
			if tt.wantErr != nil {
				assertErr(t, err, chain, false, tt.wantErr...)
				return
			}
			if err != nil || creds.AccessKeyID != tt.wantID {
				t.Fatalf("got %v, %v; want %s", creds, err, tt.wantID)
			}
		})
	}
}

func TestChainBrokenProviderStops(t *testing.T) {
	broken := errors.New("config is broken")
	a := newCounting("a", notFound("a has nothing"))
	b := newCounting("b", func() (Credentials, error) { return Credentials{}, broken })
	c := newCounting("c", found("C"))
	_, err := NewChainProvider(a, b, c).Retrieve(context.Background())
	if !errors.Is(err, broken) || errors.Is(err, ErrNoCredentials) {
		t.Errorf("err = %v, want the broken error and not ErrNoCredentials", err)
	}
	if c.calls.Load() != 0 {
		t.Errorf("c called %d times after a broken provider", c.calls.Load())
	}

	empty := newCounting("empty", func() (Credentials, error) { return Credentials{AccessKeyID: "x"}, nil })
	_, err = NewChainProvider(empty, c).Retrieve(context.Background())
	if err == nil || !strings.Contains(err.Error(), "empty returned credentials without an AccessKey secret") {
		t.Errorf("err = %v, want complaint about empty secret", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = NewChainProvider(c).Retrieve(ctx)
	if !errors.Is(err, context.Canceled) || c.calls.Load() != 0 {
		t.Errorf("err = %v (c calls %d), want context.Canceled before any call", err, c.calls.Load())
	}
}

func TestChainConcurrent(t *testing.T) {
	leakcheck.Check(t)
	a := newCounting("a", notFound("nothing"))
	b := newCounting("b", found("B"))
	chain := NewChainProvider(a, b)
	var wg sync.WaitGroup
	for range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if creds, err := chain.Retrieve(context.Background()); err != nil || creds.AccessKeyID != "B" {
				t.Errorf("got %v, %v", creds, err)
			}
		}()
	}
	wg.Wait()
}
