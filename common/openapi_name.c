/*
 * openapi_name.c - the name and the class of a generated tool (README.md
 * "The OpenAPI catalogue", "Naming rule"): the resource part from the
 * path's literal segments, the verb from the class, the levels a name
 * climbs when names collide (openapi.c name_all decides when), and the
 * class (list, get, create, update, delete) from the HTTP method, the
 * path's shape and the summary's verb. Each is a function of the
 * operation alone, never of where the spec lists it.
 */
#include "first.h"

#include <stdio.h>
#include <string.h>

#include "caps.h"
#include "openapi_private.h"
#include "xalloc.h"

/* ---- small text helpers ---- */

/* Cut s to at most max bytes at a UTF-8 character boundary, into a new
 * string; "..." marks a cut. NULL when out of memory. */
char *op_utf8_cut(const char *s, size_t max)
{
	size_t n = strlen(s);
	char *r;

	if (n <= max)
		return xstrdup(s);
	n = max > 3 ? max - 3 : 0;
	while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
		n--;
	r = xmalloc(n + 4);
	if (!r)
		return NULL;
	memcpy(r, s, n);
	memcpy(r + n, "...", 4);
	return r;
}

/* Append src to dst as a name part: [a-z0-9] kept (upper case lowered),
 * anything else one '_', no doubled or trailing '_'. */
static void name_append(char *dst, size_t dstsz, const char *src, size_t srclen)
{
	size_t n = strlen(dst), i;

	if (n && dst[n - 1] != '_' && n + 1 < dstsz)
		dst[n++] = '_';
	for (i = 0; i < srclen && n + 1 < dstsz; i++) {
		char c = src[i];
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
			c = '_';
		if (c == '_' && (n == 0 || dst[n - 1] == '_'))
			continue;
		dst[n++] = c;
	}
	while (n && dst[n - 1] == '_')
		n--;
	dst[n] = '\0';
}

/* English singular of the last word of s, in place: policies -> policy,
 * addresses -> address, records -> record; status, access kept. */
static void singularize(char *s)
{
	size_t n = strlen(s);

	if (n > 3 && !strcmp(s + n - 3, "ies"))
		memcpy(s + n - 3, "y", 2);
	else if (n > 4 && (!strcmp(s + n - 4, "sses") || !strcmp(s + n - 4, "ches") ||
			   !strcmp(s + n - 4, "shes") || !strcmp(s + n - 3, "xes")))
		s[n - 2] = '\0';
	else if (n > 1 && s[n - 1] == 's' && s[n - 2] != 's' && s[n - 2] != 'u' && s[n - 2] != 'i')
		s[n - 1] = '\0';
}

/* FNV-1a of "HTTP path": the stable suffix of LEVEL_HASH names. */
static unsigned long op_hash(const struct op *op)
{
	unsigned long h = 2166136261u;
	const char *p;

	for (p = op->http; *p; p++)
		h = ((h ^ (unsigned char)*p) * 16777619u) & 0xffffffffu;
	h = ((h ^ ' ') * 16777619u) & 0xffffffffu;
	for (p = op->path; *p; p++)
		h = ((h ^ (unsigned char)*p) * 16777619u) & 0xffffffffu;
	return h;
}

static int ends_in_param(const char *path)
{
	size_t n = strlen(path);

	return n > 0 && path[n - 1] == '}';
}

/* The next segment of a path at *p ('/' runs skipped): its start in *seg,
 * *p moved past it. Returns its length; 0 at the end of the path. */
size_t op_path_seg(const char **p, const char **seg)
{
	size_t n;

	while (**p == '/')
		(*p)++;
	*seg = *p;
	n = strcspn(*p, "/");
	*p += n;
	return n;
}

/* The path's root: "zones", "accounts" or "" (any other first segment). */
const char *op_path_root(const char *path)
{
	if (!strncmp(path, "/zones/{", 8))
		return "zones";
	if (!strncmp(path, "/accounts/{", 11))
		return "accounts";
	return "";
}

/* ---- naming ---- */

/*
 * The resource part of a name: the literal segments of the path joined by
 * '_'. LEVEL_SHORT leaves out the root and its id (/zones/{zone_id},
 * /accounts/{account_id}); LEVEL_ROOT keeps it as "zone"/"account".
 */
static void resource_part(const struct op *op, int level, char *out, size_t outsz)
{
	const char *p = op->path, *root = op_path_root(op->path), *seg;
	int skip_root = *root && level == LEVEL_SHORT;
	size_t n;

	out[0] = '\0';
	if (*root && !skip_root)
		name_append(out, outsz, !strcmp(root, "zones") ? "zone" : "account", strlen(root) - 1);
	if (*root) {
		p = strchr(op->path + 1, '/'); /* after the root segment */
		p = p ? strchr(p + 1, '/') : NULL; /* after its id */
		if (!p)
			p = "";
	}
	while ((n = op_path_seg(&p, &seg)) > 0)
		if (*seg != '{')
			name_append(out, outsz, seg, n);
	if (!out[0])
		name_append(out, outsz, *root ? root : "api", *root ? strlen(root) - 1 : 3);
}

/*
 * The tool name of op at its level (README "Naming rule"):
 *   list   list_all_cloudflare_<resource>
 *   get    get_single_cloudflare_<resource, singular>_by_id  (path ends in {id})
 *          get_cloudflare_<resource>                          (otherwise)
 *   create create_a_cloudflare_<resource, singular>
 *   update update_a_cloudflare_<resource[, singular]>[_by_id]
 *   delete delete_a_cloudflare_<resource[, singular]>[_by_id]
 *   custom <verb>_cloudflare_<resource>[_by_id]
 * LEVEL_METHOD appends _<http method> to the resource, LEVEL_HASH then
 * _<6 hex of FNV-1a("HTTP path")>; a name over 64 characters has its
 * resource part cut and the hash appended.
 */
