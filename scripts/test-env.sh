#!/usr/bin/env bash
# `make test-env-start` / `make test-env-stop`: the whole local stack (`npm start`: Azurite, the functions,
# one worker per capability, the sample schemas) in the background, detached from the shell, for manual
# work and for tools that expect ClouDO on :7071. Nothing here runs the stack a second way: it starts
# `npm start` in a session of its own and stops that session.
#
#   scripts/test-env.sh start | stop
#
# Environment (the Makefile passes its variables of the same names):
#   TEST_ENV_DIR              state folder: Azurite data, stack.json, keys, pid and log   (.cloudo/test-env)
#   PORT                      HTTP port of the functions                                  (7071)
#   AZURITE_BLOB_PORT / _QUEUE_PORT / _TABLE_PORT   Azurite's ports; 0 picks free ones    (10000-10002)
#   TEST_ENV_START_TIMEOUT_S  how long start waits for GET /api/healthz to answer 200    (120)
#   TEST_ENV_STOP_GRACE_S     how long stop waits after SIGTERM before SIGKILL           (45)
# The rest of the environment reaches the stack, as with `npm start` (e.g. CLOUDO_SHUTDOWN_GRACE_MS).
set -euo pipefail
cd "$(dirname "$0")/.."

dir=${TEST_ENV_DIR:-.cloudo/test-env}
pid_file="$dir/stack.pid"
log_file="$dir/stack.log"
stack_file="$dir/stack.json"

# The pid in stack.pid leads the session and process group of `npm start` (npm, tsx and the stack's node).
# Azurite and the workers run in sessions of their own (the stack spawns them detached): stack.json lists them.
group_alive() { kill -0 -- "-$1" 2>/dev/null; }
pid_alive() { kill -0 "$1" 2>/dev/null; }

# stack.json's fields, one per line: "url URL" then "pid N" for the stack and each child (Azurite, workers)
read_stack_file() {
  node -e '
    const s = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`url ${s.url}`);
    for (const pid of [s.pid, ...s.childPids]) console.log(`pid ${pid}`);
  ' "$stack_file" 2>/dev/null || true
}

# Healthy: GET /api/healthz answers 200 (storage reachable) and every worker the stack started is alive in
# /api/workers, so the first run triggered after start is picked up at once.
is_healthy() {
  node -e '
    const [url, workers] = process.argv.slice(1);
    const get = (path) => fetch(url + path).then((r) => (r.status === 200 ? r.json() : null));
    Promise.all([get("/api/healthz"), get("/api/workers")]).then(
      ([health, listed]) => {
        const alive = (listed?.workers ?? []).filter((w) => w.alive).length;
        process.exit(health && alive >= Number(workers) ? 0 : 1);
      },
      () => process.exit(1),
    );
  ' "$1" "$2"
}

start() {
  if [ -f "$pid_file" ] && group_alive "$(cat "$pid_file")"; then
    echo "ClouDO test environment already running (session $(cat "$pid_file")): make test-env-stop first"
    read_stack_file | sed -n 's/^url /  url  /p'
    return 0
  fi
  mkdir -p "$dir"
  # a stack.json left by a stack that was killed would be taken for the new one's
  rm -f "$pid_file" "$stack_file" "$dir/env"

  local started_ms launched
  started_ms=$(date +%s%3N)
  # setsid: a session (and process group) of its own, so closing this shell or Ctrl-C in it does not reach
  # the stack, and stop can signal the whole group. The shell writes its own pid before becoming npm, so the
  # pid file names the group leader whether or not setsid had to fork; written aside and renamed, so a
  # reader never sees the file empty.
  CLOUDO_STATE_DIR="$dir" \
    PORT="${PORT:-7071}" \
    CLOUDO_AZURITE_BLOB_PORT="${AZURITE_BLOB_PORT:-10000}" \
    CLOUDO_AZURITE_QUEUE_PORT="${AZURITE_QUEUE_PORT:-10001}" \
    CLOUDO_AZURITE_TABLE_PORT="${AZURITE_TABLE_PORT:-10002}" \
    setsid sh -c 'echo $$ > "$1.tmp" && mv "$1.tmp" "$1" && exec npm start' sh "$pid_file" >"$log_file" 2>&1 </dev/null &
  launched=$!

  local deadline url=""
  deadline=$(($(date +%s) + ${TEST_ENV_START_TIMEOUT_S:-120}))
  until [ -n "$url" ]; do
    # stack.json appears once the stack is up; its url is this stack's even if another one holds the port
    if [ -f "$pid_file" ] && [ -f "$stack_file" ]; then url=$(read_stack_file | sed -n 's/^url //p'); fi
    if [ -n "$url" ] && ! is_healthy "$url" "$(($(read_stack_file | grep -c '^pid ') - 2))"; then url=""; fi
    [ -n "$url" ] && break
    if [ -f "$pid_file" ] && ! group_alive "$(cat "$pid_file")"; then
      fail_start "the stack exited (a port in use? set PORT, AZURITE_BLOB_PORT/_QUEUE_PORT/_TABLE_PORT)"
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      fail_start "no healthy stack after ${TEST_ENV_START_TIMEOUT_S:-120} s (TEST_ENV_START_TIMEOUT_S)"
    fi
    sleep 0.2
  done

  printf "export CLOUDO_STATE_DIR='%s'\n" "$dir" >"$dir/env"
  echo "ClouDO test environment is up in $(($(date +%s%3N) - started_ms)) ms (session $(cat "$pid_file"))"
  echo "  console  $url/api/logs"
  echo "  trigger  curl -s '$url/api/Trigger?id=test'      (also test-2, test-3)"
  echo "  health   $url/api/healthz"
  echo "  log      $log_file"
  echo "  state    $dir   (. $dir/env points npm run cloudo at this stack)"
  echo "  stop     make test-env-stop"
}

fail_start() {
  echo "ClouDO test environment did not start: $1" >&2
  echo "--- $log_file" >&2
  tail -n 40 "$log_file" >&2 || true
  # not yet written: the background job is the session leader (setsid forks only for a group leader)
  [ -s "$pid_file" ] || echo "$launched" >"$pid_file"
  stop >&2 || true
  exit 1
}

stop() {
  if [ ! -f "$pid_file" ]; then
    echo "no $pid_file: nothing to stop"
    return 0
  fi
  local leader pids=() pid
  leader=$(cat "$pid_file")
  if ! group_alive "$leader"; then
    # the stack is gone; its children stop by themselves when it dies (README: "Quick start")
    echo "session $leader is not running: removing the stale pid file"
    rm -f "$pid_file" "$dir/env"
    return 0
  fi
  # read while the stack runs: its stack.json is current, and it removes the file as it stops
  while read -r pid; do pids+=("$pid"); done < <(read_stack_file | sed -n 's/^pid //p')

  # SIGTERM, as Ctrl-C: the stack stops the functions, then the workers (which record how their runs
  # ended), then Azurite, which saves its data
  kill -TERM -- "-$leader" 2>/dev/null || true
  local deadline running killed=""
  deadline=$(($(date +%s) + ${TEST_ENV_STOP_GRACE_S:-45}))
  while :; do
    running=""
    group_alive "$leader" && running=yes
    for pid in "${pids[@]}"; do pid_alive "$pid" && running=yes; done
    [ -z "$running" ] && break
    if [ "$(date +%s)" -ge "$deadline" ]; then
      if [ -n "$killed" ]; then
        echo "processes of session $leader survived SIGKILL (zombies waiting for their parent?)" >&2
        break
      fi
      echo "still running ${TEST_ENV_STOP_GRACE_S:-45} s after SIGTERM (TEST_ENV_STOP_GRACE_S): sending SIGKILL" >&2
      kill -KILL -- "-$leader" 2>/dev/null || true
      # Azurite and each worker lead a group of their own
      for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
      killed=yes
      deadline=$(($(date +%s) + 5))
    fi
    sleep 0.2
  done
  rm -f "$pid_file" "$dir/env"
  echo "ClouDO test environment (session $leader) stopped; data kept in $dir/azurite, log in $log_file"
}

case "${1:-}" in
start) start ;;
stop) stop ;;
*)
  echo "usage: $0 start|stop" >&2
  exit 2
  ;;
esac
