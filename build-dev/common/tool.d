build-dev/common/tool.o: common/tool.c common/first.h common/cursor.h \
 common/buf.h common/json.h common/tool.h common/xalloc.h
common/first.h:
common/cursor.h:
common/buf.h:
common/json.h:
common/tool.h:
common/xalloc.h:
