#!/usr/bin/env bash
# Seconds from `npm start` to a board served to a logged-in admin. Usage: bench/start-time.sh [DATA_DIR] [PORT]
# A fresh DATA_DIR measures a first start (initdb, migrations, bootstrap); run it twice for a restart.
set -u
dir=${1:-$(mktemp -d)}; port=${2:-3999}
cd "$(dirname "$0")/.."
start=$(date +%s.%N)
setsid env DATA_DIR=$dir PORT=$port ADMIN_PASSWORD=admin-password-1 LOG_LEVEL=warn npm start > /tmp/leadline-start-time.log 2>&1 &
pid=$!
until tok=$(curl -sf -X POST "localhost:$port/api/auth/login" -H 'content-type: application/json' -d '{"email":"admin@leadline.local","password":"admin-password-1"}' | sed -E 's/.*"token":"([^"]+)".*/\1/') && [ -n "$tok" ] && curl -sf "localhost:$port/api/pipeline/board" -H "authorization: Bearer $tok" | grep -q '"columns"'; do
  kill -0 $pid 2>/dev/null || { echo "npm start exited; see /tmp/leadline-start-time.log"; exit 1; }
  sleep 0.1
done
end=$(date +%s.%N)
echo "usable board after $(echo "$end - $start" | bc) s (data: $dir)"
# Ctrl-C as a terminal would send it: to the whole process group of this start only.
kill -INT -- -$pid; wait $pid 2>/dev/null
exit 0
