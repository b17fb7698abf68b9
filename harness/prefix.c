/*
 * Input prefixes and their directives (prefix.h).
 */
#include "prefix.h"

#include <stdio.h>
#include <string.h>

prefix_kind prefix_of_target(const char *target_kind)
{
    if (strcmp(target_kind, "oom") == 0)
        return PREFIX_FAIL_AT;
    if (strcmp(target_kind, "corrupt") == 0)
        return PREFIX_CORRUPT;
    return PREFIX_NONE;
}

size_t prefix_read(prefix_kind kind, const prefix_names *names,
                   const uint8_t *data, size_t size, program *p)
{
    switch (kind) {
    case PREFIX_NONE:
        return 0;
    case PREFIX_FAIL_AT:
        p->has_fail_at = 1;
        p->fail_at = 0;
        if (size < 2)
            return 0;
        p->fail_at = (uint32_t)data[0] | (uint32_t)data[1] << 8;
        return 2;
    case PREFIX_CORRUPT:
        if (size < 2 || names->count == 0)
            return SIZE_MAX;
        p->has_corrupt = 1;
        snprintf(p->corrupt, sizeof p->corrupt, "%s",
                 names->names[data[0] % names->count]);
        p->corrupt_victim = data[1];
        return 2;
    }
    return 0;
}

int prefix_write(prefix_kind kind, const prefix_names *names, const program *p,
                 uint8_t out[2], char *err, size_t err_size)
{
    switch (kind) {
    case PREFIX_NONE:
        return 0;
    case PREFIX_FAIL_AT:
        if (!p->has_fail_at) {
            snprintf(err, err_size, "it has no 'fail_at N' directive");
            return -1;
        }
        out[0] = (uint8_t)(p->fail_at & 0xFFu);
        out[1] = (uint8_t)(p->fail_at >> 8);
        return 2;
    case PREFIX_CORRUPT:
        if (!p->has_corrupt) {
            snprintf(err, err_size, "it has no 'corrupt NAME VICTIM' directive");
            return -1;
        }
        for (size_t i = 0; i < names->count && i < 256; i++) {
            if (strcmp(names->names[i], p->corrupt) == 0) {
                out[0] = (uint8_t)i;
                out[1] = (uint8_t)p->corrupt_victim;
                return 2;
            }
        }
        snprintf(err, err_size, "unknown corruption '%s'", p->corrupt);
        return -1;
    }
    return 0;
}
