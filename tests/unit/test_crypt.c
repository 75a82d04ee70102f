/* Encrypted bundles (collect --encrypt-to): stock OpenSSL and gleaner both
 * decrypt them to the same verified bundle, nothing readable is left in the
 * ciphertext, wrong keys and damage fail apart, and the DER walker copes
 * with what OpenSSL writes and refuses what it should. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "bundle_crypt.h"
#include "cms_der.h"
#include "spool.h"
#include "testutil.h"

typedef struct keys {
    char *dir;
    char *rsa_key, *rsa_cert, *ec_key, *ec_cert, *other_key, *other_cert;
} keys;

static char *path_in(const char *dir, const char *name)
{
    gl_buf p = {0};
    gl_buf_printf(&p, "%s/%s", dir, name);
    return p.data;
}

static void self_signed(const char *dir, const char *name, const char *newkey)
{
    int rc = tu_runf(NULL, NULL,
                     "cd '%s' && openssl req -x509 -newkey %s -nodes -keyout %s.key -out %s.pem -days 2 "
                     "-subj /CN=%s 2>/dev/null",
                     dir, newkey, name, name, name);
    cr_assert_eq(rc, 0, "openssl req for %s", name);
}

/* Two analysts' key pairs (RSA and EC P-256) and a stranger's. */
static keys make_keys(const char *tag)
{
    keys k = {.dir = tu_tmpdir(tag)};
    self_signed(k.dir, "analyst-rsa", "rsa:2048");
    self_signed(k.dir, "analyst-ec", "ec -pkeyopt ec_paramgen_curve:P-256");
    self_signed(k.dir, "stranger", "rsa:2048");
    k.rsa_key = path_in(k.dir, "analyst-rsa.key");
    k.rsa_cert = path_in(k.dir, "analyst-rsa.pem");
    k.ec_key = path_in(k.dir, "analyst-ec.key");
    k.ec_cert = path_in(k.dir, "analyst-ec.pem");
    k.other_key = path_in(k.dir, "stranger.key");
    k.other_cert = path_in(k.dir, "stranger.pem");
    return k;
}

/* The sample host collected encrypted to the RSA analyst (and the EC one). */
static char *collect_encrypted(const char *tag, const keys *k, bool both)
{
    gl_buf args = {0};
    gl_buf_printf(&args, "--encrypt-to '%s'", k->rsa_cert);
    if (both)
        gl_buf_printf(&args, " --encrypt-to '%s'", k->ec_cert);
    char *plain = tu_collect_dir(tag, tu_fixture("sample-host"), args.data, 0);
    gl_buf p = {0};
    gl_buf_printf(&p, "%s.p7m", plain);
    return p.data;
}

static char *sha256_of(const char *path)
{
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "sha256sum < '%s'", path), 0);
    cr_assert_geq(out.len, 64);
    out.data[64] = '\0';
    return out.data;
}

static void write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    cr_assert_not_null(f, "%s", path);
    fputs(text, f);
    fclose(f);
}

static bool same_bytes(const char *a, const char *b)
{
    return tu_runf(NULL, NULL, "cmp -s '%s' '%s'", a, b) == 0;
}

static size_t count_in(const gl_buf *b, const char *needle)
{
    size_t n = 0, len = strlen(needle);
    for (const char *p = b->data, *end = b->data + b->len; p && p + len <= end; p++) {
        p = memmem(p, (size_t)(end - p), needle, len);
        if (!p)
            break;
        n++;
    }
    return n;
}

Test(crypt, openssl_cms_decrypt_gives_a_bundle_that_verifies)
{
    keys k = make_keys("crypt-openssl-keys");
    char *p7m = collect_encrypted("crypt-openssl", &k, false);
    char *dir = tu_tmpdir("crypt-openssl-out");
    char *plain = path_in(dir, "b.tar.zst");
    cr_assert_eq(tu_runf(NULL, NULL, "openssl cms -decrypt -inform DER -in '%s' -inkey '%s' -recip '%s' -out '%s'",
                         p7m, k.rsa_key, k.rsa_cert, plain),
                 0);
    /* The analyst's own sidecar for the clear file; the manifest inside is what vouches for the members. */
    gl_buf side = {0};
    gl_buf_printf(&side, "%s  b.tar.zst\n", sha256_of(plain));
    write_text(path_in(dir, "b.tar.zst.sha256"), side.data);
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), plain), 0, "%s", out.data);
    cr_assert(strstr(out.data, ": OK ("), "%s", out.data);
    char *run = tu_bundle_member(plain, "run.json");
    cr_assert(strstr(run, "\"status\":\"complete\""), "%s", run);
}

