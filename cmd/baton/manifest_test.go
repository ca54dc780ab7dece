package main

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/batonhq/baton/bot"
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

// The HTTP-mode manifest is the Socket Mode one with Baton's request URLs: the same commands,
// shortcuts, scopes and events, each request sent to the path Baton serves it on.
func TestTheHTTPManifestSendsEachRequestWhereBatonServesIt(t *testing.T) {
	type manifest struct {
		Features struct {
			SlashCommands []struct {
				Command string `yaml:"command"`
				URL     string `yaml:"url"`
			} `yaml:"slash_commands"`
		} `yaml:"features"`
		Settings struct {
			EventSubscriptions struct {
				RequestURL string   `yaml:"request_url"`
				BotEvents  []string `yaml:"bot_events"`
			} `yaml:"event_subscriptions"`
			Interactivity struct {
				RequestURL string `yaml:"request_url"`
			} `yaml:"interactivity"`
			SocketMode bool `yaml:"socket_mode_enabled"`
		} `yaml:"settings"`
	}
	read := func(path string) (manifest, map[string]any) {
		raw, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var m manifest
		var generic map[string]any
		if err := yaml.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		if err := yaml.Unmarshal(raw, &generic); err != nil {
			t.Fatal(err)
		}
		return m, generic
	}
	socket, socketAll := read("../../deploy/slack-app-manifest.yaml")
	http, httpAll := read("../../deploy/slack-app-manifest.http.yaml")
	if http.Settings.SocketMode || !socket.Settings.SocketMode {
		t.Error("the HTTP manifest must turn Socket Mode off, the other on")
	}
	if !strings.HasSuffix(http.Settings.EventSubscriptions.RequestURL, bot.EventsPath) ||
		!strings.HasSuffix(http.Settings.Interactivity.RequestURL, bot.InteractivityPath) {
		t.Errorf("events go to %q and interactivity to %q; want Baton's %s and %s", http.Settings.EventSubscriptions.RequestURL,
			http.Settings.Interactivity.RequestURL, bot.EventsPath, bot.InteractivityPath)
	}
	for _, c := range http.Features.SlashCommands {
		if !strings.HasSuffix(c.URL, bot.CommandsPath) {
			t.Errorf("%s goes to %q; want Baton's %s", c.Command, c.URL, bot.CommandsPath)
		}
	}
	for _, key := range []string{"display_information", "oauth_config"} {
		if !reflect.DeepEqual(socketAll[key], httpAll[key]) {
			t.Errorf("the manifests' %s differ", key)
		}
	}
	if !slices.Equal(socket.Settings.EventSubscriptions.BotEvents, http.Settings.EventSubscriptions.BotEvents) ||
		len(socket.Features.SlashCommands) != len(http.Features.SlashCommands) {
		t.Error("the manifests subscribe to different events or declare different commands")
	}
}
