package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

type pkiFiles struct {
	caCert, serverCert, serverKey, clientCert, clientKey string
}

type keyPair struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

const certLifetime = 365 * 24 * time.Hour

// ensurePKI creates a CA, a serving certificate for 127.0.0.1 and a client certificate in group
// system:masters, unless the directory already holds them (a restart keeps clients' kubeconfigs valid).
func ensurePKI(dir string) (pkiFiles, error) {
	files := pkiFiles{
		caCert:     filepath.Join(dir, "ca.crt"),
		serverCert: filepath.Join(dir, "server.crt"),
		serverKey:  filepath.Join(dir, "server.key"),
		clientCert: filepath.Join(dir, "client.crt"),
		clientKey:  filepath.Join(dir, "client.key"),
	}
	if _, err := os.Stat(files.clientKey); err == nil {
		return files, nil
	} else if !errors.Is(err, os.ErrNotExist) {
		return files, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return files, err
	}
	ca, err := issue(&x509.Certificate{
		Subject:               pkix.Name{CommonName: "istio-canary-local-ca"},
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
	}, nil)
	if err != nil {
		return files, err
	}
	serving, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "127.0.0.1"},
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)},
		DNSNames:    []string{"localhost"},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}, &ca)
	if err != nil {
		return files, err
	}
	client, err := issue(&x509.Certificate{
		Subject:     pkix.Name{CommonName: "istio-canary-admin", Organization: []string{"system:masters"}},
		KeyUsage:    x509.KeyUsageDigitalSignature,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
	}, &ca)
	if err != nil {
		return files, err
	}
	// The client key is written last: its presence marks a complete set.
	writes := []struct {
		path string
		data []byte
	}{
		{files.caCert, certPEM(ca)},
		{files.serverCert, certPEM(serving)},
		{files.serverKey, keyPEM(serving)},
		{files.clientCert, certPEM(client)},
		{files.clientKey, keyPEM(client)},
	}
	for _, w := range writes {
		if err := os.WriteFile(w.path, w.data, 0o600); err != nil {
			return files, err
		}
	}
	return files, nil
}

// issue signs template with parent's key, or self-signs it when parent is nil.
func issue(template *x509.Certificate, parent *keyPair) (keyPair, error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return keyPair{}, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 62))
	if err != nil {
		return keyPair{}, err
	}
	template.SerialNumber = serial
	template.NotBefore = time.Now().Add(-time.Hour)
	template.NotAfter = time.Now().Add(certLifetime)
	signerCert, signerKey := template, key
	if parent != nil {
		signerCert, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, template, signerCert, &key.PublicKey, signerKey)
	if err != nil {
		return keyPair{}, err
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return keyPair{}, err
	}
	return keyPair{cert: cert, key: key}, nil
}

func certPEM(k keyPair) []byte {
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.cert.Raw})
}

func keyPEM(k keyPair) []byte {
	der, err := x509.MarshalECPrivateKey(k.key)
	if err != nil {
		panic(err) // only fails for unsupported curves; P-256 is supported
	}
	return pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: der})
}