Test(crypt, the_sidecar_hashes_the_encrypted_file)
{
    keys k = make_keys("crypt-sidecar-keys");
    char *p7m = collect_encrypted("crypt-sidecar", &k, false);
    gl_buf side = {0}, want = {0}, sp = {0};
    gl_buf_printf(&sp, "%s.sha256", p7m);
    cr_assert(tu_read_file(sp.data, &side));
    gl_buf_printf(&want, "%s  b.tar.zst.p7m\n", sha256_of(p7m));
    cr_assert_str_eq(gl_buf_cstr(&side), want.data);
    /* Nothing in clear beside it: only the .p7m and its sidecar. */
    gl_buf ls = {0};
    char *dir = strndup(p7m, strrchr(p7m, '/') - p7m);
    tu_runf(&ls, NULL, "ls -A '%s'", dir);
    cr_assert_str_eq(ls.data, "b.tar.zst.p7m\nb.tar.zst.p7m.sha256\n");
}

Test(crypt, gleaner_decrypt_gives_the_bytes_openssl_gives)
{
    keys k = make_keys("crypt-same-keys");
    char *p7m = collect_encrypted("crypt-same", &k, false);
    char *dir = tu_tmpdir("crypt-same-out");
    char *by_openssl = path_in(dir, "openssl.tar.zst"), *by_gleaner = path_in(dir, "gleaner.tar.zst");
    cr_assert_eq(tu_runf(NULL, NULL, "openssl cms -decrypt -inform DER -in '%s' -inkey '%s' -out '%s'", p7m,
                         k.rsa_key, by_openssl),
                 0);
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "'%s' decrypt '%s' --key '%s' --output '%s'", tu_gleaner(), p7m, k.rsa_key,
                         by_gleaner),
                 0, "%s", err.data);
    cr_assert(same_bytes(by_openssl, by_gleaner));
    gl_buf side = {0}, want = {0};
    cr_assert(tu_read_file(path_in(dir, "gleaner.tar.zst.sha256"), &side));
    gl_buf_printf(&want, "%s  gleaner.tar.zst\n", sha256_of(by_openssl));
    cr_assert_str_eq(gl_buf_cstr(&side), want.data);
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' verify -q '%s'", tu_gleaner(), by_gleaner), 0);
    /* Default output: the name without .p7m, beside it. */
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --key '%s'", tu_gleaner(), p7m, k.rsa_key), 0);
    gl_buf def = {0};
    gl_buf_printf(&def, "%.*s", (int)(strlen(p7m) - 4), p7m);
    cr_assert(same_bytes(by_openssl, def.data));
    /* ... and never over an existing file. */
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --key '%s'", tu_gleaner(), p7m, k.rsa_key), 2);
    /* The way OpenSSL streams (bundles over its ~1.5 GiB limit): header and bare ciphertext. */
    char *prefix = path_in(dir, "split"), *by_content = path_in(dir, "content.tar.zst");
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --split '%s'", tu_gleaner(), p7m, prefix), 0);
    cr_assert_eq(tu_runf(NULL, NULL,
                         "openssl cms -decrypt -binary -inform DER -in '%s.cms' -content '%s.ciphertext' -inkey '%s' "
                         "-out '%s'",
                         prefix, prefix, k.rsa_key, by_content),
                 0);
    cr_assert(same_bytes(by_openssl, by_content));
    gl_buf ct = {0};
    cr_assert(tu_read_file(path_in(dir, "split.ciphertext"), &ct));
    cr_assert_eq(count_in(&ct, "manifest.json"), 0);
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --split '%s'", tu_gleaner(), p7m, prefix), 3,
                 "an existing split is never overwritten");
}

Test(crypt, no_member_name_is_readable_in_the_encrypted_file)
{
    keys k = make_keys("crypt-clear-keys");
    char *p7m = collect_encrypted("crypt-clear", &k, false);
    char *plain = path_in(tu_tmpdir("crypt-clear-out"), "b.tar.zst");
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --key '%s' -o '%s'", tu_gleaner(), p7m, k.rsa_key, plain), 0);
    gl_buf enc = {0}, names = {0};
    cr_assert(tu_read_file(p7m, &enc));
    /* The member names as the bundle really has them (tar, an independent reader). */
    cr_assert_eq(tu_runf(&names, NULL, "tar --zstd -tf '%s'", plain), 0);
    const char *needles[] = {"run.json", "manifest.json", "artifacts/", "findings.jsonl", "records/", "Windows"};
    for (size_t i = 0; i < sizeof needles / sizeof *needles; i++) {
        cr_assert_gt(tu_count(gl_buf_cstr(&names), needles[i]), 0, "%s is in the bundle", needles[i]);
        cr_assert_eq(count_in(&enc, needles[i]), 0, "%s readable in the .p7m", needles[i]);
    }
}

Test(crypt, a_wrong_key_fails_with_exit_2_naming_the_recipients)
{
    keys k = make_keys("crypt-wrong-keys");
    char *p7m = collect_encrypted("crypt-wrong", &k, true);
    char *dir = tu_tmpdir("crypt-wrong-out");
    char *out = path_in(dir, "x.tar.zst");
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "'%s' decrypt '%s' --key '%s' -o '%s'", tu_gleaner(), p7m, k.other_key, out), 2);
    gl_buf want = {0};
    gl_buf_printf(&want, "gleaner decrypt: %s: key %s opens none of the bundle's 2 recipients (key transport (RSA) to "
                  "issuer /CN=analyst-rsa serial ", p7m, k.other_key);
    cr_assert(strstr(err.data, want.data), "%s", err.data);
    cr_assert(strstr(err.data, "; key agreement (EC) to issuer /CN=analyst-ec serial "), "%s", err.data);
    cr_assert(strstr(err.data, "it is not the private key of a certificate the bundle was encrypted to\n"), "%s",
              err.data);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", dir);
    cr_assert_str_eq(gl_buf_cstr(&ls), "", "nothing written for a wrong key");
    /* A certificate that is not a recipient, and a key that is not the certificate's. */
    gl_buf_clear(&err);
    cr_assert_eq(tu_runf(NULL, &err, "'%s' decrypt '%s' --key '%s' --cert '%s' -o '%s'", tu_gleaner(), p7m,
                         k.other_key, k.other_cert, out),
                 2);
    cr_assert(strstr(err.data, "certificate ") && strstr(err.data, "stranger.pem is not among the bundle's 2 recipients"),
              "%s", err.data);
    gl_buf_clear(&err);
    cr_assert_eq(tu_runf(NULL, &err, "'%s' decrypt '%s' --key '%s' --cert '%s' -o '%s'", tu_gleaner(), p7m,
                         k.rsa_key, k.ec_cert, out),
                 2);
    cr_assert(strstr(err.data, "analyst-rsa.key does not belong to certificate "), "%s", err.data);
    /* verify says the same, and does not call the bundle damaged. */
    gl_buf vout = {0};
    cr_assert_eq(tu_runf(&vout, NULL, "'%s' verify --key '%s' '%s'", tu_gleaner(), k.other_key, p7m), 2);
    cr_assert(strstr(vout.data, "opens none of the bundle's 2 recipients"), "%s", vout.data);
    cr_assert(strstr(vout.data, "NOT VERIFIED: cannot be decrypted with the key given"), "%s", vout.data);
}

Test(crypt, each_of_two_recipients_decrypts)
{
    keys k = make_keys("crypt-two-keys");
    char *p7m = collect_encrypted("crypt-two", &k, true);
    char *dir = tu_tmpdir("crypt-two-out");
    char *a = path_in(dir, "rsa.tar.zst"), *b = path_in(dir, "ec.tar.zst"), *c = path_in(dir, "ec-openssl.tar.zst");
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --key '%s' -o '%s'", tu_gleaner(), p7m, k.rsa_key, a), 0);
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --key '%s' --cert '%s' -o '%s'", tu_gleaner(), p7m, k.ec_key,
                         k.ec_cert, b),
                 0);
    cr_assert_eq(tu_runf(NULL, NULL, "openssl cms -decrypt -inform DER -in '%s' -inkey '%s' -recip '%s' -out '%s'",
                         p7m, k.ec_key, k.ec_cert, c),
                 0);
    cr_assert(same_bytes(a, b));
    cr_assert(same_bytes(a, c));
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' verify -q '%s'", tu_gleaner(), b), 0);
}

Test(crypt, verify_key_reads_the_encrypted_bundle)
{
    keys k = make_keys("crypt-verify-keys");
    char *p7m = collect_encrypted("crypt-verify", &k, true);
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify --key '%s' '%s'", tu_gleaner(), k.ec_key, p7m), 0, "%s", out.data);
    cr_assert(strstr(out.data, ": OK (") && strstr(out.data, "members, manifest and sidecar match)"), "%s", out.data);
    gl_buf_clear(&out);
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify '%s'", tu_gleaner(), p7m), 2);
    cr_assert(strstr(out.data, "encrypted bundle: give the private key of a recipient (--key KEY.pem)"), "%s",
              out.data);
}

/* Damage: CBC has no integrity of its own, so an altered byte in the middle
 * is caught by the sidecar and the manifest; a cut-off file by the CMS
 * structure. Both are exit 4, not a key problem. */
Test(crypt, damage_is_exit_4)
{
    keys k = make_keys("crypt-damage-keys");
    char *p7m = collect_encrypted("crypt-damage", &k, false);
    char *dir = tu_tmpdir("crypt-damage-out");
    char *cut = path_in(dir, "cut.tar.zst.p7m"), *flip = path_in(dir, "flip.tar.zst.p7m");
    gl_buf enc = {0};
    cr_assert(tu_read_file(p7m, &enc));
    FILE *f = fopen(cut, "wb");
    fwrite(enc.data, 1, enc.len - 100, f);
    fclose(f);
    enc.data[enc.len / 2] ^= 0x40;
    f = fopen(flip, "wb");
    fwrite(enc.data, 1, enc.len, f);
    fclose(f);
    gl_buf err = {0};
    cr_assert_eq(tu_runf(NULL, &err, "'%s' decrypt '%s' --key '%s' -o '%s/cut.tar.zst'", tu_gleaner(), cut, k.rsa_key,
                         dir),
                 4, "%s", err.data);
    cr_assert(strstr(err.data, "cut.tar.zst.p7m: offset "), "%s", err.data);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", dir);
    cr_assert_str_eq(ls.data, "cut.tar.zst.p7m\nflip.tar.zst.p7m\n", "no partial clear text left behind");
    gl_buf side = {0};
    gl_buf_printf(&side, "cp '%s.sha256' '%s.sha256'", p7m, flip);
    cr_assert_eq(tu_run(side.data, NULL, NULL), 0);
    gl_buf out = {0};
    cr_assert_eq(tu_runf(&out, NULL, "'%s' verify --key '%s' '%s'", tu_gleaner(), k.rsa_key, flip), 4);
    cr_assert(strstr(out.data, "sidecar hash does not match"), "%s", out.data);
}

Test(crypt, an_interrupted_encrypted_run_leaves_a_valid_partial_bundle)
{
    keys k = make_keys("crypt-interrupt-keys");
    char *prof = path_in(k.dir, "p.profile");
    write_text(prof, "module pipeline_probe\nmodule kit_reader_a\n"
                     "set pipeline_probe.path Windows\\System32\\drivers\\etc\\hosts\n");
    char *out = tu_tmpdir("crypt-interrupt-out");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err,
                     "GLEANER_TEST_INTERRUPT_AT=pipeline_probe '%s' collect -q --source 'dir:%s' --profile '%s' "
                     "--output '%s' --name b --encrypt-to '%s'",
                     tu_gleaner(), tu_fixture("sample-host"), prof, out, k.rsa_cert);
    cr_assert_eq(rc, 1, "%s", err.data);
    char *p7m = path_in(out, "b.tar.zst.p7m");
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' verify -q --key '%s' '%s'", tu_gleaner(), k.rsa_key, p7m), 0);
    char *plain = path_in(tu_tmpdir("crypt-interrupt-plain"), "b.tar.zst");
    cr_assert_eq(tu_runf(NULL, NULL, "openssl cms -decrypt -inform DER -in '%s' -inkey '%s' -out '%s'", p7m,
                         k.rsa_key, plain),
                 0);
    char *run = tu_bundle_member(plain, "run.json");
    cr_assert(strstr(run, "\"status\":\"partial\",\"reason\":\"interrupted\""), "%s", run);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", out);
    cr_assert_str_eq(ls.data, "b.tar.zst.p7m\nb.tar.zst.p7m.sha256\n");
}

Test(crypt, an_unusable_certificate_stops_collect_before_reading)
{
    char *dir = tu_tmpdir("crypt-badcert");
    char *notcert = path_in(dir, "notcert.pem");
    write_text(notcert, "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    char *out = path_in(dir, "out");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --output '%s' --encrypt-to '%s'", tu_gleaner(),
                     tu_fixture("sample-host"), out, notcert);
    cr_assert_eq(rc, 2, "%s", err.data);
    gl_buf want = {0};
    gl_buf_printf(&want, "gleaner collect: --encrypt-to %s: not a PEM X.509 certificate (", notcert);
    cr_assert(strstr(err.data, want.data), "%s", err.data);
    cr_assert_neq(tu_runf(NULL, NULL, "test -e '%s'", out), 0, "nothing created");
    /* A DSA certificate: neither RSA nor EC. */
    cr_assert_eq(tu_runf(NULL, NULL,
                         "cd '%s' && openssl genpkey -genparam -algorithm DSA -pkeyopt dsa_paramgen_bits:1024 "
                         "-out p.pem 2>/dev/null && openssl req -x509 -newkey dsa:p.pem -nodes -keyout d.key "
                         "-out d.pem -days 2 -subj /CN=d 2>/dev/null",
                         dir),
                 0);
    gl_buf_clear(&err);
    rc = tu_runf(NULL, &err, "'%s' collect -q --source 'dir:%s' --output '%s' --encrypt-to '%s/d.pem'", tu_gleaner(),
                 tu_fixture("sample-host"), out, dir);
    cr_assert_eq(rc, 2, "%s", err.data);
    cr_assert(strstr(err.data, "the certificate's key is DSA; gleaner encrypts to RSA or EC keys"), "%s", err.data);
}

/* ---- the DER walker, on structures OpenSSL writes in other shapes -------- */

/* `openssl cms -encrypt` without -stream writes definite lengths and one
 * primitive content; with -stream, indefinite lengths and pieces. */
Test(crypt, decrypts_definite_and_indefinite_encodings_from_openssl)
{
    keys k = make_keys("crypt-shapes-keys");
    char *dir = k.dir;
    char *clear = path_in(dir, "clear.bin");
    cr_assert_eq(tu_runf(NULL, NULL, "head -c 300000 /dev/urandom > '%s'", clear), 0);
    const char *shapes[] = {"", "-stream"};
    for (size_t i = 0; i < 2; i++) {
        gl_buf enc = {0}, dec = {0};
        gl_buf_printf(&enc, "%s/shape%zu.p7m", dir, i);
        gl_buf_printf(&dec, "%s/shape%zu.out", dir, i);
        cr_assert_eq(tu_runf(NULL, NULL,
                             "openssl cms -encrypt -binary %s -aes-256-cbc -outform DER -in '%s' -out '%s' '%s'",
                             shapes[i], clear, enc.data, k.rsa_cert),
                     0);
        gl_buf err = {0};
        cr_assert_eq(tu_runf(NULL, &err, "'%s' decrypt '%s' --key '%s' -o '%s'", tu_gleaner(), enc.data, k.rsa_key,
                             dec.data),
                     0, "%s: %s", shapes[i], err.data);
        cr_assert(same_bytes(clear, dec.data), "shape %s", shapes[i]);
        /* Decrypted, but no bundle inside: damage for verify, not a key problem. */
        gl_buf out = {0};
        cr_assert_eq(tu_runf(&out, NULL, "'%s' verify --key '%s' '%s'", tu_gleaner(), k.rsa_key, enc.data), 4);
        cr_assert(strstr(out.data, "truncated or corrupt: "), "%s", out.data);
    }
}

static int parse_all(const void *data, size_t len, uint64_t *content_bytes, gl_err *err)
{
    gl_mem_reader mem;
    gl_reader r = gl_reader_memory(&mem, data, len, "test.p7m");
    gl_cms_envelope env;
    if (gl_cms_envelope_parse(&r, &env, err) != 0)
        return -1;
    gl_cms_content c;
    gl_cms_content_init(&c, &r, &env);
    uint64_t off, n;
    int rc;
    *content_bytes = 0;
    while ((rc = gl_cms_content_next(&c, &off, &n, err)) == 1)
        *content_bytes += n;
    gl_cms_envelope_free(&env);
    return rc;
}

/* A minimal EnvelopedData around a content built by the test. */
static void envelope(gl_buf *out, const uint8_t *content, size_t n)
{
    static const uint8_t head[] = {
        0x30, 0x80,                                                             /* ContentInfo */
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x03,       /* envelopedData */
        0xa0, 0x80, 0x30, 0x80,                                                 /* [0] EnvelopedData */
        0x02, 0x01, 0x00,                                                       /* version */
        0x31, 0x03, 0x30, 0x01, 0x00,                                           /* recipients (opaque here) */
        0x30, 0x80,                                                             /* EncryptedContentInfo */
        0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x01,       /* data */
        0x30, 0x0b, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x01, 0x2a}; /* aes-256-cbc, no IV */
    gl_buf_append(out, head, sizeof head);
    gl_buf_append(out, content, n);
    static const uint8_t tail[8] = {0};
    gl_buf_append(out, tail, sizeof tail); /* ECI, EnvelopedData, [0], ContentInfo */
}

