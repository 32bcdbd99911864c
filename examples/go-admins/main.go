// Command go-admins runs the team in team.json as a Pulumi stack from Go, with the Automation API: an
// inline program (admins.go) that uses the orgstack provider plugin through the generated Go SDK. It
// needs the pulumi CLI and pulumi-resource-orgstack (on PATH, or -plugin DIR); no pulumi-language-go.
//
//	go run . [flags] up | preview | refresh | destroy | outputs | import <type> <name> <id> | rm
//
// Flags: -team team.json (what to manage), -config config.json (stack config to set first:
// {"orgstack:bitgoApiUrl": {"value": "...", "secret": false}, ...}), -dir (state, PULUMI_HOME and
// the workspace; default .go-admins), -plugin DIR (the folder holding pulumi-resource-orgstack),
// -stack (default dev). The vendors' settings may also come from the environment (BITGO_*,
// FINHUB_*): the plugin falls back to them. Each command prints one JSON line with its result.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optdestroy"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optimport"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optpreview"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optrefresh"
	"github.com/pulumi/pulumi/sdk/v3/go/auto/optup"
	"github.com/pulumi/pulumi/sdk/v3/go/common/workspace"
)

const project = "go-admins"

// The version of the orgstack package the generated SDK asks for (its default provider is named after it).
const orgstackVersion = "0.1.0"

type options struct {
	team, config, dir, plugin, stack string
}

func main() {
	var o options
	flag.StringVar(&o.team, "team", "team.json", "the team to manage (JSON)")
	flag.StringVar(&o.config, "config", "", "stack config to set before the command (JSON)")
	flag.StringVar(&o.dir, "dir", ".go-admins", "folder for the state, PULUMI_HOME and the workspace")
	flag.StringVar(&o.plugin, "plugin", "", "folder holding pulumi-resource-orgstack (default: found on PATH)")
	flag.StringVar(&o.stack, "stack", "dev", "stack name")
	flag.Parse()
	result, err := run(context.Background(), o, flag.Args())
	if err != nil {
		fmt.Fprintln(os.Stderr, "go-admins:", err)
		os.Exit(1)
	}
	out, _ := json.Marshal(result)
	fmt.Println(string(out))
}

func run(ctx context.Context, o options, args []string) (map[string]any, error) {
	if len(args) == 0 {
		return nil, errors.New("usage: go-admins [flags] up | preview | refresh | destroy | outputs | import <type> <name> <id> | rm")
	}
	dir, err := filepath.Abs(o.dir)
	if err != nil {
		return nil, err
	}
	if args[0] == "import" {
		if len(args) != 4 {
			return nil, errors.New("usage: go-admins import <type> <name> <id>")
		}
		return importResource(ctx, o, dir, args[1], args[2], args[3])
	}
	team, err := readTeam(o.team)
	if err != nil {
		return nil, err
	}
	stack, err := auto.UpsertStackInlineSource(ctx, o.stack, project, Admins(team), workspaceOptions(o, dir, "go")...)
	if err != nil {
		return nil, err
	}
	if err := setConfig(ctx, stack, o.config); err != nil {
		return nil, err
	}
	progress := os.Stderr
	switch args[0] {
	case "up":
		r, err := stack.Up(ctx, optup.ProgressStreams(progress))
		return map[string]any{"changes": r.Summary.ResourceChanges, "outputs": r.Outputs}, err
	case "preview":
		r, err := stack.Preview(ctx, optpreview.ProgressStreams(progress), optpreview.Diff())
		return map[string]any{"changes": r.ChangeSummary}, err
	case "refresh":
		r, err := stack.Refresh(ctx, optrefresh.ProgressStreams(progress))
		return map[string]any{"changes": r.Summary.ResourceChanges}, err
	case "destroy":
		r, err := stack.Destroy(ctx, optdestroy.ProgressStreams(progress))
		return map[string]any{"changes": r.Summary.ResourceChanges}, err
	case "outputs":
		outs, err := stack.Outputs(ctx)
		return map[string]any{"outputs": outs}, err
	case "rm":
		return map[string]any{}, stack.Workspace().RemoveStack(ctx, o.stack)
	}
	return nil, fmt.Errorf("unknown command %q", args[0])
}

