/*
 * The corruptions restab_corrupt plants (fuzz/target_corrupt.c), by name:
 * the `corrupt NAME VICTIM` directive of its .ops inputs names one, and its
 * byte inputs give its index in this list (harness/prefix.h). Add new ones
 * at the end: a binary seed keeps its meaning, a script keeps its name.
 */
#ifndef RESTAB_FUZZ_CORRUPTIONS_H
#define RESTAB_FUZZ_CORRUPTIONS_H

#include "prefix.h"

/* X(NAME, "name", what it does). */
#define CORRUPT_MAP(X)                                                         \
    X(KIND_UNKNOWN, "kind-unknown", "a slot's kind bits become 3")            \
    X(LIVE_TO_FREE, "live-to-free", "a live slot's kind becomes free")         \
    X(FREE_SELF, "free-self", "a free slot's next points at itself")           \
    X(FREE_TO_LIVE, "free-to-live", "a free-list link points at a live slot")  \
    X(FREE_PAST_END, "free-past-end", "a free-list link points past the end")  \
    X(FREE_TRUNCATE, "free-truncate", "a free-list link becomes the end")      \
    X(FREE_TO_OWN, "free-to-own", "a free slot's kind becomes own")            \
    X(LENDS_PLUS, "lends-plus", "an own entry's lends + 1")                    \
    X(LENDS_MINUS, "lends-minus", "a lent own entry's lends - 1")              \
    X(BORROWS_PLUS, "borrows-plus", "a scope's borrow count + 1")              \
    X(BORROWS_MINUS, "borrows-minus", "a scope's borrow count - 1")            \
    X(BORROW_SCOPE_GONE, "borrow-scope-gone",                                  \
      "a borrow entry's scope becomes scope_len")                              \
    X(BORROW_SCOPE_MOVE, "borrow-scope-move",                                  \
      "a borrow entry moves to another live scope")                            \
    X(LENDER_TO_FREE, "lender-to-free", "a lender record names a free slot")   \
    X(LENDER_TO_BORROW, "lender-to-borrow",                                    \
      "a lender record names a borrow entry")                                  \
    X(LENDER_BAD_TABLE, "lender-bad-table",                                    \
      "a lender record's table is past the host table")                        \
    X(LENDER_HANDLE_ZERO, "lender-handle-zero",                                \
      "a lender record's handle becomes 0")                                    \
    X(LENDER_PAST_END, "lender-past-end",                                      \
      "a lender record's handle is one past its table's end")                  \
    X(LENDER_TO_OTHER_OWN, "lender-to-other-own",                              \
      "a lender record names another own entry")                               \
    X(FIRST_LENDER_PAST, "first-lender-past",                                  \
      "a scope's first lender record is past the records")                     \
    X(FIRST_LENDER_BACK, "first-lender-back",                                  \
      "a scope's first lender record is before its caller's")                  \
    X(FIRST_LENDER_SKIP, "first-lender-skip",                                  \
      "scope 0's first lender record becomes 1")                               \
    X(SCOPES_DROPPED, "scopes-dropped",                                        \
      "the scope stack empties while lender records remain")                   \
    X(LIMIT_LOWERED, "limit-lowered",                                          \
      "the limit drops to a table's length or below")                         \
    X(WRONG_TABLE, "wrong-table",                                              \
      "a live entry's resource code belongs to another table")                 \
    X(OWN_TO_BORROW, "own-to-borrow", "an own entry's kind becomes borrow")    \
    X(BORROW_TO_OWN, "borrow-to-own", "a borrow entry's kind becomes own")    \
    X(BORROW_LENDS_PLUS, "borrow-lends-plus",                                  \
      "spec: a borrow entry's lends + 1")                                      \
    X(BORROW_LENDS_MINUS, "borrow-lends-minus",                                \
      "spec: a lent borrow entry's lends - 1")                                 \
    X(LENDER_BORROW_FREED, "lender-borrow-freed",                              \
      "spec: a record naming a borrow entry names a free slot instead")        \
    X(LENDER_DEEPER, "lender-deeper",                                          \
      "spec: a record moves, with its lend, to a borrow of a deeper scope")    \
    X(SIDE_SHORT, "side-short",                                                \
      "spec: a table's side array of borrow lends covers fewer slots")         \
    X(SIDE_NONZERO, "side-nonzero",                                            \
      "spec: a side-array entry of a slot that is not a borrow becomes nonzero")


/* The names in index order, for prefix_read() and prefix_write(). */
static inline prefix_names corruption_names(void)
{
    static const char *const names[] = {
#define CORRUPTION_WORD_(name, word, text) word,
        CORRUPT_MAP(CORRUPTION_WORD_)
#undef CORRUPTION_WORD_
    };
    prefix_names list = {names, sizeof names / sizeof names[0]};
    return list;
}

#endif /* RESTAB_FUZZ_CORRUPTIONS_H */
