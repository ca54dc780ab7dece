# One command runs the bot, one runs the tests (see README).
DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/baton?sslmode=disable
REDIS_URL ?= redis://127.0.0.1:6379/0
export DATABASE_URL REDIS_URL

.PHONY: run test bench services build

services:
	@bash deploy/services.sh

build:
	go build -o bin/baton ./cmd/baton

run: services build
	./bin/baton run

test: services
	go vet ./...
	go test -race -count=1 ./...

bench: services
	go test -run '^$$' -bench . -benchtime 3s -count 5 -cpu 2 -timeout 20m ./cmd/baton/ | tee bench.txt
