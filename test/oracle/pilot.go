package main

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"

	routev3 "github.com/envoyproxy/go-control-plane/envoy/config/route/v3"
	kubeyaml "k8s.io/apimachinery/pkg/util/yaml"

	"istio.io/istio/pilot/pkg/config/kube/crd"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/networking/core"
	"istio.io/istio/pilot/pkg/serviceregistry/provider"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/host"
	"istio.io/istio/pkg/config/protocol"
	"istio.io/istio/pkg/test"
)

// clusterDomain is Kubernetes' default DNS domain, the one istiod is configured with by default.
const clusterDomain = "cluster.local"

// Evaluate builds pilot's routes and clusters for the case's sidecar and routes its requests.
func Evaluate(c Case) Answer {
	configs, rejected, err := parseConfigs(c.Config)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	services, err := buildServices(c.Services)
	if err != nil {
		return Answer{Error: err.Error()}
	}
	var answer Answer
	failure := test.Wrap(func(t test.Failer) {
		instances := gatewayInstances(services, c.Proxy)
		if c.GatewayAPI != "" {
			// Istio's Gateway API controller reads services and mesh settings from a push context.
			base := core.NewConfigGenTest(t, core.TestOptions{Services: services, Instances: instances})
			converted, routeStatus := convertGatewayAPI(t, c.GatewayAPI, c.Services, base.PushContext())
			configs = append(configs, converted...)
			answer.RouteStatus = routeStatus
			answer.Converted = summarizeConverted(converted)
		}
		cg := core.NewConfigGenTest(t, core.TestOptions{Configs: configs, Services: services, Instances: instances})
		proxy := cg.SetupProxy(newProxy(c.Proxy))
		push := cg.PushContext()

		names := routeNames(c)
		resources, _ := cg.ConfigGen.BuildHTTPRoutes(proxy, &model.PushRequest{Push: push}, names)
		tables := map[string]*routev3.RouteConfiguration{}
		for _, resource := range resources {
			rc := &routev3.RouteConfiguration{}
			if err := resource.Resource.UnmarshalTo(rc); err != nil {
				t.Fatalf("route configuration %s: %v", resource.Name, err)
			}
			tables[rc.Name] = rc
			answer.Routes = append(answer.Routes, summarizeRouteConfig(rc))
		}
		for _, cl := range cg.Clusters(proxy) {
			answer.Clusters = append(answer.Clusters, cl.Name)
		}
		slices.Sort(answer.Clusters)
		for _, req := range c.Requests {
			answer.Decisions = append(answer.Decisions, decide(tables, req))
		}
	})
	if failure != nil {
		return Answer{Error: failure.Error(), Rejected: rejected}
	}
	answer.Rejected = rejected
	return answer
}

// parseConfigs decodes each document as istiod does (YAML 1.1 through sigs.k8s.io/yaml) and keeps
// the ones its validation accepts; the rest are returned as rejections, never silently dropped.
func parseConfigs(stream string) ([]config.Config, []Rejection, error) {
	reader := kubeyaml.NewYAMLReader(bufio.NewReader(strings.NewReader(stream)))
	created := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var configs []config.Config
	var rejected []Rejection
	for index := 0; ; index++ {
		doc, err := reader.Read()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, nil, fmt.Errorf("config document %d: %v", index, err)
		}
		if strings.TrimSpace(string(doc)) == "" {
			continue
		}
		parsed, others, err := crd.ParseInputs(string(doc))
		if err != nil {
			rejected = append(rejected, rejectionOf(string(doc), err))
			continue
		}
		if len(others) > 0 {
			return nil, nil, fmt.Errorf("config document %d: kind %s is not an Istio config kind", index, others[0].Kind)
		}
		for _, cfg := range parsed {
			if cfg.Namespace == "" {
				cfg.Namespace = "default"
			}
			// Istio's Kubernetes config store stamps every object with the cluster's domain; pilot
			// qualifies short hosts with it (catalog → catalog.<ns>.svc.cluster.local).
			if cfg.Domain == "" {
				cfg.Domain = clusterDomain
			}
			if cfg.CreationTimestamp.IsZero() {
				// One time for all, as istio's own config-gen tests do: ties are then broken by name.
				cfg.CreationTimestamp = created
			}
			configs = append(configs, cfg)
		}
	}
	return configs, rejected, nil
}

