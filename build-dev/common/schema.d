build-dev/common/schema.o: common/schema.c common/first.h common/caps.h \
 common/json.h common/buf.h common/schema.h common/why.h common/xalloc.h
common/first.h:
common/caps.h:
common/json.h:
common/buf.h:
common/schema.h:
common/why.h:
common/xalloc.h:
