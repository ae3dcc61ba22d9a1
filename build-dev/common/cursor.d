build-dev/common/cursor.o: common/cursor.c common/first.h common/b64url.h \
 common/cursor.h common/buf.h
common/first.h:
common/b64url.h:
common/cursor.h:
common/buf.h:
