/* staging: data staged for exfiltration (artifacts.md §5). Muddled Libra
 * packs stolen data with WinRAR, 7-Zip or PeaZip, often with a password,
 * encrypted names and volumes, into places like PerfLogs, ProgramData,
 * Users\Public or Windows\Temp. This module
 *  - walks the staging locations (setting `paths`) and recognises
 *    archives by content (collector/formats/archive), whatever their
 *    names; for each: size, times, SHA-256 (up to `hash_max`), encryption
 *    and volume facts from the headers, and the entry list through
 *    libarchive without extracting anything; small ones (`acquire_max`)
 *    are acquired into the bundle;
 *  - reads the archivers' history in each user's NTUSER.DAT (WinRAR
 *    ArcHistory and DialogEditHistory, 7-Zip Compression\ArcHistory and
 *    the File Manager's FolderHistory, CopyHistory and Extraction\
 *    PathHistory) and PeaZip's recent archives and folders in each
 *    profile's AppData\Roaming\PeaZip\conf.txt, and checks whether those
 *    archives are still on disk;
 *  - reads archiver command lines from Security 4688 and Sysmon 1.
 *
 * Records (records/staging.jsonl): {"type":"archive", path, size, mtime,
 * atime, ctime, btime, format, subtype, headers_encrypted, data_encrypted,
 * volume, entries, encrypted_entries, sha256, listed, documents, sensitive,
 * sample, artifact}, {"type":"history", user, source, path, key,
 * key_last_write, on_disk} (from PeaZip's file: file, file_mtime instead
 * of key, key_last_write), {"type":"archiver_run", time, program,
 * command, flags..., command_line}.
 *
 * Severity grows with evidence: an archive in a staging location is low;
 * large or recent, medium; encrypted, medium, high when also large,
 * recent or holding collected data; collected data (many documents,
 * mailboxes, password vaults, database dumps, directory or registry
 * secrets) medium to high. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "archive_list.h"
#include "archive_sniff.h"
#include "archiver_cmd.h"
#include "cmdline.h"
#include "events.h"
#include "finding.h"
#include "module.h"
#include "peazip_conf.h"
#include "sha256.h"
#include "text.h"
#include "timeline.h"
#include "wordlist.h"

#define FT_SECOND UINT64_C(10000000)
#define FT_UNIX_EPOCH UINT64_C(116444736000000000)
#define HASH_CHUNK (1u << 20)
#define SAMPLE_NAMES 20   /* entry names kept in a record */
#define SENSITIVE_NAMES 10

static const gl_setting_decl staging_settings[] = {
    {"paths", GL_SETTING_TEXT,
     "C:\\Users\\**\\*;C:\\ProgramData\\**\\*;C:\\PerfLogs\\**\\*;C:\\Windows\\Temp\\**\\*;C:\\$Recycle.Bin\\**\\*;C:\\*",
     "';'-separated file patterns walked for archives (full: C:\\**\\*)"},
    {"max_files", GL_SETTING_UINT, "2000000", "files looked at before the walk stops"},
    {"max_depth", GL_SETTING_UINT, "24", "deepest folder level looked into"},
    {"large", GL_SETTING_SIZE, "100M", "an archive this large is staged data (medium)"},
    {"recent", GL_SETTING_DURATION, "30d", "an archive made this long before the newest file seen is recent (medium)"},
    {"hash_max", GL_SETTING_SIZE, "1G", "archives up to this size are hashed (SHA-256)"},
    {"acquire_max", GL_SETTING_SIZE, "64M", "archives up to this size are copied into the bundle"},
    {"max_entries", GL_SETTING_UINT, "2000", "entries listed per archive"},
    {"max_list_bytes", GL_SETTING_SIZE, "256M", "bytes libarchive may read to list one archive"},
    {"min_documents", GL_SETTING_UINT, "20", "this many office documents in one archive are collected data"},
    {0},
};

static const gl_rule_decl staging_rules[] = {
    {"staging.archive", GL_SEV_LOW, "T1560.001 T1074.001", "Archive in a staging location"},
    {"staging.encrypted_archive", GL_SEV_MEDIUM, "T1560.001 T1074.001", "Password-protected or header-encrypted archive"},
    {"staging.collected_data", GL_SEV_MEDIUM, "T1560.001 T1074.001 T1005", "Archive holding collected data"},
    {"staging.history_missing", GL_SEV_LOW, "T1560.001 T1070.004", "Archive named in an archiver's history is gone"},
    {"staging.archiver_run", GL_SEV_LOW, "T1560.001", "Archiver run creating an archive"},
    {0},
};

static const gl_event_sub staging_events[] = {
    {"Security", {4688}, 1},
    {"Microsoft-Windows-Sysmon/Operational", {1}, 1},
    {0},
};

typedef struct staging_data {
    gl_wordlist documents; /* office document extensions */
    gl_wordlist sensitive; /* names and extensions of collected secrets */
} staging_data;

typedef struct stg_ctx {
    gl_run *run;
    staging_data *data;
    uint64_t large, recent, hash_max, acquire_max, max_list_bytes, max_entries, min_documents, max_files, max_depth;
    uint64_t files, newest; /* files looked at; newest mtime seen (FILETIME) */
    bool stopped;
    struct found_archive *found; /* archives found, judged once the walk knows the newest time */
    size_t n_found, cap_found;
} stg_ctx;

/* What one archive holds and is. */
typedef struct found_archive {
    char *path, *artifact, *sample_json, *sensitive_json;
    gl_file_info info; /* path member unused */
    gl_arc_info arc;
    bool listed, headers_hidden;
    size_t entries, documents, sensitive;
    char sha256[GL_SHA256_HEX];
    size_t set_len;  /* volumes: length of the path part the set shares (0: no set) */
    size_t leader;   /* volumes: index of the set's first part found */
    size_t parts;    /* on the leader: parts in the set */
    uint64_t set_size;
} found_archive;

static uint64_t ft_of(gl_timespec t)
{
    return t.valid && t.sec > -11644473600 ? (uint64_t)(t.sec + 11644473600) * FT_SECOND + (uint64_t)t.nsec / 100 : 0;
}

/* ---- entries: what was collected ---- */

static const char *ext_of(const char *name)
{
    const char *base = strrchr(name, '/');
    const char *b2 = strrchr(name, '\\');
    if (b2 > base)
        base = b2;
    base = base ? base + 1 : name;
    const char *dot = strrchr(base, '.');
    return dot ? dot : "";
}

/* Sensitive: the file name listed as "name:X" (ntds.dit), a folder in its
 * path listed as "dir:X" (.git), or its extension as "ext:.kdbx". */
static bool sensitive_entry(const staging_data *d, const char *name)
{
    char key[300];
    snprintf(key, sizeof key, "ext:%s", ext_of(name));
    if (gl_wordlist_has(&d->sensitive, key))
        return true;
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/\\");
        bool last = p[n] == '\0';
        if (n && n < sizeof key - 6) {
            snprintf(key, sizeof key, "%s:%.*s", last ? "name" : "dir", (int)n, p);
            if (gl_wordlist_has(&d->sensitive, key))
                return true;
        }
        p += n;
        p += *p != '\0';
    }
    return false;
}

static void judge_entries(stg_ctx *c, found_archive *f, const gl_arc_listing *l)
{
    gl_buf sample = {0}, sens = {0};
    gl_json js, jx;
    gl_json_init(&js, &sample);
    gl_json_init(&jx, &sens);
    gl_json_arr_begin(&js);
    gl_json_arr_begin(&jx);
    for (size_t i = 0; i < l->n; i++) {
        const gl_arc_entry *e = &l->entries[i];
        if (e->dir)
            continue;
        if (i < SAMPLE_NAMES)
            gl_json_str(&js, e->name);
        if (gl_wordlist_has(&c->data->documents, ext_of(e->name)))
            f->documents++;
        if (sensitive_entry(c->data, e->name) && f->sensitive++ < SENSITIVE_NAMES)
            gl_json_str(&jx, e->name);
    }
    gl_json_arr_end(&js);
    gl_json_arr_end(&jx);
    f->sample_json = gl_xstrdup(gl_buf_cstr(&sample));
    f->sensitive_json = gl_xstrdup(gl_buf_cstr(&sens));
    gl_buf_free(&sample);
    gl_buf_free(&sens);
}

/* ---- one archive ---- */

static void hash_file(gl_reader *r, uint64_t size, char out[GL_SHA256_HEX])
{
    gl_sha256 h;
    gl_sha256_init(&h);
    uint8_t *buf = gl_xmalloc(HASH_CHUNK);
    gl_err err;
    uint64_t off = 0;
    while (off < size) {
        int64_t n = r->read_at(r->ctx, off, buf, HASH_CHUNK, &err);
        if (n <= 0)
            break;
        gl_sha256_update(&h, buf, (size_t)n);
        off += (uint64_t)n;
    }
    free(buf);
    gl_sha256_final(&h, out);
    if (off != size)
        out[0] = '\0'; /* unreadable part: no hash rather than a wrong one */
}

static void look_at(stg_ctx *c, const gl_file_info *info, gl_file *file, const gl_arc_info *arc)
{
    c->found = gl_grow_array(c->found, &c->cap_found, c->n_found, sizeof *c->found);
    found_archive *f = &c->found[c->n_found++];
    *f = (found_archive){.path = gl_xstrdup(info->path), .info = *info, .arc = *arc};
    f->info.path = NULL;
    gl_reader r = gl_file_reader(file);
    if (info->size <= c->hash_max)
        hash_file(&r, info->size, f->sha256);
    gl_arc_listing l;
    gl_err err = {0};
    if (arc->format != GL_ARC_PEA && !arc->headers_encrypted) {
        int rc = gl_arc_list(&r, (size_t)c->max_entries, c->max_list_bytes, &l, &err);
        f->listed = rc == 0;
        f->headers_hidden = l.headers_encrypted;
        if (rc < 0 && !l.headers_encrypted)
            gl_run_log(c->run, "%s", err.msg);
        judge_entries(c, f, &l);
        f->entries = l.n;
        gl_arc_listing_free(&l);
    } else {
        f->headers_hidden = arc->headers_encrypted;
        f->sample_json = gl_xstrdup("[]");
        f->sensitive_json = gl_xstrdup("[]");
    }
    if (info->size <= c->acquire_max) {
        gl_file *acq = gl_source_open_file(gl_run_source(c->run), info->path, &err);
        if (acq) {
            const char *a = gl_file_artifact(acq);
            f->artifact = a ? gl_xstrdup(a) : NULL;
            gl_file_close(acq);
        } else {
            gl_run_error(c->run, "%s", err.msg);
        }
    }
}

static size_t depth_of(const char *path)
{
    size_t d = 0;
    for (; *path; path++)
        d += *path == '\\' || *path == '/';
    return d;
}

static int on_file(void *ctx, const gl_file_info *info)
{
    stg_ctx *c = ctx;
    if (info->is_dir || info->is_link)
        return 0;
    if (++c->files > c->max_files) {
        c->stopped = true;
        return 1;
    }
    uint64_t m = ft_of(info->mtime);
    if (m > c->newest)
        c->newest = m;
    if (info->size < 16 || depth_of(info->path) > c->max_depth)
        return 0;
    gl_err err = {0};
    gl_file *file = gl_run_open_unacquired(c->run, info->path, &err);
    if (!file) {
        gl_run_log(c->run, "%s", err.msg);
        return 0;
    }
    gl_reader r = gl_file_reader(file);
    gl_arc_info arc;
    int rc = gl_arc_sniff(&r, 0, &arc, &err);
    if (rc < 0 && arc.format == GL_ARC_NONE)
        gl_run_log(c->run, "%s", err.msg);
    /* documents and programs that happen to be zips are not staging */
    bool container = arc.format == GL_ARC_ZIP && arc.subtype[0];
    if (arc.format != GL_ARC_NONE && !container)
        look_at(c, info, file, &arc);
    gl_file_close(file);
    return 0;
}

/* ---- judging and reporting an archive ---- */

static void archive_record(stg_ctx *c, const found_archive *f)
{
    gl_buf line = {0};
    gl_json j;
    char iso[GL_TIME_STRLEN];
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "archive");
    gl_json_kv_str(&j, "path", f->path);
    gl_json_kv_uint(&j, "size", f->info.size);
    gl_json_kv_str(&j, "owner", f->info.owner[0] ? f->info.owner : NULL); /* empty from bundle: sources */
    const struct {
        const char *key;
        gl_timespec t;
    } times[] = {{"mtime", f->info.mtime}, {"atime", f->info.atime}, {"ctime", f->info.ctime}, {"btime", f->info.btime}};
    for (size_t i = 0; i < 4; i++)
        gl_json_kv_str(&j, times[i].key, gl_filetime_iso(ft_of(times[i].t), 7, iso) ? iso : NULL);
    gl_json_kv_str(&j, "format", gl_arc_format_name(f->arc.format));
    gl_json_kv_str(&j, "subtype", f->arc.subtype);
    gl_json_kv_bool(&j, "headers_encrypted", f->arc.headers_encrypted || f->headers_hidden);
    gl_json_kv_bool(&j, "data_encrypted", f->arc.data_encrypted);
    gl_json_kv_bool(&j, "volume", f->arc.volume);
    gl_json_kv_int(&j, "volume_number", f->arc.volume_number);
    gl_json_kv_uint(&j, "entries", f->listed ? f->entries : f->arc.entries);
    gl_json_kv_uint(&j, "encrypted_entries", f->arc.encrypted_entries);
    gl_json_kv_str(&j, "sha256", f->sha256[0] ? f->sha256 : NULL);
    gl_json_kv_bool(&j, "listed", f->listed);
    gl_json_kv_uint(&j, "documents", f->documents);
    gl_json_key(&j, "sensitive");
    gl_json_raw(&j, f->sensitive_json, strlen(f->sensitive_json));
    gl_json_key(&j, "sample");
    gl_json_raw(&j, f->sample_json, strlen(f->sample_json));
    gl_json_kv_str(&j, "artifact", f->artifact);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);
}

/* An archive is written once, so its last-modified time is when it was
 * made; a copied file's birth time is when it was copied. */
static uint64_t made_at(const found_archive *f) { return ft_of(f->info.mtime); }

static void report_archive(stg_ctx *c, const found_archive *f)
{
    for (size_t i = 0; i < c->n_found; i++)
        if (c->found[i].leader == (size_t)(f - c->found))
            archive_record(c, &c->found[i]);
    gl_tl t;
    gl_json *d = gl_tl_begin(&t, c->run, "archive.created", made_at(f), f->path, f->artifact, f->path);
    gl_json_kv_str(d, "format", gl_arc_format_name(f->arc.format));
    gl_json_kv_uint(d, "size", f->info.size);
    gl_tl_end(&t);

    bool encrypted = f->arc.headers_encrypted || f->headers_hidden || f->arc.data_encrypted;
    bool large = f->set_size >= c->large;
    bool recent = c->newest && made_at(f) + c->recent >= c->newest;
    bool collected = f->sensitive > 0 || f->documents >= c->min_documents;
    gl_buf why = {0};
    gl_buf_printf(&why, "%s archive in a place the actor stages data", gl_arc_format_name(f->arc.format));
    if (encrypted)
        gl_buf_printf(&why, "; %s without the password", f->arc.headers_encrypted || f->headers_hidden
                                                              ? "its names cannot be read"
                                                              : "its contents cannot be read");
    if (f->parts > 1)
        gl_buf_printf(&why, "; one of %zu volumes", f->parts);
    if (large)
        gl_buf_printf(&why, "; %" PRIu64 " MB", f->set_size >> 20);
    if (recent)
        gl_buf_puts(&why, "; made shortly before the newest files on the host");
    if (f->sensitive)
        gl_buf_printf(&why, "; holds %zu secret-bearing files (mailboxes, vaults, dumps, hives)", f->sensitive);
    else if (collected)
        gl_buf_printf(&why, "; holds %zu office documents", f->documents);
    gl_buf_puts(&why, ". Backups and downloads also leave archives: who made it, and when, decides");
    const char *rule = encrypted ? "staging.encrypted_archive" : collected ? "staging.collected_data" : "staging.archive";
    int score = (int)encrypted + (int)large + (int)recent + (int)collected;
    gl_severity sev = score >= 2 ? GL_SEV_HIGH : score == 1 ? GL_SEV_MEDIUM : GL_SEV_LOW;
    gl_fb fb;
    gl_fb_start(&fb, c->run, rule);
    gl_fb_severity(&fb, sev, "%s", gl_buf_cstr(&why));
    if (f->parts > 1)
        gl_fb_title(&fb, "%s%s archive in %zu volumes %.*s*", encrypted ? "Encrypted " : "",
                    gl_arc_format_name(f->arc.format), f->parts, (int)f->set_len, f->path);
    else
        gl_fb_title(&fb, "%s%s archive %s", encrypted ? "Encrypted " : "", gl_arc_format_name(f->arc.format), f->path);
    gl_fb_subject(&fb, "%s", f->path);
    gl_fb_time_filetime(&fb, made_at(f));
    for (size_t i = 0; i < c->n_found; i++)
        if (c->found[i].leader == (size_t)(f - c->found))
            gl_fb_evidence(&fb, c->found[i].artifact, "%s", c->found[i].path);
    gl_json *dj = gl_fb_details(&fb);
    gl_json_kv_str(dj, "path", f->path);
    gl_json_kv_uint(dj, "size", f->set_size);
    gl_json_kv_uint(dj, "volumes", f->parts);
    gl_json_kv_str(dj, "format", gl_arc_format_name(f->arc.format));
    gl_json_kv_bool(dj, "headers_encrypted", f->arc.headers_encrypted || f->headers_hidden);
    gl_json_kv_bool(dj, "data_encrypted", f->arc.data_encrypted);
    gl_json_kv_bool(dj, "volume", f->arc.volume);
    gl_json_kv_uint(dj, "documents", f->documents);
    gl_json_key(dj, "sensitive");
    gl_json_raw(dj, f->sensitive_json, strlen(f->sensitive_json));
    gl_json_kv_str(dj, "sha256", f->sha256[0] ? f->sha256 : NULL);
    gl_fb_emit(&fb);
    gl_buf_free(&why);
}

/* Parts of one multi-volume set (name.partN.rar, name.7z.001, name.z01
 * ... beside each other) are one finding: the first part found leads,
 * the others are its evidence. */
static void group_volumes(stg_ctx *c)
{
    for (size_t i = 0; i < c->n_found; i++) {
        found_archive *f = &c->found[i];
        size_t stem;
        f->leader = i;
        f->parts = 1;
        f->set_size = f->info.size;
        if (gl_arc_volume_name(f->path, NULL, &stem) == GL_ARC_VOLNAME_NONE)
            continue;
        f->set_len = stem;
        for (size_t k = 0; k < i; k++) {
            found_archive *g = &c->found[k];
            if (g->leader == k && g->set_len == stem && !strncasecmp(g->path, f->path, stem)) {
                f->leader = k;
                g->parts++;
                g->set_size += f->info.size;
                break;
            }
        }
    }
}

static void walk(stg_ctx *c)
{
    const char *paths = gl_run_setting(c->run, "paths", "");
    char *copy = gl_xstrdup(paths), *save = NULL;
    for (char *p = strtok_r(copy, ";", &save); p && !c->stopped; p = strtok_r(NULL, ";", &save)) {
        gl_err err = {0};
        if (gl_source_glob(gl_run_source(c->run), p, on_file, c, &err) < 0)
            gl_run_log(c->run, "%s", err.msg);
    }
    free(copy);
    if (c->stopped)
        gl_run_error(c->run, "archive walk stopped after %" PRIu64 " files (staging.max_files)", c->max_files);
    group_volumes(c);
    for (size_t i = 0; i < c->n_found; i++)
        if (c->found[i].leader == i)
            report_archive(c, &c->found[i]);
    for (size_t i = 0; i < c->n_found; i++) {
        found_archive *f = &c->found[i];
        free(f->path);
        free(f->artifact);
        free(f->sample_json);
        free(f->sensitive_json);
    }
    free(c->found);
}

/* ---- archiver history (per-user NTUSER.DAT) ---- */

/* Is this full path of the source's drive gone? Other drives and UNC
 * paths cannot be checked. */
static bool gone_from_disk(stg_ctx *c, const char *path, bool *checkable)
{
    const char *drive = gl_source_drive(gl_run_source(c->run));
    *checkable = strlen(path) > 3 && path[1] == ':' && (path[2] == '\\' || path[2] == '/') &&
                 (path[0] & ~0x20) == (drive[0] & ~0x20);
    if (!*checkable)
        return false;
    /* 7-Zip's folder lists end each path with a separator */
    size_t len = strlen(path);
    while (len > 3 && (path[len - 1] == '\\' || path[len - 1] == '/'))
        len--;
    char *bare = gl_xstrdup(path);
    bare[len] = '\0';
    gl_file_info info;
    gl_err err;
    bool gone = gl_source_stat(gl_run_source(c->run), bare, &info, &err) < 0;
    free(bare);
    return gone;
}

static bool in_staging_place(const char *path)
{
    static const char *const places[] = {"C:\\PerfLogs\\", "C:\\ProgramData\\", "C:\\Users\\Public\\",
                                         "C:\\Windows\\Temp\\", "C:\\$Recycle.Bin\\"};
    for (size_t i = 0; i < sizeof places / sizeof places[0]; i++)
        if (!strncasecmp(path, places[i], strlen(places[i])))
            return true;
    return strncasecmp(path, "C:\\Users\\", 9) == 0 && strcasestr(path, "\\AppData\\Local\\Temp\\") != NULL;
}

/* One history list: key under the user's hive, the value holding the list
 * (NULL: every value of the key is one), its name in findings, and whether
 * it names archives (or folders 7-Zip opened, archives among them) rather
 * than destinations, which are no evidence when gone. */
typedef struct history_list {
    const char *rel, *value, *source;
    bool archives;
} history_list;

/* Where a history entry was read: a registry value (its key's last write
 * time) or a line of a configuration file (the file's modification time). */
typedef struct history_origin {
    const char *user, *source, *artifact, *locator;
    const char *where_field, *time_field, *time_is; /* record field names; what the time means */
    uint64_t when;
    bool archives;
} history_origin;

static void history_entry(stg_ctx *c, const history_origin *o, const char *path)
{
    bool checkable, gone = gone_from_disk(c, path, &checkable);
    gl_buf line = {0};
    gl_json j;
    char iso[GL_TIME_STRLEN] = "";
    gl_filetime_iso(o->when, 7, iso);
    gl_json_init(&j, &line);
    gl_json_obj_begin(&j);
    gl_json_kv_str(&j, "type", "history");
    gl_json_kv_str(&j, "user", o->user);
    gl_json_kv_str(&j, "source", o->source);
    gl_json_kv_str(&j, "path", path);
    gl_json_kv_str(&j, o->where_field, o->locator);
    gl_json_kv_str(&j, o->time_field, iso);
    if (checkable)
        gl_json_kv_bool(&j, "on_disk", !gone);
    gl_json_kv_str(&j, "artifact", o->artifact);
    gl_json_obj_end(&j);
    gl_run_record(c->run, line.data, line.len);
    gl_buf_free(&line);

    gl_tl t;
    gl_json *d = gl_tl_begin(&t, c->run, "archive.history", o->when, path, o->artifact, o->locator);
    gl_json_kv_str(d, "user", o->user);
    gl_json_kv_str(d, "source", o->source);
    gl_tl_end(&t);

    if (!gone || !o->archives)
        return;
    bool staged = in_staging_place(path);
    gl_fb fb;
    gl_fb_start(&fb, c->run, "staging.history_missing");
    if (staged)
        gl_fb_severity(&fb, GL_SEV_MEDIUM, "an archive made in a staging location and no longer there: deleted "
                       "after it left the host, or moved");
    else
        gl_fb_severity(&fb, GL_SEV_LOW, "an archive the user worked with is gone: often just cleaned up, worth "
                       "a look when other staging evidence exists");
    gl_fb_title(&fb, "%s names %s, which is not on disk", o->source, path);
    gl_fb_subject(&fb, "%s|%s", o->user, path);
    gl_fb_time_filetime(&fb, o->when);
    gl_fb_evidence(&fb, o->artifact, "%s", o->locator);
    gl_json *dj = gl_fb_details(&fb);
    gl_json_kv_str(dj, "user", o->user);
    gl_json_kv_str(dj, "path", path);
    gl_json_kv_str(dj, "time_is", o->time_is);
    gl_fb_emit(&fb);
}

