/*
 * Counts of inputs that ended without a failure but were not compared to
 * their end: declines, by reason (rt_decline), and known divergences, by
 * entry name (known.h). An implementation that declines everything must be
 * seen, never silently clean, so every tool that runs inputs reports them:
 * the replay tool prints them, and fuzz targets write them to a file in
 * $RESTAB_TALLY_DIR (scripts/fuzz sets it and sums the files in its
 * summary).
 *
 * The file: one line "inputs N", then a line "WHAT N KEY" per key, WHAT
 * "declined" or "known", KEY the rest of the line. Each process writes its
 * own file (tally-PID-NANOSECONDS.txt), rewritten at most once a second and
 * at exit.
 */
#ifndef RESTAB_HARNESS_TALLY_H
#define RESTAB_HARNESS_TALLY_H

#include <stdio.h>

#define TALLY_DECLINED "declined"
#define TALLY_KNOWN "known"

/* One more input ran. */
void tally_input(void);

/* One more input ended as `what` (TALLY_DECLINED, TALLY_KNOWN) for `key`
   (the reason, the entry's name). Past 64 distinct keys, the rest count
   under "(other)". */
void tally_add(const char *what, const char *key);

/* Lists `key` under `what` with a count of 0 until it is added (a known
   divergence that no input has hit yet is listed as unseen). */
void tally_declare(const char *what, const char *key);

/* The number of inputs counted, and of those counted as `what`. */
unsigned long tally_inputs(void);
unsigned long tally_count(const char *what);
/* The count of one key of `what`. */
unsigned long tally_count_key(const char *what, const char *key);

/* Writes the counts of `what` for people: "N x KEY" lines, each after
   `indent`, most frequent first. */
void tally_print(FILE *out, const char *what, const char *indent);

/* With $RESTAB_TALLY_DIR set, rewrites this process's file when a second
   has passed since the last write (or always, with force); registers a
   forced write at exit the first time. Does nothing without it. */
void tally_flush(int force);

#endif /* RESTAB_HARNESS_TALLY_H */
