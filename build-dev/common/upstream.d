build-dev/common/upstream.o: common/upstream.c common/first.h \
 common/caps.h common/log.h common/upstream.h common/buf.h \
 common/config.h common/crypto.h common/plan.h common/catalog.h \
 common/tool.h common/xalloc.h
common/first.h:
common/caps.h:
common/log.h:
common/upstream.h:
common/buf.h:
common/config.h:
common/crypto.h:
common/plan.h:
common/catalog.h:
common/tool.h:
common/xalloc.h:
