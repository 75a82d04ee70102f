#include "jsonpick.h"
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

const cJSON *gl_jpath(const cJSON *obj, const char *path)
{
    const cJSON *cur = obj;
    char key[128];
    while (cur && *path) {
        size_t n = strcspn(path, ".");
        if (n >= sizeof key || !cJSON_IsObject(cur))
            return NULL;
        memcpy(key, path, n);
        key[n] = '\0';
        cur = cJSON_GetObjectItemCaseSensitive(cur, key);
        path += n;
        if (*path == '.')
            path++;
    }
    return cur;
}

const char *gl_jstr(const cJSON *obj, const char *path)
{
    const cJSON *v = gl_jpath(obj, path);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static int scalar_text(gl_buf *out, const cJSON *v)
{
    if (cJSON_IsString(v))
        gl_buf_puts(out, v->valuestring);
    else if (cJSON_IsBool(v))
        gl_buf_puts(out, cJSON_IsTrue(v) ? "true" : "false");
    else if (cJSON_IsNumber(v)) {
        double d = v->valuedouble;
        if (d == (double)(long long)d && d > -9e15 && d < 9e15)
            gl_buf_printf(out, "%lld", (long long)d);
        else
            gl_buf_printf(out, "%.17g", d);
    } else
        return -1;
    return 0;
}

int gl_jtext(gl_buf *out, const cJSON *v)
{
    if (!cJSON_IsArray(v))
        return scalar_text(out, v);
    bool any = false;
    const cJSON *e;
    cJSON_ArrayForEach(e, v)
    {
        size_t mark = out->len;
        if (any)
            gl_buf_puts(out, ", ");
        if (scalar_text(out, e) == 0)
            any = true;
        else
            out->len = mark;
    }
    if (out->data)
        out->data[out->len] = '\0';
    return any ? 0 : -1;
}

cJSON *gl_jparse_object(const char *line, size_t n)
{
    if (line[n] != '\0')
        return NULL;
    /* the NUL counted in: cJSON then refuses anything after the value */
    cJSON *j = cJSON_ParseWithLengthOpts(line, n + 1, NULL, 1);
    if (j && !cJSON_IsObject(j)) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

void gl_jcopy(gl_json *j, const char *key, const cJSON *v)
{
    gl_json_key(j, key);
    char *text = v ? cJSON_PrintUnformatted(v) : NULL;
    if (text)
        gl_json_raw(j, text, strlen(text));
    else
        gl_json_null(j);
    free(text);
}
