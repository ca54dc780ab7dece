package scheduler

import (
	"strconv"
	"strings"
	"time"
)

// DefaultPrefix starts every Redis name the scheduler uses. The braces are a Redis Cluster hash
// tag: every name hashes to one slot, so the scripts, which touch several keys at once, run
// unchanged on a cluster.
const DefaultPrefix = "{baton}"

// keys names everything the scheduler keeps in Redis. All of it can be rebuilt from Postgres.
type keys struct {
	// due is a sorted set of pending jobs: member "key|version" (see member), score the due time
	// in microseconds since the Unix epoch.
	due string
	// versions is a hash from a job's key to the version, in base 36, of its member in the due
	// set, so that a cancel finds the member without reading Postgres (see cancel.go). The
	// scripts that add to the due set set it, and those that take members out delete it, so that
	// every entry names a member of the due set; a due member may have none (a cancel then reads
	// its version from Postgres). Nothing else about a job is kept in Redis.
	versions string
	// lease is a sorted set of claimed jobs: the same members, scored by the lease deadline in
	// microseconds. The recoverer moves expired members back to due.
	lease string
	// cancels counts cancellations, so a reconcile that read Postgres before a cancel can tell
	// and does not put the cancelled job back.
	cancels string
	// cancelled is a sorted set of the members that cancels took out of the due set, scored by
	// the time (milliseconds since the Unix epoch, Redis's clock) until which their cancel may
	// still be deleting their rows (cancelledFor). Until a row is deleted, a reconcile that read
	// Postgres after the cancel, or another process's index entry for that version arriving late,
	// would put the member back for a worker to run while the cancel answers Cancelled: both skip
	// the members found here. Each cancel drops the entries whose time has passed.
	cancelled string
	// built exists while the index is known to have been rebuilt since Redis last lost its data.
	// A claim that finds it missing asks for a reconcile.
	built string
	// wake is the pub/sub channel on which an enqueue announces a due time (microseconds) that is
	// earlier than every one indexed before, so sleeping workers in every process wake for it.
	wake string
}

// newKeys builds the names under prefix. A prefix without a hash tag is wrapped in one.
func newKeys(prefix string) keys {
	if prefix == "" {
		prefix = DefaultPrefix
	}
	if open := strings.IndexByte(prefix, '{'); open < 0 || !strings.Contains(prefix[open+1:], "}") {
		prefix = "{" + prefix + "}"
	}
	return keys{
		due:       prefix + ":due",
		versions:  prefix + ":versions",
		lease:     prefix + ":lease",
		cancels:   prefix + ":cancels",
		cancelled: prefix + ":cancelled",
		built:     prefix + ":built",
		wake:      prefix + ":wake",
	}
}

// memberSep separates a job's key from its version in a sorted-set member. The version, in base
// 36, never contains it, so a key may.
const memberSep = '|'

// member names one version of a job in the sorted sets.
func member(key string, version int64) string {
	return key + string(memberSep) + strconv.FormatInt(version, 36)
}

// parseMember splits a member into the job's key and version.
func parseMember(m string) (key string, version int64, ok bool) {
	i := strings.LastIndexByte(m, memberSep)
	if i < 0 {
		return "", 0, false
	}
	v, err := strconv.ParseInt(m[i+1:], 36, 64)
	if err != nil {
		return "", 0, false
	}
	return m[:i], v, true
}

// ceilMicro rounds t up to a whole microsecond, the precision of both Postgres and the scores,
// so that a job never becomes due before the instant asked for.
func ceilMicro(t time.Time) time.Time {
	c := t.Truncate(time.Microsecond)
	if c.Before(t) {
		c = c.Add(time.Microsecond)
	}
	return c
}

// score is t as a sorted-set score: microseconds since the Unix epoch (exact in a float64 until
// the year 2255).
func score(t time.Time) string { return strconv.FormatInt(t.UnixMicro(), 10) }
