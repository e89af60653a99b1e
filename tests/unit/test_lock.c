/*
 * test_lock.c - src/reconcile/lock.c against the real simulation (the local
 * target, providers/sim.h), seen through the thin wrapper of sim_provider.h
 * set to answer as strictly as Confluent does for the lock: a PUT is refused
 * (the lock statements are not DML) and so is a create with spec.stopped; a
 * label outside user.confluent.io/ is the simulation's own refusal. Faults the
 * simulation has no switch for (a statement stuck in DELETING, a 409 whose
 * statement then reads 404, an anchor that stays DELETING for a while after
 * its delete) are the wrapper's, injected by name.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "model/project.h"
#include "providers/provider.h"
#include "reconcile/lock.h"
#include "util/alloc.h"
#include "util/error.h"
#include "util/timeutil.h"
#include "sim_provider.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

/* The simulation as strict as Confluent is with the lock: no PUT, no spec.stopped on create. */
static sim_provider *strict_new(void)
{
	sim_provider *s = sim_provider_new(NULL);
	s->refuse_puts = 1;
	s->refuse_create_stopped = 1;
	return s;
}

/* Creates of the anchor (not of a heartbeat or a takeover statement). */
static int anchor_creates(sim_provider *s)
{
	int n = 0;
	pthread_mutex_lock(&s->mu);
	for (size_t i = 0; i < s->log.len; i++) {
		const char *l = s->log.items[i];
		if (strncmp(l, "create ", 7) == 0 && strstr(l, "-pipectl-") && !strstr(l, "-hb-") &&
		    !strstr(l, "-takeover-"))
			n++;
	}
	pthread_mutex_unlock(&s->mu);
	return n;
}

static pc_lock_opts opts(int64_t timeout_ms)
{
	pc_lock_opts o = { 0 };
	o.prefix = "dev";
	o.command = "apply";
	o.timeout_ms = timeout_ms;
	o.poll_ms = 20;
	o.heartbeat_ms = -1;
	return o;
}

/* The statements whose names are the lock's, in name order. */
static int lock_statements(sim_provider *s, char *names, size_t cap)
{
	pc_vec all = PC_VEC_INIT;
	int n = 0;
	names[0] = '\0';
	assert_int_equal(s->inner->ops->list_statements(s->inner, &all), 0);
	for (size_t i = 0; i < all.len; i++) {
		const pc_statement *st = all.items[i];
		if (pc_lock_is_lock_statement(st->name)) {
			n++;
			strncat(names, st->name, cap - strlen(names) - 2);
			strncat(names, " ", cap - strlen(names) - 1);
		}
	}
	pc_vec_dispose(&all, pc_statement_free);
	return n;
}

static char *sql_of(sim_provider *s, const char *name)
{
	pc_statement *st = NULL;
	char *v = NULL;
	if (s->inner->ops->get_statement(s->inner, name, &st) == 0)
		v = pc_strdup(st->sql);
	pc_statement_free(st);
	return v;
}

static long dead_pid(void)
{
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(0);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	return (long)pid;
}

/* An anchor left by another holder: host NULL = this host. */
static void put_anchor(sim_provider *s, const char *run, const char *host, long pid, int64_t ttl_ms)
{
	pc_lock_info h;
	pc_statement_spec spec = { 0 };
	pc_statement *st = NULL;
	char *sql;
	pc_lock_self(&h, run, "apply", ttl_ms);
	if (host) {
		free(h.host);
		h.host = pc_strdup(host);
	}
	h.pid = pid;
	h.start = 0;
	sql = pc_lock_sql("anchor", &h, 0, NULL);
	spec.name = "dev-pipectl-lock";
	spec.sql = sql;
	assert_int_equal(s->inner->ops->create_statement(s->inner, &spec, &st), 0);
	pc_statement_free(st);
	free(sql);
	pc_lock_info_dispose(&h);
}

static void test_lock_acquire__creates_an_anchor_naming_the_holder_without_put_or_stopped(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts o = opts(0);
	pc_lock *l = NULL;
	pc_lock_info i = { 0 };
	char *sql, pid[32], names[512];
	(void)state;

	assert_int_equal(pc_lock_acquire(&l, &s->base, &o), 0);
	sql = sql_of(s, "dev-pipectl-lock");
	assert_non_null(sql);
	assert_non_null(strstr(sql, "SHOW TABLES LIKE 'pipectl-lock "));
	assert_non_null(strstr(sql, pc_lock_holder(l)));
	snprintf(pid, sizeof pid, " pid=%ld ", (long)getpid());
	assert_non_null(strstr(sql, pid));
	assert_non_null(strstr(sql, " cmd=apply "));
	free(sql);
	assert_int_equal(pc_lock_inspect(&s->base, "dev", NULL, &i), 0);
	assert_string_equal(i.run, pc_lock_holder(l));
	assert_true(i.same_host);
	assert_int_equal(i.alive, 1);
	assert_true(i.since_ms > 1700000000000LL);
	assert_int_equal(i.ttl_ms, PC_LOCK_TTL_MS_DEFAULT);
	pc_lock_info_dispose(&i);

	assert_int_equal(pc_lock_release(l), 0);
	assert_int_equal(lock_statements(s, names, sizeof names), 0);
	assert_int_equal(s->puts, 0);
	assert_int_equal(s->refused, 0);
	sim_provider_free(s);
}

static void test_lock_acquire__second_holder_fails_at_once_naming_the_first(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0), b = opts(0);
	pc_lock *la = NULL, *lb = NULL;
	char *sql;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	b.command = "reconcile";
	assert_int_equal(pc_lock_acquire(&lb, &s->base, &b), PC_ELOCKED);
	assert_null(lb);
	assert_non_null(strstr(pc_error_last(), "locked by apply run "));
	assert_non_null(strstr(pc_error_last(), pc_lock_holder(la)));
	assert_non_null(strstr(pc_error_last(), "running) since 20"));
	assert_non_null(strstr(pc_error_last(), "'dev-pipectl-lock'"));
	sql = sql_of(s, "dev-pipectl-lock");
	assert_non_null(strstr(sql, pc_lock_holder(la))); /* the loser changed nothing */
	free(sql);
	assert_int_equal(pc_lock_release(la), 0);
	sim_provider_free(s);
}

static void test_lock_acquire__second_holder_times_out_after_waiting(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0), b = opts(300);
	pc_lock *la = NULL, *lb = NULL;
	int64_t t0;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	t0 = pc_mono_ms();
	assert_int_equal(pc_lock_acquire(&lb, &s->base, &b), PC_ELOCKED);
	assert_true(pc_mono_ms() - t0 >= 280);
	assert_true(anchor_creates(s) >= 4); /* retried while waiting */
	assert_int_equal(pc_lock_release(la), 0);
	sim_provider_free(s);
}

struct releaser {
	pc_lock *l;
	int after_ms;
};

static void *release_later(void *arg)
{
	struct releaser *r = arg;
	pc_sleep_ms(r->after_ms);
	pc_lock_release(r->l);
	return NULL;
}

static void test_lock_acquire__waiter_gets_the_lock_once_released(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0), b = opts(10000);
	pc_lock *la = NULL, *lb = NULL;
	pthread_t t;
	struct releaser r;
	char *sql;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	r.l = la;
	r.after_ms = 150;
	pthread_create(&t, NULL, release_later, &r);
	assert_int_equal(pc_lock_acquire(&lb, &s->base, &b), 0);
	pthread_join(t, NULL);
	sql = sql_of(s, "dev-pipectl-lock");
	assert_non_null(strstr(sql, pc_lock_holder(lb)));
	free(sql);
	assert_int_equal(pc_lock_release(lb), 0);
	sim_provider_free(s);
}

