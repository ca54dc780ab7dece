package redistest

import (
	"os/exec"
	"syscall"
)

// dieWithParent has the kernel kill a node when the test process that started it dies, however it
// dies, so no redis-server outlives its test.
func dieWithParent(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGKILL}
}
