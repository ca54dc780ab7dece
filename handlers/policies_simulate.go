package handlers

import (
	"context"
	"fmt"
	"time"

	baton "github.com/batonhq/baton"
	"github.com/batonhq/baton/bot"
	"github.com/batonhq/baton/bot/md"
)

// PolicySimulationStore reads the requests a policy simulation routes again.
type PolicySimulationStore interface {
	WorkspaceRequests(ctx context.Context, teamID string, since time.Time, limit int) ([]baton.FiledRequest, error)
}

// simulationLimit bounds how many requests one policy simulation routes again.
const simulationLimit = 20000

// simulatePolicy is /baton policies simulate, for admins: the requests of the last
// baton.SimulationDays days routed by the policy file as it is on disk, next to how they were routed,
// without putting the file in force. Each is routed at the time it was filed, with its requester's
// grants and the groups and managers as they are now. The summary is the reply; every request is in a
// CSV sent to the admin's direct messages. The simulation is kept in the audit trail before anything
// is shown.
func (h *Handlers) simulatePolicy(ctx context.Context, r *bot.Request, me Person, text string) error {
	if !me.IsAdmin {
		return baton.Errorf(baton.EForbidden, "Only workspace admins can simulate the approval policy file. Ask one of them to run `/baton policies simulate` once the file is updated.")
	}
	if h.policies.load == nil {
		return baton.Errorf(baton.EInvalid, "No approval policy file is configured, so there is nothing to simulate. Set BATON_POLICIES to the file and restart Baton.")
	}
	file, _, err := h.policies.load()
	if err != nil {
		msg := baton.ErrorMessage(err)
		if msg == "" {
			msg = err.Error()
		}
		return baton.Errorf(baton.EInvalid, "The policy file can't be loaded, so nothing was simulated and the policy in force stays. Fix the file and simulate again.\n%s", msg)
	}
	now := h.now()
	run := simulationRun{File: file.Version, Since: now.AddDate(0, 0, -baton.SimulationDays), At: now}
	if p := h.policyNow(ctx); p != nil {
		run.InForce = p.Version
	}
	filed, err := h.simulations.WorkspaceRequests(ctx, r.TeamID, run.Since, simulationLimit+1)
	if err != nil {
		return err
	}
	if run.Cut = len(filed) > simulationLimit; run.Cut {
		filed = filed[1:]
	}
	sim, err := h.simulate(ctx, file, r.TeamID, filed, now)
	if err != nil {
		return err
	}
	if err := h.audit(ctx, r.TeamID, me.ID, baton.AuditPoliciesSimulate, "", text); err != nil {
		return err
	}
	if len(filed) == 0 {
		h.reply(ctx, r, md.F(":test_tube: No requests were filed in the last %d days, so there is nothing to simulate version `%s` of the policy file on. Nothing was put in force.",
			baton.SimulationDays, shortVersion(file.Version)))
		return nil
	}
	f := bot.FileUpload{Filename: simulationName(file.Version, now), Title: "Policy file simulation, version " + shortVersion(file.Version),
		Comment: simulationComment(sim, run), Content: simulationCSV(sim, h.simulationNames(ctx, sim))}
	ch, err := h.slack.OpenDM(ctx, me.ID)
	if err == nil {
		_, err = h.slack.UploadFile(ctx, ch, f)
	}
	if err != nil {
		return fmt.Errorf("upload the policy simulation: %w", err)
	}
	h.reply(ctx, r, md.Clip(simulationText(sim, run), 3000))
	return nil
}

// simulate routes filed requests by policy p as /request would route them now: the groups and
// managers p declares with the changes admins made in Slack, each requester's active grants, and
// only approvers who can approve.
func (h *Handlers) simulate(ctx context.Context, p *baton.Policy, teamID string, filed []baton.FiledRequest, now time.Time) (baton.PolicySimulation, error) {
	edits, err := h.org.PeopleEdits(ctx, teamID)
	if err != nil {
		return baton.PolicySimulation{}, err
	}
	grants := map[string][]baton.Grant{}
	for _, f := range filed {
		if _, ok := grants[f.RequesterID]; ok {
			continue
		}
		if grants[f.RequesterID], err = h.requesterGrants(ctx, p, teamID, f.RequesterID, now); err != nil {
			return baton.PolicySimulation{}, err
		}
	}
	usable := map[string]bool{}
	var lookupErr error
	sim := baton.SimulatePolicy(p, filed, p.Directory().Apply(edits), grants, func(id string) bool {
		if ok, known := usable[id]; known {
			return ok
		}
		person, err := h.people.Get(ctx, id)
		if err != nil && baton.ErrorCode(err) != baton.ENotFound && lookupErr == nil {
			lookupErr = err
		}
		usable[id] = err == nil && !person.IsBot && !person.Deleted
		return usable[id]
	})
	return sim, lookupErr
}

// simulationNames looks up the names of everyone a policy simulation's file mentions.
func (h *Handlers) simulationNames(ctx context.Context, sim baton.PolicySimulation) map[string]string {
	var ids []string
	for _, s := range sim.Requests {
		ids = append(ids, s.Filed.RequesterID)
		for _, steps := range [][]baton.Step{s.Filed.RoutedSteps(), s.Route.Steps} {
			for _, step := range steps {
				ids = append(ids, step.Approvers...)
			}
		}
	}
	return h.names(ctx, ids)
}
