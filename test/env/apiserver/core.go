package main

// A small core API behind the CRD server: ConfigMaps and Namespaces (v1), stored in the same etcd
// and served by the same generic registry code kube-apiserver uses (k8s.io/apiserver's
// genericregistry.Store), under the same authentication and authorization (the CRD server's
// filters run first; this server is its delegate, as in kube-apiserver's delegation chain). Tests
// need them for what clusters keep there: Istio's mesh config (ConfigMap `istio` in
// istio-system) and the namespace labels that pick a control plane revision (`istio.io/rev`).
// Validation is not kube-apiserver's (names and keys are not checked); nothing else of the core
// API exists.

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apiextensions-apiserver/pkg/cmd/server/options"
	generatedopenapi "k8s.io/apiextensions-apiserver/pkg/generated/openapi"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/apimachinery/pkg/util/validation/field"
	openapinamer "k8s.io/apiserver/pkg/endpoints/openapi"
	"k8s.io/apiserver/pkg/registry/generic"
	genericregistry "k8s.io/apiserver/pkg/registry/generic/registry"
	"k8s.io/apiserver/pkg/registry/rest"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/storage"
	"k8s.io/apiserver/pkg/storage/names"
	"k8s.io/kube-openapi/pkg/common"
	"k8s.io/kube-openapi/pkg/validation/spec"
)

var (
	coreScheme = runtime.NewScheme()
	coreCodecs = serializer.NewCodecFactory(coreScheme)
	coreGV     = schema.GroupVersion{Group: "", Version: "v1"}
)

func init() {
	if err := corev1.AddToScheme(coreScheme); err != nil {
		panic(err)
	}
	// The stored and the served form are the same Go types: registered as the internal version
	// too, the handlers' conversions to and from it are copies.
	coreScheme.AddKnownTypes(schema.GroupVersion{Group: "", Version: runtime.APIVersionInternal},
		&corev1.ConfigMap{}, &corev1.ConfigMapList{}, &corev1.Namespace{}, &corev1.NamespaceList{})
	metav1.AddToGroupVersion(coreScheme, schema.GroupVersion{Version: "v1"})
	coreScheme.AddUnversionedTypes(schema.GroupVersion{Group: "", Version: "v1"},
		&metav1.Status{}, &metav1.APIVersions{}, &metav1.APIGroupList{}, &metav1.APIGroup{}, &metav1.APIResourceList{})
}

// strategy: create and update as they come (server fields reset by the registry), no validation.
type strategy struct {
	runtime.ObjectTyper
	names.NameGenerator
	namespaced bool
}

func (s strategy) NamespaceScoped() bool                                   { return s.namespaced }
func (strategy) PrepareForCreate(context.Context, runtime.Object)          {}
func (strategy) Validate(context.Context, runtime.Object) field.ErrorList  { return nil }
func (strategy) WarningsOnCreate(context.Context, runtime.Object) []string { return nil }
func (strategy) Canonicalize(runtime.Object)                               {}
func (strategy) AllowCreateOnUpdate(context.Context) bool                  { return false }
func (strategy) AllowUnconditionalUpdate(context.Context) bool             { return true }
func (strategy) PrepareForUpdate(context.Context, runtime.Object, runtime.Object) {
}
func (strategy) ValidateUpdate(context.Context, runtime.Object, runtime.Object) field.ErrorList {
	return nil
}
func (strategy) WarningsOnUpdate(context.Context, runtime.Object, runtime.Object) []string {
	return nil
}

func newStore(resource string, namespaced bool, newObject, newList func() runtime.Object, getter generic.RESTOptionsGetter) (*genericregistry.Store, error) {
	s := strategy{ObjectTyper: coreScheme, NameGenerator: names.SimpleNameGenerator, namespaced: namespaced}
	gr := corev1.Resource(resource)
	store := &genericregistry.Store{
		NewFunc:                   newObject,
		NewListFunc:               newList,
		DefaultQualifiedResource:  gr,
		SingularQualifiedResource: corev1.Resource(resource[:len(resource)-1]),
		CreateStrategy:            s,
		UpdateStrategy:            s,
		DeleteStrategy:            s,
		TableConvertor:            rest.NewDefaultTableConvertor(gr),
	}
	attrs := storage.DefaultClusterScopedAttr
	if namespaced {
		attrs = storage.DefaultNamespaceScopedAttr
	}
	if err := store.CompleteWithOptions(&generic.StoreOptions{RESTOptions: getter, AttrFunc: attrs}); err != nil {
		return nil, fmt.Errorf("core %s storage: %w", resource, err)
	}
	return store, nil
}

// coreRESTOptions stores core objects with the core codec in the CRD server's etcd.
type coreRESTOptions struct {
	o *options.CustomResourceDefinitionsServerOptions
}

func (g coreRESTOptions) GetRESTOptions(resource schema.GroupResource, example runtime.Object) (generic.RESTOptions, error) {
	config := g.o.RecommendedOptions.Etcd.StorageConfig
	config.Codec = coreCodecs.LegacyCodec(coreGV)
	return generic.RESTOptions{
		StorageConfig:             config.ForResource(resource),
		Decorator:                 generic.UndecoratedStorage,
		DeleteCollectionWorkers:   1,
		EnableGarbageCollection:   false,
		ResourcePrefix:            resource.Resource,
		CountMetricPollPeriod:     0,
		StorageObjectCountTracker: nil,
	}, nil
}

// coreOpenAPIDefinitions: the CRD server's definitions (meta types) plus the four core types,
// written out as far as the stored objects need them (server-side apply builds its type model
// from these).
func coreOpenAPIDefinitions(ref common.ReferenceCallback) map[string]common.OpenAPIDefinition {
	defs := generatedopenapi.GetOpenAPIDefinitions(ref)
	str := spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"string"}}}
	stringMap := spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}, AdditionalProperties: &spec.SchemaOrBool{Allows: true, Schema: &str}}}
	object := func(props map[string]spec.Schema) spec.Schema {
		all := map[string]spec.Schema{"apiVersion": str, "kind": str}
		for k, v := range props {
			all[k] = v
		}
		return spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}, Properties: all}}
	}
	refTo := func(name string) spec.Schema { return spec.Schema{SchemaProps: spec.SchemaProps{Ref: ref(name)}} }
	listOf := func(item string) spec.Schema {
		return object(map[string]spec.Schema{
			"metadata": refTo(metav1.ListMeta{}.OpenAPIModelName()),
			"items":    {SchemaProps: spec.SchemaProps{Type: []string{"array"}, Items: &spec.SchemaOrArray{Schema: &spec.Schema{SchemaProps: spec.SchemaProps{Ref: ref(item)}}}}},
		})
	}
	meta := refTo(metav1.ObjectMeta{}.OpenAPIModelName())
	free := spec.Schema{SchemaProps: spec.SchemaProps{Type: []string{"object"}}, VendorExtensible: spec.VendorExtensible{Extensions: spec.Extensions{"x-kubernetes-preserve-unknown-fields": true}}}
	deps := []string{metav1.ObjectMeta{}.OpenAPIModelName(), metav1.ListMeta{}.OpenAPIModelName()}
	defs[corev1.ConfigMap{}.OpenAPIModelName()] = common.OpenAPIDefinition{Schema: object(map[string]spec.Schema{
		"metadata": meta, "data": stringMap, "binaryData": stringMap, "immutable": {SchemaProps: spec.SchemaProps{Type: []string{"boolean"}}},
	}), Dependencies: deps}
	defs[corev1.ConfigMapList{}.OpenAPIModelName()] = common.OpenAPIDefinition{Schema: listOf(corev1.ConfigMap{}.OpenAPIModelName()), Dependencies: append(deps, corev1.ConfigMap{}.OpenAPIModelName())}
	defs[corev1.Namespace{}.OpenAPIModelName()] = common.OpenAPIDefinition{Schema: object(map[string]spec.Schema{"metadata": meta, "spec": free, "status": free}), Dependencies: deps}
	defs[corev1.NamespaceList{}.OpenAPIModelName()] = common.OpenAPIDefinition{Schema: listOf(corev1.Namespace{}.OpenAPIModelName()), Dependencies: append(deps, corev1.Namespace{}.OpenAPIModelName())}
	return defs
}

// newCoreServer builds the delegate that serves /api/v1 configmaps and namespaces.
func newCoreServer(o *options.CustomResourceDefinitionsServerOptions, crdConfig *genericapiserver.RecommendedConfig, delegate genericapiserver.DelegationTarget) (*genericapiserver.GenericAPIServer, error) {
	config := *crdConfig
	config.Config.Serializer = coreCodecs
	config.Config.OpenAPIV3Config = genericapiserver.DefaultOpenAPIV3Config(coreOpenAPIDefinitions, openapinamer.NewDefinitionNamer(coreScheme))
	config.Config.OpenAPIConfig = nil
	config.Config.RESTOptionsGetter = coreRESTOptions{o: o}
	// The CRD server in front runs the shared start hooks, health checks and admission; this one
	// registers none of its own, so the chain never registers one twice.
	config.Config.PostStartHooks = map[string]genericapiserver.PostStartHookConfigEntry{}
	config.Config.HealthzChecks = nil
	config.Config.ReadyzChecks = nil
	config.Config.LivezChecks = nil
	server, err := config.Complete().New("istio-canary-core", delegate)
	if err != nil {
		return nil, err
	}
	getter := coreRESTOptions{o: o}
	configMaps, err := newStore("configmaps", true, func() runtime.Object { return &corev1.ConfigMap{} }, func() runtime.Object { return &corev1.ConfigMapList{} }, getter)
	if err != nil {
		return nil, err
	}
	namespaces, err := newStore("namespaces", false, func() runtime.Object { return &corev1.Namespace{} }, func() runtime.Object { return &corev1.NamespaceList{} }, getter)
	if err != nil {
		return nil, err
	}
	info := genericapiserver.NewDefaultAPIGroupInfo("", coreScheme, runtime.NewParameterCodec(coreScheme), coreCodecs)
	info.VersionedResourcesStorageMap["v1"] = map[string]rest.Storage{"configmaps": configMaps, "namespaces": namespaces}
	if err := server.InstallLegacyAPIGroup(genericapiserver.DefaultLegacyAPIPrefix, &info); err != nil {
		return nil, fmt.Errorf("core API: %w", err)
	}
	return server, nil
}
