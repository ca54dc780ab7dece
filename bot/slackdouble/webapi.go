package slackdouble

import (
	"bytes"
	"encoding/json"
	"io"
	"maps"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Call records one Web API request.
type Call struct {
	Method string
	Args   map[string]string // request arguments, token removed
	Time   time.Time
	Status int    // HTTP status returned
	Error  string // Slack error code when ok was false
}

// apiRequest is a parsed Web API request, whatever its transport.
type apiRequest struct {
	args   map[string]string
	bearer string // from the Authorization header
	token  string // from a form or query token field
}

func (r *apiRequest) get(key string) string { return r.args[key] }

func (r *apiRequest) has(key string) bool {
	_, ok := r.args[key]
	return ok
}

func (r *apiRequest) flag(key string) bool {
	b, _ := strconv.ParseBool(r.args[key])
	return b
}

// apiError is an ok:false reply.
type apiError struct {
	code     string
	messages []string
}

func fail(code string, messages ...string) *apiError {
	return &apiError{code: code, messages: messages}
}

type tokenKind int

const (
	botToken tokenKind = iota
	appToken
)

type methodSpec struct {
	token   tokenKind
	handler func(s *Server, r *apiRequest) (map[string]any, *apiError)
}

var methods = map[string]methodSpec{
	"auth.test":                    {botToken, (*Server).authTest},
	"apps.connections.open":        {appToken, (*Server).appsConnectionsOpen},
	"chat.postMessage":             {botToken, (*Server).chatPostMessage},
	"chat.update":                  {botToken, (*Server).chatUpdate},
	"chat.delete":                  {botToken, (*Server).chatDelete},
	"chat.postEphemeral":           {botToken, (*Server).chatPostEphemeral},
	"chat.getPermalink":            {botToken, (*Server).chatGetPermalink},
	"conversations.open":           {botToken, (*Server).conversationsOpen},
	"files.getUploadURLExternal":   {botToken, (*Server).filesGetUploadURLExternal},
	"files.completeUploadExternal": {botToken, (*Server).filesCompleteUploadExternal},
	"conversations.join":           {botToken, (*Server).conversationsJoin},
	"conversations.info":           {botToken, (*Server).conversationsInfo},
	"conversations.replies":        {botToken, (*Server).conversationsReplies},
	"conversations.history":        {botToken, (*Server).conversationsHistory},
	"reactions.add":                {botToken, (*Server).reactionsAdd},
	"users.info":                   {botToken, (*Server).usersInfo},
	"users.list":                   {botToken, (*Server).usersList},
	"users.lookupByEmail":          {botToken, (*Server).usersLookupByEmail},
	"views.open":                   {botToken, (*Server).viewsOpen},
	"views.push":                   {botToken, (*Server).viewsPush},
	"views.update":                 {botToken, (*Server).viewsUpdate},
	"views.publish":                {botToken, (*Server).viewsPublish},
}

func (s *Server) handleAPI(w http.ResponseWriter, hr *http.Request) {
	method := strings.TrimPrefix(hr.URL.Path, "/api/")
	req, perr := parseAPIRequest(hr)
	call := Call{Method: method, Time: time.Now()}
	if req != nil {
		call.Args = maps.Clone(req.args)
		delete(call.Args, "token")
	}

	status, header, body := s.serveAPI(method, req, perr)

	call.Status = status
	if e, ok := body["error"].(string); ok {
		call.Error = e
	}
	s.mu.Lock()
	s.recordCallLocked(call)
	if s.opts.Inspect > 0 {
		var reqJSON json.RawMessage
		if req != nil {
			reqJSON = argsJSON(call.Args)
		}
		s.inspectLocked(InspectEntry{Kind: "call", Name: method, OK: call.Error == "" && status == http.StatusOK,
			Error: call.Error, Detail: responseDetail(body), Request: reqJSON, Response: mustJSON(body)})
	}
	s.notifyLocked()
	s.mu.Unlock()
	s.logf("%s -> %d %s", method, status, call.Error)

	for k, v := range header {
		w.Header().Set(k, v)
	}
	writeJSON(w, status, body)
}

func (s *Server) serveAPI(method string, req *apiRequest, perr *apiError) (int, map[string]string, map[string]any) {
	spec, known := methods[method]
	if !known {
		return http.StatusOK, nil, errorBody(fail("unknown_method"))
	}
	if f, ok := s.takeFailure(method); ok {
		return f.response()
	}
	if perr != nil {
		return http.StatusOK, nil, errorBody(perr)
	}
	if wait, limited := s.limits.allow(method, req.get("channel")); limited {
		return http.StatusTooManyRequests, map[string]string{"Retry-After": retryAfterSeconds(wait)},
			map[string]any{"ok": false, "error": "ratelimited"}
	}
	if e := s.checkToken(spec.token, req); e != nil {
		return http.StatusOK, nil, errorBody(e)
	}
	res, e := spec.handler(s, req)
	if e != nil {
		return http.StatusOK, nil, errorBody(e)
	}
	if res == nil {
		res = map[string]any{}
	}
	res["ok"] = true
	return http.StatusOK, nil, res
}

func (s *Server) checkToken(kind tokenKind, r *apiRequest) *apiError {
	if kind == appToken {
		switch r.bearer {
		case "":
			return fail("not_authed")
		case s.opts.AppToken:
			return nil
		default:
			return fail("invalid_auth")
		}
	}
	tok := r.bearer
	if tok == "" {
		tok = r.token
	}
	switch tok {
	case "":
		return fail("not_authed")
	case s.opts.BotToken:
		return nil
	case s.opts.AppToken:
		return fail("not_allowed_token_type")
	default:
		return fail("invalid_auth")
	}
}

func errorBody(e *apiError) map[string]any {
	body := map[string]any{"ok": false, "error": e.code}
	if len(e.messages) > 0 {
		body["response_metadata"] = map[string]any{"messages": e.messages}
	}
	return body
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// parseAPIRequest reads arguments from the query string and from a form or
// JSON body. JSON values that are not strings are kept as raw JSON text, so
// "view" and "blocks" read the same whichever encoding the caller used. As
// with Slack, a JSON body must carry its token in the Authorization header.
func parseAPIRequest(hr *http.Request) (*apiRequest, *apiError) {
	r := &apiRequest{args: map[string]string{}}
	if auth := hr.Header.Get("Authorization"); strings.HasPrefix(auth, "Bearer ") {
		r.bearer = strings.TrimSpace(strings.TrimPrefix(auth, "Bearer "))
	}
	for k, v := range hr.URL.Query() {
		r.args[k] = v[0]
	}
	body, err := io.ReadAll(io.LimitReader(hr.Body, 8<<20))
	if err != nil {
		return r, fail("request_timeout")
	}
	ctype, _, _ := mime.ParseMediaType(hr.Header.Get("Content-Type"))
	isJSON := ctype == "application/json"
	switch {
	case len(bytes.TrimSpace(body)) == 0:
	case isJSON:
		var obj map[string]json.RawMessage
		if err := json.Unmarshal(body, &obj); err != nil {
			return r, fail("invalid_json")
		}
		for k, raw := range obj {
			var str string
			if err := json.Unmarshal(raw, &str); err == nil {
				r.args[k] = str
				continue
			}
			r.args[k] = string(raw)
		}
	default:
		vals, err := url.ParseQuery(string(body))
		if err != nil {
			return r, fail("invalid_form_data")
		}
		for k, v := range vals {
			r.args[k] = v[0]
		}
	}
	if !isJSON {
		r.token = r.args["token"]
	}
	return r, nil
}

func retryAfterSeconds(d time.Duration) string {
	secs := int64((d + time.Second - 1) / time.Second)
	if secs < 1 {
		secs = 1
	}
	return strconv.FormatInt(secs, 10)
}
