#!/bin/sh
# The demo, inside the guest: a consumer that binds a heap before it
# exists, and a producer that creates it.
set -e
echo "== rtheap demo: $(uname -r), module $(cat /sys/module/rtheap/version 2>/dev/null || echo loaded)"
rtheap-demo fifos
rtheap-demo consumer &
consumer=$!
sleep 1
rtheap-demo producer
wait "$consumer"
echo "== demo finished"