static void test_lock_acquire__dead_process_on_this_host_is_taken_over_at_once(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts o = opts(0);
	pc_lock *l = NULL;
	pc_lock_info i = { 0 };
	char names[512];
	(void)state;

	/* a kill -9'd apply: its TTL is an hour, but its pid is gone */
	put_anchor(s, "deadbeef0001", NULL, dead_pid(), 3600 * 1000);
	assert_int_equal(pc_lock_inspect(&s->base, "dev", NULL, &i), 0);
	assert_true(i.same_host);
	assert_int_equal(i.alive, 0);
	assert_true(pc_lock_info_lapsed(&i, pc_wall_ms()));
	pc_lock_info_dispose(&i);

	assert_int_equal(pc_lock_acquire(&l, &s->base, &o), 0);
	assert_int_equal(pc_lock_inspect(&s->base, "dev", NULL, &i), 0);
	assert_string_equal(i.run, pc_lock_holder(l));
	pc_lock_info_dispose(&i);
	assert_int_equal(pc_lock_release(l), 0);
	/* the takeover claim is cleaned up too */
	assert_int_equal(lock_statements(s, names, sizeof names), 0);
	sim_provider_free(s);
}

static void test_lock_acquire__takeover_waits_while_the_deleted_anchor_is_deleting(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts o = opts(0);
	pc_lock *l = NULL;
	int64_t t0;
	(void)state;

	/* a kill -9'd holder; deleting its anchor takes 6 s (DELETING meanwhile), longer than the 5 s grace */
	put_anchor(s, "deadbeef0004", NULL, dead_pid(), 3600 * 1000);
	s->linger_name = "dev-pipectl-lock";
	s->linger_ms = 6000;
	t0 = pc_mono_ms();
	assert_int_equal(pc_lock_acquire(&l, &s->base, &o), 0); /* --lock-timeout 0 all the same */
	assert_true(pc_mono_ms() - t0 >= 5900);
	assert_true(anchor_creates(s) <= 6000 / 20 + 3); /* polled, not hot */
	s->linger_ms = 0;
	assert_int_equal(pc_lock_release(l), 0);
	sim_provider_free(s);
}

static void test_lock_acquire__other_host_lapses_only_after_its_ttl(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts o = opts(0);
	pc_lock *l = NULL;
	(void)state;

	/* another host, alive as far as we can know: TTL 400 ms, judged by the server's created_at */
	put_anchor(s, "0ther0000001", "elsewhere", 1, 400);
	assert_int_equal(pc_lock_acquire(&l, &s->base, &o), PC_ELOCKED);
	assert_non_null(strstr(pc_error_last(), "on host elsewhere (pid 1)"));
	o.timeout_ms = 5000;
	assert_int_equal(pc_lock_acquire(&l, &s->base, &o), 0);
	assert_int_equal(pc_lock_release(l), 0);
	sim_provider_free(s);
}

struct racer {
	sim_provider *s;
	int rc;
	pc_lock *l;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	pc_lock_opts o = opts(0);
	r->rc = pc_lock_acquire(&r->l, &r->s->base, &o);
	return NULL;
}

static void test_lock_acquire__takeover_race_has_exactly_one_winner_whose_anchor_survives(void **state)
{
	(void)state;
	for (int round = 0; round < 4; round++) {
		sim_provider *s = strict_new();
		struct racer r[6];
		pthread_t t[6];
		int winners = 0, w = -1;
		char *sql;

		s->create_delay_ms = 5 + round * 5; /* widen the windows */
		put_anchor(s, "deadbeef0002", NULL, dead_pid(), 3600 * 1000);
		for (int i = 0; i < 6; i++) {
			r[i].s = s;
			r[i].l = NULL;
			pthread_create(&t[i], NULL, race, &r[i]);
		}
		for (int i = 0; i < 6; i++)
			pthread_join(t[i], NULL);
		for (int i = 0; i < 6; i++) {
			if (r[i].rc == 0) {
				winners++;
				w = i;
			} else {
				assert_int_equal(r[i].rc, PC_ELOCKED);
			}
		}
		assert_int_equal(winners, 1);
		sql = sql_of(s, "dev-pipectl-lock");
		assert_non_null(sql);
		assert_non_null(strstr(sql, pc_lock_holder(r[w].l))); /* nobody deleted the winner's anchor */
		free(sql);
		assert_int_equal(pc_lock_release(r[w].l), 0);
		sim_provider_free(s);
	}
}

