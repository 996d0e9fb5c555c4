package main

// Gateway API objects (HTTPRoute, Gateway, GatewayClass, ReferenceGrant) turned into the Istio
// configuration pilot routes with, by Istio's own Gateway API controller
// (pilot/pkg/config/kube/gateway): the controller runs over a fake Kubernetes client holding the
// objects, the case's Services and their Namespaces, exactly as Istio's conversion tests drive it,
// and its outputs (VirtualServices, Gateways, DestinationRules) join the case's other config.

import (
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/gateway-api/pkg/consts"

	"istio.io/istio/pilot/pkg/config/kube/gateway"
	"istio.io/istio/pilot/pkg/config/kube/gatewaycommon"
	"istio.io/istio/pilot/pkg/features"
	"istio.io/istio/pilot/pkg/model"
	"istio.io/istio/pilot/pkg/serviceregistry/kube/controller"
	"istio.io/istio/pilot/pkg/status"
	"istio.io/istio/pkg/config"
	"istio.io/istio/pkg/config/schema/gvk"
	"istio.io/istio/pkg/config/schema/gvr"
	"istio.io/istio/pkg/kube"
	"istio.io/istio/pkg/kube/controllers"
	"istio.io/istio/pkg/kube/kclient/clienttest"
	"istio.io/istio/pkg/kube/krt"
	"istio.io/istio/pkg/test"
	"istio.io/istio/pkg/util/sets"
)

func init() {
	// As istiod runs with them for ambient and experimental Gateway API fields (and as Istio's own
	// conversion tests set them): waypoints as parents, the experimental channel's fields.
	features.EnableAlphaGatewayAPI = true
	features.EnableAmbientWaypoints = true
	features.EnableGatewayAPIGatewayClassController = false
	gatewaycommon.ClassInfos = gatewaycommon.GetClassInfos()
	gatewaycommon.BuiltinGatewayClasses = gatewaycommon.GetBuiltinGatewayClasses()
}

func alwaysReady(schema.GroupVersionResource, <-chan struct{}) bool { return true }

// decodeGatewayAPI reads a YAML/JSON stream of Kubernetes objects with Istio's codec (which knows
// the Gateway API types).
func decodeGatewayAPI(stream string) ([]runtime.Object, error) {
	decode := kube.IstioCodec.UniversalDeserializer().Decode
	var out []runtime.Object
	for index, doc := range strings.Split(stream, "\n---\n") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		obj, _, err := decode([]byte(doc), nil, nil)
		if err != nil {
			return nil, fmt.Errorf("gatewayApi document %d: %v", index, err)
		}
		out = append(out, obj)
	}
	return out, nil
}

// kubeServices are the case's Services and the Namespaces of every object, as Kubernetes objects:
// the controller resolves backendRefs and Service parentRefs against them.
func kubeServices(specs []ServiceSpec, objects []runtime.Object) []runtime.Object {
	namespaces := sets.New[string]()
	var out []runtime.Object
	for _, s := range specs {
		namespaces.Insert(s.Namespace)
		svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: s.Name, Namespace: s.Namespace}}
		for _, p := range s.ServicePorts() {
			svc.Spec.Ports = append(svc.Spec.Ports, corev1.ServicePort{
				Name: p.Name, Port: int32(p.Port), TargetPort: intstr.FromInt32(int32(p.Port)), Protocol: corev1.ProtocolTCP,
			})
		}
		out = append(out, svc)
	}
	for _, o := range objects {
		if ns := o.(controllers.Object).GetNamespace(); ns != "" {
			namespaces.Insert(ns)
		}
	}
	for _, ns := range sets.SortedList(namespaces) {
		out = append(out, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	return out
}

// routeStatusStore is the config store Istio's status manager reads the case's HTTPRoutes from and
// writes their status to; it keeps what is written. Only Get and UpdateStatus are called.
type routeStatusStore struct {
	model.ConfigStore
	mu      sync.Mutex
	routes  map[string]config.Config
	written map[string]any
}

func newRouteStatusStore(objects []runtime.Object) *routeStatusStore {
	s := &routeStatusStore{routes: map[string]config.Config{}, written: map[string]any{}}
	for _, o := range objects {
		if o.GetObjectKind().GroupVersionKind().Kind != gvk.HTTPRoute.Kind {
			continue
		}
		obj := o.(controllers.Object)
		s.routes[obj.GetNamespace()+"/"+obj.GetName()] = config.Config{Meta: config.Meta{
			GroupVersionKind: gvk.HTTPRoute, Name: obj.GetName(), Namespace: obj.GetNamespace(), Generation: obj.GetGeneration(),
		}}
	}
	return s
}

func (s *routeStatusStore) Get(typ config.GroupVersionKind, name, namespace string) *config.Config {
	if typ != gvk.HTTPRoute {
		return nil
	}
	c, ok := s.routes[namespace+"/"+name]
	if !ok {
		return nil
	}
	return &c
}

func (s *routeStatusStore) UpdateStatus(c config.Config) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.written[c.Namespace+"/"+c.Name] = c.Status
	return "", nil
}

// statuses waits until every route has a written status or `quiet` passes without a new one (a
// route whose status would stay empty is never written), and returns them.
func (s *routeStatusStore) statuses(quiet time.Duration) []RouteStatus {
	deadline := time.Now().Add(quiet)
	count := -1
	for time.Now().Before(deadline) {
		s.mu.Lock()
		n := len(s.written)
		s.mu.Unlock()
		if n == len(s.routes) {
			break
		}
		if n != count {
			count, deadline = n, time.Now().Add(quiet)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]RouteStatus, 0, len(s.written))
	for key, st := range s.written {
		ns, name, _ := strings.Cut(key, "/")
		out = append(out, RouteStatus{Namespace: ns, Name: name, Status: st})
	}
	return out
}

// convertGatewayAPI runs Istio's Gateway API controller over the objects and returns the Istio
// config it generates and the status it writes for each HTTPRoute. `push` is a PushContext of the
// case's services (the controller reads service and mesh data from it).
func convertGatewayAPI(t test.Failer, stream string, specs []ServiceSpec, push *model.PushContext) ([]config.Config, []RouteStatus) {
	objects, err := decodeGatewayAPI(stream)
	if err != nil {
		t.Fatal(err)
	}
	kc := kube.NewFakeClient(append(objects, kubeServices(specs, objects)...)...)
	for _, crd := range []schema.GroupVersionResource{
		gvr.KubernetesGateway, gvr.ReferenceGrant, gvr.GatewayClass, gvr.HTTPRoute, gvr.GRPCRoute, gvr.TCPRoute, gvr.TLSRoute,
		gvr.ListenerSet, gvr.ServiceEntry, gvr.XBackendTrafficPolicy, gvr.BackendTLSPolicy,
	} {
		clienttest.MakeCRDWithAnnotations(t, kc, crd, map[string]string{consts.BundleVersionAnnotation: consts.BundleVersion})
	}
	stop := make(chan struct{})
	defer close(stop)
	ctrl := gateway.NewController(kc, alwaysReady, controller.Options{DomainSuffix: clusterDomain, KrtDebugger: &krt.DebugHandler{}}, nil)
	go ctrl.Run(stop)
	kc.RunAndWait(stop)
	ctrl.Reconcile(push)
	kube.WaitForCacheSync("gateway-api conversion", stop, ctrl.HasSynced)
	var out []config.Config
	for _, kind := range []config.GroupVersionKind{gvk.Gateway, gvk.VirtualService, gvk.DestinationRule} {
		out = append(out, ctrl.List(kind, "")...)
	}
	store := newRouteStatusStore(objects)
	manager := status.NewManager(store)
	go manager.Start(stop)
	ctrl.SetStatusWrite(true, manager)
	return out, store.statuses(200 * time.Millisecond)
}

func summarizeConverted(configs []config.Config) []Converted {
	out := make([]Converted, 0, len(configs))
	for _, c := range configs {
		out = append(out, Converted{Kind: c.GroupVersionKind.Kind, Name: c.Name, Namespace: c.Namespace, Annotations: c.Annotations, Spec: c.Spec})
	}
	return out
}
