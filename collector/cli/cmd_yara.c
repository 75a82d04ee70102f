/* gleaner yara check PATH...: compile rule files without scanning. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yara.h>
#include "commands.h"
#include "yararules.h"

static const char yara_help[] =
    "usage: gleaner yara check PATH...\n\n"
    "Compile YARA rules without scanning anything: each PATH is a rule file or\n"
    "a directory searched recursively for .yar/.yara files (other files are\n"
    "skipped). Every error is printed as FILE:LINE: message. The external\n"
    "variables filename, filepath, extension, filetype and owner are defined,\n"
    "as `collect` defines them for every scanned file. Exit 0 when every file\n"
    "compiles, 1 when one does not, 2 on a bad PATH.\n";

static void print_error(void *ctx, const char *file, int line, const char *msg)
{
    (void)ctx;
    printf("%s:%d: %s\n", file, line, msg);
}

static int check_path(const char *path, size_t *n_files, size_t *n_bad)
{
    char **files;
    size_t n;
    gl_err err = {0};
    if (gl_yara_list_files(path, &files, &n, &err) != 0) {
        fprintf(stderr, "gleaner yara check: %s\n", err.msg);
        return -1;
    }
    for (size_t i = 0; i < n; i++)
        *n_bad += gl_yara_check_file(files[i], print_error, NULL) > 0;
    *n_files += n;
    gl_yara_free_files(files, n);
    return 0;
}

int gl_cmd_yara(int argc, char **argv)
{
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        fputs(yara_help, argc < 2 ? stderr : stdout);
        return argc < 2 ? GL_EXIT_USAGE : GL_EXIT_OK;
    }
    if (strcmp(argv[1], "check") || argc < 3) {
        fputs(yara_help, stderr);
        return GL_EXIT_USAGE;
    }
    if (yr_initialize() != ERROR_SUCCESS) {
        fprintf(stderr, "gleaner yara check: libyara failed to initialise\n");
        return GL_EXIT_FATAL;
    }
    size_t n_files = 0, n_bad = 0;
    int rc = GL_EXIT_OK;
    for (int i = 2; i < argc && rc == GL_EXIT_OK; i++)
        if (check_path(argv[i], &n_files, &n_bad) != 0)
            rc = GL_EXIT_USAGE;
    yr_finalize();
    if (rc != GL_EXIT_OK)
        return rc;
    printf("%zu rule file%s, %zu with errors\n", n_files, n_files == 1 ? "" : "s", n_bad);
    return n_bad ? GL_EXIT_PARTIAL : GL_EXIT_OK;
}
