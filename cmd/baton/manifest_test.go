package main

import (
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/batonhq/baton/bot/slackdouble"
)

// The local workspace offers the commands and shortcuts the Slack app declares, word for word.
func TestTheLocalWorkspaceOffersTheManifestsCommandsAndShortcuts(t *testing.T) {
	raw, err := os.ReadFile("../../deploy/slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Features struct {
			SlashCommands []struct {
				Command     string `yaml:"command"`
				Description string `yaml:"description"`
				UsageHint   string `yaml:"usage_hint"`
			} `yaml:"slash_commands"`
			Shortcuts []struct {
				Name        string `yaml:"name"`
				Type        string `yaml:"type"`
				CallbackID  string `yaml:"callback_id"`
				Description string `yaml:"description"`
			} `yaml:"shortcuts"`
		} `yaml:"features"`
	}
	if err := yaml.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	var cmds []slackdouble.PageCommand
	for _, c := range m.Features.SlashCommands {
		cmds = append(cmds, slackdouble.PageCommand{Command: c.Command, Description: c.Description, UsageHint: c.UsageHint})
	}
	var shortcuts []slackdouble.PageShortcut
	for _, s := range m.Features.Shortcuts {
		shortcuts = append(shortcuts, slackdouble.PageShortcut{CallbackID: s.CallbackID, Name: s.Name, Description: s.Description, Type: s.Type})
	}
	if len(cmds) == 0 || !slices.Equal(cmds, manifestCommands) {
		t.Errorf("the manifest's commands:\n%+v\nthe local workspace's:\n%+v", cmds, manifestCommands)
	}
	if len(shortcuts) == 0 || !slices.Equal(shortcuts, manifestShortcuts) {
		t.Errorf("the manifest's shortcuts:\n%+v\nthe local workspace's:\n%+v", shortcuts, manifestShortcuts)
	}
}
