package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"iter"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strings"
	"time"

	livempu "github.com/livempu/livempu-go"
	"github.com/livempu/livempu-go/livetest"
	"github.com/livempu/livempu-go/pager"
	"github.com/livempu/livempu-go/signer"
)

// Exit codes a script can rely on.
const (
	exitOK          = 0   // everything was listed
	exitFailure     = 1   // API, network, credentials or output error
	exitUsage       = 2   // bad command line; nothing was sent
	exitInterrupted = 130 // SIGINT; what was listed so far was flushed
)

// version is the tool's version: the SDK's, since they ship together.
const version = livempu.SDKVersion

// endpointEnv names the environment variable that, when set, replaces
// livempu.DefaultEndpoint as the default of --endpoint.
const endpointEnv = "LIVEMPU_ENDPOINT"

// Demo data sizes: enough tasks for three pages, and records spread over
// seven days, so that --since 6h has a couple of hundred.
const (
	demoTasks   = 250
	demoRecords = 5000
	demoSeed    = 1
)

// env is what a command runs with: the process's streams and environment,
// whether they are terminals, and the clock.
type env struct {
	stdin     io.Reader
	stdout    io.Writer
	stderr    io.Writer
	getenv    func(string) string
	stdoutTTY bool // default to a table, not NDJSON
	stderrTTY bool // draw the progress line
	now       func() time.Time
}

// run runs the livempu command line args (without the program name) and
// returns the exit status. Data goes to stdout only; every diagnostic goes
// to stderr. getenv is used for the tool's own variables (LIVEMPU_ENDPOINT,
// TERM); the credentials chain reads the process environment itself. stdin
// is not read by any command today.
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) int {
	if getenv == nil {
		getenv = func(string) string { return "" }
	}
	e := &env{
		stdin:     stdin,
		stdout:    stdout,
		stderr:    stderr,
		getenv:    getenv,
		stdoutTTY: isTerminal(stdout),
		stderrTTY: isTerminal(stderr) && getenv("TERM") != "dumb",
		now:       time.Now,
	}
	return e.main(ctx, args)
}

// main dispatches to the command named by args[0].
func (e *env) main(ctx context.Context, args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stderr, mainHelp)
		return exitUsage
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "tasks":
		return e.tasks(ctx, rest)
	case "events":
		return e.events(ctx, rest)
	case "version", "-version", "--version":
		return e.version(rest)
	case "help", "-h", "-help", "--help":
		return e.help(rest)
	default:
		if strings.HasPrefix(cmd, "-") {
			return e.mainUsageError(fmt.Sprintf("flag %s before the command: flags go after it, as in livempu tasks %s", cmd, cmd))
		}
		return e.mainUsageError(fmt.Sprintf("unknown command %q", cmd))
	}
}

// mainHelp is the top-level help.
const mainHelp = `livempu lists ApsaraVideo Live mixed-stream relay (MPU) tasks and their
callback records, for shells and scripts.

Usage:
  livempu <command> [flags]

Commands:
  tasks     list every relay task of an application, or one task
  events    list the callback records of a time window (the last 7 days at most)
  version   print the version
  help      print the help of a command

Data goes to stdout: NDJSON (one JSON object per line) when stdout is not a
terminal, an aligned table when it is; --output chooses ndjson, json, table or
csv. Diagnostics go to stderr. In CSV, a cell that begins with =, +, -, @, a
tab or a carriage return gets a leading ' so that a spreadsheet shows it as
text instead of running it as a formula (numbers such as -1 are left as they
are); use ndjson or json for the values exactly as the service sent them.

Exit status: 0 success, 1 API or network error, 2 usage error, 130 interrupted.

Credentials: the environment (ALIBABA_CLOUD_ACCESS_KEY_ID,
ALIBABA_CLOUD_ACCESS_KEY_SECRET, ALIBABA_CLOUD_SECURITY_TOKEN), then the aliyun
CLI's ~/.aliyun/config.json, then ~/.alibabacloud/credentials; the profile is
$ALIBABA_CLOUD_PROFILE's, or --profile's. Try it without an account: --demo.

Endpoint: live.aliyuncs.com, which most regions share; --region picks a
region's own (ap-southeast-1, eu-central-1), --vpc its VPC endpoint.

Examples:
  livempu tasks --app-id myapp | jq -r .TaskId
  livempu events --app-id myapp --since 6h --failed --output table
  livempu tasks --demo

Run "livempu help <command>" (or "livempu <command> --help") for its flags.
`

// mainUsageError reports a bad top-level command line: the reason, and
// where the help is (the whole help would bury the reason).
func (e *env) mainUsageError(msg string) int {
	fmt.Fprintf(e.stderr, "livempu: %s\n%s\n", msg, helpHint("livempu help"))
	return exitUsage
}

// helpHint is the line after a usage error saying how to get the help.
func helpHint(command string) string {
	return fmt.Sprintf("Run %q for usage.", command)
}

// help prints the top-level help, or a command's, on stdout.
func (e *env) help(args []string) int {
	if len(args) == 0 {
		fmt.Fprint(e.stdout, mainHelp)
		return exitOK
	}
	if len(args) > 1 {
		return e.mainUsageError("help takes at most one command")
	}
	switch args[0] {
	case "tasks":
		fs, _ := newTasksFlags(e.getenv)
		printCommandHelp(e.stdout, fs, tasksHelp)
	case "events":
		fs, _ := newEventsFlags(e.getenv)
		printCommandHelp(e.stdout, fs, eventsHelp)
	case "version":
		fmt.Fprint(e.stdout, versionHelp)
	case "help":
		fmt.Fprint(e.stdout, mainHelp)
	default:
		return e.mainUsageError(fmt.Sprintf("unknown command %q", args[0]))
	}
	return exitOK
}

// versionHelp is the help of the version command.
const versionHelp = `Usage: livempu version

Prints the tool's version, the Go version and the platform.

Example:
  livempu version
`

// version prints the version on stdout.
func (e *env) version(args []string) int {
	if len(args) > 0 {
		if args[0] == "-h" || args[0] == "-help" || args[0] == "--help" {
			fmt.Fprint(e.stdout, versionHelp)
			return exitOK
		}
		fmt.Fprintf(e.stderr, "livempu version: unexpected argument %q\n%s\n", args[0], helpHint("livempu help version"))
		return exitUsage
	}
	fmt.Fprintf(e.stdout, "livempu %s (%s %s/%s)\n", version, runtime.Version(), runtime.GOOS, runtime.GOARCH)
	return exitOK
}

// printCommandHelp writes a command's help text followed by its flags.
func printCommandHelp(w io.Writer, fs *flag.FlagSet, text string) {
	fmt.Fprint(w, text)
	fmt.Fprint(w, "\nFlags:\n")
	fs.SetOutput(w)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
}

// commandUsageError reports a bad command line for a command on stderr:
// the message, then one line saying how to get the command's help.
func (e *env) commandUsageError(fs *flag.FlagSet, msg string) int {
	fmt.Fprintf(e.stderr, "livempu %s: %s\n%s\n", fs.Name(), msg, helpHint("livempu "+fs.Name()+" --help"))
	return exitUsage
}

// parseFlags parses a command's flags. When parsing ends the command (help
// was asked for, or the command line is wrong) it returns the exit status
// and true.
func (e *env) parseFlags(fs *flag.FlagSet, text string, args []string) (int, bool) {
	fs.SetOutput(io.Discard)
	err := fs.Parse(args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		printCommandHelp(e.stdout, fs, text)
		return exitOK, true
	case err != nil:
		return e.commandUsageError(fs, err.Error()), true
	case fs.NArg() > 0:
		return e.commandUsageError(fs, fmt.Sprintf("unexpected argument %q (every value is given by a flag)", fs.Arg(0))), true
	}
	return 0, false
}

// Output formats.
const (
	formatNDJSON = "ndjson"
	formatJSON   = "json"
	formatTable  = "table"
	formatCSV    = "csv"
)

// commonOptions are the flags every listing command takes.
type commonOptions struct {
	appID      string
	output     string
	maxItems   int
	pageSize   int
	prefetch   int
	endpoint   string
	region     string
	vpc        bool
	profile    string
	sigVersion string
	timeout    time.Duration
	debug      bool
	demo       bool
	insecure   bool

	set map[string]bool // flags given on the command line
}

// maxPrefetch bounds --prefetch: more pages in flight than this only wait on
// the client-side rate limiter.
const maxPrefetch = 16

// register defines the common flags on fs.
func (o *commonOptions) register(fs *flag.FlagSet, getenv func(string) string) {
	endpoint := livempu.DefaultEndpoint
	if v := strings.TrimSpace(getenv(endpointEnv)); v != "" {
		endpoint = v
	}
	fs.StringVar(&o.appID, "app-id", "", "application `ID` (required, except with --demo)")
	fs.StringVar(&o.output, "output", "", "output `format`: ndjson, json, table or csv (default table on a terminal, ndjson otherwise)")
	fs.StringVar(&o.output, "o", "", "shorthand for --output `format`")
	fs.IntVar(&o.maxItems, "max-items", 0, "stop after `n` items are written (0: no limit)")
	fs.IntVar(&o.pageSize, "page-size", livempu.MaxPageSize, "items per request, 1 to 100")
	fs.IntVar(&o.prefetch, "prefetch", 0, "pages requested ahead of the one being written, 0 to 16 (faster long walks; a walk may then make that many requests more)")
	fs.StringVar(&o.endpoint, "endpoint", endpoint, "API endpoint `URL` or host, for hosts --region does not know ($"+endpointEnv+" sets the default); http:// only to this machine, unless --insecure-http")
	fs.StringVar(&o.region, "region", "", "API region `ID` whose published endpoint to use, e.g. ap-southeast-1 (Singapore) or eu-central-1 (Frankfurt); most regions share the default endpoint")
	fs.BoolVar(&o.vpc, "vpc", false, "use the region's VPC endpoint, from inside an Alibaba Cloud VPC (cn-shanghai, ap-southeast-1, me-central-1)")
	fs.StringVar(&o.profile, "profile", "", "credentials profile `name` in ~/.aliyun/config.json or ~/.alibabacloud/credentials; the environment's keys are then ignored")
	fs.StringVar(&o.sigVersion, "signature-version", "v3", "request signature: v3 (ACS3-HMAC-SHA256) or v1 (HMAC-SHA1)")
	fs.DurationVar(&o.timeout, "timeout", 0, "give up after this `duration`, e.g. 2m (0: no limit)")
	fs.BoolVar(&o.debug, "debug", false, "log every HTTP attempt on stderr (never a secret)")
	fs.BoolVar(&o.insecure, "insecure-http", false, "UNSAFE: allow a plain http:// --endpoint on a host other than this machine; signed requests and any STS token then cross the network unencrypted (only for a test server on a private network)")
	fs.BoolVar(&o.demo, "demo", false, "list generated demo data (application "+livetest.DemoAppID+") from an embedded fake server: no account needed, nothing sent")
}

// check validates the common flags after parsing and fills in the output
// format and the demo application. It returns a usage message, or "".
func (o *commonOptions) check(fs *flag.FlagSet, stdoutTTY bool) string {
	o.set = map[string]bool{}
	fs.Visit(func(f *flag.Flag) { o.set[f.Name] = true })
	o.output = strings.ToLower(strings.TrimSpace(o.output))
	switch o.output {
	case "":
		o.output = formatNDJSON
		if stdoutTTY {
			o.output = formatTable
		}
	case formatNDJSON, formatJSON, formatTable, formatCSV:
	case "jsonl":
		o.output = formatNDJSON
	default:
		return fmt.Sprintf("--output %q: want ndjson, json, table or csv", o.output)
	}
	switch {
	case o.pageSize < 1 || o.pageSize > livempu.MaxPageSize:
		return fmt.Sprintf("--page-size %d: want 1 to %d", o.pageSize, livempu.MaxPageSize)
	case o.maxItems < 0:
		return fmt.Sprintf("--max-items %d: must not be negative", o.maxItems)
	case o.prefetch < 0 || o.prefetch > maxPrefetch:
		return fmt.Sprintf("--prefetch %d: want 0 to %d", o.prefetch, maxPrefetch)
	case o.timeout < 0:
		return fmt.Sprintf("--timeout %v: must not be negative", o.timeout)
	}
	if _, ok := parseSignatureVersion(o.sigVersion); !ok {
		return fmt.Sprintf("--signature-version %q: want v3 or v1", o.sigVersion)
	}
	if o.set["endpoint"] && (o.set["region"] || o.vpc) {
		return "--endpoint cannot be combined with --region or --vpc: give the host, or the region"
	}
	if o.demo {
		if o.set["endpoint"] || o.set["profile"] || o.insecure || o.set["region"] || o.vpc {
			return "--demo uses an embedded server: it cannot be combined with --endpoint, --region, --vpc, --profile or --insecure-http"
		}
		if o.appID == "" {
			o.appID = livetest.DemoAppID
		}
		if o.appID != livetest.DemoAppID {
			return fmt.Sprintf("--app-id %q: the demo has only the application %s (omit --app-id with --demo)", o.appID, livetest.DemoAppID)
		}
	}
	if o.appID == "" {
		return "--app-id is required"
	}
	return ""
}

// parseSignatureVersion maps "v3" and "v1" (any case, "v" optional) to
// their signer.Version.
func parseSignatureVersion(s string) (signer.Version, bool) {
	switch strings.TrimPrefix(strings.ToLower(strings.TrimSpace(s)), "v") {
	case "3":
		return signer.V3, true
	case "1":
		return signer.V1, true
	}
	return 0, false
}

// endpointError is a connect error caused by the command line (an invalid
// --endpoint, --region or --vpc), which is a usage error.
type endpointError struct {
	flag string // "--endpoint" or "$LIVEMPU_ENDPOINT", or "" when the message names the flags
	err  error
}

// Error returns the SDK's message in terms of the flags.
func (e *endpointError) Error() string {
	msg := optionsAsFlags.Replace(strings.TrimPrefix(e.err.Error(), "livempu: "))
	if e.flag != "" {
		msg = e.flag + ": " + msg
	}
	return msg
}

// optionsAsFlags names the SDK options of an error message by the flags
// that set them.
var optionsAsFlags = strings.NewReplacer("WithEndpoint", "--endpoint", "WithRegion", "--region", "WithVPC", "--vpc")

// connect returns the API to call and a function that releases it: a client
// of an embedded livetest server with --demo, else a client of the endpoint
// (--endpoint's, or --region's and --vpc's, which then win over
// $LIVEMPU_ENDPOINT) with credentials from the environment and profile files
// (or only from the profile named by --profile), checked before the first
// request so that a missing key is reported before any output.
func (e *env) connect(ctx context.Context, o *commonOptions) (livempu.API, func(), error) {
	v, _ := parseSignatureVersion(o.sigVersion)
	opts := []livempu.Option{
		livempu.WithSignatureVersion(v),
		livempu.WithUserAgent("livempu-cli/" + version),
	}
	if o.debug {
		opts = append(opts, livempu.WithLogger(slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))))
	}
	if o.demo {
		srv := livetest.NewServer(nil, livetest.WithGenerated(demoTasks, demoRecords, demoSeed))
		opts = append([]livempu.Option{
			livempu.WithEndpoint(srv.URL()),
			livempu.WithStaticCredentials(livetest.DemoAccessKeyID, livetest.DemoAccessKeySecret, ""),
		}, opts...)
		client, err := livempu.NewClient(opts...)
		if err != nil {
			srv.Close()
			return nil, nil, err
		}
		fmt.Fprintf(e.stderr, "livempu: --demo: listing generated DEMO DATA from an embedded fake server (application %s, subscriptions %s); nothing is sent to Alibaba Cloud.\n",
			livetest.DemoAppID, strings.Join(subscriptions(srv.Records()), " and "))
		return client, srv.Close, nil
	}
	var creds signer.CredentialsProvider = signer.NewDefaultChain()
	if o.profile != "" {
		creds = signer.NewChainProvider(
			signer.NewCLIProfileProvider(signer.WithProfileName(o.profile)),
			signer.NewINIProfileProvider(signer.WithProfileName(o.profile)))
	}
	// Not cached: a long walk sees a rotation.
	opts = append(opts, livempu.WithCredentialsProvider(creds))
	blame := "" // the flag an invalid endpoint comes from, when the message does not name it
	if o.set["region"] || o.vpc {
		if o.set["region"] {
			opts = append(opts, livempu.WithRegion(o.region))
		}
		if o.vpc {
			opts = append(opts, livempu.WithVPC())
		}
	} else {
		blame = "--endpoint"
		if !o.set["endpoint"] {
			blame = "$" + endpointEnv // the user gave no --endpoint
		}
		opts = append(opts, livempu.WithEndpoint(o.endpoint))
	}
	if o.insecure {
		opts = append(opts, livempu.WithInsecureHTTP())
	}
	client, err := livempu.NewClient(opts...)
	if err != nil {
		if !o.insecure {
			// The SDK's message names its option; a CLI user needs the flag.
			if _, insecureErr := livempu.NewClient(append(opts, livempu.WithInsecureHTTP())...); insecureErr == nil {
				err = fmt.Errorf("%q uses plain HTTP to a host other than this machine: use https, or add --insecure-http to send signed requests and any STS token unencrypted", o.endpoint)
			}
		}
		return nil, nil, &endpointError{blame, err}
	}
	if err := client.CheckCredentials(ctx); err != nil {
		return nil, nil, err
	}
	if o.insecure && strings.HasPrefix(strings.ToLower(strings.TrimSpace(o.endpoint)), "http://") {
		fmt.Fprintf(e.stderr, "livempu: warning: --insecure-http: requests to %s are sent unencrypted\n", o.endpoint)
	}
	return client, func() {}, nil
}

