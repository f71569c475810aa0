package signer

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const cliSource = "cli profile"

// cliModes are the profile modes of the aliyun CLI; only AK and StsToken are
// supported here, the others are named in errors.
var cliModes = []string{
	"AK", "StsToken", "RamRoleArn", "EcsRamRole", "RsaKeyPair", "RamRoleArnWithRoleName",
	"ChainableRamRoleArn", "OIDC", "CloudSSO", "OAuth", "External", "CredentialsURI", "BearerToken",
}

// cliConfig is the part of the aliyun CLI's config.json this package reads.
type cliConfig struct {
	Current  string       `json:"current"`
	Profiles []cliProfile `json:"profiles"`
}

type cliProfile struct {
	Name            string `json:"name"`
	Mode            string `json:"mode"`
	AccessKeyID     string `json:"access_key_id"`
	AccessKeySecret string `json:"access_key_secret"`
	StsToken        string `json:"sts_token"`
}

// cliProfileProvider reads the aliyun CLI's config file, again whenever it
// changes.
type cliProfileProvider struct {
	cfg  profileConfig
	file profileFile
}

// NewCLIProfileProvider returns a provider that reads a profile of the aliyun
// CLI's JSON configuration. The file is WithProfileFile's, else
// $ALIBABA_CLOUD_CONFIG_FILE, else ~/.aliyun/config.json. The profile is
// WithProfileName's, else $ALIBABA_CLOUD_PROFILE, else the file's
// "current", else "default". The environment is read on every Retrieve, and
// so is the file whenever it changed since it was last read (Retrieve stats
// it to find out): credentials rotated in the file are used from the next
// Retrieve on. The provider is an Invalidator: after Invalidate with the
// credentials it returned, the next Retrieve reads the file even if its stat
// looks unchanged.
//
// Profiles of mode "AK" (access_key_id, access_key_secret) and "StsToken"
// (the same plus sts_token) are supported; any other mode is an error saying
// so. A UTF-8 byte-order mark before the JSON is ignored. Setting
// ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true disables the provider.
//
// A disabled provider, a missing file and a missing profile are errors that
// wrap ErrNoCredentials; malformed JSON, an unsupported mode or a missing
// field are errors that do not. Errors name the file and the profile but
// never a value read from the file.
func NewCLIProfileProvider(opts ...ProfileOption) CredentialsProvider {
	return &cliProfileProvider{cfg: newProfileConfig(opts)}
}

func (p *cliProfileProvider) path() (string, error) {
	return p.cfg.filePath(cliSource, "ALIBABA_CLOUD_CONFIG_FILE", func(home string) string {
		return filepath.Join(home, ".aliyun", "config.json")
	})
}

// Retrieve returns the credentials of the selected profile, reading the
// file again if it changed.
func (p *cliProfileProvider) Retrieve(context.Context) (Credentials, error) {
	if strings.EqualFold(os.Getenv("ALIBABA_CLOUD_CLI_PROFILE_DISABLED"), "true") {
		return Credentials{}, &sourceError{source: cliSource, msg: "disabled by ALIBABA_CLOUD_CLI_PROFILE_DISABLED=true", notFound: true}
	}
	path, err := p.path()
	if err != nil {
		return Credentials{}, err
	}
	name := p.cfg.profileName()
	info, err := p.file.stat(cliSource, path, name)
	if err != nil {
		return Credentials{}, err
	}
	if r, ok := p.file.cached(path, name, info); ok {
		return r.creds, r.err
	}
	data, info, err := p.file.read(cliSource, path, name)
	if err != nil {
		return Credentials{}, err
	}
	creds, err := parseCLIProfile(data, path, name)
	p.file.remember(path, name, info, creds, err)
	return creds, err
}

// Invalidate makes the next Retrieve read the file again if the last read
// returned rejected. It implements Invalidator.
func (p *cliProfileProvider) Invalidate(rejected Credentials) { p.file.invalidate(rejected) }

// parseCLIProfile returns the credentials of profile name (or of the file's
// current profile when name is empty) in the config file data read from
// path.
func parseCLIProfile(data []byte, path, name string) (Credentials, error) {
	var conf cliConfig
	if err := json.Unmarshal(bytes.TrimPrefix(data, utf8BOM), &conf); err != nil {
		return Credentials{}, &sourceError{source: cliSource, path: path, profile: name, msg: describeJSONError(err)}
	}
	if name == "" {
		name = conf.Current
	}
	if name == "" {
		name = "default"
	}
	fail := func(msg string, notFound bool) (Credentials, error) {
		return Credentials{}, &sourceError{source: cliSource, path: path, profile: name, msg: msg, notFound: notFound}
	}
	var prof *cliProfile
	for i := range conf.Profiles {
		if conf.Profiles[i].Name == name {
			prof = &conf.Profiles[i]
			break
		}
	}
	if prof == nil {
		return fail("no such profile in the file", true)
	}
	var missing []string
	switch prof.Mode {
	case "AK":
		missing = missingFields("access_key_id", prof.AccessKeyID, "access_key_secret", prof.AccessKeySecret)
	case "StsToken":
		missing = missingFields("access_key_id", prof.AccessKeyID, "access_key_secret", prof.AccessKeySecret, "sts_token", prof.StsToken)
	case "":
		return fail("profile has no mode", false)
	default:
		return fail(describeKind("mode", prof.Mode, cliModes)+" not supported by this provider (only AK and StsToken)", false)
	}
	if len(missing) > 0 {
		return fail(fmt.Sprintf("mode %s requires %s, which is missing or empty", prof.Mode, strings.Join(missing, " and ")), false)
	}
	c := Credentials{AccessKeyID: prof.AccessKeyID, AccessKeySecret: prof.AccessKeySecret}
	if prof.Mode == "StsToken" {
		c.SecurityToken = prof.StsToken
	}
	return c, nil
}

// String returns "cli-profile(path)" or "cli-profile(path,profile)" when the
// profile is chosen by option or environment rather than by the file.
func (p *cliProfileProvider) String() string {
	path, err := p.path()
	if err != nil {
		path = "~/.aliyun/config.json"
	}
	if name := p.cfg.profileName(); name != "" {
		return "cli-profile(" + path + "," + name + ")"
	}
	return "cli-profile(" + path + ")"
}

// Format prints String for every verb.
func (p *cliProfileProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }
