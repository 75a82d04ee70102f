/* Archive recognition and listing (collector/formats/archive) on the real
 * corpus archives (facts from their headers, cross-checked with bsdtar's
 * listing of the same files), on archives bsdtar writes at test time in
 * every format libarchive can write (also under non-archive names and
 * behind an executable stub), on volume names, and on hostile inputs. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "archive_list.h"
#include "archive_sniff.h"
#include "testutil.h"

typedef struct loaded {
    gl_buf data;
    gl_mem_reader mem;
    gl_reader r;
    char *name;
} loaded;

static void load_bytes(loaded *l, const void *p, size_t n)
{
    memset(l, 0, sizeof *l);
    gl_buf_append(&l->data, p, n);
    l->name = gl_xstrdup("test-input");
    l->r = gl_reader_memory(&l->mem, l->data.data, l->data.len, l->name);
}

static void load(loaded *l, const char *path)
{
    gl_buf data = {0};
    cr_assert(tu_read_file(path, &data), "cannot read %s", path);
    load_bytes(l, data.data, data.len);
    free(l->name);
    l->name = gl_xstrdup(path);
    l->r.name = l->name;
    gl_buf_free(&data);
}

static void unload(loaded *l)
{
    gl_buf_free(&l->data);
    free(l->name);
}

static gl_arc_info sniff_reader(const gl_reader *r, unsigned flags, int want_rc)
{
    gl_arc_info info;
    gl_err err = {0};
    int rc = gl_arc_sniff(r, flags, &info, &err);
    cr_assert_eq(rc, want_rc, "%s: rc %d: %s", r->name, rc, err.msg);
    return info;
}

static gl_arc_info sniff_path(const char *path, unsigned flags)
{
    loaded l;
    load(&l, path);
    gl_arc_info info = sniff_reader(&l.r, flags, 0);
    unload(&l);
    return info;
}

/* Compact text of the facts, so one string states a whole expectation. */
static const char *facts(const gl_arc_info *a)
{
    static char s[512];
    snprintf(s, sizeof s, "%s%s%s%s%s%s%s%s%s%s%s entries=%u enc=%u vol#=%lld%s%s", gl_arc_format_name(a->format),
             a->headers_encrypted ? " headers-encrypted" : "", a->data_encrypted ? " data-encrypted" : "",
             a->volume ? " volume" : "", a->first_volume ? " first" : "", a->last_volume ? " last" : "",
             a->solid ? " solid" : "", a->locked ? " locked" : "", a->truncated ? " truncated" : "",
             a->damaged ? " damaged" : "", a->sfx ? " sfx" : "", a->entries, a->encrypted_entries,
             (long long)a->volume_number, a->subtype[0] ? " " : "", a->subtype);
    return s;
}

Test(archive_sniff, corpus_archives)
{
    TU_REQUIRE_CORPUS();
    static const struct {
        const char *file, *facts;
    } want[] = {
        {"libarchive__7zip_encryption.7z", "7z data-encrypted entries=1 enc=0 vol#=-1"},
        {"libarchive__7zip_encryption_header.7z",
         "7z headers-encrypted data-encrypted entries=0 enc=0 vol#=-1 encoded-header"},
        {"libarchive__rar4_encrypted_filenames.rar", "rar4 headers-encrypted data-encrypted entries=0 enc=0 vol#=-1"},
        {"libarchive__rar5_encrypted.rar", "rar5 data-encrypted entries=4 enc=2 vol#=-1"},
        {"libarchive__rar5_encrypted_filenames.rar", "rar5 headers-encrypted data-encrypted entries=0 enc=0 vol#=-1"},
        {"libarchive__rar5_solid.rar", "rar5 solid entries=7 enc=0 vol#=-1"},
        {"libarchive__rar_multivolume.part0001.rar", "rar4 volume first entries=1 enc=0 vol#=0"},
        {"libarchive__rar_multivolume.part0002.rar", "rar4 volume entries=1 enc=0 vol#=1"},
        {"libarchive__rar_multivolume.part0003.rar", "rar4 volume entries=2 enc=0 vol#=2"},
        {"libarchive__rar_multivolume.part0004.rar", "rar4 volume last entries=6 enc=0 vol#=3"},
        {"libarchive__zip_encryption_data.zip", "zip data-encrypted entries=2 enc=2 vol#=-1"},
    };
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
        char rel[160];
        snprintf(rel, sizeof rel, "dev/archives/%s", want[i].file);
        gl_arc_info a = sniff_path(tu_corpus(rel), 0);
        cr_expect_str_eq(facts(&a), want[i].facts, "%s", want[i].file);
    }
}

static gl_arc_listing list_path(const char *path, size_t max, uint64_t max_bytes, int want_rc)
{
    loaded l;
    load(&l, path);
    gl_arc_listing out;
    gl_err err = {0};
    int rc = gl_arc_list(&l.r, max, max_bytes, &out, &err);
    cr_assert_eq(rc, want_rc, "%s: rc %d: %s", path, rc, err.msg);
    unload(&l);
    return out;
}

/* "name size [dir] [enc]" lines joined by ';'. */
static const char *entries_text(const gl_arc_listing *l)
{
    static gl_buf b;
    gl_buf_clear(&b);
    for (size_t i = 0; i < l->n; i++)
        gl_buf_printf(&b, "%s%s %lld%s%s", i ? ";" : "", l->entries[i].name, (long long)l->entries[i].size,
                      l->entries[i].dir ? " dir" : "", l->entries[i].encrypted ? " enc" : "");
    return gl_buf_cstr(&b);
}

Test(archive_sniff, corpus_listing)
{
    TU_REQUIRE_CORPUS();
    static const struct {
        const char *file, *format, *entries;
    } ok[] = {
        {"libarchive__7zip_encryption.7z", "7-Zip", "bar.txt 4 enc"},
        /* libarchive 3.6.2 does not flag RAR5 per-file encryption; the
         * sniffer's count (2 of 4) is the one to use */
        {"libarchive__rar5_encrypted.rar", "RAR5", "a.txt 18;b.txt 18;c.txt 18;d.txt 18"},
        {"libarchive__rar5_solid.rar", "RAR5",
         "test.bin 1200;test1.bin 4096;test2.bin 4096;test3.bin 4096;test4.bin 4096;test5.bin 4096;test6.bin 4096"},
        {"libarchive__rar_multivolume.part0003.rar", "RAR",
         "ppmd_lzss_conversion_test.txt 241647978;LibarchiveAddingTest.html 20111"},
        {"libarchive__rar_multivolume.part0004.rar", "RAR",
         "LibarchiveAddingTest.html 20111;testlink 0;testdir/test.txt 20;testdir/LibarchiveAddingTest.html 20111;"
         "testdir 0 dir;testemptydir 0 dir"},
        {"libarchive__zip_encryption_data.zip", "ZIP 5.1 (uncompressed)", "bar.txt 20 enc;foo.txt 20 enc"},
    };
    for (size_t i = 0; i < sizeof ok / sizeof ok[0]; i++) {
        char rel[160];
        snprintf(rel, sizeof rel, "dev/archives/%s", ok[i].file);
        gl_arc_listing l = list_path(tu_corpus(rel), 100, 0, 0);
        cr_expect(l.complete, "%s", ok[i].file);
        cr_expect_not(l.capped);
        cr_expect_not(l.headers_encrypted);
        cr_expect_str_eq(l.format, ok[i].format, "%s", ok[i].file);
        cr_expect_str_eq(entries_text(&l), ok[i].entries, "%s", ok[i].file);
        gl_arc_listing_free(&l);
    }
    static const char *const hidden[] = {"libarchive__7zip_encryption_header.7z",
                                         "libarchive__rar4_encrypted_filenames.rar",
                                         "libarchive__rar5_encrypted_filenames.rar"};
    for (size_t i = 0; i < sizeof hidden / sizeof hidden[0]; i++) {
        char rel[160];
        snprintf(rel, sizeof rel, "dev/archives/%s", hidden[i]);
        gl_arc_listing l = list_path(tu_corpus(rel), 100, 0, -1);
        cr_expect(l.headers_encrypted, "%s", hidden[i]);
        cr_expect_eq(l.n, 0);
        cr_expect_not(l.complete);
        gl_arc_listing_free(&l);
    }
}

