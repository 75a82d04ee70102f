/* libFuzzer entry for the RMM catalog loaders (rmmcatalog.h). The first
 * byte picks the format (even: gleaner's text catalog, odd: LOLRMM JSON);
 * the rest is the catalog. Whatever loaded is then matched against fixed
 * paths and against the input's own lines, so hostile patterns meet
 * hostile lookups. Oracles: no crash or sanitizer report, every hit names
 * a tool that exists, at most one hit per tool. `make fuzz-rmmcatalog`. */
#include <stdlib.h>
#include <string.h>
#include "rmmcatalog.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const rmmcat *cat, const rmmcat_hits *h)
{
    if (h->n > RMMCAT_MAX_HITS)
        abort();
    for (size_t i = 0; i < h->n; i++) {
        if (h->h[i].tool >= rmmcat_count(cat) || !h->h[i].what)
            abort();
        for (size_t j = 0; j < i; j++)
            if (h->h[j].tool == h->h[i].tool)
                abort();
    }
}

typedef size_t (*match_fn)(const rmmcat *, const char *, size_t, rmmcat_hits *);

static void lookups(const rmmcat *cat, const char *s, size_t n)
{
    static const match_fn fns[] = {rmmcat_match_path,   rmmcat_match_exe,    rmmcat_match_service,
                                   rmmcat_match_domain, rmmcat_match_signer, rmmcat_match_product};
    for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++) {
        rmmcat_hits h;
        fns[i](cat, s, n, &h);
        check(cat, &h);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char *const fixed[] = {
        "C:\\Program Files (x86)\\AnyDesk\\AnyDesk.exe", "C:\\Users\\x\\AppData\\Roaming\\A\\b\\c.trace",
        "\\\\?\\D:\\ProgramData\\x\\y", "relay-1.net.example.com:443", "a", "",
    };
    if (size == 0)
        return 0;
    rmmcat *cat = rmmcat_new();
    gl_err err;
    const char *text = (const char *)data + 1;
    if (data[0] & 1)
        rmmcat_load_lolrmm(cat, text, size - 1, "fuzz.json", &err);
    else
        rmmcat_load_text(cat, text, size - 1, "fuzz.txt", &err);
    for (size_t i = 0; i < rmmcat_count(cat); i++)
        if (!rmmcat_tool_at(cat, i)->name)
            abort();
    for (size_t i = 0; i < sizeof fixed / sizeof fixed[0]; i++)
        lookups(cat, fixed[i], strlen(fixed[i]));
    /* each input line as a lookup (the first 64) */
    size_t b = 0;
    for (size_t i = 0, lines = 0; i <= size - 1 && lines < 64; i++)
        if (i == size - 1 || text[i] == '\n') {
            lookups(cat, text + b, i - b);
            b = i + 1;
            lines++;
        }
    rmmcat_free(cat);
    return 0;
}
