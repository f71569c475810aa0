// Package demo connects the example programs to the real service when
// credentials are configured, and otherwise to an in-process livetest server
// with generated demo data, so that every example runs with no set-up.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/signer"
)

// AppIDEnv names the environment variable holding the application to query
// against the real service.
const AppIDEnv = "LIVEMPU_APP_ID"

// Session is a client and the application to query with it.
type Session struct {
	// Client calls the real service or the demo server.
	Client *livempu.Client
	// AppID is the application the example queries.
	AppID string
	// Server is the demo server, or nil against the real service.
	Server *livetest.Server
}

// Close stops the demo server, if any.
func (s *Session) Close() {
	if s.Server != nil {
		s.Server.Close()
	}
}

// RegionEnv names the environment variable holding the API region to call
// (livempu.WithRegion), e.g. ap-southeast-1; unset means the default
// endpoint.
const RegionEnv = "LIVEMPU_REGION"

// Connect returns a session on the real service when the default credential
// chain finds credentials (environment or Alibaba's profile files) and
// LIVEMPU_APP_ID is set; otherwise it starts a livetest server with demo
// data and says so on w. The credentials are looked for once, at start-up,
// with Client.CheckCredentials: a broken configuration fails here, with its
// reason, not at the first call.
func Connect(ctx context.Context, w io.Writer, opts ...livempu.Option) (*Session, error) {
	real := opts
	if region := os.Getenv(RegionEnv); region != "" {
		real = append([]livempu.Option{livempu.WithRegion(region)}, opts...)
	}
	c, err := livempu.NewClient(real...)
	if err != nil {
		return nil, err
	}
	err = c.CheckCredentials(ctx)
	switch {
	case err == nil:
		appID := os.Getenv(AppIDEnv)
		if appID == "" {
			return nil, fmt.Errorf("credentials found: set %s to the application to query", AppIDEnv)
		}
		return &Session{Client: c, AppID: appID}, nil
	case errors.Is(err, signer.ErrNoCredentials):
		srv := livetest.NewServer(nil, livetest.WithGenerated(230, 1500, 7))
		fmt.Fprintf(w, "No Alibaba Cloud credentials found: using an in-process livetest server with demo data at %s.\n\n", srv.URL())
		c := srv.Client(opts...)
		return &Session{Client: c, AppID: livetest.DemoAppID, Server: srv}, nil
	default:
		return nil, err
	}
}
