// Package dirsync compares a local folder with a server folder and
// synchronises them: it scans both trees (the server's with the site's pool,
// in parallel), classifies every path (only-local, only-remote, newer-local,
// newer-remote, different-size, same), turns that into a plan of actions
// for a direction, and carries the plan out through client/transfer's queue.
//
// What each side looked like after the last synchronisation is kept per
// profile (state.go), so that a file changed on both sides is reported as a
// conflict instead of being overwritten, and a second run right after the
// first does nothing even on a server that cannot set modification times.
package dirsync
