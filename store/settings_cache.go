package store

import (
	"sync"
	"time"
)

// settingsTTL is how long a process trusts the workspace settings and personal choices it has read
// (working week, holidays, reminders, someone's time away and digest choice), which every change
// consults and which rarely change. A change made through this process is seen at once; one made
// through another process within settingsTTL.
const settingsTTL = 10 * time.Second

// settingsCacheMax bounds the remembered entries; past it, expired ones are dropped.
const settingsCacheMax = 10_000

type settingKey struct{ kind, team, user string }

type settingEntry struct {
	value any
	until time.Time
}

// settingsCache remembers settings read through one store.
type settingsCache struct {
	mu      sync.Mutex
	entries map[settingKey]settingEntry
	changes uint64 // counts forgets, so a read that raced a change is not kept
}

// remembered returns what load reads for key, from memory while it is fresh.
func remembered[V any](c *settingsCache, key settingKey, load func() (V, error)) (V, error) {
	now := time.Now()
	c.mu.Lock()
	if e, ok := c.entries[key]; ok && now.Before(e.until) {
		c.mu.Unlock()
		return e.value.(V), nil
	}
	changes := c.changes
	c.mu.Unlock()
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.changes != changes {
		return v, nil
	}
	if c.entries == nil {
		c.entries = map[settingKey]settingEntry{}
	}
	if len(c.entries) >= settingsCacheMax {
		for k, e := range c.entries {
			if !now.Before(e.until) {
				delete(c.entries, k)
			}
		}
	}
	c.entries[key] = settingEntry{value: v, until: now.Add(settingsTTL)}
	return v, nil
}

// forget drops key, after this process changed it.
func (c *settingsCache) forget(key settingKey) {
	c.mu.Lock()
	delete(c.entries, key)
	c.changes++
	c.mu.Unlock()
}

// forgetTeam drops everything remembered about a team, after its records were deleted.
func (c *settingsCache) forgetTeam(team string) {
	c.mu.Lock()
	for k := range c.entries {
		if k.team == team {
			delete(c.entries, k)
		}
	}
	c.changes++
	c.mu.Unlock()
}