Test(crypt, der_walker_follows_nested_pieces_and_refuses_what_it_should)
{
    gl_err err = {0};
    uint64_t bytes = 0;
    /* [0] constructed indefinite holding a piece and a nested constructed OCTET STRING. */
    static const uint8_t nested[] = {0xa0, 0x80, 0x04, 0x03, 1, 2, 3, 0x24, 0x80, 0x04, 0x02, 4, 5, 0x00, 0x00,
                                     0x04, 0x00, 0x00, 0x00};
    gl_buf b = {0};
    envelope(&b, nested, sizeof nested);
    cr_assert_eq(parse_all(b.data, b.len, &bytes, &err), 0, "%s", err.msg);
    cr_assert_eq(bytes, 5);
    /* Primitive [0] with a long-form length. */
    static const uint8_t prim[] = {0x80, 0x81, 0x02, 9, 9};
    gl_buf_clear(&b);
    envelope(&b, prim, sizeof prim);
    cr_assert_eq(parse_all(b.data, b.len, &bytes, &err), 0, "%s", err.msg);
    cr_assert_eq(bytes, 2);
    /* A piece whose length runs past the file. */
    static const uint8_t runs_past[] = {0xa0, 0x80, 0x04, 0x84, 0x7f, 0xff, 0xff, 0xff, 1};
    gl_buf_clear(&b);
    envelope(&b, runs_past, sizeof runs_past);
    cr_assert_eq(parse_all(b.data, b.len, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "test.p7m: offset 53: element of 2147483647 bytes runs past the end"), "%s", err.msg);
    cr_assert_eq(err.code, GL_ERR_DAMAGED);
    /* Nesting deeper than the limit. */
    gl_buf deep = {0};
    gl_buf_append(&deep, "\xa0\x80", 2);
    for (int i = 0; i < GL_CMS_MAX_DEPTH + 2; i++)
        gl_buf_append(&deep, "\x24\x80", 2);
    gl_buf_clear(&b);
    envelope(&b, (const uint8_t *)deep.data, deep.len);
    cr_assert_eq(parse_all(b.data, b.len, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "encrypted content nested more than 16 deep"), "%s", err.msg);
    cr_assert_eq(err.code, GL_ERR_LIMIT);
    /* Something else where a piece belongs. */
    static const uint8_t not_octets[] = {0xa0, 0x80, 0x02, 0x01, 0x00, 0x00, 0x00};
    gl_buf_clear(&b);
    envelope(&b, not_octets, sizeof not_octets);
    cr_assert_eq(parse_all(b.data, b.len, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "offset 53: expected an OCTET STRING piece of the encrypted content, found class 0 tag 2"),
              "%s", err.msg);
    /* Bytes after the structure. */
    gl_buf_clear(&b);
    envelope(&b, prim, sizeof prim);
    gl_buf_append(&b, "junk", 4);
    cr_assert_eq(parse_all(b.data, b.len, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "4 bytes follow the end of the CMS structure"), "%s", err.msg);
    /* Missing end-of-contents (a cut-off file). */
    gl_buf_clear(&b);
    envelope(&b, prim, sizeof prim);
    b.len -= 2;
    cr_assert_eq(parse_all(b.data, b.len, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "end of ContentInfo: test.p7m: offset "), "%s", err.msg);
    /* Not enveloped-data at all. */
    static const uint8_t signed_data[] = {0x30, 0x0b, 0x06, 0x09, 0x2a, 0x86, 0x48, 0x86, 0xf7, 0x0d, 0x01, 0x07, 0x02};
    cr_assert_eq(parse_all(signed_data, sizeof signed_data, &bytes, &err), -1);
    cr_assert(strstr(err.msg, "CMS content type is not enveloped-data"), "%s", err.msg);
    cr_assert_eq(err.code, GL_ERR_USAGE);
}

/* An encrypted collection seals its spools: what reaches the disk is
 * ciphertext, what the bundle writer reads back is the clear text, at any
 * offset (counter mode), across appends after reads. */
