// Command checkmodules fails when a nested module of the repository requires
// the root module in a way that only works inside this repository. The rule
// (RELEASING.md) is:
//
//   - no replace of the root in a nested go.mod: a consumer ignores it, and
//     its build then needs the version required;
//   - the root required at a release version vX.Y.Z[-pre], never a
//     pseudo-version (v0.0.0-00010101000000-000000000000 names no commit);
//   - that version is a git tag of the repository, or the pending release
//     named by the root's SDKVersion constant (tagged first when releasing);
//   - go.work uses every module and replaces each required root version by
//     the local tree (./), so that the workspace never fetches the root.
//
// Run it anywhere in the repository (go run ./.ci/checkmodules from the
// root); it checks the whole repository, prints one line per problem and
// exits 1 if there is any.
package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
)

// module is the part of `go mod edit -json` and `go work edit -json` output
// the check reads.
type module struct {
	Module  struct{ Path string }
	Require []struct{ Path, Version string }
	Replace []struct {
		Old struct{ Path, Version string }
		New struct{ Path string }
	}
	Use []struct{ DiskPath string }
}

var (
	release = regexp.MustCompile(`^v(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)\.(0|[1-9][0-9]*)(-[0-9A-Za-z.-]+)?$`)
	pseudo  = regexp.MustCompile(`[0-9]{14}-[0-9a-f]{12}$`)
	sdk     = regexp.MustCompile(`(?m)^\s*SDKVersion\s*=\s*"([^"]+)"`)
)

func main() {
	top, err := exec.Command("git", "rev-parse", "--show-toplevel").Output()
	if err == nil {
		err = os.Chdir(strings.TrimSpace(string(top)))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkmodules: finding the repository root:", err)
		os.Exit(1)
	}
	problems, err := check()
	if err != nil {
		fmt.Fprintln(os.Stderr, "checkmodules:", err)
		os.Exit(1)
	}
	for _, p := range problems {
		fmt.Fprintln(os.Stderr, "checkmodules:", p)
	}
	if len(problems) > 0 {
		fmt.Fprintf(os.Stderr, "checkmodules: %d problem(s); see RELEASING.md\n", len(problems))
		os.Exit(1)
	}
}

// check returns the problems found in the repository in the current
// directory.
func check() ([]string, error) {
	root, err := edit("mod", "go.mod")
	if err != nil {
		return nil, err
	}
	work, err := edit("work", "go.work")
	if err != nil {
		return nil, err
	}
	src, err := os.ReadFile("client.go")
	if err != nil {
		return nil, err
	}
	m := sdk.FindSubmatch(src)
	if m == nil {
		return nil, fmt.Errorf("no SDKVersion constant in client.go")
	}
	pending := "v" + string(m[1])
	tags, err := gitTags()
	if err != nil {
		return nil, err
	}
	dirs, err := nestedModules()
	if err != nil {
		return nil, err
	}

	var problems []string
	add := func(format string, args ...any) { problems = append(problems, fmt.Sprintf(format, args...)) }
	rootPath := root.Module.Path
	checkedWork := map[string]bool{} // required versions whose go.work replace was checked
	for _, dir := range dirs {
		gomod := dir + "/go.mod"
		mod, err := edit("mod", gomod)
		if err != nil {
			return nil, err
		}
		if !uses(work, dir) {
			add("go.work does not use %s (go work use %s)", dir, dir)
		}
		for _, r := range mod.Replace {
			if r.Old.Path == rootPath {
				add("%s replaces %s: remove the replace (go.work joins the modules)", gomod, rootPath)
			}
		}
		version := required(mod, rootPath)
		switch {
		case version == "":
			continue // the module does not import the root
		case pseudo.MatchString(version):
			add("%s requires %s at pseudo-version %s: require a release (the pending one is %s)", gomod, rootPath, version, pending)
			continue
		case !release.MatchString(version):
			add("%s requires %s at %s, which is not a release version vX.Y.Z", gomod, rootPath, version)
			continue
		case version != pending && !tags[version]:
			add("%s requires %s %s, which is neither a git tag nor the pending release %s (SDKVersion)", gomod, rootPath, version, pending)
		}
		if !checkedWork[version] && !replacedLocally(work, rootPath, version) {
			add("go.work does not replace %s %s by ./ (go work edit -replace=%s@%s=./)", rootPath, version, rootPath, version)
		}
		checkedWork[version] = true
	}
	return problems, nil
}

// edit returns the parsed `go <tool> edit -json file`.
func edit(tool, file string) (*module, error) {
	out, err := exec.Command("go", tool, "edit", "-json", file).Output()
	if err != nil {
		return nil, fmt.Errorf("go %s edit -json %s: %w", tool, file, err)
	}
	var m module
	if err := json.Unmarshal(out, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return &m, nil
}

// gitTags returns the repository's tags.
func gitTags() (map[string]bool, error) {
	out, err := exec.Command("git", "tag", "--list").Output()
	if err != nil {
		return nil, fmt.Errorf("git tag --list: %w", err)
	}
	tags := map[string]bool{}
	for _, t := range strings.Fields(string(bytes.TrimSpace(out))) {
		tags[t] = true
	}
	return tags, nil
}

// nestedModules returns the directories, as ./dir, below the root that hold
// a go.mod.
func nestedModules() ([]string, error) {
	var dirs []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
			return filepath.SkipDir
		}
		if !d.IsDir() && d.Name() == "go.mod" && path != "go.mod" {
			dirs = append(dirs, "./"+filepath.ToSlash(filepath.Dir(path)))
		}
		return nil
	})
	return dirs, err
}

func uses(work *module, dir string) bool {
	for _, u := range work.Use {
		if filepath.Clean(u.DiskPath) == filepath.Clean(dir) {
			return true
		}
	}
	return false
}

func required(mod *module, path string) string {
	for _, r := range mod.Require {
		if r.Path == path {
			return r.Version
		}
	}
	return ""
}

func replacedLocally(work *module, path, version string) bool {
	for _, r := range work.Replace {
		if r.Old.Path == path && r.Old.Version == version && filepath.Clean(r.New.Path) == "." {
			return true
		}
	}
	return false
}
