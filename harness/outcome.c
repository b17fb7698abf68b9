/*
 * Declines and implementation failures (outcome.h, restab_impl.h).
 */
#include "outcome.h"

#include "restab_impl.h"

#include <stdio.h>
#include <string.h>

static struct {
    int declined;
    char reason[OUTCOME_REASON_MAX];
    int failed;
    impl_failure failure;
} pending;

/* Copies text into a buffer of size bytes, cut at a byte boundary, with
   control characters (a reason or message is one line) as spaces. */
static void keep(char *buf, size_t size, const char *text)
{
    size_t n = 0;
    for (; text != NULL && text[n] != '\0' && n + 1 < size; n++)
        buf[n] = (unsigned char)text[n] < 0x20 ? ' ' : text[n];
    buf[n] = '\0';
}

rt_status rt_decline(const char *reason)
{
    if (!pending.declined) {
        pending.declined = 1;
        keep(pending.reason, sizeof pending.reason, reason);
    }
    return RT_DECLINED;
}

void rt_impl_failed(const char *kind, const char *function,
                    const char *message)
{
    if (pending.failed)
        return;
    pending.failed = 1;
    keep(pending.failure.kind, sizeof pending.failure.kind, kind);
    keep(pending.failure.function, sizeof pending.failure.function, function);
    keep(pending.failure.message, sizeof pending.failure.message, message);
}

void outcome_clear(void)
{
    pending.declined = 0;
    pending.failed = 0;
}

int outcome_take_decline(char *reason, size_t size)
{
    int had = pending.declined;
    if (size > 0)
        keep(reason, size, had ? pending.reason : "");
    pending.declined = 0;
    return had;
}

int outcome_failed(void)
{
    return pending.failed;
}

int outcome_take_failure(impl_failure *f)
{
    int had = pending.failed;
    if (had)
        *f = pending.failure;
    pending.failed = 0;
    return had;
}
