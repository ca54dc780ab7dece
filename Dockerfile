# Baton's image: one static binary and the CA certificates, run as a non-root user, nothing else.
#
#   docker build -t baton .                  (podman build works the same)
#   docker run --rm -e DATABASE_URL=… baton migrate
#   docker run -e DATABASE_URL=… -e REDIS_URL=… -e SLACK_SIGNING_SECRET=… -e SLACK_BOT_TOKEN=… -p 8080:8080 baton
#
# GO_IMAGE is the build stage's Go toolchain; it must have /bin/sh and the CA certificates.
ARG GO_IMAGE=docker.io/library/golang:1.26-bookworm

FROM ${GO_IMAGE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 GOTOOLCHAIN=local
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN go build -trimpath -ldflags="-s -w" -o /out/baton ./cmd/baton \
 && cp /etc/ssl/certs/ca-certificates.crt /out/ca-certificates.crt

FROM scratch
ARG VERSION=dev
LABEL org.opencontainers.image.title="Baton" \
      org.opencontainers.image.description="A Slack bot that makes delegation safe: owners, live cards, decisions, approvals by rule, check-ins" \
      org.opencontainers.image.source="https://github.com/batonhq/baton" \
      org.opencontainers.image.version="${VERSION}"
COPY --from=build /out/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/baton /baton
# nobody in the usual distroless numbering: no root, no shell, no home.
USER 65532:65532
ENV BATON_HTTP_ADDR=:8080
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s CMD ["/baton", "health"]
ENTRYPOINT ["/baton"]
CMD ["run"]