/* ---- archives written by bsdtar at test time ---- */

static char *make_tree(void)
{
    char *dir = tu_tmpdir("archive_sniff");
    int rc = tu_runf(NULL, NULL,
                     "cd '%s' && mkdir -p src/docs && printf 'quarterly numbers\\n' > src/docs/report.xlsx && "
                     "printf 'hello\\n' > src/readme.txt && touch -d 2026-11-20T10:00:00Z src/readme.txt "
                     "src/docs/report.xlsx src/docs src",
                     dir);
    cr_assert_eq(rc, 0);
    return dir;
}

static char *made(const char *dir, const char *name, const char *cmd)
{
    int rc = tu_runf(NULL, NULL, "cd '%s' && %s", dir, cmd);
    cr_assert_eq(rc, 0, "%s", cmd);
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = gl_xmalloc(n);
    snprintf(p, n, "%s/%s", dir, name);
    return p;
}

/* a directory, a file in it and one beside it, in a fixed order */
#define SRC "-n -C src docs docs/report.xlsx readme.txt"
#define TREE_ENTRIES "docs/ 0 dir;docs/report.xlsx 18;readme.txt 6"

Test(archive_sniff, bsdtar_formats, .timeout = 60)
{
    static const struct {
        const char *name, *cmd, *facts, *format, *list;
    } cases[] = {
        {"ustar.tar", "bsdtar -cf ustar.tar --format ustar " SRC, "tar entries=3 enc=0 vol#=-1 ustar",
         "POSIX ustar format", TREE_ENTRIES},
        {"gnu.tar", "bsdtar -cf gnu.tar --format gnutar " SRC, "tar entries=3 enc=0 vol#=-1 gnu",
         "GNU tar format", TREE_ENTRIES},
        {"pax.tar", "bsdtar -cf pax.tar --format pax " SRC, "tar entries=3 enc=0 vol#=-1 pax",
         "POSIX pax interchange format", TREE_ENTRIES},
        {"v7.tar", "bsdtar -cf v7.tar --format v7 " SRC, "tar entries=3 enc=0 vol#=-1 v7", "tar (non-POSIX)",
         TREE_ENTRIES},
        {"t.tgz", "bsdtar -czf t.tgz " SRC, "gzip entries=0 enc=0 vol#=-1", "POSIX ustar format", TREE_ENTRIES},
        {"t.tbz", "bsdtar -cjf t.tbz " SRC, "bzip2 entries=0 enc=0 vol#=-1", "POSIX ustar format",
         TREE_ENTRIES},
        {"t.txz", "bsdtar -cJf t.txz " SRC, "xz entries=0 enc=0 vol#=-1", "POSIX ustar format", TREE_ENTRIES},
        {"t.tzst", "bsdtar --zstd -cf t.tzst " SRC, "zstd entries=0 enc=0 vol#=-1", "POSIX ustar format",
         TREE_ENTRIES},
        {"plain.zip", "bsdtar -cf plain.zip --format zip " SRC, "zip entries=3 enc=0 vol#=-1",
         "ZIP 2.0 (deflation)", TREE_ENTRIES},
        {"aes.zip", "bsdtar -cf aes.zip --format zip --options zip:encryption=aes256 --passphrase pw " SRC,
         "zip data-encrypted entries=3 enc=2 vol#=-1", "ZIP 2.0 (aes)",
         "docs/ 0 dir;docs/report.xlsx 18 enc;readme.txt 6 enc"},
        {"zc.zip", "bsdtar -cf zc.zip --format zip --options zip:encryption=zipcrypt --passphrase pw " SRC,
         "zip data-encrypted entries=3 enc=2 vol#=-1", "ZIP 2.0 (deflation)",
         "docs/ 0 dir;docs/report.xlsx 18 enc;readme.txt 6 enc"},
        /* bsdtar writes 7z with a compressed (encoded) header: the file
         * count then needs libarchive */
        {"s.7z", "bsdtar -cf s.7z --format 7zip " SRC, "7z entries=0 enc=0 vol#=-1 encoded-header", "7-Zip",
         "docs/report.xlsx 18;readme.txt 6;docs/ 0 dir"},
        {"raw.bz2", "bsdtar -cf raw.bz2 --format raw -j -C src readme.txt", "bzip2 entries=0 enc=0 vol#=-1", "raw",
         "data -1"},
        {"raw.xz", "bsdtar -cf raw.xz --format raw -J -C src readme.txt", "xz entries=0 enc=0 vol#=-1", "raw",
         "data -1"},
        {"raw.zst", "bsdtar -cf raw.zst --format raw --zstd -C src readme.txt", "zstd entries=0 enc=0 vol#=-1",
         "raw", "data -1"},
    };
    char *dir = make_tree();
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = made(dir, cases[i].name, cases[i].cmd);
        gl_arc_info a = sniff_path(path, 0);
        cr_expect_str_eq(facts(&a), cases[i].facts, "%s", cases[i].name);
        gl_arc_listing l = list_path(path, 100, 0, 0);
        cr_expect(l.complete, "%s", cases[i].name);
        cr_expect_str_eq(l.format, cases[i].format, "%s", cases[i].name);
        const char *got = entries_text(&l);
        cr_expect_str_eq(got, cases[i].list, "%s: %s", cases[i].name, got);
        gl_arc_listing_free(&l);
        free(path);
    }
}

