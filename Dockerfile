# syntax=docker/dockerfile:1
# xtsync's image: the static release binary (`make static`: no cgo,
# -trimpath, stripped) on distroless static, which has CA certificates and
# time zone data and nothing else (no shell, no package manager), run as the
# non-root user 65532. It runs with a read-only root filesystem: xtsync
# writes only under /tmp (clones of the repository, snapshots, the lock),
# which the Kubernetes manifests mount as an emptyDir.
#
#   docker build --build-arg VERSION=$(git describe --tags) --build-arg COMMIT=$(git rev-parse HEAD) -t xtsync .
#   docker run --rm --read-only --tmpfs /tmp xtsync validate --repo /repo
ARG GO_VERSION=1.26

FROM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
ARG COMMIT=unknown
RUN make static VERSION=${VERSION} COMMIT=${COMMIT} STATIC_OUT=/out/xtsync

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/xtsync /usr/local/bin/xtsync
ENV XDG_CACHE_HOME=/tmp/cache \
    XDG_STATE_HOME=/tmp/state \
    XTSYNC_LOG_FORMAT=json
USER 65532:65532
WORKDIR /tmp
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/xtsync"]
CMD ["--help"]
