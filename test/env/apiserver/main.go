// Command apiserver runs the real Kubernetes API extensions server (the CustomResourceDefinition
// server from k8s.io/apiextensions-apiserver: its options, handlers and storage) standalone on
// 127.0.0.1 for tests and the demo, with an embedded etcd so that nothing else has to be installed.
//
// It prepares what a cluster would normally provide: a CA with a serving and a client certificate
// (group system:masters, which delegated authorization always allows), a kubeconfig for clients,
// and a placeholder kubeconfig for the delegated authentication and authorization lookups that
// this server never needs. Arguments after "--" go to the API server unchanged.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/component-base/cli"
)

type launchOptions struct {
	dataDir        string
	securePort     int
	etcdClientPort int
	etcdPeerPort   int
}

func main() {
	opts, apiserverExtra, err := parseArgs(os.Args[1:])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	os.Exit(run(opts, apiserverExtra))
}

func parseArgs(args []string) (launchOptions, []string, error) {
	ours, theirs := splitAtDoubleDash(args)
	fs := flag.NewFlagSet("apiserver", flag.ContinueOnError)
	var o launchOptions
	fs.StringVar(&o.dataDir, "data-dir", "", "directory for etcd data, certificates and kubeconfigs (required)")
	fs.IntVar(&o.securePort, "secure-port", 0, "HTTPS port of the API server on 127.0.0.1 (required)")
	fs.IntVar(&o.etcdClientPort, "etcd-client-port", 0, "etcd client port on 127.0.0.1 (required)")
	fs.IntVar(&o.etcdPeerPort, "etcd-peer-port", 0, "etcd peer port on 127.0.0.1 (required)")
	if err := fs.Parse(ours); err != nil {
		return o, nil, err
	}
	if o.dataDir == "" || o.securePort == 0 || o.etcdClientPort == 0 || o.etcdPeerPort == 0 {
		return o, nil, fmt.Errorf("--data-dir, --secure-port, --etcd-client-port and --etcd-peer-port are required")
	}
	return o, theirs, nil
}

func splitAtDoubleDash(args []string) ([]string, []string) {
	for i, a := range args {
		if a == "--" {
			return args[:i], args[i+1:]
		}
	}
	return args, nil
}

func run(o launchOptions, apiserverExtra []string) int {
	dataDir, err := filepath.Abs(o.dataDir)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	pki, err := ensurePKI(filepath.Join(dataDir, "pki"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "certificates:", err)
		return 1
	}
	serverURL := fmt.Sprintf("https://127.0.0.1:%d", o.securePort)
	if err := writeClientKubeconfig(filepath.Join(dataDir, "admin.kubeconfig"), serverURL, pki); err != nil {
		fmt.Fprintln(os.Stderr, "kubeconfig:", err)
		return 1
	}
	placeholder := filepath.Join(dataDir, "delegation.kubeconfig")
	if err := writePlaceholderKubeconfig(placeholder); err != nil {
		fmt.Fprintln(os.Stderr, "kubeconfig:", err)
		return 1
	}

	etcd, err := startEtcd(filepath.Join(dataDir, "etcd"), o.etcdClientPort, o.etcdPeerPort)
	if err != nil {
		fmt.Fprintln(os.Stderr, "etcd:", err)
		return 1
	}
	defer etcd.Close()

	ctx := genericapiserver.SetupSignalContext()
	go stopOnEtcdFailure(ctx, etcd)

	cmd := newServerCommand(ctx, os.Stdout, os.Stderr)
	cmd.SetArgs(append(apiserverArgs(o, pki, placeholder), apiserverExtra...))
	return cli.Run(cmd)
}

// apiserverArgs turns off what would talk to a core kube-apiserver that does not exist here:
// the authentication ConfigMap lookup, priority and fairness, and the admission plugins that read
// Namespaces or webhook configurations.
func apiserverArgs(o launchOptions, pki pkiFiles, placeholderKubeconfig string) []string {
	return []string{
		"--bind-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", o.securePort),
		"--tls-cert-file=" + pki.serverCert,
		"--tls-private-key-file=" + pki.serverKey,
		"--client-ca-file=" + pki.caCert,
		"--kubeconfig=" + placeholderKubeconfig,
		"--authentication-kubeconfig=" + placeholderKubeconfig,
		"--authorization-kubeconfig=" + placeholderKubeconfig,
		"--authentication-skip-lookup",
		"--enable-priority-and-fairness=false",
		"--disable-admission-plugins=" + strings.Join([]string{
			"NamespaceLifecycle",
			"MutatingAdmissionWebhook",
			"ValidatingAdmissionWebhook",
			"ValidatingAdmissionPolicy",
			"MutatingAdmissionPolicy",
		}, ","),
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", o.etcdClientPort),
		"--etcd-prefix=/registry/istio-canary",
	}
}

// stopOnEtcdFailure exits the process when the embedded etcd stops on its own, so that a
// supervisor sees one failed process instead of an API server whose storage is gone.
func stopOnEtcdFailure(ctx context.Context, etcd *embeddedEtcd) {
	select {
	case <-ctx.Done():
	case err := <-etcd.Err():
		fmt.Fprintln(os.Stderr, "etcd stopped:", err)
		os.Exit(1)
	}
}
