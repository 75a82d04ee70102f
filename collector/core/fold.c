#include "fold.h"
#include <string.h>

size_t gl_utf8_decode(const char *str, size_t n, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    size_t len;
    uint32_t v;
    *cp = GL_UTF8_INVALID + c;
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        len = 2;
        v = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
        len = 3;
        v = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
        len = 4;
        v = c & 0x07;
    } else {
        return 1;
    }
    if (len > n)
        return 1;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 1;
        v = (v << 6) | (s[i] & 0x3F);
    }
    /* overlong forms, surrogates and values past U+10FFFF are not UTF-8 */
    if ((len == 3 && v < 0x800) || (len == 4 && (v < 0x10000 || v > 0x10FFFF)) ||
        (v >= 0xD800 && v <= 0xDFFF))
        return 1;
    *cp = v;
    return len;
}

/* Fold to upper case, as NTFS's upcase table does for these ranges. */
uint32_t gl_fold_cp(uint32_t cp)
{
    if (cp >= 'a' && cp <= 'z')
        return cp - 32;
    if (cp < 0x80)
        return cp;
    if ((cp >= 0xE0 && cp <= 0xFE && cp != 0xF7))
        return cp - 32;
    if (cp == 0xFF)
        return 0x178;
    if (cp >= 0x100 && cp <= 0x17F) { /* Latin Extended-A: pairs, mostly even=upper */
        if ((cp >= 0x139 && cp <= 0x148) || (cp >= 0x179 && cp <= 0x17E))
            return (cp & 1) ? cp : cp - 1;
        if (cp == 0x131 || cp == 0x138 || cp == 0x149 || cp == 0x17F)
            return cp;
        return (cp & 1) ? cp - 1 : cp;
    }
    if (cp >= 0x3B1 && cp <= 0x3C9 && cp != 0x3C2)
        return cp - 32;
    if (cp >= 0x430 && cp <= 0x44F)
        return cp - 32;
    if (cp >= 0x450 && cp <= 0x45F)
        return cp - 80;
    return cp;
}

int gl_name_casecmp(const char *a, size_t n1, const char *b, size_t n2)
{
    size_t i = 0, j = 0;
    while (i < n1 && j < n2) {
        uint32_t ca, cb;
        i += gl_utf8_decode(a + i, n1 - i, &ca);
        j += gl_utf8_decode(b + j, n2 - j, &cb);
        ca = gl_fold_cp(ca);
        cb = gl_fold_cp(cb);
        if (ca != cb)
            return ca < cb ? -1 : 1;
    }
    if (i < n1)
        return 1;
    if (j < n2)
        return -1;
    return 0;
}

bool gl_name_equal(const char *a, const char *b)
{
    return gl_name_casecmp(a, strlen(a), b, strlen(b)) == 0;
}
