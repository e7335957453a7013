# Build a static binary, then run it as an unprivileged user in an image with
# nothing else in it (no shell: the compose health check runs
# `/hotline health URL`).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags='-s -w' -o /out/hotline .

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/hotline /hotline
# Numeric, so that Kubernetes can check runAsNonRoot (65532 is nonroot here).
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/hotline"]
