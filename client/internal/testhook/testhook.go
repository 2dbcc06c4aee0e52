// Package testhook lets the engine's tests outside package client (the
// transfer queue's, say) reach two of its insides: a hook on every session
// a pool connects, and a wrapper on a session's data connections. Package
// client sets the functions; only tests call them.
package testhook

import "net"

// PoolConnected installs connected on pool (a *client.Pool): it is called
// with every session (a *client.Session) the pool holds or connects later.
var PoolConnected func(pool any, connected func(session any))

// WrapData wraps the socket of every later data connection of session (a
// *client.Session), to cut it after some bytes, say.
var WrapData func(session any, wrap func(net.Conn) net.Conn)
