// Package forge builds the hostile images of issue 11 in Go, for tests and
// fuzz seeds: headers that lie about their size, truncated files, a real
// decompression bomb, and icons with forged directories. It depends on the
// standard library only.
package forge

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"hash/crc32"
)

var pngMagic = []byte("\x89PNG\r\n\x1a\n")

// chunk returns one PNG chunk with its CRC.
func chunk(typ string, data []byte) []byte {
	var b bytes.Buffer
	binary.Write(&b, binary.BigEndian, uint32(len(data)))
	b.WriteString(typ)
	b.Write(data)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(append([]byte(typ), data...)))
	return b.Bytes()
}

// ihdr is the header chunk of an 8-bit grayscale image of w×h pixels.
func ihdr(w, h int) []byte {
	d := make([]byte, 13)
	binary.BigEndian.PutUint32(d[0:], uint32(w))
	binary.BigEndian.PutUint32(d[4:], uint32(h))
	d[8] = 8 // bit depth; colour type 0 (gray), no interlace
	return chunk("IHDR", d)
}

// PNG returns a valid 8-bit grayscale PNG of w×h black pixels. Its rows
// are streamed through zlib, so a huge w×h costs time, not memory: with
// 10000×4000 it is a decompression bomb of about 40 kB that inflates to
// 40 MB.
func PNG(w, h int) []byte {
	var idat bytes.Buffer
	z, _ := zlib.NewWriterLevel(&idat, zlib.BestCompression)
	row := make([]byte, 1+w) // filter byte 0, then the pixels
	for range h {
		z.Write(row)
	}
	z.Close()
	var b bytes.Buffer
	b.Write(pngMagic)
	b.Write(ihdr(w, h))
	b.Write(chunk("IDAT", idat.Bytes()))
	b.Write(chunk("IEND", nil))
	return b.Bytes()
}

// HeaderOnlyPNG returns a PNG signature and header claiming w×h pixels and
// nothing else.
func HeaderOnlyPNG(w, h int) []byte {
	return append(append([]byte{}, pngMagic...), ihdr(w, h)...)
}

// TruncatedPNG returns a valid w×h PNG cut off in the middle of its image
// data.
func TruncatedPNG(w, h int) []byte {
	p := PNG(w, h)
	headerEnd := len(pngMagic) + 25
	return p[:headerEnd+(len(p)-headerEnd)/2]
}

// ICO returns an icon whose directory holds n entries, each claiming
// dirW×dirH (0 meaning 256, as the format says), all pointing at the same
// image data.
func ICO(n int, dirW, dirH uint8, data []byte) []byte {
	var b bytes.Buffer
	le := func(v any) { binary.Write(&b, binary.LittleEndian, v) }
	le(uint16(0))
	le(uint16(1))
	le(uint16(n))
	off := 6 + 16*n
	for range n {
		b.Write([]byte{dirW, dirH, 0, 0})
		le(uint16(1))
		le(uint16(32))
		le(uint32(len(data)))
		le(uint32(off))
	}
	b.Write(data)
	return b.Bytes()
}
