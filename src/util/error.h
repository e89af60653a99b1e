/*
 * error.h - one thread-local last error, set where a failure happens.
 *
 * Fallible functions return 0 or a negative PC_E* code and set a one-line,
 * lowercase message with pc_error_set(). Callers read it with pc_error_last().
 * Only src/cli prints it and maps codes to exit statuses.
 */
#ifndef PC_UTIL_ERROR_H
#define PC_UTIL_ERROR_H

enum pc_error_code {
	PC_OK = 0,
	PC_ERROR = -1,      /* generic failure */
	PC_ENOTFOUND = -2,  /* object does not exist (HTTP 404) */
	PC_EEXISTS = -3,    /* object already exists */
	PC_ECONFLICT = -4,  /* stale resource_version (HTTP 409) */
	PC_ELOCKED = -5,    /* lock held by another process */
	PC_EUSAGE = -6,     /* bad command line */
	PC_ETIMEOUT = -7,   /* operation or network timeout */
	PC_EAUTH = -8,      /* 401/403 */
	PC_EIO = -9,        /* file system */
	PC_EPARSE = -10,    /* could not parse input (SQL, YAML, JSON) */
	PC_EINVALID = -11,  /* input parsed but is invalid */
	PC_ETOOBIG = -12,   /* a capped buffer would overflow */
	PC_EHTTP = -13,     /* other HTTP failure (status in message) */
	PC_ENET = -14,      /* connection failure */
	PC_ECANCELED = -15, /* interrupted by a signal */
};

/* Set the last error of this thread; returns code so callers can
 * `return pc_error_set(PC_EIO, "could not read '%s': %s", p, strerror(errno));` */
int pc_error_set(int code, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* The last message of this thread ("" when none). Valid until the next set. */
const char *pc_error_last(void);

/* The code given with the last pc_error_set() of this thread (0 when none). */
int pc_error_last_code(void);

void pc_error_clear(void);

/*
 * The last error of one thread carried to another, as libgit2's
 * git_error_save()/git_error_restore(): a worker saves its error before it
 * ends, the thread that joins it restores it as its own.
 */
typedef struct pc_error_state {
	int code;
	char *message; /* owned, NULL when no error was saved */
} pc_error_state;

/* Move this thread's last error into *st (this thread's is cleared); returns its code. */
int pc_error_save(pc_error_state *st);
/* Make *st this thread's last error and release it; returns its code (0 when it held none). */
int pc_error_restore(pc_error_state *st);
/* Release a saved error that is not restored. */
void pc_error_state_free(pc_error_state *st);

/* Prefix the current message: "<prefix>: <old message>". Returns the code. */
int pc_error_wrap(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
