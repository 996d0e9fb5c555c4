package main

import (
	"os"

	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// writeClientKubeconfig writes a kubeconfig with the CA and the client certificate embedded, so
// that tests can copy or read it without the pki directory.
func writeClientKubeconfig(path, serverURL string, pki pkiFiles) error {
	ca, err := os.ReadFile(pki.caCert)
	if err != nil {
		return err
	}
	cert, err := os.ReadFile(pki.clientCert)
	if err != nil {
		return err
	}
	key, err := os.ReadFile(pki.clientKey)
	if err != nil {
		return err
	}
	return writeKubeconfig(path, &clientcmdapi.Cluster{Server: serverURL, CertificateAuthorityData: ca},
		&clientcmdapi.AuthInfo{ClientCertificateData: cert, ClientKeyData: key})
}

// writePlaceholderKubeconfig points the delegated lookups at a loopback port where nothing
// listens: with lookups skipped and client certificates in system:masters they are never made.
func writePlaceholderKubeconfig(path string) error {
	return writeKubeconfig(path, &clientcmdapi.Cluster{Server: "https://127.0.0.1:1", InsecureSkipTLSVerify: true},
		&clientcmdapi.AuthInfo{})
}

func writeKubeconfig(path string, cluster *clientcmdapi.Cluster, user *clientcmdapi.AuthInfo) error {
	config := clientcmdapi.NewConfig()
	config.Clusters["local"] = cluster
	config.AuthInfos["local"] = user
	config.Contexts["local"] = &clientcmdapi.Context{Cluster: "local", AuthInfo: "local"}
	config.CurrentContext = "local"
	return clientcmd.WriteToFile(*config, path)
}
