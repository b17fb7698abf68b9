/*
 * Running one input differentially (run.h).
 */
#define _POSIX_C_SOURCE 200809L /* open_memstream */

#include "run.h"

#include "decode.h"
#include "files.h"
#include "signature.h"
#include "tally.h"

#include <stdlib.h>
#include <string.h>

run_options run_defaults(const rt_impl *sut, const rt_impl *model)
{
    run_options opt;
    memset(&opt, 0, sizeof opt);
    opt.sut = sut;
    opt.model = model;
    opt.report = stderr;
    return opt;
}

/* The run's last check, before diff_end frees the states: the
   implementation's final_check, reported like diff's reports (kept in
   d->deferred when they are). */
static int finish(diff *d, const run_options *opt, int status)
{
    if (status != 0 || !opt->final_check || opt->sut->final_check == NULL ||
        d->sut_self == NULL)
        return status;
    char msg[256];
    msg[0] = '\0';
    if (opt->sut->final_check(d->sut_self, msg, sizeof msg) == 0)
        return 0;
    char slug[96];
    signature_slug(msg, 8, slug, sizeof slug);
    snprintf(d->signature, sizeof d->signature, "%s end final-check:%s",
             d->target != NULL ? d->target : "ops",
             slug[0] != '\0' ? slug : "failed");
    d->no_rerun = 1;
    char *text = NULL;
    size_t len = 0;
    FILE *out = d->defer_report ? open_memstream(&text, &len) : opt->report;
    if (out != NULL) {
        fprintf(out, "==== restab harness: %s's final check: %s ====\n%s%s%s"
                SIGNATURE_PREFIX "%s\n",
                opt->sut->name, msg,
                opt->input != NULL ? "input: " : "",
                opt->input != NULL ? opt->input : "",
                opt->input != NULL ? "\n" : "", d->signature);
        if (out != opt->report) {
            fclose(out);
            free(d->deferred);
            d->deferred = text;
        }
    }
    return -1;
}

/* Counts the input that ran, and its decline (tally.h). */
static void counted(const diff *d, const run_options *opt)
{
    tally_input();
    if (d->declined)
        tally_add(TALLY_DECLINED, d->decline_reason);
    if (opt->outcome != NULL)
        opt->outcome->declined = d->declined;
    tally_flush(0);
}

static void start(diff *d, const run_options *opt)
{
    if (opt->outcome != NULL)
        memset(opt->outcome, 0, sizeof *opt->outcome);
    d->input = opt->input;
    d->replay_tool = opt->replay_tool;
    d->report = opt->report;
    d->trace = opt->trace;
    d->alloc_failures = opt->alloc_failures;
    /* The allocation-failure target is the one that counts failures. */
    d->target = opt->target != NULL       ? opt->target
                : opt->alloc_failures != NULL ? "oom"
                                              : "ops";
    /* Set by the replay tool's --signature for its child (signature.h). */
    d->announce = getenv("RESTAB_ANNOUNCE_STEPS") != NULL ? stderr : NULL;
    d->every_step = 0;
    d->synchronous = 0;
    /* Kept until it is known whether a rerun names the failure better
       (settle); allocation-failure runs cannot be rerun as they were. */
    d->defer_report = opt->report != NULL && opt->alloc_failures == NULL;
    d->deferred = NULL;
}

/* Reruns the first `steps` operations of p synchronously, comparing
   everything and running both checkers after every step. 0 when it passes;
   else -1, with its report in *text (malloc'd) and its signature in sig. */
static int rerun_every_step(const program *p, size_t steps,
                            const run_options *opt, char **text, char *sig)
{
    program upto = *p; /* shallow: the configuration and operations shared */
    upto.len = steps < p->len ? steps : p->len;
    diff d;
    start(&d, opt);
    d.trace = NULL; /* the first run traced these steps already */
    d.every_step = 1;
    d.synchronous = 1;
    int status = diff_begin(&d, opt->sut, opt->model, &upto, NULL, opt->alloc,
                            opt->alloc_user);
    for (size_t i = 0; status == 0 && i < upto.len; i++) {
        op_result model_result;
        status = diff_step(&d, &upto.ops[i], &model_result);
    }
    if (diff_end(&d) != 0)
        status = -1;
    *text = d.deferred;
    snprintf(sig, SIGNATURE_MAX, "%s", d.signature);
    return status < 0 ? -1 : 0;
}

/*
 * Settles a run that failed: which failure it is, and its report. A
 * difference seen while the checks followed the comparison schedule
 * (harness/diff.h) may show only steps after it arose, and how late
 * depends on the state's size; so it is rerun synchronously with
 * everything compared after every step, and that rerun's report, which
 * names the step where the difference first arose, is the input's (one
 * cause keeps one signature). A run that compared everything and checked
 * after every step up to its failure, the implementation's own failures,
 * its final check and results-only implementations keep the first report. A failure
 * whose signature is a known divergence (opt->known) is counted, without a
 * report. Returns 0 when the run passes after all (it was known), else -1.
 */
static int settle(diff *d, const run_options *opt, const program *p)
{
    char *text = d->deferred;
    d->deferred = NULL;
    char sig[SIGNATURE_MAX];
    snprintf(sig, sizeof sig, "%s", d->signature);
    int rerun = !d->no_rerun && d->partial &&
                (d->sut_caps & (RT_CAN_OBSERVE | RT_CAN_CHECK)) != 0;
    int reproduced = 0;
    if (rerun) {
        char *again = NULL;
        char again_sig[SIGNATURE_MAX];
        reproduced = rerun_every_step(p, d->steps, opt, &again, again_sig) != 0;
        if (reproduced) {
            free(text);
            text = again;
            snprintf(sig, sizeof sig, "%s", again_sig);
        } else {
            free(again);
        }
    }
    const known_entry *known = known_match(opt->known, sig);
    if (opt->outcome != NULL) {
        opt->outcome->failed = 1;
        snprintf(opt->outcome->signature, sizeof opt->outcome->signature, "%s", sig);
        opt->outcome->known = known;
    }
    if (known != NULL) {
        tally_add(TALLY_KNOWN, known->name);
        free(text);
        return 0;
    }
    if (text != NULL) {
        fputs(text, opt->report);
        if (rerun && !reproduced)
            fprintf(opt->report,
                    "note: rerun with everything compared after every step, "
                    "this input passed: %s does not behave the same on every "
                    "run\n",
                    opt->sut->name);
        fflush(opt->report);
        free(text);
    }
    return -1;
}

rt_semantics run_profile(const rt_impl *sut, rt_semantics want)
{
    const rt_impl_ext *ext = diff_extensions(sut);
    unsigned profiles = ext != NULL && ext->profiles != NULL ? ext->profiles() : 0;
    if (profiles == 0)
        profiles = sut->profiles;
    profiles &= (1u << RT_SEMANTICS_COUNT) - 1u;
    if (profiles == 0)
        profiles = 1u << RT_SEMANTICS_WASMTIME35;
    if (profiles & (1u << want))
        return want;
    if (profiles & (1u << RT_SEMANTICS_WASMTIME35))
        return RT_SEMANTICS_WASMTIME35;
    rt_semantics s = RT_SEMANTICS_WASMTIME35;
    while (!(profiles & (1u << s)))
        s++;
    return s;
}

int run_bytes(const uint8_t *data, size_t size, const run_options *opt)
{
    program p;
    program_init(&p);
    decoder dec;
    int status = decoder_begin(&dec, data, size, &p);
    p.has_fail_at = opt->has_fail_at;
    p.fail_at = opt->fail_at;
    p.semantics = run_profile(opt->sut, p.semantics);
    if (status == 0) {
        diff d;
        start(&d, opt);
        status = diff_begin(&d, opt->sut, opt->model, &p, &p, opt->alloc,
                            opt->alloc_user);
        if (status == 0) {
            op o;
            op_result model_result;
            while (status == 0 &&
                   decoder_next(&dec, d.model, diff_decoder_model(&d), &o)) {
                for (uint32_t k = 0; status == 0 && k < op_times(&o); k++) {
                    op one = op_repetition(&o, k);
                    status = diff_queue(&d, &one, &model_result);
                    if (status == 0)
                        decoder_observe(&dec, &one, &model_result);
                }
            }
            if (status == 0)
                status = diff_flush(&d);
        }
        status = finish(&d, opt, status);
        if (diff_end(&d) != 0)
            status = -1;
        status = status > 0 ? 0 : status;
        if (status < 0)
            status = settle(&d, opt, &p);
        counted(&d, opt);
    }
    decoder_end(&dec);
    program_free(&p);
    return status;
}

