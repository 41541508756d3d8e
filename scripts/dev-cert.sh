#!/usr/bin/env bash
# A self-signed development certificate for the Public listener, as PEM files:
#   scripts/dev-cert.sh [DIR]    (default config/certs; writes tls.crt and tls.key)
# ECDSA P-256: the cheapest handshake for a server that may see one new TLS connection per callback.
# Never use it in production: put your CA-issued certificate at the same paths instead.
set -euo pipefail
dir=${1:-config/certs}
mkdir -p "$dir"
umask 077
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 825 \
  -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1" \
  -addext "extendedKeyUsage=serverAuth" \
  -keyout "$dir/tls.key" -out "$dir/tls.crt" 2>/dev/null
chmod 644 "$dir/tls.crt"
echo "dev-cert: wrote $dir/tls.crt and $dir/tls.key (self-signed, for development only)" >&2
