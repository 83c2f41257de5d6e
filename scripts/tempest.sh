#!/usr/bin/env bash
# Runs Tempest (../shared/tempest/run.sh, Debian's python3-tempest) against a fresh all-in-one
# Nubo, configured the way DevStack and ../shared/peers/keystone-up.sh configure the reference
# services: security compliance on (lockout after 2 failures for 5 s, last 2 passwords unique),
# domain-specific configuration on, bcrypt cost 4, a loopback web server for image
# web-download, and DevStack's networks (the external network "public", "private", "router1")
# that Nubo creates on first start, "public" for the network tests.
#
#   scripts/tempest.sh [REGEX]      default: ^tempest\.api\.(identity|image|network); '^tempest\.api\.volume' for Block Storage
#   (the cloud runs two fake compute hosts and has two small public images, flavors 1 and 2 and
#   DevStack's "private" network, so ^tempest\.api\.compute runs too)
#   NUBO_TEMPEST_CONF="[oslo_policy]\nenforce_scope = true"  extra lines for the cloud's nubo.conf
#   (Tempest's own settings come through the TEMPEST_* variables of ../shared/tempest/run.sh)
#   NUBO_TEMPEST_ADDR=198.51.100.201  the address the cloud binds and Tempest calls (default 127.0.0.1)
#   NUBO_TEMPEST_NETNS=NS             run Tempest in that network namespace (ip netns exec)
#   NUBO_TEMPEST_GUEST_IMAGE=DIR      image_ref/image_ref_alt are the guest image of `nubo image build`
#                                     (DIR/nubo-guest.qcow2 booted by its kernel DIR/vmlinuz and DIR/initrd.img)
#   NUBO_TEMPEST_FLAVORS="256 320"    flavor_ref/flavor_ref_alt are new flavors of that RAM (MB), 1 vCPU, 1 GB disk
#   NUBO_TEMPEST_KEEP=1               keep the cloud's config, log and data directory (to look into a failure)
#   (scripts/tempest-scenario.sh uses these four for real guests)
#
# Prints Tempest's per-module table and, last, "N passed, M failed, K skipped".
set -euo pipefail
cd "$(dirname "$0")/.."
REGEX="${1:-^tempest\.api\.(identity|image|network)}"
SHARED="${NUBO_SHARED_DIR:-../shared}"
[ -x "$SHARED/tempest/run.sh" ] || { echo "tempest runner not found in $SHARED/tempest" >&2; exit 64; }

WORK="$(mktemp -d "${NUBO_TEMPEST_TMPDIR:-/tmp}/nubo-tempest.XXXXXX")"
PORT="${NUBO_TEMPEST_PORT:-18880}"
ADDR="${NUBO_TEMPEST_ADDR:-127.0.0.1}"
HTTP_PORT="${NUBO_TEMPEST_HTTP_PORT:-18881}"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true
  if [ -n "${NUBO_TEMPEST_KEEP:-}" ]; then echo "cloud's config, log and data kept in $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# A small image served over loopback HTTP for web-download imports.
mkdir -p "$WORK/www" && head -c 1048576 /dev/urandom > "$WORK/www/image.raw"
/usr/bin/python3 -m http.server "$HTTP_PORT" --bind 127.0.0.1 --directory "$WORK/www" >/dev/null 2>&1 & pids+=($!)

cat > "$WORK/nubo.conf" <<CONF
[DEFAULT]
data_dir = $WORK/data
bind = $ADDR:$PORT
log_level = warn
hosts = compute1,compute2
[identity]
password_hash_rounds = 4
[security_compliance]
lockout_failure_attempts = 2
lockout_duration = 5
unique_last_password_count = 2
[import_filtering_opts]
allowed_ports = 80,443,$HTTP_PORT
[neutron]
default_floating_pool = public
[container_sync]
interval = 5
CONF
# Container sync's realm, as DevStack writes it (Tempest's realm_name and cluster_name: realm1, name1)
mkdir -p "$WORK/data/swift"
printf '[realm1]\nkey = realm1key\ncluster_name1 = http://%s:%s/object/v1/\n' "$ADDR" "$PORT" > "$WORK/data/swift/container-sync-realms.conf"
printf '%b\n' "${NUBO_TEMPEST_CONF:-}" >> "$WORK/nubo.conf"

# Two fake compute hosts: Tempest's migration tests need min_compute_nodes = 2.
printf '[compute]\nmin_compute_nodes = 2\n' > "$WORK/extra.ini"

node scripts/build.mjs
node dist/nubo.js up --config-file "$WORK/nubo.conf" > "$WORK/nubo.log" 2>&1 & pids+=($!)
for _ in $(seq 1 60); do grep -q "nubo: ready at" "$WORK/nubo.log" && break; sleep 0.5; done
grep -q "nubo: ready at" "$WORK/nubo.log" || { cat "$WORK/nubo.log" >&2; exit 1; }

