//go:build !unix

package server

import (
	"fmt"
	"os"
)

// canWrite checks the file's read-only attribute by path, which opens no
// descriptor (see writableSQLite). Windows locks are not POSIX locks, but
// the check stays as harmless there as everywhere.
func canWrite(path string) error {
	info, err := os.Stat(path)
	if err != nil {
		return err
	}
	if info.Mode().Perm()&0o200 == 0 {
		return fmt.Errorf("%s is read-only", path)
	}
	return nil
}
