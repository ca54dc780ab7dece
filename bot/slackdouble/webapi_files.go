package slackdouble

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// Slack's file upload flow, as the double serves it:
//
//  1. files.getUploadURLExternal(filename, length) returns an upload_url and a file_id.
//  2. The bytes are POSTed to upload_url, raw or as a multipart form (the file in any part that has a
//     filename). The URL takes exactly `length` bytes, once: a second POST answers HTTP 410, a body of
//     another length HTTP 400, an URL the double never issued HTTP 404; each with the reason as text.
//  3. files.completeUploadExternal(files=[{"id","title"}], channel_id, initial_comment) shares the file:
//     the bot posts a message carrying it in channel_id (without channel_id the file stays private). A
//     file whose bytes never arrived, or was completed already, is file_not_found.
//
// Error codes for steps 1 and 3 follow Slack's method docs; the HTTP statuses of step 2 are the
// double's own (Slack only documents that a good upload answers 200).

// maxUploadBytes bounds one uploaded file.
const maxUploadBytes = 8 << 20

// File is a file uploaded through the double.
type File struct {
	ID       string
	Name     string // the filename given to files.getUploadURLExternal
	Title    string
	Content  []byte
	Channel  string // where files.completeUploadExternal shared it; "" while private or unfinished
	TS       string // the message that shared it
	Comment  string // its initial_comment
	Complete bool
}

type upload struct {
	File
	length   int
	received bool
}

func copyFile(f File) File {
	f.Content = slices.Clone(f.Content)
	return f
}

func (s *Server) filesGetUploadURLExternal(r *apiRequest) (map[string]any, *apiError) {
	name := strings.TrimSpace(r.get("filename"))
	if name == "" {
		return nil, fail("invalid_arguments", "[ERROR] missing required field: filename")
	}
	length, err := strconv.Atoi(r.get("length"))
	switch {
	case !r.has("length") || length == 0:
		return nil, fail("missing_argument")
	case err != nil || length < 0:
		return nil, fail("invalid_arguments", "[ERROR] length must be a positive integer")
	case length > maxUploadBytes:
		return nil, fail("file_upload_size_restricted")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := fmt.Sprintf("F%08d", s.seqLocked())
	s.ws.uploads[id] = &upload{File: File{ID: id, Name: name}, length: length}
	return map[string]any{"upload_url": s.base + "/upload/" + id, "file_id": id}, nil
}

// handleUpload takes a file's bytes at the upload_url.
func (s *Server) handleUpload(w http.ResponseWriter, hr *http.Request) {
	id := strings.TrimPrefix(hr.URL.Path, "/upload/")
	status, msg := s.receiveUpload(id, hr)
	s.recordURLCall("upload_url", "file_id", id, status, msg, nil)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.WriteHeader(status)
	_, _ = io.WriteString(w, msg)
}

func (s *Server) receiveUpload(id string, hr *http.Request) (int, string) {
	if hr.Method != http.MethodPost {
		return http.StatusMethodNotAllowed, "method_not_allowed"
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, maxUploadBytes+1<<20))
	if err != nil {
		return http.StatusBadRequest, "unreadable body"
	}
	content, err := uploadedBytes(hr.Header.Get("Content-Type"), body)
	if err != nil {
		return http.StatusBadRequest, err.Error()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.ws.uploads[id]
	switch {
	case !ok:
		return http.StatusNotFound, "invalid upload URL"
	case u.received:
		return http.StatusGone, "this upload URL has been used"
	case len(content) != u.length:
		return http.StatusBadRequest, fmt.Sprintf("got %d bytes, but files.getUploadURLExternal was told length=%d", len(content), u.length)
	}
	u.Content, u.received = content, true
	return http.StatusOK, fmt.Sprintf("OK - %d", len(content))
}

// uploadedBytes reads a file from an upload body: the file part of a multipart form, or the raw body.
func uploadedBytes(contentType string, body []byte) ([]byte, error) {
	mediaType, params, _ := mime.ParseMediaType(contentType)
	if mediaType != "multipart/form-data" {
		return body, nil
	}
	mr := multipart.NewReader(bytes.NewReader(body), params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return nil, fmt.Errorf("the multipart form has no file part")
		}
		if err != nil {
			return nil, fmt.Errorf("bad multipart form: %v", err)
		}
		if part.FileName() != "" {
			return io.ReadAll(part)
		}
	}
}

func (s *Server) filesCompleteUploadExternal(r *apiRequest) (map[string]any, *apiError) {
	var files []struct {
		ID    string `json:"id"`
		Title string `json:"title"`
	}
	if err := json.Unmarshal([]byte(r.get("files")), &files); err != nil || len(files) == 0 {
		return nil, fail("invalid_arguments", "[ERROR] files must be a JSON array of {\"id\", \"title\"}")
	}
	if r.has("channels") {
		return nil, fail("invalid_arguments", "[ERROR] the double supports channel_id only")
	}
	comment := r.get("initial_comment")
	if len([]rune(comment)) > maxPostText {
		return nil, fail("msg_too_long")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	ups := make([]*upload, len(files))
	for i, f := range files {
		u, ok := s.ws.uploads[f.ID]
		if !ok || !u.received || u.Complete {
			return nil, fail("file_not_found")
		}
		ups[i] = u
	}
	var c *channelState
	if ch := r.get("channel_id"); ch != "" {
		var e *apiError
		if c, e = s.postTargetLocked(ch); e != nil {
			return nil, e
		}
	}
	out := make([]map[string]any, len(files))
	for i, u := range ups {
		u.Title, u.Complete, u.Comment = files[i].Title, true, comment
		if u.Title == "" {
			u.Title = u.Name
		}
		out[i] = map[string]any{"id": u.ID, "title": u.Title}
	}
	if c != nil {
		m, e := s.appendMessageLocked(c, s.opts.BotUserID, s.opts.BotID, comment, nil, r.get("thread_ts"))
		if e != nil {
			return nil, e
		}
		for _, u := range ups {
			u.Channel, u.TS = c.ID, m.TS
			m.Files = append(m.Files, copyFile(u.File))
		}
	}
	s.notifyLocked()
	return map[string]any{"files": out}, nil
}

// Files returns the files shared in a channel, in the order they were shared.
func (s *Server) Files(channelID string) []File {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.ws.channels[channelID]
	if !ok {
		return nil
	}
	var out []File
	for _, m := range c.msgs {
		for _, f := range m.Files {
			out = append(out, copyFile(f))
		}
	}
	return out
}

// WaitFile waits for a file shared in the channel matching pred and returns it.
func (s *Server) WaitFile(ctx context.Context, channelID string, pred func(File) bool) (File, error) {
	var found File
	err := s.Wait(ctx, func() bool {
		for _, f := range s.Files(channelID) {
			if pred(f) {
				found = f
				return true
			}
		}
		return false
	})
	return found, err
}
