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

// aspectTolerance absorbs rounding: 292×400 is 0.73 exactly, 293×400 is not
// far off, and a 5:2 logo of odd height cannot be exact.
const aspectTolerance = 0.01

// decodeImage decodes a base64 image and checks it against rule, returning
// the raw bytes.
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
	return raw, nil
}

// icoSize returns the size of the largest image in an ICO file. Each entry
// is a PNG or a BMP; the directory's size bytes (0 meaning 256) are checked
// against the entry's own header so a forged directory is refused.
func icoSize(raw []byte) (int, int, error) {
	bad := errors.New("must be an ICO image")
	if len(raw) < 6 || binary.LittleEndian.Uint16(raw[0:]) != 0 || binary.LittleEndian.Uint16(raw[2:]) != 1 {
		return 0, 0, bad
	}
	n := int(binary.LittleEndian.Uint16(raw[4:]))
	if n == 0 || len(raw) < 6+16*n {
		return 0, 0, bad
	}
	bestW, bestH := 0, 0
	for i := range n {
		e := raw[6+16*i:]
		size := int(binary.LittleEndian.Uint32(e[8:]))
		off := int(binary.LittleEndian.Uint32(e[12:]))
		if off < 6+16*n || size <= 0 || off+size > len(raw) || off+size < off {
			return 0, 0, bad
		}
		w, h, err := icoEntrySize(raw[off : off+size])
		if err != nil {
			return 0, 0, bad
		}
		if w*h > bestW*bestH {
			bestW, bestH = w, h
		}
	}
	return bestW, bestH, nil
}

func pngSize(raw []byte) (int, int, error) {
	c, err := png.DecodeConfig(bytes.NewReader(raw))
	if err != nil {
		return 0, 0, errors.New("must be a PNG image")
	}
	return c.Width, c.Height, nil
}

func icoEntrySize(img []byte) (int, int, error) {
	if bytes.HasPrefix(img, []byte("\x89PNG\r\n\x1a\n")) {
		return pngSize(img)
	}
	// BITMAPINFOHEADER; the height counts the XOR and AND masks, so halve it.
	if len(img) < 40 || binary.LittleEndian.Uint32(img[0:]) < 40 {
		return 0, 0, errors.New("bad bitmap")
	}
	w := int(int32(binary.LittleEndian.Uint32(img[4:])))
	h := int(int32(binary.LittleEndian.Uint32(img[8:]))) / 2
	if w <= 0 || h <= 0 {
		return 0, 0, errors.New("bad bitmap")
	}
	return w, h, nil
}
