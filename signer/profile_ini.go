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

// iniProfileProvider reads the shared credentials file, again whenever it
// changes.
type iniProfileProvider struct {
	cfg  profileConfig
	file profileFile
}

// NewINIProfileProvider returns a provider that reads a section of the
// shared credentials file of Alibaba's SDKs. The file is WithProfileFile's,
// else $ALIBABA_CLOUD_CREDENTIALS_FILE, else ~/.alibabacloud/credentials
// (the Go SDKs' name) or, if that does not exist,
// ~/.alibabacloud/credentials.ini (the name the Python, Java and PHP SDKs
// document). The section is WithProfileName's, else $ALIBABA_CLOUD_PROFILE,
// else "default". The environment is read on every Retrieve, and so is the
// file whenever it changed since it was last read (Retrieve stats it to find
// out): credentials rotated in the file are used from the next Retrieve on.
// The provider is an Invalidator: after Invalidate with the credentials it
// returned, the next Retrieve reads the file even if its stat looks
// unchanged.
//
// Only "type = access_key" sections (access_key_id, access_key_secret) are
// supported; any other type is an error saying so. The file may start with
// a UTF-8 byte-order mark and hold comments starting with # or ;
// (whole-line, or inline after a space), blank lines, "key = value" or
// "key: value" lines and values in single or double quotes.
//
// A missing file or section is an error that wraps ErrNoCredentials; a
// malformed line, a missing or unsupported type or a missing key is an error
// that does not. Errors name the file, the profile and the line number but
// never a value read from the file.
func NewINIProfileProvider(opts ...ProfileOption) CredentialsProvider {
	return &iniProfileProvider{cfg: newProfileConfig(opts)}
}

// path returns the file chosen by option or environment, or the default
// under the home directory; fallback reports the latter, which has the
// ".ini" name as a fallback.
func (p *iniProfileProvider) path() (path string, fallback bool, err error) {
	path, err = p.cfg.filePath(iniSource, "ALIBABA_CLOUD_CREDENTIALS_FILE", func(h string) string {
		fallback = true
		return filepath.Join(h, ".alibabacloud", "credentials")
	})
	return path, fallback, err
}

func (p *iniProfileProvider) profile() string {
	if name := p.cfg.profileName(); name != "" {
		return name
	}
	return "default"
}

// Retrieve returns the credentials of the selected section, reading the
// file again if it changed.
func (p *iniProfileProvider) Retrieve(context.Context) (Credentials, error) {
	path, fallback, err := p.path()
	if err != nil {
		return Credentials{}, err
	}
	name := p.profile()
	info, err := p.file.stat(iniSource, path, name)
	if fallback && errors.Is(err, ErrNoCredentials) {
		alt := path + ".ini"
		if info, err = p.file.stat(iniSource, alt, name); errors.Is(err, ErrNoCredentials) {
			return Credentials{}, &sourceError{source: iniSource, profile: name, notFound: true, cause: err,
				msg: "neither " + path + " nor " + alt + " exists"}
		}
		path = alt
	}
	if err != nil {
		return Credentials{}, err
	}
	if r, ok := p.file.cached(path, name, info); ok {
		return r.creds, r.err
	}
	data, info, err := p.file.read(iniSource, path, name)
	if err != nil {
		return Credentials{}, err
	}
	creds, err := parseINIProfile(data, path, name)
	p.file.remember(path, name, info, creds, err)
	return creds, err
}

// Invalidate makes the next Retrieve read the file again if the last read
// returned rejected. It implements Invalidator.
func (p *iniProfileProvider) Invalidate(rejected Credentials) { p.file.invalidate(rejected) }

// parseINIProfile returns the credentials of section name of the
// credentials file data read from path.
func parseINIProfile(data []byte, path, name string) (Credentials, error) {
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
	path, _, err := p.path()
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
	data = bytes.TrimPrefix(data, utf8BOM)
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
