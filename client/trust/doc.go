// Package trust keeps what the user decided to trust beyond the system
// roots: certificates accepted per host:port (pins) and extra CA files.
//
// Pins live in pins.json in the Lockbox configuration directory. The file is
// written atomically and never silently replaced: a file that cannot be read
// back is moved aside so the user can inspect it.
package trust
