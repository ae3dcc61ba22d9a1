build-dev/common/json.o: common/json.c common/first.h common/caps.h \
 common/json.h common/buf.h common/xalloc.h
common/first.h:
common/caps.h:
common/json.h:
common/buf.h:
common/xalloc.h:
