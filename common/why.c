/*
 * why.c - a check's reason into the caller's buffer (why.h).
 */
#include "first.h"

#include <stdarg.h>
#include <stdio.h>

#include "why.h"

int why_set(char *why, size_t whysz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, whysz, fmt, ap);
	va_end(ap);
	return -1;
}
