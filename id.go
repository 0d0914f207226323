package amigo

import (
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"regexp"
	"time"
)

var idPattern = regexp.MustCompile(`^[a-f0-9]{24}$`)

// NewID returns a new resource id: 24 lower-case hex characters shaped like a
// MongoDB ObjectId (4 bytes of seconds since the epoch, 8 random bytes), as
// the spec's path patterns require. Ids sort roughly by creation time.
func NewID(now time.Time) string {
	var b [12]byte
	binary.BigEndian.PutUint32(b[:4], uint32(now.Unix()))
	if _, err := rand.Read(b[4:]); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b[:])
}

// IsID reports whether s is a well-formed resource id.
func IsID(s string) bool { return idPattern.MatchString(s) }

// NewUUID returns a random RFC 4122 version 4 UUID, used for API key ids.
func NewUUID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
