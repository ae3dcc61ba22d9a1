/*
 * crypto.c - thin wrappers over libcrypto's EVP interfaces.
 */
#include "first.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "caps.h"
#include "crypto.h"

int crypto_sha256_hex(const void *p, size_t n, char out[CRYPTO_SHA256_HEX])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[32];
	unsigned int mdlen = 0, i;

	if (!EVP_Digest(p, n, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32)
		return -1;
	for (i = 0; i < 32; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[64] = '\0';
	return 0;
}

int crypto_token_hash(const char *t, size_t n, char out[CRYPTO_SHA256_HEX])
{
	size_t i;

	if (n < CAP_TOKEN_MIN || n > CAP_TOKEN_MAX)
		return -1;
	for (i = 0; i < n; i++) {
		char c = t[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '-' || c == '_'))
			return -1;
	}
	return crypto_sha256_hex(t, n, out);
}

int crypto_random_bytes(void *out, size_t n)
{
	return n <= 1024 && RAND_bytes(out, (int)n) == 1 ? 0 : -1;
}

int crypto_random_token(size_t nbytes, char *out, size_t outsz)
{
	unsigned char raw[64];
	int rc;

	if (nbytes > sizeof(raw))
		return -1;
	if (RAND_bytes(raw, (int)nbytes) != 1)
		return -1;
	rc = b64url_encode(raw, nbytes, out, outsz);
	OPENSSL_cleanse(raw, sizeof(raw));
	return rc;
}

int crypto_equal(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n) == 0;
}

void crypto_wipe(void *p, size_t n)
{
	OPENSSL_cleanse(p, n);
}

static int hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int crypto_keyring_load(struct keyring *kr, const char *path, char *err, size_t errsz)
{
	char line[256];
	struct stat sb;
	FILE *f = NULL;
	int fd, lineno = 0, rc = -1;

	memset(kr, 0, sizeof(*kr));
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errsz, "CFMCP_KEY_FILE %s: %s (create it: README \"Encryption key\")",
			path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) < 0 || !S_ISREG(sb.st_mode)) {
		snprintf(err, errsz, "CFMCP_KEY_FILE %s: not a regular file", path);
		close(fd);
		return -1;
	}
	if (sb.st_mode & 007) {
		snprintf(err, errsz, "CFMCP_KEY_FILE %s: readable by others; chmod 0640 or 0600", path);
		close(fd);
		return -1;
	}
	f = fdopen(fd, "r");
	if (!f) {
		close(fd);
		snprintf(err, errsz, "CFMCP_KEY_FILE %s: %s", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		size_t n, i;
		unsigned char md[32];
		unsigned int mdlen = 0;

		lineno++;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t\r\n");
		if (n == 0 || *p == '#')
			continue;
		if (n != 64 || p[n + strspn(p + n, " \t\r\n")] != '\0') {
			snprintf(err, errsz, "CFMCP_KEY_FILE %s:%d: expected 64 hex digits (openssl rand -hex 32)",
				path, lineno);
			goto out;
		}
		if (kr->n == CRYPTO_MAX_KEYS) {
			snprintf(err, errsz, "CFMCP_KEY_FILE %s: more than %d keys", path, CRYPTO_MAX_KEYS);
			goto out;
		}
		for (i = 0; i < 32; i++) {
			int hi = hexval(p[2 * i]), lo = hexval(p[2 * i + 1]);
			if (hi < 0 || lo < 0) {
				snprintf(err, errsz, "CFMCP_KEY_FILE %s:%d: expected 64 hex digits", path, lineno);
				goto out;
			}
			kr->k[kr->n].key[i] = (unsigned char)(hi << 4 | lo);
		}
		if (!EVP_Digest(kr->k[kr->n].key, 32, md, &mdlen, EVP_sha256(), NULL) || mdlen != 32) {
			snprintf(err, errsz, "CFMCP_KEY_FILE: SHA-256 failed");
			goto out;
		}
		snprintf(kr->k[kr->n].kid, sizeof(kr->k[kr->n].kid), "%02x%02x%02x%02x", md[0], md[1], md[2], md[3]);
		kr->n++;
	}
	if (kr->n == 0) {
		snprintf(err, errsz, "CFMCP_KEY_FILE %s: no key in it (openssl rand -hex 32 > %s)", path, path);
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	if (rc)
		crypto_keyring_wipe(kr);
	return rc;
}

void crypto_keyring_wipe(struct keyring *kr)
{
	OPENSSL_cleanse(kr, sizeof(*kr));
}

#define GCM_NONCE 12
#define GCM_TAG 16
#define SEAL_MAX_PT 4096

int crypto_seal(const struct keyring *kr, const char *aad, const void *pt, size_t ptlen,
	char *out, size_t outsz)
{
	unsigned char blob[GCM_NONCE + SEAL_MAX_PT + GCM_TAG];
	EVP_CIPHER_CTX *ctx = NULL;
	int len = 0, fin = 0, rc = -1;
	size_t hdr;

	if (kr->n == 0 || ptlen > SEAL_MAX_PT || outsz < 13)
		return -1;
	if (RAND_bytes(blob, GCM_NONCE) != 1)
		return -1;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx ||
	    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, GCM_NONCE, NULL) != 1 ||
	    EVP_EncryptInit_ex(ctx, NULL, NULL, kr->k[0].key, blob) != 1 ||
	    EVP_EncryptUpdate(ctx, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_EncryptUpdate(ctx, blob + GCM_NONCE, &len, pt, (int)ptlen) != 1 ||
	    EVP_EncryptFinal_ex(ctx, blob + GCM_NONCE + len, &fin) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, GCM_TAG, blob + GCM_NONCE + len + fin) != 1)
		goto out;
	hdr = (size_t)snprintf(out, outsz, "v1.%s.", kr->k[0].kid);
	if (hdr >= outsz ||
	    b64url_encode(blob, GCM_NONCE + (size_t)len + (size_t)fin + GCM_TAG, out + hdr, outsz - hdr) < 0)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(blob, sizeof(blob));
	if (rc && outsz)
		out[0] = '\0';
	return rc;
}

