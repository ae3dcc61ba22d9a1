/*
 * cfid.h - Cloudflare object ids (account, zone): 32 lower-case hex
 * digits. One rule for every place an id is checked before it is used in
 * a path or stored.
 */
#ifndef CFMCP_CFID_H
#define CFMCP_CFID_H

/* 1 when s is a 32-character lower-case hex id, else 0. */
int cfid_valid(const char *s) __attribute__((nonnull, pure));

#endif