Test(crypt, sealed_spools_hold_no_clear_text)
{
    cr_assert_eq(gl_spool_seal_all(), 0);
    gl_spool sp;
    gl_err err = {0};
    cr_assert_eq(gl_spool_open(&sp, tu_tmpdir("crypt-spool"), &err), 0, "%s", err.msg);
    cr_assert(sp.sealed);
    const char *line = "{\"rule\":\"GL_Example\",\"path\":\"C:\\\\Windows\\\\Temp\\\\x.exe\"}";
    for (int i = 0; i < 1000; i++)
        cr_assert_eq(gl_spool_line(&sp, line, strlen(line), &err), 0, "%s", err.msg);
    char back[100];
    size_t len = strlen(line) + 1;
    cr_assert_eq(gl_spool_read_at(&sp, 37 * len, back, len, &err), (int64_t)len);
    cr_assert_eq(memcmp(back, line, len - 1), 0);
    cr_assert_eq(back[len - 1], '\n');
    cr_assert_eq(gl_spool_write(&sp, "tail", 4, &err), 0);
    cr_assert_eq(gl_spool_read_at(&sp, 1000 * len + 1, back, 10, &err), 3);
    cr_assert_eq(memcmp(back, "ail", 3), 0);
    /* The bytes in the file itself. */
    gl_buf raw = {0};
    gl_buf_reserve(&raw, sp.size);
    cr_assert_eq(pread(fileno(sp.fp), raw.data, sp.size, 0), (ssize_t)sp.size);
    raw.len = sp.size;
    cr_assert_eq(count_in(&raw, "GL_Example"), 0);
    cr_assert_eq(count_in(&raw, "Windows"), 0);
    gl_spool_close(&sp);
}

/* Memory does not follow the bundle: 128 MiB of incompressible evidence,
 * encrypted, decrypted and verified with a fraction of that resident (a
 * reader that loads the CMS structure whole, as OpenSSL's does, needs all
 * of it). make bench-crypt does the same over 2 GiB. */
Test(crypt, decrypting_a_large_bundle_keeps_memory_flat, .timeout = 300)
{
    keys k = make_keys("crypt-mem-keys");
    char *root = tu_tmpdir("crypt-mem");
    cr_assert_eq(tu_runf(NULL, NULL,
                         "mkdir -p '%s/drive/Windows/System32/winevt/Logs' '%s/out' && "
                         "head -c 128M /dev/urandom > '%s/drive/Windows/System32/winevt/Logs/Big.evtx'",
                         root, root, root),
                 0);
    char *prof = path_in(root, "big.profile");
    write_text(prof, "module files\nset files.max_file_size 1GiB\ntarget big C:\\Windows\\System32\\winevt\\Logs\\*.evtx\n");
    cr_assert_eq(tu_runf(NULL, NULL,
                         "'%s' collect -q --source 'dir:%s/drive' --profile '%s' --output '%s/out' --name big "
                         "--encrypt-to '%s' > /dev/null && rm -r '%s/drive'",
                         tu_gleaner(), root, prof, root, k.rsa_cert, root),
                 0);
    char *p7m = path_in(root, "out/big.tar.zst.p7m");
    long limit = strstr(tu_gleaner(), "/san/") ? 256 * 1024 : 32 * 1024;
    long rss = 0;
    gl_buf cmd = {0};
    gl_buf_printf(&cmd, "'%s' decrypt '%s' --key '%s' -o '%s/big.tar.zst'", tu_gleaner(), p7m, k.rsa_key, root);
    cr_assert_eq(tu_run_rss(cmd.data, &rss), 0);
    cr_assert_lt(rss, limit, "gleaner decrypt: peak RSS %ld KiB for a 128 MiB bundle", rss);
    gl_buf_clear(&cmd);
    gl_buf_printf(&cmd, "'%s' verify -q --key '%s' '%s'", tu_gleaner(), k.rsa_key, p7m);
    cr_assert_eq(tu_run_rss(cmd.data, &rss), 0);
    cr_assert_lt(rss, limit, "gleaner verify --key: peak RSS %ld KiB for a 128 MiB bundle", rss);
    struct stat st;
    cr_assert_eq(stat(path_in(root, "big.tar.zst"), &st), 0);
    cr_assert_gt(st.st_size, 128 << 20, "the decrypted bundle holds the incompressible evidence");
    tu_runf(NULL, NULL, "rm -rf '%s'", root); /* 256 MiB not worth keeping */
}

