package store

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	baton "github.com/batonhq/baton"
)

// AddGroupMembers puts people in a group. file is the policy file's list of that group: one of them
// whom an admin took out is let back in, and anyone else is recorded as added in Slack. It returns
// those who were not members already, in the order given.
func (db *DB) AddGroupMembers(ctx context.Context, teamID, group string, userIDs, file []string, by string, at time.Time) ([]string, error) {
	return db.editGroup(ctx, teamID, group, userIDs, file, false, by, at)
}

// RemoveGroupMembers takes people out of a group. file is the policy file's list of that group: one of
// them is recorded as taken out in Slack, and anyone added in Slack is forgotten. It returns those who
// were members, in the order given.
func (db *DB) RemoveGroupMembers(ctx context.Context, teamID, group string, userIDs, file []string, by string, at time.Time) ([]string, error) {
	return db.editGroup(ctx, teamID, group, userIDs, file, true, by, at)
}

// editGroup adds people to a group (remove false) or takes them out of it (remove true), with the
// group's edits locked so two admins at once see each other's changes. It returns whom it changed.
func (db *DB) editGroup(ctx context.Context, teamID, group string, userIDs, file []string, remove bool, by string, at time.Time) ([]string, error) {
	name, err := baton.GroupName(group)
	if err != nil {
		return nil, err
	}
	var changed []string
	err = db.InTx(ctx, func(tx *sqlx.Tx) error {
		changed = nil
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtext('people_groups'), hashtext($1 || '/' || $2))`, teamID, name); err != nil {
			return mapError("lock group", err)
		}
		var rows []struct {
			User    string `db:"user_id"`
			Removed bool   `db:"removed"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT user_id, removed FROM people_groups
			WHERE team_id = $1 AND group_name = $2 AND user_id = ANY($3)`, teamID, name, pq.Array(userIDs)); err != nil {
			return mapError("read group", err)
		}
		edits := baton.GroupEdits{}
		for _, r := range rows {
			if r.Removed {
				edits.Removed = append(edits.Removed, r.User)
			} else {
				edits.Added = append(edits.Added, r.User)
			}
		}
		members := edits.Apply(file)
		for _, u := range userIDs {
			if slices.Contains(members, u) != remove || slices.Contains(changed, u) {
				continue
			}
			inFile := slices.Contains(file, u)
			var err error
			if inFile == remove {
				_, err = tx.ExecContext(ctx, `INSERT INTO people_groups (team_id, group_name, user_id, removed, added_by, added_at)
					VALUES ($1, $2, $3, $4, $5, $6)
					ON CONFLICT (team_id, group_name, user_id) DO UPDATE SET removed = EXCLUDED.removed,
						added_by = EXCLUDED.added_by, added_at = EXCLUDED.added_at`, teamID, name, u, remove, by, at)
			} else {
				_, err = tx.ExecContext(ctx, `DELETE FROM people_groups WHERE team_id = $1 AND group_name = $2 AND user_id = $3`, teamID, name, u)
			}
			if err != nil {
				return mapError("change group member", err)
			}
			changed = append(changed, u)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return changed, nil
}

// Groups returns the edits admins made in Slack to a workspace's groups, by group name; each list is
// in the order the changes were made.
func (db *DB) Groups(ctx context.Context, teamID string) (map[string]baton.GroupEdits, error) {
	var rows []struct {
		Group   string `db:"group_name"`
		User    string `db:"user_id"`
		Removed bool   `db:"removed"`
	}
	err := db.SelectContext(ctx, &rows, `SELECT group_name, user_id, removed FROM people_groups WHERE team_id = $1
		ORDER BY group_name, added_at, user_id`, teamID)
	if err != nil {
		return nil, mapError("list groups", err)
	}
	out := map[string]baton.GroupEdits{}
	for _, r := range rows {
		e := out[r.Group]
		if r.Removed {
			e.Removed = append(e.Removed, r.User)
		} else {
			e.Added = append(e.Added, r.User)
		}
		out[r.Group] = e
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
	err := db.InTx(ctx, func(tx *sqlx.Tx) error {
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
	// After the commit: a read between a forget and the commit would remember the old managers.
	db.settings.forget(settingKey{kind: "managers", team: teamID})
	return err
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
	db.settings.forget(settingKey{kind: "managers", team: teamID})
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

// PeopleEdits returns the people data admins set in Slack for a workspace, to be laid over the policy
// file's for routing.
func (db *DB) PeopleEdits(ctx context.Context, teamID string) (baton.PeopleEdits, error) {
	groups, err := db.Groups(ctx, teamID)
	if err != nil {
		return baton.PeopleEdits{}, err
	}
	mgrs, err := db.Managers(ctx, teamID)
	if err != nil {
		return baton.PeopleEdits{}, err
	}
	return baton.PeopleEdits{Groups: groups, Managers: mgrs}, nil
}
