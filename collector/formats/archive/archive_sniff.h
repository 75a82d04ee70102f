/* Archive recognition by content, whatever the file is called: RAR4, RAR5,
 * 7z, zip, gzip, bzip2, xz, zstd, tar and PeaZip's PEA, from their first
 * bytes (and the end, for zip). Beyond the format it answers, without any
 * password, what a responder asks of a staged archive: are the names
 * hidden (header encryption), is the data encrypted, is it one volume of a
 * set, and how many entries its plain headers show.
 *
 * Layouts (read to learn the formats, no code taken):
 *  RAR4  unrar headers.hpp (as vendored in Chromium third_party/unrar):
 *        marker "Rar!\x1A\x07\x00", main header 0x73 (MHD_VOLUME 0x0001,
 *        MHD_LOCK 0x0004, MHD_SOLID 0x0008, MHD_PASSWORD 0x0080,
 *        MHD_FIRSTVOLUME 0x0100), file header 0x74 (LHD_SPLIT_BEFORE 0x01,
 *        LHD_SPLIT_AFTER 0x02, LHD_PASSWORD 0x04, LHD_LARGE 0x100),
 *        end of archive 0x7B (EARC_NEXT_VOLUME 0x0001, EARC_VOLNUMBER 0x0008).
 *  RAR5  rarlab "RAR 5.0 archive format": "Rar!\x1A\x07\x01\x00", CRC32 +
 *        vint-sized blocks; type 1 main (volume 0x1, volume number 0x2,
 *        solid 0x4, locked 0x10), 2 file, 3 service, 4 archive encryption
 *        header (= -hp), 5 end (0x1 = more volumes); file extra record 1 =
 *        file encryption.
 *  7z    7-Zip DOC/7zFormat.txt: 32-byte signature header, next header
 *        kHeader (0x01) or kEncodedHeader (0x17) whose folder coders name
 *        the methods; 06 F1 07 01 is 7zAES.
 *  zip   PKWARE APPNOTE.TXT 6.3: local header PK\3\4 (flag bit 0
 *        encrypted, bit 6 strong encryption, bit 13 central directory
 *        encrypted, method 99 = WinZip AES), central directory PK\1\2, end
 *        records PK\5\6 / zip64 PK\6\6 + PK\6\7 (disk numbers = split or
 *        spanned set), spanning marker PK\7\8 / PK00.
 *  gzip RFC 1952, bzip2 "BZh1".."BZh9" + block magic 314159265359,
 *  xz    tukaani xz-file-format 1.1 (stream header with CRC32 of its flags),
 *  zstd  RFC 8878 (frame magic 28 B5 2F FD, skippable frames 184D2A5?),
 *  tar   POSIX ustar ("ustar\0" "00" at 257), GNU ("ustar  \0"), pax
 *        (typeflag 'x'/'g'), v7 (no magic: header checksum only),
 *  PEA   PeaZip "PEA file format specifications 1.1": archive header
 *        0xEA + version, revision, volume control algorithm..., then the
 *        stream header "\0\0POD\0", compression, ECC, stream control,
 *        object control; stream control 0x30 and up are the password
 *        schemes (HMAC, AES/Twofish/Serpent EAX and cascades).
 *
 * Everything read is bounded: headers are walked up to GL_ARC_MAX_HEADERS,
 * a 7z header is read up to 1 MiB, the zip end record is looked for in the
 * last 64 KiB + 22 bytes. */
#ifndef GL_ARCHIVE_SNIFF_H
#define GL_ARCHIVE_SNIFF_H
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "err.h"
#include "reader.h"

typedef enum gl_arc_format {
    GL_ARC_NONE = 0,
    GL_ARC_RAR4,
    GL_ARC_RAR5,
    GL_ARC_7Z,
    GL_ARC_ZIP,
    GL_ARC_GZIP,
    GL_ARC_BZIP2,
    GL_ARC_XZ,
    GL_ARC_ZSTD,
    GL_ARC_TAR,
    GL_ARC_PEA,
} gl_arc_format;

