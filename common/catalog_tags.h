/*
 * catalog_tags.h - the catalogue's tag vocabulary with a count of tools per
 * tag and class: what GET /catalog/tags answers and `cfmcp-admin tags`
 * prints, so a person choosing a scope's tags sees what each one keeps.
 */
#ifndef CFMCP_CATALOG_TAGS_H
#define CFMCP_CATALOG_TAGS_H

#include <cjson/cJSON.h>

#include "catalog.h"

/*
 * {"tags": [{"tag": "dns", "tools": 57, "read": 30, "write": 20,
 * "custom": 7}, ...], "total": 1428}: every tag any tool carries, sorted
 * by tag (strcmp); "tools" counts the tools carrying it, split by class as
 * scopes split them (read: list and get, write: create, update and delete,
 * custom: the rest); "total" is the number of tools in the catalogue (a
 * tool with two tags counts under both). The caller owns the result;
 * NULL when out of memory.
 */
cJSON *catalog_tags_json(const struct catalog *cat) __attribute__((nonnull, warn_unused_result));

#endif
