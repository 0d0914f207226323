package core

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"image/png"
	"math"
)

// imageRule is the spec's constraint on one organization image.
type imageRule struct {
	ico          bool    // a Windows icon rather than a PNG
	minW, minH   int     // minimum size in pixels
	aspect       float64 // required width/height, 0 for any
	aspectSquare bool
}

var (
	logoRule     = imageRule{minW: 400, minH: 160, aspect: 5.0 / 2.0}
	squareRule   = imageRule{minW: 40, minH: 40, aspectSquare: true}
	faviconRule  = imageRule{ico: true, minW: 40, minH: 40, aspectSquare: true}
	headshotRule = imageRule{minW: 292, minH: 400, aspect: 0.73}
)

// Image budgets. Images are served back to anyone, so each is decoded in
// full to prove it is what its header says; the budget bounds what that
// decode may allocate (at most 8 bytes a pixel: 32 MiB) whatever the
// header claims. Documented in docs/limits.md.
const (
	MaxImagePixels = 4 << 20 // 4,194,304: 2048×2048, or a 3200×1280 logo
	MaxImageSide   = 8192
	// MaxIconEntries bounds an ICO's directory; real icons hold a handful
	// of sizes.
	MaxIconEntries = 32
	// iconMaxSide is the largest entry an ICO directory can describe.
	iconMaxSide = 256
)

// aspectTolerance absorbs rounding: 292×400 is 0.73 exactly, 293×400 is not
// far off, and a 5:2 logo of odd height cannot be exact.
const aspectTolerance = 0.01

// decodeImage decodes a base64 image and checks it against rule, returning
// the raw bytes. The size is read from the header first, checked against
// the rule and the budget, and only then is the image decoded in full, so a
// header claiming 100000×40000 pixels or a decompression bomb costs nothing
// and a truncated or corrupt file is refused.
func decodeImage(b64 string, rule imageRule) ([]byte, error) {
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		return nil, errors.New("must be base64 encoded bytes")
	}
	size := pngSize
	if rule.ico {
		size = icoSize
	}
	w, h, err := size(raw)
	if err != nil {
		return nil, err
	}
	switch {
	case rule.aspectSquare && w != h:
		return nil, fmt.Errorf("must be square, got %d×%d pixels", w, h)
	case rule.aspect > 0 && math.Abs(float64(w)/float64(h)-rule.aspect) > aspectTolerance*rule.aspect:
		return nil, fmt.Errorf("must have aspect ratio %g, got %d×%d pixels", rule.aspect, w, h)
	case w < rule.minW || h < rule.minH:
		return nil, fmt.Errorf("must be at least %d×%d pixels, got %d×%d", rule.minW, rule.minH, w, h)
	}
	if rule.ico {
		err = checkIcon(raw)
	} else {
		err = checkPNG(raw)
	}
	return raw, err
}

// pngSize returns the size a PNG's header claims, refusing one over the
// budget.
func pngSize(raw []byte) (int, int, error) {
	c, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return 0, 0, errors.New("must be a PNG image")
	}
	if c.Width > MaxImageSide || c.Height > MaxImageSide || c.Width*c.Height > MaxImagePixels {
		return 0, 0, fmt.Errorf("must be at most %d pixels (%d on a side), got %d×%d", MaxImagePixels, MaxImageSide, c.Width, c.Height)
	}
	return c.Width, c.Height, nil
}

// checkPNG decodes a PNG whose header pngSize accepted, refusing one that
// is truncated or corrupt.
func checkPNG(raw []byte) error {
	if _, err := png.Decode(bytes.NewReader(raw)); err != nil {
		return errors.New("must be a complete, valid PNG image")
	}
	return nil
}

// iconEntry is one image of an ICO file: its directory's claimed size and
// its bytes.
type iconEntry struct {
	w, h int
	data []byte
}

// iconEntries parses an ICO directory, refusing more than MaxIconEntries
// entries or one whose bytes lie outside the file.
func iconEntries(raw []byte) ([]iconEntry, error) {
	bad := errors.New("must be an ICO image")
	if len(raw) < 6 || binary.LittleEndian.Uint16(raw[0:]) != 0 || binary.LittleEndian.Uint16(raw[2:]) != 1 {
		return nil, bad
	}
	n := int(binary.LittleEndian.Uint16(raw[4:]))
	if n > MaxIconEntries {
		return nil, fmt.Errorf("must hold at most %d images, got %d", MaxIconEntries, n)
	}
	if n == 0 || len(raw) < 6+16*n {
		return nil, bad
	}
	out := make([]iconEntry, n)
	for i := range n {
		e := raw[6+16*i:]
		size := int(binary.LittleEndian.Uint32(e[8:]))
		off := int(binary.LittleEndian.Uint32(e[12:]))
		if off < 6+16*n || size <= 0 || off+size > len(raw) || off+size < off {
			return nil, bad
		}
		w, h := int(e[0]), int(e[1])
		if w == 0 {
			w = iconMaxSide
		}
		if h == 0 {
			h = iconMaxSide
		}
		out[i] = iconEntry{w: w, h: h, data: raw[off : off+size]}
	}
	return out, nil
}

// icoSize returns the size of the largest image in an ICO file. Each entry
// is a PNG or a BMP whose own header must agree with the directory, so a
// forged directory, or an entry claiming more than an icon can hold, is
// refused.
func icoSize(raw []byte) (int, int, error) {
	entries, err := iconEntries(raw)
	if err != nil {
		return 0, 0, err
	}
	bestW, bestH := 0, 0
	for _, e := range entries {
		w, h, err := iconEntrySize(e.data)
		if err != nil {
			return 0, 0, errors.New("must be an ICO image")
		}
		if w != e.w || h != e.h {
			return 0, 0, fmt.Errorf("must be an ICO image whose entries are the size its directory says (at most %d×%d), got %d×%d for %d×%d", iconMaxSide, iconMaxSide, w, h, e.w, e.h)
		}
		if w*h > bestW*bestH {
			bestW, bestH = w, h
		}
	}
	return bestW, bestH, nil
}

// checkIcon decodes every PNG entry of an ICO that icoSize accepted; BMP
// entries were checked to hold all their pixels.
func checkIcon(raw []byte) error {
	entries, err := iconEntries(raw)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if isPNG(e.data) && checkPNG(e.data) != nil {
			return errors.New("must be an ICO image of complete, valid images")
		}
	}
	return nil
}

func isPNG(b []byte) bool { return bytes.HasPrefix(b, []byte("\x89PNG\r\n\x1a\n")) }

// iconEntrySize returns an entry's own size: a PNG's header, or a bitmap's
// BITMAPINFOHEADER, which must be followed by all of its pixel rows.
func iconEntrySize(img []byte) (int, int, error) {
	if isPNG(img) {
		return pngSize(img)
	}
	// BITMAPINFOHEADER; the height counts the XOR and AND masks, so halve it.
	if len(img) < 40 || binary.LittleEndian.Uint32(img[0:]) < 40 {
		return 0, 0, errors.New("bad bitmap")
	}
	headerLen := int(binary.LittleEndian.Uint32(img[0:]))
	w := int(int32(binary.LittleEndian.Uint32(img[4:])))
	h := int(int32(binary.LittleEndian.Uint32(img[8:]))) / 2
	bpp := int(binary.LittleEndian.Uint16(img[14:]))
	if w <= 0 || h <= 0 || w > iconMaxSide || h > iconMaxSide || bpp == 0 || bpp > 32 {
		return 0, 0, errors.New("bad bitmap")
	}
	if rowBytes := (w*bpp + 31) / 32 * 4; headerLen > len(img) || len(img)-headerLen < rowBytes*h {
		return 0, 0, errors.New("truncated bitmap")
	}
	return w, h, nil
}
