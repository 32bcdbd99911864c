// Command inline-smoke proves that a Go Automation API inline program runs against the Pulumi CLI we build
// from the module proxy, with a file backend and no pulumi-language-go plugin: the inline program is served
// by an in-process language server, which the CLI reaches through `--client`.
//
// It needs a `pulumi` on PATH (scripts/ensure-pulumi.sh prints its folder) or -pulumi-root. Everything else
// (backend, PULUMI_HOME, passphrase, update check) it sets itself, in a temporary folder unless -dir is given.
//
//	go run ./inline-smoke [-dir DIR] [-pulumi-root DIR-ABOVE-bin] [-destroy=false]
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "inline-smoke:", err)
		os.Exit(1)
	}
}

func run() error {
	dir := flag.String("dir", "", "scratch folder for state and PULUMI_HOME (default: a new temporary folder)")
	pulumiRoot := flag.String("pulumi-root", "", "folder whose bin/ holds the pulumi CLI (default: pulumi on PATH)")
	destroy := flag.Bool("destroy", true, "destroy and remove the stack afterwards")
	flag.Parse()

	ctx := context.Background()
	start := time.Now()

	if *dir == "" {
		d, err := os.MkdirTemp("", "orgstack-inline-smoke-")
		if err != nil {
			return err
		}
		defer os.RemoveAll(d)
		*dir = d
	}
	stateDir := filepath.Join(*dir, "state")
	homeDir := filepath.Join(*dir, "home")
	workDir := filepath.Join(*dir, "work")
	for _, d := range []string{stateDir, homeDir, workDir} {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
	}

	env := map[string]string{
		"PULUMI_CONFIG_PASSPHRASE":                    "inline-smoke",
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
		"PULUMI_BACKEND_URL":                          "file://" + stateDir,
	}
	opts := []auto.LocalWorkspaceOption{
		auto.WorkDir(workDir),
		auto.PulumiHome(homeDir),
		auto.EnvVars(env),
		auto.SecretsProvider("passphrase"),
		auto.Project(workspace.Project{
			Name:    "inline-smoke",
			Runtime: workspace.NewProjectRuntimeInfo("go", nil),
			Backend: &workspace.ProjectBackend{URL: "file://" + stateDir},
		}),
	}
	if *pulumiRoot != "" {
		cmd, err := auto.NewPulumiCommand(&auto.PulumiCommandOptions{Root: *pulumiRoot})
		if err != nil {
			return err
		}
		opts = append(opts, auto.Pulumi(cmd))
	}

	program := func(ctx *pulumi.Context) error {
		ctx.Export("greeting", pulumi.String("hello from an inline Go program"))
		ctx.Export("secretValue", pulumi.ToSecret(pulumi.String("s3cr3t")))
		return nil
	}

	stack, err := auto.UpsertStackInlineSource(ctx, "dev", "inline-smoke", program, opts...)
	if err != nil {
		return fmt.Errorf("upsert stack: %w", err)
	}
	fmt.Printf("stack ready after %s\n", time.Since(start).Round(time.Millisecond))

	up, err := stack.Up(ctx, optup.ProgressStreams(os.Stdout))
	if err != nil {
		return fmt.Errorf("up: %w", err)
	}
	fmt.Printf("up: %s, greeting=%v, secretValue secret=%v, after %s\n",
		up.Summary.Result, up.Outputs["greeting"].Value, up.Outputs["secretValue"].Secret,
		time.Since(start).Round(time.Millisecond))
	if up.Outputs["greeting"].Value != "hello from an inline Go program" {
		return fmt.Errorf("unexpected output %v", up.Outputs["greeting"].Value)
	}

	if *destroy {
		if _, err := stack.Destroy(ctx, optdestroy.ProgressStreams(os.Stdout)); err != nil {
			return fmt.Errorf("destroy: %w", err)
		}
		if err := stack.Workspace().RemoveStack(ctx, "dev"); err != nil {
			return fmt.Errorf("remove stack: %w", err)
		}
	}
	fmt.Printf("done in %s\n", time.Since(start).Round(time.Millisecond))
	return nil
}