/* "rar4", "rar5", "7z", "zip", "gzip", "bzip2", "xz", "zstd", "tar",
 * "pea"; "none". */
const char *gl_arc_format_name(gl_arc_format f);

#define GL_ARC_MAX_HEADERS 4096

/* What the headers tell. Counts cover the headers actually walked. */
typedef struct gl_arc_info {
    gl_arc_format format;
    uint64_t offset;         /* where the archive starts (after an SFX stub) */
    bool sfx;                /* behind an executable (MZ) stub */
    bool headers_encrypted;  /* names unreadable without the password */
    bool data_encrypted;     /* some entry's data is encrypted */
    bool volume;             /* one part of a multi-volume set */
    bool first_volume;       /* ... and the headers say it is the first */
    bool last_volume;        /* ... the headers say no part follows */
    int64_t volume_number;   /* 0-based part number when stated, else -1 */
    bool solid;              /* RAR/7z solid */
    bool locked;             /* RAR: archive locked against changes */
    bool truncated;          /* headers or data run past the end of the file */
    bool damaged;            /* a header failed its CRC or made no sense */
    uint32_t entries;        /* file entries seen (zip: the end record's total; 7z: NumFiles) */
    uint32_t encrypted_entries;
    /* tar: "ustar", "gnu", "pax", "v7"; zip: "ooxml", "odf", "jar",
     * "apk" for the document/program containers; 7z: "encoded-header" when
     * the header is compressed (names then need libarchive) */
    char subtype[16];
    /* gzip: the original file name (FNAME), UTF-8 as stored, "" if none */
    char inner_name[256];
    uint64_t inner_size;     /* gzip: ISIZE (size mod 2^32); 0 unknown */
} gl_arc_info;

/* Also look for an archive behind an executable stub (self-extracting
 * RAR/7z within the first GL_ARC_SFX_SCAN bytes, zip by its end record).
 * Off by default: it reads megabytes of every .exe. */
#define GL_ARC_SNIFF_SFX 0x1
#define GL_ARC_SFX_SCAN (4u << 20)

/* Recognise r. Returns 0 with info->format GL_ARC_NONE when r is none of
 * these formats, 0 with the facts when it is one, and -1 with err when
 * reading failed or the archive's headers are damaged (info then holds
 * what was read before; damaged/truncated say which). */
int gl_arc_sniff(const gl_reader *r, unsigned flags, gl_arc_info *info, gl_err *err);

/* ---- volume names ---- */

typedef enum gl_arc_volname {
    GL_ARC_VOLNAME_NONE = 0,
    GL_ARC_VOLNAME_PART_RAR, /* name.part3.rar (RAR 3+ new numbering) */
    GL_ARC_VOLNAME_RNN,      /* name.r00 .. name.r99, name.s00 (old RAR numbering; the first is name.rar) */
    GL_ARC_VOLNAME_7Z_NNN,   /* name.7z.001 (7-Zip -v split) */
    GL_ARC_VOLNAME_ZNN,      /* name.z01 (zip split/spanned; the last is name.zip) */
    GL_ARC_VOLNAME_ZIP_NNN,  /* name.zip.001 (7-Zip split of a zip) */
    GL_ARC_VOLNAME_NNN,      /* name.001 (plain byte split) */
} gl_arc_volname;

/* Classify a file name (the last path component or a whole path) as a
 * volume name; *number gets the number in it (1-based as written; .r00 is
 * 0) and *stem_len the length of the part shared by the whole set
 * ("x.part" for x.part3.rar, "x.7z." for x.7z.001, "x." for x.z01).
 * Either pointer may be NULL. */
gl_arc_volname gl_arc_volume_name(const char *name, unsigned *number, size_t *stem_len);

#endif
