package credentialsgo_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aliyun/credentials-go/credentials"
	"github.com/aliyun/credentials-go/credentials/providers"
	"github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/credentialsgo"
)

// Canaries shaped like real credentials: a 24-character AccessKey ID, a
// 30-character secret and an STS token of base64 characters.
const (
	canaryID     = "LTAI5tCanaryKeyId0123456"
	canarySecret = "Xy7CanarySecretMustNotLeak9Qz0"
	canaryToken  = "CAIS9gF1q6Ft5B2yfSjIr5bDLs3Yg+Canary/Token+MustNotLeak0zYWQ8kJ2pLr3=="
)

// TestUpstreamErrorsHideSecrets makes credentials-go fail in the ways whose
// messages quote what it read (a config.json it cannot parse, here because
// of the UTF-8 byte-order mark Windows editors write; a credentials server
// answer without an expiry) and checks that the error a client reports
// holds neither the secret nor the token, in any fmt verb.
func TestUpstreamErrorsHideSecrets(t *testing.T) {
	config := filepath.Join(t.TempDir(), "config.json")
	body := fmt.Sprintf("\xef\xbb\xbf{\"current\":\"default\",\"profiles\":[{\"name\":\"default\",\"mode\":\"StsToken\","+
		"\"access_key_id\":%q,\"access_key_secret\":%q,\"sts_token\":%q}]}", canaryID, canarySecret, canaryToken)
	if err := os.WriteFile(config, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	cli, err := providers.NewCLIProfileCredentialsProviderBuilder().WithProfileFile(config).Build()
	if err != nil {
		t.Fatal(err)
	}

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		// No Expiration: credentials-go refuses the answer and quotes it.
		fmt.Fprintf(w, `{"Code":"Success","AccessKeyId":%q,"AccessKeySecret":%q,"SecurityToken":%q}`, canaryID, canarySecret, canaryToken)
	}))
	defer srv.Close()
	uri, err := providers.NewURLCredentialsProviderBuilder().WithUrl(srv.URL).Build()
	if err != nil {
		t.Fatal(err)
	}

	for name, p := range map[string]providers.CredentialsProvider{"cli_profile": cli, "credentials_uri": uri} {
		c, err := livempu.NewClient(livempu.WithCredentialsProvider(credentialsgo.New(credentials.FromCredentialsProvider(name, p))))
		if err != nil {
			t.Fatal(err)
		}
		err = c.CheckCredentials(context.Background())
		if err == nil {
			t.Fatalf("%s: no error", name)
		}
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out := fmt.Sprintf(verb, err)
			for _, secret := range []string{canarySecret, canaryToken} {
				if strings.Contains(out, secret) {
					t.Errorf("%s: %s of the error holds a secret: %s", name, verb, out)
				}
			}
		}
		if !strings.Contains(err.Error(), "credentials-go: getting credentials:") {
			t.Errorf("%s: error %q does not say where it failed", name, err)
		}
	}
}
