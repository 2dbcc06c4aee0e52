package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// requireTool finds a program; in CI (CI=true) a missing one fails the
// test, elsewhere it skips it.
func requireTool(t *testing.T, name string) string {
	t.Helper()
	p, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not installed (CI=true: this test must not be skipped)", name)
		}
		t.Skipf("%s is not installed", name)
	}
	return p
}

// startXvfb starts a virtual X server and returns its DISPLAY; Xvfb
// itself says when it is ready by writing its display number (-displayfd).
func startXvfb(t *testing.T) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(requireTool(t, "Xvfb"), "-displayfd", "3", "-screen", "0", "1280x800x24", "-nolisten", "tcp")
	cmd.ExtraFiles = []*os.File{w}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	w.Close()
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	line, err := bufio.NewReader(r).ReadString('\n')
	r.Close()
	if err != nil {
		t.Fatalf("Xvfb did not report its display: %v", err)
	}
	return ":" + strings.TrimSpace(line)
}

var (
	buildOnce sync.Once
	binPath   string
	pkgDir    string
	buildErr  error
)

// buildLockbox packages the real application once per test run, as a user
// installs it: `fyne package -os linux` (cgo, OpenGL, FyneApp.toml's
// metadata and fyneDo migration), then unpacks the archive and returns
// the binary inside it.
func buildLockbox(t *testing.T) string {
	t.Helper()
	fyneTool := requireTool(t, "fyne")
	buildOnce.Do(func() {
		src, err := os.Getwd()
		if err != nil {
			buildErr = err
			return
		}
		if pkgDir, err = os.MkdirTemp("", "lockbox-pkg-"); err != nil {
			buildErr = err
			return
		}
		// fyne package counts builds in FyneApp.toml; a test must leave the
		// source as it found it.
		meta := filepath.Join(src, "FyneApp.toml")
		orig, err := os.ReadFile(meta)
		if err != nil {
			buildErr = err
			return
		}
		defer os.WriteFile(meta, orig, 0o644)
		cmd := exec.Command(fyneTool, "package", "-os", "linux", "--src", src)
		cmd.Dir = pkgDir
		if out, err := cmd.CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("fyne package: %v\n%s", err, out)
			return
		}
		if out, err := exec.Command("tar", "-xJf", filepath.Join(pkgDir, "Lockbox.tar.xz"), "-C", pkgDir).CombinedOutput(); err != nil {
			buildErr = fmt.Errorf("unpacking Lockbox.tar.xz: %v\n%s", err, out)
			return
		}
		binPath = filepath.Join(pkgDir, "lockbox", "usr", "local", "bin", "lockbox")
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// The archive `fyne package -os linux` makes installs the binary, the
// desktop entry naming it and the icon, with a Makefile to install them.
func TestLinuxPackage(t *testing.T) {
	buildLockbox(t)
	root := filepath.Join(pkgDir, "lockbox")
	for _, f := range []string{"Makefile", "usr/local/bin/lockbox", "usr/local/share/pixmaps/app.lockbox.png"} {
		if st, err := os.Stat(filepath.Join(root, f)); err != nil || st.Size() == 0 {
			t.Errorf("%s missing from the archive: %v", f, err)
		}
	}
	desktop, err := os.ReadFile(filepath.Join(root, "usr/local/share/applications/app.lockbox.desktop"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Name=Lockbox", "Exec=lockbox", "Icon=app.lockbox"} {
		if !strings.Contains(string(desktop), want) {
			t.Errorf("desktop entry lacks %q:\n%s", want, desktop)
		}
	}
	out, err := exec.Command(binPath, "cert", "--help").CombinedOutput()
	if !strings.Contains(string(out), "cert") {
		t.Errorf("the packaged binary does not run its command line: %v\n%s", err, out)
	}
}

// Under LANG=C.UTF-8, common on servers and in CI, the command line must
// not print Fyne's complaint about the locale.
func TestCLocaleIsQuiet(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the real binary")
	}
	cmd := exec.Command(buildLockbox(t), "cert", filepath.Join(t.TempDir(), "missing.pem"))
	cmd.Env = append(os.Environ(), "LANG=C.UTF-8", "LC_ALL=", "LOCKBOX_CONFIG_DIR="+t.TempDir())
	out, _ := cmd.CombinedOutput()
	if strings.Contains(string(out), "Fyne error") || !strings.Contains(string(out), "missing.pem") {
		t.Errorf("output:\n%s", out)
	}
}

// TestRealWindowUnderXvfb builds the real binary (cgo, OpenGL), starts it
// with no arguments under Xvfb, waits for its window, takes a screenshot of
// the X screen and checks that the window drew something. A broken cgo
// build or a crash at start-up fails here.
func TestRealWindowUnderXvfb(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts the real binary")
	}
	xdotool, xwd := requireTool(t, "xdotool"), requireTool(t, "xwd")
	display := startXvfb(t)

	bin := buildLockbox(t)
	env := append(os.Environ(), "DISPLAY="+display, "LANG=en_US.UTF-8", "LOCKBOX_CONFIG_DIR="+t.TempDir())
	app := exec.Command(bin)
	app.Env = env
	windowScreenshot(t, app, xdotool, xwd, 200, "window.png") // the README's screenshot of the empty window
}

// windowScreenshot starts app (killed when the test ends), waits for the
// window named Lockbox on the X display in app.Env to be mapped, then
// takes screenshots until two in a row agree and show more than a blank
// area (its first frames may be unpainted or mid-layout), and keeps the
// picture as $LOCKBOX_SCREENSHOT_DIR/name when that is set. It fails the
// test if the program ends first, or the window never settles within
// tries screenshots; the message carries the program's output.
func windowScreenshot(t *testing.T, app *exec.Cmd, xdotool, xwd string, tries int, name string) {
	t.Helper()
	env := app.Env
	var out bytes.Buffer
	app.Stdout, app.Stderr = &out, &out
	if err := app.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- app.Wait() }()
	t.Cleanup(func() {
		app.Process.Kill()
		<-exited
	})
	// xdotool --sync waits until the window is mapped; the bound only
	// keeps a broken start from hanging the run.
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	find := exec.CommandContext(ctx, xdotool, "search", "--sync", "--onlyvisible", "--name", "^Lockbox$")
	find.Env = env
	if found, err := find.Output(); err != nil || len(bytes.TrimSpace(found)) == 0 {
		t.Fatalf("no Lockbox window appeared: %v\noutput:\n%s", err, out.String())
	}
	var img, prev image.Image
	for try := 0; try < tries && (img == nil || distinctColours(img) < 8 || !sameImage(img, prev)); try++ {
		prev = img
		select {
		case err := <-exited:
			t.Fatalf("the program exited: %v\n%s", err, out.String())
		default:
		}
		shot := exec.Command(xwd, "-root", "-silent")
		shot.Env = env
		raw, err := shot.Output()
		if err != nil {
			t.Fatalf("xwd: %v", err)
		}
		if img, err = decodeXWD(raw); err != nil {
			t.Fatal(err)
		}
	}
	if n := distinctColours(img); n < 8 {
		t.Fatalf("the window is blank (%d colours)", n)
	}
	if dir := os.Getenv("LOCKBOX_SCREENSHOT_DIR"); dir != "" {
		f, err := os.Create(filepath.Join(dir, name))
		if err == nil {
			png.Encode(f, img)
			f.Close()
		}
	}
}