void op_name(struct op *op)
{
	char res[200], pre[96], suf[8], hash[8];
	int by_id = ends_in_param(op->path), sing = by_id;
	size_t room;

	resource_part(op, op->level, res, sizeof(res));
	suf[0] = '\0';
	switch (op->kind) {
	case TOOL_LIST: snprintf(pre, sizeof(pre), "list_all_cloudflare_"); sing = 0; by_id = 0; break;
	case TOOL_GET:
		snprintf(pre, sizeof(pre), by_id ? "get_single_cloudflare_" : "get_cloudflare_");
		break;
	case TOOL_CREATE: snprintf(pre, sizeof(pre), "create_a_cloudflare_"); sing = 1; break;
	case TOOL_UPDATE: snprintf(pre, sizeof(pre), "update_a_cloudflare_"); break;
	case TOOL_DELETE: snprintf(pre, sizeof(pre), "delete_a_cloudflare_"); break;
	default: snprintf(pre, sizeof(pre), "%.23s_cloudflare_", op->key); sing = 0; break;
	}
	if (sing)
		singularize(res);
	if (op->level >= LEVEL_METHOD) /* PUT and PATCH of one path: both update */
		name_append(res, sizeof(res), op->mkey, strlen(op->mkey));
	if (by_id)
		snprintf(suf, sizeof(suf), "_by_id");
	snprintf(hash, sizeof(hash), "%06lx", op_hash(op) & 0xffffffu);
	room = CAP_TOOL_NAME - strlen(pre) - strlen(suf);
	if (op->level == LEVEL_HASH || strlen(res) > room) {
		size_t keep = room - 7; /* "_" + 6 hex */
		if (strlen(res) > keep)
			res[keep] = '\0';
		while (keep && res[strlen(res) - 1] == '_')
			res[strlen(res) - 1] = '\0';
		snprintf(op->name, sizeof(op->name), "%s%s_%s%s", pre, res, hash, suf);
	} else {
		snprintf(op->name, sizeof(op->name), "%s%s%s", pre, res, suf);
	}
}

/* ---- classes ---- */

/* The first word of the summary, lower case letters only, into out. */
static void summary_verb(const cJSON *o, char *out, size_t outsz)
{
	const cJSON *s = cJSON_GetObjectItemCaseSensitive(o, "summary");
	const char *p = cJSON_IsString(s) ? s->valuestring : "";
	size_t n = 0;

	while (*p == ' ')
		p++;
	for (; *p && n + 1 < outsz; p++) {
		char c = *p;
		if (c >= 'A' && c <= 'Z')
			c = (char)(c - 'A' + 'a');
		if (c < 'a' || c > 'z')
			break;
		out[n++] = c;
	}
	out[n] = '\0';
}

/* 1 when w is one of the NULL-terminated list. */
int op_word_in(const char *w, const char *const *list)
{
	for (; *list; list++)
		if (!strcmp(w, *list))
			return 1;
	return 0;
}

/*
 * Class from the HTTP method, the path's shape and the summary's verb:
 * GET ending in {id} is get; other GETs are list when they page
 * (page/per_page or cursor) or their summary starts with "List", else
 * get; PUT and PATCH are update; DELETE is delete; POST is create, update
 * or delete by its verb (create/add/upload/...), else custom named by its
 * verb ("purge", "verify"; "call" when there is none).
 */
void op_class(struct op *op)
{
	static const char *const creates[] = { "create", "add", "upload", "new", "register", NULL };
	static const char *const updates[] = { "update", "edit", "modify", "change", "patch", NULL };
	static const char *const deletes[] = { "delete", "remove", NULL };
	char verb[24];

	summary_verb(op->o, verb, sizeof(verb));
	if (!strcmp(op->http, "GET")) {
		if (!ends_in_param(op->path) && (op_has_query(op, "per_page") ||
		    op_has_query(op, "cursor") || !strcmp(verb, "list")))
			op->kind = TOOL_LIST;
		else
			op->kind = TOOL_GET;
	} else if (!strcmp(op->http, "PUT") || !strcmp(op->http, "PATCH")) {
		op->kind = TOOL_UPDATE;
	} else if (!strcmp(op->http, "DELETE")) {
		op->kind = TOOL_DELETE;
	} else if (op_word_in(verb, creates)) {
		op->kind = TOOL_CREATE;
	} else if (op_word_in(verb, updates)) {
		op->kind = TOOL_UPDATE;
	} else if (op_word_in(verb, deletes)) {
		op->kind = TOOL_DELETE;
	} else {
		op->kind = TOOL_CUSTOM;
		/* a POST "List ..."/"Get ..." is a query, not a list/get tool */
		if (!verb[0])
			snprintf(op->key, sizeof(op->key), "call");
		else if (!strcmp(verb, "list") || !strcmp(verb, "get"))
			snprintf(op->key, sizeof(op->key), "query");
		else
			snprintf(op->key, sizeof(op->key), "%s", verb);
		return;
	}
	snprintf(op->key, sizeof(op->key), "%s",
		op->kind == TOOL_LIST ? "list" : op->kind == TOOL_GET ? "get" :
		op->kind == TOOL_CREATE ? "create" : op->kind == TOOL_UPDATE ? "update" : "delete");
}