/* The gzip header's original name and size (python's gzip writes FNAME). */
Test(archive_sniff, gzip_inner_name)
{
    char *dir = make_tree();
    char *path = made(dir, "x.dat",
                      "/usr/bin/python3 -c \"import gzip; g = gzip.GzipFile(filename='ntds.dit', mode='wb', "
                      "fileobj=open('x.dat', 'wb'), mtime=0); g.write(b'x' * 70000); g.close()\"");
    gl_arc_info a = sniff_path(path, 0);
    cr_expect_eq(a.format, GL_ARC_GZIP);
    cr_expect_str_eq(a.inner_name, "ntds.dit");
    cr_expect_eq(a.inner_size, 70000);
    gl_arc_listing l = list_path(path, 10, 0, 0);
    cr_expect_str_eq(entries_text(&l), "ntds.dit -1");
    gl_arc_listing_free(&l);
}

Test(archive_sniff, content_not_name)
{
    char *dir = make_tree();
    static const struct {
        const char *cmd, *name, *facts;
    } cases[] = {
        {"bsdtar -cf invoice.pdf --format zip " SRC, "invoice.pdf", "zip entries=3 enc=0 vol#=-1"},
        {"bsdtar -cf notes.txt --format 7zip " SRC, "notes.txt", "7z entries=0 enc=0 vol#=-1 encoded-header"},
        {"bsdtar -czf svchost.log " SRC, "svchost.log", "gzip entries=0 enc=0 vol#=-1"},
        {"bsdtar -cf 'Windows Update.cab' --format pax " SRC, "Windows Update.cab",
         "tar entries=3 enc=0 vol#=-1 pax"},
        {"cp src/readme.txt backup.zip", "backup.zip", "none entries=0 enc=0 vol#=-1"},
        {": > empty.rar", "empty.rar", "none entries=0 enc=0 vol#=-1"},
        {"printf 'Rar!\\032\\007' > short.rar", "short.rar", "none entries=0 enc=0 vol#=-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *path = made(dir, cases[i].name, cases[i].cmd);
        gl_arc_info a = sniff_path(path, GL_ARC_SNIFF_SFX);
        cr_expect_str_eq(facts(&a), cases[i].facts, "%s", cases[i].name);
        free(path);
    }
}

/* A 7z and a zip behind a 40 KiB executable stub: found with the SFX flag
 * only, at the stub's end; libarchive lists the zip through the stub. */
Test(archive_sniff, self_extracting)
{
    char *dir = make_tree();
    char *sfx7 = made(dir, "setup.exe",
                      "bsdtar -cf s.7z --format 7zip " SRC " && { printf 'MZ'; head -c 40958 /dev/zero; cat s.7z; } "
                      "> setup.exe");
    char *sfxz = made(dir, "update.exe",
                      "bsdtar -cf p.zip --format zip " SRC " && { printf 'MZ'; head -c 40958 /dev/zero; cat p.zip; } "
                      "> update.exe");
    gl_arc_info a = sniff_path(sfx7, 0);
    cr_expect_eq(a.format, GL_ARC_NONE);
    a = sniff_path(sfx7, GL_ARC_SNIFF_SFX);
    cr_expect_str_eq(facts(&a), "7z sfx entries=0 enc=0 vol#=-1 encoded-header");
    cr_expect_eq(a.offset, 40960);
    a = sniff_path(sfxz, GL_ARC_SNIFF_SFX);
    cr_expect_str_eq(facts(&a), "zip sfx entries=3 enc=0 vol#=-1");
    cr_expect_eq(a.offset, 40960);
    gl_arc_listing l = list_path(sfxz, 100, 0, 0);
    cr_expect_eq(l.n, 3);
    gl_arc_listing_free(&l);
}

/* A 7z cut into byte-split parts (as 7-Zip -v writes name.7z.001...): the
 * first part's header points past its end. */
Test(archive_sniff, split_7z_first_part)
{
    char *dir = make_tree();
    char *part = made(dir, "loot.7z.001",
                      "head -c 5000 /dev/urandom > src/rand.bin && "
                      "bsdtar -cf s.7z --format 7zip -C src rand.bin readme.txt && "
                      "split -b 2048 -d -a 3 --numeric-suffixes=1 s.7z loot.7z.");
    gl_arc_info a = sniff_path(part, 0);
    cr_expect_str_eq(facts(&a), "7z truncated entries=0 enc=0 vol#=-1");
    unsigned num;
    size_t stem;
    cr_expect_eq(gl_arc_volume_name(part, &num, &stem), GL_ARC_VOLNAME_7Z_NNN);
    cr_expect_eq(num, 1);
    cr_expect_eq(stem, strlen(part) - 3);
    free(part);
}

Test(archive_sniff, volume_names)
{
    static const struct {
        const char *name;
        gl_arc_volname kind;
        unsigned number;
        size_t stem;
    } cases[] = {
        {"loot.part1.rar", GL_ARC_VOLNAME_PART_RAR, 1, 9},
        {"C:\\PerfLogs\\x.PART0012.RAR", GL_ARC_VOLNAME_PART_RAR, 12, 18},
        {"loot.r00", GL_ARC_VOLNAME_RNN, 0, 5},
        {"loot.r17", GL_ARC_VOLNAME_RNN, 17, 5},
        {"loot.s01", GL_ARC_VOLNAME_RNN, 101, 5},
        {"loot.7z.001", GL_ARC_VOLNAME_7Z_NNN, 1, 8},
        {"loot.7Z.0042", GL_ARC_VOLNAME_7Z_NNN, 42, 8},
        {"loot.z01", GL_ARC_VOLNAME_ZNN, 1, 5},
        {"loot.zip.003", GL_ARC_VOLNAME_ZIP_NNN, 3, 9},
        {"loot.001", GL_ARC_VOLNAME_NNN, 1, 5},
        {"loot.rar", GL_ARC_VOLNAME_NONE, 0, 0},
        {"loot.part.rar", GL_ARC_VOLNAME_NONE, 0, 0},
        {"report2024.rar", GL_ARC_VOLNAME_NONE, 0, 0},
        {"loot.r1", GL_ARC_VOLNAME_NONE, 0, 0},
        {"loot.zip", GL_ARC_VOLNAME_NONE, 0, 0},
        {"x.mp3", GL_ARC_VOLNAME_NONE, 0, 0},
        {"01", GL_ARC_VOLNAME_NONE, 0, 0},
        {"", GL_ARC_VOLNAME_NONE, 0, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        unsigned num = 777;
        size_t stem = 777;
        gl_arc_volname k = gl_arc_volume_name(cases[i].name, &num, &stem);
        cr_expect_eq(k, cases[i].kind, "%s: kind %d", cases[i].name, k);
        if (k != GL_ARC_VOLNAME_NONE) {
            cr_expect_eq(num, cases[i].number, "%s: number %u", cases[i].name, num);
            cr_expect_eq(stem, cases[i].stem, "%s: stem %zu", cases[i].name, stem);
        } else {
            cr_expect_eq(num, 777);
        }
    }
    cr_expect_eq(gl_arc_volume_name("a.part2.rar", NULL, NULL), GL_ARC_VOLNAME_PART_RAR);
}

/* ---- zip volume markers and hand-made inputs ---- */

static void put16(uint8_t *p, uint16_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
}

static void put32(uint8_t *p, uint32_t v)
{
    put16(p, (uint16_t)v);
    put16(p + 2, (uint16_t)(v >> 16));
}

/* A zip from bsdtar, read into l. */
static void bsdtar_zip(loaded *l)
{
    char *dir = make_tree();
    char *path = made(dir, "z.zip", "bsdtar -cf z.zip --format zip " SRC);
    load(l, path);
    free(path);
}

Test(archive_sniff, zip_split_markers)
{
    loaded l;
    bsdtar_zip(&l);
    uint8_t *p = (uint8_t *)l.data.data;
    size_t n = l.data.len, eocd = n - 22;
    cr_assert_eq(p[eocd], 'P');
    /* the last part of a 3-part split set: disk 2, directory on disk 2 */
    put16(p + eocd + 4, 2);
    put16(p + eocd + 6, 2);
    gl_arc_info a = sniff_reader(&l.r, 0, 0);
    cr_expect_str_eq(facts(&a), "zip volume last entries=3 enc=0 vol#=2");

    /* the first part: the spanning marker, then a local header, no end record */
    loaded first;
    gl_buf b = {0};
    gl_buf_append(&b, "PK\x07\x08", 4);
    gl_buf_append(&b, p, 200);
    load_bytes(&first, b.data, b.len);
    a = sniff_reader(&first.r, 0, 0);
    cr_expect_str_eq(facts(&a), "zip volume first truncated entries=0 enc=0 vol#=0");
    gl_buf_free(&b);
    unload(&first);
    unload(&l);
}

Test(archive_sniff, zip_hostile_end_record)
{
    loaded l;
    bsdtar_zip(&l);
    uint8_t *p = (uint8_t *)l.data.data;
    size_t eocd = l.data.len - 22;
    gl_err err = {0};
    gl_arc_info a;
    /* directory offset past the end */
    put32(p + eocd + 16, 0xFFFFFF00u);
    cr_expect_eq(gl_arc_sniff(&l.r, 0, &a, &err), -1);
    cr_expect(a.damaged);
    cr_expect_eq(a.format, GL_ARC_ZIP);
    cr_expect_not_null(strstr(err.msg, "zip central directory not where the end record says"), "%s", err.msg);
    /* zip64 markers without a zip64 record */
    put32(p + eocd + 16, 0xFFFFFFFFu);
    put16(p + eocd + 10, 0xFFFF);
    gl_arc_sniff(&l.r, 0, &a, &err);
    cr_expect_eq(a.format, GL_ARC_ZIP);
    cr_expect_eq(a.entries, 0xFFFF);
    /* comment length pointing past the end: still found (the last fitting record) */
    put16(p + eocd + 20, 0xFFFF);
    gl_arc_sniff(&l.r, 0, &a, &err);
    cr_expect_eq(a.format, GL_ARC_ZIP);
    unload(&l);
}

/* PEA headers as PeaZip writes them: archive header, then "\0\0POD\0",
 * compression, ECC, stream control, object control. */
static void pea_header(uint8_t h[32], uint8_t stream_control)
{
    static const uint8_t archive[10] = {0xEA, 1, 6, 0x02, 0, 1, 1, 1, 0, 0};
    static const uint8_t pod[6] = {0, 0, 'P', 'O', 'D', 0};
    memset(h, 0, 32);
    memcpy(h, archive, sizeof archive);
    memcpy(h + 10, pod, sizeof pod);
    h[16] = 2;
    h[18] = stream_control;
    h[19] = 0x02;
}

Test(archive_sniff, pea_stream_control)
{
    uint8_t h[32];
    loaded l;
    pea_header(h, 0x02);
    load_bytes(&l, h, sizeof h);
    gl_arc_info a = sniff_reader(&l.r, 0, 0);
    cr_expect_str_eq(facts(&a), "pea entries=0 enc=0 vol#=-1");
    unload(&l);
    pea_header(h, 0x41); /* AES-256 EAX */
    load_bytes(&l, h, sizeof h);
    a = sniff_reader(&l.r, 0, 0);
    cr_expect_str_eq(facts(&a), "pea headers-encrypted data-encrypted entries=0 enc=0 vol#=-1");
    unload(&l);
    pea_header(h, 0x30); /* HMAC: authenticated, not hidden */
    load_bytes(&l, h, sizeof h);
    a = sniff_reader(&l.r, 0, 0);
    cr_expect_str_eq(facts(&a), "pea entries=0 enc=0 vol#=-1 hmac");
    unload(&l);
    h[12] = 'X'; /* no POD trigger: not PEA */
    load_bytes(&l, h, sizeof h);
    a = sniff_reader(&l.r, 0, 0);
    cr_expect_eq(a.format, GL_ARC_NONE);
    unload(&l);
}

Test(archive_sniff, stream_magic_needs_more_than_magic)
{
    static const struct {
        const char *bytes;
        size_t n;
        gl_arc_format want;
    } cases[] = {
        {"BZh91AY&SY\0\0", 12, GL_ARC_BZIP2},
        {"BZh01AY&SY\0\0", 12, GL_ARC_NONE},     /* block size '0' */
        {"BZh9garbage!", 12, GL_ARC_NONE},       /* no block magic */
        {"\xFD" "7zXZ\0\0\x01\x69\x22\xDE\x36", 12, GL_ARC_XZ},
        {"\xFD" "7zXZ\0\0\x01\0\0\0\0", 12, GL_ARC_NONE}, /* flags CRC wrong */
        {"\x28\xB5\x2F\xFD\x20\0", 6, GL_ARC_ZSTD},
        {"\x28\xB5\x2F\xFD\x28\0", 6, GL_ARC_NONE},       /* reserved bit set */
        {"\x1F\x8B\x08\xE0" "0000000000000000", 20, GL_ARC_NONE}, /* reserved gzip flags */
        {"\x1F\x8B\x07\x00" "0000000000000000", 20, GL_ARC_NONE}, /* not deflate */
        /* a skippable frame, then a zstd frame */
        {"\x50\x2A\x4D\x18\x02\0\0\0ab\x28\xB5\x2F\xFD\x20\0", 16, GL_ARC_ZSTD},
        {"\x50\x2A\x4D\x18\xFF\xFF\xFF\xFF", 8, GL_ARC_NONE},  /* skippable frame past the end */
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        loaded l;
        load_bytes(&l, cases[i].bytes, cases[i].n);
        gl_arc_info a = sniff_reader(&l.r, 0, 0);
        cr_expect_eq(a.format, cases[i].want, "case %zu: %s", i, gl_arc_format_name(a.format));
        unload(&l);
    }
}

Test(archive_sniff, tar_hostile_sizes)
{
    char *dir = make_tree();
    char *path = made(dir, "u.tar", "bsdtar -cf u.tar --format ustar " SRC);
    loaded l;
    load(&l, path);
    uint8_t *h = (uint8_t *)l.data.data;
    /* first entry's size: 077777777777 (8 GiB) in a 4 KiB file */
    memcpy(h + 124, "77777777777", 11);
    unsigned sum = 0;
    memset(h + 148, ' ', 8);
    for (int i = 0; i < 512; i++)
        sum += h[i];
    snprintf((char *)h + 148, 8, "%06o", sum);
    gl_arc_info a = sniff_reader(&l.r, 0, 0);
    cr_expect_str_eq(facts(&a), "tar truncated entries=1 enc=0 vol#=-1 ustar");
    /* a damaged checksum on the first header: not a tar at all */
    h[0] ^= 1;
    a = sniff_reader(&l.r, 0, 0);
    cr_expect_eq(a.format, GL_ARC_NONE);
    unload(&l);
    free(path);
}

/* Every prefix of every corpus archive, and every single
 * byte flip in their first 96 bytes: never a crash, never a read past the
 * input (ASan in make test-san), and cut inputs say so. */
Test(archive_sniff, hostile_prefixes_and_flips, .timeout = 120)
{
    TU_REQUIRE_CORPUS();
    char **paths;
    size_t n = tu_list_dir(tu_corpus("dev/archives"), NULL, &paths);
    cr_assert_eq(n, 11);
    size_t cut_seen = 0;
    for (size_t i = 0; i < n; i++) {
        loaded l;
        load(&l, paths[i]);
        size_t full = l.data.len;
        gl_arc_info whole = sniff_reader(&l.r, 0, 0);
        for (size_t len = 0; len < full; len += len < 1024 ? 1 : 997) {
            gl_mem_reader m;
            gl_reader r = gl_reader_memory(&m, l.data.data, len, paths[i]);
            gl_arc_info a;
            gl_err err;
            gl_arc_sniff(&r, GL_ARC_SNIFF_SFX, &a, &err);
            if (a.format == whole.format && len > 64 && a.truncated)
                cut_seen++;
        }
        uint8_t *p = (uint8_t *)l.data.data;
        for (size_t at = 0; at < 96 && at < full; at++) {
            for (int bit = 0; bit < 8; bit++) {
                p[at] ^= (uint8_t)(1 << bit);
                gl_arc_info a;
                gl_err err;
                gl_arc_sniff(&l.r, GL_ARC_SNIFF_SFX, &a, &err);
                p[at] ^= (uint8_t)(1 << bit);
            }
        }
        unload(&l);
    }
    cr_expect_gt(cut_seen, 1000);
}

Test(archive_sniff, listing_caps)
{
    char *dir = make_tree();
    char *tar = made(dir, "u.tar", "bsdtar -cf u.tar --format ustar " SRC);
    gl_arc_listing l = list_path(tar, 2, 0, 0);
    cr_expect_eq(l.n, 2);
    cr_expect(l.capped);
    cr_expect_not(l.complete);
    gl_arc_listing_free(&l);
    /* a 1 MiB random member in a gzip'd tar, with a 64 KiB byte cap */
    char *tgz = made(dir, "big.tgz",
                     "head -c 1048576 /dev/urandom > src/big.bin && bsdtar -czf big.tgz -C src big.bin readme.txt");
    loaded in;
    load(&in, tgz);
    gl_arc_listing c;
    gl_err err = {0};
    cr_expect_eq(gl_arc_list(&in.r, 100, 65536, &c, &err), -1);
    cr_expect(c.capped);
    cr_expect_eq(c.n, 1);
    cr_expect_not_null(strstr(err.msg, "read cap of 65536 bytes reached"), "%s", err.msg);
    gl_arc_listing_free(&c);
    unload(&in);
}

/* Nothing to list: an empty file, and plain text (which libarchive's raw
 * reader would otherwise take as one entry). */
Test(archive_sniff, listing_refuses_non_archives)
{
    loaded l;
    gl_arc_listing out;
    gl_err err = {0};
    load_bytes(&l, "", 0);
    cr_expect_eq(gl_arc_list(&l.r, 10, 0, &out, &err), -1);
    cr_expect_str_eq(err.msg, "test-input: libarchive: Unrecognized archive format");
    cr_expect_eq(out.n, 0);
    cr_expect_not(out.headers_encrypted);
    gl_arc_listing_free(&out);
    unload(&l);
    load_bytes(&l, "quarterly numbers\n", 18);
    cr_expect_eq(gl_arc_list(&l.r, 10, 0, &out, &err), -1);
    cr_expect_str_eq(err.msg, "test-input: not an archive");
    cr_expect_eq(out.n, 0);
    gl_arc_listing_free(&out);
    unload(&l);
}
