// Package browsertest drives the local workspace's page in headless Chromium, as a person would:
// the baton binary is built and started as `make run` starts it, and each test clicks and types
// in the page. It is a module of its own so that the browser driver stays out of Baton's.
package browsertest