int crypto_sealed_kid(const char *sealed, char kid[9])
{
	size_t i;

	if (strncmp(sealed, "v1.", 3))
		return -1;
	for (i = 0; i < 8; i++)
		if (hexval(sealed[3 + i]) < 0)
			return -1;
	if (sealed[11] != '.')
		return -1;
	memcpy(kid, sealed + 3, 8);
	kid[8] = '\0';
	return 0;
}

int crypto_open(const struct keyring *kr, const char *aad, const char *sealed,
	char *out, size_t outsz)
{
	unsigned char blob[GCM_NONCE + SEAL_MAX_PT + GCM_TAG];
	EVP_CIPHER_CTX *ctx = NULL;
	char kid[9];
	const unsigned char *key = NULL;
	long bl;
	int len = 0, fin = 0, rc = CRYPTO_EFORMAT;
	size_t i, ctlen;

	if (outsz)
		out[0] = '\0';
	if (crypto_sealed_kid(sealed, kid) < 0)
		return CRYPTO_EFORMAT;
	for (i = 0; i < kr->n; i++)
		if (!strcmp(kr->k[i].kid, kid))
			key = kr->k[i].key;
	if (!key)
		return CRYPTO_ENOKEY;
	bl = b64url_decode(sealed + 12, strlen(sealed + 12), blob, sizeof(blob));
	if (bl < GCM_NONCE + GCM_TAG)
		return CRYPTO_EFORMAT;
	ctlen = (size_t)bl - GCM_NONCE - GCM_TAG;
	if (ctlen + 1 > outsz)
		return CRYPTO_ESPACE;
	ctx = EVP_CIPHER_CTX_new();
	rc = CRYPTO_EAUTH;
	if (!ctx ||
	    EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, GCM_NONCE, NULL) != 1 ||
	    EVP_DecryptInit_ex(ctx, NULL, NULL, key, blob) != 1 ||
	    EVP_DecryptUpdate(ctx, NULL, &len, (const unsigned char *)aad, (int)strlen(aad)) != 1 ||
	    EVP_DecryptUpdate(ctx, (unsigned char *)out, &len, blob + GCM_NONCE, (int)ctlen) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_TAG, GCM_TAG, blob + GCM_NONCE + ctlen) != 1 ||
	    EVP_DecryptFinal_ex(ctx, (unsigned char *)out + len, &fin) != 1)
		goto out;
	out[len + fin] = '\0';
	if (memchr(out, '\0', (size_t)(len + fin))) /* text only */
		goto out;
	rc = CRYPTO_OK;
out:
	EVP_CIPHER_CTX_free(ctx);
	OPENSSL_cleanse(blob, sizeof(blob));
	if (rc != CRYPTO_OK)
		OPENSSL_cleanse(out, outsz);
	return rc;
}
