#!/usr/bin/env bash
# Starts throwaway Postgres and Redis servers on loopback when DATABASE_URL or
# REDIS_URL is not already set, and exports both URLs; and a three-master
# Redis Cluster when REDIS_CLUSTER_URL is not set (ports 17001-17003, or
# HOTLINE_REDIS_CLUSTER_PORT and the next two), for the pipeline's tests
# against a cluster. Source it:
#   . scripts/services.sh
# Installs redis-server with apt-get when it is missing. Postgres 15 binaries
# (initdb, pg_ctl) must be on the machine; they refuse to run as root, so the
# cluster runs as the postgres user (or the current user when not root).
# HOTLINE_STATE_DIR (default: a new temporary folder) keeps the data.

hotline_services() {
  local state="${HOTLINE_STATE_DIR:-$(mktemp -d /tmp/hotline.XXXXXX)}"
  mkdir -p "$state"
  chmod 755 "$state"

  if [ -z "${REDIS_URL:-}" ]; then
    if ! command -v redis-server >/dev/null 2>&1; then
      echo "services: installing redis-server" >&2
      (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null ||
        { echo "services: cannot install redis-server" >&2; return 1; }
    fi
    local rport="${HOTLINE_REDIS_PORT:-16379}"
    # A server already on the port is reused only when its data is in this
    # state folder: another checkout's would receive this one's data.
    if redis-cli -p "$rport" ping >/dev/null 2>&1; then
      local rdir
      rdir=$(redis-cli -p "$rport" config get dir 2>/dev/null | sed -n 2p || true)
      case "$rdir" in
      "$(readlink -f "$state")" | "$(readlink -f "$state")"/*) ;;
      *)
        echo "services: a Redis server this state folder did not start answers on port $rport ($rdir);" \
          "set HOTLINE_REDIS_PORT to a free port, HOTLINE_STATE_DIR to that server's folder, or REDIS_URL" >&2
        return 1
        ;;
      esac
    else
      redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly yes \
        --dir "$state" --daemonize yes --logfile "$state/redis.log" >/dev/null ||
        { echo "services: redis-server did not start" >&2; return 1; }
      for _ in $(seq 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
    fi
    export REDIS_URL="redis://127.0.0.1:$rport/0"
  fi

  if [ -z "${REDIS_CLUSTER_URL:-}" ] && command -v redis-server >/dev/null 2>&1; then
    local base="${HOTLINE_REDIS_CLUSTER_PORT:-17001}"
    local ports=("$base" "$((base + 1))" "$((base + 2))")
    local addrs=() port
    for port in "${ports[@]}"; do
      addrs+=("127.0.0.1:$port")
      # Started up to three times: a node of a run that has just stopped
      # may still hold the cluster bus port, and the new one exits.
      local start
      for start in 1 2 3; do
        redis-cli -p "$port" ping >/dev/null 2>&1 && break
        mkdir -p "$state/redis-cluster/$port"
        redis-server --port "$port" --bind 127.0.0.1 --cluster-enabled yes \
          --cluster-config-file "$state/redis-cluster/$port/nodes.conf" --dir "$state/redis-cluster/$port" \
          --save '' --appendonly no --daemonize yes --logfile "$state/redis-cluster/$port/redis.log" >/dev/null ||
          { echo "services: redis-server $port (cluster) did not start" >&2; return 1; }
        for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
      done
      redis-cli -p "$port" ping >/dev/null 2>&1 || {
        echo "services: redis-server $port (cluster) does not answer:" >&2
        tail -5 "$state/redis-cluster/$port/redis.log" >&2
        return 1
      }
    done
    if ! redis-cli -p "$base" cluster info 2>/dev/null | grep -q '^cluster_state:ok'; then
      if redis-cli -p "$base" cluster info 2>/dev/null | grep -q '^cluster_slots_assigned:0'; then
        # Tried three times: once on this machine a create failed on
        # nodes just started; a node left in a half-made cluster is reset.
        local tries=0
        until redis-cli --cluster create "${addrs[@]}" --cluster-yes >"$state/cluster-create.log" 2>&1; do
          tries=$((tries + 1))
          if [ "$tries" -ge 3 ]; then
            echo "services: redis-cli --cluster create failed:" >&2
            tail -5 "$state/cluster-create.log" >&2
            return 1
          fi
          sleep 1
          # (|| true: a reset refused must not end the script silently
          # under the caller's set -e; the next create says what is wrong.)
          for port in "${ports[@]}"; do redis-cli -p "$port" cluster reset hard >/dev/null 2>&1 || true; done
        done
      fi
      for _ in $(seq 100); do
        redis-cli -p "$base" cluster info 2>/dev/null | grep -q '^cluster_state:ok' && break
        sleep 0.1
      done
    fi
    export REDIS_CLUSTER_URL="redis+cluster://$(IFS=,; echo "${addrs[*]}")"
  fi

  if [ -z "${DATABASE_URL:-}" ]; then
    local bindir
    bindir=$(dirname "$(readlink -f "$(command -v initdb 2>/dev/null || ls /usr/lib/postgresql/*/bin/initdb 2>/dev/null | tail -n1)")")
    [ -x "$bindir/initdb" ] || { echo "services: initdb not found" >&2; return 1; }
    local pport="${HOTLINE_PG_PORT:-15432}"
    local pgdata="$state/pg"
    local as=()
    if [ "$(id -u)" = 0 ]; then as=(runuser -u postgres --); fi
    if pg_isready -h 127.0.0.1 -p "$pport" >/dev/null 2>&1; then
      # Reused only when it is this state folder's server (its pid file
      # names the port): another checkout's would receive this one's data.
      if [ "$(sed -n 4p "$pgdata/postmaster.pid" 2>/dev/null)" != "$pport" ]; then
        echo "services: a Postgres server this state folder did not start answers on port $pport;" \
          "set HOTLINE_PG_PORT to a free port, HOTLINE_STATE_DIR to that server's folder, or DATABASE_URL" >&2
        return 1
      fi
    else
      if [ ! -f "$pgdata/PG_VERSION" ]; then
        mkdir -p "$pgdata"
        [ "$(id -u)" = 0 ] && chown postgres "$pgdata"
        "${as[@]}" "$bindir/initdb" -D "$pgdata" -U hotline --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null ||
          { echo "services: initdb failed" >&2; return 1; }
      fi
      "${as[@]}" "$bindir/pg_ctl" -D "$pgdata" -l "$pgdata/server.log" -w \
        -o "-h 127.0.0.1 -p $pport -k $pgdata -c fsync=off -c max_connections=300" start >/dev/null ||
        { echo "services: postgres did not start; see $pgdata/server.log" >&2; return 1; }
      "${as[@]}" "$bindir/createdb" -h 127.0.0.1 -p "$pport" -U hotline hotline 2>/dev/null || true
    fi
    export DATABASE_URL="postgres://hotline@127.0.0.1:$pport/hotline?sslmode=disable"
  fi
  export HOTLINE_STATE_DIR="$state"
}

hotline_services