// rejectionOf names the object that failed to parse or validate, read without validation.
func rejectionOf(doc string, err error) Rejection {
	obj := crd.IstioKind{}
	_ = kubeyaml.NewYAMLOrJSONDecoder(strings.NewReader(doc), 1<<20).Decode(&obj)
	ns := obj.Namespace
	if ns == "" {
		ns = "default"
	}
	return Rejection{Kind: obj.Kind, Name: obj.Name, Namespace: ns, Error: err.Error()}
}

func buildServices(specs []ServiceSpec) ([]*model.Service, error) {
	out := make([]*model.Service, 0, len(specs))
	for i, s := range specs {
		if s.Name == "" || s.Namespace == "" {
			return nil, fmt.Errorf("services[%d]: name and namespace are required", i)
		}
		domain := s.ClusterDomain
		if domain == "" {
			domain = clusterDomain
		}
		svc := &model.Service{
			Hostname:       host.Name(fmt.Sprintf("%s.%s.svc.%s", s.Name, s.Namespace, domain)),
			DefaultAddress: fmt.Sprintf("10.96.%d.%d", (i+1)/250, (i+1)%250+1),
			Resolution:     model.ClientSideLB,
			Attributes: model.ServiceAttributes{
				ServiceRegistry: provider.Kubernetes,
				Name:            s.Name,
				Namespace:       s.Namespace,
			},
		}
		for _, p := range s.ServicePorts() {
			svc.Ports = append(svc.Ports, &model.Port{Name: p.Name, Port: p.Port, Protocol: protocol.HTTP})
		}
		out = append(out, svc)
	}
	return out, nil
}

func newProxy(spec ProxySpec) *model.Proxy {
	ns := spec.Namespace
	if ns == "" {
		ns = "default"
	}
	p := &model.Proxy{
		ConfigNamespace: ns,
		Labels:          spec.Labels,
		Metadata:        &model.NodeMetadata{Namespace: ns, Labels: spec.Labels},
	}
	if spec.GatewayService != "" {
		// The gateway's pod: its address is the endpoint of the gateway Service (gatewayInstances),
		// which is how pilot finds the Gateways generated for that Service.
		p.Type = model.Router
		p.IPAddresses = []string{gatewayPodIP}
	}
	return p
}

// gatewayPodIP is the address of the simulated gateway pod (any address no other endpoint uses).
const gatewayPodIP = "10.1.0.1"

// gatewayInstances makes the proxy an endpoint of its gateway Service, on every port of it.
func gatewayInstances(services []*model.Service, spec ProxySpec) []*model.ServiceInstance {
	if spec.GatewayService == "" {
		return nil
	}
	var out []*model.ServiceInstance
	for _, svc := range services {
		if svc.Attributes.Name != spec.GatewayService || svc.Attributes.Namespace != spec.Namespace {
			continue
		}
		for _, port := range svc.Ports {
			out = append(out, &model.ServiceInstance{
				Service:     svc,
				ServicePort: port,
				Endpoint: &model.IstioEndpoint{
					Addresses:       []string{gatewayPodIP},
					EndpointPort:    uint32(port.Port),
					ServicePortName: port.Name,
					Namespace:       spec.Namespace,
					Labels:          spec.Labels,
				},
			})
		}
	}
	return out
}

// routeNames are the sidecar's outbound route tables to build: one per port (RDS name = port).
func routeNames(c Case) []string {
	names := append([]string{}, c.RouteNames...)
	for _, r := range c.Requests {
		name := routeNameOf(r)
		if !slices.Contains(names, name) {
			names = append(names, name)
		}
	}
	return names
}

// routeNameOf is the RDS name of the listener the request arrives on: the port for a sidecar's
// outbound listener, `http.<port>` for a gateway's.
func routeNameOf(r Request) string {
	if r.RouteName != "" {
		return r.RouteName
	}
	return strconv.Itoa(portOf(r))
}

func portOf(r Request) int {
	if r.Port == 0 {
		return 80
	}
	return r.Port
}
