package signer

import (
	"context"
	"fmt"
	"os"
	"strings"
)

// envNames is one set of environment variable names for an AccessKey pair
// and its optional STS token(s), the first non-empty token variable winning.
type envNames struct {
	id, secret string
	tokens     []string
}

// envSets are tried in order; the first set whose ID variable is non-empty
// is used. The current names come first, then the older ones that Alibaba's
// SDKs, the aliyun CLI and Terraform still read.
var envSets = []envNames{
	{"ALIBABA_CLOUD_ACCESS_KEY_ID", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", []string{"ALIBABA_CLOUD_SECURITY_TOKEN"}},
	{"ALIBABA_CLOUD_ACCESS_KEY_Id", "ALIBABA_CLOUD_ACCESS_KEY_SECRET", []string{"ALIBABA_CLOUD_SECURITY_TOKEN"}},
	{"ALIBABACLOUD_ACCESS_KEY_ID", "ALIBABACLOUD_ACCESS_KEY_SECRET", []string{"ALIBABACLOUD_SECURITY_TOKEN"}},
	{"ALICLOUD_ACCESS_KEY_ID", "ALICLOUD_ACCESS_KEY_SECRET", nil},
	{"ALICLOUD_ACCESS_KEY", "ALICLOUD_SECRET_KEY", []string{"ALICLOUD_SECURITY_TOKEN", "ALICLOUD_ACCESS_KEY_STS_TOKEN"}},
}

// envProvider reads the environment on every Retrieve.
type envProvider struct{}

// NewEnvProvider returns a provider that reads the environment each time
// Retrieve is called. It uses ALIBABA_CLOUD_ACCESS_KEY_ID,
// ALIBABA_CLOUD_ACCESS_KEY_SECRET and the optional
// ALIBABA_CLOUD_SECURITY_TOKEN; if that ID is unset it tries, in order, the
// older names Alibaba's tools still honour: ALIBABA_CLOUD_ACCESS_KEY_Id (sic,
// with the same secret and token variables);
// ALIBABACLOUD_ACCESS_KEY_ID/ALIBABACLOUD_ACCESS_KEY_SECRET/ALIBABACLOUD_SECURITY_TOKEN;
// ALICLOUD_ACCESS_KEY_ID/ALICLOUD_ACCESS_KEY_SECRET; and
// ALICLOUD_ACCESS_KEY/ALICLOUD_SECRET_KEY with ALICLOUD_SECURITY_TOKEN or
// ALICLOUD_ACCESS_KEY_STS_TOKEN.
//
// The first set whose ID variable is non-empty is used. An ID whose secret
// variable is empty, or a secret with none of its ID variables set, is an
// error naming the missing variable. When none of the variables is set the
// error wraps ErrNoCredentials and lists the names looked at.
func NewEnvProvider() CredentialsProvider { return &envProvider{} }

// Retrieve reads the credentials from the environment.
func (p *envProvider) Retrieve(context.Context) (Credentials, error) {
	for _, s := range envSets {
		id := os.Getenv(s.id)
		if id == "" {
			continue
		}
		secret := os.Getenv(s.secret)
		if secret == "" {
			return Credentials{}, &sourceError{source: "env", msg: fmt.Sprintf("%s is set but %s is not", s.id, s.secret)}
		}
		c := Credentials{AccessKeyID: id, AccessKeySecret: secret}
		for _, t := range s.tokens {
			if v := os.Getenv(t); v != "" {
				c.SecurityToken = v
				break
			}
		}
		return c, nil
	}
	// No ID is set. A lone secret is a mistake worth reporting rather than
	// "not configured".
	for _, s := range envSets {
		if os.Getenv(s.secret) == "" {
			continue
		}
		var ids []string
		for _, o := range envSets {
			if o.secret == s.secret {
				ids = append(ids, o.id)
			}
		}
		return Credentials{}, &sourceError{source: "env", msg: fmt.Sprintf("%s is set but %s is not", s.secret, strings.Join(ids, " or "))}
	}
	return Credentials{}, errEnvNotSet
}

// errEnvNotSet is the error of an environment without credentials, made
// once: a chain that falls through the environment meets it on every
// attempt.
var errEnvNotSet error = func() error {
	names := make([]string, len(envSets))
	for i, s := range envSets {
		names[i] = s.id + "/" + s.secret
	}
	return &sourceError{source: "env", notFound: true,
		msg: "none of the variables " + strings.Join(names, ", ") + " is set"}
}()

// String returns "env".
func (p *envProvider) String() string { return "env" }

// Format prints String for every verb.
func (p *envProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
