/*
 * Declines and known divergences, counted (tally.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "tally.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TALLY_KEYS 64
#define TALLY_KEY_MAX 96

typedef struct entry {
    char what[16];
    char key[TALLY_KEY_MAX];
    unsigned long count;
} entry;

static struct {
    unsigned long inputs;
    entry entries[TALLY_KEYS + 2]; /* and one "(other)" per kind */
    size_t len;
    int dir_read;        /* $RESTAB_TALLY_DIR looked up */
    char path[512];      /* this process's file, "" without the variable */
    double last_write;
    int at_exit;
} tally;

void tally_input(void)
{
    tally.inputs++;
}

static entry *find(const char *what, const char *key)
{
    for (size_t i = 0; i < tally.len; i++) {
        if (strcmp(tally.entries[i].what, what) == 0 &&
            strcmp(tally.entries[i].key, key) == 0)
            return &tally.entries[i];
    }
    return NULL;
}

/* The entry of (what, key), made with a count of 0 when it is new; past
   TALLY_KEYS keys, the kind's "(other)". */
static entry *entry_of(const char *what, const char *key)
{
    char k[TALLY_KEY_MAX];
    snprintf(k, sizeof k, "%s", key);
    entry *e = find(what, k);
    if (e == NULL && tally.len >= TALLY_KEYS) {
        snprintf(k, sizeof k, "(other)");
        e = find(what, k);
    }
    if (e == NULL) {
        e = &tally.entries[tally.len++];
        snprintf(e->what, sizeof e->what, "%s", what);
        snprintf(e->key, sizeof e->key, "%s", k);
        e->count = 0;
    }
    return e;
}

void tally_add(const char *what, const char *key)
{
    entry_of(what, key)->count++;
}

void tally_declare(const char *what, const char *key)
{
    (void)entry_of(what, key);
}

unsigned long tally_inputs(void)
{
    return tally.inputs;
}

unsigned long tally_count(const char *what)
{
    unsigned long n = 0;
    for (size_t i = 0; i < tally.len; i++) {
        if (strcmp(tally.entries[i].what, what) == 0)
            n += tally.entries[i].count;
    }
    return n;
}

unsigned long tally_count_key(const char *what, const char *key)
{
    const entry *e = find(what, key);
    return e != NULL ? e->count : 0;
}

void tally_print(FILE *out, const char *what, const char *indent)
{
    int printed[TALLY_KEYS + 2] = {0};
    for (;;) {
        size_t best = tally.len;
        for (size_t i = 0; i < tally.len; i++) {
            if (!printed[i] && strcmp(tally.entries[i].what, what) == 0 &&
                (best == tally.len ||
                 tally.entries[i].count > tally.entries[best].count))
                best = i;
        }
        if (best == tally.len)
            return;
        printed[best] = 1;
        fprintf(out, "%s%lu x %s\n", indent, tally.entries[best].count,
                tally.entries[best].key);
    }
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void flush_at_exit(void)
{
    tally_flush(1);
}

void tally_flush(int force)
{
    if (!tally.dir_read) {
        tally.dir_read = 1;
        const char *dir = getenv("RESTAB_TALLY_DIR");
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        if (dir != NULL && dir[0] != '\0')
            snprintf(tally.path, sizeof tally.path, "%s/tally-%ld-%ld%09ld.txt",
                     dir, (long)getpid(), (long)ts.tv_sec, (long)ts.tv_nsec);
    }
    if (tally.path[0] == '\0')
        return;
    if (!tally.at_exit) {
        tally.at_exit = 1;
        atexit(flush_at_exit);
    }
    double t = now();
    if (!force && t - tally.last_write < 1.0)
        return;
    tally.last_write = t;
    char tmp[520];
    snprintf(tmp, sizeof tmp, "%s.tmp", tally.path);
    FILE *f = fopen(tmp, "w");
    if (f == NULL)
        return; /* counts are a report, never a reason to stop fuzzing */
    fprintf(f, "inputs %lu\n", tally.inputs);
    for (size_t i = 0; i < tally.len; i++)
        fprintf(f, "%s %lu %s\n", tally.entries[i].what, tally.entries[i].count,
                tally.entries[i].key);
    if (fclose(f) == 0)
        rename(tmp, tally.path);
}
