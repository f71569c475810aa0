# Services that tests find through environment variables. Sourced by .ci/run
# (which calls start_services, and stop_services on exit); also usable by hand:
#
#   source .ci/services.sh; start_services; go test ./redislimit/...; stop_services
#
# Redis, for the redislimit module's tests: installed with apt-get when
# redis-server is missing, started on a free loopback port (6399 or the next
# free one) with no persistence, and exported as LIVEMPU_REDIS_ADDR.

_livempu_redis_dir=""
_livempu_redis_port=""

# _livempu_port_busy PORT succeeds when something listens on 127.0.0.1:PORT.
_livempu_port_busy() {
  (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# _livempu_install_redis installs redis-server (and redis-cli) with apt-get,
# quietly, unless they are already on PATH. Idempotent.
_livempu_install_redis() {
  if command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1; then
    return 0
  fi
  local sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
      sudo="sudo"
    else
      echo "services: redis-server is missing and apt-get needs root (no sudo)" >&2
      return 1
    fi
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "services: redis-server is missing and there is no apt-get; install Redis by hand" >&2
    return 1
  fi
  echo "== services: installing redis-server"
  local log
  log="$(mktemp "${TMPDIR:-/tmp}/livempu-apt.XXXXXX")" || return 1
  if ! { $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
         $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends redis-server; } >"$log" 2>&1; then
    echo "services: installing redis-server failed:" >&2
    cat "$log" >&2
    rm -f "$log"
    return 1
  fi
  rm -f "$log"
  command -v redis-server >/dev/null 2>&1 && command -v redis-cli >/dev/null 2>&1
}

start_services() {
  if [ -n "$_livempu_redis_port" ]; then
    return 0 # already started
  fi
  _livempu_install_redis || return 1

  local port="${LIVEMPU_REDIS_PORT:-6399}"
  while _livempu_port_busy "$port"; do
    port=$((port + 1))
  done
  _livempu_redis_dir="$(mktemp -d "${TMPDIR:-/tmp}/livempu-redis.XXXXXX")" || return 1
  redis-server --bind 127.0.0.1 --port "$port" \
    --save '' --appendonly no \
    --daemonize yes \
    --dir "$_livempu_redis_dir" \
    --pidfile "$_livempu_redis_dir/redis.pid" \
    --logfile "$_livempu_redis_dir/redis.log" || {
      echo "services: redis-server failed to start" >&2
      return 1
    }
  _livempu_redis_port="$port"

  local i
  for i in $(seq 1 100); do
    if [ "$(redis-cli -h 127.0.0.1 -p "$port" ping 2>/dev/null)" = "PONG" ]; then
      export LIVEMPU_REDIS_ADDR="127.0.0.1:$port"
      echo "== services: Redis $(redis-server --version | sed -n 's/.*v=\([^ ]*\).*/\1/p') on $LIVEMPU_REDIS_ADDR"
      return 0
    fi
    sleep 0.1
  done
  echo "services: Redis did not answer on 127.0.0.1:$port; its log:" >&2
  cat "$_livempu_redis_dir/redis.log" >&2 2>/dev/null
  stop_services
  return 1
}

stop_services() {
  if [ -n "$_livempu_redis_port" ]; then
    redis-cli -h 127.0.0.1 -p "$_livempu_redis_port" shutdown nosave >/dev/null 2>&1 || true
    local i
    for i in $(seq 1 50); do
      _livempu_port_busy "$_livempu_redis_port" || break
      sleep 0.1
    done
    if _livempu_port_busy "$_livempu_redis_port" && [ -f "$_livempu_redis_dir/redis.pid" ]; then
      kill "$(cat "$_livempu_redis_dir/redis.pid")" 2>/dev/null || true
    fi
  fi
  if [ -n "$_livempu_redis_dir" ]; then
    rm -rf "$_livempu_redis_dir"
  fi
  _livempu_redis_dir=""
  _livempu_redis_port=""
  unset LIVEMPU_REDIS_ADDR
  return 0
}
