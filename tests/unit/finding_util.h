/* Reading a bundle's findings back in module tests: parse findings.jsonl
 * (cJSON, an independent reader), pick one finding by rule and title and
 * check it exactly, count findings by rule or severity. */
#ifndef GL_FINDING_UTIL_H
#define GL_FINDING_UTIL_H
#include <cjson/cJSON.h>
#include <stddef.h>

/* All findings of the bundle as a cJSON array (tests may leak it). */
cJSON *fu_findings(const char *bundle);
/* Only those of one module. */
cJSON *fu_module_findings(const char *bundle, const char *module);
const char *fu_str(const cJSON *o, const char *key);
size_t fu_count_rule(const cJSON *all, const char *rule);
size_t fu_count_severity(const cJSON *all, const char *severity);
/* o printed compactly equals expect (no leak: tests run under LSan). */
int fu_json_is(const cJSON *o, const char *expect);
/* o printed contains needle. */
int fu_json_has(const cJSON *o, const char *needle);
/* The one finding of rule with this title: asserts severity, time (NULL:
 * the finding has none), a severity reason, and the FIRST evidence item. */
const cJSON *fu_expect(const cJSON *all, const char *rule, const char *title, const char *severity, const char *time,
                       const char *artifact, const char *locator);
/* A place for a module test's source tree: the fixtures (or corpus files)
 * copied to where Windows keeps them; returns the tree. */
char *fu_host(const char *tag, const char *const *pairs); /* {rel_dest, src_path, ..., NULL} */
/* A profile file that runs just the given modules (blank-separated): what
 * they read is acquired by being read. */
char *fu_profile(const char *tag, const char *modules);

/* Collect a tree of {destination, source} pairs with just these modules;
 * asserts exit 0 and returns the bundle. */
char *fu_collect(const char *tag, const char *modules, const char *const *pairs);

#endif
