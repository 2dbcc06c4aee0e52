// Package client is Lockbox's engine: it parses targets, connects to FTP,
// FTPS and HTTPS servers over connections it dials, taps and verifies
// itself, asks its caller to decide on certificates and client identities
// (Options), and reports every step and the verdict (Report). It owns the
// FTP sessions, the pool that shares one trust decision between them, the
// HTTPS requests, and the errors all of them return; the transfer queue
// built on top lives in client/transfer, the connections themselves in its
// internal packages (ftpconn, proxydial). It never imports Fyne.
package client
