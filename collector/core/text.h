/* Conversions shared by every Windows-format parser: UTF-16LE text,
 * FILETIME/SYSTEMTIME timestamps, SIDs and GUIDs. All take untrusted
 * bytes with an explicit length. */
#ifndef GL_TEXT_H
#define GL_TEXT_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "buf.h"

/* Append UTF-16LE (nbytes; an odd trailing byte is escaped) as UTF-8.
 * Unpaired surrogates are kept as the text "\uDXXX" so nothing is lost.
 * Stops at the first NUL when stop_at_nul. Returns false if anything had
 * to be escaped. */
bool gl_utf16le_to_utf8(gl_buf *out, const uint8_t *p, size_t nbytes, bool stop_at_nul);

/* Latin-1 / Windows-1252-ish single-byte text as UTF-8 (bytes >= 0x80 map
 * to U+0080..U+00FF). Stops at NUL when stop_at_nul. */
void gl_latin1_to_utf8(gl_buf *out, const uint8_t *p, size_t n, bool stop_at_nul);

/* Append one code point as UTF-8. */
void gl_utf8_put(gl_buf *out, uint32_t cp);

/* FILETIME (100 ns ticks since 1601) to ISO 8601 UTC. precision 0 gives
 * seconds, 7 gives all 100 ns digits: "2026-11-25T10:15:00.1234567Z".
 * Writes into out (at least 32 bytes). Returns false for 0. */
#define GL_TIME_STRLEN 40
bool gl_filetime_iso(uint64_t filetime, int precision, char out[GL_TIME_STRLEN]);
/* Unix time (seconds, nanoseconds) to ISO 8601 UTC with given digits (0..9). */
void gl_unixtime_iso(int64_t sec, long nsec, int precision, char out[GL_TIME_STRLEN]);
/* FILETIME to Unix seconds (may be negative for pre-1970). */
int64_t gl_filetime_to_unix(uint64_t filetime);
/* Compact UTC stamp for file names: 20261125T101500Z. */
void gl_utc_compact(time_t t, char out[32]);

/* Append s with control characters escaped (\n, \r, \t, \xHH), so a
 * file name from evidence can never forge a line of a log. */
void gl_escape_controls(gl_buf *out, const char *s);

/* Binary SID (n bytes) to "S-1-5-21-...". Returns false if malformed. */
bool gl_sid_format(gl_buf *out, const uint8_t *p, size_t n);
/* 16-byte GUID to "{XXXXXXXX-XXXX-XXXX-XXXX-XXXXXXXXXXXX}" (upper case). */
void gl_guid_format(char out[39], const uint8_t p[16]);

static inline uint16_t gl_le16(const uint8_t *p) { return (uint16_t)(p[0] | (p[1] << 8)); }
static inline uint32_t gl_le32(const uint8_t *p)
{
    return (uint32_t)p[0] | ((uint32_t)p[1] << 8) | ((uint32_t)p[2] << 16) | ((uint32_t)p[3] << 24);
}
static inline uint64_t gl_le64(const uint8_t *p) { return (uint64_t)gl_le32(p) | ((uint64_t)gl_le32(p + 4) << 32); }
static inline uint32_t gl_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) | ((uint32_t)p[2] << 8) | (uint32_t)p[3];
}

#endif
