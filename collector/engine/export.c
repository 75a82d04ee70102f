#include "export.h"
#include <stdlib.h>
#include <string.h>
#include "json.h"
#include "jsonpick.h"

#define DESC_MAX 400 /* a fact's description: subject and its details, cut here */

/* ---- rows ---------------------------------------------------------------- */

/* Evidence text in the key part of a row line must not break its tabs. */
static void put_key_text(gl_buf *out, const char *s)
{
    for (; s && *s; s++)
        gl_buf_putc(out, (unsigned char)*s < 0x20 ? '_' : *s);
}

/* "2026-11-09T14:11:38Z" and "...38.61Z" must order as times do: widen the
 * fraction to nine digits. Anything else is kept as it is. */
static void put_time_key(gl_buf *out, const char *t)
{
    if (!t)
        return;
    size_t n = strlen(t);
    if (n < 20 || t[10] != 'T' || t[n - 1] != 'Z' || (t[19] != '.' && t[19] != 'Z')) {
        put_key_text(out, t);
        return;
    }
    gl_buf_append(out, t, 19);
    gl_buf_putc(out, '.');
    size_t digits = 0;
    for (const char *p = t + 20; t[19] == '.' && *p >= '0' && *p <= '9' && digits < 9; p++, digits++)
        gl_buf_putc(out, *p);
    for (; digits < 9; digits++)
        gl_buf_putc(out, '0');
    gl_buf_putc(out, 'Z');
}

static void row_head(const gl_row_host *h, size_t seq, const char *time, gl_buf *out, gl_json *j)
{
    gl_buf_clear(out);
    put_time_key(out, time);
    gl_buf_putc(out, '\t');
    put_key_text(out, h->host);
    gl_buf_printf(out, "\t%010zu\t", seq);
    gl_json_init(j, out);
    gl_json_obj_begin(j);
    gl_json_kv_str(j, "time", time);
    gl_json_kv_str(j, "collected", h->collected);
    gl_json_kv_str(j, "host", h->host);
    gl_json_kv_str(j, "stem", h->stem);
    if (h->unverified)
        gl_json_kv_bool(j, "unverified", true);
}

void gl_row_finding(const gl_row_host *h, size_t seq, const cJSON *f, gl_buf *out)
{
    gl_json j;
    row_head(h, seq, gl_jstr(f, "time"), out, &j);
    gl_json_kv_str(&j, "type", "finding");
    gl_json_kv_str(&j, "module", gl_jstr(f, "module"));
    gl_json_kv_str(&j, "event", gl_jstr(f, "rule"));
    gl_json_kv_str(&j, "severity", gl_jstr(f, "severity"));
    gl_json_kv_str(&j, "description", gl_jstr(f, "title"));
    gl_json_kv_str(&j, "subject", gl_jstr(f, "subject"));
    /* the first piece of evidence; all of them are in findings.jsonl */
    const cJSON *ev = cJSON_GetArrayItem(gl_jpath(f, "evidence"), 0);
    gl_json_kv_str(&j, "artifact", gl_jstr(ev, "artifact"));
    gl_json_kv_str(&j, "locator", gl_jstr(ev, "locator"));
    gl_jcopy(&j, "attack", gl_jpath(f, "attack"));
    gl_json_kv_str(&j, "id", gl_jstr(f, "id"));
    gl_jcopy(&j, "details", gl_jpath(f, "details"));
    gl_json_obj_end(&j);
}

/* "<subject>: key=value; ..." from the fact's scalar details. */
static void fact_description(const cJSON *fact, gl_buf *out)
{
    const char *subject = gl_jstr(fact, "subject");
    gl_buf_puts(out, subject ? subject : "");
    const cJSON *d, *details = gl_jpath(fact, "details");
    bool first = true;
    cJSON_ArrayForEach(d, details)
    {
        if (out->len >= DESC_MAX || !d->string)
            break;
        size_t mark = out->len;
        gl_buf_printf(out, "%s%s=", first ? (out->len ? ": " : "") : "; ", d->string);
        if (gl_jtext(out, d) != 0)
            out->len = mark;
        else
            first = false;
        out->data[out->len] = '\0';
    }
    if (out->len > DESC_MAX) {
        out->len = DESC_MAX; /* may cut a UTF-8 sequence: the JSON writer escapes a stray byte */
        out->data[out->len] = '\0';
    }
}

void gl_row_fact(const gl_row_host *h, size_t seq, const cJSON *t, gl_buf *out)
{
    gl_json j;
    row_head(h, seq, gl_jstr(t, "time"), out, &j);
    gl_json_kv_str(&j, "type", "event");
    gl_json_kv_str(&j, "module", gl_jstr(t, "module"));
    gl_json_kv_str(&j, "event", gl_jstr(t, "kind"));
    gl_json_kv_str(&j, "severity", NULL);
    gl_buf desc = {0};
    fact_description(t, &desc);
    gl_json_kv_str(&j, "description", desc.data ? desc.data : "");
    gl_buf_free(&desc);
    gl_json_kv_str(&j, "subject", gl_jstr(t, "subject"));
    gl_json_kv_str(&j, "artifact", gl_jstr(t, "artifact"));
    gl_json_kv_str(&j, "locator", gl_jstr(t, "locator"));
    gl_json_key(&j, "attack");
    gl_json_arr_begin(&j);
    gl_json_arr_end(&j);
    gl_json_kv_str(&j, "id", NULL);
    gl_jcopy(&j, "details", gl_jpath(t, "details"));
    gl_json_obj_end(&j);
}

/* ---- writers --------------------------------------------------------------- */

static FILE *create(const char *dir, const char *name, gl_err *err)
{
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/%s", dir, name);
    FILE *fp = fopen(path.data, "wb");
    if (!fp)
        gl_err_errno(err, "creating %s", path.data);
    gl_buf_free(&path);
    return fp;
}

int gl_export_open(gl_export *x, const char *dir, bool ecs, gl_err *err)
{
    memset(x, 0, sizeof *x);
    x->dir = gl_xstrdup(dir);
    x->csv = create(dir, "timeline.csv", err);
    x->sketch = x->csv ? create(dir, "timeline.jsonl", err) : NULL;
    x->ecs = x->sketch && ecs ? create(dir, "ecs.ndjson", err) : NULL;
    if (!x->csv || !x->sketch || (ecs && !x->ecs)) {
        gl_err tmp;
        gl_export_close(x, &tmp);
        return -1;
    }
    fputs(GL_TIMELINE_CSV_HEADER "\r\n", x->csv);
    return 0;
}

void gl_csv_field(FILE *fp, const char *s, bool last)
{
    s = s ? s : "";
    bool formula = strchr("=+-@", s[0]) && s[0];
    bool quote = formula || strpbrk(s, ",\"\r\n") != NULL;
    if (quote)
        fputc('"', fp);
    if (formula)
        fputc('\'', fp);
    for (; *s; s++) {
        if (*s == '"')
            fputc('"', fp);
        fputc(*s, fp);
    }
    if (quote)
        fputc('"', fp);
    fputs(last ? "\r\n" : ",", fp);
}

static void write_csv(FILE *fp, const cJSON *r)
{
    static const char *const cols[] = {"time", "host", "module", "event", "severity", "description", "artifact",
                                       "locator"};
    for (size_t i = 0; i < 8; i++)
        gl_csv_field(fp, gl_jstr(r, cols[i]), i == 7);
}

static void put_line(FILE *fp, gl_buf *b)
{
    gl_buf_putc(b, '\n');
    fwrite(b->data, 1, b->len, fp);
}

static bool is_finding(const cJSON *r)
{
    const char *type = gl_jstr(r, "type");
    return type && !strcmp(type, "finding");
}

/* Details as a JSON string: their shapes differ from rule to rule, and a
 * search engine maps a field by the first type it sees. */
static void details_string(gl_json *j, const char *key, const cJSON *r)
{
    char *text = cJSON_PrintUnformatted(gl_jpath(r, "details"));
    gl_json_kv_str(j, key, text ? text : "{}");
    free(text);
}

static void attack_list(gl_json *j, const cJSON *r)
{
    const cJSON *a;
    gl_json_arr_begin(j);
    cJSON_ArrayForEach(a, gl_jpath(r, "attack"))
        if (cJSON_IsString(a))
            gl_json_str(j, a->valuestring);
    gl_json_arr_end(j);
}

static void message(const cJSON *r, gl_buf *out)
{
    const char *sev = gl_jstr(r, "severity"), *ev = gl_jstr(r, "event"), *desc = gl_jstr(r, "description");
    if (sev)
        gl_buf_printf(out, "[%s] ", sev);
    gl_buf_printf(out, "%s: %s", ev ? ev : "", desc ? desc : "");
}

static void write_sketch(FILE *fp, const cJSON *r)
{
    gl_buf b = {0}, msg = {0};
    gl_json j;
    gl_json_init(&j, &b);
    const char *time = gl_jstr(r, "time");
    message(r, &msg);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "message", msg.data);
    gl_json_kv_str(&j, "datetime", time ? time : gl_jstr(r, "collected"));
    gl_json_kv_str(&j, "timestamp_desc",
                   time ? (is_finding(r) ? "Finding time" : gl_jstr(r, "event"))
                        : "Collection time (the finding has no time of its own)");
    gl_json_kv_str(&j, "data_type", is_finding(r) ? "gleaner:finding" : "gleaner:timeline");
    static const char *const fields[] = {"host", "module", "event", "severity", "subject", "artifact", "locator",
                                         "id", "stem"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (gl_jstr(r, fields[i]))
            gl_json_kv_str(&j, fields[i], gl_jstr(r, fields[i]));
    gl_json_key(&j, "attack");
    attack_list(&j, r);
    details_string(&j, "details", r);
    if (cJSON_IsTrue(gl_jpath(r, "unverified")))
        gl_json_kv_bool(&j, "unverified", true);
    gl_json_obj_end(&j);
    put_line(fp, &b);
    gl_buf_free(&b);
    gl_buf_free(&msg);
}

/* ECS event.severity: the numbers Elastic's detection rules use. */
static int ecs_severity(const char *s)
{
    static const char *const names[] = {"info", "low", "medium", "high", "critical"};
    static const int score[] = {0, 21, 47, 73, 99};
    for (size_t i = 0; s && i < 5; i++)
        if (!strcmp(s, names[i]))
            return score[i];
    return 0;
}

static void write_ecs(FILE *fp, const cJSON *r)
{
    gl_buf b = {0}, msg = {0};
    gl_buf_puts(&b, "{\"index\":{\"_index\":\"gleaner\"}}\n");
    gl_json j;
    gl_json_init(&j, &b);
    const char *time = gl_jstr(r, "time");
    bool finding = is_finding(r);
    message(r, &msg);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "@timestamp", time ? time : gl_jstr(r, "collected"));
    gl_json_kv_str(&j, "message", msg.data);
    gl_json_key(&j, "host");
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "name", gl_jstr(r, "host"));
    gl_json_obj_end(&j);
    gl_json_key(&j, "event");
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "kind", finding ? "alert" : "event");
    gl_json_kv_str(&j, "code", gl_jstr(r, "event"));
    gl_json_kv_str(&j, "action", gl_jstr(r, "event"));
    gl_json_kv_str(&j, "module", gl_jstr(r, "module"));
    gl_json_kv_str(&j, "dataset", finding ? "gleaner.findings" : "gleaner.timeline");
    if (finding) {
        gl_json_kv_int(&j, "severity", ecs_severity(gl_jstr(r, "severity")));
        gl_json_kv_str(&j, "id", gl_jstr(r, "id"));
    }
    gl_json_obj_end(&j);
    if (finding) {
        gl_json_key(&j, "rule");
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "id", gl_jstr(r, "event"));
        gl_json_kv_str(&j, "name", gl_jstr(r, "event"));
        gl_json_kv_str(&j, "description", gl_jstr(r, "description"));
        gl_json_obj_end(&j);
        gl_json_key(&j, "threat");
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "framework", "MITRE ATT&CK");
        gl_json_key(&j, "technique");
        gl_json_obj_begin(&j);
        gl_json_key(&j, "id");
        attack_list(&j, r);
        gl_json_obj_end(&j);
        gl_json_obj_end(&j);
    }
    gl_json_key(&j, "gleaner");
    gl_json_obj_begin(&j);
    static const char *const fields[] = {"severity", "subject", "artifact", "locator", "stem"};
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
        if (gl_jstr(r, fields[i]))
            gl_json_kv_str(&j, fields[i], gl_jstr(r, fields[i]));
    gl_json_kv_bool(&j, "time_known", time != NULL);
    details_string(&j, "details", r);
    if (cJSON_IsTrue(gl_jpath(r, "unverified")))
        gl_json_kv_bool(&j, "unverified", true);
    gl_json_obj_end(&j);
    gl_json_obj_end(&j);
    put_line(fp, &b);
    gl_buf_free(&b);
    gl_buf_free(&msg);
}

int gl_export_row(gl_export *x, const char *line, size_t n, gl_err *err)
{
    const char *p = line, *end = line + n;
    for (int tabs = 0; tabs < 3 && p; tabs++) {
        p = memchr(p, '\t', (size_t)(end - p));
        p = p ? p + 1 : NULL;
    }
    cJSON *r = p ? gl_jparse_object(p, (size_t)(end - p)) : NULL;
    if (!r)
        return gl_err_setc(err, GL_ERR_DAMAGED, "%s: a timeline row is not '<key>\\t<host>\\t<seq>\\t<JSON>'",
                           x->dir);
    write_csv(x->csv, r);
    write_sketch(x->sketch, r);
    if (x->ecs)
        write_ecs(x->ecs, r);
    cJSON_Delete(r);
    return 0;
}

static int close_one(FILE **fp, const char *dir, const char *name, int rc, gl_err *err)
{
    if (!*fp)
        return rc;
    bool bad = ferror(*fp) != 0;
    if ((fclose(*fp) != 0 || bad) && rc == 0)
        rc = gl_err_errno(err, "writing %s/%s", dir, name);
    *fp = NULL;
    return rc;
}

int gl_export_close(gl_export *x, gl_err *err)
{
    int rc = close_one(&x->csv, x->dir, "timeline.csv", 0, err);
    rc = close_one(&x->sketch, x->dir, "timeline.jsonl", rc, err);
    rc = close_one(&x->ecs, x->dir, "ecs.ndjson", rc, err);
    free(x->dir);
    x->dir = NULL;
    return rc;
}
