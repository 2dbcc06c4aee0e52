//go:build !linux

package client

// dialDataTCP connects a data connection or an HTTPS download. Go's own
// dialer serves outside Linux; see fdconn_linux.go for what Linux gets
// instead.
var dialDataTCP = dialGo
