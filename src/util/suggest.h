/*
 * suggest.h - "did you mean" for a mistyped command, option, table,
 * product or layer: the closest candidate by edit distance.
 */
#ifndef PC_UTIL_SUGGEST_H
#define PC_UTIL_SUGGEST_H

#include <stddef.h>

/*
 * The candidate closest to word (optimal string alignment distance, case
 * sensitive), when it is close enough to be a typo: at most 1 edit for
 * words up to 4 characters, 2 up to 8, else 3. NULL when none is. The
 * result is borrowed from candidates.
 */
const char *pc_suggest(const char *word, const char *const *candidates, size_t n);

/*
 * The option of usage text (every "--name" and "-x" in it) closest to
 * word, as pc_suggest; written to out (size n), "" when none.
 */
void pc_suggest_option(const char *word, const char *usage, char *out, size_t n);

#endif
