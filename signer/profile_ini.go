package signer

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

const iniSource = "ini profile"

// iniTypes are the profile types Alibaba's SDKs accept in the shared
// credentials file; only access_key is supported here, the others are named
// in errors.
var iniTypes = []string{
	"access_key", "sts", "ecs_ram_role", "ram_role_arn", "oidc_role_arn",
	"rsa_key_pair", "bearer", "credentials_uri", "chainable_ram_role_arn",
}

// iniProfileProvider reads the shared credentials file on every Retrieve.
type iniProfileProvider struct{ cfg profileConfig }

// NewINIProfileProvider returns a provider that reads a section of the
// shared credentials file of Alibaba's SDKs each time Retrieve is called.
// The file is WithProfileFile's, else $ALIBABA_CLOUD_CREDENTIALS_FILE, else
// ~/.alibabacloud/credentials (the Go SDKs' name) or, if that does not
// exist, ~/.alibabacloud/credentials.ini (the name the Python, Java and PHP
// SDKs document). The section is WithProfileName's, else
// $ALIBABA_CLOUD_PROFILE, else "default".
//
// Only "type = access_key" sections (access_key_id, access_key_secret) are
// supported; any other type is an error saying so. The file may hold
// comments starting with # or ; (whole-line, or inline after a space),
// blank lines, "key = value" or "key: value" lines and values in single or
// double quotes.
//
// A missing file or section is an error that wraps ErrNoCredentials; a
// malformed line, a missing or unsupported type or a missing key is an error
// that does not. Errors name the file, the profile and the line number but
// never a value read from the file.
func NewINIProfileProvider(opts ...ProfileOption) CredentialsProvider {
	return &iniProfileProvider{cfg: newProfileConfig(opts)}
}

// paths returns the candidate files in order.
func (p *iniProfileProvider) paths() ([]string, error) {
	var home string
	path, err := p.cfg.filePath(iniSource, "ALIBABA_CLOUD_CREDENTIALS_FILE", func(h string) string {
		home = h
		return filepath.Join(h, ".alibabacloud", "credentials")
	})
	if err != nil || home == "" {
		return []string{path}, err
	}
	return []string{path, path + ".ini"}, nil
}

func (p *iniProfileProvider) profile() string {
	if name := p.cfg.profileName(); name != "" {
		return name
	}
	return "default"
}

// Retrieve reads the credentials from the selected section.
func (p *iniProfileProvider) Retrieve(context.Context) (Credentials, error) {
	paths, err := p.paths()
	if err != nil {
		return Credentials{}, err
	}
	name := p.profile()
	var data []byte
	var path string
	for _, path = range paths {
		data, err = readProfileFile(iniSource, path, name)
		if err == nil || !errors.Is(err, ErrNoCredentials) {
			break
		}
	}
	if err != nil {
		if len(paths) > 1 && errors.Is(err, ErrNoCredentials) {
			return Credentials{}, &sourceError{source: iniSource, profile: name, notFound: true, cause: err,
				msg: "neither " + strings.Join(paths, " nor ") + " exists"}
		}
		return Credentials{}, err
	}
	fail := func(msg string, notFound bool) (Credentials, error) {
		return Credentials{}, &sourceError{source: iniSource, path: path, profile: name, msg: msg, notFound: notFound}
	}
	sections, err := parseINI(data)
	if err != nil {
		return fail(err.Error(), false)
	}
	sec, ok := sections[name]
	if !ok {
		return fail("no such section in the file", true)
	}
	switch t := sec["type"]; t {
	case "access_key":
	case "":
		return fail("section has no type", false)
	default:
		return fail(describeKind("type", t, iniTypes)+" not supported by this provider (only access_key)", false)
	}
	id, secret := sec["access_key_id"], sec["access_key_secret"]
	if missing := missingFields("access_key_id", id, "access_key_secret", secret); len(missing) > 0 {
		return fail(fmt.Sprintf("type access_key requires %s, which is missing or empty", strings.Join(missing, " and ")), false)
	}
	return Credentials{AccessKeyID: id, AccessKeySecret: secret}, nil
}

// String returns "ini-profile(path,profile)"; path is the first file tried.
func (p *iniProfileProvider) String() string {
	paths, err := p.paths()
	path := paths[0]
	if err != nil {
		path = "~/.alibabacloud/credentials"
	}
	return "ini-profile(" + path + "," + p.profile() + ")"
}

// Format prints String for every verb.
func (p *iniProfileProvider) Format(f fmt.State, verb rune) { formatAs(f, verb, p.String()) }

// iniSections maps section name to key to value. Keys that come before the
// first section header are kept under "".
type iniSections map[string]map[string]string

// parseINI parses the subset of INI the credentials file uses. Its errors
// give a line number and never the line's text. Later keys and repeated
// sections override and merge into earlier ones.
func parseINI(data []byte) (iniSections, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	sections := iniSections{}
	cur := ""
	for i, line := range strings.Split(string(data), "\n") {
		n := i + 1
		line = strings.TrimSpace(line)
		if line == "" || isINIComment(line) {
			continue
		}
		if line[0] == '[' {
			end := strings.IndexByte(line, ']')
			if end < 0 {
				return nil, fmt.Errorf("line %d: section header has no closing ]", n)
			}
			if rest := strings.TrimSpace(line[end+1:]); rest != "" && !isINIComment(rest) {
				return nil, fmt.Errorf("line %d: unexpected text after the section header", n)
			}
			cur = strings.TrimSpace(line[1:end])
			if cur == "" {
				return nil, fmt.Errorf("line %d: empty section name", n)
			}
			if sections[cur] == nil {
				sections[cur] = map[string]string{}
			}
			continue
		}
		eq := strings.IndexAny(line, "=:")
		if eq < 0 {
			return nil, fmt.Errorf("line %d: expected [section] or key = value", n)
		}
		key := strings.TrimSpace(line[:eq])
		if key == "" {
			return nil, fmt.Errorf("line %d: missing key before =", n)
		}
		val, err := iniValue(strings.TrimSpace(line[eq+1:]))
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", n, err)
		}
		if sections[cur] == nil {
			sections[cur] = map[string]string{}
		}
		sections[cur][key] = val
	}
	return sections, nil
}

func isINIComment(s string) bool { return s[0] == '#' || s[0] == ';' }

// iniValue unquotes a value and drops an inline comment. An unquoted value's
// comment must follow whitespace, so a value may contain # or ; itself.
func iniValue(v string) (string, error) {
	if v != "" && (v[0] == '"' || v[0] == '\'') {
		end := strings.IndexByte(v[1:], v[0])
		if end < 0 {
			return "", errors.New("quoted value has no closing quote")
		}
		if rest := strings.TrimSpace(v[end+2:]); rest != "" && !isINIComment(rest) {
			return "", errors.New("unexpected text after the quoted value")
		}
		return v[1 : end+1], nil
	}
	for i := 1; i < len(v); i++ {
		if (v[i] == '#' || v[i] == ';') && (v[i-1] == ' ' || v[i-1] == '\t') {
			return strings.TrimSpace(v[:i]), nil
		}
	}
	return v, nil
}
