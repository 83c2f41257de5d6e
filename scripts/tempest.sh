#!/usr/bin/env bash
# Runs Tempest (../shared/tempest/run.sh, Debian's python3-tempest) against a fresh all-in-one
# Nubo, configured the way DevStack and ../shared/peers/keystone-up.sh configure the reference
# services: security compliance on (lockout after 2 failures for 5 s, last 2 passwords unique),
# domain-specific configuration on, bcrypt cost 4, a loopback web server for image
# web-download, and DevStack's networks (the external network "public", "private", "router1")
# that Nubo creates on first start, "public" for the network tests.
#
#   scripts/tempest.sh [REGEX]      default: ^tempest\.api\.(identity|image|network)
#   NUBO_TEMPEST_CONF="[oslo_policy]\nenforce_scope = true"  extra lines for the cloud's nubo.conf
#   (Tempest's own settings come through the TEMPEST_* variables of ../shared/tempest/run.sh)
#
# Prints Tempest's per-module table and, last, "N passed, M failed, K skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
REGEX="${1:-^tempest\.api\.(identity|image|network)}"
SHARED="${NUBO_SHARED_DIR:-../shared}"
[ -x "$SHARED/tempest/run.sh" ] || { echo "tempest runner not found in $SHARED/tempest" >&2; exit 64; }

WORK="$(mktemp -d /tmp/nubo-tempest.XXXXXX)"
PORT="${NUBO_TEMPEST_PORT:-18880}"
HTTP_PORT="${NUBO_TEMPEST_HTTP_PORT:-18881}"
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

# A small image served over loopback HTTP for web-download imports.
mkdir -p "$WORK/www" && head -c 1048576 /dev/urandom > "$WORK/www/image.raw"
/usr/bin/python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 & pids+=($!)

cat > "$WORK/nubo.conf" <<CONF
[DEFAULT]
data_dir = $WORK/data
bind = 127.0.0.1:$PORT
log_level = warn
[identity]
password_hash_rounds = 4
[security_compliance]
lockout_failure_attempts = 2
lockout_duration = 5
unique_last_password_count = 2
[import_filtering_opts]
allowed_ports = 80,443,$HTTP_PORT
CONF
printf '%b\n' "${NUBO_TEMPEST_CONF:-}" >> "$WORK/nubo.conf"

node scripts/build.mjs
node dist/nubo.js up --config-file "$WORK/nubo.conf" > "$WORK/nubo.log" 2>&1 & pids+=($!)
for _ in $(seq 1 60); do grep -q "nubo: ready at" "$WORK/nubo.log" && break; sleep 0.5; done
grep -q "nubo: ready at" "$WORK/nubo.log" || { cat "$WORK/nubo.log" >&2; exit 1; }

export OS_CLIENT_CONFIG_FILE="$WORK/data/clouds.yaml" OS_CLOUD=nubo
PASSWORD="$(/usr/bin/python3 -c "import yaml,sys; print(yaml.safe_load(open(sys.argv[1]))['clouds']['nubo']['auth']['password'])" "$OS_CLIENT_CONFIG_FILE")"
# DevStack's external network "public" (public-subnet 172.24.4.0/24), made by neutron-server on its first start ([default_networks])
PUBLIC_NET="$(openstack network show public -f value -c id)"
# Tempest must be told which network extensions the cloud has (DevStack writes the same list).
NET_EXTENSIONS="$(openstack extension list --network -c Alias -f value | paste -sd, -)"
unset OS_CLOUD OS_CLIENT_CONFIG_FILE

OS_AUTH_URL="http://127.0.0.1:$PORT/identity/v3" OS_USERNAME=admin OS_PASSWORD="$PASSWORD" OS_PROJECT_NAME=admin \
TEMPEST_ID_SECURITY_COMPLIANCE=true TEMPEST_ID_DOMAIN_SPECIFIC_DRIVERS=true \
TEMPEST_SVC_GLANCE=true TEMPEST_IMAGE_IMPORT=true TEMPEST_IMAGE_OS_GLANCE_RESERVED=true \
TEMPEST_HTTP_IMAGE="http://127.0.0.1:$HTTP_PORT/image.raw" \
TEMPEST_SVC_NEUTRON=true TEMPEST_PUBLIC_NETWORK_ID="$PUBLIC_NET" TEMPEST_NETWORK_API_EXTENSIONS="$NET_EXTENSIONS" \
  bash "$SHARED/tempest/run.sh" "$REGEX"
