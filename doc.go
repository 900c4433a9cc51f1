// Package xtsync is the root of the xtsync module; the command is in
// cmd/xtsync and the packages are described in the README.
package xtsync
