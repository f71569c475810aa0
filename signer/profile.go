package signer

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
)

// ProfileOption configures NewCLIProfileProvider and NewINIProfileProvider.
type ProfileOption func(*profileConfig)

// profileConfig holds the options shared by the two profile providers. Empty
// fields mean "use the environment, then the default".
type profileConfig struct {
	file string
	name string
	home string
}

// WithProfileFile reads the given file instead of the one named by the
// environment (ALIBABA_CLOUD_CONFIG_FILE or ALIBABA_CLOUD_CREDENTIALS_FILE)
// or the default under the home directory. An empty path keeps the default.
func WithProfileFile(path string) ProfileOption {
	return func(c *profileConfig) { c.file = path }
}

// WithProfileName selects the profile (the INI section) instead of the one
// named by ALIBABA_CLOUD_PROFILE or the default. An empty name keeps the
// default.
func WithProfileName(name string) ProfileOption {
	return func(c *profileConfig) { c.name = name }
}

// withHomeDir sets the home directory under which the default files are
// looked for, instead of os.UserHomeDir, for tests.
func withHomeDir(dir string) ProfileOption {
	return func(c *profileConfig) { c.home = dir }
}

func newProfileConfig(opts []ProfileOption) profileConfig {
	var c profileConfig
	for _, o := range opts {
		if o != nil {
			o(&c)
		}
	}
	return c
}

// homeDir returns the configured home directory or the user's.
func (c profileConfig) homeDir() (string, error) {
	if c.home != "" {
		return c.home, nil
	}
	return os.UserHomeDir()
}

// profileName returns the profile chosen by option or ALIBABA_CLOUD_PROFILE,
// or "" when neither is set.
func (c profileConfig) profileName() string {
	if c.name != "" {
		return c.name
	}
	return os.Getenv("ALIBABA_CLOUD_PROFILE")
}

// filePath returns the file chosen by option, by the environment variable
// env, or the default home-relative path made by join. It fails, with
// ErrNoCredentials, only when the home directory is needed and unknown.
func (c profileConfig) filePath(source, env string, join func(home string) string) (string, error) {
	if c.file != "" {
		return c.file, nil
	}
	if v := os.Getenv(env); v != "" {
		return v, nil
	}
	home, err := c.homeDir()
	if err != nil {
		return "", &sourceError{source: source, msg: "cannot locate the home directory", notFound: true, cause: err}
	}
	return join(home), nil
}

// utf8BOM is the byte-order mark some Windows editors write at the start
// of a UTF-8 file; both profile readers ignore it.
var utf8BOM = []byte("\xef\xbb\xbf")

// describeJSONError explains a decoding failure without quoting the input:
// encoding/json's own messages can include a character or a number from it.
func describeJSONError(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("malformed JSON: syntax error at byte offset %d", se.Offset)
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("malformed JSON: field %s has the wrong type", te.Field)
	case errors.As(err, &te):
		return "malformed JSON: the file is not a JSON object"
	default:
		return "malformed JSON"
	}
}

// describeKind names a mode or type read from a file in an error message,
// but only if it is one of Alibaba's known names: an unknown value could be
// anything, including a misplaced secret, so it is not shown.
func describeKind(kind, value string, known []string) string {
	if slices.Contains(known, value) {
		return fmt.Sprintf("%s %q", kind, value)
	}
	return kind + " (unrecognised value not shown)"
}

// missingFields returns the names of the fields whose values are empty; the
// arguments alternate name, value.
func missingFields(nameValue ...string) []string {
	var missing []string
	for i := 0; i+1 < len(nameValue); i += 2 {
		if nameValue[i+1] == "" {
			missing = append(missing, nameValue[i])
		}
	}
	return missing
}
