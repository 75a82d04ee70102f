/* PeaZip conf.txt: see peazip_conf.h. The labels are PeaZip's own text;
 * a group runs from its label line to the next line starting with '['. */
#include <string.h>
#include "buf.h"
#include "peazip_conf.h"
#include "text.h"

static const struct {
    const char *label;
    gl_peazip_list list;
    size_t skip;  /* leading lines that are no entry (the on/off flag) */
    size_t max;   /* entries the group holds */
} groups[] = {
    {"save history of recent archives", GL_PEAZIP_RECENT_ARCHIVES, 1, GL_PEAZIP_MAX_ENTRIES},
    {"save history of recent directories", GL_PEAZIP_RECENT_DIRS, 0, GL_PEAZIP_MAX_ENTRIES},
    {"last output path", GL_PEAZIP_LAST_OUTPUT, 0, 1},
    {"last successful extraction path", GL_PEAZIP_LAST_EXTRACTION, 0, 1},
};

const char *gl_peazip_list_name(gl_peazip_list list)
{
    static const char *const names[] = {"recent archives", "recent directories", "last output path",
                                        "last extraction path"};
    return (size_t)list < sizeof names / sizeof names[0] ? names[list] : "?";
}

/* Length of a valid UTF-8 sequence at p (at most n bytes), 0 if invalid. */
static size_t utf8_seq(const uint8_t *p, size_t n)
{
    size_t need = p[0] < 0x80 ? 1 : (p[0] & 0xE0) == 0xC0 ? 2 : (p[0] & 0xF0) == 0xE0 ? 3 : (p[0] & 0xF8) == 0xF0 ? 4 : 0;
    if (need == 0 || need > n || (need == 2 && p[0] < 0xC2) || (need == 4 && p[0] > 0xF4))
        return 0;
    for (size_t i = 1; i < need; i++)
        if ((p[i] & 0xC0) != 0x80)
            return 0;
    if ((need == 3 && p[0] == 0xE0 && p[1] < 0xA0) || (need == 3 && p[0] == 0xED && p[1] >= 0xA0) ||
        (need == 4 && p[0] == 0xF0 && p[1] < 0x90) || (need == 4 && p[0] == 0xF4 && p[1] >= 0x90))
        return 0; /* overlong, surrogate, beyond U+10FFFF */
    return need;
}

static bool valid_utf8(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t k = utf8_seq(p + i, n - i);
        if (!k)
            return false;
        i += k;
    }
    return true;
}

/* Which group a label line opens (-1: one this parser does not read). */
static int group_of(const uint8_t *p, size_t n)
{
    const uint8_t *end = memchr(p, ']', n);
    size_t len = end ? (size_t)(end - p) - 1 : n - 1;
    for (size_t g = 0; g < sizeof groups / sizeof groups[0]; g++)
        if (strlen(groups[g].label) == len && !memcmp(p + 1, groups[g].label, len))
            return (int)g;
    return -1;
}

int gl_peazip_conf_parse(const uint8_t *data, size_t len, gl_peazip_cb cb, void *ctx, gl_err *err)
{
    gl_buf value = {0};
    int rc = 0, group = -1;
    size_t in_group = 0, delivered = 0, line = 0;
    for (size_t at = 0; at < len; ) {
        line++;
        const uint8_t *p = data + at;
        const uint8_t *nl = memchr(p, '\n', len - at);
        size_t n = nl ? (size_t)(nl - p) : len - at;
        at += n + (nl != NULL);
        if (n > GL_PEAZIP_MAX_LINE) {
            rc = gl_err_set(err, "PeaZip configuration line %zu: longer than %u bytes, not a PeaZip conf.txt", line,
                            GL_PEAZIP_MAX_LINE);
            break;
        }
        if (memchr(p, '\0', n)) {
            rc = gl_err_set(err, "PeaZip configuration line %zu: NUL byte where text was expected", line);
            break;
        }
        if (n && p[n - 1] == '\r')
            n--; /* Windows builds write CRLF */
        if (n && p[0] == '[') {
            group = group_of(p, n);
            in_group = delivered = 0;
            continue;
        }
        if (group < 0 || in_group++ < groups[group].skip || n == 0)
            continue;
        if (delivered++ >= groups[group].max) {
            rc = gl_err_set(err, "PeaZip configuration line %zu: more than %zu entries under [%s]", line,
                            groups[group].max, groups[group].label);
            break;
        }
        gl_buf_clear(&value);
        if (valid_utf8(p, n))
            gl_buf_append(&value, p, n);
        else
            gl_latin1_to_utf8(&value, p, n, false);
        cb(ctx, groups[group].list, gl_buf_cstr(&value), line);
    }
    gl_buf_free(&value);
    return rc;
}
