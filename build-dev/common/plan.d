build-dev/common/plan.o: common/plan.c common/first.h common/caps.h \
 common/cfid.h common/cursor.h common/buf.h common/plan.h \
 common/catalog.h common/tool.h common/schema.h common/why.h \
 common/xalloc.h
common/first.h:
common/caps.h:
common/cfid.h:
common/cursor.h:
common/buf.h:
common/plan.h:
common/catalog.h:
common/tool.h:
common/schema.h:
common/why.h:
common/xalloc.h:
