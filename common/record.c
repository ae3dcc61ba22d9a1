/* record.c - names of a record's enums, as the audit trail and the
 * metrics labels show them. */
#include "first.h"

#include "record.h"

const char *record_outcome_name(enum record_outcome o)
{
	static const char *const n[OUTCOME_COUNT] = { "ok", "tool_error", "refused", "invalid",
		"rate_limited", "upstream_error" };

	return (unsigned)o < OUTCOME_COUNT ? n[o] : "unknown";
}

const char *record_class_name(enum record_class c)
{
	static const char *const n[CLASS_COUNT] = { "read", "write", "custom" };

	return (unsigned)c < CLASS_COUNT ? n[c] : "unknown";
}
