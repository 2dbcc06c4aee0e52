//go:build linux

package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"lockbox/client/servertest"
)

// wineExe returns the cross-built lockbox.exe and the wine prefix that
// ./dev test prepared (LOCKBOX_WINDOWS_EXE, WINEPREFIX; see wine_prefix in
// ./dev for the prefix's workarounds). Without them the test is skipped,
// or fails when CI=true: ./dev test always sets them.
func wineExe(t *testing.T) (wine, exe string) {
	t.Helper()
	exe, prefix := os.Getenv("LOCKBOX_WINDOWS_EXE"), os.Getenv("WINEPREFIX")
	wine = os.Getenv("WINE64")
	if wine == "" {
		wine = "/usr/lib/wine/wine64" // Debian's wine64 puts no wine64 on PATH
	}
	if exe == "" || prefix == "" {
		if servertest.InCI() {
			t.Fatal("LOCKBOX_WINDOWS_EXE and WINEPREFIX are not set (./dev test sets them; CI=true: this test must not be skipped)")
		}
		t.Skip("LOCKBOX_WINDOWS_EXE and WINEPREFIX are not set: run ./dev test")
	}
	if _, err := os.Stat(wine); err != nil {
		t.Fatalf("wine64: %v", err)
	}
	return wine, exe
}

// winPath names a Linux path as lockbox.exe sees it under wine: wine maps
// drive Z: to /, so the test also gives lockbox.exe drive letters and
// backslashes, as a Windows user types them.
func winPath(p string) string { return `Z:` + strings.ReplaceAll(p, "/", `\`) }

// runWine runs lockbox.exe with args under wine and returns what it
// printed and its exit status. The bound is generous: a cold wineserver
// takes seconds to start on a busy machine.
func runWine(t *testing.T, env []string, args ...string) (stdout, stderr string, code int) {
	t.Helper()
	wine, exe := wineExe(t)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, wine, append([]string{exe}, args...)...)
	cmd.Env = append(append(os.Environ(), "WINEDEBUG=-all"), env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	switch {
	case err == nil:
	case errors.As(err, &ee):
		code = ee.ExitCode()
	default:
		t.Fatalf("lockbox.exe %v: %v", args, err)
	}
	return out.String(), errb.String(), code
}

// The Windows binary, under wine, against the real vsftpd the Linux tests
// use: it logs in, lists, downloads and uploads byte-identical files with
// Windows paths (drive letter, backslashes) for -o and put, and refuses a
// listing's entries that are Windows devices instead of writing them.
func TestWindowsBinaryAgainstVsftpd(t *testing.T) {
	wineExe(t)
	payload := make([]byte, 700<<10)
	rand.Read(payload)
	srv := servertest.StartVsftpd(t, servertest.VsftpdConfig{Files: map[string][]byte{
		"payload.bin":          payload,
		"hostile/CON":          []byte("a device on Windows"),
		"hostile/aux.txt":      []byte("a device on Windows too"),
		"hostile/innocent.txt": []byte("fine"),
	}})
	dir := t.TempDir()
	ca := filepath.Join(dir, "server.pem")
	if err := os.WriteFile(ca, srv.ServerCert.CertPEM(), 0o600); err != nil {
		t.Fatal(err)
	}
	env := []string{"LOCKBOX_PASSWORD=" + srv.Password, "LOCKBOX_CONFIG_DIR=" + winPath(filepath.Join(dir, "config"))}
	url := "ftpes://" + srv.User + "@" + srv.Addr
	caArg := winPath(ca)

	out, errOut, code := runWine(t, env, "ls", "--ca", caArg, url+"/")
	if code != 0 || !strings.Contains(out, "payload.bin") || !strings.Contains(out, "hostile") {
		t.Fatalf("ls: exit %d\nstdout:\n%s\nstderr:\n%s\nvsftpd log: %s", code, out, errOut, srv.LogPath)
	}

	local := filepath.Join(dir, "down", "payload.bin")
	if err := os.MkdirAll(filepath.Dir(local), 0o755); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runWine(t, env, "get", "--ca", caArg, url+"/payload.bin", "-o", winPath(local))
	if got, err := os.ReadFile(local); code != 0 || err != nil || !bytes.Equal(got, payload) {
		t.Fatalf("get: exit %d, %d of %d bytes (%v)\nstdout:\n%s\nstderr:\n%s", code, len(got), len(payload), err, out, errOut)
	}

	up := filepath.Join(dir, "up.bin")
	upload := append([]byte("uploaded by lockbox.exe\n"), payload[:100<<10]...)
	if err := os.WriteFile(up, upload, 0o644); err != nil {
		t.Fatal(err)
	}
	out, errOut, code = runWine(t, env, "put", "--ca", caArg, winPath(up), url+"/")
	if got, err := os.ReadFile(filepath.Join(srv.Root, "up.bin")); code != 0 || err != nil || !bytes.Equal(got, upload) {
		t.Fatalf("put: exit %d, server holds %d of %d bytes (%v)\nstdout:\n%s\nstderr:\n%s", code, len(got), len(upload), err, out, errOut)
	}

	tree := filepath.Join(dir, "tree")
	out, errOut, code = runWine(t, env, "get", "-r", "--ca", caArg, url+"/hostile", "-o", winPath(tree))
	all := out + errOut
	if code == 0 || !strings.Contains(all, `"CON"`) || !strings.Contains(all, "device on Windows") || !strings.Contains(all, `"aux.txt"`) {
		t.Errorf("get -r of a folder holding CON and aux.txt: exit %d, want a failure naming both as Windows devices\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	if got, err := os.ReadFile(filepath.Join(tree, "innocent.txt")); err != nil || string(got) != "fine" {
		t.Errorf("the folder's plain file: %q, %v", got, err)
	}
	entries, _ := os.ReadDir(tree)
	for _, e := range entries {
		if e.Name() != "innocent.txt" {
			t.Errorf("lockbox.exe wrote %q, a name Windows reads as a device", e.Name())
		}
	}
}

// lockbox.exe opens its window under wine on a virtual X server, as the
// Linux binary does in TestRealWindowUnderXvfb; the screenshot (kept in
// LOCKBOX_SCREENSHOT_DIR as window_windows.png) is the README's picture of
// the Windows window.
func TestWindowsWindowUnderWine(t *testing.T) {
	wine, exe := wineExe(t)
	xdotool, xwd := requireTool(t, "xdotool"), requireTool(t, "xwd")
	display := startXvfb(t)
	env := append(os.Environ(), "DISPLAY="+display, "WINEDEBUG=-all", "LOCKBOX_CONFIG_DIR="+winPath(t.TempDir()))
	app := exec.Command(wine, exe)
	app.Env = env
	windowScreenshot(t, app, xdotool, xwd, 300, "window_windows.png")
}
