/* Unit tests for the shared core: JSON writer, text conversions, name
 * folding and globbing, profiles, bundle names and source path rules. */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "collect.h"
#include "fold.h"
#include "json.h"
#include "prefault.h"
#include "profile.h"
#include "source.h"
#include "testutil.h"
#include "text.h"

Test(core, json_escapes_and_keeps_invalid_bytes)
{
    gl_buf out = {0};
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "s", "a\"b\\c\n\x01\xc3\xa9\xff");
    gl_json_key(&j, "arr");
    gl_json_arr_begin(&j);
    gl_json_int(&j, -5);
    gl_json_uint(&j, 18446744073709551615ULL);
    gl_json_null(&j);
    gl_json_bool(&j, true);
    gl_json_hex(&j, "\x00\xab", 2);
    gl_json_arr_end(&j);
    gl_json_obj_end(&j);
    cr_assert_str_eq(out.data, "{\"s\":\"a\\\"b\\\\c\\n\\u0001\xc3\xa9\\u00ff\",\"arr\":[-5,18446744073709551615,null,true,\"00ab\"]}");
}

/* The escaper scans eight bytes at a time: every special byte must be
 * caught at every position of a word and of the tail. */
Test(core, json_escape_catches_special_bytes_at_every_position)
{
    static const struct {
        char byte;
        const char *escaped;
    } specials[] = {{'"', "\\\""}, {'\\', "\\\\"}, {'\n', "\\n"}, {'\x1f', "\\u001f"},
                    {'\x00', "\\u0000"}, {'\x7f', "\x7f"}, {' ', " "}, {'\xff', "\\u00ff"}};
    for (size_t s = 0; s < sizeof specials / sizeof *specials; s++)
        for (size_t len = 1; len <= 19; len++)
            for (size_t at = 0; at < len; at++) {
                char in[20];
                memset(in, 'a', len);
                in[at] = specials[s].byte;
                gl_buf out = {0}, want = {0};
                gl_json_escape(&out, in, len);
                gl_buf_putc(&want, '"');
                for (size_t i = 0; i < len; i++)
                    gl_buf_puts(&want, i == at ? specials[s].escaped : "a");
                gl_buf_putc(&want, '"');
                cr_assert_str_eq(out.data, want.data, "byte 0x%02x at %zu of %zu", (unsigned char)specials[s].byte,
                                 at, len);
                gl_buf_free(&out);
                gl_buf_free(&want);
            }
}

/* Every byte value through the hex table, against printf. */
Test(core, json_hex_every_byte)
{
    unsigned char all[256];
    gl_buf want = {0}, out = {0};
    gl_buf_putc(&want, '"');
    for (int b = 0; b < 256; b++) {
        all[b] = (unsigned char)b;
        gl_buf_printf(&want, "%02x", b);
    }
    gl_buf_putc(&want, '"');
    gl_json j;
    gl_json_init(&j, &out);
    gl_json_hex(&j, all, sizeof all);
    cr_assert_str_eq(out.data, want.data);
    gl_buf_free(&want);
    gl_buf_free(&out);
}

Test(core, utf16_conversion_escapes_lone_surrogates)
{
    /* "A", U+00E9, U+1F600 (surrogate pair), lone high surrogate, "Z" */
    const uint8_t in[] = {'A', 0, 0xE9, 0, 0x3D, 0xD8, 0x00, 0xDE, 0x00, 0xD8, 'Z', 0};
    gl_buf out = {0};
    cr_assert_not(gl_utf16le_to_utf8(&out, in, sizeof in, false));
    cr_assert_str_eq(out.data, "A\xc3\xa9\xf0\x9f\x98\x80\\uD800Z");
    gl_buf_clear(&out);
    const uint8_t nul[] = {'h', 0, 'i', 0, 0, 0, 'x', 0};
    cr_assert(gl_utf16le_to_utf8(&out, nul, sizeof nul, true));
    cr_assert_str_eq(out.data, "hi");
}

