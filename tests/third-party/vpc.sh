# The simulated VPC of the third-party acceptance runs, sourced by
# tests/third-party/run and tests/container/run: a random 127.A.B.0/24
# ($net), certificates made by `openssl`, TLS endpoints served by
# `openssl s_server` (x < 128 stand for endpoint ENIs, x >= 128 for public
# addresses) and dnsmasq answering for them. Needs dnsmasq, openssl, python3.
#
# Sourcing it sets $work (removed on exit), $net, $PORT, $DNSPORT, $region,
# $suffix and the CAs; `endpoint` adds servers and records, `start_dnsmasq`
# starts DNS once every record is known.

work=$(mktemp -d)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# A random 127.A.B.0/24 and a port the OS says is free.
read -r A B PORT DNSPORT < <(python3 - <<'EOF'
import random, socket
a, b = random.randint(1, 254), random.randint(0, 254)
ports = []
for _ in range(2):
    s = socket.socket(); s.bind((f"127.{a}.{b}.1", 0)); ports.append(s.getsockname()[1]); s.close()
print(a, b, *ports)
EOF
)
net="127.$A.$B"
region=ap-northeast-1
suffix="$region.amazonaws.com"

# ---- certificates -----------------------------------------------------------
cd "$work"
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }
ca() { # name subject [signer]
  key "$1.key"
  printf 'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n' > "$1.ext"
  if [ -z "${3:-}" ]; then
    openssl req -x509 -new -key "$1.key" -subj "$2" -days 3650 -out "$1.pem" \
      -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  else
    openssl req -new -key "$1.key" -subj "$2" -out "$1.csr" 2>/dev/null
    openssl x509 -req -in "$1.csr" -CA "$3.pem" -CAkey "$3.key" -CAcreateserial -days 3650 \
      -extfile "$1.ext" -out "$1.pem" 2>/dev/null
  fi
}
leaf() { # out signer dns-name
  key "$1.key"
  local cn=$3; [ ${#cn} -le 64 ] || cn=${3%%.*}   # a CN holds 64 characters; the SAN has the name
  openssl req -new -key "$1.key" -subj "/CN=$cn" -out "$1.csr" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA "$2.pem" -CAkey "$2.key" -CAcreateserial -days 300 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
ca amazon-root "/C=US/O=Amazon/CN=Test Amazon Root CA 1"
ca amazon-m01 "/C=US/O=Amazon/CN=Amazon RSA 2048 M01 (test)" amazon-root
ca proxy-root "/O=Corp Proxy Inc/CN=Corp Inspection CA"
ca rogue-root "/O=Rogue Networks/CN=Rogue CA"
cat amazon-root.pem proxy-root.pem > trusted.pem

# ---- servers ----------------------------------------------------------------
next_private=1
next_public=128
next_v6=1
# private|public -> sets $ip. The IPv6 sides (private6: an endpoint ENI in
# 2600:1f18:619e:f9a0::/64; nat64: 64:ff9b::198.51.100.N, as DNS64 makes
# them) go on the loopback, so only a run in a namespace of its own
# (tests/third-party/ipv6, under unshare --net) uses them.
ip_for() {
  case $1 in
    private) ip="$net.$next_private"; next_private=$((next_private + 1)) ;;
    public)  ip="$net.$next_public"; next_public=$((next_public + 1)) ;;
    private6|nat64)
      [ -n "${OWN_NETNS:-}" ] || { echo "IPv6 sides need a namespace of their own" >&2; exit 1; }
      if [ "$1" = private6 ]; then ip="2600:1f18:619e:f9a0::$next_v6"
      else ip=$(printf '64:ff9b::c633:64%02x' "$next_v6"); fi
      next_v6=$((next_v6 + 1))
      ip addr add "$ip/128" dev lo nodad ;;
  esac
}
wait_port() { # ip port: the listener is up when a connection succeeds
  for _ in $(seq 1 200); do
    if python3 -c "import socket,sys; socket.create_connection(('$1', $2), 0.2).close()" 2>/dev/null; then return 0; fi
    python3 -c "import time; time.sleep(0.05)"
  done
  echo "server at $1:$2 did not start" >&2; return 1
}
bracket() { case $1 in *:*) echo "[$1]" ;; *) echo "$1" ;; esac; }
tls_server() { # ip cert-basename signer-chain
  openssl s_server -quiet -accept "$(bracket "$1"):$PORT" -cert "$2.pem" -key "$2.key" ${3:+-cert_chain "$3"} \
    </dev/null >/dev/null 2>&1 &
  pids+=($!)
  wait_port "$1" "$PORT"
}
python_server() { # ip silent|blackhole: the two behaviours no stock server has
  python3 - "$1" "$PORT" "$2" <<'EOF' &
import socket, sys, time
ip, port, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
s = socket.socket(socket.AF_INET6 if ":" in ip else socket.AF_INET); s.bind((ip, port))
if mode == "blackhole":
    s.listen(0)                                   # accept queue of one...
    filler = socket.create_connection((ip, port))  # ...now full: later SYNs are dropped
    open(f"/tmp/vpce-probe-ready-{ip}-{port}", "w").close()
    time.sleep(3600)
s.listen(16); held = []
open(f"/tmp/vpce-probe-ready-{ip}-{port}", "w").close()
while True:
    c, _ = s.accept(); held.append(c)            # accept, never speak
EOF
  pids+=($!)
  for _ in $(seq 1 200); do [ -e "/tmp/vpce-probe-ready-$1-$PORT" ] && break; python3 -c "import time; time.sleep(0.05)"; done
  rm -f "/tmp/vpce-probe-ready-$1-$PORT"
}

dns_args=()
record() { dns_args+=("--host-record=$1,$2"); }

# name [side behaviour]...; behaviour: amazon | proxy | rogue | wrongname | silent | blackhole | closed
# The certificate is for $cert_name when set (a CNAME target serves the alias's certificate).
endpoint() {
  local name=$1; shift
  local cn=${cert_name:-$name}
  while [ $# -gt 0 ]; do
    ip_for "$1"; local how=$2; shift 2
    record "$name" "$ip"
    case $how in
      amazon)    leaf "leaf-$ip" amazon-m01 "$cn"; tls_server "$ip" "leaf-$ip" amazon-m01.pem ;;
      proxy)     leaf "leaf-$ip" proxy-root "$cn"; tls_server "$ip" "leaf-$ip" ;;
      rogue)     leaf "leaf-$ip" rogue-root "$cn"; tls_server "$ip" "leaf-$ip" ;;
      wrongname) leaf "leaf-$ip" amazon-m01 "wrong.$suffix"; tls_server "$ip" "leaf-$ip" amazon-m01.pem ;;
      silent|blackhole) python_server "$ip" "$how" ;;
      closed)    ;;
    esac
  done
}

dns_listen=()   # more addresses for dnsmasq (the IPv6 run adds fd00:ec2::253)
start_dnsmasq() {
  dnsmasq --keep-in-foreground --no-resolv --no-hosts --no-poll --bind-interfaces \
    --listen-address="$net.53" "${dns_listen[@]}" --port="$DNSPORT" --local=/amazonaws.com/ \
    --pid-file="$work/dnsmasq.pid" --log-facility=- "${dns_args[@]}" 2>"$work/dnsmasq.log" &
  pids+=($!)
  for _ in $(seq 1 100); do
    dig_ok=$(python3 - "$net.53" "$DNSPORT" <<'EOF' 2>/dev/null || true
import socket, sys
q = bytes.fromhex("12340100000100000000000003777777076578616d706c6500000100 01".replace(" ", ""))
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(0.2)
s.sendto(q, (sys.argv[1], int(sys.argv[2]))); s.recv(512); print("up")
EOF
)
    [ "$dig_ok" = up ] && break
  done
  [ "${dig_ok:-}" = up ] || { echo "dnsmasq did not start:"; cat "$work/dnsmasq.log"; exit 1; }
}
