package main

import "fmt"

// Case is one question: the Istio objects and services of a mesh, the sidecar that asks for
// routes, and the requests it sends.
type Case struct {
	// Config is a YAML (or JSON) stream of Istio objects: VirtualService, DestinationRule, Gateway,
	// ServiceEntry, … Each document is validated as istiod's webhook would; rejected ones are left
	// out (the API server would never have stored them) and listed in Answer.Rejected.
	Config string `json:"config"`
	// Services of the Kubernetes registry (one HTTP port each unless Ports says otherwise).
	Services []ServiceSpec `json:"services"`
	Proxy    ProxySpec     `json:"proxy"`
	Requests []Request     `json:"requests"`
	// GatewayAPI is a YAML (or JSON) stream of Gateway API objects (HTTPRoute, Gateway,
	// GatewayClass, ReferenceGrant), converted by Istio's own Gateway API controller into the
	// config pilot routes with; the result is listed in Answer.Converted.
	GatewayAPI string `json:"gatewayApi,omitempty"`
	// RouteNames to print in Answer.Routes; default: the ports of the requests.
	RouteNames []string `json:"routeNames,omitempty"`
}

type ServiceSpec struct {
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	// Ports default to [80]; each is named http-<port> and targets the same port on the pods.
	Ports []int `json:"ports,omitempty"`
	// ClusterDomain defaults to cluster.local.
	ClusterDomain string `json:"clusterDomain,omitempty"`
}

// ServicePort is one port of a case's Service, the same to pilot's registry and to the Kubernetes
// Service the Gateway API controller reads.
type ServicePort struct {
	Name string
	Port int
}

// ServicePorts are the Service's ports with their names (default one: http-80).
func (s ServiceSpec) ServicePorts() []ServicePort {
	ports := s.Ports
	if len(ports) == 0 {
		ports = []int{80}
	}
	out := make([]ServicePort, 0, len(ports))
	for _, p := range ports {
		out = append(out, ServicePort{Name: fmt.Sprintf("http-%d", p), Port: p})
	}
	return out
}

type ProxySpec struct {
	// Namespace of the client workload (default "default").
	Namespace string            `json:"namespace"`
	Labels    map[string]string `json:"labels,omitempty"`
	// GatewayService makes the proxy a gateway pod behind this Service (of Namespace): it gets the
	// routes of the Gateways generated for that Service instead of a sidecar's.
	GatewayService string `json:"gatewayService,omitempty"`
}

// Request as the client's sidecar sees it on an outbound HTTP listener.
type Request struct {
	// Host is the :authority, without a port.
	Host string `json:"host"`
	// Port defaults to 80.
	Port int `json:"port,omitempty"`
	// RouteName of the listener's route table; default the port (a sidecar's outbound listener).
	// A gateway's HTTP listener on port 80 uses `http.80`.
	RouteName string `json:"routeName,omitempty"`
	// Path with an optional query string.
	Path   string `json:"path"`
	Method string `json:"method,omitempty"`
	// Headers by name (lowercase); one value each.
	Headers map[string]string `json:"headers,omitempty"`
}

type Answer struct {
	Error    string        `json:"error,omitempty"`
	Rejected []Rejection   `json:"rejected,omitempty"`
	Routes   []RouteConfig `json:"routes,omitempty"`
	// Clusters is every cluster pilot sends the sidecar (CDS): a route to any other answers 503 NC.
	Clusters []string `json:"clusters,omitempty"`
	// Converted is the Istio config Istio's Gateway API controller generated from GatewayAPI.
	Converted []Converted `json:"converted,omitempty"`
	// RouteStatus is the status Istio's controller wrote for each HTTPRoute of GatewayAPI (a route
	// whose status would stay empty is not listed).
	RouteStatus []RouteStatus `json:"routeStatus,omitempty"`
	Decisions   []Decision    `json:"decisions,omitempty"`
}

type Rejection struct {
	Kind      string `json:"kind"`
	Name      string `json:"name"`
	Namespace string `json:"namespace"`
	Error     string `json:"error"`
}

type RouteConfig struct {
	Name         string        `json:"name"`
	VirtualHosts []VirtualHost `json:"virtualHosts"`
}

type VirtualHost struct {
	Name    string   `json:"name"`
	Domains []string `json:"domains"`
	Routes  []Route  `json:"routes"`
}

type Route struct {
	Name   string `json:"name,omitempty"`
	Match  Match  `json:"match"`
	Action Action `json:"action"`
}

// Match is Envoy's RouteMatch, flattened for reading.
type Match struct {
	Path          *StringMatch  `json:"path,omitempty"`
	CaseSensitive bool          `json:"caseSensitive"`
	Headers       []HeaderMatch `json:"headers,omitempty"`
	Query         []QueryMatch  `json:"queryParameters,omitempty"`
	Other         []string      `json:"other,omitempty"`
}

type StringMatch struct {
	Exact               *string `json:"exact,omitempty"`
	Prefix              *string `json:"prefix,omitempty"`
	PathSeparatedPrefix *string `json:"pathSeparatedPrefix,omitempty"`
	Suffix              *string `json:"suffix,omitempty"`
	Contains            *string `json:"contains,omitempty"`
	Regex               *string `json:"regex,omitempty"`
	IgnoreCase          bool    `json:"ignoreCase,omitempty"`
}

type HeaderMatch struct {
	Name                      string       `json:"name"`
	Present                   *bool        `json:"present,omitempty"`
	Value                     *StringMatch `json:"value,omitempty"`
	Invert                    bool         `json:"invert,omitempty"`
	TreatMissingHeaderAsEmpty bool         `json:"treatMissingHeaderAsEmpty,omitempty"`
}

type QueryMatch struct {
	Name    string       `json:"name"`
	Present *bool        `json:"present,omitempty"`
	Value   *StringMatch `json:"value,omitempty"`
}

// Action is what Envoy does with a matched request.
type Action struct {
	// Kind: route, redirect, directResponse, or other (a filter action this program does not read).
	Kind     string            `json:"kind"`
	Clusters []WeightedCluster `json:"clusters,omitempty"`
	Mirrors  []Mirror          `json:"mirrors,omitempty"`
	// Status of a direct response or a redirect's response code.
	Status int `json:"status,omitempty"`
}

type WeightedCluster struct {
	Name string `json:"name"`
	// Weight relative to the route's other clusters; a lone cluster has weight 1.
	Weight uint32 `json:"weight"`
}

type Mirror struct {
	Cluster string `json:"cluster"`
	// Percent with four decimals as pilot encodes it (per hundred or per million).
	Percent string `json:"percent"`
}

// Decision for one request: the virtual host and route Envoy picks, or none.
type Decision struct {
	// RouteConfig is the route table of the request's port (the outbound listener's).
	RouteConfig string `json:"routeConfig"`
	VirtualHost string `json:"virtualHost,omitempty"`
	// Route is the index of the matched route in the virtual host, -1 for none.
	Route  int     `json:"route"`
	Action *Action `json:"action,omitempty"`
}

// Converted is one generated Istio object, as JSON.
type Converted struct {
	Kind        string            `json:"kind"`
	Name        string            `json:"name"`
	Namespace   string            `json:"namespace"`
	Annotations map[string]string `json:"annotations,omitempty"`
	Spec        any               `json:"spec"`
}

// RouteStatus is an HTTPRoute's status as Istio's Gateway API controller wrote it.
type RouteStatus struct {
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Status    any    `json:"status"`
}
