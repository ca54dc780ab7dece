# One command runs the bot, one runs the tests (see README).
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/baton?sslmode=disable
REDIS_URL ?= redis://127.0.0.1:6379/0
export DATABASE_URL REDIS_URL

.PHONY: run test bench bench-compare services build

services:
	@bash deploy/services.sh

build:
	go build -o bin/baton ./cmd/baton

run: services build
	./bin/baton run

# The end-to-end tests that also run in HTTP mode: every way a request arrives (commands, actions,
# forms and their errors, events, retries), the ack, shutdown, readiness, metrics, a request's approval,
# a decision, and actions on the App Home with the windows they open over it.
HTTP_E2E = Readyz|MetricsCount|Redelivered|EveryEnvelope|Shutdown|QuickTaskPosts|NewTaskModal|MakeATaskFromAMessage|OwnerMovesStatus|BlockedAsksForTheReason|CheckinReactionMarksSeen|DecisionIsRecorded|HomeOpened|Request|ApprovingFromTheHome

# test runs, after the whole suite and the HTTP-mode subset, the Redis Cluster tests and the scheduler
# once more on a local three-master Redis Cluster, with a failover; then the three-replica test
# (which the suite ran over Socket Mode on one Redis) over HTTP on such a cluster.
test: services
	go vet ./...
	go test -race -count=1 -timeout 20m ./...
	BATON_E2E_TRANSPORT=http go test -race -count=1 -timeout 20m -run '$(HTTP_E2E)' ./cmd/baton/
	TEST_REDIS_CLUSTER=1 go test -race -count=1 -p 1 -timeout 20m ./internal/redistest/ ./scheduler/
	TEST_REDIS_CLUSTER=1 BATON_E2E_TRANSPORT=http go test -race -count=1 -timeout 20m -run 'TestReplicasDoEverythingOnce' ./cmd/baton/
	cd cmd/baton/browsertest && go vet ./... && go test -race -count=1 ./...
	cd deploy/check && go vet ./... && go test -race -count=1 ./...

bench: services
	go test -run '^$$' -bench . -benchtime 3s -count 5 -cpu 2 -timeout 20m ./cmd/baton/ | tee bench.txt

# Compare the end-to-end benchmarks of BASE (a commit) with the working tree, interleaved on this machine.
bench-compare: services
	@test -n "$(BASE)" || { echo "usage: make bench-compare BASE=<commit> [RUNS=3]"; exit 2; }
	@bash deploy/bench-compare.sh "$(BASE)" "$(or $(RUNS),3)"
