/* Shared by the archive sniffers (not a public interface). */
#ifndef GL_ARCHIVE_INT_H
#define GL_ARCHIVE_INT_H
#include "archive_sniff.h"

/* CRC-32 (IEEE, reflected, as zlib) of n bytes continuing crc (0 to start).
 * Bitwise: only headers of at most a few KiB are checked. */
uint32_t arc_crc32(uint32_t crc, const uint8_t *p, size_t n);

/* Up to len bytes at off into buf; *got = bytes read (short only at the
 * end of the data). -1 with err on a read error. */
int arc_read(const gl_reader *r, uint64_t off, void *buf, size_t len, size_t *got, gl_err *err);

/* Record damage found at off: the first message is kept in err. Returns -1. */
int arc_damaged(gl_arc_info *info, gl_err *err, const gl_reader *r, uint64_t off, const char *what);

/* Format walkers: r holds the archive at info->offset (signature already
 * matched). 0, or -1 with err (damage or read error). */
int arc_sniff_rar4(const gl_reader *r, gl_arc_info *info, gl_err *err);
int arc_sniff_rar5(const gl_reader *r, gl_arc_info *info, gl_err *err);
int arc_sniff_7z(const gl_reader *r, gl_arc_info *info, gl_err *err);
/* Zip: local header at info->offset (or a spanning marker), then the end
 * records and the central directory. */
int arc_sniff_zip(const gl_reader *r, gl_arc_info *info, gl_err *err);
/* Zip found only by its end record (SFX or appended): 1 when an end record
 * whose central directory checks out is there (info filled), else 0. */
int arc_sniff_zip_tail(const gl_reader *r, gl_arc_info *info, gl_err *err);

#endif
