// Package certfile reads the certificate file formats that both the trust
// roots (client/trust, for --ca and a site's CA files) and the certificate
// viewer (certview, for `lockbox cert` and the certificate panel) accept
// beyond plain PEM and DER: PKCS#7 certificates-only bundles (.p7b/.p7c),
// and it names the other DER objects people mistake for certificates.
//
// It lives under client/ so that client packages can use it without
// importing certview, and it imports only the standard library. PKCS#7 is
// parsed with encoding/asn1 rather than a PKCS#7 library, whose BER
// decoders recurse without limit on hostile input.
package certfile