/* A protected key: its passphrase from GLEANER_KEY_PASSPHRASE, never a prompt. */
Test(crypt, a_protected_key_opens_with_the_passphrase_from_the_environment)
{
    keys k = make_keys("crypt-pass-keys");
    cr_assert_eq(tu_runf(NULL, NULL,
                         "cd '%s' && openssl pkey -in analyst-rsa.key -aes-256-cbc -passout pass:'corr3ct horse' "
                         "-out protected.key",
                         k.dir),
                 0);
    char *key = path_in(k.dir, "protected.key");
    char *p7m = collect_encrypted("crypt-pass", &k, false);
    char *dir = tu_tmpdir("crypt-pass-out");
    gl_buf err = {0}, want = {0};
    cr_assert_eq(tu_runf(NULL, &err, "env -u GLEANER_KEY_PASSPHRASE '%s' decrypt '%s' --key '%s' -o '%s/a.tar.zst' "
                         "< /dev/null", tu_gleaner(), p7m, key, dir),
                 2);
    gl_buf_printf(&want, "gleaner decrypt: key %s is protected by a passphrase: give it in the environment variable "
                  "GLEANER_KEY_PASSPHRASE (gleaner never prompts)\n", key);
    cr_assert_str_eq(err.data, want.data);
    gl_buf_clear(&err);
    cr_assert_eq(tu_runf(NULL, &err, "GLEANER_KEY_PASSPHRASE=wrong '%s' decrypt '%s' --key '%s' -o '%s/a.tar.zst'",
                         tu_gleaner(), p7m, key, dir),
                 2);
    cr_assert(strstr(err.data, "the passphrase in GLEANER_KEY_PASSPHRASE does not open it ("), "%s", err.data);
    cr_assert_eq(tu_runf(NULL, NULL, "GLEANER_KEY_PASSPHRASE='corr3ct horse' '%s' decrypt '%s' --key '%s' -o "
                         "'%s/a.tar.zst'", tu_gleaner(), p7m, key, dir),
                 0);
    cr_assert_eq(tu_runf(NULL, NULL, "GLEANER_KEY_PASSPHRASE='corr3ct horse' '%s' verify -q --key '%s' '%s'",
                         tu_gleaner(), key, p7m),
                 0);
}

Test(crypt, dry_run_names_the_encrypted_bundle)
{
    keys k = make_keys("crypt-dry-keys");
    char *out = path_in(k.dir, "out");
    gl_buf so = {0};
    int rc = tu_runf(&so, NULL, "'%s' collect --dry-run --source 'dir:%s' --output '%s' --name b --encrypt-to '%s' "
                                "--encrypt-to '%s'",
                     tu_gleaner(), tu_fixture("sample-host"), out, k.rsa_cert, k.ec_cert);
    cr_assert_eq(rc, 0);
    gl_buf want = {0};
    gl_buf_printf(&want, "\noutput:  %s/b.tar.zst.p7m (encrypted to 2 certificates)\n", out);
    cr_assert(strstr(so.data, want.data), "%s", so.data);
    cr_assert_neq(tu_runf(NULL, NULL, "test -e '%s'", out), 0, "a dry run creates nothing");
}

/* `collect --source bundle:X.p7m --key` re-collects from an encrypted bundle:
 * the same findings as the bundle it was made from, and the scratch tree of
 * clear artifacts is gone afterwards. */
Test(crypt, an_encrypted_bundle_is_a_source_with_its_key)
{
    keys k = make_keys("crypt-source-keys");
    char *p7m = collect_encrypted("crypt-source", &k, false);
    char *out = tu_tmpdir("crypt-source-out");
    char *plain = path_in(out, "orig.tar.zst");
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' decrypt '%s' --key '%s' --output '%s'", tu_gleaner(), p7m, k.rsa_key,
                         plain),
                 0);
    size_t want = tu_count(tu_bundle_member(plain, "findings.jsonl"), "\n");
    cr_assert_gt(want, 10);
    char *again = path_in(out, "again");
    gl_buf err = {0};
    int rc = tu_runf(NULL, &err, "'%s' collect -q --source 'bundle:%s' --key '%s' --output '%s' --name r",
                     tu_gleaner(), p7m, k.rsa_key, again);
    cr_assert_eq(rc, 0, "%s", err.data);
    cr_assert_eq(tu_count(tu_bundle_member(path_in(again, "r.tar.zst"), "findings.jsonl"), "\n"), want);
    gl_buf ls = {0};
    tu_runf(&ls, NULL, "ls -A '%s'", again);
    cr_assert_str_eq(ls.data, "r.tar.zst\nr.tar.zst.sha256\n");
    /* without the key: a usage error (as for verify), before anything is read */
    gl_buf_clear(&err);
    rc = tu_runf(NULL, &err, "'%s' collect -q --source 'bundle:%s' --output '%s' --name s", tu_gleaner(), p7m,
                 again);
    cr_assert_eq(rc, 2, "%s", err.data);
    cr_assert(strstr(err.data, "give the private key of a recipient"), "%s", err.data);
    /* a key for another source is a usage error */
    cr_assert_eq(tu_runf(NULL, NULL, "'%s' collect -q --source 'dir:%s' --key '%s' --output '%s'", tu_gleaner(),
                         out, k.rsa_key, again),
                 2);
}
