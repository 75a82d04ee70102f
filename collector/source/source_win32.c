/* Win32 backend of the source (source_fs.h), for the Windows build.
 *
 * The root is the operator's path: made absolute, given the \\?\ prefix
 * (no MAX_PATH limit) and opened with CreateFileW. Everything below it is
 * opened relative to the open parent directory's handle (NtCreateFile
 * with a root directory, the Windows counterpart of openat), so a
 * directory swapped for a junction while a walk runs cannot redirect it,
 * and path length never matters below the root.
 *
 * Every open shares read, write and delete (the evidence stays usable by
 * the host and is never locked) and asks for backup intent, so with
 * SeBackupPrivilege (enabled on first use, with SeSecurityPrivilege, when
 * the token has them) files the ACLs deny are still read. Reparse points
 * that are links (name surrogates: symbolic links, junctions) are opened
 * as themselves and reported as GL_FS_LINK; other reparse points (WOF
 * compressed system files, deduplicated or cloud files) are data and are
 * read through their file-system filter. Names are UTF-8 outside this
 * file and UTF-16 inside. */
#include <windows.h>
#include <winioctl.h>
#include <winternl.h>
#include <aclapi.h>
#include <sddl.h>
#include "source_fs.h"
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>
#include "buf.h"
#include "posix_win32.h"

struct gl_fs_dir {
    HANDLE h;
    wchar_t *path; /* \\?\ path, for FindFirstFileExW only */
    gl_fs_id id;
};

struct gl_fs_file {
    HANDLE h;
};

/* The attributes FindFirstFile and an open handle report, reduced to the
 * one question the walk asks: is it a link (never followed)? */
static bool is_link(DWORD attrs, DWORD reparse_tag)
{
    return (attrs & FILE_ATTRIBUTE_REPARSE_POINT) && IsReparseTagNameSurrogate(reparse_tag);
}

static gl_timespec from_filetime(LARGE_INTEGER t)
{
    /* 100 ns ticks since 1601; 0 means the file system does not keep it */
    if (t.QuadPart <= 0)
        return (gl_timespec){0, 0, false};
    int64_t unix100 = t.QuadPart - INT64_C(116444736000000000);
    int64_t sec = unix100 / 10000000, rem = unix100 % 10000000;
    if (rem < 0) {
        rem += 10000000;
        sec--;
    }
    return (gl_timespec){sec, (long)(rem * 100), true};
}

/* The owner as a SID string (S-1-5-18); "" when the handle may not read
 * the security descriptor. */
static void owner_of(HANDLE h, char out[GL_OWNER_MAX])
{
    out[0] = '\0';
    PSID owner = NULL;
    PSECURITY_DESCRIPTOR sd = NULL;
    if (GetSecurityInfo(h, SE_FILE_OBJECT, OWNER_SECURITY_INFORMATION, &owner, NULL, NULL, NULL, &sd) !=
        ERROR_SUCCESS)
        return;
    char *text = NULL;
    if (owner && ConvertSidToStringSidA(owner, &text)) {
        if (strlen(text) < GL_OWNER_MAX)
            strcpy(out, text);
        LocalFree(text);
    }
    LocalFree(sd);
}

/* Everything source.c asks about an open object, from the object itself. */
static int stat_handle(HANDLE h, bool with_owner, gl_fs_stat *st)
{
    memset(st, 0, sizeof *st);
    FILE_BASIC_INFO basic;
    FILE_STANDARD_INFO std;
    BY_HANDLE_FILE_INFORMATION info;
    if (!GetFileInformationByHandleEx(h, FileBasicInfo, &basic, sizeof basic) ||
        !GetFileInformationByHandleEx(h, FileStandardInfo, &std, sizeof std) ||
        !GetFileInformationByHandle(h, &info)) {
        errno = gl_w32_errno(GetLastError());
        return -1;
    }
    DWORD tag = 0;
    FILE_ATTRIBUTE_TAG_INFO tag_info;
    if ((basic.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT) &&
        GetFileInformationByHandleEx(h, FileAttributeTagInfo, &tag_info, sizeof tag_info))
        tag = tag_info.ReparseTag;
    DWORD ftype = GetFileType(h);
    if (is_link(basic.FileAttributes, tag))
        st->type = GL_FS_LINK;
    else if (std.Directory)
        st->type = GL_FS_DIR;
    else if (ftype == FILE_TYPE_DISK)
        st->type = GL_FS_FILE;
    else
        st->type = GL_FS_OTHER;
    st->size = st->type == GL_FS_FILE ? (uint64_t)std.EndOfFile.QuadPart : 0;
    st->mtime = from_filetime(basic.LastWriteTime);
    st->atime = from_filetime(basic.LastAccessTime);
    st->ctime = from_filetime(basic.ChangeTime);
    st->btime = from_filetime(basic.CreationTime);
    /* The 128-bit id where the file system has one (ReFS ids do not fit
     * in 64 bits); the 64-bit index elsewhere. */
    FILE_ID_INFO id;
    if (GetFileInformationByHandleEx(h, FileIdInfo, &id, sizeof id)) {
        uint64_t lo, hi;
        memcpy(&lo, id.FileId.Identifier, 8);
        memcpy(&hi, id.FileId.Identifier + 8, 8);
        st->id = (gl_fs_id){id.VolumeSerialNumber, {lo, hi}};
    } else {
        st->id = (gl_fs_id){info.dwVolumeSerialNumber,
                            {((uint64_t)info.nFileIndexHigh << 32) | info.nFileIndexLow, 0}};
    }
    if (with_owner)
        owner_of(h, st->owner);
    return 0;
}

/* SeBackupPrivilege lets backup-intent opens read past ACLs;
 * SeSecurityPrivilege lets the SACL be read. Enabled once, where the
 * token holds them (an elevated administrator's does); a token without
 * them simply reads what its ACLs allow. */
static void enable_privileges(void)
{
    static LONG done;
    if (InterlockedExchange(&done, 1))
        return;
    HANDLE tok;
    if (!OpenProcessToken(GetCurrentProcess(), TOKEN_ADJUST_PRIVILEGES | TOKEN_QUERY, &tok))
        return;
    static const wchar_t *const names[] = {L"SeBackupPrivilege", L"SeSecurityPrivilege"};
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        TOKEN_PRIVILEGES tp = {.PrivilegeCount = 1};
        tp.Privileges[0].Attributes = SE_PRIVILEGE_ENABLED;
        if (LookupPrivilegeValueW(NULL, names[i], &tp.Privileges[0].Luid))
            AdjustTokenPrivileges(tok, FALSE, &tp, 0, NULL, NULL);
    }
    CloseHandle(tok);
}

static const DWORD SHARE_ALL = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

/* Open child `name` of `dir` relative to the directory's handle, with
 * backup intent and full sharing. INVALID_HANDLE_VALUE with errno. */
static HANDLE nt_open(gl_fs_dir *dir, const char *name, ACCESS_MASK access, ULONG options)
{
    wchar_t *wname = gl_w32_from_utf8(name);
    if (!wname)
        return INVALID_HANDLE_VALUE;
    size_t n = wcslen(wname);
    if (n == 0 || n * sizeof(wchar_t) > 0xfffe || wcspbrk(wname, L"\\/")) {
        free(wname);
        errno = EINVAL;
        return INVALID_HANDLE_VALUE;
    }
    UNICODE_STRING us = {(USHORT)(n * sizeof(wchar_t)), (USHORT)(n * sizeof(wchar_t)), wname};
    OBJECT_ATTRIBUTES oa;
    InitializeObjectAttributes(&oa, &us, OBJ_CASE_INSENSITIVE, dir->h, NULL);
    IO_STATUS_BLOCK io;
    HANDLE h = INVALID_HANDLE_VALUE;
    NTSTATUS rc = NtCreateFile(&h, access | SYNCHRONIZE | FILE_READ_ATTRIBUTES, &oa, &io, NULL, 0, SHARE_ALL,
                               FILE_OPEN, options | FILE_OPEN_FOR_BACKUP_INTENT | FILE_SYNCHRONOUS_IO_NONALERT,
                               NULL, 0);
    free(wname);
    if (rc < 0) {
        errno = gl_w32_errno(RtlNtStatusToDosError(rc));
        return INVALID_HANDLE_VALUE;
    }
    return h;
}

/* The child itself, never what it points to when it is a reparse point.
 * `options` adds FILE_DIRECTORY_FILE where only a directory will do. */
static HANDLE open_child(gl_fs_dir *dir, const char *name, ACCESS_MASK access, ULONG options)
{
    return nt_open(dir, name, access, options | FILE_OPEN_REPARSE_POINT);
}

/* A reparse point that is data, not a link (WOF, dedup, cloud files):
 * opened as itself it would show the raw reparse data, so open it again
 * through its filter. Closes `h`. */
static HANDLE reopen_through_filter(gl_fs_dir *dir, const char *name, HANDLE h, ACCESS_MASK access,
                                    ULONG options)
{
    CloseHandle(h);
    return nt_open(dir, name, access, options);
}

