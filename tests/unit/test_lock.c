/* Unit tests for src/reconcile/lock.c against the in-memory fake provider. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "fake_provider.h"
#include "reconcile/lock.h"

#include <inttypes.h>

static pc_lock_opts opts_for(const char *holder, int64_t timeout_ms)
{
	pc_lock_opts o = { 0 };
	o.prefix = "dev";
	o.holder = holder;
	o.timeout_ms = timeout_ms;
	o.poll_ms = 20;
	o.heartbeat_ms = -1;
	return o;
}

static char *label_of(fake_provider *f, const char *name, const char *key)
{
	pc_statement *st = NULL;
	char *v = NULL;
	if (f->base.ops->get_statement(&f->base, name, &st) == 0)
		v = pc_strdup(pc_kv_get(&st->labels, key));
	pc_statement_free(st);
	return v;
}

/* A lock left by a dead holder: expires in the past. */
static void put_expired_lock(fake_provider *f, const char *holder)
{
	pc_kvlist labels = PC_VEC_INIT;
	pc_kv_set(&labels, PC_LOCK_LABEL_HOLDER, holder);
	pc_kv_set(&labels, PC_LOCK_LABEL_SINCE, "1000");
	pc_kv_set(&labels, PC_LOCK_LABEL_EXPIRES, "1300");
	fake_put(f, "dev-pipectl-lock", PC_LOCK_SQL, "STOPPED", 1, &labels);
	pc_kv_dispose(&labels);
}

static void test_lock_acquire__creates_a_stopped_statement_with_holder_labels(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts o = opts_for("ci-1", 0);
	pc_lock *l = NULL;
	pc_statement *st = NULL;
	int64_t since, expires;
	(void)state;

	assert_int_equal(pc_lock_acquire(&l, &f->base, &o), 0);
	assert_string_equal(pc_lock_holder(l), "ci-1");
	assert_int_equal(f->base.ops->get_statement(&f->base, "dev-pipectl-lock", &st), 0);
	assert_true(st->stopped);
	assert_string_equal(st->sql, PC_LOCK_SQL);
	assert_string_equal(pc_kv_get(&st->labels, PC_LOCK_LABEL_HOLDER), "ci-1");
	since = atoll(pc_kv_get(&st->labels, PC_LOCK_LABEL_SINCE));
	expires = atoll(pc_kv_get(&st->labels, PC_LOCK_LABEL_EXPIRES));
	assert_true(since > 1700000000);
	assert_int_equal(expires - since, PC_LOCK_TTL_MS_DEFAULT / 1000);
	pc_statement_free(st);

	assert_int_equal(pc_lock_release(l), 0);
	assert_int_equal(fake_count(f, "delete dev-pipectl-lock"), 1);
	assert_null(fake_phase(f, "dev-pipectl-lock"));
	fake_free(&f->base);
}

static void test_lock_acquire__second_holder_fails_at_once_with_holder_and_time(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts a = opts_for("runner-a", 0), b = opts_for("runner-b", 0);
	pc_lock *la = NULL, *lb = NULL;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &f->base, &a), 0);
	assert_int_equal(pc_lock_acquire(&lb, &f->base, &b), PC_ELOCKED);
	assert_null(lb);
	assert_non_null(strstr(pc_error_last(), "locked by runner-a since 20"));
	assert_non_null(strstr(pc_error_last(), "dev-pipectl-lock"));
	/* the loser changed nothing */
	char *h = label_of(f, "dev-pipectl-lock", PC_LOCK_LABEL_HOLDER);
	assert_string_equal(h, "runner-a");
	free(h);
	assert_int_equal(pc_lock_release(la), 0);
	fake_free(&f->base);
}

static void test_lock_acquire__second_holder_times_out_after_waiting(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts a = opts_for("runner-a", 0), b = opts_for("runner-b", 300);
	pc_lock *la = NULL, *lb = NULL;
	int64_t t0;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &f->base, &a), 0);
	t0 = pc_mono_ms();
	assert_int_equal(pc_lock_acquire(&lb, &f->base, &b), PC_ELOCKED);
	assert_true(pc_mono_ms() - t0 >= 280);
	assert_true(fake_count(f, "create dev-pipectl-lock") >= 3); /* it retried while waiting */
	assert_int_equal(pc_lock_release(la), 0);
	fake_free(&f->base);
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
	fake_provider *f = fake_new();
	pc_lock_opts a = opts_for("runner-a", 0), b = opts_for("runner-b", 5000);
	pc_lock *la = NULL, *lb = NULL;
	struct releaser r;
	pthread_t th;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &f->base, &a), 0);
	r.l = la;
	r.after_ms = 150;
	pthread_create(&th, NULL, release_later, &r);
	assert_int_equal(pc_lock_acquire(&lb, &f->base, &b), 0);
	pthread_join(th, NULL);
	char *h = label_of(f, "dev-pipectl-lock", PC_LOCK_LABEL_HOLDER);
	assert_string_equal(h, "runner-b");
	free(h);
	assert_int_equal(pc_lock_release(lb), 0);
	fake_free(&f->base);
}

static void test_lock_acquire__expired_lock_of_a_dead_holder_is_taken_over(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts o = opts_for("runner-new", 0);
	pc_lock *l = NULL;
	char *h, *since;
	(void)state;

	put_expired_lock(f, "runner-dead");
	assert_int_equal(pc_lock_acquire(&l, &f->base, &o), 0);
	h = label_of(f, "dev-pipectl-lock", PC_LOCK_LABEL_HOLDER);
	since = label_of(f, "dev-pipectl-lock", PC_LOCK_LABEL_SINCE);
	assert_string_equal(h, "runner-new");
	assert_true(atoll(since) > 1700000000);
	assert_int_equal(fake_count(f, "update dev-pipectl-lock"), 1);
	free(h);
	free(since);
	assert_int_equal(pc_lock_release(l), 0);
	fake_free(&f->base);
}

struct racer {
	fake_provider *f;
	char holder[32];
	pc_lock *l;
	int rc;
};

static void *race(void *arg)
{
	struct racer *r = arg;
	pc_lock_opts o = opts_for(r->holder, 0);
	r->rc = pc_lock_acquire(&r->l, &r->f->base, &o);
	return NULL;
}

static void test_lock_acquire__expiry_takeover_race_has_exactly_one_winner(void **state)
{
	enum { N = 6 };
	fake_provider *f = fake_new();
	struct racer r[N];
	pthread_t th[N];
	int winners = 0, w = -1;
	char *h;
	(void)state;

	put_expired_lock(f, "runner-dead");
	f->call_sleep_ms = 30; /* every PUT is slow: all racers read the old version first */
	for (int i = 0; i < N; i++) {
		r[i].f = f;
		snprintf(r[i].holder, sizeof r[i].holder, "racer-%d", i);
		r[i].l = NULL;
		pthread_create(&th[i], NULL, race, &r[i]);
	}
	for (int i = 0; i < N; i++)
		pthread_join(th[i], NULL);
	for (int i = 0; i < N; i++) {
		if (r[i].rc == 0) {
			winners++;
			w = i;
		} else {
			assert_int_equal(r[i].rc, PC_ELOCKED);
		}
	}
	assert_int_equal(winners, 1);
	h = label_of(f, "dev-pipectl-lock", PC_LOCK_LABEL_HOLDER);
	assert_string_equal(h, r[w].holder);
	free(h);
	f->call_sleep_ms = 0;
	assert_int_equal(pc_lock_release(r[w].l), 0);
	fake_free(&f->base);
}

static void test_lock_heartbeat__renews_expiry_while_held(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts o = opts_for("runner-a", 0);
	pc_lock *l = NULL;
	(void)state;

	o.heartbeat_ms = 40;
	assert_int_equal(pc_lock_acquire(&l, &f->base, &o), 0);
	pc_sleep_ms(300);
	assert_true(fake_count(f, "update dev-pipectl-lock") >= 3);
	assert_false(pc_lock_lost(l, NULL));
	assert_int_equal(pc_lock_release(l), 0);
	/* no renewal after release */
	int n = fake_count(f, "update dev-pipectl-lock");
	pc_sleep_ms(100);
	assert_int_equal(fake_count(f, "update dev-pipectl-lock"), n);
	fake_free(&f->base);
}

static void test_lock_heartbeat__notices_a_takeover_and_release_leaves_the_new_holder(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts o = opts_for("runner-a", 0);
	pc_lock *l = NULL;
	pc_statement *st = NULL;
	const char *why = NULL;
	int64_t t0;
	(void)state;

	o.heartbeat_ms = 30;
	assert_int_equal(pc_lock_acquire(&l, &f->base, &o), 0);
	/* somebody else (who wrongly judged it expired) takes it */
	assert_int_equal(f->base.ops->get_statement(&f->base, "dev-pipectl-lock", &st), 0);
	pc_kv_set(&st->labels, PC_LOCK_LABEL_HOLDER, "runner-b");
	while (f->base.ops->update_statement(&f->base, st) == PC_ECONFLICT) {
		pc_statement_free(st);
		assert_int_equal(f->base.ops->get_statement(&f->base, "dev-pipectl-lock", &st), 0);
		pc_kv_set(&st->labels, PC_LOCK_LABEL_HOLDER, "runner-b");
	}
	pc_statement_free(st);
	t0 = pc_mono_ms();
	while (!pc_lock_lost(l, &why) && pc_mono_ms() - t0 < 2000)
		pc_sleep_ms(10);
	assert_true(pc_lock_lost(l, &why));
	assert_non_null(strstr(why, "runner-b"));
	assert_int_equal(pc_lock_release(l), 0);
	assert_int_equal(fake_count(f, "delete dev-pipectl-lock"), 0);
	char *h = label_of(f, "dev-pipectl-lock", PC_LOCK_LABEL_HOLDER);
	assert_string_equal(h, "runner-b");
	free(h);
	fake_free(&f->base);
}

static void test_lock_renew__recreates_a_lock_statement_deleted_under_us(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts o = opts_for("runner-a", 0);
	pc_lock *l = NULL;
	(void)state;

	assert_int_equal(pc_lock_acquire(&l, &f->base, &o), 0);
	assert_int_equal(f->base.ops->delete_statement(&f->base, "dev-pipectl-lock"), 0);
	assert_int_equal(pc_lock_renew(l), 0);
	assert_false(pc_lock_lost(l, NULL));
	char *h = label_of(f, "dev-pipectl-lock", PC_LOCK_LABEL_HOLDER);
	assert_string_equal(h, "runner-a");
	free(h);
	assert_int_equal(pc_lock_release(l), 0);
	fake_free(&f->base);
}

static void test_lock_acquire__cancel_flag_stops_waiting(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts a = opts_for("runner-a", 0), b = opts_for("runner-b", 60000);
	pc_lock *la = NULL, *lb = NULL;
	volatile sig_atomic_t cancel = 1;
	(void)state;

	assert_int_equal(pc_lock_acquire(&la, &f->base, &a), 0);
	b.cancel = &cancel;
	assert_int_equal(pc_lock_acquire(&lb, &f->base, &b), PC_ECANCELED);
	assert_int_equal(pc_lock_release(la), 0);
	fake_free(&f->base);
}

static void test_lock_name__is_recognised_as_the_lock_statement(void **state)
{
	char *n = pc_lock_statement_name("prod");
	(void)state;
	assert_string_equal(n, "prod-pipectl-lock");
	assert_true(pc_lock_is_lock_statement(n));
	assert_false(pc_lock_is_lock_statement("prod-dml-orders"));
	assert_false(pc_lock_is_lock_statement("-pipectl-lock"));
	free(n);
}

static void test_lock_holder__default_is_a_lowercase_label_safe_slug(void **state)
{
	fake_provider *f = fake_new();
	pc_lock_opts o = opts_for(NULL, 0);
	pc_lock *l = NULL;
	char pid[32];
	(void)state;

	assert_int_equal(pc_lock_acquire(&l, &f->base, &o), 0);
	snprintf(pid, sizeof pid, "-%ld-", (long)getpid());
	assert_non_null(strstr(pc_lock_holder(l), pid));
	for (const char *c = pc_lock_holder(l); *c; c++)
		assert_true(islower((unsigned char)*c) || isdigit((unsigned char)*c) || *c == '-' || *c == '.');
	assert_int_equal(pc_lock_release(l), 0);
	fake_free(&f->base);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_acquire__creates_a_stopped_statement_with_holder_labels),
		cmocka_unit_test(test_lock_acquire__second_holder_fails_at_once_with_holder_and_time),
		cmocka_unit_test(test_lock_acquire__second_holder_times_out_after_waiting),
		cmocka_unit_test(test_lock_acquire__waiter_gets_the_lock_once_released),
		cmocka_unit_test(test_lock_acquire__expired_lock_of_a_dead_holder_is_taken_over),
		cmocka_unit_test(test_lock_acquire__expiry_takeover_race_has_exactly_one_winner),
		cmocka_unit_test(test_lock_heartbeat__renews_expiry_while_held),
		cmocka_unit_test(test_lock_heartbeat__notices_a_takeover_and_release_leaves_the_new_holder),
		cmocka_unit_test(test_lock_renew__recreates_a_lock_statement_deleted_under_us),
		cmocka_unit_test(test_lock_acquire__cancel_flag_stops_waiting),
		cmocka_unit_test(test_lock_name__is_recognised_as_the_lock_statement),
		cmocka_unit_test(test_lock_holder__default_is_a_lowercase_label_safe_slug),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