/* The paths of one value: one (REG_SZ) or several (7-Zip's REG_BINARY
 * list of NUL-terminated UTF-16LE strings, decoded by the registry view). */
static void history_value(stg_ctx *c, const gl_reguser *u, gl_regkey k, const history_list *h, gl_regval v,
                          gl_buf *loc, gl_buf *text)
{
    if (gl_regval_deleted(v))
        return;
    gl_buf_clear(text);
    gl_buf_clear(loc);
    gl_regval_locator(v, loc);
    long n = gl_regval_multi_sz(v, text);
    history_origin o = {.user = u->name, .source = h->source, .artifact = gl_regkey_artifact(k),
                        .locator = gl_buf_cstr(loc), .where_field = "key", .time_field = "key_last_write",
                        .time_is = "the history key's last-written time: the newest entry is at or before it",
                        .when = gl_regkey_last_write(k), .archives = h->archives};
    for (size_t at = 0; n > 0 && at < text->len; at += strlen(text->data + at) + 1)
        if (text->data[at])
            history_entry(c, &o, text->data + at);
}

static void history_key(stg_ctx *c, gl_regview *rv, const gl_reguser *u, const history_list *h)
{
    gl_buf path = {0}, loc = {0}, text = {0};
    gl_buf_printf(&path, "HKU\\%s\\%s", u->name, h->rel);
    gl_regkey k;
    gl_err err = {0};
    gl_lookup hit = gl_regview_find_key(rv, gl_buf_cstr(&path), &k, &err);
    if (hit == GL_LOOKUP_ERROR)
        gl_run_error(c->run, "%s", err.msg);
    if (hit == GL_LOOKUP_FOUND && h->value) {
        gl_regval v = gl_regkey_value(k, h->value);
        if (gl_regval_ok(v))
            history_value(c, u, k, h, v, &loc, &text);
    } else if (hit == GL_LOOKUP_FOUND) {
        gl_regvals vals = {0};
        gl_regkey_values(k, &vals);
        for (size_t i = 0; i < vals.n; i++)
            history_value(c, u, k, h, vals.v[i], &loc, &text);
        gl_regvals_free(&vals);
    }
    gl_buf_free(&path);
    gl_buf_free(&loc);
    gl_buf_free(&text);
}

static void history(stg_ctx *c)
{
    static const history_list lists[] = {
        {"Software\\WinRAR\\ArcHistory", NULL, "WinRAR ArcHistory", true},
        {"Software\\WinRAR\\DialogEditHistory\\ArcName", NULL, "WinRAR ArcName", true},
        {"Software\\WinRAR\\DialogEditHistory\\ExtrPath", NULL, "ExtrPath", false},
        {"Software\\7-Zip\\Compression\\ArcHistory", NULL, "7-Zip ArcHistory", true},
        /* the File Manager's folders, archives opened as folders among them */
        {"Software\\7-Zip\\FM", "FolderHistory", "7-Zip FolderHistory", true},
        /* where the File Manager copied or extracted to */
        {"Software\\7-Zip\\FM", "CopyHistory", "7-Zip CopyHistory", false},
        {"Software\\7-Zip\\Extraction", "PathHistory", "7-Zip PathHistory", false},
    };
    gl_regview *rv = gl_run_regview(c->run);
    if (!rv)
        return;
    const gl_reguser *users;
    size_t n = gl_regview_users(rv, &users);
    for (size_t i = 0; i < n; i++)
        for (size_t k = 0; k < sizeof lists / sizeof lists[0]; k++)
            history_key(c, rv, &users[i], &lists[k]);
}

/* ---- PeaZip history (each profile's conf.txt) ---- */

#define PEAZIP_CONF_MAX (1u << 20) /* PeaZip's is ~12 KB */

typedef struct peazip_ctx {
    stg_ctx *c;
    history_origin o;
    const char *path;
    gl_buf loc;
} peazip_ctx;