// connectOrExit is connect for a command: on failure it reports the error
// and returns the exit status to end with, and false.
func (e *env) connectOrExit(ctx context.Context, fs *flag.FlagSet, o *commonOptions) (livempu.API, func(), int, bool) {
	api, release, err := e.connect(ctx, o)
	var ee *endpointError
	switch {
	case errors.As(err, &ee):
		return nil, nil, e.commandUsageError(fs, ee.Error()), false
	case err != nil:
		fmt.Fprintf(e.stderr, "livempu %s: %s\n", fs.Name(), strings.TrimPrefix(err.Error(), "livempu: "))
		if hint := errorHint(err); hint != "" {
			fmt.Fprintf(e.stderr, "livempu %s: hint: %s\n", fs.Name(), hint)
		}
		return nil, nil, exitFailure, false
	}
	return api, release, 0, true
}

// walkSpec describes one listing walk for walk.
type walkSpec[T any] struct {
	// command names the command in messages ("tasks").
	command string
	// noun names the items in the progress line ("tasks").
	noun string
	// items returns the walk's iterator with the given pager options.
	items func(ctx context.Context, opts ...pager.Option) iter.Seq2[T, error]
	// keep, if not nil, filters the items written; --max-items then
	// counts written items, not listed ones.
	keep func(T) bool
	// out formats the items on stdout.
	out *output[T]
}

