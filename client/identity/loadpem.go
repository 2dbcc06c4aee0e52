package identity

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
)

// LoadPEM loads a PEM certificate (followed by any chain) and its private
// key. keyFile may be "" when the key is in certFile. Keys may be PKCS#1,
// PKCS#8 or SEC1 EC; encrypted PEM keys are refused with advice. A DER
// certificate is accepted in certFile too, with the key in keyFile.
func LoadPEM(certFile, keyFile string) (*Identity, error) {
	data, err := readSmallFile(certFile)
	if err != nil {
		return nil, fmt.Errorf("client certificate %s: %w", certFile, err)
	}
	return loadPEMData(certFile, data, keyFile)
}

func loadPEMData(certFile string, certData []byte, keyFile string) (*Identity, error) {
	certs, inline, err := certsFromFile(certData)
	if err != nil {
		return nil, fmt.Errorf("client certificate %s: %w", certFile, err)
	}
	keyBlocks, keyWhere, source := inline.keys, "client certificate "+certFile, certFile
	if keyFile != "" {
		keyWhere, source = "client key "+keyFile, certFile+" + "+keyFile
		keyBlocks, err = keysFromFile(keyFile)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", keyWhere, err)
		}
	} else if len(keyBlocks) == 0 {
		return nil, fmt.Errorf("client certificate %s: no private key in the file; give the key file as well", certFile)
	}
	if len(keyBlocks) > 1 {
		return nil, fmt.Errorf("%s: %d private keys found, expected one", keyWhere, len(keyBlocks))
	}
	key, err := parseKey(keyBlocks[0])
	if err != nil {
		return nil, fmt.Errorf("%s: %w", keyWhere, err)
	}
	leaf, chain, err := splitLeaf(certs, key)
	if err != nil {
		return nil, fmt.Errorf("%s: %w in %s", keyWhere, err, certFile)
	}
	return newIdentity(leaf, chain, key, source), nil
}

// certsFromFile returns the certificates in a PEM (or DER) certificate file
// and the rest of its PEM content, which may hold the key.
func certsFromFile(data []byte) ([]*x509.Certificate, pemContents, error) {
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		if certs, err := x509.ParseCertificates(data); err == nil && len(certs) > 0 {
			return certs, pemContents{}, nil
		}
		return nil, pemContents{}, errors.New("no CERTIFICATE block found (not a PEM file)")
	}
	pc, err := splitPEM(data)
	if err != nil {
		return nil, pc, err
	}
	if len(pc.certs) == 0 {
		return nil, pc, fmt.Errorf("no CERTIFICATE block found%s", pc.found())
	}
	certs := make([]*x509.Certificate, 0, len(pc.certs))
	for i, b := range pc.certs {
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, pc, fmt.Errorf("certificate %d of %d: %w", i+1, len(pc.certs), err)
		}
		certs = append(certs, c)
	}
	return certs, pc, nil
}

func keysFromFile(keyFile string) ([]*pem.Block, error) {
	data, err := readSmallFile(keyFile)
	if err != nil {
		return nil, err
	}
	if !bytes.Contains(data, []byte("-----BEGIN")) {
		return nil, errors.New("no PRIVATE KEY block found (not a PEM file)")
	}
	pc, err := splitPEM(data)
	if err != nil {
		return nil, err
	}
	if len(pc.keys) == 0 {
		return nil, fmt.Errorf("no PRIVATE KEY block found%s", pc.found())
	}
	return pc.keys, nil
}