static void on_peazip_entry(void *ctx, gl_peazip_list list, const char *value, size_t line)
{
    peazip_ctx *p = ctx;
    /* the folder list starts at "Computer's root", which is no path */
    bool path = (value[0] && value[1] == ':') || (value[0] == '\\' && value[1] == '\\');
    if (!path)
        return;
    char source[64];
    snprintf(source, sizeof source, "PeaZip %s", gl_peazip_list_name(list));
    gl_buf_clear(&p->loc);
    gl_buf_printf(&p->loc, "%s:%zu", p->path, line);
    history_origin o = p->o;
    o.source = source;
    o.locator = gl_buf_cstr(&p->loc);
    o.archives = list == GL_PEAZIP_RECENT_ARCHIVES;
    history_entry(p->c, &o, value);
}

/* C:\Users\<user>\AppData\Roaming\PeaZip\conf.txt: the user is the
 * profile folder's name. */
static int on_peazip_conf(void *ctx, const gl_file_info *info)
{
    stg_ctx *c = ctx;
    if (info->is_dir || info->is_link)
        return 0;
    gl_err err = {0};
    if (info->size > PEAZIP_CONF_MAX) {
        gl_run_error(c->run, "%s: %" PRIu64 " bytes, larger than any PeaZip configuration (%u)", info->path,
                     info->size, PEAZIP_CONF_MAX);
        return 0;
    }
    gl_file *f = gl_source_open_file(gl_run_source(c->run), info->path, &err);
    if (!f) {
        gl_run_error(c->run, "%s", err.msg);
        return 0;
    }
    uint8_t *data = gl_xmalloc(info->size + 1);
    gl_reader r = gl_file_reader(f);
    int64_t n = info->size ? r.read_at(r.ctx, 0, data, (size_t)info->size, &err) : 0;
    const char *users = info->path + 9; /* after "C:\Users\" */
    char user[256];
    snprintf(user, sizeof user, "%.*s", (int)strcspn(users, "\\/"), users);
    peazip_ctx p = {.c = c, .path = info->path,
                    .o = {.user = user, .artifact = gl_file_artifact(f), .where_field = "file", .time_field = "file_mtime",
                          .time_is = "the configuration file's modification time: the newest entry is at or before it",
                          .when = ft_of(info->mtime)}};
    if (n < 0 || (uint64_t)n != info->size)
        gl_run_error(c->run, "%s: read %" PRId64 " of %" PRIu64 " bytes: %s", info->path, n, info->size, err.msg);
    else if (gl_peazip_conf_parse(data, (size_t)n, on_peazip_entry, &p, &err) < 0)
        gl_run_error(c->run, "%s: %s", info->path, err.msg);
    gl_buf_free(&p.loc);
    free(data);
    gl_file_close(f);
    return 0;
}

static void peazip_history(stg_ctx *c)
{
    gl_err err = {0};
    if (gl_source_glob(gl_run_source(c->run), "C:\\Users\\*\\AppData\\Roaming\\PeaZip\\conf.txt", on_peazip_conf, c,
                       &err) < 0 && err.code != GL_ERR_ABSENT)
        gl_run_error(c->run, "PeaZip configuration: %s", err.msg);
}

/* ---- archiver command lines (4688, Sysmon 1) ---- */

static void flag_list(gl_json *j, const gl_archiver_cmd *a)
{
    const struct {
        bool on;
        const char *name;
    } flags[] = {{a->password, "password"},       {a->header_encryption, "header_encryption"},
                 {a->volumes, "volumes"},         {a->store_only, "store_only"},
                 {a->recursive, "recursive"},     {a->strip_paths, "strip_paths"},
                 {a->delete_after, "delete_after"}, {a->time_filter, "time_filter"}};
    gl_json_key(j, "switches");
    gl_json_arr_begin(j);
    for (size_t i = 0; i < sizeof flags / sizeof flags[0]; i++)
        if (flags[i].on)
            gl_json_str(j, flags[i].name);
    gl_json_arr_end(j);
}

static void archiver_finding(stg_ctx *c, const gl_event *ev, const gl_archiver_cmd *a, const char *line)
{
    gl_fb fb;
    gl_fb_start(&fb, c->run, "staging.archiver_run");
    if (a->password || a->header_encryption || a->volumes)
        gl_fb_severity(&fb, GL_SEV_HIGH, "%s archive%s%s%s: the way data is packed to leave unread and in pieces",
                       a->program, a->header_encryption ? " with encrypted names" : "",
                       a->password ? " behind a password" : "", a->volumes ? " split into volumes" : "");
    else if (a->recursive || a->store_only || a->delete_after || a->strip_paths || a->time_filter)
        gl_fb_severity(&fb, GL_SEV_MEDIUM, "%s packing whole folders (recursion, store-only, delete-after or date "
                       "filters): what bulk collection looks like, also what backup scripts do", a->program);
    else
        gl_fb_severity(&fb, GL_SEV_LOW, "an archive made from the command line; common for administrators");
    gl_fb_title(&fb, "%s %s %s", a->program, a->command, a->archive ? a->archive : "");
    gl_fb_subject(&fb, "%s|%s", ev->locator, line);
    gl_fb_time_filetime(&fb, ev->time);
    gl_fb_evidence(&fb, ev->artifact, "%s", ev->locator);
    gl_json *d = gl_fb_details(&fb);
    gl_json_kv_str(d, "command_line", line);
    gl_json_kv_str(d, "archive", a->archive);
    flag_list(d, a);
    gl_fb_emit(&fb);
}