static void test_lock_heartbeat__leases_keep_a_short_ttl_lock_alive_without_updates(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0), b = opts(0);
	pc_lock *la = NULL, *lb = NULL;
	pc_lock_info i = { 0 };
	char names[512];
	int64_t end;
	(void)state;

	a.ttl_ms = 1500;
	a.heartbeat_ms = 150;
	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	/* more than two TTLs later the lock still stands on its heartbeats */
	end = pc_mono_ms() + 3500;
	while (pc_mono_ms() < end) {
		int n = lock_statements(s, names, sizeof names);
		assert_true(n >= 1 && n <= 3); /* the anchor and at most two heartbeats */
		pc_sleep_ms(50);
	}
	assert_false(pc_lock_lost(la, NULL));
	assert_int_equal(pc_lock_inspect(&s->base, "dev", NULL, &i), 0);
	assert_true(i.beat_ms > i.since_ms + 2000);
	assert_false(pc_lock_info_lapsed(&i, pc_wall_ms()));
	pc_lock_info_dispose(&i);
	assert_int_equal(pc_lock_acquire(&lb, &s->base, &b), PC_ELOCKED);
	assert_int_equal(s->puts, 0);
	assert_int_equal(s->refused, 0);
	assert_int_equal(pc_lock_release(la), 0);
	assert_int_equal(lock_statements(s, names, sizeof names), 0);
	sim_provider_free(s);
}

static void test_lock_heartbeat__a_holder_whose_lock_was_broken_notices_and_leaves_the_new_one(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0), b = opts(0);
	pc_lock *la = NULL, *lb = NULL;
	pc_lock_info i = { 0 };
	const char *why = NULL;
	char *sql;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	assert_int_equal(pc_lock_break(&s->base, "dev", NULL, 1, &i), 0);
	assert_string_equal(i.run, pc_lock_holder(la));
	pc_lock_info_dispose(&i);
	assert_int_equal(pc_lock_acquire(&lb, &s->base, &b), 0);
	assert_int_equal(pc_lock_renew(la), PC_ELOCKED);
	assert_true(pc_lock_lost(la, &why));
	assert_non_null(strstr(why, pc_lock_holder(lb)));
	assert_int_equal(pc_lock_release(la), 0);
	sql = sql_of(s, "dev-pipectl-lock");
	assert_non_null(strstr(sql, pc_lock_holder(lb)));
	free(sql);
	assert_int_equal(pc_lock_release(lb), 0);
	sim_provider_free(s);
}

static void test_lock_renew__recreates_an_anchor_the_service_deleted(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0);
	pc_lock *l = NULL;
	char *sql;
	(void)state;

	assert_int_equal(pc_lock_acquire(&l, &s->base, &a), 0);
	assert_int_equal(s->inner->ops->delete_statement(s->inner, "dev-pipectl-lock"), 0);
	assert_int_equal(pc_lock_renew(l), 0);
	assert_false(pc_lock_lost(l, NULL));
	sql = sql_of(s, "dev-pipectl-lock");
	assert_non_null(strstr(sql, pc_lock_holder(l)));
	free(sql);
	assert_int_equal(pc_lock_release(l), 0);
	sim_provider_free(s);
}

struct acquirer {
	sim_provider *s;
	int rc;
	pc_lock *l;
	int64_t done_wall;
};

static void *acquire_now(void *arg)
{
	struct acquirer *a = arg;
	pc_lock_opts o = opts(0);
	a->rc = pc_lock_acquire(&a->l, &a->s->base, &o);
	a->done_wall = pc_wall_ms();
	return NULL;
}