// walk ranges over a listing, writes what it keeps and reports the outcome:
// exitOK, exitFailure (API, network or output error, with the error code
// and request id on stderr), or exitInterrupted when ctx was cancelled (by
// SIGINT). Whatever happens, what was written is flushed and the output
// document is completed (a JSON array is closed).
func walk[T any](ctx context.Context, e *env, o *commonOptions, spec walkSpec[T]) int {
	wctx := ctx
	if o.timeout > 0 {
		var cancel context.CancelFunc
		wctx, cancel = context.WithTimeout(ctx, o.timeout)
		defer cancel()
	}
	prog := newProgress(e.stderr, e.stderrTTY, spec.noun, e.now)
	out := spec.out
	if e.stdoutTTY {
		out.beforeFlush = prog.clear // the data and the progress line share the terminal
	}
	written, listed := 0, 0
	var writeErr error
	opts := []pager.Option{
		pager.WithPrefetch(o.prefetch),
		pager.WithOnPage(func(info pager.PageInfo) {
			if err := out.flush(); err != nil && writeErr == nil {
				writeErr = err
			}
			prog.page(info, written, spec.keep != nil)
		}),
	}
	if o.maxItems > 0 && spec.keep == nil {
		opts = append(opts, pager.WithMaxItems(o.maxItems))
	}
	var walkErr error
	for item, err := range spec.items(wctx, opts...) {
		if err != nil {
			walkErr = err
			break
		}
		if writeErr != nil {
			break
		}
		listed++
		if spec.keep != nil && !spec.keep(item) {
			continue
		}
		if err := out.write(item); err != nil {
			writeErr = err
			break
		}
		written++
		if o.maxItems > 0 && written >= o.maxItems {
			break
		}
	}
	prog.clear()
	if err := out.close(); err != nil && writeErr == nil {
		writeErr = err
	}

	switch {
	case walkErr != nil && ctx.Err() != nil:
		fmt.Fprintf(e.stderr, "livempu %s: interrupted after %d %s\n", spec.command, written, spec.noun)
		return exitInterrupted
	case writeErr != nil:
		fmt.Fprintf(e.stderr, "livempu %s: writing the output: %v\n", spec.command, writeErr)
		return exitFailure
	case walkErr != nil && o.timeout > 0 && errors.Is(walkErr, context.DeadlineExceeded):
		if wctx.Err() != nil {
			fmt.Fprintf(e.stderr, "livempu %s: timed out after %v (--timeout), %d %s written\n", spec.command, o.timeout, written, spec.noun)
		} else {
			// The walk gave up before the deadline: the wait for the next
			// request (the service's, or the rate limiter's) would pass it.
			fmt.Fprintf(e.stderr, "livempu %s: stopped early: the next request could not be sent within --timeout (%v), %d %s written\n", spec.command, o.timeout, written, spec.noun)
		}
		if apiErr := (*livempu.APIError)(nil); errors.As(walkErr, &apiErr) {
			// The service asked for a wait the timeout could not hold.
			fmt.Fprintf(e.stderr, "livempu %s: %s\n", spec.command, describeError(walkErr))
		}
		return exitFailure
	case walkErr != nil:
		fmt.Fprintf(e.stderr, "livempu %s: %s\n", spec.command, describeError(walkErr))
		if hint := errorHint(walkErr); hint != "" {
			fmt.Fprintf(e.stderr, "livempu %s: hint: %s\n", spec.command, hint)
		}
		if written > 0 {
			fmt.Fprintf(e.stderr, "livempu %s: %d %s were written before the error\n", spec.command, written, spec.noun)
		}
		if errors.Is(walkErr, livempu.ErrInvalidRequest) {
			return exitUsage
		}
		return exitFailure
	}
	prog.done(written, listed)
	return exitOK
}

// describeError renders a walk error on one line: the operation, the error
// code and HTTP status, the message and the request id (all in the SDK's
// error text), and the page it happened on.
func describeError(err error) string {
	page := 0
	var pe *pager.PageError
	if errors.As(err, &pe) {
		page, err = pe.PageNo, pe.Err
	}
	msg := strings.TrimPrefix(err.Error(), "livempu: ")
	if page > 0 {
		msg += fmt.Sprintf(" (page %d)", page)
	}
	return msg
}

// errorHint suggests what to do about common errors, or returns "".
func errorHint(err error) string {
	switch {
	case errors.Is(err, signer.ErrNoCredentials):
		return "set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET, configure a profile with the aliyun CLI (and pass --profile), or try --demo"
	case errors.Is(err, livempu.ErrInvalidAccessKeyID), errors.Is(err, livempu.ErrSignatureMismatch):
		return "check the AccessKey ID and secret"
	case errors.Is(err, livempu.ErrForbidden):
		return "the RAM user or role needs permission for live:ListRtcMPUTaskDetail and live:ListRtcMPUEventSubRecord"
	case errors.Is(err, livempu.ErrTimestampExpired):
		return "the local clock is more than 15 minutes off"
	case errors.Is(err, livempu.ErrInvalidAppID):
		return "check --app-id"
	case errors.Is(err, livempu.ErrOperationDenied):
		return "the Live service is not enabled for this account"
	}
	return ""
}

// isTerminal reports whether w is a terminal: a character device other than
// the null device (which is one too, but "> /dev/null" is not a terminal).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || f == nil {
		return false
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	if null, err := os.Stat(os.DevNull); err == nil && os.SameFile(fi, null) {
		return false
	}
	return true
}

// subscriptions returns the distinct subscriptions of records, sorted.
func subscriptions(records []livempu.EventSubRecord) []string {
	var subs []string
	for _, r := range records {
		if !slices.Contains(subs, r.SubID) {
			subs = append(subs, r.SubID)
		}
	}
	slices.Sort(subs)
	return subs
}
