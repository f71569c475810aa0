package signer

import (
	"errors"
	"io"
	"io/fs"
	"os"
	"sync/atomic"
)

// profileFile remembers the result of the last read of a profile file, with
// the identity of the version of the file it was read from. A profile
// provider stats the file on every Retrieve (one system call) and reads and
// parses it again only when the file changed: another file now has the
// path (a rename over it), or its size or modification time differ. A
// rewrite that keeps all three (same size within one tick of the file
// system's clock) is missed by the stat; Invalidate, called when the
// service rejects the credentials, makes the next Retrieve read the file
// whatever the stat says. The zero value is ready to use.
type profileFile struct {
	last atomic.Pointer[profileRead]
}

// profileRead is what one read of a profile file produced.
type profileRead struct {
	path    string      // the file read
	profile string      // the profile asked for ("" for the file's choice)
	info    fs.FileInfo // the file's stat when it was opened for the read
	creds   Credentials
	err     error // a parse error is remembered like credentials
}

// stat returns the stat of path. A missing file is an ErrNoCredentials
// error; any other failure is reported as broken.
func (f *profileFile) stat(source, path, profile string) (fs.FileInfo, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, fileError(source, path, profile, err)
	}
	return info, nil
}

// cached returns the remembered result for profile of path if info shows
// the version of the file it was read from.
func (f *profileFile) cached(path, profile string, info fs.FileInfo) (*profileRead, bool) {
	r := f.last.Load()
	if r == nil || r.path != path || r.profile != profile || !sameVersion(r.info, info) {
		return nil, false
	}
	return r, true
}

// read reads path, returning its content and its stat taken before reading:
// a change made while reading shows in the next stat.
func (f *profileFile) read(source, path, profile string) ([]byte, fs.FileInfo, error) {
	file, err := os.Open(path)
	if err != nil {
		return nil, nil, fileError(source, path, profile, err)
	}
	defer file.Close()
	info, err := file.Stat()
	if err != nil {
		return nil, nil, fileError(source, path, profile, err)
	}
	if info.IsDir() {
		return nil, nil, &sourceError{source: source, path: path, profile: profile, msg: "cannot read file: is a directory"}
	}
	data, err := io.ReadAll(file)
	if err != nil {
		return nil, nil, fileError(source, path, profile, err)
	}
	return data, info, nil
}

// remember keeps the result of parsing the version info of path.
func (f *profileFile) remember(path, profile string, info fs.FileInfo, creds Credentials, err error) {
	f.last.Store(&profileRead{path: path, profile: profile, info: info, creds: creds, err: err})
}

// invalidate forgets the last read if it produced rejected, so that the
// next Retrieve reads the file again.
func (f *profileFile) invalidate(rejected Credentials) {
	if r := f.last.Load(); r != nil && r.err == nil && sameKeys(r.creds, rejected) {
		f.last.CompareAndSwap(r, nil)
	}
}

// sameVersion reports whether two stats of a path show the same version of
// the same file.
func sameVersion(a, b fs.FileInfo) bool {
	return os.SameFile(a, b) && a.Size() == b.Size() && a.ModTime().Equal(b.ModTime())
}

// fileError reports a failure to stat or read a profile file. A missing
// file is an ErrNoCredentials error; any other failure is reported as
// broken, with the system's reason but not the path twice.
func fileError(source, path, profile string, err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return &sourceError{source: source, path: path, msg: "file does not exist", notFound: true, cause: err}
	}
	reason := err
	var pe *fs.PathError
	if errors.As(err, &pe) {
		reason = pe.Err
	}
	return &sourceError{source: source, path: path, profile: profile, msg: "cannot read file: " + reason.Error(), cause: err}
}