Test(core, filetime_to_iso)
{
    char iso[GL_TIME_STRLEN];
    /* 2026-11-25T10:15:00.1234567Z */
    uint64_t ft = (uint64_t)(1795601700LL + 11644473600LL) * 10000000ULL + 1234567ULL;
    gl_filetime_iso(ft, 7, iso);
    cr_assert_str_eq(iso, "2026-11-25T10:15:00.1234567Z");
    gl_filetime_iso(ft, 0, iso);
    cr_assert_str_eq(iso, "2026-11-25T10:15:00Z");
    gl_filetime_iso(0, 0, iso);
    cr_assert_str_eq(iso, "1601-01-01T00:00:00Z");
    gl_unixtime_iso(-1, 0, 0, iso);
    cr_assert_str_eq(iso, "1969-12-31T23:59:59Z");
    char compact[32];
    gl_utc_compact((time_t)1795601700, compact);
    cr_assert_str_eq(compact, "20261125T101500Z");
}

Test(core, sid_and_guid)
{
    const uint8_t sid[] = {1, 5, 0, 0, 0, 0, 0, 5, 21, 0, 0, 0, 0x39, 0x30, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 0xf4, 1, 0, 0};
    gl_buf out = {0};
    cr_assert(gl_sid_format(&out, sid, sizeof sid));
    cr_assert_str_eq(out.data, "S-1-5-21-12345-1-2-500");
    gl_buf_clear(&out);
    cr_assert_not(gl_sid_format(&out, sid, 12), "count says 5 sub-authorities but only 1 fits");
    const uint8_t g[16] = {0x8a, 0x95, 0xd9, 0x11, 0x07, 0xc5, 0xf3, 0x4e, 0xb3, 0xf5, 0x2f, 0xd9, 0xdf, 0xbd, 0x2c, 0x78};
    char gs[39];
    gl_guid_format(gs, g);
    cr_assert_str_eq(gs, "{11D9958A-C507-4EF3-B3F5-2FD9DFBD2C78}");
}

Test(core, case_folding_and_glob)
{
    cr_assert(gl_name_equal("SOFTWARE", "software"));
    cr_assert(gl_name_equal("R\xc3\xa9sum\xc3\xa9", "R\xc3\x89SUM\xc3\x89"));    /* é / É */
    cr_assert(gl_name_equal("\xd0\xbf\xd1\x80\xd0\xb8", "\xd0\x9f\xd0\xa0\xd0\x98")); /* при / ПРИ */
    cr_assert_not(gl_name_equal("SYSTEM", "SYSTEM.LOG1"));
    cr_assert(gl_glob_match("*.evtx", "Security.EVTX"));
    cr_assert(gl_glob_match("SYSTEM.LOG?", "system.log1"));
    cr_assert_not(gl_glob_match("SYSTEM.LOG?", "SYSTEM.LOG"));
    cr_assert(gl_glob_match("$I*", "$IA1B2C3.rar"));
    cr_assert(gl_glob_match("*a*b*c*", "xxaxxbxxcxx"));
    cr_assert_not(gl_glob_match("*a*b*c*", "xxaxxcxxbxx"));
    cr_assert(gl_glob_match("*", ""));
}

Test(core, size_parsing)
{
    uint64_t v;
    cr_assert_eq(gl_parse_size("512", &v), 0);
    cr_assert_eq(v, 512);
    cr_assert_eq(gl_parse_size("4GiB", &v), 0);
    cr_assert_eq(v, 4ULL << 30);
    cr_assert_eq(gl_parse_size("64k", &v), 0);
    cr_assert_eq(v, 65536);
    cr_assert_eq(gl_parse_size("-1", &v), -1);
    cr_assert_eq(gl_parse_size("12X", &v), -1);
    cr_assert_eq(gl_parse_size("99999999999T", &v), -1);
}

