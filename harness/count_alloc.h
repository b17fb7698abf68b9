/*
 * The counting allocator: an allocation hook (restab_impl.h's rt_alloc_fn,
 * restab's restab_alloc_fn) over the C allocator that counts calls and live
 * blocks and bytes, checks the old_size it is given, and can fail one
 * chosen call or every request above a size. The oom targets, the unit
 * tests and the memory benchmark all use this one.
 */
#ifndef RESTAB_HARNESS_COUNT_ALLOC_H
#define RESTAB_HARNESS_COUNT_ALLOC_H

#include <stddef.h>

typedef struct count_alloc {
    unsigned long calls;    /* allocations and resizes (new_size > 0) */
    unsigned long fail_at;  /* the call that fails (1: the first); 0: none */
    size_t max_size;        /* requests above it fail; 0: no cap */
    unsigned long failures; /* calls that failed */
    size_t live_bytes;
    size_t live_blocks;
    unsigned long bad_size; /* frees and resizes of a block whose old_size
                               was not its size (with zero_for_new, also
                               allocations whose old_size was not 0) */
    int zero_for_new;       /* 1: a NULL ptr must come with old_size 0, as
                               restab's allocator contract says (lua_Alloc
                               lets others pass anything there) */
} count_alloc;

/* A count_alloc with nothing counted, failing nothing. */
count_alloc count_alloc_make(unsigned long fail_at, size_t max_size);

/* The hook; `user` is the count_alloc. */
void *count_alloc_fn(void *user, void *ptr, size_t old_size, size_t new_size);

#endif /* RESTAB_HARNESS_COUNT_ALLOC_H */
