//go:build !linux

package hugeheap

func reserve(n int64) bool { return false }
