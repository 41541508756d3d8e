# Relay's container image: multi-stage; the native (AOT) executable on the runtime-deps image, which
# has no .NET runtime, run as a non-root user (uid APP_UID, the official images' 'app').
# The base images are build arguments, the official .NET images by default; scripts/container-test.sh
# builds local ones (debootstrap) where no registry can be reached:
#   docker build --build-arg SDK_IMAGE=... --build-arg RUNTIME_IMAGE=... -t relay .
# Configuration and the certificate are mounted, never baked in:
#   docker run -p 8443:8443 \
#     -v /etc/relay/tls:/app/config/certs:ro -v relay-data:/app/data \
#     -e Relay__RabbitMq__Uri='amqp://relay:…@rabbitmq:5672/' \
#     -e Relay__Callbacks__Sources__prod__Tokens__0='…' relay
ARG SDK_IMAGE=mcr.microsoft.com/dotnet/sdk:10.0
ARG RUNTIME_IMAGE=mcr.microsoft.com/dotnet/runtime-deps:10.0

FROM ${SDK_IMAGE} AS build
WORKDIR /src
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends clang zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Relay.Core/Relay.Core.csproj src/Relay.Core/
COPY src/Relay/Relay.csproj src/Relay/
RUN dotnet restore src/Relay/Relay.csproj -r "linux-$(uname -m | sed 's/x86_64/x64/; s/aarch64/arm64/')"
COPY scripts/publish.sh scripts/
COPY src/ src/
RUN scripts/publish.sh /app && rm -f /app/*.dbg /app/*.pdb

FROM ${RUNTIME_IMAGE} AS runtime
# The official images' non-root user; a numeric id needs no entry in /etc/passwd on another base.
ARG APP_UID=1654
WORKDIR /app
COPY --from=build /app ./
# The defaults: relay.json and the shipped allowlist. Mount over /app/config to replace them.
COPY config/relay.json config/relay.json
COPY config/allowlist/ config/allowlist/
COPY config/openssl.cnf config/openssl.cnf
# TLS 1.2 with AEAD suites and forward secrecy only, for every TLS connection of the process.
ENV OPENSSL_CONF=/app/config/openssl.cnf
# The outbox lives on a volume: what it holds must outlive the container.
RUN mkdir -p /app/data/outbox && chown -R ${APP_UID} /app/data && chmod 0700 /app/data/outbox
VOLUME /app/data
# Inside a container the admin listener (/healthz, /readyz, /metrics on 9090) must be reachable by the
# orchestrator's probes, so it binds all interfaces; it is not EXPOSEd, so 'docker run -P' publishes
# Public alone. Publish 9090 only on an internal network, if at all.
ENV Kestrel__Endpoints__Admin__Url=http://0.0.0.0:9090
EXPOSE 8443
USER ${APP_UID}
ENTRYPOINT ["./Relay"]
