/*
 * Reading inputs from files and directories: one reader and one walker for
 * every tool, target driver and test, so they all see the same files.
 */
#ifndef RESTAB_HARNESS_FILES_H
#define RESTAB_HARNESS_FILES_H

#include <stddef.h>

/*
 * Reads a whole file ("-": standard input). Returns the bytes (malloc'ed,
 * with a NUL after the last one that *size does not count), or NULL with a
 * sentence naming the file in err: it does not exist, is a directory,
 * cannot be read, or memory ran out.
 */
char *files_read(const char *path, size_t *size, char *err, size_t err_size);

/* Called for each file of a walk; nonzero stops the walk. */
typedef int (*files_visit_fn)(const char *path, void *user);

/*
 * Visits path itself when it is a file, else every file below it,
 * recursively and in name order (byte order of the names within each
 * directory), skipping names that start with '.' and the companion files
 * of a corpus folder (.md, .dict, .options, .expected). Returns 0 after
 * the whole walk, the first nonzero visit() result, or -1 with a sentence
 * in err when a path cannot be opened.
 */
int files_walk(const char *path, files_visit_fn visit, void *user, char *err,
               size_t err_size);

/* 1 when name ends with suffix. */
int files_has_suffix(const char *name, const char *suffix);

#endif /* RESTAB_HARNESS_FILES_H */
