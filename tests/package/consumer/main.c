/*
 * A consumer of the installed restab package: creates a table set, adds an
 * own handle, reads its rep back, drops it, and prints "restab consumer: ok".
 */
#include <restab.h>

#include <stdio.h>
#include <string.h>

static int failures;

static void check(int ok, const char *what)
{
    if (!ok) {
        fprintf(stderr, "consumer: FAILED: %s\n", what);
        failures++;
    }
}

int main(void)
{
    static const uint32_t type_instance[] = {0};
    restab_config cfg;
    restab_config_init(&cfg);
    cfg.instances = 1;
    cfg.types = 1;
    cfg.type_instance = type_instance;
    restab_tables *t = NULL;
    if (restab_create(&cfg, &t) != RESTAB_OK) {
        fprintf(stderr, "consumer: restab_create failed\n");
        return 1;
    }
    uint32_t handle = 0, rep = 0;
    check(restab_resource_new(t, 0, 1234, &handle) == RESTAB_OK, "new");
    check(handle == 1, "new gives handle 1");
    check(restab_resource_rep(t, 0, handle, &rep) == RESTAB_OK, "rep");
    check(rep == 1234, "rep gives 1234");
    check(restab_resource_rep(t, 0, 2, &rep) == RESTAB_UNKNOWN_HANDLE,
          "rep of handle 2 is unknown-handle");
    check(strcmp(restab_status_name(RESTAB_WRONG_TYPE), "wrong-type") == 0,
          "status name");
    restab_dropped dropped = {0, 0};
    check(restab_resource_drop(t, 0, handle, &dropped) == RESTAB_OK, "drop");
    check(dropped.destructor_due == 1 && dropped.rep == 1234,
          "drop reports the destructor and rep");
    check(restab_check(t, NULL, 0) == 0, "restab_check");
    restab_destroy(t);
    if (failures != 0)
        return 1;
    printf("restab consumer: ok\n");
    return 0;
}
