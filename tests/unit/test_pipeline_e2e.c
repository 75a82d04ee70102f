/* End-to-end: collect from a generated tree, verify, extract with
 * independent tools, tamper, and check every exit code of the contract. */
#include <criterion/criterion.h>
#include <cjson/cJSON.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "sha256.h"
#include "testutil.h"

#define NONASCII_DIR "Users/jdoe/Documents/R\xc3\xa9sum\xc3\xa9 \xe2\x80\x93 \xc3\x9cn\xc3\xaf c\xc3\xb8" \
                     "d\xc3\xa9 \xe6\x97\xa5\xe6\x9c\xac"

static void write_file(const char *dir, const char *rel, const char *content)
{
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/%s", dir, rel);
    /* create parents */
    for (char *p = path.data + strlen(dir) + 1; *p; p++) {
        if (*p == '/') {
            *p = '\0';
            mkdir(path.data, 0755);
            *p = '/';
        }
    }
    FILE *f = fopen(path.data, "wb");
    cr_assert_not_null(f, "cannot create %s: %s", path.data, strerror(errno));
    fputs(content, f);
    fclose(f);
    gl_buf_free(&path);
}

/* A 300+ character path: nested directories of long names. */
static char *long_rel_path(void)
{
    gl_buf b = {0};
    gl_buf_puts(&b, "Users/jdoe/AppData/Local");
    for (int i = 0; i < 6; i++)
        gl_buf_printf(&b, "/very_long_directory_name_number_%d_padding_padding_padding", i);
    gl_buf_puts(&b, "/deep_file.txt");
    cr_assert_gt(b.len, 300);
    return b.data;
}

typedef struct tree {
    char *root;  /* scratch dir */
    char *src;   /* the "C:" drive */
    char *out;   /* output dir, inside the source to prove it is never read */
    char *profile;
} tree;

static tree make_tree(const char *tag, const char *probe_mode)
{
    tree t;
    t.root = tu_tmpdir(tag);
    cr_assert_not_null(t.root);
    gl_buf b = {0};
    gl_buf_printf(&b, "%s/drive", t.root);
    t.src = b.data;
    mkdir(t.src, 0755);
    write_file(t.src, "Windows/win.ini", "[fonts]\r\n");
    write_file(t.src, "Windows/System32/config/SYSTEM", "not really a hive\n");
    write_file(t.src, NONASCII_DIR "/notes.txt", "staging notes\n");
    write_file(t.src, long_rel_path(), "deep content\n");
    write_file(t.src, "Users/jdoe/Desktop/ok.txt", "desktop\n");
    gl_buf link = {0};
    gl_buf_printf(&link, "%s/Users/jdoe/Desktop/escape.txt", t.src);
    cr_assert_eq(symlink("/etc/hostname", link.data), 0);
    gl_buf_free(&link);
    gl_buf o = {0};
    gl_buf_printf(&o, "%s/Users/out", t.src);
    t.out = o.data;
    mkdir(t.out, 0755);
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/test.profile", t.root);
    t.profile = p.data;
    FILE *f = fopen(t.profile, "w");
    fprintf(f, "description e2e test\nmodule files\nmodule pipeline_probe\n"
               "set pipeline_probe.path C:\\WINDOWS\\WIN.INI\nset pipeline_probe.mode %s\n"
               "target users \"C:\\Users\\**\\*\"\ntarget hive C:\\windows\\system32\\CONFIG\\system\n",
            probe_mode);
    fclose(f);
    return t;
}

static char *collect(const tree *t, int expect_rc, const char *name)
{
    gl_buf out = {0}, err = {0};
    int rc = tu_runf(&out, &err, "'%s' collect -q --source 'dir:%s' --profile '%s' --output '%s' --name %s",
                     tu_gleaner(), t->src, t->profile, t->out, name);
    cr_assert_eq(rc, expect_rc, "collect exit %d (want %d); stderr: %s", rc, expect_rc, err.data);
    gl_buf path = {0};
    gl_buf_printf(&path, "%s/%s.tar.zst", t->out, name);
    /* stdout: "<sha256>  <bundle path>" */
    cr_assert_eq(out.len, 64 + 2 + path.len + 1, "stdout: %s", out.data);
    cr_assert_eq(strncmp(out.data + 66, path.data, path.len), 0, "stdout: %s", out.data);
    cr_assert_eq(out.data[out.len - 1], '\n');
    char hex[GL_SHA256_HEX];
    cr_assert_eq(gl_sha256_file(path.data, hex), 0);
    cr_assert_eq(strncmp(out.data, hex, 64), 0, "printed hash is not the bundle's");
    return path.data;
}

static char *extract(const tree *t, const char *bundle, const char *tag)
{
    gl_buf dir = {0};
    gl_buf_printf(&dir, "%s/%s", t->root, tag);
    mkdir(dir.data, 0755);
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "tar --zstd -xf '%s' -C '%s'", bundle, dir.data), 0, "tar: %s", err.data);
    return dir.data;
}

static cJSON *load_json(const char *path)
{
    gl_buf b = {0};
    cr_assert(tu_read_file(path, &b), "cannot read %s", path);
    cJSON *j = cJSON_Parse(b.data);
    cr_assert_not_null(j, "%s is not JSON", path);
    gl_buf_free(&b);
    return j;
}

static size_t count_lines(const char *path)
{
    gl_buf b = {0};
    cr_assert(tu_read_file(path, &b));
    size_t n = 0;
    for (size_t i = 0; i < b.len; i++)
        n += b.data[i] == '\n';
    gl_buf_free(&b);
    return n;
}

Test(pipeline, collect_verify_extract_roundtrip)
{
    tree t = make_tree("e2e-roundtrip", "ok");
    char *bundle = collect(&t, 0, "roundtrip");
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), bundle), 0, "%s", out.data);
    cr_assert_eq(tu_runf(NULL, NULL, "bsdtar -tf '%s' >/dev/null && zstd -q -t '%s'", bundle, bundle), 0);
    char *dir = extract(&t, bundle, "x");
    gl_buf mpath = {0};
    gl_buf_printf(&mpath, "%s/manifest.json", dir);
    cJSON *manifest = load_json(mpath.data);
    const cJSON *members = cJSON_GetObjectItem(manifest, "members");
    /* 5 artifacts (win.ini via probe and hive target; notes, deep, ok via users),
     * records/files, records/pipeline_probe, findings, timeline, run.json, log.txt */
    cr_assert_eq(cJSON_GetArraySize(members), 11);
    const cJSON *m;
    size_t artifacts = 0;
    cJSON_ArrayForEach(m, members)
    {
        const char *p = cJSON_GetObjectItem(m, "path")->valuestring;
        gl_buf file = {0};
        gl_buf_printf(&file, "%s/%s", dir, p);
        char hex[GL_SHA256_HEX];
        cr_assert_eq(gl_sha256_file(file.data, hex), 0, "extracted %s missing", p);
        cr_assert_str_eq(hex, cJSON_GetObjectItem(m, "sha256")->valuestring, "%s", p);
        if (!strncmp(p, "artifacts/", 10)) {
            artifacts++;
            /* and equal to the original file on the source */
            gl_buf orig = {0};
            gl_buf_printf(&orig, "%s/%s", t.src, p + strlen("artifacts/C/"));
            char ohex[GL_SHA256_HEX];
            cr_assert_eq(gl_sha256_file(orig.data, ohex), 0, "original of %s", p);
            cr_assert_str_eq(ohex, hex, "%s differs from the original", p);
            cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "source"), "method")->valuestring,
                             "posix-read");
        }
    }
    cr_assert_eq(artifacts, 5);
    /* the non-ASCII and the 300-character paths survived */
    gl_buf p1 = {0}, p2 = {0};
    gl_buf_printf(&p1, "%s/artifacts/C/" NONASCII_DIR "/notes.txt", dir);
    gl_buf_printf(&p2, "%s/artifacts/C/%s", dir, long_rel_path());
    gl_buf c1 = {0}, c2 = {0};
    cr_assert(tu_read_file(p1.data, &c1), "non-ASCII path lost");
    cr_assert_str_eq(c1.data, "staging notes\n");
    cr_assert(tu_read_file(p2.data, &c2), "long path lost");
    cr_assert_str_eq(c2.data, "deep content\n");
    /* the link was reported, not followed; the output dir was never read */
    gl_buf listing = {0};
    tu_runf(&listing, NULL, "bsdtar -tf '%s'", bundle);
    cr_assert_null(strstr(listing.data, "escape.txt"));
    cr_assert_null(strstr(listing.data, "artifacts/C/Users/out/"));
    gl_buf recs = {0}, rpath = {0};
    gl_buf_printf(&rpath, "%s/records/files.jsonl", dir);
    cr_assert(tu_read_file(rpath.data, &recs));
    cr_assert_not_null(strstr(recs.data, "\"status\":\"skipped\",\"artifact\":null,\"size\":0,"));
    cr_assert_not_null(strstr(recs.data, "a link to '/etc/hostname'; links are not followed"));
    /* case-insensitive resolution: WIN.INI read by the probe is Windows/win.ini */
    gl_buf probe = {0};
    gl_buf_clear(&rpath);
    gl_buf_printf(&rpath, "%s/records/pipeline_probe.jsonl", dir);
    cr_assert(tu_read_file(rpath.data, &probe));
    cr_assert_not_null(strstr(probe.data, "\"path\":\"C:\\\\Windows\\\\win.ini\",\"artifact\":\"artifacts/C/Windows/win.ini\",\"bytes_read\":9,"));
    cJSON_Delete(manifest);
}

Test(pipeline, run_report_and_findings)
{
    tree t = make_tree("e2e-report", "ok");
    char *bundle = collect(&t, 0, "report");
    char *dir = extract(&t, bundle, "x");
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/run.json", dir);
    cJSON *run = load_json(p.data);
    cr_assert_str_eq(cJSON_GetObjectItem(run, "status")->valuestring, "complete");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "source"), "kind")->valuestring, "dir");
    cr_assert_str_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(run, "profile"), "name")->valuestring, "test");
    const cJSON *self = cJSON_GetObjectItem(run, "gleaner_sha256");
    char hex[GL_SHA256_HEX];
    cr_assert_eq(gl_sha256_file(tu_gleaner(), hex), 0);
    cr_assert_str_eq(self->valuestring, hex);
    const cJSON *mods = cJSON_GetObjectItem(run, "modules");
    cr_assert_eq(cJSON_GetArraySize(mods), 2);
    const cJSON *files = cJSON_GetArrayItem(mods, 0);
    cr_assert_str_eq(cJSON_GetObjectItem(files, "name")->valuestring, "files");
    cr_assert_eq(cJSON_GetObjectItem(files, "records")->valueint, 5); /* 4 files + 1 skipped link */
    cr_assert_eq(cJSON_GetObjectItem(files, "artifacts_acquired")->valueint, 4); /* win.ini comes later, from the probe */
    cJSON_Delete(run);
    gl_buf_clear(&p);
    gl_buf_printf(&p, "%s/findings.jsonl", dir);
    cr_assert_eq(count_lines(p.data), 1);
    cJSON *f = load_json(p.data);
    cr_assert_str_eq(cJSON_GetObjectItem(f, "module")->valuestring, "pipeline_probe");
    cr_assert_str_eq(cJSON_GetObjectItem(f, "rule")->valuestring, "pipeline_probe.file_read");
    cr_assert_str_eq(cJSON_GetObjectItem(f, "severity")->valuestring, "low");
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(f, "attack"), 0)->valuestring, "T1219");
    cr_assert_str_eq(cJSON_GetObjectItem(f, "time")->valuestring, "2026-11-20T10:00:00Z");
    const cJSON *ev = cJSON_GetArrayItem(cJSON_GetObjectItem(f, "evidence"), 0);
    cr_assert_str_eq(cJSON_GetObjectItem(ev, "artifact")->valuestring, "artifacts/C/Windows/win.ini");
    cr_assert_str_eq(cJSON_GetObjectItem(ev, "locator")->valuestring, "offset 0");
    cr_assert(cJSON_IsObject(cJSON_GetObjectItem(f, "details")));
    cJSON_Delete(f);
}

/* Rebuild a bundle from an extracted tree in manifest order (so only the
 * intended change differs) and write a matching sidecar. */
static void repack(const char *dir, const char *bundle, const char *skip)
{
    gl_buf mpath = {0};
    gl_buf_printf(&mpath, "%s/manifest.json", dir);
    cJSON *manifest = load_json(mpath.data);
    gl_buf list = {0};
    const cJSON *m;
    cJSON_ArrayForEach(m, cJSON_GetObjectItem(manifest, "members"))
    {
        const char *p = cJSON_GetObjectItem(m, "path")->valuestring;
        if (!skip || strcmp(p, skip))
            gl_buf_printf(&list, "%s\n", p);
    }
    gl_buf_puts(&list, "manifest.json\n");
    gl_buf lpath = {0};
    gl_buf_printf(&lpath, "%s.list", bundle);
    FILE *f = fopen(lpath.data, "w");
    fputs(list.data, f);
    fclose(f);
    unlink(bundle);
    cr_assert_eq(tu_runf(NULL, NULL, "cd '%s' && bsdtar --zstd --format pax -cf '%s' -T '%s'", dir, bundle, lpath.data), 0);
    cr_assert_eq(tu_runf(NULL, NULL, "cd \"$(dirname '%s')\" && sha256sum \"$(basename '%s')\" > '%s.sha256'",
                         bundle, bundle, bundle), 0);
    cJSON_Delete(manifest);
}

Test(pipeline, verify_names_altered_member)
{
    tree t = make_tree("e2e-alter", "ok");
    char *bundle = collect(&t, 0, "alter");
    char *dir = extract(&t, bundle, "x");
    gl_buf victim = {0};
    gl_buf_printf(&victim, "%s/artifacts/C/Users/jdoe/Desktop/ok.txt", dir);
    FILE *f = fopen(victim.data, "r+b");
    cr_assert_not_null(f);
    fputc('D', f); /* "desktop" -> "Desktop": one byte flipped */
    fclose(f);
    repack(dir, bundle, NULL);
    gl_buf out = {0};
    int rc = tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), bundle);
    cr_assert_eq(rc, 4, "%s", out.data);
    cr_assert_not_null(strstr(out.data, "altered: artifacts/C/Users/jdoe/Desktop/ok.txt"), "%s", out.data);
    cr_assert_null(strstr(out.data, "sidecar"), "sidecar was rewritten, must match: %s", out.data);
}

Test(pipeline, verify_names_missing_member)
{
    tree t = make_tree("e2e-missing", "ok");
    char *bundle = collect(&t, 0, "missing");
    char *dir = extract(&t, bundle, "x");
    repack(dir, bundle, "records/files.jsonl");
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), bundle), 4);
    cr_assert_not_null(strstr(out.data, "missing: records/files.jsonl\n"), "%s", out.data);
}

Test(pipeline, verify_detects_sidecar_mismatch_and_truncation)
{
    tree t = make_tree("e2e-trunc", "ok");
    char *bundle = collect(&t, 0, "trunc");
    gl_buf copy = {0};
    gl_buf_printf(&copy, "%s.sha256", bundle);
    FILE *f = fopen(copy.data, "w");
    fprintf(f, "%064d  trunc.tar.zst\n", 0);
    fclose(f);
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), bundle), 4);
    cr_assert_not_null(strstr(out.data, "sidecar "), "%s", out.data);
    struct stat st;
    cr_assert_eq(stat(bundle, &st), 0);
    cr_assert_eq(truncate(bundle, st.st_size / 2), 0);
    gl_buf_clear(&out);
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), bundle), 4);
    cr_assert_not_null(strstr(out.data, "truncated or corrupt: "), "%s", out.data);
    cr_assert_not_null(strstr(out.data, "FAILED"), "%s", out.data);
}

