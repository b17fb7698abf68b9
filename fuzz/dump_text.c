/*
 * Gathering and scanning restab_dump's text (dump_text.h).
 */
#include "dump_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void dump_text_gather(void *user, const char *text, size_t len)
{
    dump_text *d = user;
    if (d->failed)
        return;
    if (d->len + len + 1 > d->cap) {
        size_t cap = (d->len + len + 1) * 2;
        char *grown = realloc(d->text, cap);
        if (grown == NULL) {
            d->failed = 1;
            return;
        }
        d->text = grown;
        d->cap = cap;
    }
    memcpy(d->text + d->len, text, len);
    d->len += len;
    d->text[d->len] = '\0';
}

void dump_text_free(dump_text *d)
{
    free(d->text);
    memset(d, 0, sizeof *d);
}

int dump_text_starts_with(const char *text, const char *prefix)
{
    while (*prefix != '\0') {
        if (*text++ != *prefix++)
            return 0;
    }
    return 1;
}

int dump_text_find_line(const char **at, const char *want)
{
    for (const char *p = *at;;) {
        if (dump_text_starts_with(p, want)) {
            *at = p + strlen(want);
            return 0;
        }
        while (*p != '\0' && *p != '\n')
            p++;
        if (*p == '\0')
            return -1;
        p++;
    }
}

int dump_text_expect(const char **at, char *want, size_t size, const char *fmt,
                     ...)
{
    va_list args;
    va_start(args, fmt);
    vsnprintf(want, size, fmt, args);
    va_end(args);
    if (!dump_text_starts_with(*at, want))
        return -1;
    *at += strlen(want);
    return 0;
}

int dump_text_number(const char **at, uint32_t *value)
{
    const char *p = *at;
    uint64_t n = 0;
    if (*p < '0' || *p > '9')
        return -1;
    while (*p >= '0' && *p <= '9') {
        n = n * 10 + (uint64_t)(*p - '0');
        if (n > UINT32_MAX)
            return -1;
        p++;
    }
    *value = (uint32_t)n;
    *at = p;
    return 0;
}
