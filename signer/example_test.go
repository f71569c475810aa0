package signer_test

import (
	"errors"
	"fmt"

	"github.com/livempu/livempu-go/signer"
)

// A token read from a file with its trailing newline is reported by field
// and kind of character, never by value.
func ExampleCredentials_Validate() {
	creds := signer.Credentials{AccessKeyID: "STS.ExampleKeyId", AccessKeySecret: "example-secret", SecurityToken: "example-token\n"}
	err := creds.Validate()
	fmt.Println(errors.Is(err, signer.ErrMalformedCredentials))
	fmt.Println(err)
	// Output:
	// true
	// signer: malformed credentials: SecurityToken has a line feed (U+000A) at the end (credentials are printable ASCII; check the source for a stray newline or space)
}
