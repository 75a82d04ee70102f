/* Streaming JSON writer into a gl_buf. Keys and strings are escaped; bytes
 * that are not valid UTF-8 are written as \u00XX escapes of each byte
 * (never dropped), so every line gleaner writes is valid JSON. Commas are
 * inserted automatically. Nesting is limited to GL_JSON_MAX_DEPTH. */
#ifndef GL_JSON_H
#define GL_JSON_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "buf.h"

#define GL_JSON_MAX_DEPTH 64

typedef struct gl_json {
    gl_buf *out;
    int depth;
    bool need_comma[GL_JSON_MAX_DEPTH + 1];
    bool after_key;
} gl_json;

void gl_json_init(gl_json *j, gl_buf *out);
void gl_json_obj_begin(gl_json *j);
void gl_json_obj_end(gl_json *j);
void gl_json_arr_begin(gl_json *j);
void gl_json_arr_end(gl_json *j);
void gl_json_key_n(gl_json *j, const char *key, size_t n);
/* Inline so a literal key's length is known at compile time. */
static inline void gl_json_key(gl_json *j, const char *key) { gl_json_key_n(j, key, strlen(key)); }
void gl_json_str(gl_json *j, const char *s);
void gl_json_strn(gl_json *j, const char *s, size_t n);
void gl_json_int(gl_json *j, int64_t v);
void gl_json_uint(gl_json *j, uint64_t v);
void gl_json_double(gl_json *j, double v);
void gl_json_bool(gl_json *j, bool v);
void gl_json_null(gl_json *j);
void gl_json_hex(gl_json *j, const void *data, size_t n); /* lowercase hex string */
/* Append pre-rendered JSON (must be one valid value). */
void gl_json_raw(gl_json *j, const char *json, size_t n);

/* key + value shorthands */
void gl_json_kv_str(gl_json *j, const char *key, const char *s);
void gl_json_kv_int(gl_json *j, const char *key, int64_t v);
void gl_json_kv_uint(gl_json *j, const char *key, uint64_t v);
void gl_json_kv_bool(gl_json *j, const char *key, bool v);

enum { GL_JSON_CLEAN = 0, GL_JSON_ESCAPE = 1, GL_JSON_UTF8 = 2 };
extern const unsigned char gl_json_byte_class[256];

/* Escape s (n bytes) as a JSON string literal including quotes. */
void gl_json_escape(gl_buf *out, const char *s, size_t n);
/* data as a lowercase hex JSON string, quotes included (gl_json_hex
 * without the writer: for renderers that lay out their own objects). */
void gl_json_put_hex(gl_buf *out, const void *data, size_t n);

#endif
