build-dev/common/ratelimit.o: common/ratelimit.c common/first.h \
 common/ratelimit.h common/upstream.h common/buf.h common/config.h \
 common/crypto.h common/plan.h common/catalog.h common/tool.h
common/first.h:
common/ratelimit.h:
common/upstream.h:
common/buf.h:
common/config.h:
common/crypto.h:
common/plan.h:
common/catalog.h:
common/tool.h:
