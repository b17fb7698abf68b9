/*
 * Reading inputs from files and directories (files.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "files.h"

#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int files_has_suffix(const char *name, const char *suffix)
{
    size_t n = strlen(name), k = strlen(suffix);
    return n >= k && strcmp(name + n - k, suffix) == 0;
}

char *files_read(const char *path, size_t *size, char *err, size_t err_size)
{
    int is_stdin = strcmp(path, "-") == 0;
    struct stat st;
    if (!is_stdin && stat(path, &st) == 0 && S_ISDIR(st.st_mode)) {
        snprintf(err, err_size, "'%s' is a directory, not a file", path);
        return NULL;
    }
    FILE *f = is_stdin ? stdin : fopen(path, "rb");
    if (f == NULL) {
        snprintf(err, err_size, "cannot open '%s': %s", path, strerror(errno));
        return NULL;
    }
    size_t cap = 4096, len = 0;
    char *buf = malloc(cap);
    while (buf != NULL) {
        len += fread(buf + len, 1, cap - 1 - len, f);
        if (len < cap - 1)
            break;
        char *grown = cap > SIZE_MAX / 2 ? NULL : realloc(buf, cap * 2);
        if (grown == NULL) {
            free(buf);
            buf = NULL;
            break;
        }
        buf = grown;
        cap *= 2;
    }
    int failed = buf == NULL || ferror(f);
    if (failed)
        snprintf(err, err_size, "cannot read '%s': %s", path,
                 buf == NULL ? "out of memory" : strerror(errno));
    if (!is_stdin)
        fclose(f);
    if (failed) {
        free(buf);
        return NULL;
    }
    buf[len] = '\0';
    *size = len;
    return buf;
}

static int skipped(const char *name)
{
    return name[0] == '.' || files_has_suffix(name, ".md") ||
           files_has_suffix(name, ".dict") ||
           files_has_suffix(name, ".options") ||
           files_has_suffix(name, ".expected");
}

static int compare_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk_dir(const char *path, files_visit_fn visit, void *user,
                    char *err, size_t err_size)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        snprintf(err, err_size, "cannot open directory '%s': %s", path,
                 strerror(errno));
        return -1;
    }
    char **names = NULL;
    size_t count = 0, cap = 0;
    int status = 0;
    const struct dirent *entry;
    while (status == 0 && (entry = readdir(dir)) != NULL) {
        if (skipped(entry->d_name))
            continue;
        if (count == cap) {
            cap = cap ? cap * 2 : 64;
            char **grown = realloc(names, cap * sizeof *names);
            if (grown == NULL) {
                status = -1;
                break;
            }
            names = grown;
        }
        size_t len = strlen(path) + strlen(entry->d_name) + 2;
        if ((names[count] = malloc(len)) == NULL) {
            status = -1;
            break;
        }
        snprintf(names[count], len, "%s/%s", path, entry->d_name);
        count++;
    }
    closedir(dir);
    if (status != 0)
        snprintf(err, err_size, "out of memory listing '%s'", path);
    if (count > 0)
        qsort(names, count, sizeof *names, compare_names);
    for (size_t i = 0; i < count; i++) {
        if (status == 0)
            status = files_walk(names[i], visit, user, err, err_size);
        free(names[i]);
    }
    free(names);
    return status;
}

int files_walk(const char *path, files_visit_fn visit, void *user, char *err,
               size_t err_size)
{
    struct stat st;
    if (stat(path, &st) != 0) {
        snprintf(err, err_size, "cannot open '%s': %s", path, strerror(errno));
        return -1;
    }
    if (S_ISDIR(st.st_mode))
        return walk_dir(path, visit, user, err, err_size);
    return visit(path, user);
}
