#include "summary.h"
#include <string.h>

static const char *const severity_names[] = {"info", "low", "medium", "high", "critical"};

int gl_severity_rank(const char *name)
{
    for (int i = 0; name && i < 5; i++)
        if (!strcmp(name, severity_names[i]))
            return i;
    return -1;
}

const char *gl_severity_label(int rank) { return rank >= 0 && rank < 5 ? severity_names[rank] : "info"; }

void gl_summary_add(gl_summary *s, int severity, const char *title, const char *host)
{
    if (severity < 0 || severity > 4)
        severity = 0;
    s->counts[severity]++;
    /* insertion point: after every item at least as severe */
    size_t at = 0;
    while (at < s->n_top && s->top[at].severity >= severity)
        at++;
    if (at >= GL_SUMMARY_TOP)
        return;
    size_t keep = s->n_top < GL_SUMMARY_TOP ? s->n_top : GL_SUMMARY_TOP - 1;
    memmove(&s->top[at + 1], &s->top[at], (keep - at) * sizeof s->top[0]);
    gl_summary_item *it = &s->top[at];
    it->severity = severity;
    snprintf(it->title, sizeof it->title, "%s", title ? title : "");
    snprintf(it->host, sizeof it->host, "%s", host ? host : "");
    if (s->n_top < GL_SUMMARY_TOP)
        s->n_top++;
}

void gl_summary_merge(gl_summary *into, const gl_summary *from)
{
    for (size_t i = 0; i < from->n_top; i++) {
        gl_summary_add(into, from->top[i].severity, from->top[i].title, from->top[i].host);
        into->counts[from->top[i].severity]--; /* counted below with the rest */
    }
    for (int i = 0; i < 5; i++)
        into->counts[i] += from->counts[i];
}

/* Evidence text goes to a terminal: no control characters. */
static void put_clean(FILE *out, const char *s)
{
    for (; *s; s++)
        fputc((unsigned char)*s < 0x20 || *s == 0x7f ? '?' : *s, out);
}

void gl_summary_print(FILE *out, const gl_summary *s)
{
    uint64_t total = 0;
    for (int i = 0; i < 5; i++)
        total += s->counts[i];
    fprintf(out, "findings: %llu (", (unsigned long long)total);
    for (int i = 4; i >= 0; i--)
        fprintf(out, "%llu %s%s", (unsigned long long)s->counts[i], severity_names[i], i ? ", " : ")\n");
    for (size_t i = 0; i < s->n_top; i++) {
        fprintf(out, "  %-8s ", severity_names[s->top[i].severity]);
        if (s->top[i].host[0]) {
            put_clean(out, s->top[i].host);
            fputs(": ", out);
        }
        put_clean(out, s->top[i].title);
        fputc('\n', out);
    }
}
