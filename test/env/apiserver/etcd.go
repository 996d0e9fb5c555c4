package main

import (
	"fmt"
	"net/url"
	"time"

	"go.etcd.io/etcd/server/v3/embed"
)

type embeddedEtcd struct {
	server *embed.Etcd
}

const etcdStartTimeout = 60 * time.Second

// startEtcd runs a single-member etcd on loopback. Fsync is off: the data is a test fixture
// that is thrown away, and fsync dominates write latency on shared CI disks.
func startEtcd(dir string, clientPort, peerPort int) (*embeddedEtcd, error) {
	cfg := embed.NewConfig()
	cfg.Name = "istio-canary"
	cfg.Dir = dir
	cfg.UnsafeNoFsync = true
	cfg.LogLevel = "warn"
	cfg.LogOutputs = []string{"stderr"}
	clientURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", clientPort)}
	peerURL := url.URL{Scheme: "http", Host: fmt.Sprintf("127.0.0.1:%d", peerPort)}
	cfg.ListenClientUrls = []url.URL{clientURL}
	cfg.AdvertiseClientUrls = []url.URL{clientURL}
	cfg.ListenPeerUrls = []url.URL{peerURL}
	cfg.AdvertisePeerUrls = []url.URL{peerURL}
	cfg.InitialCluster = cfg.InitialClusterFromName(cfg.Name)

	server, err := embed.StartEtcd(cfg)
	if err != nil {
		return nil, err
	}
	select {
	case <-server.Server.ReadyNotify():
		return &embeddedEtcd{server: server}, nil
	case err := <-server.Err():
		server.Close()
		return nil, err
	case <-time.After(etcdStartTimeout):
		server.Close()
		return nil, fmt.Errorf("not ready after %s", etcdStartTimeout)
	}
}

func (e *embeddedEtcd) Err() <-chan error { return e.server.Err() }

func (e *embeddedEtcd) Close() { e.server.Close() }