Test(core, profile_parsing)
{
    gl_err err = {0};
    gl_profile *p = gl_profile_parse("# c\ndescription Test one\ninclude quick\nmodule files\n"
                                     "set files.max_file_size 1GiB\n"
                                     "target extra \"C:\\Program Files*\\X\\*.log\" max_size=10M\n",
                                     "t", "t.profile", &err);
    cr_assert_not_null(p, "%s", err.msg);
    cr_assert_str_eq(p->description, "Test one");
    /* quick's modules in its order (files first); the repeated `module
     * files` counts once whatever else quick runs */
    cr_assert(p->n_modules >= 2);
    cr_assert_str_eq(p->modules[0], "files");
    cr_assert_str_eq(p->modules[1], "logs");
    size_t files = 0;
    for (size_t i = 0; i < p->n_modules; i++)
        files += strcmp(p->modules[i], "files") == 0;
    cr_assert_eq(files, 1, "the repeated `module files` counts once");
    cr_assert_str_eq(gl_profile_setting(p, "files.max_file_size"), "1GiB", "later lines override includes");
    const gl_target *last = &p->targets[p->n_targets - 1];
    cr_assert_str_eq(last->name, "extra");
    cr_assert_str_eq(last->pattern, "C:\\Program Files*\\X\\*.log");
    cr_assert_eq(last->max_size, 10u << 20);
    gl_profile_free(p);

    cr_assert_null(gl_profile_parse("modul files\n", "t", "bad.profile", &err));
    cr_assert_str_eq(err.msg, "bad.profile:1: unknown directive 'modul' (expected description, include, module, set or target)");
    cr_assert_null(gl_profile_parse("description x\ninclude nothere\n", "t", "bad.profile", &err));
    cr_assert_str_eq(err.msg, "bad.profile:2: include 'nothere': no such built-in profile");
    cr_assert_null(gl_profile_parse("target a b max_size=huge\n", "t", "bad.profile", &err));
    cr_assert_str_eq(err.msg, "bad.profile:1: unknown target option 'max_size=huge' (expected max_size=<size>)");
}

Test(core, builtin_profiles_load)
{
    const char *names[] = {"quick", "standard", "full"};
    for (size_t i = 0; i < 3; i++) {
        gl_err err = {0};
        gl_profile *p = gl_profile_load(names[i], &err);
        cr_assert_not_null(p, "%s: %s", names[i], err.msg);
        cr_assert_gt(p->n_targets, 10);
        gl_profile_free(p);
    }
}

Test(core, bundle_name_template)
{
    char out[256];
    gl_expand_name("{host}_{utc}", "WS01", (time_t)1795601700, "standard", "dir", out, sizeof out);
    cr_assert_str_eq(out, "WS01_20261125T101500Z");
    gl_expand_name("{date}-{profile}-{source}-{host}", "bad/host name", (time_t)1795601700, "quick", "live", out, sizeof out);
    cr_assert_str_eq(out, "20261125-quick-live-bad_host_name");
    gl_expand_name("../{nope}", "h", 0, "p", "s", out, sizeof out);
    cr_assert_str_eq(out, "..__nope_"); /* unknown fields are kept, unsafe characters replaced */
}

static int count_cb(void *ctx, const gl_file_info *info)
{
    gl_buf *b = ctx;
    gl_buf_printf(b, "%s|", info->path);
    return 0;
}

