// Package check tests Baton's deployment files — the Compose file and the Helm chart — by loading
// them with the tools' own Go packages. It is a module of its own so that Compose's and Helm's
// dependencies never become Baton's.
package check