Test(pipeline, exit_codes)
{
    tree t = make_tree("e2e-exit-error", "error");
    char *bundle = collect(&t, 1, "partial");
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' verify -q '%s'", tu_gleaner(), bundle), 0, "a partial bundle is still valid");
    char *dir = extract(&t, bundle, "x");
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/run.json", dir);
    cJSON *run = load_json(p.data);
    cr_assert_str_eq(cJSON_GetObjectItem(run, "status")->valuestring, "partial");
    const cJSON *probe = cJSON_GetArrayItem(cJSON_GetObjectItem(run, "modules"), 1);
    cr_assert_str_eq(cJSON_GetObjectItem(probe, "status")->valuestring, "partial");
    cr_assert_str_eq(cJSON_GetArrayItem(cJSON_GetObjectItem(probe, "errors"), 0)->valuestring,
                     "pipeline_probe: asked to report an error by the profile");
    cJSON_Delete(run);

    tree t2 = make_tree("e2e-exit-fail", "fail");
    collect(&t2, 1, "failed");

    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "'%s' collect --bogus", tu_gleaner()), 2);
    cr_assert_eq(tu_runf(NULL, &err, "'%s' collect --profile no-such-profile --dry-run", tu_gleaner()), 2);
    cr_assert_eq(tu_runf(NULL, &err, "'%s' verify", tu_gleaner()), 2);
    cr_assert_eq(tu_runf(NULL, &err, "'%s' nonsense", tu_gleaner()), 2);
    gl_buf_clear(&err);
    cr_assert_eq(tu_runf(NULL, &err, "'%s' collect -q --source dir:%s/does-not-exist --output %s",
                         tu_gleaner(), t.root, t.out), 3);
    cr_assert_not_null(strstr(err.data, "no bundle written: source dir:"), "%s", err.data);
}

Test(pipeline, dry_run_reads_nothing)
{
    tree t = make_tree("e2e-dry", "ok");
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' collect --dry-run --source 'dir:%s' --profile '%s' --output '%s'",
                         tu_gleaner(), t.src, t.profile, t.out), 0);
    cr_assert_not_null(strstr(out.data, "dry run: nothing will be read\n"));
    cr_assert_not_null(strstr(out.data, "  users                C:\\Users\\**\\*\n"), "%s", out.data);
    cr_assert_not_null(strstr(out.data, "  pipeline_probe "));
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", t.out);
    cr_assert_str_eq(ls.data, "", "dry run wrote %s", ls.data);
}

Test(pipeline, help_on_every_command)
{
    const char *cmds[] = {"collect", "verify", "list", "version", "reg", "evtx"};
    for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++) {
        gl_buf out = {0};
        cr_assert_eq(tu_runf(&out, NULL, "'%s' %s --help", tu_gleaner(), cmds[i]), 0, "%s --help", cmds[i]);
        cr_assert_not_null(strstr(out.data, "usage: gleaner "), "%s --help: %s", cmds[i], out.data);
    }
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' --help", tu_gleaner()), 0);
    cr_assert_not_null(strstr(out.data, "  4  verify: bundle altered, incomplete or unreadable\n"));
}

Test(pipeline, bundle_source_reanalysis)
{
    tree t = make_tree("e2e-bundle-src", "ok");
    char *first = collect(&t, 0, "first");
    gl_buf out2 = {0};
    gl_buf_printf(&out2, "%s/second", t.root);
    mkdir(out2.data, 0755);
    gl_buf out = {0}, err = {0};
    cr_assert_eq(tu_runf(&out, &err, "'%s' collect -q --source 'bundle:%s' --profile '%s' --output '%s' --name again",
                         tu_gleaner(), first, t.profile, out2.data), 0, "%s", err.data);
    /* the same artifacts, byte for byte */
    gl_buf a = {0}, b = {0};
    tu_runf(&a, NULL, "bsdtar -xOf '%s' manifest.json | grep -o '\"path\":\"artifacts/[^\"]*\",\"size\":[0-9]*,\"sha256\":\"[0-9a-f]*\"' | sort", first);
    tu_runf(&b, NULL, "bsdtar -xOf '%s/again.tar.zst' manifest.json | grep -o '\"path\":\"artifacts/[^\"]*\",\"size\":[0-9]*,\"sha256\":\"[0-9a-f]*\"' | sort", out2.data);
    cr_assert_gt(a.len, 100);
    cr_assert_str_eq(a.data, b.data);
    /* the scratch directory is gone */
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", out2.data);
    cr_assert_str_eq(ls.data, "again.tar.zst\nagain.tar.zst.sha256\n");
}

Test(pipeline, refuses_to_overwrite)
{
    tree t = make_tree("e2e-overwrite", "ok");
    collect(&t, 0, "same");
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --profile '%s' --output '%s' --name same",
                         tu_gleaner(), t.src, t.profile, t.out), 3);
    cr_assert_not_null(strstr(err.data, "already exists; refusing to overwrite evidence"), "%s", err.data);
}
