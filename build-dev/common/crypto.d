build-dev/common/crypto.o: common/crypto.c common/first.h common/b64url.h \
 common/caps.h common/crypto.h
common/first.h:
common/b64url.h:
common/caps.h:
common/crypto.h:
