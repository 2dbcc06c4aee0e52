// Package workshop makes keys, self-signed certificates and certificate
// requests (PKCS#10), imports the certificate a CA sends back, and runs a
// small private CA.
//
// A private key never reaches a file unprotected: it lives only in a
// PKCS#12 bundle encrypted with a random password (go-pkcs12's modern
// encoder), and that password lives in a secrets.Store (the keyring), as
// the passwords of saved identities do.
package workshop
