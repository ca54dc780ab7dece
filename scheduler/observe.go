package scheduler

import "time"

// Observer hears what the scheduler does, for metrics. Its methods must be cheap and safe for
// concurrent use; labels stay job kinds.
type Observer interface {
	// Ran is one run of a job: how long after its due time it started, and its error (nil: done).
	Ran(kind string, late time.Duration, err error)
	// Parked is a job that failed too often and waits for a person.
	Parked(kind string)
	// Rebuilt is one rebuild of the due-time index from Postgres, with the jobs it put back.
	Rebuilt(added int)
}

type noObserver struct{}

func (noObserver) Ran(string, time.Duration, error) {}
func (noObserver) Parked(string)                    {}
func (noObserver) Rebuilt(int)                      {}
