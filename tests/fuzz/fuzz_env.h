/*
 * fuzz_env.h - the fakes the fuzz targets drive the core with: a token
 * store that knows every well-formed token, an upstream that answers with
 * bytes the fuzzer chose. No I/O, deterministic.
 */
#ifndef CFMCP_FUZZ_ENV_H
#define CFMCP_FUZZ_ENV_H

#include <stddef.h>
#include <stdint.h>

#include "../../common/mcp.h"

/* Set up once (catalogue, configuration, key) and return the env. */
struct mcp_env *fuzz_env(void);
/* The upstream's next answer body (copied). */
void fuzz_upstream_body(const uint8_t *p, size_t n);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#endif