export OS_CLIENT_CONFIG_FILE="$WORK/data/clouds.yaml" OS_CLOUD=nubo
PASSWORD="$(/usr/bin/python3 -c "import yaml,sys; print(yaml.safe_load(open(sys.argv[1]))['clouds']['nubo']['auth']['password'])" "$OS_CLIENT_CONFIG_FILE")"
# DevStack's external network "public" (public-subnet 172.24.4.0/24, the default external network) and its
# shared default subnet pool, made by neutron-server on its first start ([default_networks])
PUBLIC_NET="$(openstack network show public -f value -c id)"
# Tempest must be told which network extensions the cloud has (DevStack writes the same list).
NET_EXTENSIONS="$(openstack extension list --network -c Alias -f value | paste -sd, -)"
# Two small public images for the compute tests (DevStack registers CirrOS; any bootable-looking raw image does for the fake driver).
if [ -n "${NUBO_TEMPEST_GUEST_IMAGE:-}" ]; then
  # the guest image twice, booted by its kernel and initramfs (Glance kernel_id/ramdisk_id), as test/guest-ssh.test.ts
  G="$NUBO_TEMPEST_GUEST_IMAGE"
  KERNEL="$(openstack image create nubo-guest-kernel --disk-format aki --container-format aki --public --file "$G/vmlinuz" -f value -c id)"
  RAMDISK="$(openstack image create nubo-guest-ramdisk --disk-format ari --container-format ari --public --file "$G/initrd.img" -f value -c id)"
  guest() { openstack image create "$1" --disk-format qcow2 --container-format bare --public --file "$G/nubo-guest.qcow2" \
    --property kernel_id="$KERNEL" --property ramdisk_id="$RAMDISK" --property os_command_line='console=ttyS0 quiet' -f value -c id; }
  IMAGE_REF="$(guest nubo-guest)"; IMAGE_REF_ALT="$(guest nubo-guest-alt)"
else
  IMAGE_REF="$(openstack image create nubo-tempest-a --disk-format raw --container-format bare --public --file "$WORK/www/image.raw" -f value -c id)"
  IMAGE_REF_ALT="$(openstack image create nubo-tempest-b --disk-format raw --container-format bare --public --file "$WORK/www/image.raw" -f value -c id)"
fi
FLAVOR_REF=1 FLAVOR_REF_ALT=2
if [ -n "${NUBO_TEMPEST_FLAVORS:-}" ]; then
  read -r RAM RAM_ALT <<<"$NUBO_TEMPEST_FLAVORS"
  FLAVOR_REF="$(openstack flavor create nubo.tiny --ram "$RAM" --vcpus 1 --disk 1 --public -f value -c id)"
  FLAVOR_REF_ALT="$(openstack flavor create nubo.tiny.alt --ram "${RAM_ALT:-$RAM}" --vcpus 1 --disk 1 --public -f value -c id)"
fi
# DevStack's lib/swift makes the reseller admin role that keystoneauth knows ([proxy_server] reseller_admin_role).
openstack role show ResellerAdmin >/dev/null 2>&1 || openstack role create ResellerAdmin >/dev/null
unset OS_CLOUD OS_CLIENT_CONFIG_FILE
# Block Storage for Tempest: on for the volume tests (NUBO_TEMPEST_CINDER=true turns it on for the others too,
# which then also run their volume cases); its backup service (cinder-backup, posix driver) comes with it,
# so [volume-feature-enabled] backup follows
if [[ "$REGEX" == *volume* ]]; then SVC_CINDER="${NUBO_TEMPEST_CINDER:-true}"; else SVC_CINDER="${NUBO_TEMPEST_CINDER:-false}"; fi
# Object Storage likewise: on for the object_storage tests (NUBO_TEMPEST_SWIFT=true for the others too)
if [[ "$REGEX" == *object_storage* ]]; then SVC_SWIFT="${NUBO_TEMPEST_SWIFT:-true}"; else SVC_SWIFT="${NUBO_TEMPEST_SWIFT:-false}"; fi

RUN=(); [ -n "${NUBO_TEMPEST_NETNS:-}" ] && RUN=(ip netns exec "$NUBO_TEMPEST_NETNS")
OS_AUTH_URL="http://$ADDR:$PORT/identity/v3" OS_USERNAME=admin OS_PASSWORD="$PASSWORD" OS_PROJECT_NAME=admin \
TEMPEST_ID_SECURITY_COMPLIANCE=true TEMPEST_ID_DOMAIN_SPECIFIC_DRIVERS=true \
TEMPEST_SVC_GLANCE=true TEMPEST_IMAGE_IMPORT=true TEMPEST_IMAGE_OS_GLANCE_RESERVED=true \
TEMPEST_HTTP_IMAGE="http://127.0.0.1:$HTTP_PORT/image.raw" \
TEMPEST_SVC_NEUTRON=true TEMPEST_PUBLIC_NETWORK_ID="$PUBLIC_NET" TEMPEST_NETWORK_API_EXTENSIONS="$NET_EXTENSIONS" \
TEMPEST_SVC_NOVA=true TEMPEST_IMAGE_REF="$IMAGE_REF" TEMPEST_IMAGE_REF_ALT="$IMAGE_REF_ALT" TEMPEST_FLAVOR_REF="$FLAVOR_REF" TEMPEST_FLAVOR_REF_ALT="$FLAVOR_REF_ALT" \
TEMPEST_FIXED_NETWORK_NAME=private TEMPEST_COMPUTE_MIN_MICROVERSION=2.1 TEMPEST_COMPUTE_MAX_MICROVERSION=2.93 \
TEMPEST_COMPUTE_RESIZE=true TEMPEST_COMPUTE_COLD_MIGRATION=true TEMPEST_COMPUTE_LIVE_MIGRATION=true \
TEMPEST_SVC_SWIFT="$SVC_SWIFT" \
TEMPEST_SVC_CINDER="$SVC_CINDER" TEMPEST_VOLUME_MIN_MICROVERSION=3.0 TEMPEST_VOLUME_MAX_MICROVERSION=3.70 \
TEMPEST_VOLUME_BACKUP="$SVC_CINDER" \
TEMPEST_VOLUME_STORAGE_PROTOCOL=file TEMPEST_VOLUME_VENDOR_NAME=Nubo \
TEMPEST_EXTRA_CONF="${TEMPEST_EXTRA_CONF:-$WORK/extra.ini}" \
  "${RUN[@]}" bash "$SHARED/tempest/run.sh" "$REGEX"