static void test_lock_acquire__waits_out_the_live_heartbeats_of_a_holder_whose_anchor_vanished(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0);
	pc_lock *la = NULL;
	pc_lock_info i = { 0 };
	struct acquirer b = { 0 };
	pthread_t t;
	(void)state;

	a.ttl_ms = 900;
	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	assert_int_equal(pc_lock_renew(la), 0); /* a heartbeat */
	assert_int_equal(pc_lock_inspect(&s->base, "dev", NULL, &i), 0);
	/* the service deletes the anchor (30 days on): B creates one, while A still runs */
	assert_int_equal(s->inner->ops->delete_statement(s->inner, "dev-pipectl-lock"), 0);
	b.s = s;
	pthread_create(&t, NULL, acquire_now, &b);
	/* once B's anchor stands, A's next heartbeat finds it: A stops */
	for (int64_t end = pc_mono_ms() + 30000; pc_mono_ms() < end; pc_sleep_ms(10)) {
		char *sql = sql_of(s, "dev-pipectl-lock");
		int there = sql != NULL;
		free(sql);
		if (there)
			break;
	}
	assert_int_equal(pc_lock_renew(la), PC_ELOCKED);
	assert_true(pc_lock_lost(la, NULL));
	pthread_join(t, NULL);
	assert_int_equal(b.rc, 0);
	/* B went on only once A's last heartbeat had lapsed */
	assert_true(b.done_wall >= i.beat_ms + 900);
	pc_lock_info_dispose(&i);
	assert_int_equal(pc_lock_release(la), 0);
	assert_int_equal(pc_lock_release(b.l), 0);
	sim_provider_free(s);
}

static void test_lock_acquire__409_then_404_is_bounded_and_sleeps(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts o = opts(0);
	pc_lock *l = NULL;
	int64_t t0 = pc_mono_ms();
	(void)state;

	s->ghost = "dev-pipectl-lock";
	assert_int_equal(pc_lock_acquire(&l, &s->base, &o), PC_ELOCKED);
	assert_non_null(strstr(pc_error_last(), "taken and released"));
	assert_true(anchor_creates(s) <= 22);
	assert_true(pc_mono_ms() - t0 >= 20 * 190);
	sim_provider_free(s);
}

static void test_lock_acquire__anchor_in_deleting_is_a_clear_error_without_a_hot_loop(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts o = opts(0);
	pc_lock *l = NULL;
	int64_t t0 = pc_mono_ms();
	(void)state;

	put_anchor(s, "de1e7ed00001", "elsewhere", 7, 3600 * 1000);
	s->deleting = "dev-pipectl-lock";
	assert_int_equal(pc_lock_acquire(&l, &s->base, &o), PC_ELOCKED);
	assert_non_null(strstr(pc_error_last(), "still being deleted (phase DELETING)"));
	assert_null(strchr(pc_error_last(), '\n'));
	assert_true(pc_mono_ms() - t0 >= 4500);
	assert_true(anchor_creates(s) <= 5000 / 20 + 2);
	sim_provider_free(s);
}

static void test_lock_acquire__cancel_flag_stops_waiting(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0), b = opts(60000);
	pc_lock *la = NULL, *lb = NULL;
	volatile sig_atomic_t cancel = 1;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	b.cancel = &cancel;
	assert_int_equal(pc_lock_acquire(&lb, &s->base, &b), PC_ECANCELED);
	assert_int_equal(pc_lock_release(la), 0);
	sim_provider_free(s);
}

static void test_lock_break__refuses_a_live_holder_without_force_and_ends_a_dead_one(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0);
	pc_lock *la = NULL;
	pc_lock_info i = { 0 };
	char names[512];
	(void)state;

	assert_int_equal(pc_lock_break(&s->base, "dev", NULL, 0, &i), PC_ENOTFOUND);
	pc_lock_info_dispose(&i);
	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	assert_int_equal(pc_lock_break(&s->base, "dev", NULL, 0, &i), PC_ELOCKED);
	assert_non_null(strstr(pc_error_last(), "is running on this host"));
	assert_string_equal(i.run, pc_lock_holder(la));
	pc_lock_info_dispose(&i);
	assert_int_equal(pc_lock_release(la), 0);

	put_anchor(s, "deadbeef0003", NULL, dead_pid(), 3600 * 1000);
	assert_int_equal(pc_lock_break(&s->base, "dev", NULL, 0, &i), 0);
	assert_string_equal(i.run, "deadbeef0003");
	assert_int_equal(i.alive, 0);
	pc_lock_info_dispose(&i);
	assert_int_equal(lock_statements(s, names, sizeof names), 0);
	sim_provider_free(s);
}

static void test_lock_kinds__leader_and_lock_are_independent(void **state)
{
	sim_provider *s = strict_new();
	pc_lock_opts a = opts(0), b = opts(0);
	pc_lock *la = NULL, *lb = NULL;
	(void)state;

	b.kind = "leader";
	assert_int_equal(pc_lock_acquire(&la, &s->base, &a), 0);
	assert_int_equal(pc_lock_acquire(&lb, &s->base, &b), 0);
	{
		char *sql = sql_of(s, "dev-pipectl-leader");
		assert_non_null(sql);
		assert_non_null(strstr(sql, pc_lock_holder(lb)));
		free(sql);
	}
	assert_int_equal(pc_lock_release(la), 0);
	assert_int_equal(pc_lock_release(lb), 0);
	sim_provider_free(s);
}

static void test_lock_name__every_lock_statement_is_recognised_and_none_is_managed(void **state)
{
	char *n = pc_lock_statement_name("prod");
	(void)state;
	assert_string_equal(n, "prod-pipectl-lock");
	assert_true(pc_lock_is_lock_statement(n));
	assert_true(pc_lock_is_lock_statement("prod-pipectl-lock-hb-2"));
	assert_true(pc_lock_is_lock_statement("prod-pipectl-lock-takeover-0123456789ab-1"));
	assert_true(pc_lock_is_lock_statement("prod-pipectl-leader"));
	assert_true(pc_lock_is_lock_statement("prod-pipectl-leader-hb-0"));
	assert_false(pc_lock_is_lock_statement("prod-pc-dml-orders-0123abcd"));
	assert_false(pc_lock_is_lock_statement("-pipectl-lock"));
	assert_false(pc_lock_is_lock_statement("prod-pipectl-locksmith"));
	free(n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_acquire__creates_an_anchor_naming_the_holder_without_put_or_stopped),
		cmocka_unit_test(test_lock_acquire__second_holder_fails_at_once_naming_the_first),
		cmocka_unit_test(test_lock_acquire__second_holder_times_out_after_waiting),
		cmocka_unit_test(test_lock_acquire__waiter_gets_the_lock_once_released),
		cmocka_unit_test(test_lock_acquire__dead_process_on_this_host_is_taken_over_at_once),
		cmocka_unit_test(test_lock_acquire__takeover_waits_while_the_deleted_anchor_is_deleting),
		cmocka_unit_test(test_lock_acquire__other_host_lapses_only_after_its_ttl),
		cmocka_unit_test(test_lock_acquire__takeover_race_has_exactly_one_winner_whose_anchor_survives),
		cmocka_unit_test(test_lock_heartbeat__leases_keep_a_short_ttl_lock_alive_without_updates),
		cmocka_unit_test(test_lock_heartbeat__a_holder_whose_lock_was_broken_notices_and_leaves_the_new_one),
		cmocka_unit_test(test_lock_renew__recreates_an_anchor_the_service_deleted),
		cmocka_unit_test(test_lock_acquire__waits_out_the_live_heartbeats_of_a_holder_whose_anchor_vanished),
		cmocka_unit_test(test_lock_acquire__409_then_404_is_bounded_and_sleeps),
		cmocka_unit_test(test_lock_acquire__anchor_in_deleting_is_a_clear_error_without_a_hot_loop),
		cmocka_unit_test(test_lock_acquire__cancel_flag_stops_waiting),
		cmocka_unit_test(test_lock_break__refuses_a_live_holder_without_force_and_ends_a_dead_one),
		cmocka_unit_test(test_lock_kinds__leader_and_lock_are_independent),
		cmocka_unit_test(test_lock_name__every_lock_statement_is_recognised_and_none_is_managed),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