/* Open with READ_CONTROL (for the owner) when the ACL allows it, else
 * without: the owner is a detail, the bytes are the evidence. */
static HANDLE open_child_owner(gl_fs_dir *dir, const char *name, ACCESS_MASK access, ULONG options, bool *owner)
{
    HANDLE h = open_child(dir, name, access | READ_CONTROL, options);
    *owner = h != INVALID_HANDLE_VALUE;
    if (h == INVALID_HANDLE_VALUE && errno == EACCES)
        h = open_child(dir, name, access, options);
    return h;
}

static void close_keep_errno(HANDLE h)
{
    int saved = errno;
    CloseHandle(h);
    errno = saved;
}

/* "\\?\" + the absolute form of host_path ("\\?\UNC\server\share\..." for
 * a share), so no component limit or MAX_PATH applies. */
static wchar_t *long_path(const char *host_path)
{
    wchar_t *w = gl_w32_from_utf8(host_path);
    if (!w)
        return NULL;
    if (!wcsncmp(w, L"\\\\?\\", 4))
        return w;
    DWORD need = GetFullPathNameW(w, 0, NULL, NULL);
    wchar_t *full = need ? malloc((need + 8) * sizeof *full) : NULL;
    DWORD got = full ? GetFullPathNameW(w, need, full + 6, NULL) : 0;
    free(w);
    if (!got || got >= need) {
        free(full);
        errno = full ? gl_w32_errno(GetLastError()) : ENOMEM;
        return NULL;
    }
    wchar_t *p = full + 6; /* room for the longest prefix before it */
    if (p[0] == L'\\' && p[1] == L'\\') { /* \\server\share -> \\?\UNC\server\share */
        p += 2;
        p -= 8;
        memcpy(p, L"\\\\?\\UNC\\", 8 * sizeof *p);
    } else {
        p -= 4;
        memcpy(p, L"\\\\?\\", 4 * sizeof *p);
    }
    memmove(full, p, (wcslen(p) + 1) * sizeof *p);
    /* no trailing separator but on a drive root ("\\?\C:\") */
    size_t n = wcslen(full);
    if (n > 7 && full[n - 1] == L'\\')
        full[n - 1] = L'\0';
    return full;
}

/* The operator's path: links followed (the operator chose it). */
static HANDLE open_host(const wchar_t *path, DWORD access)
{
    HANDLE h = CreateFileW(path, access, SHARE_ALL, NULL, OPEN_EXISTING, FILE_FLAG_BACKUP_SEMANTICS, NULL);
    if (h == INVALID_HANDLE_VALUE)
        errno = gl_w32_errno(GetLastError());
    return h;
}

gl_fs_dir *gl_fs_open_root(const char *host_path)
{
    enable_privileges();
    wchar_t *path = long_path(host_path);
    if (!path)
        return NULL;
    HANDLE h = open_host(path, FILE_LIST_DIRECTORY | FILE_TRAVERSE | FILE_READ_ATTRIBUTES | SYNCHRONIZE);
    if (h == INVALID_HANDLE_VALUE) {
        free(path);
        return NULL;
    }
    gl_fs_stat st;
    int rc = stat_handle(h, false, &st);
    if (rc == 0 && st.type != GL_FS_DIR) {
        errno = ENOTDIR;
        rc = -1;
    }
    if (rc != 0) {
        close_keep_errno(h);
        free(path);
        return NULL;
    }
    gl_fs_dir *d = gl_xmalloc(sizeof *d);
    *d = (gl_fs_dir){h, path, st.id};
    return d;
}

int gl_fs_stat_path(const char *host_path, gl_fs_stat *st)
{
    wchar_t *path = long_path(host_path);
    if (!path)
        return -1;
    HANDLE h = open_host(path, FILE_READ_ATTRIBUTES | READ_CONTROL);
    bool owner = h != INVALID_HANDLE_VALUE;
    if (h == INVALID_HANDLE_VALUE && errno == EACCES)
        h = open_host(path, FILE_READ_ATTRIBUTES);
    free(path);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    int rc = stat_handle(h, owner, st);
    close_keep_errno(h);
    return rc;
}

int gl_fs_stat_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st)
{
    bool owner;
    HANDLE h = open_child_owner(dir, name, 0, 0, &owner);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    int rc = stat_handle(h, owner, st);
    close_keep_errno(h);
    return rc;
}