func sameImage(a, b image.Image) bool {
	ra, ok1 := a.(*image.RGBA)
	rb, ok2 := b.(*image.RGBA)
	return ok1 && ok2 && bytes.Equal(ra.Pix, rb.Pix)
}

func distinctColours(img image.Image) int {
	seen := map[color.RGBA]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 3 {
		for x := b.Min.X; x < b.Max.X; x += 3 {
			seen[color.RGBAModel.Convert(img.At(x, y)).(color.RGBA)] = true
			if len(seen) > 64 {
				return len(seen)
			}
		}
	}
	return len(seen)
}

// decodeXWD reads the 24/32-bit TrueColor X window dumps xwd writes for
// Xvfb's screen.
func decodeXWD(raw []byte) (image.Image, error) {
	var h [25]uint32
	if len(raw) < 100 {
		return nil, errors.New("xwd: short file")
	}
	order := binary.ByteOrder(binary.BigEndian)
	for i := range h {
		h[i] = order.Uint32(raw[4*i:])
	}
	headerSize, width, height := h[0], h[4], h[5]
	bitsPerPixel, bytesPerLine, ncolors := h[11], h[12], h[19]
	byteOrder := h[7] // 0 LSBFirst, 1 MSBFirst
	bpp := int(bitsPerPixel) / 8
	if (bpp != 3 && bpp != 4) || int(bytesPerLine) < bpp*int(width) {
		return nil, fmt.Errorf("xwd: %d bits per pixel, %d bytes per line for %d pixels", bitsPerPixel, bytesPerLine, width)
	}
	off := int(headerSize) + int(ncolors)*12
	if off+int(bytesPerLine*height) > len(raw) {
		return nil, errors.New("xwd: truncated pixels")
	}
	img := image.NewRGBA(image.Rect(0, 0, int(width), int(height)))
	for y := 0; y < int(height); y++ {
		row := raw[off+y*int(bytesPerLine):]
		for x := 0; x < int(width); x++ {
			px := row[bpp*x : bpp*x+3]
			if byteOrder == 1 { // MSBFirst: R G B
				img.SetRGBA(x, y, color.RGBA{px[0], px[1], px[2], 255})
			} else { // LSBFirst: B G R
				img.SetRGBA(x, y, color.RGBA{px[2], px[1], px[0], 255})
			}
		}
	}
	return img, nil
}
