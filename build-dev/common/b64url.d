build-dev/common/b64url.o: common/b64url.c common/first.h common/b64url.h
common/first.h:
common/b64url.h:
