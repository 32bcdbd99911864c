// Command orgstack-codegen-dotnet generates the .NET SDK from a Pulumi package schema with the .NET code
// generator that pulumi-language-dotnet uses (github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen),
// calling it the way that language host's GeneratePackage RPC does.
//
//	orgstack-codegen-dotnet -schema schema.json -out sdk/dotnet [-version 0.1.0] [-logo logo.png]
//
// The generator downloads the package's logo (schema logoUrl, else a Pulumi logo on GitHub) with
// http.Get to ship it in the NuGet package. There is no internet here, so every HTTP request of this
// process is answered locally: with -logo's file, or a file:// logoUrl, or a generated placeholder PNG.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"image"
	"image/color"
	"image/png"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"sort"

	"github.com/blang/semver"

	dotnetgen "github.com/pulumi/pulumi-dotnet/pulumi-language-dotnet/v3/codegen"
	"github.com/pulumi/pulumi/pkg/v3/codegen/schema"
)

// noExternalLoader refuses every external package: the orgstack schema references none.
type noExternalLoader struct{}

var errNoExternal = errors.New("orgstack-codegen-dotnet: schemas that reference other packages are not supported")

func (noExternalLoader) LoadPackage(string, *semver.Version) (*schema.Package, error) {
	return nil, errNoExternal
}

func (noExternalLoader) LoadPackageV2(context.Context, *schema.PackageDescriptor) (*schema.Package, error) {
	return nil, errNoExternal
}

func (noExternalLoader) LoadPackageReference(string, *semver.Version) (schema.PackageReference, error) {
	return nil, errNoExternal
}

func (noExternalLoader) LoadPackageReferenceV2(
	context.Context, *schema.PackageDescriptor,
) (schema.PackageReference, error) {
	return nil, errNoExternal
}

// offlineLogo answers every HTTP request of this process with a logo from disk, or a placeholder.
type offlineLogo struct{ path string }

func (o offlineLogo) RoundTrip(req *http.Request) (*http.Response, error) {
	var data []byte
	var err error
	switch {
	case o.path != "":
		data, err = os.ReadFile(o.path)
	case req.URL.Scheme == "file":
		data, err = os.ReadFile(req.URL.Path)
	default:
		fmt.Fprintf(os.Stderr, "orgstack-codegen-dotnet: not fetching %s (offline); using a placeholder logo\n", req.URL)
		data, err = placeholderPNG()
	}
	if err != nil {
		return nil, err
	}
	return &http.Response{
		StatusCode:    http.StatusOK,
		Status:        "200 OK",
		Header:        http.Header{"Content-Type": []string{"image/png"}},
		Body:          io.NopCloser(bytes.NewReader(data)),
		ContentLength: int64(len(data)),
		Request:       req,
	}, nil
}

// placeholderPNG draws a 64x64 single-colour PNG.
func placeholderPNG() ([]byte, error) {
	img := image.NewRGBA(image.Rect(0, 0, 64, 64))
	for y := 0; y < 64; y++ {
		for x := 0; x < 64; x++ {
			img.Set(x, y, color.RGBA{R: 0x4d, G: 0x5b, B: 0xd9, A: 0xff})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "orgstack-codegen-dotnet:", err)
		os.Exit(1)
	}
}

func run() error {
	schemaPath := flag.String("schema", "", "path of the Pulumi package schema (JSON)")
	outDir := flag.String("out", "", "output folder for the .NET SDK")
	version := flag.String("version", "", "package version to stamp into the SDK (overrides the schema's)")
	logo := flag.String("logo", "", "PNG to ship as the NuGet package icon (default: the schema's file:// logoUrl, "+
		"else a placeholder)")
	flag.Parse()
	http.DefaultClient.Transport = offlineLogo{path: *logo}
	http.DefaultTransport = offlineLogo{path: *logo}
	if *schemaPath == "" || *outDir == "" {
		flag.Usage()
		return errors.New("-schema and -out are required")
	}

	raw, err := os.ReadFile(*schemaPath)
	if err != nil {
		return err
	}
	var spec schema.PackageSpec
	if err := json.Unmarshal(raw, &spec); err != nil {
		return fmt.Errorf("parsing %s: %w", *schemaPath, err)
	}
	if *version != "" {
		spec.Version = *version
	}
	pkg, diags, err := schema.BindSpec(spec, noExternalLoader{}, schema.ValidationOptions{})
	if err != nil {
		return fmt.Errorf("binding schema: %w", err)
	}
	for _, d := range diags {
		fmt.Fprintf(os.Stderr, "schema: %s\n", d.Error())
	}
	if diags.HasErrors() {
		return errors.New("the schema has errors")
	}
	files, err := dotnetgen.GeneratePackage("pulumi-language-dotnet", pkg, nil, nil)
	if err != nil {
		return err
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := filepath.Join(*outDir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(p, files[name], 0o644); err != nil {
			return err
		}
	}
	fmt.Fprintf(os.Stderr, "orgstack-codegen-dotnet: dotnet: %d files in %s\n", len(files), *outDir)
	return nil
}