// workspaceOptions: a file backend, passphrase secrets, no update checks or plugin downloads, and the
// plugin from -plugin when given.
func workspaceOptions(o options, dir, runtime string) []auto.LocalWorkspaceOption {
	backend := "file://" + filepath.Join(dir, "state")
	proj := workspace.Project{
		Name:    project,
		Runtime: workspace.NewProjectRuntimeInfo(runtime, nil),
		Backend: &workspace.ProjectBackend{URL: backend},
	}
	if o.plugin != "" {
		path, _ := filepath.Abs(o.plugin)
		proj.Plugins = &workspace.Plugins{Providers: []workspace.PluginOptions{{Name: "orgstack", Path: path}}}
	}
	env := map[string]string{
		"PULUMI_BACKEND_URL":                          backend,
		"PULUMI_SKIP_UPDATE_CHECK":                    "true",
		"PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION": "true",
	}
	if os.Getenv("PULUMI_CONFIG_PASSPHRASE") == "" && os.Getenv("PULUMI_CONFIG_PASSPHRASE_FILE") == "" {
		env["PULUMI_CONFIG_PASSPHRASE"] = "go-admins" // a local example's stack; set your own for real stacks
	}
	workDir := filepath.Join(dir, "work-"+runtime)
	for _, d := range []string{workDir, filepath.Join(dir, "state"), filepath.Join(dir, "home")} {
		_ = os.MkdirAll(d, 0o755)
	}
	return []auto.LocalWorkspaceOption{
		auto.WorkDir(workDir),
		auto.PulumiHome(filepath.Join(dir, "home")),
		auto.SecretsProvider("passphrase"),
		auto.EnvVars(env),
		auto.Project(proj),
	}
}

// importResource adopts an existing vendor object into the stack and prints the code to add. The
// Automation API generates that code with the project's language host; the official CLI ships
// pulumi-language-go, but where only pulumi-language-yaml is at hand (this repository's tests) the
// import runs in a YAML workspace of the same project and stack, and the code comes out as YAML.
func importResource(ctx context.Context, o options, dir, typ, name, id string) (map[string]any, error) {
	runtime := "go"
	if os.Getenv("GO_ADMINS_IMPORT_RUNTIME") != "" {
		runtime = os.Getenv("GO_ADMINS_IMPORT_RUNTIME")
	}
	ws, err := auto.NewLocalWorkspace(ctx, workspaceOptions(o, dir, runtime)...)
	if err != nil {
		return nil, err
	}
	stack, err := auto.SelectStack(ctx, o.stack, ws)
	if err != nil {
		return nil, err
	}
	r, err := stack.ImportResources(ctx,
		optimport.Resources([]*optimport.ImportResource{{Type: typ, Name: name, ID: id, Version: orgstackVersion}}),
		optimport.Protect(false),
		optimport.GenerateCode(true),
		optimport.ProgressStreams(os.Stderr))
	return map[string]any{"changes": r.Summary.ResourceChanges, "generatedCode": r.GeneratedCode}, err
}

func readTeam(file string) (Team, error) {
	var team Team
	data, err := os.ReadFile(file)
	if err != nil {
		return team, err
	}
	return team, json.Unmarshal(data, &team)
}

// setConfig sets the stack config given in a JSON file (secrets encrypted by the stack).
func setConfig(ctx context.Context, stack auto.Stack, file string) error {
	if file == "" {
		return nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	var config auto.ConfigMap
	if err := json.Unmarshal(data, &config); err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	return stack.SetAllConfig(ctx, config)
}
