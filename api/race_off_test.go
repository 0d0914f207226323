//go:build !race

package api_test

// raceDetector is whether the tests run under -race, where the tests of
// multi-megabyte bodies only measure the detector; they run without it.
const raceDetector = false