/* The script is its own record: reports quote its first steps; one with a
   repeat is recorded as it runs, one operation a step. A script of a
   profile the implementation lacks runs in the default one, as byte inputs
   do (a shallow copy: the configuration is shared, never freed here). */
int run_script(const program *script, const run_options *opt)
{
    program in_profile = *script;
    in_profile.semantics = run_profile(opt->sut, script->semantics);
    program *record = NULL;
    for (size_t i = 0; record == NULL && i < script->len; i++) {
        if (op_times(&script->ops[i]) > 1)
            record = &in_profile;
    }
    const op *ops = script->ops;
    size_t len = script->len;
    if (record != NULL) {
        in_profile.ops = NULL;
        in_profile.len = 0;
        in_profile.cap = 0;
    }
    diff d;
    start(&d, opt);
    int status = diff_begin(&d, opt->sut, opt->model, &in_profile, record,
                            opt->alloc, opt->alloc_user);
    for (size_t i = 0; status == 0 && i < len; i++) {
        for (uint32_t k = 0; status == 0 && k < op_times(&ops[i]); k++) {
            op one = op_repetition(&ops[i], k);
            op_result model_result;
            status = diff_queue(&d, &one, &model_result);
        }
    }
    if (status == 0)
        status = diff_flush(&d);
    status = finish(&d, opt, status);
    if (diff_end(&d) != 0)
        status = -1;
    if (status < 0)
        status = settle(&d, opt, &in_profile);
    counted(&d, opt);
    if (record != NULL)
        free(in_profile.ops);
    return status > 0 ? 0 : status;
}

int run_known_resolve(known_list *k, const run_options *opt, char *err,
                      size_t err_size)
{
    run_options quiet = *opt;
    run_outcome outcome;
    quiet.report = NULL;
    quiet.trace = NULL;
    quiet.known = NULL;
    quiet.outcome = &outcome;
    quiet.input = NULL;
    for (size_t i = 0; i < k->len; i++) {
        known_entry *e = &k->entries[i];
        if (e->nsignatures > 0 || e->script == NULL)
            continue;
        size_t size = 0;
        char read_err[512];
        char *text = files_read(e->script, &size, read_err, sizeof read_err);
        if (text == NULL) {
            snprintf(err, err_size, "%s:%lu: entry '%s': %s", k->path, e->line,
                     e->name, read_err);
            return -1;
        }
        program p;
        program_init(&p);
        char parse_err[512];
        int status = program_parse(text, size, e->script, &p, parse_err,
                                   sizeof parse_err);
        free(text);
        if (status != 0) {
            snprintf(err, err_size, "%s:%lu: entry '%s': %s", k->path, e->line,
                     e->name, parse_err);
            return -1;
        }
        (void)run_script(&p, &quiet);
        program_free(&p);
        e->resolved = 1;
        if (outcome.failed)
            snprintf(e->signatures[e->nsignatures++], SIGNATURE_MAX, "%s",
                     outcome.signature);
    }
    return 0;
}

int run_known_env(const run_options *opt, const known_list **out, char *err,
                  size_t err_size)
{
    static known_list list;
    static int loaded; /* 1 loaded, -1 failed */
    static char saved_err[600];
    const char *path = getenv("RESTAB_KNOWN");
    *out = NULL;
    if (path == NULL || path[0] == '\0')
        return 0;
    if (loaded == 0) {
        loaded = known_load(path, &list, saved_err, sizeof saved_err) == 0 &&
                         run_known_resolve(&list, opt, saved_err,
                                           sizeof saved_err) == 0
                     ? 1
                     : -1;
        for (size_t i = 0; loaded == 1 && i < list.len; i++)
            tally_declare(TALLY_KNOWN, list.entries[i].name);
    }
    if (loaded < 0) {
        snprintf(err, err_size, "%s", saved_err);
        return -1;
    }
    *out = &list;
    return 0;
}
