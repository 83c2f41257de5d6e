#!/usr/bin/env bash
# Tempest's scenario tests against real guests (root; qemu-system-x86_64, dnsmasq, iptables,
# conntrack, nft, mtools): builds the guest image (`nubo image build`), makes the compute host's
# network namespace and "the outside" (a namespace on 203.0.113.0/24, the flat external network
# "public" whose floating IPs it reaches on-link), then runs scripts/tempest.sh with the qemu
# driver and the Linux data plane, Tempest itself inside the outside namespace (ip netns exec),
# talking to the cloud's API over a veth on 198.51.100.200/30 (the cloud binds 198.51.100.201).
# Validation on (ssh root@FIP with a Nova keypair), tiny flavors, concurrency 1. Everything it made
# (namespaces, veths, QEMU, dnsmasq, the work directory) is removed at the end.
#
#   scripts/tempest-scenario.sh [REGEX]          default: ^tempest\.scenario
#   TEMPEST_TIMEOUT (4800 s), TEMPEST_CONCURRENCY (1), TEMPEST_RESULTS_DIR, TEMPEST_EXCLUDE_REGEX pass through
#   NUBO_TEMPEST_FLAVORS ("256 320": RAM of flavor_ref and flavor_ref_alt, MB)
set -euo pipefail
cd "$(dirname "$0")/.."
[ "$(id -u)" = 0 ] || { echo "tempest-scenario.sh needs root (network namespaces, QEMU taps)" >&2; exit 64; }
for t in qemu-system-x86_64 qemu-img dnsmasq iptables-restore conntrack nft ping mcopy; do
  command -v "$t" >/dev/null || { echo "tempest-scenario.sh: $t is not installed (Tempest pings floating IPs with ping: iputils-ping)" >&2; exit 64; }
done
REGEX="${1:-^tempest\.scenario}"
TAG="ts$(head -c 3 /dev/urandom | od -An -tx1 | tr -d ' \n')"
HOST="$TAG"                         # the compute host and its agents
TEMPLATE="$TAG-{host}"              # [data_plane]/[qemu] host_namespace
HOST_NS="$TAG-$HOST"
OUT_NS="${TAG}o"                    # the outside
EXT_DEV="${TAG}x"                   # the external network's physical interface (in HOST_NS)
API_DEV="${TAG}a"                   # the root namespace's end of the API veth
API_ADDR=198.51.100.201 API_PEER=198.51.100.202
WORK="$(mktemp -d /tmp/nubo-tempest-scenario.XXXXXX)"
chmod 755 "$WORK"                   # dnsmasq rereads its files as nobody
NS_BEFORE="$(ip netns list | awk '{print $1}')"

cleanup() {
  set +e
  # QEMU and whatever else runs in the host namespace, then the agents' namespaces this cloud made
  # (new since the start, their processes' command lines naming our work directory)
  for ns in $(ip netns list | awk '{print $1}'); do
    case "$ns" in qdhcp-*|qrouter-*) ;; *) continue ;; esac
    grep -qx "$ns" <<<"$NS_BEFORE" && continue
    pids="$(ip netns pids "$ns")" mine=0
    for p in $pids; do tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null | grep -q "$WORK" && mine=1; done
    if [ "$mine" = 1 ]; then kill $pids 2>/dev/null; sleep 0.5; kill -9 $pids 2>/dev/null; ip netns del "$ns"
    elif [ -z "$pids" ]; then echo "[tempest-scenario] left alone (empty, made during the run, maybe by another cloud): $ns" >&2; fi
  done
  for ns in $(ip netns list | awk '{print $1}'); do
    if [ "$ns" = "$OUT_NS" ] || [[ "$ns" == "$TAG-"* ]]; then
      pids="$(ip netns pids "$ns")"; [ -n "$pids" ] && { kill $pids 2>/dev/null; sleep 1; kill -9 $pids 2>/dev/null; }
      ip netns del "$ns"
    fi
  done
  ip link del "$API_DEV" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

echo "[tempest-scenario] building the guest image" >&2
mkdir -p "$WORK/image"
node --import tsx src/cmd/nubo.ts image build --output "$WORK/image/nubo-guest.qcow2" \
  --kernel-output "$WORK/image/vmlinuz" --ramdisk-output "$WORK/image/initrd.img" >&2

# the host namespace, the outside on the external network's physical interface, the API veth
ip netns add "$HOST_NS"; ip netns add "$OUT_NS"
ip -n "$OUT_NS" link set lo up
ip -n "$HOST_NS" link add "$EXT_DEV" type veth peer name eth0 netns "$OUT_NS"
ip -n "$OUT_NS" addr add 203.0.113.1/24 dev eth0
ip -n "$OUT_NS" link set eth0 up
ip -n "$HOST_NS" link set "$EXT_DEV" up
ip link add "$API_DEV" type veth peer name api0 netns "$OUT_NS"
ip addr add "$API_ADDR/30" dev "$API_DEV"; ip link set "$API_DEV" up
ip -n "$OUT_NS" addr add "$API_PEER/30" dev api0; ip -n "$OUT_NS" link set api0 up

SECRET="$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export NUBO_TEMPEST_CONF="[DEFAULT]
host = $HOST
hosts = $HOST
compute_driver = qemu
vif_plugging_timeout = 300
vif_plugging_is_fatal = true
metadata_proxy_shared_secret = $SECRET
[data_plane]
enabled = true
host_namespace = $TEMPLATE
[qemu]
host_namespace = $TEMPLATE
[linux_bridge]
physical_interface_mappings = extnet:$EXT_DEV
[vxlan]
local_ip = 198.51.100.1
l2_population = true
[dhcp_agent]
dhcp_confs = $WORK/dhcp
[neutron]
service_metadata_proxy = true
metadata_proxy_shared_secret = $SECRET
[default_networks]
public_physical_network = extnet
floating_range = 203.0.113.0/24
public_network_gateway = 203.0.113.1
[vnc]
novncproxy_host = 127.0.0.1
novncproxy_port = 0
[serial_console]
serialproxy_host = 127.0.0.1
serialproxy_port = 0"

# Tempest's validation settings and what the qemu driver does (no moves, rescue or interface hot-plug yet)
cat > "$WORK/extra.ini" <<INI
[validation]
run_validation = true
connect_method = floating
auth_method = keypair
image_ssh_user = root
image_alt_ssh_user = root
ssh_key_type = rsa
network_for_ssh = public
ip_version_for_ssh = 4
ping_timeout = 300
connect_timeout = 120
ssh_timeout = 420
[compute]
build_timeout = 600
min_compute_nodes = 1
fixed_network_name =
[compute-feature-enabled]
resize = false
cold_migration = false
live_migration = false
rescue = false
interface_attach = false
change_password = false
console_output = true
pause = true
suspend = true
shelve = true
snapshot = true
config_drive = true
metadata_service = true
vnc_console = true
[network]
floating_network_name = public
build_timeout = 600
[network-feature-enabled]
ipv6 = false
[volume]
build_timeout = 300
[image]
build_timeout = 600
[scenario]
img_file = $WORK/image/nubo-guest.qcow2
img_disk_format = qcow2
img_container_format = bare
dhcp_client = udhcpc
INI

NUBO_TEMPEST_PORT="${NUBO_TEMPEST_PORT:-45880}" NUBO_TEMPEST_HTTP_PORT="${NUBO_TEMPEST_HTTP_PORT:-45882}" \
NUBO_TEMPEST_TMPDIR="$WORK" NUBO_TEMPEST_ADDR="$API_ADDR" NUBO_TEMPEST_NETNS="$OUT_NS" NUBO_TEMPEST_GUEST_IMAGE="$WORK/image" \
NUBO_TEMPEST_FLAVORS="${NUBO_TEMPEST_FLAVORS:-256 320}" NUBO_TEMPEST_CINDER=true NUBO_TEMPEST_SWIFT=true \
TEMPEST_CONCURRENCY="${TEMPEST_CONCURRENCY:-1}" TEMPEST_TIMEOUT="${TEMPEST_TIMEOUT:-4800}" TEMPEST_BUILD_TIMEOUT=600 \
TEMPEST_EXTRA_CONF="$WORK/extra.ini" \
  bash scripts/tempest.sh "$REGEX"
