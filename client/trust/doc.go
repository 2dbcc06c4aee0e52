// Package trust keeps what the user decided to trust beyond the system
// roots: certificates accepted per host:port (pins) and extra CA files; and
// the host:ports where TLS was negotiated, to notice a server that later
// refuses it (a possible downgrade attack).
//
// Pins live in pins.json and the TLS record in tls_seen.json, both in the
// Lockbox configuration directory. The files are written atomically and
// never silently replaced: a file that cannot be read back is moved aside so
// the user can inspect it.
package trust
