/*
 * Text written through a callback (restab_dump, program_print), gathered
 * into one growing string, and the small scanners that check restab_dump's
 * text (api_probe.c on reachable states, target_corrupt.c on broken ones).
 */
#ifndef RESTAB_FUZZ_TEXT_BUFFER_H
#define RESTAB_FUZZ_TEXT_BUFFER_H

#include <stddef.h>
#include <stdint.h>

typedef struct text_buffer {
    char *text; /* NUL-terminated; NULL until something is written */
    size_t len;
    size_t cap;
    int failed; /* out of memory: the text is incomplete */
} text_buffer;

/* A restab_write_fn and program_print sink: appends to the text_buffer
   `user` points at (start from {NULL, 0, 0, 0}). */
void text_buffer_append(void *user, const char *text, size_t len);

/* A restab_write_fn and program_print sink that writes to the FILE * `user`
   points at. */
void text_write_file(void *user, const char *text, size_t len);

/* Frees the text and empties b. */
void text_buffer_free(text_buffer *b);

/* 1 when text starts with prefix. */
int text_starts_with(const char *text, const char *prefix);

/*
 * Finds the next line, from *at on, that starts with `want`, and moves *at
 * just past the matched text. A hand-written scan: the dump is walked once
 * in all (strstr would rescan the rest of it on every call under ASan).
 * 0, or -1 when no line matches.
 */
int text_find_line(const char **at, const char *want);

/* Formats the text expected at *at into want (size bytes); 0 and *at moved
   past it when the dump has it there, else -1. */
#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
int text_expect(const char **at, char *want, size_t size,
                     const char *fmt, ...);

/* Reads a decimal number at *at (at most UINT32_MAX) and moves past it;
   0, or -1 when there is none. */
int text_number(const char **at, uint32_t *value);

#endif /* RESTAB_FUZZ_TEXT_BUFFER_H */
