/*
 * The edges of restab_create's configuration checks: the largest accepted
 * instance and type counts pass validation (and then fail to allocate, with
 * an allocator that refuses large blocks), the next ones up are rejected
 * before anything is read or allocated. The fuzz targets cannot reach these
 * sizes; scripts/mutation found the checks otherwise untested.
 */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS, MAP_NORESERVE */

#include "count_alloc.h"
#include "test_support.h"

#include <stdlib.h>
#include <sys/mman.h>

/* The C allocator for blocks up to 1 MiB; larger requests fail. */
#define SMALL_BLOCKS ((size_t)1 << 20)

static restab_status create(uint32_t instances, uint32_t types,
                            const uint32_t *type_instance, count_alloc *a)
{
    restab_config cfg;
    restab_config_init(&cfg);
    cfg.instances = instances;
    cfg.types = types;
    cfg.type_instance = type_instance;
    cfg.alloc = count_alloc_fn;
    cfg.alloc_user = a;
    restab_tables *t = NULL;
    restab_status status = restab_create(&cfg, &t);
    if (status == RESTAB_OK)
        restab_destroy(t);
    return status;
}

/* instances: UINT32_MAX - 2 is valid (its tables do not fit in memory). */
static void test_instance_count_edge(void)
{
    count_alloc a = count_alloc_make(0, SMALL_BLOCKS);
    CHECK_STATUS(create(UINT32_MAX - 2, 0, NULL, &a), RESTAB_OUT_OF_MEMORY);
    CHECK_EQ(a.failures, 1);
    CHECK_EQ(a.live_blocks, 0);
    a = count_alloc_make(0, SMALL_BLOCKS);
    CHECK_STATUS(create(UINT32_MAX - 1, 0, NULL, &a), RESTAB_INVALID_ARGUMENT);
    CHECK_STATUS(create(UINT32_MAX, 0, NULL, &a), RESTAB_INVALID_ARGUMENT);
    CHECK_EQ(a.failures, 0);
    CHECK_EQ(a.live_blocks, 0);
}

/*
 * types: RESTAB_MAX_TYPES is valid, one more is not. The type map is
 * RESTAB_MAX_TYPES + 1 zeros (every type in instance 0) in untouched
 * anonymous memory, so it costs address space, not memory.
 */
static void test_type_count_edge(void)
{
    size_t size = ((size_t)RESTAB_MAX_TYPES + 1) * sizeof(uint32_t);
    void *map = mmap(NULL, size, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                     -1, 0);
    if (map == MAP_FAILED) {
        CHECK(map != MAP_FAILED);
        return;
    }
    const uint32_t *zeros = map;
    count_alloc a = count_alloc_make(0, SMALL_BLOCKS);
    CHECK_STATUS(create(1, RESTAB_MAX_TYPES + 1, zeros, &a), RESTAB_INVALID_ARGUMENT);
    CHECK_EQ(a.failures, 0);
    CHECK_STATUS(create(1, RESTAB_MAX_TYPES, zeros, &a), RESTAB_OUT_OF_MEMORY);
    CHECK_EQ(a.failures, 1);
    CHECK_EQ(a.live_blocks, 0);
    munmap(map, size);
}

int main(void)
{
    test_instance_count_edge();
    test_type_count_edge();
    return tst_finish("test_config");
}
