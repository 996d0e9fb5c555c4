package main

import (
	"context"
	"io"

	"github.com/spf13/cobra"

	"k8s.io/apiextensions-apiserver/pkg/cmd/server/options"
	genericapifilters "k8s.io/apiserver/pkg/endpoints/filters"
	genericapiserver "k8s.io/apiserver/pkg/server"
	"k8s.io/apiserver/pkg/util/notfoundhandler"
)

// newServerCommand is the stock apiextensions-apiserver command with one difference, taken from how
// kube-apiserver assembles the same server: requests for paths that are not installed yet (custom
// resources before the CRD informer has synced, e.g. right after a restart) get kube-apiserver's
// retryable 503 instead of the standalone server's plain 404, which a client would read as
// "this object does not exist".
func newServerCommand(ctx context.Context, out, errOut io.Writer) *cobra.Command {
	o := options.NewCustomResourceDefinitionsServerOptions(out, errOut)
	cmd := &cobra.Command{
		Use:          "apiserver",
		SilenceUsage: true,
		PersistentPreRunE: func(*cobra.Command, []string) error {
			return o.ServerRunOptions.ComponentGlobalsRegistry.Set()
		},
		RunE: func(c *cobra.Command, _ []string) error {
			if err := o.Complete(); err != nil {
				return err
			}
			if err := o.Validate(); err != nil {
				return err
			}
			return runServer(c.Context(), o)
		},
	}
	cmd.SetContext(ctx)
	o.AddFlags(cmd.Flags())
	return cmd
}

func runServer(ctx context.Context, o *options.CustomResourceDefinitionsServerOptions) error {
	config, err := o.Config()
	if err != nil {
		return err
	}
	notFound := notfoundhandler.New(config.GenericConfig.Serializer, genericapifilters.NoMuxAndDiscoveryIncompleteKey)
	core, err := newCoreServer(o, config.GenericConfig, genericapiserver.NewEmptyDelegateWithCustomHandler(notFound))
	if err != nil {
		return err
	}
	server, err := config.Complete().New(core)
	if err != nil {
		return err
	}
	return server.GenericAPIServer.PrepareRun().RunWithContext(ctx)
}
