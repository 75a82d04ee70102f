/* The defender module's view of the WinDefend service in the System log
 * (7036 state, 7040 start type) and of attack surface reduction rules
 * firing (Defender Operational 1121 block, 1122 audit). Internal to
 * modules/defender; defender.c feeds it events and asks for its findings
 * at the end. Records (records/defender.jsonl):
 *   service   time, event_id, service, state (7036) or from/to (7040),
 *             artifact, locator
 *   asr       time, event_id, mode (block/audit), rule_id, path, process,
 *             user, target_commandline, parent_commandline, artifact,
 *             locator */
#ifndef GL_DEFENDER_SVC_ASR_H
#define GL_DEFENDER_SVC_ASR_H
#include <stddef.h>
#include "events.h"
#include "module.h"

typedef struct dsa dsa;

/* One record of an event: type, time, event_id, the key/value pairs of kv
 * (NULL-terminated), artifact and locator. */
void defender_event_record(gl_run *run, const gl_event *ev, const char *type, const char *const *kv);

dsa *dsa_new(gl_run *run);
/* gl_event_cb for the System channel (7036/7040; other services ignored). */
int dsa_on_system(void *ctx, const gl_event *ev);
/* One 1121 or 1122 of the Defender Operational log. */
void dsa_on_asr(dsa *d, const gl_event *ev);
/* Emits the findings and frees d. */
void dsa_report_free(dsa *d);

#endif
