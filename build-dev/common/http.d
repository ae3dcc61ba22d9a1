build-dev/common/http.o: common/http.c common/first.h common/http.h \
 common/buf.h common/caps.h common/xalloc.h
common/first.h:
common/http.h:
common/buf.h:
common/caps.h:
common/xalloc.h:
