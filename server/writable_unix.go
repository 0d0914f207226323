//go:build unix

package server

import (
	"os"

	"golang.org/x/sys/unix"
)

// canWrite asks the kernel whether this process may write the file at
// path, by path: it opens no descriptor (see writableSQLite). It sees
// permissions, immutable files and read-only mounts. (Not faccessat with
// AT_EACCESS: where faccessat2 is filtered, as in many containers, x/sys
// emulates it and answers yes to root without asking the kernel.)
func canWrite(path string) error {
	if err := unix.Access(path, unix.W_OK); err != nil {
		return &os.PathError{Op: "access", Path: path, Err: err}
	}
	return nil
}
