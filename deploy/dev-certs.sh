#!/usr/bin/env bash
# deploy/dev-certs.sh DIR [CLIENT_CN]: certificates for trying TLS, WSS and client certificates on one machine.
# Writes into DIR (made if missing):
#   ca.crt, ca.key          a certificate authority made for DIR alone (10 years)
#   server.crt, server.key  the broker's, signed by it, for localhost and 127.0.0.1 (and ::1)
#   client.crt, client.key  a client's, signed by it, CN=CLIENT_CN (default: device-1), for client authentication
# Needs openssl. Not for production: the CA key sits beside the certificates.
set -euo pipefail

usage() {
  echo "usage: $0 DIR [CLIENT_CN]" >&2
  echo "  writes ca.crt, ca.key, server.crt, server.key, client.crt and client.key into DIR" >&2
  exit 2
}

[[ $# -ge 1 && $# -le 2 && -n $1 && $1 != -* ]] || usage
dir=$1
cn=${2:-device-1}
command -v openssl >/dev/null || { echo "$0: openssl not found (apt-get install openssl)" >&2; exit 1; }
mkdir -p "$dir"
cd "$dir"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

umask 077
openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 3650 \
  -keyout ca.key -out ca.crt -subj "/CN=RobustMQ development CA" \
  -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null

sign() { # sign NAME SUBJECT EXTENSIONS
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout "$1.key" -out "$tmp/$1.csr" -subj "$2" 2>/dev/null
  printf '%s\n' "$3" >"$tmp/$1.ext"
  openssl x509 -req -in "$tmp/$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -CAserial "$tmp/ca.srl" \
    -days 825 -sha256 -extfile "$tmp/$1.ext" -out "$1.crt" 2>/dev/null
}

sign server "/CN=localhost" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"
sign client "/CN=$cn" "basicConstraints=CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=clientAuth
subjectAltName=DNS:$cn"

chmod 644 ca.crt server.crt client.crt
echo "wrote $(pwd)/{ca,server,client}.{crt,key} (client CN=$cn)"