Test(core, source_paths)
{
    char *root = tu_tmpdir("core-source");
    gl_buf p = {0};
    gl_buf_printf(&p, "mkdir -p '%s/Windows/System32/config' && printf hive > '%s/Windows/System32/config/SYSTEM'"
                      " && ln -s /etc '%s/Windows/link'", root, root, root);
    cr_assert_eq(tu_run(p.data, NULL, NULL), 0);
    gl_buf spec = {0};
    gl_buf_printf(&spec, "dir:%s", root);
    gl_err err = {0};
    gl_source *src = gl_source_open(spec.data, &err);
    cr_assert_not_null(src, "%s", err.msg);
    gl_file *f = gl_source_open_file(src, "c:/WINDOWS\\system32\\Config\\system", &err);
    cr_assert_not_null(f, "%s", err.msg);
    cr_assert_str_eq(gl_file_get_info(f)->path, "C:\\Windows\\System32\\config\\SYSTEM");
    cr_assert_eq(gl_file_get_info(f)->size, 4);
    gl_file_close(f);
    cr_assert_null(gl_source_open_file(src, "Windows\\..\\..\\etc\\passwd", &err));
    cr_assert_str_eq(err.msg, "Windows\\..\\..\\etc\\passwd: '..' is not allowed in evidence paths");
    cr_assert_null(gl_source_open_file(src, "Windows\\link\\passwd", &err));
    cr_assert_str_eq(err.msg, "Windows\\link\\passwd: 'link' is a link to '/etc'; links are not followed");
    gl_buf seen = {0};
    cr_assert_eq(gl_source_glob(src, "**\\SYS*", count_cb, &seen, &err), 0);
    cr_assert_str_eq(seen.data, "C:\\Windows\\System32|C:\\Windows\\System32\\config\\SYSTEM|");
    gl_source_close(src);
    cr_assert_null(gl_source_open("tape:/dev/st0", &err));
    cr_assert_str_eq(err.msg, "unknown source 'tape:/dev/st0': expected live, dir:PATH or bundle:FILE");
}

/* gl_copy (short copies as overlapping fixed-size moves, long ones in
 * 16-byte steps or by memcpy) copies exactly n bytes, at every length
 * and alignment, and writes nothing before or after them. */
Test(core, copy_every_length_and_alignment)
{
    unsigned char src[600], dst[640], want[640];
    for (size_t i = 0; i < sizeof src; i++)
        src[i] = (unsigned char)(i * 7 + 3);
    for (size_t n = 0; n <= 520; n++)
        for (size_t align = 0; align < 8; align++) {
            memset(dst, 0xee, sizeof dst);
            memset(want, 0xee, sizeof want);
            memcpy(want + 16 + align, src + align, n);
            gl_copy(dst + 16 + align, src + align, n);
            cr_assert(!memcmp(dst, want, sizeof dst), "length %zu, alignment %zu", n, align);
        }
}

/* gl_xzalloc gives n zeroed elements, also after the allocator handed the
 * same memory out dirty before. */
Test(core, zalloc_is_zeroed)
{
    for (int round = 0; round < 2; round++) {
        unsigned char *p = gl_xzalloc(3, 100000);
        for (size_t i = 0; i < 300000; i++)
            cr_assert_eq(p[i], 0, "byte %zu (round %d)", i, round);
        memset(p, 0xa5, 300000);
        free(p);
    }
}

/* gl_big_alloc gives n writable bytes on either side of GL_BIG_MIN; on
 * Linux outside AddressSanitizer the big ones start on a 2 MiB boundary
 * (a huge page). */
Test(core, big_alloc_holds_what_is_written)
{
    const size_t sizes[] = {1, GL_BIG_MIN - 1, GL_BIG_MIN, ((size_t)3 << 20) + 5};
    for (size_t k = 0; k < sizeof sizes / sizeof *sizes; k++) {
        size_t n = sizes[k];
        unsigned char *p = gl_xbig_alloc(n);
        for (size_t i = 0; i < n; i++)
            p[i] = (unsigned char)(i * 13 + k);
        for (size_t i = 0; i < n; i++)
            cr_assert_eq(p[i], (unsigned char)(i * 13 + k), "size %zu byte %zu", n, i);
#if defined(__linux__) && !defined(__SANITIZE_ADDRESS__)
        if (n >= GL_BIG_MIN)
            cr_assert_eq((uintptr_t)p % ((uintptr_t)2 << 20), 0, "size %zu at %p", n, (void *)p);
#endif
        gl_big_free(p, n);
    }
}
