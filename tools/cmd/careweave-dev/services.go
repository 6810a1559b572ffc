package main

import (
	"context"
	"errors"
	"fmt"
	"go/build"
	"io"
	"log/slog"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// servicePatterns returns where the main packages of services and
// projections live, relative to the repository root.
func servicePatterns() []string {
	return []string{"services/*/cmd/*", "projections/cmd/*", "projections/*/cmd/*"}
}

// service is a command found under one of servicePatterns.
type service struct {
	// Name is the command's directory name, which is also its binary's name.
	Name string
	// Pkg is the package path relative to the repository root, "./"-prefixed.
	Pkg string
}

// discoverServices returns the main packages under root's service patterns,
// in port order: those of portOrder first, then the rest by name. Two commands with the same name are an error, since their
// binaries would collide in one bin directory.
func discoverServices(root string) ([]service, error) {
	var svcs []service
	for _, pattern := range servicePatterns() {
		dirs, err := filepath.Glob(filepath.Join(root, filepath.FromSlash(pattern)))
		if err != nil {
			return nil, fmt.Errorf("search %s: %w", pattern, err)
		}
		for _, dir := range dirs {
			isMain, err := isMainPackage(dir)
			if err != nil {
				return nil, err
			}
			if !isMain {
				continue
			}
			rel, err := filepath.Rel(root, dir)
			if err != nil {
				return nil, fmt.Errorf("relate %s to the repository root: %w", dir, err)
			}
			svcs = append(svcs, service{Name: filepath.Base(dir), Pkg: "./" + filepath.ToSlash(rel)})
		}
	}
	slices.SortFunc(svcs, func(a, b service) int { return strings.Compare(a.Name, b.Name) })
	// Ports follow this order, so a service added later does not move the
	// ports the READMEs' sessions use; it takes the next port after them.
	slices.SortStableFunc(svcs, func(a, b service) int { return portRank(a.Name) - portRank(b.Name) })
	for i := 1; i < len(svcs); i++ {
		if svcs[i].Name == svcs[i-1].Name {
			return nil, fmt.Errorf("commands %s and %s have the same name %q; rename one directory so their binaries do not collide",
				svcs[i-1].Pkg, svcs[i].Pkg, svcs[i].Name)
		}
	}
	return svcs, nil
}

// portOrder is the order the first services took their ports in.
var portOrder = []string{"carehomes", "discharge", "homevisits", "medreviews", "patients", "projector", "query"}

func portRank(name string) int {
	if i := slices.Index(portOrder, name); i >= 0 {
		return i
	}
	return len(portOrder)
}

// isMainPackage reports whether dir holds a Go package named main for this
// platform, ignoring test files.
func isMainPackage(dir string) (bool, error) {
	fi, err := os.Stat(dir)
	if err != nil {
		return false, fmt.Errorf("inspect %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return false, nil
	}
	pkg, err := build.Default.ImportDir(dir, 0)
	if err != nil {
		var noGo *build.NoGoError
		if errors.As(err, &noGo) {
			return false, nil
		}
		return false, fmt.Errorf("read package in %s: %w", dir, err)
	}
	return pkg.Name == "main" && len(pkg.GoFiles)+len(pkg.CgoFiles) > 0, nil
}

// buildServices builds every service into binDir with one go build, so the
// packages compile in parallel and share the build cache.
func buildServices(ctx context.Context, root, binDir string, svcs []service, out io.Writer, logger *slog.Logger) error {
	goTool, err := exec.LookPath("go")
	if err != nil {
		return fmt.Errorf("find the go command to build services: %w", err)
	}
	if err := os.MkdirAll(binDir, 0o755); err != nil {
		return fmt.Errorf("create %s: %w", binDir, err)
	}
	args := []string{"build", "-o", binDir + string(filepath.Separator)}
	for _, s := range svcs {
		args = append(args, s.Pkg)
	}
	logger.Info("building services", slog.Int("count", len(svcs)), slog.String("bin_dir", binDir))
	cmd := exec.CommandContext(ctx, goTool, args...)
	cmd.Dir = root
	w := newLineWriter(out, "build | ")
	cmd.Stdout, cmd.Stderr = w, w
	err = cmd.Run()
	w.Flush()
	if err != nil {
		return fmt.Errorf("build services (go %s): %w", strings.Join(args, " "), err)
	}
	return nil
}

// checkPortsFree fails with a clear message when a service's port is taken,
// rather than letting the service crash on it.
func checkPortsFree(svcs []service, basePort int) error {
	for i, s := range svcs {
		port := basePort + i
		if port > 65535 {
			return fmt.Errorf("service %s would get port %d, beyond 65535: pass a lower -base-port", s.Name, port)
		}
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			return fmt.Errorf("port %d for service %s is not free (%v): stop what uses it or pass another -base-port", port, s.Name, err)
		}
		if err := l.Close(); err != nil {
			return fmt.Errorf("check port %d: %w", port, err)
		}
	}
	return nil
}
