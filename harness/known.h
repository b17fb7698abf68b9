/*
 * Known divergences: a file that lists an implementation's divergences
 * that are understood, so that fuzzing and replays go on past them and
 * only new ones fail (scripts/fuzz --known FILE, scripts/replay --known
 * FILE; docs/triage.md, "Known divergences"). The format, line by line:
 *
 *     # comments and blank lines are ignored
 *     known NAME                      an entry; NAME: [a-z0-9-]+, unique
 *       signature TARGET OP KIND      its crash signature (fuzz/FORMAT.md);
 *                                     several lines for a cause that shows
 *                                     in several operations
 *       script PATH                   its minimal reproducer, relative to
 *                                     the file's folder
 *       what ONE LINE                 what it is (required)
 *       where TEXT                    where it is reported or fixed
 *
 * Field lines are indented and belong to the entry above them; each field
 * but signature at most once; at least one of signature and script. An entry with a
 * script and no signature gets the signature its script fails with, on the
 * implementation under test (run.h, run_known_resolve); one whose script
 * passes matches nothing (it is listed as unseen).
 */
#ifndef RESTAB_HARNESS_KNOWN_H
#define RESTAB_HARNESS_KNOWN_H

#include "signature.h"

#include <stddef.h>

#define KNOWN_NAME_MAX 48
/* The most signature lines of one entry. */
#define KNOWN_SIGNATURES 8

typedef struct known_entry {
    char name[KNOWN_NAME_MAX];
    char signatures[KNOWN_SIGNATURES][SIGNATURE_MAX];
    size_t nsignatures;            /* 0 when it has none (yet) */
    char *script;                  /* the script's path, or NULL */
    char *what;
    char *where;                   /* or NULL */
    unsigned long line;            /* its `known` line in the file */
    int resolved;                  /* the signature came from the script */
} known_entry;

typedef struct known_list {
    char *path;
    known_entry *entries;
    size_t len;
} known_list;

/* Parses the file at path into *k. 0, or -1 with "FILE:LINE: reason" in
   err (and *k empty). */
int known_load(const char *path, known_list *k, char *err, size_t err_size);

void known_free(known_list *k);

/* The entry whose signature is sig, or NULL. */
const known_entry *known_match(const known_list *k, const char *sig);

#endif /* RESTAB_HARNESS_KNOWN_H */
