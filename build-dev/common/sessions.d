build-dev/common/sessions.o: common/sessions.c common/first.h \
 common/crypto.h common/sessions.h common/buf.h common/sse.h
common/first.h:
common/crypto.h:
common/sessions.h:
common/buf.h:
common/sse.h:
