#!/usr/bin/env bash
# kill -9 in the middle of an apply, then a rerun: it converges (after the
# dead holder's lock lapses), with one writer per table and nothing left over.
set -euo pipefail
source "$(dirname "$0")/apply_lib.sh"

start_emulator --ddl-ms 300 --pending-ms 800
write_project
interrupted=0
i=0
for delay in 0.4 1.3 2.2; do
	i=$((i + 1))
	# change three tables (stateless: replace-dml; stateful below them: rebuild) so there is work again
	table intermediates orders int_orders "CREATE TABLE int_orders (id INT, amount INT);" \
		"INSERT INTO int_orders SELECT id, amount FROM src_orders WHERE amount > $i;"
	table facts orders fct_totals "CREATE TABLE fct_totals (id INT, total INT, PRIMARY KEY (id) NOT ENFORCED);" \
		"INSERT INTO fct_totals SELECT id, SUM(amount) + $i FROM int_orders GROUP BY id;"
	table intermediates users int_users "CREATE TABLE int_users (uid INT, name STRING);" \
		"INSERT INTO int_users SELECT uid, name FROM src_users WHERE uid > $i;"
	"$PIPECTL" -C "$P" apply --auto-approve --lock-ttl 2s >"$T/bg.out" 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	grep -q "Apply complete" "$T/bg.out" || interrupted=$((interrupted + 1))
	run 0 apply --auto-approve --lock-ttl 2s --lock-timeout 30s
	for t in int_orders fct_big_orders fct_totals v_totals int_users; do
		[ "$(live_dmls "$t" | wc -l)" = 1 ] || fail "after kill -9 at ${delay}s: table $t has $(live_dmls "$t" | wc -l) live DMLs"
	done
	assert_running int_orders fct_big_orders fct_totals v_totals int_users
	run 0 apply --auto-approve
	grep -q "No changes" "$T/out" || fail "after kill -9 at ${delay}s the rerun did not converge"
done
[ "$interrupted" -ge 2 ] || fail "only $interrupted of 3 applies were killed before they ended"
echo "ok"