static int on_process(void *ctx, const gl_event *ev)
{
    stg_ctx *c = ctx;
    const char *line = gl_event_text(ev, "CommandLine");
    char *inner = gl_cmdline_cmd_c(line);
    gl_argv argv;
    gl_cmdline_split(inner ? inner : line, 4096, &argv);
    gl_archiver_cmd a;
    if (gl_archiver_cmd_parse(&argv, &a)) {
        gl_buf rec = {0};
        gl_json j;
        char iso[GL_TIME_STRLEN] = "";
        gl_filetime_iso(ev->time, 7, iso);
        gl_json_init(&j, &rec);
        gl_json_obj_begin(&j);
        gl_json_kv_str(&j, "type", "archiver_run");
        gl_json_kv_str(&j, "time", iso);
        gl_json_kv_str(&j, "program", a.program);
        gl_json_kv_str(&j, "command", a.command);
        gl_json_kv_str(&j, "archive", a.archive);
        gl_json_kv_bool(&j, "creates", a.creates);
        flag_list(&j, &a);
        gl_json_kv_str(&j, "command_line", line);
        gl_json_kv_str(&j, "artifact", ev->artifact);
        gl_json_kv_str(&j, "locator", ev->locator);
        gl_json_obj_end(&j);
        gl_run_record(c->run, rec.data, rec.len);
        gl_buf_free(&rec);
        gl_tl t;
        gl_json *d = gl_tl_begin(&t, c->run, "archiver.run", ev->time, a.program, ev->artifact, ev->locator);
        gl_json_kv_str(d, "command_line", line);
        gl_json_kv_str(d, "archive", a.archive);
        gl_tl_end(&t);
        if (a.creates)
            archiver_finding(c, ev, &a, line);
    }
    gl_archiver_cmd_free(&a);
    gl_argv_free(&argv);
    free(inner);
    return 0;
}

/* ---- the module ---- */

static int staging_run(gl_run *run, gl_err *err)
{
    stg_ctx c = {.run = run,
                 .data = gl_run_state(run),
                 .large = gl_run_setting_size(run, "large", 100u << 20),
                 .recent = (uint64_t)gl_run_setting_seconds(run, "recent", 30 * 86400) * FT_SECOND,
                 .hash_max = gl_run_setting_size(run, "hash_max", 1u << 30),
                 .acquire_max = gl_run_setting_size(run, "acquire_max", 64u << 20),
                 .max_list_bytes = gl_run_setting_size(run, "max_list_bytes", 256u << 20),
                 .max_entries = gl_run_setting_uint(run, "max_entries", 2000),
                 .min_documents = gl_run_setting_uint(run, "min_documents", 20),
                 .max_files = gl_run_setting_uint(run, "max_files", 2000000),
                 .max_depth = gl_run_setting_uint(run, "max_depth", 24)};
    walk(&c);
    history(&c);
    peazip_history(&c);
    if (gl_events_each(run, "Security", on_process, &c, err) != 0 ||
        gl_events_each(run, "Microsoft-Windows-Sysmon/Operational", on_process, &c, err) != 0)
        return -1;
    return 0;
}

static int staging_init(gl_run *run, void **state, gl_err *err)
{
    (void)run;
    staging_data *d = gl_xcalloc(1, sizeof *d);
    *state = d;
    if (gl_wordlist_embedded(&d->documents, "staging/documents.txt", err) < 0)
        return -1;
    return gl_wordlist_embedded(&d->sensitive, "staging/collected-data.txt", err);
}

static void staging_fini(void *state)
{
    staging_data *d = state;
    if (!d)
        return;
    gl_wordlist_free(&d->documents);
    gl_wordlist_free(&d->sensitive);
    free(d);
}

const gl_module gl_module_staging = {
    .name = "staging",
    .description = "data staging: archives found by content in staging places, archiver history and command lines",
    .needs = GL_NEEDS_FILES | GL_NEEDS_EVTX | GL_NEEDS_REGISTRY,
    .settings = staging_settings,
    .rules = staging_rules,
    .events = staging_events,
    .init = staging_init,
    .fini = staging_fini,
    .run = staging_run,
};
