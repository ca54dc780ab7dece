package store

import (
	"context"
	"regexp"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// MaxGroupName bounds the length of a group's name.
const MaxGroupName = 40

var groupNameRe = regexp.MustCompile(`^[a-z0-9_-]{1,40}$`)

// GroupName checks a group's name as an admin typed it and returns it in lower case: letters, digits,
// - and _, at most MaxGroupName characters.
func GroupName(s string) (string, error) {
	name := strings.ToLower(strings.TrimSpace(s))
	if !groupNameRe.MatchString(name) {
		return "", baton.Errorf(baton.EInvalid, "%q can't be a group name. Use lowercase letters, digits, - and _, at most %d characters, such as `finance` or `it-ops`.", clipName(s), MaxGroupName)
	}
	return name, nil
}

func clipName(s string) string {
	if r := []rune(s); len(r) > MaxGroupName+10 {
		return string(r[:MaxGroupName+10]) + "…"
	}
	return s
}

// AddGroupMembers puts people in a group, creating it when it has no members yet. It returns those
// who were not members already, in the order given.
func (db *DB) AddGroupMembers(ctx context.Context, teamID, group string, userIDs []string, by string, at time.Time) ([]string, error) {
	name, err := GroupName(group)
	if err != nil {
		return nil, err
	}
	var added []string
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		added = nil
		for _, u := range userIDs {
			res, err := tx.ExecContext(ctx, `INSERT INTO people_groups (team_id, group_name, user_id, added_by, added_at)
				VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`, teamID, name, u, by, at)
			if err != nil {
				return mapError("add group member", err)
			}
			if n, err := res.RowsAffected(); err != nil {
				return mapError("add group member", err)
			} else if n == 1 {
				added = append(added, u)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return added, nil
}

// RemoveGroupMembers takes people out of a group. It returns those who were members, in the order
// given; a group left with no members no longer exists.
func (db *DB) RemoveGroupMembers(ctx context.Context, teamID, group string, userIDs []string) ([]string, error) {
	name, err := GroupName(group)
	if err != nil {
		return nil, err
	}
	var gone []string
	err = db.SelectContext(ctx, &gone, `DELETE FROM people_groups WHERE team_id = $1 AND group_name = $2 AND user_id = ANY($3)
		RETURNING user_id`, teamID, name, pq.Array(userIDs))
	if err != nil {
		return nil, mapError("remove group members", err)
	}
	removed := make([]string, 0, len(gone))
	for _, u := range userIDs {
		for _, g := range gone {
			if g == u {
				removed = append(removed, u)
				break
			}
		}
	}
	return removed, nil
}

// Groups returns a workspace's groups: name → members, each group's members in the order they were
// added.
func (db *DB) Groups(ctx context.Context, teamID string) (map[string][]string, error) {
	var rows []struct {
		Group string `db:"group_name"`
		User  string `db:"user_id"`
	}
	err := db.SelectContext(ctx, &rows, `SELECT group_name, user_id FROM people_groups WHERE team_id = $1
		ORDER BY group_name, added_at, user_id`, teamID)
	if err != nil {
		return nil, mapError("list groups", err)
	}
	out := map[string][]string{}
	for _, r := range rows {
		out[r.Group] = append(out[r.Group], r.User)
	}
	return out, nil
}

// SetManager records managerID as userID's manager, replacing any earlier one. base is the managers
// declared elsewhere (the policy file) that the stored ones are laid over for routing; the change is
// refused when, in the stored managers laid over base, it would make a person their own manager or
// anyone their own manager further up the chain. Changes to a workspace's managers are serialized,
// so two at once can't make a loop together.
func (db *DB) SetManager(ctx context.Context, teamID, userID, managerID string, base map[string]string, by string, at time.Time) error {
	if userID == managerID {
		return baton.Errorf(baton.EInvalid, "<@%s> can't be their own manager. Name someone else.", userID)
	}
	return db.InTx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('people_managers'), hashtext($1))`, teamID); err != nil {
			return mapError("lock managers", err)
		}
		stored, err := managers(ctx, tx, teamID)
		if err != nil {
			return err
		}
		all := map[string]string{}
		for _, src := range []map[string]string{base, stored} {
			for u, m := range src {
				all[u] = m
			}
		}
		all[userID] = managerID
		if err := managerLoop(all, userID); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO people_managers (team_id, user_id, manager_id, set_by, set_at)
			VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (team_id, user_id) DO UPDATE SET manager_id = EXCLUDED.manager_id, set_by = EXCLUDED.set_by, set_at = EXCLUDED.set_at`,
			teamID, userID, managerID, by, at)
		return mapError("set manager", err)
	})
}

// managerLoop refuses a chain of managers that leads from userID's manager back to userID.
func managerLoop(managers map[string]string, userID string) error {
	chain := []string{managers[userID]}
	seen := map[string]bool{userID: true, chain[0]: true}
	for cur := managers[chain[0]]; cur != ""; cur = managers[cur] {
		chain = append(chain, cur)
		if cur == userID {
			links := make([]string, len(chain))
			for i, u := range chain {
				links[i] = "<@" + u + ">"
			}
			return baton.Errorf(baton.EInvalid, "<@%s> can't report to %s: %s reports to %s, so approvals would go round in a circle. Nothing was changed.",
				userID, links[0], links[0], strings.Join(links[1:], ", who reports to "))
		}
		if seen[cur] {
			return nil
		}
		seen[cur] = true
	}
	return nil
}

// ClearManager removes userID's stored manager. It reports whether there was one.
func (db *DB) ClearManager(ctx context.Context, teamID, userID string) (bool, error) {
	res, err := db.ExecContext(ctx, `DELETE FROM people_managers WHERE team_id = $1 AND user_id = $2`, teamID, userID)
	if err != nil {
		return false, mapError("clear manager", err)
	}
	n, err := res.RowsAffected()
	return n > 0, mapError("clear manager", err)
}

// Managers returns a workspace's stored managers: person → their manager.
func (db *DB) Managers(ctx context.Context, teamID string) (map[string]string, error) {
	return managers(ctx, db, teamID)
}

func managers(ctx context.Context, q sqlx.QueryerContext, teamID string) (map[string]string, error) {
	var rows []struct {
		User    string `db:"user_id"`
		Manager string `db:"manager_id"`
	}
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT user_id, manager_id FROM people_managers WHERE team_id = $1`, teamID); err != nil {
		return nil, mapError("read managers", err)
	}
	out := make(map[string]string, len(rows))
	for _, r := range rows {
		out[r.User] = r.Manager
	}
	return out, nil
}

// Directory returns the people data stored for a workspace, as routing reads it.
func (db *DB) Directory(ctx context.Context, teamID string) (baton.Directory, error) {
	groups, err := db.Groups(ctx, teamID)
	if err != nil {
		return baton.Directory{}, err
	}
	mgrs, err := db.Managers(ctx, teamID)
	if err != nil {
		return baton.Directory{}, err
	}
	return baton.Directory{Groups: groups, Managers: mgrs}, nil
}
