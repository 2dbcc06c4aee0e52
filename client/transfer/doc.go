// Package transfer moves files between the local disk and a server: the
// queue and its jobs (downloads, uploads, folder operations, whole trees)
// over a client.Pool, their progress, the existing-files policy, the
// .lockbox-part files downloads are written to, and HTTPS downloads
// (GetHTTPS) with the same job lifecycle. Every local write stays inside
// the folder it was given.
package transfer
