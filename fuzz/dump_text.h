/*
 * restab_dump's text, gathered into one string, and the small scanners the
 * targets that check it share (api_probe.c on reachable states,
 * target_corrupt.c on broken ones).
 */
#ifndef RESTAB_FUZZ_DUMP_TEXT_H
#define RESTAB_FUZZ_DUMP_TEXT_H

#include <stddef.h>
#include <stdint.h>

typedef struct dump_text {
    char *text; /* NUL-terminated; NULL until something is written */
    size_t len;
    size_t cap;
    int failed; /* out of memory: the text is incomplete */
} dump_text;

/* A restab_write_fn: appends to the dump_text `user` points at. */
void dump_text_gather(void *user, const char *text, size_t len);

/* Frees the text and empties d. */
void dump_text_free(dump_text *d);

/* 1 when text starts with prefix. */
int dump_text_starts_with(const char *text, const char *prefix);

/*
 * Finds the next line, from *at on, that starts with `want`, and moves *at
 * just past the matched text. A hand-written scan: the dump is walked once
 * in all (strstr would rescan the rest of it on every call under ASan).
 * 0, or -1 when no line matches.
 */
int dump_text_find_line(const char **at, const char *want);

/* Formats the text expected at *at into want (size bytes); 0 and *at moved
   past it when the dump has it there, else -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int dump_text_expect(const char **at, char *want, size_t size,
                     const char *fmt, ...);

/* Reads a decimal number at *at (at most UINT32_MAX) and moves past it;
   0, or -1 when there is none. */
int dump_text_number(const char **at, uint32_t *value);

#endif /* RESTAB_FUZZ_DUMP_TEXT_H */
