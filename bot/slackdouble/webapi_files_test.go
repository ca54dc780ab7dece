package slackdouble

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/slack-go/slack"
)

func TestUploadFlowSharesTheFileInTheDM(t *testing.T) {
	s := startDouble(t, Options{})
	s.AddUser(User{ID: "UANA", Name: "ana"})
	api := apiFor(s)
	ctx := context.Background()
	ch, _, _, err := api.OpenConversation(&slack.OpenConversationParameters{Users: []string{"UANA"}})
	if err != nil {
		t.Fatal(err)
	}
	f, err := api.UploadFileContext(ctx, slack.UploadFileParameters{Filename: "report.csv", FileSize: 4, Content: "a,b\n",
		Title: "Report", InitialComment: "Your report", Channel: ch.ID})
	if err != nil {
		t.Fatal(err)
	}
	if f.ID == "" || f.Title != "Report" {
		t.Fatalf("file = %+v", f)
	}
	files := s.Files(ch.ID)
	if len(files) != 1 || string(files[0].Content) != "a,b\n" || files[0].Name != "report.csv" || files[0].Comment != "Your report" {
		t.Fatalf("files in the DM = %+v", files)
	}
	msgs := s.Messages(ch.ID)
	if len(msgs) != 1 || msgs[0].Text != "Your report" || len(msgs[0].Files) != 1 || msgs[0].Files[0].ID != f.ID {
		t.Fatalf("messages = %+v", msgs)
	}
}

func TestUploadFlowIsStrict(t *testing.T) {
	s := startDouble(t, Options{})
	s.AddUser(User{ID: "UANA", Name: "ana"})
	api := apiFor(s)
	ctx := context.Background()

	_, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "x.csv", FileSize: -1})
	wantCode(t, err, "invalid_arguments")
	u, err := api.GetUploadURLExternalContext(ctx, slack.GetUploadURLExternalParameters{FileName: "x.csv", FileSize: 3})
	if err != nil {
		t.Fatal(err)
	}
	_, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "UANA"})
	wantCode(t, err, "file_not_found")

	post := func(body string) int {
		t.Helper()
		resp, err := http.Post(u.UploadURL, "application/octet-stream", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if code := post("toolong"); code != http.StatusBadRequest {
		t.Errorf("a body of the wrong length: HTTP %d, want 400", code)
	}
	if code := post("abc"); code != http.StatusOK {
		t.Fatalf("raw bytes: HTTP %d, want 200", code)
	}
	if code := post("abc"); code != http.StatusGone {
		t.Errorf("a second upload to the same URL: HTTP %d, want 410", code)
	}
	_, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "CNOPE"})
	wantCode(t, err, "channel_not_found")
	if _, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "UANA"}); err != nil {
		t.Fatal(err)
	}
	_, err = api.CompleteUploadExternalContext(ctx, slack.CompleteUploadExternalParameters{Files: []slack.FileSummary{{ID: u.FileID}}, Channel: "UANA"})
	wantCode(t, err, "file_not_found")
	if files := s.Files(s.DMChannel("UANA")); len(files) != 1 || string(files[0].Content) != "abc" || files[0].Title != "x.csv" {
		t.Fatalf("files = %+v", files)
	}
}