gl_fs_dir *gl_fs_open_dir_at(gl_fs_dir *dir, const char *name)
{
    const ACCESS_MASK access = FILE_LIST_DIRECTORY | FILE_TRAVERSE;
    HANDLE h = open_child(dir, name, access, FILE_DIRECTORY_FILE);
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    gl_fs_stat st;
    if (stat_handle(h, false, &st) != 0) {
        close_keep_errno(h);
        return NULL;
    }
    if (st.type == GL_FS_LINK) {
        CloseHandle(h);
        errno = ELOOP;
        return NULL;
    }
    FILE_ATTRIBUTE_TAG_INFO tag;
    if (GetFileInformationByHandleEx(h, FileAttributeTagInfo, &tag, sizeof tag) &&
        (tag.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        h = reopen_through_filter(dir, name, h, access, FILE_DIRECTORY_FILE);
        if (h == INVALID_HANDLE_VALUE)
            return NULL;
    }
    /* FindFirstFileExW lists by path: the parent's path plus this name */
    wchar_t *wname = gl_w32_from_utf8(name);
    if (!wname) {
        close_keep_errno(h);
        return NULL;
    }
    size_t plen = wcslen(dir->path), nlen = wcslen(wname);
    gl_fs_dir *d = gl_xmalloc(sizeof *d);
    d->h = h;
    d->id = st.id;
    d->path = gl_xmalloc((plen + nlen + 2) * sizeof(wchar_t));
    memcpy(d->path, dir->path, plen * sizeof(wchar_t));
    d->path[plen] = L'\\';
    memcpy(d->path + plen + 1, wname, (nlen + 1) * sizeof(wchar_t));
    free(wname);
    return d;
}

const gl_fs_id *gl_fs_dir_identity(const gl_fs_dir *dir) { return &dir->id; }

int gl_fs_list(gl_fs_dir *dir, gl_fs_name_cb cb, void *ctx)
{
    size_t plen = wcslen(dir->path);
    wchar_t *pattern = gl_xmalloc((plen + 3) * sizeof(wchar_t));
    memcpy(pattern, dir->path, plen * sizeof(wchar_t));
    /* a drive root already ends in a separator */
    wcscpy(pattern + plen, plen && dir->path[plen - 1] == L'\\' ? L"*" : L"\\*");
    WIN32_FIND_DATAW fd;
    HANDLE fh = FindFirstFileExW(pattern, FindExInfoBasic, &fd, FindExSearchNameMatch, NULL,
                                 FIND_FIRST_EX_LARGE_FETCH);
    free(pattern);
    if (fh == INVALID_HANDLE_VALUE) {
        DWORD e = GetLastError();
        if (e == ERROR_FILE_NOT_FOUND || e == ERROR_NO_MORE_FILES)
            return 0; /* empty (a volume root may have no . and ..) */
        errno = gl_w32_errno(e);
        return -1;
    }
    do {
        if (!wcscmp(fd.cFileName, L".") || !wcscmp(fd.cFileName, L".."))
            continue;
        char *name = gl_w32_to_utf8(fd.cFileName);
        if (!name)
            continue; /* an unpaired surrogate: no UTF-8 name can reach it again */
        gl_fs_type t = is_link(fd.dwFileAttributes, fd.dwReserved0)            ? GL_FS_LINK
                       : (fd.dwFileAttributes & FILE_ATTRIBUTE_DIRECTORY)      ? GL_FS_DIR
                       : (fd.dwFileAttributes & FILE_ATTRIBUTE_DEVICE)         ? GL_FS_OTHER
                                                                               : GL_FS_FILE;
        cb(ctx, name, t);
        free(name);
    } while (FindNextFileW(fh, &fd));
    DWORD e = GetLastError();
    FindClose(fh);
    if (e != ERROR_NO_MORE_FILES) {
        errno = gl_w32_errno(e);
        return -1;
    }
    return 0;
}

/* The reparse buffer of a symbolic link or junction (ntifs.h's
 * REPARSE_DATA_BUFFER, which user-mode headers lack). */
typedef struct reparse_head {
    DWORD tag;
    WORD data_len, reserved;
    WORD subst_off, subst_len, print_off, print_len;
} reparse_head;

int gl_fs_readlink_at(gl_fs_dir *dir, const char *name, gl_buf *out)
{
    HANDLE h = open_child(dir, name, 0, 0);
    if (h == INVALID_HANDLE_VALUE)
        return -1;
    static _Thread_local BYTE buf[MAXIMUM_REPARSE_DATA_BUFFER_SIZE];
    DWORD got = 0;
    BOOL ok = DeviceIoControl(h, FSCTL_GET_REPARSE_POINT, NULL, 0, buf, sizeof buf, &got, NULL);
    DWORD e = GetLastError();
    CloseHandle(h);
    if (!ok) {
        errno = e == ERROR_NOT_A_REPARSE_POINT ? EINVAL : gl_w32_errno(e);
        return -1;
    }
    reparse_head r;
    if (got < sizeof r) {
        errno = EIO;
        return -1;
    }
    memcpy(&r, buf, sizeof r);
    /* symbolic links carry a flags word before the names; junctions do not */
    size_t base = sizeof r + (r.tag == IO_REPARSE_TAG_SYMLINK ? 4 : 0);
    if (r.tag != IO_REPARSE_TAG_SYMLINK && r.tag != IO_REPARSE_TAG_MOUNT_POINT) {
        errno = EINVAL;
        return -1;
    }
    /* the print name is what the user gave; the substitute name otherwise */
    size_t off = r.print_len ? r.print_off : r.subst_off, len = r.print_len ? r.print_len : r.subst_len;
    if (base + off + len > got || len % 2) {
        errno = EIO;
        return -1;
    }
    wchar_t *w = gl_xmalloc(len + sizeof(wchar_t));
    memcpy(w, buf + base + off, len);
    w[len / 2] = L'\0';
    char *target = gl_w32_to_utf8(w);
    free(w);
    if (!target) {
        errno = EILSEQ;
        return -1;
    }
    gl_buf_clear(out);
    gl_buf_puts(out, target);
    free(target);
    return 0;
}

void gl_fs_dir_close(gl_fs_dir *dir)
{
    if (!dir)
        return;
    CloseHandle(dir->h);
    free(dir->path);
    free(dir);
}

gl_fs_file *gl_fs_open_file_at(gl_fs_dir *dir, const char *name, gl_fs_stat *st, bool *not_regular)
{
    *not_regular = false;
    const ACCESS_MASK access = FILE_READ_DATA;
    bool owner;
    HANDLE h = open_child_owner(dir, name, access, 0, &owner);
    if (h == INVALID_HANDLE_VALUE && errno == EISDIR) {
        *not_regular = true;
        return NULL;
    }
    if (h == INVALID_HANDLE_VALUE)
        return NULL;
    if (stat_handle(h, owner, st) != 0) {
        close_keep_errno(h);
        return NULL;
    }
    if (st->type == GL_FS_LINK) {
        CloseHandle(h);
        errno = ELOOP;
        return NULL;
    }
    if (st->type != GL_FS_FILE) {
        CloseHandle(h);
        *not_regular = true;
        return NULL;
    }
    FILE_ATTRIBUTE_TAG_INFO tag;
    if (GetFileInformationByHandleEx(h, FileAttributeTagInfo, &tag, sizeof tag) &&
        (tag.FileAttributes & FILE_ATTRIBUTE_REPARSE_POINT)) {
        h = reopen_through_filter(dir, name, h, access | (owner ? READ_CONTROL : 0), FILE_NON_DIRECTORY_FILE);
        if (h == INVALID_HANDLE_VALUE)
            return NULL;
        /* the size a WOF-compressed file reports through its filter */
        if (stat_handle(h, owner, st) != 0) {
            close_keep_errno(h);
            return NULL;
        }
    }
    gl_fs_file *f = gl_xmalloc(sizeof *f);
    f->h = h;
    return f;
}

int64_t gl_fs_pread(gl_fs_file *f, uint64_t off, void *buf, size_t len)
{
    if (off > (uint64_t)INT64_MAX) {
        errno = EINVAL;
        return -1;
    }
    if (len > 1u << 30)
        len = 1u << 30; /* one ReadFile takes a DWORD */
    OVERLAPPED ov = {0};
    ov.Offset = (DWORD)off;
    ov.OffsetHigh = (DWORD)(off >> 32);
    DWORD got = 0;
    if (!ReadFile(f->h, buf, (DWORD)len, &got, &ov)) {
        DWORD e = GetLastError();
        if (e == ERROR_HANDLE_EOF)
            return 0;
        errno = gl_w32_errno(e);
        return -1;
    }
    return got;
}

void gl_fs_file_close(gl_fs_file *f)
{
    if (!f)
        return;
    CloseHandle(f->h);
    free(f);
}

/* Files are read, never mapped, here: see source_fs.h. */
void gl_fs_map_init(void) {}

const uint8_t *gl_fs_map(gl_fs_file *f, size_t len)
{
    (void)f;
    (void)len;
    return NULL;
}

bool gl_fs_map_end(gl_fs_file *f)
{
    (void)f;
    return true;
}
