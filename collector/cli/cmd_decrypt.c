/* gleaner decrypt: an encrypted bundle (collect --encrypt-to) back to the
 * plain tar.zst, streamed, with a sidecar so `gleaner verify` accepts it. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "buf.h"
#include "bundle_crypt.h"
#include "commands.h"
#include "sha256.h"

static const char decrypt_help[] =
    "usage: gleaner decrypt BUNDLE.tar.zst.p7m --key KEY.pem [--cert CERT.pem] [--output FILE]\n"
    "       gleaner decrypt BUNDLE.tar.zst.p7m --split PREFIX\n\n"
    "Decrypt a bundle written with `collect --encrypt-to` into the plain bundle\n"
    "FILE (default: BUNDLE without .p7m) plus FILE.sha256, ready for\n"
    "`gleaner verify`. Streams: memory does not grow with the bundle. The file\n"
    "is written as FILE.partial and renamed only when the whole content has\n"
    "decrypted and checked; on any failure nothing is left behind.\n"
    "`gleaner verify --key` and `analyze --key` read encrypted bundles directly,\n"
    "without writing clear text.\n\n"
    "  -k, --key KEY.pem     private key (PEM) of one recipient; a protected key's\n"
    "                        passphrase is read from GLEANER_KEY_PASSPHRASE (no prompt)\n"
    "  -c, --cert CERT.pem   its certificate: picks the recipient (otherwise each\n"
    "                        recipient is tried with the key)\n"
    "  -o, --output FILE     where the plain bundle goes (never overwritten)\n"
    "      --split PREFIX    no key, no decryption: write PREFIX.cms (the CMS header,\n"
    "                        DER) and PREFIX.ciphertext (the bare encrypted content)\n"
    "                        for stock OpenSSL, which reads a .p7m whole and refuses one\n"
    "                        over about 1.5 GiB but streams detached content:\n"
    "                          openssl cms -decrypt -binary -inform DER -in PREFIX.cms\n"
    "                            -content PREFIX.ciphertext -inkey KEY.pem -out B.tar.zst\n"
    "  -h, --help            this help\n\n"
    "Exit 0 when decrypted; 2 on usage errors, including a key that opens none of\n"
    "the bundle's recipients (the message lists them) or that does not belong to\n"
    "--cert; 3 when the output cannot be written; 4 when the bundle is damaged,\n"
    "truncated or altered (bad padding, malformed CMS).\n";

typedef struct out_file {
    FILE *fp;
    const char *path;
    gl_sha256 h;
    gl_err err;
} out_file;

static int write_plain(void *ctx, const void *buf, size_t n)
{
    out_file *o = ctx;
    if (fwrite(buf, 1, n, o->fp) != n)
        return gl_err_errno(&o->err, "writing %s", o->path);
    gl_sha256_update(&o->h, buf, n);
    return 0;
}

static const char *base_name(const char *p)
{
    const char *s = strrchr(p, '/');
    return s ? s + 1 : p;
}

/* Written, flushed to disk and closed; the sidecar beside it. */
static int finish_output(out_file *o, const char *partial, const char *out, gl_err *err)
{
    char hex[GL_SHA256_HEX];
    gl_sha256_final(&o->h, hex);
    int rc = (fflush(o->fp) != 0 || fsync(fileno(o->fp)) != 0) ? gl_err_errno(err, "writing %s", partial) : 0;
    if (fclose(o->fp) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", partial);
    o->fp = NULL;
    if (rc != 0)
        return -1;
    gl_buf side = {0};
    gl_buf_printf(&side, "%s.sha256", out);
    FILE *sf = fopen(side.data, "wx");
    if (!sf || fprintf(sf, "%s  %s\n", hex, base_name(out)) < 0)
        rc = gl_err_errno(err, "writing %s", side.data);
    if (sf && fclose(sf) != 0 && rc == 0)
        rc = gl_err_errno(err, "writing %s", side.data);
    if (rc == 0 && rename(partial, out) != 0)
        rc = gl_err_errno(err, "renaming %s to %s", partial, out);
    if (rc != 0 && sf)
        remove(side.data);
    gl_buf_free(&side);
    return rc;
}

static int exit_for(const gl_err *err)
{
    switch (err->code) {
    case GL_ERR_USAGE: return GL_EXIT_USAGE;
    case GL_ERR_DAMAGED:
    case GL_ERR_LIMIT: return GL_EXIT_INVALID;
    default: return GL_EXIT_FATAL;
    }
}

static int split_for_openssl(const char *in, const char *prefix)
{
    gl_buf header = {0}, content = {0};
    gl_buf_printf(&header, "%s.cms", prefix);
    gl_buf_printf(&content, "%s.ciphertext", prefix);
    gl_err err = {0};
    int rc = GL_EXIT_OK;
    if (gl_bundle_split_cms(in, header.data, content.data, &err) != 0) {
        fprintf(stderr, "gleaner decrypt: %s\n", err.msg);
        rc = err.code == GL_ERR_ABSENT || err.code == GL_ERR_IO ? GL_EXIT_FATAL : exit_for(&err);
    } else {
        fprintf(stderr, "split %s into %s and %s\n", in, header.data, content.data);
    }
    gl_buf_free(&header);
    gl_buf_free(&content);
    return rc;
}

static char *default_output(const char *in)
{
    size_t n = strlen(in), s = strlen(GL_ENCRYPTED_SUFFIX);
    if (n > s && !strcmp(in + n - s, GL_ENCRYPTED_SUFFIX))
        return strndup(in, n - s);
    gl_buf b = {0};
    gl_buf_printf(&b, "%s.decrypted.tar.zst", in);
    return b.data;
}

int gl_cmd_decrypt(int argc, char **argv)
{
    static const struct option opts[] = {{"key", required_argument, 0, 'k'},
                                         {"cert", required_argument, 0, 'c'},
                                         {"output", required_argument, 0, 'o'},
                                         {"split", required_argument, 0, 'S'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    const char *key = NULL, *cert = NULL, *output = NULL, *split = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:c:o:h", opts, NULL)) != -1) {
        switch (c) {
        case 'k': key = optarg; break;
        case 'c': cert = optarg; break;
        case 'o': output = optarg; break;
        case 'S': split = optarg; break;
        case 'h': fputs(decrypt_help, stdout); return GL_EXIT_OK;
        default: fputs(decrypt_help, stderr); return GL_EXIT_USAGE;
        }
    }
    if (optind + 1 != argc || !key == !split || (split && (cert || output))) {
        fputs(decrypt_help, stderr);
        return GL_EXIT_USAGE;
    }
    const char *in = argv[optind];
    if (split)
        return split_for_openssl(in, split);
    char *out = output ? strdup(output) : default_output(in);
    gl_buf partial = {0};
    gl_buf_printf(&partial, "%s.partial", out);
    gl_err err = {0};
    int rc = GL_EXIT_OK;
    if (access(out, F_OK) == 0) {
        fprintf(stderr, "gleaner decrypt: %s already exists; refusing to overwrite it\n", out);
        rc = GL_EXIT_USAGE;
        goto done;
    }
    /* The key is checked before the output is created: a wrong key leaves nothing. */
    gl_decrypt *d = gl_decrypt_open(in, key, cert, &err);
    if (!d) {
        fprintf(stderr, "gleaner decrypt: %s\n", err.msg);
        rc = exit_for(&err);
        goto done;
    }
    out_file o = {.path = partial.data};
    o.fp = fopen(partial.data, "wbx");
    if (!o.fp) {
        fprintf(stderr, "gleaner decrypt: creating %s: %s\n", partial.data, strerror(errno));
        gl_decrypt_close(d);
        rc = GL_EXIT_FATAL;
        goto done;
    }
    gl_sha256_init(&o.h);
    enum { CHUNK = 1 << 20 };
    char *buf = gl_xmalloc(CHUNK);
    int64_t n;
    while ((n = gl_decrypt_read(d, buf, CHUNK, &err)) > 0 && write_plain(&o, buf, (size_t)n) == 0)
        ;
    free(buf);
    gl_decrypt_close(d);
    if (n != 0) {
        fprintf(stderr, "gleaner decrypt: %s\n", n < 0 ? err.msg : o.err.msg);
        rc = n < 0 ? exit_for(&err) : GL_EXIT_FATAL;
    } else if (finish_output(&o, partial.data, out, &err) != 0) {
        fprintf(stderr, "gleaner decrypt: %s\n", err.msg);
        rc = GL_EXIT_FATAL;
    }
    if (o.fp) {
        char dummy[GL_SHA256_HEX];
        gl_sha256_final(&o.h, dummy);
        fclose(o.fp);
    }
    if (rc != GL_EXIT_OK)
        remove(partial.data);
    else
        fprintf(stderr, "decrypted %s to %s\n", in, out);
done:
    gl_buf_free(&partial);
    free(out);
    return rc;
}
