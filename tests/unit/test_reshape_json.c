/*
 * test_reshape_json.c - pins the bytes that issue 11's reshape of common/
 * (json, jsonrpc, schema, plan, cursor, b64url, catalog) must not change.
 * The golden values were taken from main before the move; every check here
 * passed there and must pass after it, unchanged:
 *  - cursors and base64url: exact encodings, and what decoding refuses;
 *  - the one JSON escaper: byte-for-byte what cJSON prints (jsonrpc.c used
 *    cJSON's printer for error messages before);
 *  - the catalogue: every rendered Tool object (a SHA-256 over them all),
 *    and the exact load error (file, JSON pointer, reason) for each way a
 *    schema document can be wrong;
 *  - argument validation: the exact model-facing reasons.
 */
#include "../../common/first.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../common/b64url.h"
#include "../../common/catalog.h"
#include "../../common/crypto.h"
#include "../../common/cursor.h"
#include "../../common/jsonrpc.h"
#include "../../common/router.h"
#include "../../common/schema.h"
#include "../../common/xalloc.h"
#include "../tap.h"

/* ---- cursors and base64url ---- */

static void cursors(void)
{
	static const struct {
		char kind;
		const char *val;
		size_t n;
		const char *want;
	} enc[] = {
		{ 'p', "", 0, "cA" },
		{ 'p', "2", 1, "cDI" },
		{ 'p', "17", 2, "cDE3" },
		{ 't', "100", 3, "dDEwMA" },
		{ 'c', "abc", 3, "Y2FiYw" },
		{ 'c', "\xff\xfe\xfd\x80", 4, "Y__-_YA" },
		{ 'c', "eyJvZmZzZXQiOjUwfQ==", 20, "Y2V5SnZabVp6WlhRaU9qVXdmUT09" },
	};
	size_t i;
	char kind, out[64];
	char big[513];

	for (i = 0; i < CFMCP_NELEM(enc); i++) {
		struct buf b;
		buf_init(&b, 0);
		ok(cursor_encode(&b, enc[i].kind, enc[i].val, enc[i].n) == 0, "cursor_encode %zu", i);
		is_str(b.p ? b.p : "", enc[i].want, "cursor bytes unchanged");
		if (enc[i].n && !memchr(enc[i].val, '\0', enc[i].n)) {
			ok(cursor_decode(b.p, &kind, out, sizeof(out)) == 0 && kind == enc[i].kind &&
			   strlen(out) == enc[i].n && !memcmp(out, enc[i].val, enc[i].n), "cursor %zu round-trips", i);
		}
		buf_free(&b);
	}
	ok(cursor_decode("cA", &kind, out, sizeof(out)) == 0 && kind == 'p' && !out[0], "empty page cursor decodes");
	ok(cursor_decode("eDI", &kind, out, sizeof(out)) < 0, "unknown kind refused");
	ok(cursor_decode("YwAx", &kind, out, sizeof(out)) < 0, "NUL inside refused");
	ok(cursor_decode("Y2FiYw=", &kind, out, sizeof(out)) < 0, "padding refused");
	ok(cursor_decode("Y2FiYw", &kind, out, 4) == 0 && !strcmp(out, "abc"), "fits outsz exactly");
	ok(cursor_decode("Y2FiYw", &kind, out, 3) < 0, "one byte short refused");
	memset(big, 'A', 512);
	big[512] = '\0';
	big[0] = 'Y';
	ok(cursor_decode(big, &kind, out, sizeof(out)) < 0, "512 chars, too long for out");
	{
		char huge[400];
		static char in[600];
		memset(in, 'A', 513);
		in[0] = 'Y';
		in[513] = '\0';
		ok(cursor_decode(in, &kind, huge, sizeof(huge)) < 0, "513 chars refused");
	}
	/* since the one codec: a length no encoder writes (4k+1) is refused
	 * (before, its last character was dropped), and cursor_encode issues
	 * nothing cursor_decode would refuse (cap at N and N+1) */
	ok(cursor_decode("Y2FiY", &kind, out, sizeof(out)) < 0, "4k+1 characters refused");
	{
		static char val[384], back[400];
		struct buf b;
		memset(val, 'v', sizeof(val));
		buf_init(&b, 0);
		ok(cursor_encode(&b, 'c', val, 383) == 0 && b.len == CURSOR_MAX_TEXT, "383-byte value: 512 characters");
		ok(cursor_decode(b.p, &kind, back, sizeof(back)) == 0 && strlen(back) == 383, "and it decodes");
		buf_free(&b);
		buf_init(&b, 0);
		ok(cursor_encode(&b, 'c', val, 384) < 0 && b.len == 0, "384-byte value refused, nothing written");
		buf_free(&b);
	}
}

static void b64url(void)
{
	/* RFC 4648 §10 vectors, unpadded, and the two url-safe characters */
	static const struct {
		const char *raw, *enc;
	} v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" }, { "foob", "Zm9vYg" },
		{ "fooba", "Zm9vYmE" }, { "foobar", "Zm9vYmFy" }, { "\xfb\xff", "-_8" },
	};
	size_t i;
	char out[32];
	unsigned char raw[32];

	for (i = 0; i < CFMCP_NELEM(v); i++) {
		size_t n = strlen(v[i].raw);
		ok(b64url_encode((const unsigned char *)v[i].raw, n, out, sizeof(out)) == 0 &&
		   !strcmp(out, v[i].enc), "b64url encode \"%s\"", v[i].enc);
		ok(b64url_decode(v[i].enc, strlen(v[i].enc), raw, sizeof(raw)) == (long)n &&
		   !memcmp(raw, v[i].raw, n), "b64url decode \"%s\"", v[i].enc);
	}
	ok(b64url_encode((const unsigned char *)"foo", 3, out, 4) < 0, "encode: no room for the NUL");
	ok(b64url_encode((const unsigned char *)"foo", 3, out, 5) == 0, "encode: exact room");
	is_int(b64url_decode("Zm9v", 4, raw, 2), -1, "decode: no room");
	is_int(b64url_decode("Zm9vY", 5, raw, sizeof(raw)), -1, "decode: length 4k+1");
	is_int(b64url_decode("Zm+v", 4, raw, sizeof(raw)), -1, "decode: '+' is not base64url");
}

/* ---- the escaper ---- */

static void escaper(void)
{
	char s[300];
	size_t i, n = 0;
	struct buf b;
	cJSON *str;
	char *ref;

	/* every byte but NUL, then some UTF-8 */
	for (i = 1; i < 256; i++)
		s[n++] = (char)i;
	memcpy(s + n, "\xc3\xa9\xe2\x82\xac", 5);
	n += 5;
	s[n] = '\0';
	str = cJSON_CreateString(s);
	ref = cJSON_PrintUnformatted(str);
	buf_init(&b, 0);
	ok(ref && json_append_string(&b, s, n) == 0 && !strcmp(b.p, ref), "json_append_string == cJSON's printer, all bytes");
	buf_free(&b);
	cJSON_free(ref);
	cJSON_Delete(str);

	/* an error message with a detail that needs escaping */
	buf_init(&b, 0);
	ok(jsonrpc_write_error(&b, NULL, MCP_EPARAMS, "a \"q\" \\ tab\t nl\n c\x01 del\x7f \xc3\xa9", NULL) == 0,
		"jsonrpc_write_error");
	is_str(b.p, "{\"jsonrpc\":\"2.0\",\"id\":null,\"error\":{\"code\":-32602,\"message\":"
		"\"Invalid params: a \\\"q\\\" \\\\ tab\\t nl\\n c\\u0001 del\x7f \xc3\xa9\"}}", "error bytes unchanged");
	buf_free(&b);
}

/* router.c's JSON error bodies (now through the one escaper) */
static void router_errors(void)
{
	static const struct mcp_env env; /* neither path reaches a handler */
	struct http_request req;
	struct http_response resp;

	http_request_init(&req);
	req.method = xstrdup("GET");
	req.path = xstrdup("/nope");
	http_response_init(&resp);
	router_handle(&env, &req, &resp);
	is_int(resp.status, 404, "unknown path is 404");
	is_str(resp.body.p, "{\"status\":404,\"error\":\"not_found\",\"message\":\"No such endpoint\"}",
		"404 body unchanged");
	http_response_free(&resp);
	req.fault = HTTP_FAULT_HEADERS;
	http_response_init(&resp);
	router_handle(&env, &req, &resp);
	is_str(resp.body.p, "{\"status\":431,\"error\":\"request_header_fields_too_large\","
		"\"message\":\"more than 64 request headers\"}", "431 body unchanged");
	http_response_free(&resp);
	http_request_free(&req);
}

/* ---- strict parsing (prescan, duplicates) ---- */

static void parsing(void)
{
	static const struct {
		const char *in;
		enum mcp_err e;
		const char *why;
	} v[] = {
		{ "", MCP_EPARSE, "empty body" },
		{ "\"\xc0\xaf\"", MCP_EPARSE, "body is not valid UTF-8" },
		{ "\"\xed\xa0\x80\"", MCP_EPARSE, "body is not valid UTF-8" },
		{ "[\"a\\u0000\"]", MCP_EPARSE, "strings must not contain \\u0000" },
		{ "{\"a\":1,}", MCP_EPARSE, "body is not well-formed JSON" },
		{ "{} x", MCP_EPARSE, "trailing bytes after the JSON value" },
		{ "{\"a\":{\"b\":1,\"b\":2}}", MCP_EINVALREQ, "duplicate member names (or an object with over 512 members)" },
		{ "[\"[[[[\",\"{{{{\"]", MCP_OK, NULL },
		{ "{\"k\\\"\":[1] } \r\n", MCP_OK, NULL },
	};
	size_t i;

	for (i = 0; i < CFMCP_NELEM(v); i++) {
		cJSON *root = NULL;
		const char *why = NULL;
		enum mcp_err e = jsonrpc_parse(v[i].in, strlen(v[i].in), &root, &why);
		is_int(e, v[i].e, "parse result unchanged");
		if (v[i].why)
			is_str(why, v[i].why, "parse reason unchanged");
		else
			ok(root != NULL, "parsed");
		cJSON_Delete(root);
	}
}

/* ---- the catalogue ---- */

static int load_text(struct catalog *cat, const char *json, char *err, size_t errsz)
{
	char dir[] = "/tmp/cfmcp-reshape-XXXXXX", file[64];
	FILE *f;
	int rc;

	if (!mkdtemp(dir))
		abort();
	snprintf(file, sizeof(file), "%s/w.json", dir);
	if (!(f = fopen(file, "w")) || fputs(json, f) < 0 || fclose(f))
		abort();
	rc = catalog_load(cat, dir, err, errsz);
	unlink(file);
	rmdir(dir);
	return rc;
}

#define TOP "\"resource\":\"widget\",\"plural\":\"widgets\",\"scope\":\"account\",\"tags\":[\"test\"]"
#define DESC "\"description\":\"A description of twenty characters at least.\""
#define PP "\"path_params\":{\"account_id\":{\"type\":\"string\",\"x-account-default\":true}," \
	"\"widget_id\":{\"type\":\"string\"}}"
#define GETP "\"http\":\"GET\",\"path\":\"/accounts/{account_id}/widgets/{widget_id}\""
/* one method "get" with the given members */
#define DOC1(m) "{" TOP ",\"methods\":{\"get\":{" m "}}}"
#define GET1(extra) DOC1(GETP "," DESC "," PP extra)
#define LIST1(extra) "{" TOP ",\"methods\":{\"list\":{\"http\":\"GET\",\"path\":\"/accounts/{account_id}/widgets\"," \
	DESC ",\"path_params\":{\"account_id\":{\"type\":\"string\",\"x-account-default\":true}}" extra "}}}"
#define POST1(extra) "{" TOP ",\"methods\":{\"create\":{\"http\":\"POST\",\"path\":\"/accounts/{account_id}/widgets\"," \
	DESC ",\"path_params\":{\"account_id\":{\"type\":\"string\",\"x-account-default\":true}}" extra "}}}"
#define DEEP "{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":" \
	"{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{\"items\":{}}}}}}}}}}}}}}}}}}"

static void catalog_errors(void)
{
	static const struct {
		const char *doc, *want;
	} bad[] = {
		{ "[]", "/: a schema file holds one object" },
		{ "{" TOP ",\"bogus\":1,\"methods\":{}}", "/bogus: unknown key" },
		{ "{\"plural\":\"widgets\",\"scope\":\"account\",\"methods\":{}}", "/resource: required: a [a-z][a-z0-9_]* name" },
		{ "{\"resource\":\"widget\",\"plural\":\"Widgets\",\"scope\":\"account\",\"methods\":{}}",
			"/plural: required: a [a-z][a-z0-9_]* name" },
		{ "{\"resource\":\"widget\",\"plural\":\"widgets\",\"scope\":\"planet\",\"methods\":{}}",
			"/scope: required: \"zone\", \"account\" or \"user\"" },
		{ "{\"resource\":\"widget\",\"plural\":\"widgets\",\"scope\":\"user\",\"tags\":\"x\",\"methods\":{}}",
			"/tags: must be an array of tag names" },
		{ "{\"resource\":\"widget\",\"plural\":\"widgets\",\"scope\":\"user\",\"tags\":[\"A\"],\"methods\":{}}",
			"/tags: tags are [a-z][a-z0-9_]* names" },
		{ "{" TOP ",\"methods\":{}}", "/methods: required: a non-empty object" },
		{ "{" TOP ",\"methods\":{\"Get\":{}}}", "/methods/Get: method keys are [a-z][a-z0-9_]* names" },
		{ "{" TOP ",\"methods\":{\"get\":1}}", "/methods/get: must be an object" },
		{ GET1(",\"foo\":1"), "/methods/get/foo: unknown key" },
		{ DOC1("\"http\":\"HEAD\",\"path\":\"/x\"," DESC), "/methods/get/http: required: GET, POST, PUT, PATCH or DELETE" },
		{ DOC1("\"http\":\"GET\"," DESC), "/methods/get/path: required: a path template" },
		{ DOC1(GETP ",\"description\":\"short\"," PP), "/methods/get/description: required: a description for the model (20+ characters)" },
		{ GET1(",\"title\":5"), "/methods/get/title: must be a string" },
		{ DOC1(GETP "," DESC ",\"path_params\":[]"), "/methods/get/path_params: must be an object of schemas" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"type\":\"string\"},\"widget_id\":{\"type\":\"string\",\"bogus\":1}}"),
			"/methods/get/path_params/widget_id/bogus: unsupported schema keyword" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"type\":\"string\"},\"widget_id\":{\"pattern\":\"^\\\\d+$\"}}"),
			"/methods/get/path_params/widget_id/pattern: use bracket classes, not \\d (patterns run as POSIX ERE)" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"type\":\"string\"},\"widget_id\":{\"pattern\":\"(\"}}"),
			"/methods/get/path_params/widget_id/pattern: not a valid POSIX extended regular expression" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"type\":\"str\"},\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/type: unknown type" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"type\":[\"string\",1]},\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/type: unknown type in list" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"type\":1},\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/type: must be a type name or a list of them" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"enum\":[]},\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/enum: must be a non-empty array" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"minLength\":-1},\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/minLength: must be a non-negative integer" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"x-id\":1},\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/x-id: must be a boolean" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":{\"a/b~c\":1},\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/a~1b~0c: unsupported schema keyword" },
		{ DOC1(GETP "," DESC ",\"path_params\":{\"account_id\":" DEEP ",\"widget_id\":{}}"),
			"/methods/get/path_params/account_id/items/items/items/items/items/items/items/items/items/items/items/items/items/items/items/items: schema nested too deeply" },
		{ POST1(",\"body\":{\"properties\":[]}"), "/methods/create/body/properties: must be an object of schemas" },
		{ POST1(",\"body\":{\"required\":[1]}"), "/methods/create/body/required: must be an array of names" },
		{ POST1(",\"body\":{\"oneOf\":[]}"), "/methods/create/body/oneOf: must be a non-empty array of schemas" },
		{ POST1(",\"body\":{\"anyOf\":[{},{\"type\":\"x\"}]}"), "/methods/create/body/anyOf/1/type: unknown type" },
		{ POST1(",\"body\":{\"additionalProperties\":{\"minimum\":\"a\"}}"),
			"/methods/create/body/additionalProperties/minimum: must be a number" },
		{ POST1(",\"body\":{\"description\":1}"), "/methods/create/body/description: must be a string" },
		{ POST1(",\"body\":{\"uniqueItems\":1}"), "/methods/create/body/uniqueItems: must be a boolean" },
		{ POST1(",\"body\":{},\"body_required\":1"), "/methods/create/body_required: must be a boolean" },
		{ DOC1("\"http\":\"GET\",\"path\":\"accounts\"," DESC), "/methods/get/path: must start with /" },
		{ DOC1("\"http\":\"GET\",\"path\":\"/a/{x}\"," DESC), "/methods/get/path: placeholder {x} has no entry in path_params" },
		{ DOC1("\"http\":\"GET\",\"path\":\"/a/{}\"," DESC), "/methods/get/path: bad {placeholder}" },
		{ DOC1("\"http\":\"GET\",\"path\":\"/a?b\"," DESC), "/methods/get/path: path must not contain ?, #, %, } or spaces" },
		{ DOC1("\"http\":\"GET\",\"path\":\"/a\"," DESC ",\"path_params\":{\"x\":{}}"),
			"/methods/get/path: path_params.x is not used in the path" },
		{ GET1(",\"query\":{\"a b\":{}}"), "/methods/get/query: bad query parameter name" },
		{ GET1(",\"query\":{\"a\":{\"type\":\"x\"}}"), "/methods/get/query/a/type: unknown type" },
		{ GET1(",\"body\":{}"), "/methods/get/body: a GET method has no body" },
		{ GET1(",\"tags\":[\"X\"]"), "/methods/get/tags: tags are [a-z][a-z0-9_]* names" },
		{ GET1(",\"pagination\":1"), "/methods/get/pagination: must be an object" },
		{ GET1(",\"pagination\":{\"style\":\"x\"}"), "/methods/get/pagination: style must be \"page\", \"cursor\" or \"none\"" },
		{ GET1(",\"pagination\":{\"style\":\"page\",\"default\":5,\"max\":2}"),
			"/methods/get/pagination: default and max must be integers with 1 <= default <= max <= 1000" },
		{ GET1(",\"pagination\":{\"style\":\"page\",\"default\":5,\"max\":20,\"min\":6}"),
			"/methods/get/pagination: min must be an integer with 1 <= min <= default" },
		{ LIST1(""), "/methods/list: a list method needs \"pagination\" (style page, cursor or none)" },
		{ GET1(",\"tool\":\"Bad\""), "/methods/get/tool: must be a [a-z][a-z0-9_]* name of at most 64 characters" },
		{ "{\"resource\":\"abcdefghij_abcdefghij_abcdefghij_abcdefg\",\"plural\":\"widgets\",\"scope\":\"user\","
		  "\"methods\":{\"get\":{" GETP "," DESC "," PP "}}}",
			"/methods/get: tool name would exceed 64 characters; set \"tool\"" },
		{ "{" TOP ",\"methods\":{\"get\":{" GETP "," DESC "," PP ",\"tool\":\"same\"},\"read\":{" GETP "," DESC "," PP
		  ",\"tool\":\"same\"}}}", "/methods/read: tool name same is already defined" },
		{ GET1(",\"query\":{\"widget_id\":{}}"), "/methods: query parameter widget_id collides with a path parameter" },
		{ GET1(",\"query\":{\"a\":{}},\"required_query\":[\"b\"]"),
			"/methods: required_query names a parameter that is not in query" },
		{ POST1(",\"query\":{\"body\":{}},\"body\":{}"), "/methods: a parameter named body collides with the request body" },
		{ LIST1(",\"query\":{\"next_cursor\":{}},\"pagination\":{\"style\":\"cursor\",\"default\":5,\"max\":9}"),
			"/methods: limit and next_cursor are reserved for paging" },
	};
	size_t i;

	for (i = 0; i < CFMCP_NELEM(bad); i++) {
		struct catalog cat;
		char err[1024];
		const char *slash;
		err[0] = '\0';
		ok(load_text(&cat, bad[i].doc, err, sizeof(err)) < 0, "bad schema %zu refused", i);
		/* drop the scratch directory's name: "<dir>/w.json: " */
		slash = strstr(err, "/w.json: ");
		is_str(slash ? slash + 9 : err, bad[i].want, "load error unchanged");
	}
}

/* A schema document that uses every part a method can have. */
static const char FULL_DOC[] =
	"{" TOP ",\"description\":\"Widgets.\",\"$comment\":\"x\",\"methods\":{"
	"\"list\":{\"http\":\"GET\",\"path\":\"/zones/{zone_id}/widgets\"," DESC ",\"title\":\"List widgets\","
	"\"path_params\":{\"zone_id\":{\"type\":\"string\",\"x-zone-name\":true,\"pattern\":\"^[a-z]+$\"}},"
	"\"query\":{\"name\":{\"type\":\"string\",\"x-id\":true},\"per_page\":{\"type\":\"integer\"},\"cursor\":{\"type\":\"string\"}},"
	"\"required_query\":[\"name\"],\"tags\":[\"extra\"],"
	"\"pagination\":{\"style\":\"cursor\",\"default\":20,\"max\":50,\"min\":5,\"size_param\":\"per_page\",\"cursor_param\":\"cursor\"}},"
	"\"purge\":{\"http\":\"POST\",\"path\":\"/accounts/{account_id}/widgets/{widget_id}/purge\"," DESC ","
	PP ",\"body\":{\"type\":\"object\",\"properties\":{\"all\":{\"type\":\"boolean\",\"x-id\":false}},"
	"\"additionalProperties\":false},\"body_required\":true},"
	"\"delete\":{\"http\":\"DELETE\",\"path\":\"/accounts/{account_id}/widgets/{widget_id}\"," DESC "," PP "}}}";

/* FULL_DOC's tools as main rendered them (sorted by name). */
static const char *const FULL_TOOLS[] = {
		"{\"name\":\"delete_a_cloudflare_widget_by_id\",\"title\":\"delete_a_cloudflare_widget_b"
		"y_id\",\"description\":\"A description of twenty characters at least.\",\"inputSchema\""
		":{\"type\":\"object\",\"properties\":{\"account_id\":{\"type\":\"string\"},\"widget_id\":{\"typ"
		"e\":\"string\"}},\"required\":[\"widget_id\"],\"additionalProperties\":false},\"annotation"
		"s\":{\"title\":\"delete_a_cloudflare_widget_by_id\",\"readOnlyHint\":false,\"destructive"
		"Hint\":true,\"idempotentHint\":true,\"openWorldHint\":true}}",
		"{\"name\":\"list_all_cloudflare_widgets\",\"title\":\"List widgets\",\"description\":\"A de"
		"scription of twenty characters at least.\",\"inputSchema\":{\"type\":\"object\",\"proper"
		"ties\":{\"zone_id\":{\"type\":\"string\",\"pattern\":\"^([0-9a-f]{32}|([a-z0-9]([a-z0-9-]{"
		"0,61}[a-z0-9])?[.])+[a-z]([a-z0-9-]{0,61}[a-z0-9])?)$\",\"maxLength\":253},\"name\":{"
		"\"type\":\"string\"},\"limit\":{\"type\":\"integer\",\"minimum\":5,\"maximum\":50,\"description"
		"\":\"How many items to return (5-50, default 20).\"},\"next_cursor\":{\"type\":\"string\""
		",\"maxLength\":512,\"description\":\"Opaque cursor from a previous call's next_cursor"
		"; omit for the first page.\"}},\"required\":[\"zone_id\",\"name\"],\"additionalPropertie"
		"s\":false},\"annotations\":{\"title\":\"List widgets\",\"readOnlyHint\":true,\"destructive"
		"Hint\":false,\"idempotentHint\":true,\"openWorldHint\":true}}",
		"{\"name\":\"purge_cloudflare_widget\",\"title\":\"purge_cloudflare_widget\",\"description"
		"\":\"A description of twenty characters at least.\",\"inputSchema\":{\"type\":\"object\","
		"\"properties\":{\"account_id\":{\"type\":\"string\"},\"widget_id\":{\"type\":\"string\"},\"body"
		"\":{\"type\":\"object\",\"properties\":{\"all\":{\"type\":\"boolean\"}},\"additionalProperties"
		"\":false}},\"required\":[\"widget_id\",\"body\"],\"additionalProperties\":false},\"annotat"
		"ions\":{\"title\":\"purge_cloudflare_widget\",\"readOnlyHint\":false,\"destructiveHint\":"
		"true,\"idempotentHint\":false,\"openWorldHint\":true}}",
};

static void catalog_render(void)
{
	struct catalog cat;
	char err[512], hex[CRYPTO_SHA256_HEX];
	struct buf all;
	size_t i;

	ok(catalog_load(&cat, SCHEMAS_DIR, err, sizeof(err)) == 0, "real catalogue loads");
	buf_init(&all, 0);
	for (i = 0; i < cat.ntools; i++)
		if (buf_append(&all, cat.tools[i].json, cat.tools[i].json_len) || buf_append(&all, STRLIT("\n")))
			abort();
	ok(crypto_sha256_hex(all.p, all.len, hex) == 0, "hash");
	/* changed on purpose with schemas/ (last: the DNS create/overwrite
	 * content formats, bug_dns_content_not_ip) */
	is_str(hex, "2998c8d2d411a88fc2965a931f5cf0fd93a38f5ef12fb23c38898f939195a9eb", "every rendered tool unchanged (SHA-256 of tools/list's entries)");
	is_int(cat.ntools, 25, "tool count");
	buf_free(&all);
	catalog_free(&cat);

	ok(load_text(&cat, FULL_DOC, err, sizeof(err)) == 0, "full document loads: %s", err);
	is_int(cat.ntools, 3, "three tools");
	for (i = 0; i < cat.ntools; i++)
		is_str(cat.tools[i].json, FULL_TOOLS[i], "rendered tool unchanged");
	catalog_free(&cat);
}

/*
 * bug_catalog_oom_as_invalid_json: an allocation failing inside cJSON while
 * a schema file is parsed was reported as "not valid JSON (near byte N)",
 * sending the operator to look for a syntax error that is not there. Every
 * allocation of a load is failed in turn: each load must be refused as out
 * of memory, and leave nothing behind (LeakSanitizer under make asan).
 */
static void bug_catalog_oom_as_invalid_json(void)
{
	long n, wrong = 0, fails = 0;
	char first_wrong[512] = "";

	for (n = 1; n < 20000; n++) {
		struct catalog cat;
		char err[512] = "";
		int rc;
		xalloc_fail_after(n);
		rc = load_text(&cat, FULL_DOC, err, sizeof(err));
		xalloc_fail_after(0);
		if (rc == 0) {
			catalog_free(&cat);
			break;
		}
		fails++;
		if (!strstr(err, "out of memory")) {
			if (!wrong++)
				snprintf(first_wrong, sizeof(first_wrong), "%s", strstr(err, "w.json") ? strstr(err, "w.json") : err);
		}
	}
	ok(n < 20000 && fails > 10, "bug_catalog_oom_as_invalid_json: loads under %ld allocation failures", fails);
	if (!ok(wrong == 0, "bug_catalog_oom_as_invalid_json: every one reported as out of memory"))
		printf("#   %ld of %ld said otherwise, first: %s\n", wrong, fails, first_wrong);
}

/* ---- argument validation ---- */

static void validation(void)
{
	static const struct {
		const char *schema, *value, *want;
	} v[] = {
		{ "{\"type\":\"string\"}", "1", "x must be of type string" },
		{ "{\"type\":[\"string\",\"null\"]}", "1", "x has the wrong type" },
		{ "{\"const\":3}", "4", "x must be the constant the schema gives" },
		{ "{\"enum\":[\"a\",\"b\",1]}", "\"c\"", "x must be one of: a, b" },
		{ "{\"maxLength\":2}", "\"\xc3\xa9\xc3\xa9\xc3\xa9\"", "x is too long (at most 2 characters)" },
		{ "{\"minLength\":4}", "\"\xc3\xa9\xc3\xa9\xc3\xa9\"", "x is too short (at least 4 characters)" },
		{ "{\"pattern\":\"^[a-z]+$\"}", "\"A\"", "x does not have the required form (pattern ^[a-z]+$)" },
		{ "{\"minimum\":1.5}", "1", "x must be >= 1.5" },
		{ "{\"exclusiveMaximum\":3}", "3", "x must be < 3" },
		{ "{\"maxItems\":1}", "[1,2]", "x has too many items (at most 1)" },
		{ "{\"items\":{\"type\":\"integer\"}}", "[1,2.5]", "x[1] must be of type integer" },
		{ "{\"required\":[\"a\"]}", "{}", "x.a is required" },
		{ "{\"additionalProperties\":false}", "{\"b c\":1}", "unknown argument x.b?c: only the properties in the input schema are accepted" },
		{ "{\"properties\":{\"a\":{\"type\":\"integer\"}}}", "{\"a\":\"1\"}", "x.a must be of type integer" },
		{ "{\"oneOf\":[{\"type\":\"string\"},{\"type\":\"integer\"}]}", "true",
			"x matches none of the allowed shapes (first: x must be of type string)" },
		{ "{\"oneOf\":[{\"type\":\"number\"},{\"type\":\"integer\"}]}", "1", "x matches more than one of the allowed shapes" },
		{ "{\"allOf\":[{\"type\":\"number\"},{\"maximum\":0}]}", "1", "x must be <= 0" },
	};
	size_t i;

	for (i = 0; i < CFMCP_NELEM(v); i++) {
		cJSON *s = cJSON_Parse(v[i].schema), *val = cJSON_Parse(v[i].value);
		char why[512] = "";
		ok(s && val && schema_validate(s, val, "x", why, sizeof(why)) < 0, "value %zu refused", i);
		is_str(why, v[i].want, "reason unchanged");
		cJSON_Delete(s);
		cJSON_Delete(val);
	}
}

int main(void)
{
	xalloc_init(); /* cJSON allocates through xalloc: failures can be injected */
	cursors();
	b64url();
	escaper();
	parsing();
	router_errors();
	catalog_errors();
	catalog_render();
	bug_catalog_oom_as_invalid_json();
	validation();
	schema_patterns_free();
	return done_testing();
}
